"""The upload form (C2): a file, what it carries, and which way it applies."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from certhub.exchange.choices import SubmissionKind, SubmissionMode


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("文件"),
        help_text=_("CSV（UTF-8或GBK）、XLSX或JSON Lines；表头用模板中的中文或英文列名"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,.jsonl,.ndjson"}),
        error_messages={"required": _("请选择要上传的文件"), "empty": _("文件为空")},
    )
    kind = forms.ChoiceField(label=_("数据类别"), choices=SubmissionKind.choices)
    mode = forms.ChoiceField(
        label=_("生效方式"),
        choices=SubmissionMode.choices,
        initial=SubmissionMode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
        help_text=_("默认：任何一行有错误则整份不生效；也可选择只让有效的行生效"),
    )

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [(kind, SubmissionKind(kind).label) for kind in kinds]
        self.fields["kind"].initial = kinds[0]


class LabMigrationForm(forms.Form):
    """The administrator's data-migration file of labs (registry.lab_migration)."""

    file = forms.FileField(
        label=_("文件"),
        help_text=_("CSV（UTF-8或GBK）或XLSX；工作表和列名见下方说明"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
        error_messages={"required": _("请选择要上传的文件"), "empty": _("文件为空")},
    )
    dry_run = forms.BooleanField(
        label=_("只校验，不写入"), required=False, help_text=_("先试导入：列出全部问题，什么也不写入")
    )
