"""Actions on complaints and tip-offs (C10, 社会监督; 市场监督管理投诉举报处理暂行办法): anyone files one — with
a subject or words, evidence files checked and stripped of metadata, abuse kept out by a proof of work, a
daily limit per address and refusal of the same subject and text again within days — and receives a tracking
number and a query code; the officers of the handling region accept or refuse it, forward it to another
region (the clock kept), extend a tip-off's check once, and conclude it (mediated, substantiated, not
substantiated); reminders go to the officers as a period nears its end. Every change writes its history row,
the complainant's view of it, and one audit row; mail leaves only after the commit."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.complaints import periods, queries
from certhub.complaints.choices import (
    COMPLAINT_ONLY_OUTCOMES,
    COMPLAINT_TRANSITIONS,
    OPEN_STATES,
    ComplaintKind,
    ComplaintState,
    ComplaintStep,
)
from certhub.complaints.evidence import checked_evidence
from certhub.complaints.models import Complaint, ComplaintEvent, Evidence
from certhub.complaints.subjects import match_subject
from certhub.core.actors import SYSTEM, Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.middleware import NulCharacterMiddleware
from certhub.core.models import Region
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action, action_step
from certhub.core.uploads import store_upload
from certhub.core.validation import normalize_text
from certhub.core.workdays import add_working_days
from certhub.registry.queries.name_matching import normalize_name

S = ComplaintState
TEXT_MAX = 2000
NOTE_MAX = 2000
# Tracking numbers: TS, the day, six random digits. Query codes: eight characters from an alphabet without
# the look-alikes (0/O, 1/I/L), about 40 bits — guessing is further held back by the look-up's rate limit.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
PHONE = re.compile(r"[0-9+()\- ]{5,20}")
# The fields the audit row keeps: never the text, the contact details or the query code's hash.
AUDIT_FIELDS = ["number", "kind", "state", "subject_type", "organization", "lab", "certification_body",
                "certificate", "region_code", "department", "received_on", "accepted_on", "due_step", "due_on",
                "extended", "concluded_on"]  # fmt: skip


def today() -> datetime.date:
    return timezone.localdate()


def address_digest(address: str) -> str:
    """A keyed hash of a client address: enough to count its filings, nothing to read the address back."""
    if not address:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), f"complaint-address:{address}".encode(), hashlib.sha256).hexdigest()


def duplicate_key(certificate_number: str, subject_name: str, product: str, text: str) -> str:
    """The same subject and the same words, whatever the spacing, punctuation and letter case."""
    parts = [normalize_name(p) for p in (certificate_number, subject_name, product, text)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _new_number(on: datetime.date) -> str:
    while True:
        number = f"TS{on:%Y%m%d}{secrets.randbelow(10**6):06d}"
        if not Complaint.objects.filter(number=number).exists():
            return number


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _state(complaint: Complaint) -> dict[str, object]:
    return snapshot(complaint, AUDIT_FIELDS)


@action_step
def _event(
    complaint: Complaint,
    step: str,
    *,
    actor: Actor,
    on: datetime.date,
    from_state: str = "",
    note: str = "",
    public: bool = True,
    from_region: str = "",
    to_region: str = "",
) -> ComplaintEvent:
    event = ComplaintEvent(
        complaint=complaint,
        on=on,
        step=step,
        from_state=from_state or complaint.state,
        to_state=complaint.state,
        from_region=from_region,
        to_region=to_region,
        note=note,
        public=public,
        actor_label=actor.label,
    )
    event.save()
    return event


def _check_contact(
    wants_reply: bool, name: str, phone: str, email: str, errors: dict[str, list[str]]
) -> tuple[str, str, str]:
    name, phone, email = (normalize_text(v)[:200] for v in (name, phone, email))
    if len(name) > 50:
        errors["contact_name"] = [_("联系人不超过50字")]
    if phone and not PHONE.fullmatch(phone):
        errors["contact_phone"] = [_("联系电话只能包含数字、空格和+-()，5到20位")]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["contact_email"] = [_("电子邮件地址格式不正确")]
        if len(email) > 120:
            errors["contact_email"] = [_("电子邮件地址不超过120个字符")]
    if wants_reply and not phone and not email:
        errors["contact_phone"] = [_("需要答复时，请留下联系电话或电子邮件")]
    return name, phone, email


@action
def do_file_complaint(
    *,
    kind: str,
    text: str,
    certificate_number: str = "",
    subject_name: str = "",
    product: str = "",
    region_code: str = "",
    wants_reply: bool = False,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    evidence: Sequence[tuple[str, bytes]] = (),
    address: str = "",
    proof_salt: str = "",
    actor: Actor,
) -> tuple[Complaint, str]:
    """File a complaint or tip-off; returns it and its query code in clear (shown once, stored hashed). The
    subject (at least one of certificate number, name, product) and what happened are both needed; the
    subject is matched to the registry and its region's department handles it, or the region given when
    the registry does not know it. Refused, with nothing written: a missing or overlong field, a wrong
    contact, an evidence file that is not what it claims or too large, the same subject and text within
    the duplicate window, an address past its daily limit, a proof of work spent already."""
    authorize(actor, Permission.FILE_COMPLAINT)
    on = today()
    errors: dict[str, list[str]] = {}
    if kind not in ComplaintKind.values:
        errors["kind"] = [_("请选择投诉或举报")]
    certificate_number, subject_name, product = (normalize_text(v) for v in (certificate_number, subject_name, product))
    text = (text or "").strip()
    # PostgreSQL can neither store nor compare a NUL character (as core.middleware refuses in parameters).
    for field, value in (
        ("certificate_number", certificate_number),
        ("subject_name", subject_name),
        ("product", product),
        ("text", text),
        ("contact_name", contact_name),
        ("contact_phone", contact_phone),
        ("contact_email", contact_email),
        ("region_code", region_code),
    ):
        if "\x00" in (value or ""):
            errors[field] = [NulCharacterMiddleware.MESSAGE]
    if errors:
        raise ValidationFailed(errors)
    for field, value, limit in (
        ("certificate_number", certificate_number, 64),
        ("subject_name", subject_name, 200),
        ("product", product, 200),
        ("text", text, TEXT_MAX),
    ):
        if len(value) > limit:
            errors[field] = [_("不超过%(max)d字，收到%(count)d字") % {"max": limit, "count": len(value)}]
    if not (certificate_number or subject_name or product):
        errors["subject"] = [_("请填写投诉举报对象：证书编号、企业（店铺）或机构名称、产品，至少一项")]
    if not text:
        errors["text"] = [_("请说明发生了什么")]
    contact_name, contact_phone, contact_email = _check_contact(
        wants_reply, contact_name, contact_phone, contact_email, errors
    )
    subject = match_subject(certificate_number, subject_name) if not errors.get("subject") else None
    region = subject.region_code if subject is not None and subject.region_code else (region_code or "").strip()
    if subject is not None and not region:
        errors.setdefault("region_code", []).append(
            _("登记库中没有找到投诉举报对象，请选择事发地所在地区，以便转交当地市场监管部门")
        )
    elif region and not Region.objects.filter(code=region).exists():
        errors.setdefault("region_code", []).append(_("未知的行政区划代码“%(code)s”") % {"code": region[:12]})
    try:
        files = checked_evidence(evidence)
    except ValidationFailed as failed:
        errors.update(failed.errors)
        files = []
    if errors:
        raise ValidationFailed(errors)
    key = duplicate_key(certificate_number, subject_name, product, text)
    window = periods.duplicate_days()
    if Complaint.objects.filter(duplicate_key=key, received_on__gt=on - datetime.timedelta(days=window)).exists():
        raise ValidationFailed(
            {
                "text": [
                    _(
                        "%(days)d日内已有对同一对象、内容相同的投诉举报，不再重复受理；"
                        "请用当时取得的受理编号和查询码查询办理进度"
                    )
                    % {"days": window}
                ]
            },
            code="duplicate",
        )
    digest = address_digest(address)
    limit = int(settings.CERTHUB_COMPLAINT_DAILY_LIMIT)
    if digest and queries.filed_since(digest, timezone.now() - datetime.timedelta(days=1)) >= limit:
        raise ValidationFailed(
            {"": [_("同一网络地址24小时内最多提交%(limit)d件投诉举报，请明天再提交") % {"limit": limit}]},
            code="rate_limited",
        )
    if proof_salt and Complaint.objects.filter(proof_salt=proof_salt).exists():
        raise ValidationFailed({"proof": [_("人机验证已使用过，请刷新页面后重新提交")]}, code="proof_of_work")
    assert subject is not None
    code = _new_code()
    complaint = Complaint(
        number=_new_number(on),
        kind=kind,
        query_code_hash=make_password(code),
        certificate_number=certificate_number,
        subject_name=subject_name,
        product=product,
        subject_type=subject.subject_type,
        organization=subject.organization,
        lab=subject.lab,
        certification_body=subject.certification_body,
        certificate=subject.certificate,
        region_code=region,
        department=periods.department(),
        text=text,
        wants_reply=wants_reply,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        received_on=on,
        duplicate_key=key,
        address_digest=digest,
        proof_salt=proof_salt or None,
    )
    periods.set_clock(
        complaint, ComplaintStep.ACCEPTANCE if kind == ComplaintKind.COMPLAINT else ComplaintStep.VERIFICATION, on
    )
    complaint.save()
    for file in files:
        store_upload(file.checked, file.data)
        Evidence(
            complaint=complaint,
            name=file.name,
            content_type=file.checked.content_type,
            size=file.checked.size,
            sha256=file.checked.sha256,
        ).save()
    _event(complaint, ComplaintStep.FILED, actor=actor, on=on, from_state=S.RECEIVED)
    record_audit(actor, AuditEventType.COMPLAINT_FILED, complaint, before=None, after=_state(complaint))
    return complaint, code


# ------------------------------------------------------------------ the officers' steps


def _locked(complaint: Complaint) -> Complaint:
    """The complaint re-read under a row lock: two officers acting at once take turns."""
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _require(complaint: Complaint, to_state: str) -> None:
    if to_state not in COMPLAINT_TRANSITIONS[complaint.state]:
        raise Conflict(
            _("投诉举报%(number)s当前为“%(state)s”，不能改为“%(to)s”")
            % {"number": complaint.number, "state": complaint.get_state_display(), "to": S(to_state).label},
            field="state",
        )


def _note(value: str, field: str, required_message: str) -> str:
    note = (value or "").strip()
    if not note:
        raise ValidationFailed({field: [required_message]})
    if len(note) > NOTE_MAX:
        raise ValidationFailed({field: [_("不超过%(max)d字，收到%(count)d字") % {"max": NOTE_MAX, "count": len(note)}]})
    return note


@action
def do_accept_complaint(*, complaint: Complaint, note: str = "", actor: Actor) -> Complaint:
    """Accept (受理): a complaint's acceptance period stops and its mediation period starts (暂行办法 第二十一条);
    a tip-off's verification period runs on."""
    authorize(actor, Permission.HANDLE_COMPLAINTS, region_code=complaint.region_code)
    complaint = _locked(complaint)
    _require(complaint, S.ACCEPTED)
    before, on = _state(complaint), today()
    complaint.state, complaint.accepted_on = S.ACCEPTED, on
    if complaint.kind == ComplaintKind.COMPLAINT:
        periods.set_clock(complaint, ComplaintStep.MEDIATION, on)
    complaint.save()
    _event(
        complaint,
        ComplaintStep.ACCEPTANCE,
        actor=actor,
        on=on,
        from_state=S.RECEIVED,
        note=(note or "").strip()[:NOTE_MAX],
    )
    record_audit(actor, AuditEventType.COMPLAINT_ACCEPTED, complaint, before=before, after=_state(complaint))
    return complaint


@action
def do_refuse_complaint(*, complaint: Complaint, reason: str, actor: Actor) -> Complaint:
    """Refuse (不予受理) with the reason the complainant reads (暂行办法 第十四条: 并告知投诉人)."""
    authorize(actor, Permission.HANDLE_COMPLAINTS, region_code=complaint.region_code)
    complaint = _locked(complaint)
    reason = _note(reason, "reason", _("请写明不予受理的理由"))
    _require(complaint, S.REFUSED)
    before, on = _state(complaint), today()
    from_state = complaint.state
    complaint.state, complaint.concluded_on, complaint.outcome_note = S.REFUSED, on, reason
    periods.stop_clock(complaint)
    complaint.save()
    _event(complaint, ComplaintStep.CONCLUDED, actor=actor, on=on, from_state=from_state, note=reason)
    record_audit(
        actor, AuditEventType.COMPLAINT_CONCLUDED, complaint, before=before, after=_state(complaint), reason=reason
    )
    _tell_complainant(complaint)
    return complaint


@action
def do_forward_complaint(*, complaint: Complaint, region_code: str, reason: str, actor: Actor) -> Complaint:
    """Forward an open complaint to the department of another region (移送): the running period is kept as
    it is, since it counts from the day the filing was first received."""
    authorize(actor, Permission.HANDLE_COMPLAINTS, region_code=complaint.region_code)
    complaint = _locked(complaint)
    reason = _note(reason, "reason", _("请写明移送的理由"))
    target = Region.objects.filter(code=(region_code or "").strip()).first()
    if target is None:
        raise ValidationFailed(
            {"region_code": [_("未知的行政区划代码“%(code)s”") % {"code": (region_code or "")[:12]}]}
        )
    if target.code == complaint.region_code:
        raise ValidationFailed({"region_code": [_("投诉举报已由该地区办理，请选择另一地区")]})
    if complaint.state not in OPEN_STATES:
        raise Conflict(_("投诉举报%(number)s已办结，不能移送") % {"number": complaint.number}, field="state")
    before, on = _state(complaint), today()
    from_region = complaint.region_code
    complaint.region_code, complaint.reminded_on = target.code, None
    complaint.save()
    _event(
        complaint,
        ComplaintStep.FORWARDED,
        actor=actor,
        on=on,
        note=_("移送%(region)s办理：%(reason)s") % {"region": target.name, "reason": reason},
        from_region=from_region,
        to_region=target.code,
    )
    record_audit(
        actor, AuditEventType.COMPLAINT_FORWARDED, complaint, before=before, after=_state(complaint), reason=reason
    )
    return complaint


@action
def do_extend_verification(*, complaint: Complaint, reason: str, actor: Actor) -> Complaint:
    """Extend an open tip-off's verification period once (处罚程序规定 第十八条: 特殊情况下…可以延长十五个工作日)."""
    authorize(actor, Permission.HANDLE_COMPLAINTS, region_code=complaint.region_code)
    complaint = _locked(complaint)
    reason = _note(reason, "reason", _("请写明延长的理由"))
    if complaint.kind != ComplaintKind.TIP_OFF or complaint.due_step != ComplaintStep.VERIFICATION:
        raise Conflict(_("只有核查中的举报可以延长核查期限"), field="state")
    if complaint.extended:
        raise Conflict(_("举报%(number)s的核查期限已延长过一次") % {"number": complaint.number}, field="state")
    before, on = _state(complaint), today()
    periods.extend_clock(complaint)
    complaint.extended, complaint.reminded_on = True, None
    complaint.save()
    _event(complaint, ComplaintStep.EXTENDED, actor=actor, on=on, note=reason)
    record_audit(
        actor, AuditEventType.COMPLAINT_EXTENDED, complaint, before=before, after=_state(complaint), reason=reason
    )
    return complaint


@action
def do_conclude_complaint(*, complaint: Complaint, outcome: str, note: str, actor: Actor) -> Complaint:
    """Conclude an accepted complaint or tip-off: mediated (a complaint only), substantiated or not
    substantiated, with the outcome in words as the complainant reads it. A substantiated one enters the
    subject's trace, its integrity archive and its risk score."""
    authorize(actor, Permission.HANDLE_COMPLAINTS, region_code=complaint.region_code)
    complaint = _locked(complaint)
    if outcome not in (S.MEDIATED, S.SUBSTANTIATED, S.NOT_SUBSTANTIATED):
        raise ValidationFailed({"outcome": [_("请选择办理结果")]})
    note = _note(note, "note", _("请写明处理结果"))
    if outcome in COMPLAINT_ONLY_OUTCOMES and complaint.kind != ComplaintKind.COMPLAINT:
        raise ValidationFailed({"outcome": [_("举报不经调解：请选择查证属实或查证不属实")]})
    _require(complaint, outcome)
    before, on = _state(complaint), today()
    from_state = complaint.state
    complaint.state, complaint.concluded_on, complaint.outcome_note = outcome, on, note
    periods.stop_clock(complaint)
    complaint.save()
    _event(complaint, ComplaintStep.CONCLUDED, actor=actor, on=on, from_state=from_state, note=note)
    record_audit(
        actor, AuditEventType.COMPLAINT_CONCLUDED, complaint, before=before, after=_state(complaint), reason=note
    )
    _tell_complainant(complaint)
    return complaint


def _tell_complainant(complaint: Complaint) -> None:
    """A complainant who asked for a reply and left an address is told the outcome, after the commit."""
    if not (complaint.wants_reply and complaint.contact_email):
        return
    subject = _("投诉举报%(number)s办理结果") % {"number": complaint.number}
    body = "\n".join(
        [
            _("您提交的投诉举报（受理编号%(number)s）已办结。") % {"number": complaint.number},
            _("结果：%(outcome)s") % {"outcome": complaint.get_state_display()},
            complaint.outcome_note,
            _("可凭受理编号和查询码查看办理记录。"),
        ]
    )
    address = complaint.contact_email
    transaction.on_commit(lambda: send_mail(subject, body, None, [address], fail_silently=True))


# ------------------------------------------------------------------ reminders


@action
def do_send_complaint_reminders(*, on: datetime.date, actor: Actor) -> list[Complaint]:
    """Remind the officers covering each open complaint whose period ends within the reminder window or
    has passed, once a day (`reminded_on`), by e-mail after the commit; one audit row for the batch."""
    authorize(actor, Permission.HANDLE_COMPLAINTS)
    horizon = add_working_days(on, periods.reminder_working_days()).day
    due = list(
        Complaint.objects.select_for_update()
        .filter(state__in=OPEN_STATES, due_on__isnull=False, due_on__lte=horizon)
        .exclude(reminded_on=on)
        .order_by("due_on", "id")
    )
    mails: list[tuple[str, str, list[str]]] = []
    for complaint in due:
        assert complaint.due_on is not None
        late = complaint.due_on < on
        subject = (
            _("【逾期】投诉举报%(number)s已超过办理期限%(due)s")
            if late
            else _("【提醒】投诉举报%(number)s将于%(due)s到期")
        ) % {"number": complaint.number, "due": complaint.due_on.isoformat()}
        body = _("事项：%(step)s；承办地区：%(region)s") % {
            "step": complaint.get_due_step_display(),
            "region": complaint.region_code,
        }
        recipients = [u.email for u in queries.officers_covering(complaint.region_code) if u.email]
        if recipients:
            mails.append((subject, body, recipients))
        complaint.reminded_on = on
    if due:
        Complaint.objects.bulk_update(due, ["reminded_on"])
        # One row for the day's batch: which complaints were reminded of (their numbers stay internal).
        record_audit(
            actor,
            AuditEventType.COMPLAINT_REMINDERS_SENT,
            due[0],
            before=None,
            after={"on": on.isoformat(), "complaints": [c.number for c in due]},
        )
    transaction.on_commit(lambda: [send_mail(s, b, None, r, fail_silently=True) for s, b, r in mails])
    return due


def send_complaint_reminders(on: datetime.date | None = None) -> list[Complaint]:
    """The daily job (`certhub complaints remind`)."""
    return do_send_complaint_reminders(on=on or today(), actor=SYSTEM)
