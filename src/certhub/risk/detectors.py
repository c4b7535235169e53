"""Risk detectors (C6): each a small named unit that finds one kind of anomaly across the whole
registry with set-based SQL and explains each finding in a sentence an officer can act on.

Certificates used while suspended, withdrawn, cancelled or expired; CCC-catalogue products made without a
valid CCC certificate; test reports outside the lab's qualified scope on their date (超资质认定范围);
reports signed by a signatory not authorized that day or outside their own scope; implausible report
volume per signatory per day; reports signed by a person after their lifetime ban began; QMS initial
audits shorter than IAF MD 5 allows; certificates reported late by their body; surveillance audits
overdue; published 双随机 results that found a problem; administrative penalties; market checks that found a
forged certificate number or a catalogue product sold uncovered (C7). Findings are internal: officers only.

Every detector takes the day it judges (`today`), so that a run is reproducible and tests need no clock."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

from certhub.complaints.choices import ComplaintState
from certhub.exchange.queries import LATE_AFTER_DAYS
from certhub.inspections.choices import ADVERSE_RESULTS, TaskStatus
from certhub.market.choices import Verdict
from certhub.market.declarations import in_force_sql
from certhub.registry.choices import AuditKind, BanKind, CertificateStatus, GradedSubject
from certhub.registry.dates import add_months
from certhub.registry.models import Scheme
from certhub.risk.audit_time import qms_table


@dataclass(frozen=True)
class Finding:
    """One anomaly: which detector, about whom, how many records, since when, and why in words."""

    detector: str
    subject_type: str
    subject_id: int
    subject_key: str
    count: int
    since: datetime.date
    explanation: str
    # The untranslated sentence and its values, so that a warning can keep the sentence in both languages.
    template: str = ""
    words: tuple[tuple[str, object], ...] = ()

    def text(self, language: str) -> str:
        """The explanation in `language` (zh-hans or en)."""
        with translation.override(language):
            return gettext(self.template) % dict(self.words) if self.template else self.explanation


def _rows(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def _day(value: object) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def _days(value: object) -> str:
    """Auditor days as people write them (2.5, 0.6): the backends return Decimal or float."""
    return f"{Decimal(str(value)).quantize(Decimal('0.1')).normalize():f}"


Convert = dict[str, Callable[[object], object]]


def _findings(
    detector: str,
    subject_type: str,
    sql: str,
    message: str,
    names: tuple[str, ...] = (),
    convert: Convert | None = None,
    **fixed: object,
) -> list[Finding]:
    """Run a detector's statement — its columns: subject id, subject key, count, first day, then `names` —
    and word each row with `message` (placeholders: key, count, since, the names, and `fixed`); `convert`
    formats a named column."""
    findings = []
    for subject_id, key, count, since, *extra in _rows(sql):
        day = _day(since)
        named = dict(zip(names, extra, strict=True))
        for name, function in (convert or {}).items():
            named[name] = function(named[name])
        words = {"key": key, "count": count, "since": day.isoformat(), **named, **fixed}
        findings.append(
            Finding(
                detector,
                subject_type,
                subject_id,
                key,
                count,
                day,
                gettext(message) % words,
                message,
                tuple(words.items()),
            )
        )
    return findings


# A scope row covers an item on a day when it names the same parameter and standard and is in force then.
_COVERS = (
    "s.parameter = i.parameter AND s.standard = i.standard AND s.valid_from <= r.issue_date "
    "AND (s.valid_until IS NULL OR s.valid_until >= r.issue_date)"
)


def lab_reports_outside_scope(today: datetime.date | None = None) -> list[Finding]:
    """Reports with an item the lab was not qualified for on the report's date (no scope row in force with
    that parameter and standard), or issued while the lab's CMA qualification was not valid. One finding
    per lab and parameter."""
    return _findings(
        "lab_outside_scope",
        GradedSubject.LAB,
        "SELECT l.id, l.cma_number, COUNT(DISTINCT r.id), MIN(r.issue_date), l.name, i.parameter, i.standard "  # noqa: S608
        "FROM registry_testreportitem i JOIN registry_testreport r ON r.id = i.report_id "
        "JOIN registry_lab l ON l.id = r.lab_id "
        "WHERE r.issue_date < l.cma_valid_from OR r.issue_date > l.cma_valid_until OR NOT EXISTS ("
        f"SELECT 1 FROM registry_labscope s WHERE s.lab_id = r.lab_id AND {_COVERS}) "
        "GROUP BY l.id, l.cma_number, l.name, i.parameter, i.standard ORDER BY l.cma_number, i.parameter, i.standard",
        _(
            "检验检测机构%(name)s（%(key)s）签发了%(count)d份含“%(parameter)s”（%(standard)s）的报告，"
            "超出其当日的资质认定范围，最早一份在%(since)s"
        ),
        ("name", "parameter", "standard"),
    )


def signatory_outside_authorization(today: datetime.date | None = None) -> list[Finding]:
    """Reports signed by a signatory not authorized on the report's date, or with an item outside the
    signatory's own authorized scope on that date. One finding per lab and signatory."""
    return _findings(
        "signatory_outside_authorization",
        GradedSubject.LAB,
        "SELECT l.id, l.cma_number, COUNT(DISTINCT r.id), MIN(r.issue_date), l.name, p.name "  # noqa: S608
        "FROM registry_testreportitem i JOIN registry_testreport r ON r.id = i.report_id "
        "JOIN registry_lab l ON l.id = r.lab_id JOIN registry_signatory g ON g.id = r.signatory_id "
        "JOIN registry_person p ON p.id = g.person_id "
        "WHERE r.issue_date < g.valid_from OR (g.valid_until IS NOT NULL AND r.issue_date > g.valid_until) "
        "OR NOT EXISTS (SELECT 1 FROM registry_signatory_scope gs JOIN registry_labscope s ON s.id = gs.labscope_id "
        f"WHERE gs.signatory_id = g.id AND {_COVERS}) "
        "GROUP BY l.id, l.cma_number, l.name, g.id, p.name ORDER BY l.cma_number, p.name",
        _(
            "检验检测机构%(name)s（%(key)s）的授权签字人%(person)s签发了%(count)d份超出其当日授权签字范围"
            "（或不在授权期内）的报告，最早一份在%(since)s"
        ),
        ("name", "person"),
    )


# More reports than this signed by one signatory on one day is not a review anyone could have done: each
# report is to be checked before signing (检验检测机构资质认定管理办法; 授权签字人 reviews every report).
REPORTS_PER_SIGNATORY_DAY = 40


def signatory_volume(limit: int = REPORTS_PER_SIGNATORY_DAY, today: datetime.date | None = None) -> list[Finding]:
    """Days on which one signatory signed more than `limit` reports. One finding per lab and signatory: the
    number of such days, the first, and the most on one day."""
    if limit < 1:
        raise ValueError(f"the daily limit must be at least 1, not {limit}")
    return _findings(
        "signatory_volume",
        GradedSubject.LAB,
        "SELECT l.id, l.cma_number, COUNT(*), MIN(d.issue_date), l.name, p.name, MAX(d.reports) FROM ("  # noqa: S608
        "SELECT r.lab_id, r.signatory_id, r.issue_date, COUNT(*) AS reports FROM registry_testreport r "
        f"GROUP BY r.lab_id, r.signatory_id, r.issue_date HAVING COUNT(*) > {int(limit)}) d "
        "JOIN registry_lab l ON l.id = d.lab_id JOIN registry_signatory g ON g.id = d.signatory_id "
        "JOIN registry_person p ON p.id = g.person_id "
        "GROUP BY l.id, l.cma_number, l.name, g.id, p.name ORDER BY l.cma_number, p.name",
        _(
            "检验检测机构%(name)s（%(key)s）的授权签字人%(person)s有%(count)d天单日签发报告超过%(limit)d份"
            "（最多一天%(most)d份），最早在%(since)s"
        ),
        ("name", "person", "most"),
        limit=limit,
    )


def signed_after_ban(today: datetime.date | None = None) -> list[Finding]:
    """Reports signed by a person on or after the start of their lifetime ban (终身禁入, C9: 谁签字谁担责), up to
    `today`, while the ban was in force (not yet lifted). One finding per lab and person."""
    day = today or timezone.localdate()
    return _findings(
        "signed_after_ban",
        GradedSubject.LAB,
        "SELECT l.id, l.cma_number, COUNT(DISTINCT r.id), MIN(r.issue_date), l.name, p.name, "  # noqa: S608
        "MIN(b.decision_number), MIN(b.starts) "
        "FROM registry_testreport r JOIN registry_lab l ON l.id = r.lab_id "
        "JOIN registry_signatory g ON g.id = r.signatory_id JOIN registry_person p ON p.id = g.person_id "
        "JOIN registry_ban b ON b.person_id = p.id "
        f"WHERE b.kind = '{BanKind.LIFETIME_BAN}' AND r.issue_date >= b.starts "
        "AND (b.ends IS NULL OR r.issue_date < b.ends) AND (b.lifted_on IS NULL OR r.issue_date < b.lifted_on) "
        f"AND r.issue_date <= '{day.isoformat()}' "
        "GROUP BY l.id, l.cma_number, l.name, p.id, p.name ORDER BY l.cma_number, p.name",
        _(
            "检验检测机构%(name)s（%(key)s）的%(person)s自%(banned)s起被终身禁入（%(decision)s），"
            "此后仍签发了%(count)d份报告，最早一份在%(since)s"
        ),
        ("name", "person", "decision", "banned"),
        convert={"banned": lambda value: _day(value).isoformat()},
    )


def late_reporting(after_days: int = LATE_AFTER_DAYS, today: datetime.date | None = None) -> list[Finding]:
    """Certification bodies whose certificates reached CertHub more than `after_days` after they were
    issued (C2: a genuine certificate "not found" because it was reported late). One finding per body."""
    if after_days < 0:
        raise ValueError(f"the allowed delay cannot be negative ({after_days})")
    return _findings(
        "late_reporting",
        GradedSubject.CERTIFICATION_BODY,
        "SELECT b.id, b.approval_number, COUNT(*), MIN(c.issue_date), b.name, MAX(c.reporting_lag_days) "  # noqa: S608
        "FROM registry_certificate c JOIN registry_certificationbody b ON b.id = c.certification_body_id "
        f"WHERE c.reporting_lag_days > {int(after_days)} "
        "GROUP BY b.id, b.approval_number, b.name ORDER BY b.approval_number",
        _(
            "认证机构%(name)s（%(key)s）有%(count)d张证书在发证%(days)d天后才报送（最长%(longest)d天），"
            "最早一张发证于%(since)s"
        ),
        ("name", "longest"),
        days=after_days,
    )


def inspection_problems(today: datetime.date | None = None) -> list[Finding]:
    """Organizations whose published 双随机 results found a problem (C5 results flow into risk)."""
    adverse = ", ".join(f"'{result}'" for result in sorted(ADVERSE_RESULTS))
    return _findings(
        "inspection_problems",
        GradedSubject.ORGANIZATION,
        "SELECT o.id, o.uscc, COUNT(*), MIN(t.published_on), o.name FROM inspections_task t "  # noqa: S608
        f"JOIN registry_organization o ON o.id = t.organization_id WHERE t.status = '{TaskStatus.PUBLISHED}' "
        f"AND t.result IN ({adverse}) GROUP BY o.id, o.uscc, o.name ORDER BY o.uscc",
        _("%(name)s（%(key)s）在%(count)d次已公示的双随机抽查中被发现问题，最早公示于%(since)s"),
        ("name",),
    )


# A certificate is not valid on a day when its last status event on or before that day put it in one of
# these states, or when the day is after its expiry (认证证书和认证标志管理办法 Arts. 25–28: no use then).
NOT_VALID = (CertificateStatus.SUSPENDED, CertificateStatus.WITHDRAWN, CertificateStatus.CANCELLED,
             CertificateStatus.EXPIRED)  # fmt: skip


def _quoted(values: Iterable[object]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def certificate_use_invalid(today: datetime.date | None = None) -> list[Finding]:
    """Certificates seen in use on a day they were suspended, withdrawn, cancelled or expired: uses reported
    to risk (risk.CertificateUse — the status is the one in force that day, from the certificate's public
    status history) and market checks that found the product sold under such a certificate (C7, verdict
    CERTIFICATE_INVALID, judged on the check's day), up to `today`. One finding per holder."""
    day = (today or timezone.localdate()).isoformat()
    status_then = (
        "(SELECT e.to_status FROM registry_certificateevent e WHERE e.certificate_id = u.certificate_id "
        "AND e.effective_date <= u.used_on ORDER BY e.effective_date DESC, e.id DESC LIMIT 1)"
    )
    uses = (
        "SELECT c.holder_id AS holder_id, u.used_on AS used_on, c.number AS number "  # noqa: S608
        "FROM risk_certificateuse u JOIN registry_certificate c ON c.id = u.certificate_id "
        f"WHERE u.used_on > c.expiry_date OR {status_then} IN ({_quoted(NOT_VALID)})"
    )
    sold = (
        "SELECT c.holder_id, m.checked_on, c.number FROM market_marketcheck m "  # noqa: S608
        f"JOIN registry_certificate c ON c.id = m.certificate_id WHERE m.verdict = '{Verdict.CERTIFICATE_INVALID}' "
        f"AND m.checked_on <= '{day}'"
    )
    return _findings(
        "certificate_use_invalid",
        GradedSubject.ORGANIZATION,
        "SELECT o.id, o.uscc, COUNT(*), MIN(u.used_on), o.name, MIN(u.number) "  # noqa: S608
        f"FROM ({uses} UNION ALL {sold}) u JOIN registry_organization o ON o.id = u.holder_id "
        "GROUP BY o.id, o.uscc, o.name ORDER BY o.uscc",
        _("%(name)s（%(key)s）有%(count)d次在证书暂停、撤销、注销或过期后仍使用证书（如%(number)s），最早在%(since)s"),
        ("name", "number"),
    )


# Market checks whose product was sold in the catalogue without a certificate or declaration that covers it
# (强制性产品认证管理规定 Art. 2; C7): no claim at all, a model the certificate does not list, a declaration
# withdrawn or not allowed for the product on the day.
UNCERTIFIED_SALE = (Verdict.NO_CLAIM, Verdict.MODEL_NOT_COVERED, Verdict.DECLARATION_INVALID)


def _market_subjects(verdicts: Iterable[str], day: datetime.date) -> str:
    """The market checks of `verdicts` up to `day`, once per organization they are traced to: the producer
    (certificate holder or declarer) when known, and the shop's organization when it was matched; a check
    whose producer is its shop counts once for it."""
    where = f"m.verdict IN ({_quoted(verdicts)}) AND m.checked_on <= '{day.isoformat()}'"
    columns = "m.id, m.checked_on, m.claimed_number, m.product_name"
    return (
        f"SELECT {columns}, m.producer_id AS organization_id FROM market_marketcheck m "  # noqa: S608
        f"WHERE {where} AND m.producer_id IS NOT NULL UNION "
        f"SELECT {columns}, m.shop_organization_id FROM market_marketcheck m "
        f"WHERE {where} AND m.shop_organization_id IS NOT NULL"
    )


def forged_number(today: datetime.date | None = None) -> list[Finding]:
    """Market checks that found a certificate or declaration number the registries do not hold (probable
    forgery, C7: kept as written, with no certificate to point at), up to `today`. One finding per
    organization the check is traced to — the producer when known, the shop's organization when matched —
    with how many checks, how many distinct numbers and one of them."""
    checks = _market_subjects([Verdict.FORGED_NUMBER], today or timezone.localdate())
    return _findings(
        "forged_number",
        GradedSubject.ORGANIZATION,
        "SELECT o.id, o.uscc, COUNT(*), MIN(s.checked_on), o.name, MIN(s.claimed_number), "  # noqa: S608
        f"COUNT(DISTINCT s.claimed_number) FROM ({checks}) s "
        "JOIN registry_organization o ON o.id = s.organization_id GROUP BY o.id, o.uscc, o.name ORDER BY o.uscc",
        _(
            "%(name)s（%(key)s）有%(count)d次市场检查发现标称的证书或自我声明编号不在登记库中"
            "（疑似伪造，%(numbers)d个编号，如%(number)s），最早在%(since)s"
        ),
        ("name", "number", "numbers"),
    )


def uncertified_sale(today: datetime.date | None = None) -> list[Finding]:
    """Market checks that found a CCC catalogue product on sale without a certificate or self-declaration
    covering it (UNCERTIFIED_SALE verdicts), up to `today`. One finding per organization the check is
    traced to (as forged_number)."""
    checks = _market_subjects(UNCERTIFIED_SALE, today or timezone.localdate())
    return _findings(
        "uncertified_sale",
        GradedSubject.ORGANIZATION,
        "SELECT o.id, o.uscc, COUNT(*), MIN(s.checked_on), o.name, MIN(s.product_name) "  # noqa: S608
        f"FROM ({checks}) s "
        "JOIN registry_organization o ON o.id = s.organization_id GROUP BY o.id, o.uscc, o.name ORDER BY o.uscc",
        _(
            "%(name)s（%(key)s）有%(count)d次市场检查发现CCC目录产品未获有效认证或自我声明覆盖即销售"
            "（如“%(product)s”），最早在%(since)s"
        ),
        ("name", "product"),
    )


def ccc_uncovered(today: datetime.date | None = None) -> list[Finding]:
    """Organizations making a product of the CCC catalogue in force (registry.ManufacturedProduct) without
    an active CCC certificate for it (强制性产品认证管理规定 Art. 2: no certificate, no sale) — nor, for a
    `*`/`**` product, a self-declaration of it in force on the day (market.declarations, C7). One finding
    per organization; `since` is when the product was first recorded."""
    day = (today or timezone.localdate()).isoformat()
    declared = in_force_sql(organization="m.organization_id", product="m.ccc_product_id", day=f"'{day}'")
    return _findings(
        "ccc_uncovered",
        GradedSubject.ORGANIZATION,
        "SELECT o.id, o.uscc, COUNT(*), MIN(m.recorded_on), o.name, MIN(p.name) "  # noqa: S608
        "FROM registry_manufacturedproduct m JOIN registry_organization o ON o.id = m.organization_id "
        "JOIN registry_cccproduct p ON p.id = m.ccc_product_id "
        f"WHERE p.effective_from <= '{day}' AND (p.effective_to IS NULL OR p.effective_to >= '{day}') "
        "AND NOT EXISTS (SELECT 1 FROM registry_certificate c JOIN registry_scheme s ON s.id = c.scheme_id "
        "WHERE c.holder_id = m.organization_id AND c.ccc_product_id = m.ccc_product_id AND s.code = 'CCC' "
        f"AND c.status = '{CertificateStatus.ACTIVE}' AND c.expiry_date >= '{day}') AND NOT {declared} "
        "GROUP BY o.id, o.uscc, o.name ORDER BY o.uscc",
        _(
            "%(name)s（%(key)s）生产%(count)d种CCC目录产品（如“%(product)s”）而无有效的CCC证书或自我声明，最早登记于%(since)s"
        ),
        ("name", "product"),
    )


def _qms_minimum_sql(column: str) -> str:
    """IAF MD 5's minimum (table days less the largest reduction) as a CASE over the effective personnel;
    NULL beyond the table, where a reviewer decides."""
    table = qms_table()
    cases = " ".join(f"WHEN {column} <= {high} THEN {table.minimum(high)}" for _low, high, _days in table.rows)
    return f"CASE {cases} END"


def audit_time_short(today: datetime.date | None = None) -> list[Finding]:
    """Certification bodies whose QMS initial audits (stage 1 + stage 2) were shorter than IAF MD 5,
    Table QMS 1 allows for the effective personnel, after the largest reduction (30 %). One finding per
    body: how many audits, the first, the largest shortfall in days."""
    minimum = _qms_minimum_sql("a.effective_personnel")
    return _findings(
        "audit_time_short",
        GradedSubject.CERTIFICATION_BODY,
        "SELECT b.id, b.approval_number, COUNT(*), MIN(a.end_date), b.name, "  # noqa: S608
        f"MAX({minimum} - (a.stage1_days + a.stage2_days)) "
        "FROM registry_certificationaudit a JOIN registry_certificate c ON c.id = a.certificate_id "
        "JOIN registry_scheme s ON s.id = c.scheme_id "
        "JOIN registry_certificationbody b ON b.id = c.certification_body_id "
        f"WHERE a.kind = '{AuditKind.INITIAL}' AND s.code = 'QMS' AND a.stage1_days + a.stage2_days < {minimum} "
        "GROUP BY b.id, b.approval_number, b.name ORDER BY b.approval_number",
        _(
            "认证机构%(name)s（%(key)s）有%(count)d次质量管理体系初次审核的人日少于IAF MD 5允许的最低值"
            "（最多少%(shortfall)s人日），最早一次结束于%(since)s"
        ),
        ("name", "shortfall"),
        convert={"shortfall": _days},
    )


def surveillance_overdue(today: datetime.date | None = None) -> list[Finding]:
    """Active, unexpired certificates whose next surveillance audit — the scheme's interval after the last
    one, or after issue — is past (registry.dates.surveillance_due_date, as a range per scheme). One
    finding per body; `since` is the earliest audit missed."""
    day = today or timezone.localdate()
    clauses = []
    for scheme_id, months in Scheme.objects.filter(surveillance_months__gt=0).values_list("id", "surveillance_months"):
        # due = base + months < day  ⇔  base < day − months (registry.dates.add_months clamps month ends)
        clauses.append(
            f"(c.scheme_id = {int(scheme_id)} AND COALESCE(c.last_surveillance_date, c.issue_date) "
            f"< '{add_months(day, -int(months)).isoformat()}')"
        )
    if not clauses:
        return []
    return _findings(
        "surveillance_overdue",
        GradedSubject.CERTIFICATION_BODY,
        "SELECT b.id, b.approval_number, COUNT(*), MIN(COALESCE(c.last_surveillance_date, c.issue_date)), "  # noqa: S608
        "b.name FROM registry_certificate c JOIN registry_certificationbody b ON b.id = c.certification_body_id "
        f"WHERE c.status = '{CertificateStatus.ACTIVE}' AND c.expiry_date >= '{day.isoformat()}' "
        f"AND ({' OR '.join(clauses)}) GROUP BY b.id, b.approval_number, b.name ORDER BY b.approval_number",
        _("认证机构%(name)s（%(key)s）有%(count)d张有效证书的监督审核已逾期，最早一张上次审核（或发证）于%(since)s"),
        ("name",),
    )


# Penalties older than this no longer count (国市监信发〔2022〕6号 looks back over recent years).
PENALTY_YEARS = 3


def penalties(today: datetime.date | None = None) -> list[Finding]:
    """Organizations with administrative penalties decided in the last PENALTY_YEARS years."""
    day = today or timezone.localdate()
    since = add_months(day, -12 * PENALTY_YEARS).isoformat()
    return _findings(
        "penalties",
        GradedSubject.ORGANIZATION,
        "SELECT o.id, o.uscc, COUNT(*), MIN(p.decided_on), o.name, MIN(p.decision_number) "  # noqa: S608
        "FROM risk_penalty p JOIN registry_organization o ON o.id = p.organization_id "
        f"WHERE p.decided_on > '{since}' AND p.decided_on <= '{day.isoformat()}' "
        "GROUP BY o.id, o.uscc, o.name ORDER BY o.uscc",
        _("%(name)s（%(key)s）近%(years)d年受到%(count)d次行政处罚（如%(decision)s），最早在%(since)s"),
        ("name", "decision"),
        years=PENALTY_YEARS,
    )


# Substantiated complaints older than this no longer count, as for penalties.
COMPLAINT_YEARS = 3


def complaints_substantiated(today: datetime.date | None = None) -> list[Finding]:
    """Organizations and labs with complaints or tip-offs found substantiated (C10 → C6) in the last
    COMPLAINT_YEARS years: a lab's count under the lab, every other organization's under the organization."""
    day = today or timezone.localdate()
    since = add_months(day, -12 * COMPLAINT_YEARS).isoformat()
    window = (
        f"c.state = '{ComplaintState.SUBSTANTIATED}' AND c.concluded_on > '{since}' "
        f"AND c.concluded_on <= '{day.isoformat()}'"
    )
    message = _("%(name)s（%(key)s）近%(years)d年有%(count)d件投诉举报查证属实，最早在%(since)s办结")
    return _findings(
        "complaints_substantiated",
        GradedSubject.ORGANIZATION,
        "SELECT o.id, o.uscc, COUNT(*), MIN(c.concluded_on), o.name FROM complaints_complaint c "  # noqa: S608
        f"JOIN registry_organization o ON o.id = c.organization_id WHERE {window} AND c.lab_id IS NULL "
        "GROUP BY o.id, o.uscc, o.name ORDER BY o.uscc",
        message,
        ("name",),
        years=COMPLAINT_YEARS,
    ) + _findings(
        "complaints_substantiated",
        GradedSubject.LAB,
        "SELECT l.id, l.cma_number, COUNT(*), MIN(c.concluded_on), l.name FROM complaints_complaint c "  # noqa: S608
        f"JOIN registry_lab l ON l.id = c.lab_id WHERE {window} GROUP BY l.id, l.cma_number, l.name "
        "ORDER BY l.cma_number",
        message,
        ("name",),
        years=COMPLAINT_YEARS,
    )


DETECTORS: dict[str, Callable[..., list[Finding]]] = {
    "certificate_use_invalid": certificate_use_invalid,
    "ccc_uncovered": ccc_uncovered,
    "lab_outside_scope": lab_reports_outside_scope,
    "signatory_outside_authorization": signatory_outside_authorization,
    "signatory_volume": signatory_volume,
    # C9: bans
    "signed_after_ban": signed_after_ban,
    "audit_time_short": audit_time_short,
    "late_reporting": late_reporting,
    "surveillance_overdue": surveillance_overdue,
    "inspection_problems": inspection_problems,
    "penalties": penalties,
    "complaints_substantiated": complaints_substantiated,
    # C7: market checks
    "forged_number": forged_number,
    "uncertified_sale": uncertified_sale,
}


def run_all(today: datetime.date | None = None) -> list[Finding]:
    """Every detector's findings for `today`, in the order above."""
    day = today or timezone.localdate()
    return [finding for detector in DETECTORS.values() for finding in detector(today=day)]
