"""Forms of the inspection pages. They parse and check the shape of input; the rules live in
inspections.actions, whose errors `add_domain_errors` puts next to the fields they name."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certhub.core.display import localized_name
from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.forms import DateInput
from certhub.core.validation import USCC, validate_value
from certhub.inspections import pools, queries
from certhub.inspections.choices import Algorithm, FollowUp, ResultCategory, TargetType
from certhub.inspections.models import Batch, InspectionItem, Plan, TargetPool
from certhub.registry.choices import RiskGrade
from certhub.registry.forms import scheme_choices

STRATA_FIELDS = {stratum: f"ratio_{stratum.lower()}" for stratum in pools.STRATA}


class DateTimeLocalInput(forms.DateTimeInput):
    """A datetime-local input to the second (step=1): random sources are named to the second."""

    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M:%S", attrs={"step": "1"}, **kwargs)


class ItemCheckboxes(forms.CheckboxSelectMultiple):
    """Item checkboxes that carry each item's default ratio and the ratios per stratum it gives
    (batch_form.js fills the ratio fields from the highest one ticked)."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        item = getattr(option["value"], "instance", None)
        if item is not None:
            option["attrs"]["data-default-ratio"] = str(item.default_ratio)
            ratios = {
                s: format(Decimal(r).normalize(), "f") for s, r in pools.default_ratios(item.default_ratio).items()
            }
            option["attrs"]["data-ratios"] = json.dumps(ratios)
        return option


class ItemChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: InspectionItem) -> str:
        return f"{obj.code} {obj.name}"


class DomainForm(forms.Form):
    """A form whose submission goes to an action: the action's refusals are shown next to our fields."""

    # The action's field names mapped onto ours; names not listed appear above the form.
    DOMAIN_FIELDS: Mapping[str, str] = {}

    def add_domain_errors(self, error: ValidationFailed | Conflict | NotPermitted) -> None:
        messages = getattr(error, "errors", None) or {"": [error.message]}
        for name, field_messages in messages.items():
            field = self.DOMAIN_FIELDS.get(name, name if name in self.fields else None)
            for message in field_messages:
                self.add_error(field, message)


class PlanForm(DomainForm):
    """The inputs of do_create_plan."""

    title = forms.CharField(label=_("计划名称"), max_length=200)
    year = forms.IntegerField(label=_("年度"))
    region = forms.ChoiceField(label=_("地区"))
    department = forms.CharField(label=_("牵头部门"), max_length=64)
    items = ItemChoiceField(
        label=_("抽查事项"), queryset=InspectionItem.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(
        label=_("说明"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, actor: Any, department: str = "", **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"year": timezone.localdate().year, "region": actor.region_code, "department": department}
        )
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = [
            (r.code, f"{localized_name(r)}（{r.code}）") for r in queries.regions_visible_to(actor)
        ]
        cast(ItemChoiceField, self.fields["items"]).queryset = queries.items()


class InspectorForm(DomainForm):
    """The inputs of do_create_inspector: an enforcement officer entered in the inspector pool."""

    code = forms.CharField(label=_("执法证号"), max_length=32)
    name = forms.CharField(label=_("姓名"), max_length=64)
    department = forms.CharField(label=_("部门"), max_length=64, help_text=_("与抽查事项的实施部门一致，如“市场监管”"))
    region = forms.ChoiceField(label=_("所在地区"))
    qualifications = forms.MultipleChoiceField(
        label=_("可检查对象类型"), choices=TargetType.choices, widget=forms.CheckboxSelectMultiple
    )
    declared_conflicts = forms.CharField(
        label=_("申报的利害关系"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("有利害关系的机构的统一社会信用代码，每行一个（曾任职的机构由人员登记库自动回避）"),
    )
    available = forms.BooleanField(label=_("可参加抽查"), required=False, initial=True)
    username = forms.CharField(
        label=_("登录账号"),
        max_length=150,
        required=False,
        help_text=_("其监管人员账号的用户名：检查人员用它登录录入检查结果"),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"region": actor.region_code, "available": True})
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = [
            (r.code, f"{localized_name(r)}（{r.code}）") for r in queries.regions_visible_to(actor)
        ]

    def clean_declared_conflicts(self) -> list[str]:
        """One credit code a line, each checked (GB 32100): a typo would silently name nobody."""
        codes = []
        for number, line in enumerate(self.cleaned_data["declared_conflicts"].splitlines(), start=1):
            if not line.strip():
                continue
            try:
                codes.append(validate_value(USCC, line, field="uscc"))
            except ValidationFailed as failure:
                error = failure.errors["uscc"][0]
                raise forms.ValidationError(
                    _("第%(line)d行“%(value)s”：%(error)s") % {"line": number, "value": line.strip(), "error": error}
                ) from None
        return codes


class PoolForm(DomainForm):
    """The inputs of do_create_target_pool (a saved filter over a registry)."""

    DOMAIN_FIELDS = {"name": "pool_name", "scheme": "scheme_code"}

    pool_name = forms.CharField(label=_("名录库名称"), max_length=200)
    target_type = forms.ChoiceField(label=_("对象类型"), choices=TargetType.choices)
    region = forms.ChoiceField(label=_("地区"))
    industry_section = forms.CharField(
        label=_("行业门类"),
        max_length=1,
        required=False,
        help_text=_("国民经济行业分类门类字母，如C（制造业）；留空表示全部"),
    )
    scheme_code = forms.ChoiceField(label=_("认证制度"), required=False)
    above_designated_size = forms.BooleanField(label=_("仅规模以上工业企业"), required=False)
    grades = forms.MultipleChoiceField(
        label=_("风险等级"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=RiskGrade.choices,
        help_text=_("不选表示全部等级"),
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"region": plan.region_id})
        kwargs.setdefault("prefix", "pool")
        super().__init__(*args, **kwargs)
        regions = queries.regions_for_plan(plan)
        cast(forms.ChoiceField, self.fields["region"]).choices = [
            (r.code, f"{localized_name(r)}（{r.code}）") for r in regions
        ]
        cast(forms.ChoiceField, self.fields["scheme_code"]).choices = [("", _("全部认证制度")), *scheme_choices()]


class BatchForm(DomainForm):
    """The inputs of do_create_batch. The ratios start at the defaults of the plan's items (A halved, B as
    listed, C doubled, D quadrupled); left empty, the action takes the defaults of the items chosen."""

    name = forms.CharField(label=_("任务名称"), max_length=200)
    items = ItemChoiceField(
        label=_("抽查事项"),
        queryset=InspectionItem.objects.none(),
        widget=ItemCheckboxes,
        help_text=_("同一批次的事项须针对同一类对象，合并为一次检查"),
    )
    pool: forms.ModelChoiceField[TargetPool] = forms.ModelChoiceField(
        label=_("检查对象名录库"), queryset=None, empty_label=_("请选择")
    )
    ratio_a = forms.DecimalField(
        label=_("A类抽查比例（%）"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    ratio_b = forms.DecimalField(
        label=_("B类抽查比例（%）"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    ratio_c = forms.DecimalField(
        label=_("C类抽查比例（%）"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    ratio_d = forms.DecimalField(
        label=_("D类抽查比例（%）"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    count = forms.IntegerField(
        label=_("抽查户数"),
        required=False,
        min_value=1,
        help_text=_("填写后按总户数在各层间按比例分配；留空则按比例抽取"),
    )
    inspectors_per_target = forms.IntegerField(label=_("每户检查人员"), initial=2, min_value=1, max_value=10)
    own_county_rule = forms.BooleanField(label=_("本县（区）人员回避"), required=False)
    algorithm = forms.ChoiceField(label=_("抽取算法"), choices=Algorithm.choices, initial=Algorithm.SHA256)
    sources_described = forms.CharField(
        label=_("随机源"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个，须是公告之后才产生的公开数值，如“中国福利彩票双色球第2026138期开奖号码”"),
    )
    sources_available_at = forms.DateTimeField(
        label=_("随机源公布时间"), widget=DateTimeLocalInput(), help_text=_("须晚于公告时间；公布后才能录入数值并抽取")
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plan_items = plan.items.order_by("code")
        cast(ItemChoiceField, self.fields["items"]).queryset = plan_items
        cast("forms.ModelChoiceField[TargetPool]", self.fields["pool"]).queryset = queries.pools_for_plan(plan)
        for stratum, field in STRATA_FIELDS.items():
            self.fields[field].widget.attrs["data-stratum"] = stratum
        highest = max((item.default_ratio for item in plan_items), default=None)
        if highest is not None:
            for stratum, ratio in pools.default_ratios(highest).items():
                self.fields[STRATA_FIELDS[stratum]].initial = format(Decimal(ratio).normalize(), "f")

    def ratios(self) -> dict[str, str] | None:
        """The ratio per stratum as entered; None when all are empty (the action's defaults apply)."""
        values = {stratum: self.cleaned_data.get(field) for stratum, field in STRATA_FIELDS.items()}
        if all(value is None for value in values.values()):
            return None
        return {stratum: str(value if value is not None else 0) for stratum, value in values.items()}

    def sources(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["sources_described"].splitlines() if line.strip()]


class DrawForm(DomainForm):
    """One value per announced random source, in the order announced (the input of do_draw_batch)."""

    def __init__(self, *args: Any, batch: Batch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index, described in enumerate(batch.sources_described):
            self.fields[f"source_{index}"] = forms.CharField(
                label=described,
                max_length=500,
                required=False,
                help_text=_("按公布的数字填写，数字之间用空格分隔"),
            )
        self.DOMAIN_FIELDS = {f"sources[{i}]": f"source_{i}" for i in range(len(batch.sources_described))}

    def sources(self) -> list[str]:
        return [self.cleaned_data[name] for name in self.fields]


class ResultForm(DomainForm):
    """What an inspector found (the input of do_record_result)."""

    result = forms.ChoiceField(label=_("检查结果"), choices=[("", _("请选择")), *ResultCategory.choices])
    follow_up = forms.ChoiceField(label=_("后续处置"), choices=[("", _("请选择")), *FollowUp.choices])
    findings = forms.CharField(
        label=_("检查情况"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("发现问题时须写明"),
    )
    inspected_from = forms.DateField(label=_("检查开始日期"), widget=DateInput(), input_formats=["%Y-%m-%d"])
    inspected_until = forms.DateField(label=_("检查结束日期"), widget=DateInput(), input_formats=["%Y-%m-%d"])


class PublishForm(DomainForm):
    """Approve and publish a result (do_publish_result); past the deadline the reason is required."""

    note = forms.CharField(
        label=_("审核意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    late_reason = forms.CharField(
        label=_("逾期公示原因"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("已超过公示期限，须写明原因；结果将标注为逾期公示"),
    )

    def __init__(self, *args: Any, late: bool, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "publish")
        super().__init__(*args, **kwargs)
        if not late:
            del self.fields["late_reason"]

    def add_domain_errors(self, error: ValidationFailed | Conflict | NotPermitted) -> None:
        if "late_reason" not in self.fields and "late_reason" in getattr(error, "errors", {}):
            # The deadline passed while the page was open: ask for the reason now.
            self.fields["late_reason"] = copy.deepcopy(PublishForm.base_fields["late_reason"])
        super().add_domain_errors(error)


class ReturnForm(DomainForm):
    """Send a result back to its inspectors (do_return_result); the note says why."""

    note = forms.CharField(
        label=_("退回意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "return")
        super().__init__(*args, **kwargs)
