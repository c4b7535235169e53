"""双随机、一公开 (C5): one list, two pools, one set of rules (一单两库一细则).

The item list (InspectionItem), the target pools as saved filters over the registries (TargetPool), the
inspector pool (Inspector), annual plans (Plan) executed in batches (Batch), each batch a publicly
verifiable draw, and the per-target tasks (Task) with their inspectors and results. Rows change only
through inspections.actions."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from certhub.core.models import Region, User
from certhub.core.regulated import RegulatedModel
from certhub.inspections.choices import (
    Algorithm,
    BatchStatus,
    FollowUp,
    PlanStatus,
    ResultCategory,
    TargetType,
    TaskStatus,
)
from certhub.registry.models import Organization, Person, Scheme

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class InspectionItem(RegulatedModel):
    """One line of the inspection-item list (抽查事项清单): what is checked, by whom, on what legal basis,
    of which kind of target, how, and at what default ratio and frequency. An item with other departments
    is inspected jointly (联合抽查)."""

    code = models.CharField(_("事项编码"), max_length=32, unique=True)
    name = models.CharField(_("抽查事项"), max_length=200)
    department = models.CharField(_("实施部门"), max_length=64)
    joint_departments = models.JSONField(_("联合抽查部门"), default=list, blank=True)
    legal_basis = models.TextField(_("抽查依据"))
    target_type = models.CharField(_("抽查对象类型"), max_length=24, choices=TargetType.choices)
    method = models.CharField(_("抽查方式"), max_length=100)
    default_ratio = models.DecimalField(_("默认抽查比例（%）"), max_digits=5, decimal_places=2, validators=PERCENT)
    frequency = models.PositiveSmallIntegerField(_("抽查频次（次/年）"), default=1)
    inspector_requirements = models.CharField(_("检查人员要求"), max_length=200, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("发布地区"), on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("抽查事项")
        verbose_name_plural = _("抽查事项清单")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(default_ratio__gt=0, default_ratio__lte=100),
                name="inspectionitem_ratio_range",
                violation_error_message=_("默认抽查比例应大于0且不超过100"),
            ),
            models.CheckConstraint(
                condition=models.Q(frequency__gte=1),
                name="inspectionitem_frequency_positive",
                violation_error_message=_("抽查频次至少每年1次"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def departments(self) -> list[str]:
        return [self.department, *[d for d in self.joint_departments if d != self.department]]


class TargetPool(RegulatedModel):
    """A target pool (检查对象名录库) as a saved filter over a registry; a batch freezes it into a snapshot."""

    name = models.CharField(_("名称"), max_length=200)
    target_type = models.CharField(_("对象类型"), max_length=24, choices=TargetType.choices)
    region = models.ForeignKey(Region, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+")
    industry_section = models.CharField(_("行业门类"), max_length=1, blank=True)
    scheme = models.ForeignKey(
        Scheme, verbose_name=_("认证制度"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    above_designated_size = models.BooleanField(_("仅规模以上工业企业"), default=False)
    grades = models.JSONField(_("风险等级"), default=list, blank=True, help_text=_("为空表示全部等级"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("检查对象名录库")
        verbose_name_plural = _("检查对象名录库")

    def __str__(self) -> str:
        return self.name


class Inspector(RegulatedModel):
    """A member of the inspector pool (执法检查人员名录库): a law-enforcement officer with a department,
    a posting, the kinds of target they are qualified for, availability, and declared conflicts
    (organizations by credit code). `person` ties them to the person registry, whose employment history
    adds past-employment conflicts; `user` is their sign-in, with which they record results."""

    code = models.CharField(_("执法证号"), max_length=32, unique=True)
    name = models.CharField(_("姓名"), max_length=64)
    department = models.CharField(_("部门"), max_length=64)
    region = models.ForeignKey(Region, verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="+")
    qualifications = models.JSONField(_("可检查对象类型"), default=list)
    available = models.BooleanField(_("可参加抽查"), default=True)
    declared_conflicts = models.JSONField(
        _("申报的利害关系"), default=list, blank=True, help_text=_("统一社会信用代码列表")
    )
    person = models.OneToOneField(
        Person, verbose_name=_("人员"), null=True, blank=True, on_delete=models.PROTECT, related_name="inspector"
    )
    user = models.OneToOneField(
        User, verbose_name=_("登录账号"), null=True, blank=True, on_delete=models.PROTECT, related_name="inspector"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("执法检查人员")
        verbose_name_plural = _("执法检查人员名录库")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def qualification_labels(self) -> list[str]:
        return [str(t.label) for t in TargetType if t.value in self.qualifications]


class Plan(RegulatedModel):
    """An annual inspection plan (抽查计划) of a province, prefecture or county, executed in batches."""

    number = models.CharField(_("计划编号"), max_length=32, unique=True)
    title = models.CharField(_("计划名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    region = models.ForeignKey(Region, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+")
    department = models.CharField(_("牵头部门"), max_length=64)
    items = models.ManyToManyField(InspectionItem, verbose_name=_("抽查事项"), related_name="plans")
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("公告时间"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "number"]
        verbose_name = _("抽查计划")
        verbose_name_plural = _("抽查计划")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def ledger_public_id(self) -> str:
        return self.number


class Batch(RegulatedModel):
    """One batch of a plan (抽查任务): its items are inspected together, in one visit per target (joint
    when they belong to several departments or fall due in the same quarter). Announcing it freezes both
    pools, publishes their Merkle roots, the counts per risk stratum and the public random sources that
    will seed it, and records all of that in the ledger; the draw follows once the sources are out."""

    plan = models.ForeignKey(Plan, verbose_name=_("抽查计划"), on_delete=models.PROTECT, related_name="batches")
    number = models.CharField(_("任务编号"), max_length=40, unique=True)
    name = models.CharField(_("任务名称"), max_length=200)
    items = models.ManyToManyField(InspectionItem, verbose_name=_("抽查事项"), related_name="batches")
    pool = models.ForeignKey(
        TargetPool, verbose_name=_("检查对象名录库"), on_delete=models.PROTECT, related_name="batches"
    )
    ratios = models.JSONField(_("分层抽查比例（%）"), default=dict)
    count = models.PositiveIntegerField(_("抽查户数"), null=True, blank=True)
    inspectors_per_target = models.PositiveSmallIntegerField(_("每户检查人员"), default=2)
    own_county_rule = models.BooleanField(_("本县（区）人员回避"), default=False)
    algorithm = models.CharField(_("抽取算法"), max_length=12, choices=Algorithm.choices, default=Algorithm.SHA256)
    sources_described = models.JSONField(_("随机源"), default=list)
    sources_available_at = models.DateTimeField(_("随机源公布时间"))
    status = models.CharField(_("状态"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.DRAFT)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # Set when the batch is announced (do_commit_batch):
    committed_at = models.DateTimeField(_("公告时间"), null=True, blank=True)
    commitment = models.JSONField(_("承诺内容"), null=True, blank=True)
    snapshot = models.BinaryField(_("名录库快照"), null=True, blank=True)
    # Set by the draw (do_draw_batch):
    sources = models.JSONField(_("随机源数值"), default=list, blank=True)
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)

    class Meta:
        ordering = ["plan_id", "number"]
        verbose_name = _("抽查任务")
        verbose_name_plural = _("抽查任务")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(inspectors_per_target__gte=2),
                name="batch_two_inspectors",
                violation_error_message=_("每户至少两名检查人员"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def ledger_public_id(self) -> str:
        return self.number


class Task(RegulatedModel):
    """One drawn target of a batch: its inspectors record the result (谁检查、谁录入), a reviewer publishes
    it or sends it back (谁公示). Within 20 working days of the inspection's end it must be public."""

    # No index of their own for batch and organization: task_sequence_unique and task_organization_published
    # begin with them (a draw writes tens of thousands of tasks; every index costs it).
    batch = models.ForeignKey(
        Batch, verbose_name=_("抽查任务"), on_delete=models.PROTECT, related_name="tasks", db_index=False
    )
    sequence = models.PositiveIntegerField(_("抽取顺序"))
    stratum = models.CharField(_("抽取层"), max_length=1)
    target_type = models.CharField(_("对象类型"), max_length=24, choices=TargetType.choices)
    target_key = models.CharField(_("对象标识"), max_length=80)
    target_name = models.CharField(_("对象名称"), max_length=200)
    target_region = models.CharField(_("对象所在地区"), max_length=6)
    organization = models.ForeignKey(
        Organization, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="inspection_tasks", db_index=False
    )
    inspectors = models.ManyToManyField(
        Inspector, verbose_name=_("检查人员"), through="TaskInspector", related_name="tasks"
    )
    status = models.CharField(_("状态"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.ASSIGNED)
    result = models.CharField(_("检查结果"), max_length=16, choices=ResultCategory.choices, blank=True)
    follow_up = models.CharField(_("后续处置"), max_length=16, choices=FollowUp.choices, blank=True)
    findings = models.TextField(_("检查情况"), blank=True)
    inspected_from = models.DateField(_("检查开始日期"), null=True, blank=True)
    inspected_until = models.DateField(_("检查结束日期"), null=True, blank=True)
    deadline = models.DateField(_("公示期限"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        Inspector, verbose_name=_("录入人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("录入时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.CharField(_("审核人"), max_length=150, blank=True)
    published_on = models.DateField(_("公示日期"), null=True, blank=True)
    late_reason = models.TextField(_("逾期公示说明"), blank=True)

    class Meta:
        ordering = ["batch_id", "sequence"]
        verbose_name = _("检查对象任务")
        verbose_name_plural = _("检查对象任务")
        indexes = [
            models.Index(fields=["organization", "published_on"], name="task_organization_published"),
            models.Index(fields=["status", "deadline"], name="task_status_deadline"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "sequence"],
                name="task_sequence_unique",
                violation_error_message=_("同一抽查任务内抽取顺序不能重复"),
            ),
            models.UniqueConstraint(
                fields=["batch", "target_key"],
                name="task_target_once_per_batch",
                violation_error_message=_("同一对象在一个抽查任务中只能抽中一次"),
            ),
            models.CheckConstraint(
                condition=models.Q(inspected_until__isnull=True)
                | models.Q(inspected_from__isnull=True)
                | models.Q(inspected_until__gte=models.F("inspected_from")),
                name="task_inspection_dates_order",
                violation_error_message=_("检查结束日期不得早于开始日期"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}#{self.sequence} {self.target_name}"

    @property
    def published_late(self) -> bool:
        return self.published_on is not None and self.deadline is not None and self.published_on > self.deadline


class TaskInspector(RegulatedModel):
    """An inspector on a task, in the order drawn; the first is the team leader. (`task` has no index of
    its own: taskinspector_once begins with it.)"""

    task = models.ForeignKey(
        Task, verbose_name=_("检查对象任务"), on_delete=models.PROTECT, related_name="assignments", db_index=False
    )
    inspector = models.ForeignKey(
        Inspector, verbose_name=_("检查人员"), on_delete=models.PROTECT, related_name="assignments"
    )
    slot = models.PositiveSmallIntegerField(_("序号"))

    class Meta:
        ordering = ["task_id", "slot"]
        verbose_name = _("检查人员分派")
        verbose_name_plural = _("检查人员分派")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "inspector"],
                name="taskinspector_once",
                violation_error_message=_("同一人员不能重复分派到同一对象"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.inspector_id}"
