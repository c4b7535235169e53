"""Registering and withdrawing self-declarations (自我声明, C7). A producer declares a catalogue product whose
mode allows it on the declaration day, with its models, standards and the type-test report behind it (or the
reason the report cannot be checked here); the declaration is published at once under its number and counts
as coverage until it is withdrawn — by the producer, or by an officer of the producer's region. The rules
are market.declarations' (data in market/data/declarations.json); every bad field is named at once and
nothing is written (docs/architecture.md invariant 6)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Annotated, Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import TypeAdapter

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action, action_step
from certhub.core.validation import Gtin, Identifier, Input, Text, collect, validate_value
from certhub.market import declarations as rules
from certhub.market.choices import DeclarationStatus
from certhub.market.models import SelfDeclaration
from certhub.registry.choices import RegistrationStatus
from certhub.registry.models import CccProduct, Organization, TestReport

# What the audit row keeps of a declaration: all of it is public anyway (model_keys is derived).
AUDIT_FIELDS = ["number", "organization", "region_code", "ccc_product", "product_name", "product_models",
                "trademark", "gtins", "standards", "test_report", "report_note", "declared_on", "status",
                "withdrawn_on", "withdrawal_reason"]  # fmt: skip
# Two producers of one region declaring at the same moment may both read the same highest number; the
# unique number makes the second insert fail, and it takes the next one.
NUMBER_ATTEMPTS = 5

GTIN: TypeAdapter[str] = TypeAdapter(Gtin)
MODEL: TypeAdapter[str] = TypeAdapter(Annotated[str, Text(rules.limit("model"))])


class DeclarationText(Input):
    product_name: Annotated[str, Text(rules.limit("product_name"))]
    trademark: Annotated[str, Text(rules.limit("trademark"), required=False)] = ""
    report_note: Annotated[str, Text(rules.limit("report_note"), required=False)] = ""
    test_report_number: Annotated[str, Identifier(64, required=False)] = ""
    lab_cma_number: Annotated[str, Identifier(32, required=False)] = ""


class WithdrawalText(Input):
    reason: Annotated[str, Text(rules.limit("withdrawal_reason"))]


def _merge(errors: dict[str, list[str]], more: dict[str, list[str]]) -> None:
    for field, messages in more.items():
        errors.setdefault(field, []).extend(messages)


def _list(value: Any, field: str, maximum: int, errors: dict[str, list[str]], *, required: bool) -> list[Any]:
    """A list argument within its bound (a text is not a list: the form and the API split theirs)."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        errors.setdefault(field, []).append(_("须为列表"))
        return []
    if required and not value:
        errors.setdefault(field, []).append(_("必填"))
    if len(value) > maximum:
        errors.setdefault(field, []).append(_("至多%(max)d项，收到%(count)d项") % {"max": maximum, "count": len(value)})
        return []
    return list(value)


def _checked(adapter: TypeAdapter[str], value: Any, field: str, errors: dict[str, list[str]]) -> str | None:
    try:
        return validate_value(adapter, value, field=field)
    except ValidationFailed as error:
        _merge(errors, error.errors)
        return None


def _models(values: Sequence[Any], errors: dict[str, list[str]]) -> list[str]:
    """The declared models, each a text, none twice (in model_key's spelling)."""
    cleaned: list[str] = []
    seen: dict[str, int] = {}
    for index, value in enumerate(values):
        field = f"product_models[{index}]"
        model = _checked(MODEL, value, field, errors)
        if model is None:
            continue
        key = rules.model_key(model)
        if key in seen:
            errors.setdefault(field, []).append(_("与第%(first)d个型号重复") % {"first": seen[key] + 1})
            continue
        seen[key] = index
        cleaned.append(model)
    return cleaned


def _gtins(values: Sequence[Any], errors: dict[str, list[str]]) -> list[str]:
    """The product's GTINs, each with its check digit right, none twice; empty entries are no GTIN."""
    cleaned: list[str] = []
    for index, value in enumerate(values):
        field = f"gtins[{index}]"
        code = _checked(GTIN, value, field, errors)
        if not code:
            continue
        if code in cleaned:
            errors.setdefault(field, []).append(_("与第%(first)d个商品条码重复") % {"first": cleaned.index(code) + 1})
            continue
        cleaned.append(code)
    return cleaned


def _report(
    test_report_number: str, lab_cma_number: str, report_note: str, errors: dict[str, list[str]]
) -> TestReport | None:
    """The report a declaration names (by the lab's CMA number and the report's number: report numbers are
    unique per lab only), or None with the reason; no report and no note is refused."""
    if not test_report_number:
        if lab_cma_number:
            errors.setdefault("test_report_number", []).append(_("填写了检验检测机构，请同时填写报告编号"))
        elif not report_note:
            errors.setdefault("test_report_number", []).append(
                _("请填写CertHub中的型式试验报告编号，或在“报告无法核验的原因”中说明")
            )
        return None
    if not lab_cma_number:
        errors.setdefault("lab_cma_number", []).append(
            _("填写报告编号时须填写出具报告的检验检测机构的资质认定证书编号")
        )
        return None
    report = (
        TestReport.objects.select_related("lab", "signatory__person")
        .filter(lab__cma_number=lab_cma_number, number=test_report_number)
        .first()
    )
    if report is None:
        errors.setdefault("test_report_number", []).append(
            _("资质认定证书编号为%(cma)s的检验检测机构没有编号为%(number)s的报告")
            % {"cma": lab_cma_number, "number": test_report_number}
        )
    return report


def _overlapping(organization: Organization, product: CccProduct, models: list[str]) -> dict[str, list[str]]:
    """A model already in one of the producer's published declarations of the same product: withdraw that one
    first, so that one model has one declaration in force."""
    keys = {rules.model_key(m): i for i, m in enumerate(models)}
    errors: dict[str, list[str]] = {}
    published = SelfDeclaration.objects.filter(
        organization=organization, ccc_product=product, status=DeclarationStatus.PUBLISHED
    ).only("number", "product_models")
    for declaration in published:
        for declared in declaration.product_models:
            index = keys.get(rules.model_key(str(declared)))
            if index is not None:
                errors.setdefault(f"product_models[{index}]", []).append(
                    _("型号%(model)s已在本企业有效的自我声明%(number)s中，请先撤回该声明")
                    % {"model": models[index], "number": declaration.number}
                )
    return errors


@action_step
def _save_numbered(declaration: SelfDeclaration) -> None:
    """Give the declaration the next number of its region and year and save it (see NUMBER_ATTEMPTS)."""
    prefix = rules.number_prefix(declaration.region_code, declaration.declared_on.year)
    for attempt in range(NUMBER_ATTEMPTS):
        last = SelfDeclaration.objects.filter(number__startswith=prefix).aggregate(last=Max("number"))["last"]
        declaration.number = rules.format_number(
            declaration.region_code, declaration.declared_on.year, rules.next_sequence(last)
        )
        try:
            with transaction.atomic():
                declaration.save()
            return
        except IntegrityError:
            if attempt == NUMBER_ATTEMPTS - 1 or not SelfDeclaration.objects.filter(number=declaration.number).exists():
                raise


@action
def do_register_declaration(
    *,
    organization: Organization,
    ccc_product_code: str,
    product_name: str,
    product_models: Sequence[str],
    trademark: str = "",
    gtins: Sequence[str] = (),
    standards: Sequence[str],
    test_report_number: str = "",
    lab_cma_number: str = "",
    report_note: str = "",
    declared_on: datetime.date,
    actor: Actor,
) -> SelfDeclaration:
    """Register and publish a producer's self-declaration (CNCA-00C-008:2019). Refused, with every bad field
    named and nothing written: a declaration day in the future; a catalogue code unknown in the version in
    force on that day, or a product whose mode then needs a designated body's certification; no model, a
    model twice or one already declared; a GTIN with a wrong check digit; a standard CertHub cannot read; a
    report not found, issued after the declaration day, not passing, commissioned by someone else, or from a
    lab whose CMA scope — or whose signatory's authorization — did not cover each declared standard on the
    report's date; no report and no note saying why. A producer no longer in business cannot declare."""
    authorize(actor, Permission.DECLARE_CCC_PRODUCT, organization_id=organization.pk)
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if not isinstance(declared_on, datetime.date):
        raise ValidationFailed({"declared_on": [_("必填")]})
    if declared_on > today:
        errors["declared_on"] = [
            _("声明日期（%(day)s）不得晚于今天（%(today)s）")
            % {"day": declared_on.isoformat(), "today": today.isoformat()}
        ]
    if organization.registration_status != RegistrationStatus.IN_BUSINESS:
        errors.setdefault("organization", []).append(
            _("%(name)s的登记状态为“%(status)s”，不能登记自我声明")
            % {"name": organization.name, "status": organization.get_registration_status_display()}
        )
    text = collect(
        DeclarationText,
        {
            "product_name": product_name,
            "trademark": trademark,
            "report_note": report_note,
            "test_report_number": test_report_number,
            "lab_cma_number": lab_cma_number,
        },
        errors,
    )
    product, problem = rules.catalogue_product(str(ccc_product_code or ""), declared_on)
    if problem:
        errors.setdefault("ccc_product_code", []).append(problem)
    models = _models(_list(product_models, "product_models", rules.limit("models"), errors, required=True), errors)
    codes = _gtins(_list(gtins, "gtins", rules.limit("gtins"), errors, required=False), errors)
    spelled = rules.parse_standards(
        _list(standards, "standards", rules.limit("standards"), errors, required=True), errors
    )
    report = None
    if text is not None:
        report = _report(text.test_report_number, text.lab_cma_number, text.report_note, errors)
    # The report is held to the standards only when they all parsed: a standard refused already needs no
    # second reason, and standards[i] must name the same item in both.
    if report is not None and not any(k.startswith("standards") for k in errors):
        _merge(
            errors, rules.report_problems(report, organization=organization, standards=spelled, declared_on=declared_on)
        )
    if product is not None and models:
        _merge(errors, _overlapping(organization, product, models))
    if errors:
        raise ValidationFailed(errors)
    assert text is not None and product is not None
    declaration = SelfDeclaration(
        organization=organization,
        region_code=organization.region_id,
        ccc_product=product,
        product_name=text.product_name,
        product_models=models,
        model_keys=rules.model_keys(models),
        trademark=text.trademark,
        gtins=codes,
        standards=spelled,
        test_report=report,
        report_note=text.report_note,
        declared_on=declared_on,
        status=DeclarationStatus.PUBLISHED,
    )
    _save_numbered(declaration)
    record_audit(
        actor,
        AuditEventType.DECLARATION_REGISTERED,
        declaration,
        before=None,
        after=snapshot(declaration, AUDIT_FIELDS),
    )
    return declaration


@action
def do_withdraw_declaration(
    *, declaration: SelfDeclaration, reason: str, withdrawn_on: datetime.date, actor: Actor
) -> SelfDeclaration:
    """Withdraw a published self-declaration, from `withdrawn_on` (it covers nothing from that day), with the
    reason, published beside it. The producer withdraws its own; an officer of the producer's region may
    withdraw one too. Refused: no reason, a day before the declaration or in the future, a declaration
    withdrawn already (409)."""
    authorize(
        actor,
        Permission.WITHDRAW_CCC_DECLARATION,
        organization_id=declaration.organization_id,
        region_code=declaration.region_code,
    )
    locked = SelfDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if locked.status == DeclarationStatus.WITHDRAWN:
        raise Conflict(
            _("自我声明%(number)s已于%(day)s撤回")
            % {"number": locked.number, "day": locked.withdrawn_on.isoformat() if locked.withdrawn_on else ""},
            field="number",
        )
    errors: dict[str, list[str]] = {}
    text = collect(WithdrawalText, {"reason": reason}, errors)
    today = timezone.localdate()
    if not isinstance(withdrawn_on, datetime.date):
        errors["withdrawn_on"] = [_("必填")]
    elif withdrawn_on > today:
        errors["withdrawn_on"] = [
            _("撤回日期（%(day)s）不得晚于今天（%(today)s）")
            % {"day": withdrawn_on.isoformat(), "today": today.isoformat()}
        ]
    elif withdrawn_on < locked.declared_on:
        errors["withdrawn_on"] = [
            _("撤回日期（%(day)s）不得早于声明日期（%(declared)s）")
            % {"day": withdrawn_on.isoformat(), "declared": locked.declared_on.isoformat()}
        ]
    if errors:
        raise ValidationFailed(errors)
    assert text is not None
    before = snapshot(locked, AUDIT_FIELDS)
    locked.status = DeclarationStatus.WITHDRAWN
    locked.withdrawn_on = withdrawn_on
    locked.withdrawal_reason = text.reason
    locked.save(update_fields=["status", "withdrawn_on", "withdrawal_reason"])
    record_audit(
        actor,
        AuditEventType.DECLARATION_WITHDRAWN,
        locked,
        before=before,
        after=snapshot(locked, AUDIT_FIELDS),
        reason=text.reason,
    )
    return locked
