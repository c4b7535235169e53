"""Vocabularies of licensing (C8) and the application lifecycle as one table (docs/architecture.md
convention 3): the actions, the pages and the API read APPLICATION_TRANSITIONS, nothing else decides which
state may follow which."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LicenceType(models.TextChoices):
    """The licence types CertHub runs; their kinds, tracks and periods are data (licensing/data/procedures.json)."""

    CMA = "CMA", _("检验检测机构资质认定")
    PRODUCTION = "PRODUCTION", _("工业产品生产许可证")


class ApplicationKind(models.TextChoices):
    FIRST = "FIRST", _("首次申请")
    RENEWAL = "RENEWAL", _("延续")
    EXTENSION = "EXTENSION", _("扩项")
    CHANGE = "CHANGE", _("变更")
    REDUCTION = "REDUCTION", _("缩项")
    CANCELLATION = "CANCELLATION", _("注销")


class Track(models.TextChoices):
    GENERAL = "GENERAL", _("一般程序")
    COMMITMENT = "COMMITMENT", _("告知承诺")


class ApplicationState(models.TextChoices):
    SUBMITTED = "SUBMITTED", _("已提交，待受理")
    NOT_ACCEPTED = "NOT_ACCEPTED", _("不予受理")
    ACCEPTED = "ACCEPTED", _("已受理")
    UNDER_REVIEW = "UNDER_REVIEW", _("审查中")
    AWAITING_MATERIALS = "AWAITING_MATERIALS", _("待补充材料")
    AWAITING_OPINIONS = "AWAITING_OPINIONS", _("征求部门意见中")
    ONSITE_REVIEW = "ONSITE_REVIEW", _("现场评审")
    RECTIFICATION = "RECTIFICATION", _("整改中")
    REVIEW_CONCLUDED = "REVIEW_CONCLUDED", _("评审结束，待决定")
    GRANTED = "GRANTED", _("准予许可")
    REFUSED = "REFUSED", _("不予许可")
    WITHDRAWN = "WITHDRAWN", _("已撤回")


S = ApplicationState
# Which state may follow which. A decision is taken from review (document review only), after the
# review concluded, or once opinions are in; 告知承诺 goes from SUBMITTED straight to GRANTED.
APPLICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.ACCEPTED, S.NOT_ACCEPTED, S.GRANTED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.UNDER_REVIEW, S.WITHDRAWN}),
    S.UNDER_REVIEW: frozenset(
        {S.AWAITING_MATERIALS, S.AWAITING_OPINIONS, S.ONSITE_REVIEW, S.REVIEW_CONCLUDED, S.WITHDRAWN}
    ),
    S.AWAITING_MATERIALS: frozenset({S.UNDER_REVIEW, S.AWAITING_OPINIONS, S.WITHDRAWN}),
    S.AWAITING_OPINIONS: frozenset(
        {S.UNDER_REVIEW, S.AWAITING_MATERIALS, S.ONSITE_REVIEW, S.REVIEW_CONCLUDED, S.WITHDRAWN}
    ),
    S.ONSITE_REVIEW: frozenset({S.RECTIFICATION, S.REVIEW_CONCLUDED, S.WITHDRAWN}),
    S.RECTIFICATION: frozenset({S.REVIEW_CONCLUDED, S.WITHDRAWN}),
    S.REVIEW_CONCLUDED: frozenset({S.GRANTED, S.REFUSED, S.AWAITING_OPINIONS, S.WITHDRAWN}),
    S.NOT_ACCEPTED: frozenset(),
    S.GRANTED: frozenset(),
    S.REFUSED: frozenset(),
    S.WITHDRAWN: frozenset(),
}  # fmt: skip
OPEN_STATES: frozenset[str] = frozenset(state for state, after in APPLICATION_TRANSITIONS.items() if after)
CLOSED_STATES: frozenset[str] = frozenset(state for state, after in APPLICATION_TRANSITIONS.items() if not after)


class Step(models.TextChoices):
    """A step with a period: what a clock counts and what the due list names."""

    ACCEPTANCE = "ACCEPTANCE", _("受理")
    REVIEW = "REVIEW", _("技术评审")
    MATERIALS = "MATERIALS", _("补充材料")
    OPINION = "OPINION", _("部门意见")
    RECTIFICATION = "RECTIFICATION", _("整改")
    DECISION = "DECISION", _("许可决定")
    CERTIFICATE = "CERTIFICATE", _("颁发证书")
    POST_CHECK = "POST_CHECK", _("告知承诺核查")


class PauseReason(models.TextChoices):
    """Why a statutory clock stands still: the time is the applicant's or the experts', not the authority's."""

    MATERIALS = "MATERIALS", _("申请人补充材料")
    RECTIFICATION = "RECTIFICATION", _("申请人整改")
    OPINIONS = "OPINIONS", _("征求部门意见")


class OnSiteOutcome(models.TextChoices):
    PASSED = "PASSED", _("通过")
    RECTIFICATION = "RECTIFICATION", _("需整改")
    FAILED = "FAILED", _("不通过")


class Decision(models.TextChoices):
    GRANT = "GRANT", _("准予许可")
    REFUSE = "REFUSE", _("不予许可")


class LicenceStatus(models.TextChoices):
    ACTIVE = "ACTIVE", _("有效")
    SUSPENDED = "SUSPENDED", _("暂停")
    REVOKED = "REVOKED", _("撤销")
    CLOSED = "CLOSED", _("注销")


class CheckOutcome(models.TextChoices):
    CONFIRMED = "CONFIRMED", _("承诺属实")
    FALSE_COMMITMENT = "FALSE_COMMITMENT", _("承诺不实")


class MaterialKind(models.TextChoices):
    PDF = "pdf", "PDF"
    PNG = "png", "PNG"
    JPEG = "jpeg", "JPEG"
