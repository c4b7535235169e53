"""Complaints and tip-offs from the public (C10, 社会监督): what was filed and about whom, the department of the
region that handles it, its statutory clock, its evidence files and its history. The query code that lets the
complainant follow it is kept only as a salted hash; the contact details are never shown outside the back
office (docs/architecture.md invariant 3). Rows change only through complaints.actions."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certhub.complaints.choices import ComplaintKind, ComplaintState, ComplaintStep
from certhub.core.regulated import RegulatedModel
from certhub.registry.choices import GradedSubject
from certhub.registry.models import Certificate, CertificationBody, Lab, Organization


class Complaint(RegulatedModel):
    """One complaint or tip-off. The subject is what the person wrote (a certificate number, a name or credit
    code of an enterprise, shop, lab or certification body, a product) and, where the registry knows it, the
    records it was matched to; `region_code` is the region whose department handles it (the subject's, or
    where it happened). `due_on` is the running statutory period's last day, kept on the row so that the due
    list is one index range; forwarding changes the region, never the clock."""

    number = models.CharField(_("受理编号"), max_length=32, unique=True)
    kind = models.CharField(_("类型"), max_length=12, choices=ComplaintKind.choices)
    state = models.CharField(_("状态"), max_length=20, choices=ComplaintState.choices, default=ComplaintState.RECEIVED)
    query_code_hash = models.CharField(_("查询码（散列）"), max_length=128)
    certificate_number = models.CharField(_("证书编号"), max_length=64, blank=True)
    subject_name = models.CharField(_("被投诉举报对象"), max_length=200, blank=True)
    product = models.CharField(_("产品"), max_length=200, blank=True)
    subject_type = models.CharField(_("对象类型"), max_length=24, choices=GradedSubject.choices, blank=True)
    organization = models.ForeignKey(
        Organization, verbose_name=_("机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lab = models.ForeignKey(
        Lab, verbose_name=_("检验检测机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    certification_body = models.ForeignKey(
        CertificationBody,
        verbose_name=_("认证机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    certificate = models.ForeignKey(
        Certificate, verbose_name=_("证书"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("承办地区"), max_length=6, db_index=True)
    department = models.CharField(_("承办部门"), max_length=64)
    text = models.TextField(_("投诉举报内容"))
    wants_reply = models.BooleanField(_("需要答复"), default=False)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    contact_email = models.EmailField(_("电子邮件"), max_length=120, blank=True)
    received_at = models.DateTimeField(_("收到时间"), default=timezone.now)
    received_on = models.DateField(_("收到日期"))
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    due_step = models.CharField(_("期限事项"), max_length=16, choices=ComplaintStep.choices, blank=True)
    due_on = models.DateField(_("期限"), null=True, blank=True)
    due_provisional = models.BooleanField(_("期限待节假日安排确认"), default=False)
    extended = models.BooleanField(_("已延长核查期限"), default=False)
    concluded_on = models.DateField(_("办结日期"), null=True, blank=True)
    outcome_note = models.TextField(_("处理结果"), blank=True)
    reminded_on = models.DateField(_("期限提醒日期"), null=True, blank=True)
    # The same subject with the same text: sha256 of both, normalized (duplicate detection).
    duplicate_key = models.CharField(_("重复判定键"), max_length=64, db_index=True)
    # A keyed hash of the filing address, for the per-address daily limit: never the address itself.
    address_digest = models.CharField(_("来源地址（散列）"), max_length=64, blank=True, db_index=True)
    # The proof of work's salt, once: a solved challenge files one complaint only.
    proof_salt = models.CharField(_("工作量证明"), max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-received_at", "id"]
        verbose_name = _("投诉举报")
        verbose_name_plural = _("投诉举报")
        indexes = [
            # The officers' due list: open deadlines in day order, narrowed by region.
            models.Index(
                fields=["due_on", "region_code"], name="complaint_due", condition=models.Q(due_on__isnull=False)
            ),
            models.Index(fields=["organization", "state"], name="complaint_organization"),
            models.Index(fields=["lab", "state"], name="complaint_lab"),
        ]

    def __str__(self) -> str:
        return self.number


class ComplaintEvent(RegulatedModel):
    """One step of a complaint (提交, 受理, 移送, 办结 …). `public` steps and their notes are what the
    complainant sees with the query code; the others are the officers' only."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("投诉举报"), on_delete=models.PROTECT, related_name="events"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    on = models.DateField(_("日期"))
    step = models.CharField(_("环节"), max_length=16, choices=ComplaintStep.choices)
    from_state = models.CharField(_("原状态"), max_length=20, choices=ComplaintState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=ComplaintState.choices, blank=True)
    from_region = models.CharField(_("原承办地区"), max_length=6, blank=True)
    to_region = models.CharField(_("新承办地区"), max_length=6, blank=True)
    note = models.TextField(_("说明"), blank=True)
    public = models.BooleanField(_("投诉举报人可见"), default=True)
    actor_label = models.CharField(_("办理人"), max_length=150, blank=True)

    class Meta:
        ordering = ["complaint_id", "at", "id"]
        verbose_name = _("投诉举报办理记录")
        verbose_name_plural = _("投诉举报办理记录")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.step}"


class Evidence(RegulatedModel):
    """An evidence file (image or PDF) as stored: checked by its content, an image re-encoded without its
    metadata, kept under its SHA-256 (core.uploads)."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("投诉举报"), on_delete=models.PROTECT, related_name="evidence"
    )
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        ordering = ["complaint_id", "id"]
        verbose_name = _("证据材料")
        verbose_name_plural = _("证据材料")

    def __str__(self) -> str:
        return self.name
