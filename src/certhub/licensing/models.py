"""Licensing records (C8): applications with their history and statutory clocks, departmental opinions
asked in parallel, requests for materials and the files answering them, the on-site review, the licences
granted and the post-approval checks of 告知承诺 (the bars a revocation brings are the registry's bans,
registry.Ban). Rows change only through licensing.actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certhub.core.regulated import RegulatedModel
from certhub.licensing.choices import (
    ApplicationKind,
    ApplicationState,
    CheckOutcome,
    LicenceStatus,
    LicenceType,
    MaterialKind,
    OnSiteOutcome,
    PauseReason,
    Step,
    Track,
)
from certhub.registry.models import Lab, Organization


class Application(RegulatedModel):
    """One application for a licence, from submission to decision. `particulars` is what is applied for
    (CMA: the lab's name, address, key people, scope rows and signatories, ID numbers only as keyed
    digests; production: the products and their models). `next_due_on`/`next_due_step` are the earliest
    running deadline of the case, kept by every action, so that the officers' due list is one index range."""

    number = models.CharField(_("申请编号"), max_length=32, unique=True)
    licence_type = models.CharField(_("许可类型"), max_length=16, choices=LicenceType.choices)
    kind = models.CharField(_("申请类型"), max_length=16, choices=ApplicationKind.choices)
    track = models.CharField(_("审批程序"), max_length=12, choices=Track.choices)
    state = models.CharField(
        _("状态"), max_length=20, choices=ApplicationState.choices, default=ApplicationState.SUBMITTED
    )
    applicant = models.ForeignKey(
        Organization, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="licence_applications"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lab = models.ForeignKey(
        Lab,
        verbose_name=_("检验检测机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="licence_applications",
    )
    licence = models.ForeignKey(
        "Licence",
        verbose_name=_("所涉许可证"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        help_text=_("延续、变更、扩项、缩项、注销所涉的许可证"),
    )
    region_code = models.CharField(_("所在地区"), max_length=6, db_index=True)
    particulars = models.JSONField(_("申请事项"), default=dict)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    submitted_on = models.DateField(_("提交日期"))
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    review_concluded_on = models.DateField(_("评审结论日期"), null=True, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decision_number = models.CharField(_("许可决定书编号"), max_length=64, blank=True)
    refusal_reasons = models.TextField(_("不予受理或不予许可的理由"), blank=True)
    commitment_text = models.TextField(_("告知承诺书"), blank=True)
    commitment_signed_at = models.DateTimeField(_("承诺签署时间"), null=True, blank=True)
    next_due_on = models.DateField(_("下一期限"), null=True, blank=True)
    next_due_step = models.CharField(_("下一期限事项"), max_length=16, choices=Step.choices, blank=True)
    next_due_provisional = models.BooleanField(_("期限待节假日安排确认"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "id"]
        verbose_name = _("许可申请")
        verbose_name_plural = _("许可申请")
        indexes = [
            # The officers' due list: open deadlines in day order, narrowed by region.
            models.Index(
                fields=["next_due_on", "region_code"],
                name="application_due",
                condition=models.Q(next_due_on__isnull=False),
            ),
            models.Index(fields=["applicant", "state"], name="application_applicant"),
        ]

    def __str__(self) -> str:
        return self.number


class ApplicationEvent(RegulatedModel):
    """One step of a case as the applicant and the officers see it (受理, 补正, 意见, 评审, 决定 …)."""

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="events"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    on = models.DateField(_("日期"))
    step = models.CharField(_("环节"), max_length=32)
    from_state = models.CharField(_("原状态"), max_length=20, choices=ApplicationState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=ApplicationState.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    actor_label = models.CharField(_("办理人"), max_length=150, blank=True)

    class Meta:
        ordering = ["application_id", "at", "id"]
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")

    def __str__(self) -> str:
        return f"{self.application_id} {self.step}"


class Clock(RegulatedModel):
    """A statutory period running on a case: `working_days` from `started_on`, due `due_on` (moved on by
    the working days of each pause), done on `stopped_on`."""

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="clocks"
    )
    step = models.CharField(_("环节"), max_length=16, choices=Step.choices)
    working_days = models.PositiveSmallIntegerField(_("时限（工作日）"))
    started_on = models.DateField(_("起算日期"))
    due_on = models.DateField(_("期限"))
    provisional = models.BooleanField(_("期限待节假日安排确认"), default=False)
    paused_since = models.DateField(_("暂停起始日期"), null=True, blank=True)
    stopped_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        ordering = ["application_id", "started_on", "id"]
        verbose_name = _("法定时限")
        verbose_name_plural = _("法定时限")

    def __str__(self) -> str:
        return f"{self.application_id} {self.step} {self.due_on}"


class ClockPause(RegulatedModel):
    """A stretch during which a clock stood still, and why."""

    clock = models.ForeignKey(Clock, verbose_name=_("时限"), on_delete=models.PROTECT, related_name="pauses")
    reason = models.CharField(_("原因"), max_length=16, choices=PauseReason.choices)
    started_on = models.DateField(_("起始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    working_days = models.PositiveSmallIntegerField(_("暂停工作日"), null=True, blank=True)

    class Meta:
        ordering = ["clock_id", "started_on", "id"]
        verbose_name = _("时限暂停")
        verbose_name_plural = _("时限暂停")

    def __str__(self) -> str:
        return f"{self.clock_id} {self.reason} {self.started_on}"


class OpinionRequest(RegulatedModel):
    """A department asked for its opinion (并联审批); several run at once and the decision waits for all."""

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="opinion_requests"
    )
    department = models.CharField(_("部门"), max_length=64)
    requested_on = models.DateField(_("征求日期"))
    due_on = models.DateField(_("答复期限"))
    provisional = models.BooleanField(_("期限待节假日安排确认"), default=False)
    question = models.TextField(_("征求事项"), blank=True)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    agrees = models.BooleanField(_("同意"), null=True, blank=True)
    text = models.TextField(_("意见"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["application_id", "requested_on", "department", "id"]
        verbose_name = _("部门意见")
        verbose_name_plural = _("部门意见")
        indexes = [models.Index(fields=["department", "answered_on"], name="opinion_department")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.department}"


class MaterialRequest(RegulatedModel):
    """A request for more documents (一次性告知补正): what is asked, and when it was answered."""

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="material_requests"
    )
    items = models.TextField(_("需补充的材料"))
    requested_on = models.DateField(_("通知日期"))
    due_on = models.DateField(_("补充期限"))
    answered_on = models.DateField(_("补充日期"), null=True, blank=True)
    answer_note = models.TextField(_("补充说明"), blank=True)

    class Meta:
        ordering = ["application_id", "requested_on", "id"]
        verbose_name = _("补充材料通知")
        verbose_name_plural = _("补充材料通知")

    def __str__(self) -> str:
        return f"{self.application_id} {self.requested_on}"


class Material(RegulatedModel):
    """An uploaded document, checked by content and stored by its SHA-256 (the bytes are not in the table)."""

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="materials"
    )
    request = models.ForeignKey(
        MaterialRequest,
        verbose_name=_("补充材料通知"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="materials",
    )
    name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=8, choices=MaterialKind.choices)
    content_type = models.CharField(_("媒体类型"), max_length=64)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    storage_key = models.CharField(_("存储位置"), max_length=200)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["application_id", "uploaded_at", "id"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")

    def __str__(self) -> str:
        return self.name


class OnSiteReview(RegulatedModel):
    """The on-site review of a case (at most one; 只跑一次), with its rectification period."""

    application = models.OneToOneField(
        Application, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="onsite_review"
    )
    scheduled_on = models.DateField(_("评审日期"))
    reviewers = models.CharField(_("评审组"), max_length=300, blank=True)
    concluded_on = models.DateField(_("结论日期"), null=True, blank=True)
    outcome = models.CharField(_("结论"), max_length=16, choices=OnSiteOutcome.choices, blank=True)
    findings = models.TextField(_("评审发现"), blank=True)
    rectification_days = models.PositiveSmallIntegerField(_("整改期限（工作日）"), null=True, blank=True)
    rectification_due_on = models.DateField(_("整改期限"), null=True, blank=True)
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    rectification_passed = models.BooleanField(_("整改通过"), null=True, blank=True)

    class Meta:
        verbose_name = _("现场评审")
        verbose_name_plural = _("现场评审")

    def __str__(self) -> str:
        return f"{self.application_id} {self.scheduled_on}"


class Licence(RegulatedModel):
    """A licence granted (a CMA qualification certificate or a production licence), with its electronic
    seal payload."""

    number = models.CharField(_("证书编号"), max_length=32, unique=True)
    licence_type = models.CharField(_("许可类型"), max_length=16, choices=LicenceType.choices)
    holder = models.ForeignKey(
        Organization, verbose_name=_("持证人"), on_delete=models.PROTECT, related_name="licences"
    )
    holder_name = models.CharField(_("持证人名称"), max_length=200)
    lab = models.ForeignKey(
        Lab, verbose_name=_("检验检测机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="licences"
    )
    region_code = models.CharField(_("所在地区"), max_length=6, db_index=True)
    valid_from = models.DateField(_("发证日期"))
    valid_until = models.DateField(_("有效期至"))
    status = models.CharField(_("状态"), max_length=12, choices=LicenceStatus.choices, default=LicenceStatus.ACTIVE)
    status_changed_on = models.DateField(_("状态日期"))
    status_reason = models.TextField(_("状态原因"), blank=True)
    scope = models.JSONField(_("许可范围"), default=list)
    granted_by = models.ForeignKey(
        Application, verbose_name=_("许可申请"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_number = models.CharField(_("许可决定书编号"), max_length=64)
    seal = models.TextField(_("电子签章"), blank=True)

    class Meta:
        ordering = ["-valid_from", "id"]
        verbose_name = _("许可证")
        verbose_name_plural = _("许可证")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gt=models.F("valid_from")),
                name="licence_valid_after_issue",
                violation_error_message=_("有效期须晚于发证日期"),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class PostApprovalCheck(RegulatedModel):
    """The check after a 告知承诺 grant that the commitment was true, due within the configured period."""

    licence = models.ForeignKey(Licence, verbose_name=_("许可证"), on_delete=models.PROTECT, related_name="checks")
    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="post_checks"
    )
    due_on = models.DateField(_("核查期限"))
    done_on = models.DateField(_("核查日期"), null=True, blank=True)
    outcome = models.CharField(_("核查结论"), max_length=16, choices=CheckOutcome.choices, blank=True)
    note = models.TextField(_("核查说明"), blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("告知承诺核查")
        verbose_name_plural = _("告知承诺核查")

    def __str__(self) -> str:
        return f"{self.licence_id} {self.due_on}"
