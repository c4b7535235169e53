"""What an application asks for, checked by one mechanism at every entry point (docs/architecture.md
convention 7): the API, the pages and the command hand the raw particulars to do_submit_application, which
validates them with these models. Identity-document numbers are turned into keyed digests here and never
stored in clear (C14, registry.person_ids)."""

from __future__ import annotations

from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field

from certhub.core.validation import Input, Text, invalid
from certhub.registry import person_ids
from certhub.registry.standards import StandardCodeError, parse_standard_code


def _standard(value: str) -> str:
    """A scope row's standard must parse (registry.standards), and is kept in its one spelling."""
    try:
        return parse_standard_code(value)[1]
    except StandardCodeError as error:
        invalid(str(error))


def _id_number(value: str) -> str:
    text = value.strip().upper()
    if not text:
        invalid(_("必填"))
    if len(text) > 32:
        invalid(_("身份证件号码过长"))
    return text


class PersonIn(Input):
    name: Annotated[str, Text(64)]
    id_number: Annotated[str, Text(32), AfterValidator(_id_number)]


class ScopeRowIn(Input):
    field: Annotated[str, Text(100)]
    object: Annotated[str, Text(200)]
    parameter: Annotated[str, Text(200)]
    standard: Annotated[str, Text(200), AfterValidator(_standard)]
    limits: Annotated[str, Text(200, required=False)] = ""


class SignatoryIn(PersonIn):
    scope: list[int] = Field(default_factory=list)  # indexes into the application's scope rows


class CmaParticulars(Input):
    """A CMA application: the lab as it will be registered, its key people, scope rows and signatories.
    Kinds that only end something (reduction, cancellation) name the rows to end instead (`end_scope`)."""

    lab_name: Annotated[str, Text(200)]
    address: Annotated[str, Text(300)]
    legal_representative: PersonIn | None = None
    technical_manager: PersonIn | None = None
    scope: list[ScopeRowIn] = Field(default_factory=list)
    signatories: list[SignatoryIn] = Field(default_factory=list)
    end_scope: list[int] = Field(default_factory=list)  # LabScope ids to end (reduction)


class ProductIn(Input):
    name: Annotated[str, Text(200)]
    models: list[Annotated[str, Text(100)]] = Field(default_factory=list)
    ccc_code: Annotated[str, Text(4, required=False)] = ""


class ProductionParticulars(Input):
    """A production licence application: the product unit (产品单元) and the products with their models."""

    product_unit: Annotated[str, Text(100)]
    address: Annotated[str, Text(300)]
    products: list[ProductIn] = Field(default_factory=list)


def person_stored(person: PersonIn) -> dict[str, str]:
    """A person as the application keeps them: the name and the keyed digest of the ID number."""
    return {"name": person.name, "id_digest": person_ids.id_digest(person.id_number)}


def stored_cma(checked: CmaParticulars) -> dict[str, Any]:
    """The CMA particulars as stored: ID numbers replaced by digests."""
    data: dict[str, Any] = {
        "lab_name": checked.lab_name,
        "address": checked.address,
        "scope": [row.model_dump() for row in checked.scope],
        "signatories": [{**person_stored(s), "scope": sorted(set(s.scope))} for s in checked.signatories],
        "end_scope": sorted(set(checked.end_scope)),
    }
    for role in ("legal_representative", "technical_manager"):
        person = getattr(checked, role)
        data[role] = person_stored(person) if person is not None else None
    return data
