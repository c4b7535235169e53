"""Certified products as rows (C7: may this product be sold?): each product line of a certificate
(Certificate.products) is also a CertifiedProduct row, so that a GTIN, a model, a trademark or a factory
finds its certificate with an index at national scale.

One rule, applied by every writer of a certificate's products, so that the rows never disagree with the
certificate: the rows of a certificate are exactly its product lines, numbered from 1 in their order, the
model also kept folded (fold_model) and the factory taken from the certificate's particulars (the 生产企业,
else the 生产者（制造商）). The writers are the registry's own (registry.certificate_rows for one new
certificate, registry.certificate_writer for many and for corrections); exchange's import goes through
them. Nothing else writes these rows (docs/architecture.md convention 14)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

from django.db import connection

from certhub.core import bulk
from certhub.core.regulated import action_step
from certhub.registry.models import CertifiedProduct

# What a model number is written with in one place and without in another ("BCD-218WTV", "BCD 218 WTV",
# "bcd.218/wtv"): spaces, hyphens (and the other dashes, NFKC leaves them apart), dots, slashes and
# underscores carry no meaning on a label.
_MODEL_NOISE = frozenset(" -./_")
NAME_LENGTH = 200  # CertifiedProduct's text columns
GTIN_LENGTH = 14


def fold_model(text: str) -> str:
    """A model number in one spelling: NFKC (full-width letters and digits become ASCII), upper case, and
    without spaces, dashes, dots, slashes or underscores. "ＢＣＤ－２１８ wtv" and "bcd 218/WTV" both
    become "BCD218WTV". The same function folds the certificate's model and the one a label shows."""
    folded = unicodedata.normalize("NFKC", str(text or "")).upper()
    return "".join(
        ch for ch in folded if ch not in _MODEL_NOISE and not ch.isspace() and unicodedata.category(ch) != "Pd"
    )


def factory_of(particulars: Mapping[str, Any] | None) -> str:
    """The factory a certificate names: its 生产企业 (particulars "factory"), else its 生产者（制造商）
    ("manufacturer"), else "" (a management-system certificate names neither)."""
    particulars = particulars if isinstance(particulars, Mapping) else {}
    for key in ("factory", "manufacturer"):
        value = str(particulars.get(key) or "").strip()
        if value:
            return value[:NAME_LENGTH]
    return ""


def _text(product: Mapping[str, Any], key: str, length: int = NAME_LENGTH) -> str:
    value = product.get(key)
    return str(value).strip()[:length] if value is not None else ""


def product_lines(products: Sequence[Any] | None, particulars: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The CertifiedProduct values of a certificate's product lines (without the certificate): one per
    product object, numbered from 1 in order. Validated input always has objects with a name; a stored
    value of another shape (records brought from an old system) keeps its line number and is skipped."""
    factory = factory_of(particulars)
    lines = []
    for line, product in enumerate(products or (), start=1):
        if not isinstance(product, Mapping):
            continue
        model = _text(product, "model")
        lines.append(
            {
                "line": line,
                "name": _text(product, "name"),
                "model": model,
                "model_key": fold_model(model)[:NAME_LENGTH],
                "trademark": _text(product, "trademark"),
                "gtin": _text(product, "gtin", GTIN_LENGTH),
                "factory": factory,
            }
        )
    return lines


def product_rows(certificate_id: int | None, products: Any, particulars: Any) -> list[list[Any]]:
    """The rows (core.bulk column order, adapted, primary key None) of a certificate's product lines."""
    spec = bulk.table(CertifiedProduct)
    return [
        spec.values_of(SimpleNamespace(id=None, certificate_id=certificate_id, **values))
        for values in product_lines(products, particulars)
    ]


@action_step
def insert_product_rows(rows: Iterable[list[Any]]) -> None:
    """Insert rendered product rows whose certificate keys are set, numbered by the database: one
    statement (executemany) for one certificate's few lines. The bulk writer (certificate_writer) streams
    a batch's rows by COPY instead."""
    spec = bulk.table(CertifiedProduct)
    unnumbered = [[*row[: spec.pk_index], *row[spec.pk_index + 1 :]] for row in rows]
    if not unnumbered:
        return
    columns = [column for index, column in enumerate(spec.columns) if index != spec.pk_index]
    names = ", ".join(f'"{column}"' for column in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f'INSERT INTO "{CertifiedProduct._meta.db_table}" ({names}) VALUES ({marks})',  # noqa: S608
            unnumbered,
        )


@action_step
def write_certified_products(certificate: Any) -> None:
    """Make a registered certificate's product rows its product lines again (after it was created or its
    products or particulars corrected): its old rows go, the current ones are written."""
    replace_certified_products([certificate])


@action_step
def replace_certified_products(certificates: Sequence[Any]) -> None:
    """write_certified_products for many registered certificates at once: one delete, one insert."""
    ids = [c.pk for c in certificates]
    for start in range(0, len(ids), 900):  # SQLite's bound on parameters
        CertifiedProduct.objects.filter(certificate_id__in=ids[start : start + 900]).delete()
    insert_product_rows(row for c in certificates for row in product_rows(c.pk, c.products, c.particulars))
