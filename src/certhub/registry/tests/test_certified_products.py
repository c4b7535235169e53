"""Certified products as rows (C7): every path that writes a certificate's products leaves exactly one
CertifiedProduct row per product line — a single certificate, a batch, a correction, a file import in
either mode — with its model folded and the factory from the certificate's particulars; and the rows are
found by GTIN (any spelling), model, name, trademark and factory, public certificates only."""

from __future__ import annotations

import datetime
import importlib
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from certhub.core.actors import SYSTEM
from certhub.exchange.choices import SubmissionChannel, SubmissionMode
from certhub.exchange.pipeline import Options, submit_file
from certhub.exchange.testing import certificate_row, write_csv
from certhub.registry import actions
from certhub.registry.models import Certificate, CertifiedProduct
from certhub.registry.products import factory_of, fold_model
from certhub.registry.queries import (
    certified_products_by_gtin,
    gtin_forms,
    search_certified_products,
)
from certhub.registry.testing import certificate_data
from certhub.registry.tests.test_lean_actions import statements as lean_statements

pytestmark = pytest.mark.django_db

FRIDGE = {"name": "家用电冰箱", "model": "BCD-218", "trademark": "星城", "gtin": "6901234567892"}


def rows_of(certificate: Certificate) -> list[tuple]:
    return list(
        CertifiedProduct.objects.filter(certificate=certificate)
        .order_by("line")
        .values_list("line", "name", "model", "model_key", "trademark", "gtin", "factory")
    )


def ccc_data(number: str, holder, **overrides):
    data = certificate_data(
        number,
        holder,
        scheme="CCC",
        ccc_product="0701",
        scope="家用电冰箱",
        standards="GB 4706.1-2005",
        expiry_date="2030-02-28",
    )
    data.update(overrides)
    return data


def test_fold_model_gives_one_spelling():
    assert fold_model("ＢＣＤ－２１８ wtv") == "BCD218WTV"
    assert fold_model("bcd.218/WTV") == "BCD218WTV"
    assert fold_model("KFR_35GW\u2010(BP)") == "KFR35GW(BP)"
    assert fold_model("  ") == ""
    assert factory_of({"manufacturer": "甲厂", "factory": "乙厂"}) == "乙厂"
    assert factory_of({"manufacturer": "甲厂"}) == "甲厂"
    assert factory_of({}) == ""


def test_the_world_s_ccc_certificate_has_its_product_row(world):
    assert rows_of(world.certificates["ccc"]) == [(1, "家用电冰箱", "BCD-218", "BCD218", "星城", "6901234567892", "")]
    assert rows_of(world.certificates["active"]) == []


def test_a_single_certificate_writes_one_row_per_product_line_with_its_factory(world):
    certificate = actions.do_create_certificate(
        body=world.bodies["hunan"],
        data=ccc_data(
            "2025010701000200",
            world.organizations["maker"],
            products=[FRIDGE, {"name": "家用电冰箱", "model": "bcd 300 wt"}],
            particulars={"manufacturer": "长沙星城电器有限公司", "factory": "长沙星城电器有限公司一厂"},
        ),
        actor=world.actor("cb_hunan"),
    )
    assert rows_of(certificate) == [
        (1, "家用电冰箱", "BCD-218", "BCD218", "星城", "6901234567892", "长沙星城电器有限公司一厂"),
        (2, "家用电冰箱", "bcd 300 wt", "BCD300WT", "", "", "长沙星城电器有限公司一厂"),
    ]


def test_a_certificate_s_products_cost_one_statement_whatever_their_number(world):
    """The lean single-record path (registry.certificate_rows) stays lean: one INSERT for all the lines."""
    counts = []
    for number, lines in (("2025010701000250", []), ("2025010701000251", [{"name": "冰箱", "model": "X"}] * 12)):
        with CaptureQueriesContext(connection) as captured:
            certificate = actions.do_create_certificate(
                body=world.bodies["hunan"],
                data=ccc_data(number, world.organizations["maker"], products=lines),
                actor=world.actor("cb_hunan"),
            )
        counts.append(len(lean_statements(captured)))
    assert counts[1] == counts[0] + 1
    assert [row[0] for row in rows_of(certificate)] == list(range(1, 13))


def test_a_batch_writes_the_rows_of_each_certificate(world):
    maker, hengyang = world.organizations["maker"], world.organizations["hengyang"]
    created = actions.do_bulk_create_certificates(
        body=world.bodies["hunan"],
        rows=[
            ccc_data("2025010701000301", maker, products=[FRIDGE], particulars={"manufacturer": "星城电器"}),
            certificate_data("HN-QMS-2025-0302", hengyang),
            ccc_data(
                "2025010701000303",
                hengyang,
                products=[{"name": "冷柜", "model": "BC/BD-100"}, {"name": "冰箱", "model": "BCD-90"}],
            ),
        ],
        actor=world.actor("cb_hunan"),
    )
    assert [rows_of(c) for c in created] == [
        [(1, "家用电冰箱", "BCD-218", "BCD218", "星城", "6901234567892", "星城电器")],
        [],
        [(1, "冷柜", "BC/BD-100", "BCBD100", "", "", ""), (2, "冰箱", "BCD-90", "BCD90", "", "", "")],
    ]


def test_a_correction_replaces_the_rows_and_an_unchanged_one_leaves_them(world):
    certificate = world.certificates["ccc"]
    first_ids = list(CertifiedProduct.objects.filter(certificate=certificate).values_list("id", flat=True))
    data = ccc_data(
        certificate.number,
        world.organizations["maker"],
        expiry_date="2030-02-28",
        standards="GB 4706.1-2005; GB 4706.13-2014",
        products=[FRIDGE],
    )
    actions.do_update_certificate(certificate=certificate, data=data, actor=world.actor("cb_hunan"))
    assert list(CertifiedProduct.objects.filter(certificate=certificate).values_list("id", flat=True)) == first_ids

    data["products"] = [{"name": "家用电冰箱", "model": "BCD-218A", "gtin": "6901234567885"}]
    data["particulars"] = {"factory": "长沙星城电器有限公司二厂"}
    actions.do_update_certificate(certificate=certificate, data=data, actor=world.actor("cb_hunan"))
    assert rows_of(certificate) == [
        (1, "家用电冰箱", "BCD-218A", "BCD218A", "", "6901234567885", "长沙星城电器有限公司二厂")
    ]

    data["particulars"] = {"factory": "长沙星城电器有限公司三厂"}  # the factory alone
    actions.do_update_certificate(certificate=certificate, data=data, actor=world.actor("cb_hunan"))
    assert rows_of(certificate) == [
        (1, "家用电冰箱", "BCD-218A", "BCD218A", "", "6901234567885", "长沙星城电器有限公司三厂")
    ]

    data["products"] = []
    actions.do_update_certificate(certificate=certificate, data=data, actor=world.actor("cb_hunan"))
    assert rows_of(certificate) == []


def ccc_file_row(world, number: str, **overrides) -> dict:
    maker = world.organizations["maker"]
    fields = {
        "scheme": "CCC",
        "ccc_product": "0701",
        "scope": "家用电冰箱",
        "product_name": "家用电冰箱",
        "product_model": "BCD-300",
        "trademark": "星城",
        "gtin": "6901234567892",
        "manufacturer": maker.name,
        "factory": "长沙星城电器有限公司一厂",
    }
    return certificate_row(number, maker.uscc, maker.name, **{**fields, **overrides})


@pytest.mark.parametrize("mode", [SubmissionMode.ALL_OR_NOTHING, SubmissionMode.VALID_ROWS])
def test_a_file_import_writes_the_rows_and_its_correction_replaces_them(world, tmp_path: Path, settings, mode):
    settings.SUBMISSION_DIR = tmp_path / "archive"
    options = Options(mode=mode, channel=SubmissionChannel.COMMAND)
    body_org, actor = world.organizations["cb_hunan"], world.actor("cb_hunan")
    path = write_csv(tmp_path / "v1.csv", [ccc_file_row(world, "HN-CCC-2026-0501")], chinese=True)
    assert submit_file(path, path.name, body_org, options, actor=actor).state == "applied"
    certificate = Certificate.objects.get(certification_body=world.bodies["hunan"], number="HN-CCC-2026-0501")
    assert rows_of(certificate) == [
        (1, "家用电冰箱", "BCD-300", "BCD300", "星城", "6901234567892", "长沙星城电器有限公司一厂")
    ]

    row = ccc_file_row(world, "HN-CCC-2026-0501", product_model="BCD-301", factory="长沙星城电器有限公司二厂")
    path = write_csv(tmp_path / "v2.csv", [row], chinese=True)
    second = submit_file(path, path.name, body_org, options, actor=actor)
    assert (second.state, second.updated_count) == ("applied", 1)
    assert rows_of(certificate) == [
        (1, "家用电冰箱", "BCD-301", "BCD301", "星城", "6901234567892", "长沙星城电器有限公司二厂")
    ]


def test_the_backfill_migration_writes_rows_for_certificates_without_them(world):
    certificate = world.certificates["ccc"]
    with_products = actions.do_create_certificate(
        body=world.bodies["hunan"],
        data=ccc_data(
            "2025010701000600",
            world.organizations["maker"],
            products=[FRIDGE, {"name": "冷柜", "model": "BC-100"}],
            particulars={"manufacturer": "星城电器"},
        ),
        actor=world.actor("cb_hunan"),
    )
    expected = {c.pk: rows_of(c) for c in (certificate, with_products)}
    # The models as the migration sees them (plain managers: a migration is not an action).
    state = MigrationExecutor(connection).loader.project_state([("registry", "0017_certified_products_backfill")])
    state.apps.get_model("registry", "CertifiedProduct").objects.filter(certificate_id=certificate.pk).delete()
    assert rows_of(certificate) == []  # as before the registry kept them
    migration = importlib.import_module("certhub.registry.migrations.0017_certified_products_backfill")
    migration.backfill(state.apps, None)
    assert {c.pk: rows_of(c) for c in (certificate, with_products)} == expected  # the other kept, not doubled


# ------------------------------------------------------------------------------------------------ finding


@pytest.fixture
def shelf(world):
    """Three CCC certificates' products (one suspended, one draft) and a QMS certificate with products."""
    maker, hengyang = world.organizations["maker"], world.organizations["hengyang"]
    hunan = world.actor("cb_hunan")
    body = world.bodies["hunan"]
    made = {
        "washer": actions.do_create_certificate(
            body=body,
            data=ccc_data(
                "2025010702000701",
                hengyang,
                ccc_product="0703",
                products=[
                    {"name": "滚筒洗衣机", "model": "XQG100-14", "trademark": "湘江", "gtin": "036000291452"},
                    {"name": "波轮洗衣机", "model": "XQB80-2", "trademark": "湘江"},
                ],
                particulars={"factory": "衡阳湘江机械制造有限公司洗衣机厂"},
            ),
            actor=hunan,
        ),
        "draft": actions.do_create_certificate(
            body=body,
            data=ccc_data(
                "2025010701000702",
                maker,
                status="DRAFT",
                products=[{"name": "家用电冰箱", "model": "BCD-218", "gtin": "96385074"}],
            ),
            actor=hunan,
        ),
        "qms": actions.do_create_certificate(
            body=body,
            data=certificate_data(
                "HN-QMS-2025-0703", maker, products=[{"name": "家用电冰箱配件", "model": "BCD-218-K"}]
            ),
            actor=hunan,
        ),
    }
    made["washer"] = actions.do_change_certificate_status(
        certificate=made["washer"],
        to_status="SUSPENDED",
        effective_date=datetime.date(2025, 9, 1),
        reason="监督抽查不合格",
        actor=hunan,
    )
    return made


def hits(**criteria) -> list[tuple[str, int]]:
    return [(p.certificate.number, p.line) for p in search_certified_products(**criteria)]


def test_search_by_each_field_finds_exactly_its_products(world, shelf):
    fridge = world.certificates["ccc"].number
    assert hits(gtin="6901234567892") == [(fridge, 1)]
    assert hits(gtin="0036000291452") == [("2025010702000701", 1)]  # the UPC-A as an EAN-13
    assert hits(gtin="00036000291452") == [("2025010702000701", 1)]  # …and as a GTIN-14
    assert hits(gtin="96385074") == []  # on a draft only
    assert hits(model="bcd 218") == [(fridge, 1)]  # the QMS certificate's "BCD-218-K" is not CCC
    assert hits(model="bcd 218", ccc_only=False) == [("HN-QMS-2025-0703", 1), (fridge, 1)]
    assert hits(model="XQ") == [("2025010702000701", 1), ("2025010702000701", 2)]
    assert hits(trademark="湘江") == [("2025010702000701", 1), ("2025010702000701", 2)]
    assert hits(factory="洗衣机厂") == [("2025010702000701", 1), ("2025010702000701", 2)]
    assert hits(q="波轮") == [("2025010702000701", 2)]
    assert hits(q="星城") == [(fridge, 1)]
    assert hits(q="xqg100") == [("2025010702000701", 1)]
    assert hits(q="洗衣机", trademark="湘江", model="XQB") == [("2025010702000701", 2)]
    assert hits() == []
    assert hits(gtin="12345") == []


def test_products_by_gtin_answers_each_spelling_asked_in_one_query(world, shelf, django_assert_num_queries):
    with django_assert_num_queries(1):  # the certificate, its body and holder come with the products
        found = certified_products_by_gtin(["6901234567892", "036000291452", "00036000291452", "96385074", "x"])
        answer = {
            gtin: [(p.certificate.number, p.line, p.certificate.holder.uscc) for p in products]
            for gtin, products in found.items()
        }
    maker, hengyang = world.organizations["maker"].uscc, world.organizations["hengyang"].uscc
    assert answer == {
        "6901234567892": [(world.certificates["ccc"].number, 1, maker)],
        "036000291452": [("2025010702000701", 1, hengyang)],
        "00036000291452": [("2025010702000701", 1, hengyang)],
    }
    assert gtin_forms("96385074") == ["96385074", "000096385074", "0000096385074", "00000096385074"]
    assert gtin_forms("0036000291452") == ["036000291452", "0036000291452", "00036000291452"]
    assert SYSTEM.role  # the queries are public: no actor at all
