"""A file of listings checked as one batch (C7): chunk by chunk with the batch's progress, resumed after an
interruption without checking a row twice, answered again (not re-recorded) when the same file comes back;
CSV, XLSX and JSON Lines alike; the command prints the verdicts."""

from __future__ import annotations

import io

import openpyxl
import orjson
import pytest
from django.core.management import call_command

from certhub.core.models import AuditEvent
from certhub.exchange.readers import receive
from certhub.market.actions import do_check_listing_chunk, do_open_check_batch
from certhub.market.files import check_file
from certhub.market.models import CheckBatch, MarketCheck
from certhub.market.tests.engine_world import DRILL_GTIN, FRIDGE_GTIN, build_market_world

HEADER = ["产品名称", "型号", "证书或声明编号", "商品条码", "检查日期"]
ROWS = [
    ["家用电冰箱", "BCD-218", "2025010701000123", "", "2026-03-01"],  # covered
    ["家用电冰箱", "BCD-300W", "2025010701000124", "", "2026-03-01"],  # certificate invalid
    ["冰箱", "", "2099010700000001", "", "2026-03-01"],  # forged
    ["充电电钻", "", "", DRILL_GTIN, "2026-03-01"],  # covered by the declaration's GTIN
    ["家用电冰箱", "", "", FRIDGE_GTIN, "2026-03-01"],  # covered by the certificate's GTIN
]
VERDICTS = ["covered", "certificate_invalid", "forged_number", "covered", "covered"]


@pytest.fixture
def market(world):
    return build_market_world(world)


def csv_file(path, rows=ROWS):
    path.write_text("\n".join(",".join(r) for r in [HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def stored(batch):
    return list(MarketCheck.objects.filter(batch=batch).order_by("row").values_list("row", "verdict"))


def test_a_csv_file_is_checked_in_chunks_with_its_progress(tmp_path, market):
    path = csv_file(tmp_path / "listings.csv")
    seen = []
    audit_before = AuditEvent.objects.count()
    batch = check_file(
        path,
        path.name,
        channel="online",
        region_code="430104",
        actor=market.actor("officer_changsha"),
        chunk_rows=2,
        progress=lambda phase, done, total: seen.append((phase, done, total)),
    )
    assert (batch.state, batch.rows_total, batch.rows_done, batch.source, batch.filename) == (
        "done",
        5,
        5,
        "file",
        "listings.csv",
    )
    assert stored(batch) == list(zip(range(2, 7), VERDICTS, strict=True))
    assert seen == [("validate", 5, None), ("check", 2, 5), ("check", 4, 5), ("check", 5, 5)]
    # Opened, three chunks, finished: one audit row each.
    assert AuditEvent.objects.count() == audit_before + 5


def test_the_same_file_again_answers_its_batch_and_records_nothing(tmp_path, market):
    path = csv_file(tmp_path / "listings.csv")
    actor = market.actor("officer_changsha")
    first = check_file(path, path.name, channel="online", region_code="430104", actor=actor)
    before = (MarketCheck.objects.count(), AuditEvent.objects.count())
    again = check_file(path, "renamed.csv", channel="online", region_code="430104", actor=actor)
    assert again.pk == first.pk
    assert (MarketCheck.objects.count(), AuditEvent.objects.count()) == before


def test_an_interrupted_file_resumes_after_its_last_chunk(tmp_path, market):
    path = csv_file(tmp_path / "listings.csv")
    actor = market.actor("officer_changsha")
    received = receive(path, path.name)
    batch = do_open_check_batch(
        source="file", channel="online", region_code="430104", filename=path.name, sha256=received.sha256,
        rows_total=5, actor=actor,
    )  # fmt: skip
    # The run stopped after its first chunk of two rows was committed.
    do_check_listing_chunk(
        batch=batch,
        listings=[
            dict(zip(["product_name", "model", "claimed_number", "gtin", "checked_on"], r, strict=True))
            for r in ROWS[:2]
        ],
        rows=[2, 3],
        rows_done=2,
        actor=actor,
    )
    resumed = check_file(path, path.name, channel="online", region_code="430104", actor=actor, chunk_rows=3)
    assert resumed.pk == batch.pk
    assert (resumed.state, resumed.rows_done, resumed.rows_total) == ("done", 5, 5)
    assert stored(resumed) == list(zip(range(2, 7), VERDICTS, strict=True))
    assert CheckBatch.objects.count() == 1


def test_xlsx_and_json_lines_are_read_like_csv(tmp_path, market):
    actor = market.actor("officer_changsha")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    xlsx = tmp_path / "listings.xlsx"
    workbook.save(xlsx)
    from_xlsx = check_file(xlsx, xlsx.name, channel="online", region_code="430104", actor=actor)
    assert [v for _r, v in stored(from_xlsx)] == VERDICTS
    keys = ["product_name", "model", "claimed_number", "gtin", "checked_on"]
    jsonl = tmp_path / "listings.jsonl"
    jsonl.write_bytes(b"".join(orjson.dumps(dict(zip(keys, r, strict=True))) + b"\n" for r in ROWS))
    from_jsonl = check_file(jsonl, jsonl.name, channel="online", region_code="430104", actor=actor)
    assert stored(from_jsonl) == list(zip(range(1, 6), VERDICTS, strict=True))


def test_the_command_checks_a_file_for_a_region_and_prints_the_verdicts(tmp_path, market):
    path = csv_file(tmp_path / "listings.csv")
    out = io.StringIO()
    call_command("market", "check", str(path), "--region", "430104", "--no-progress", stdout=out)
    batch = CheckBatch.objects.get()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"核查 · batch #{batch.pk}: 已完成 · 5 listings · ")
    assert lines[1:] == [
        f"  {'certificate_invalid':<20} {1:>10,}",
        f"  {'covered':<20} {3:>10,}",
        f"  {'forged_number':<20} {1:>10,}",
    ]
    assert batch.submitted_by == "certhub-market:check"


def test_the_downloadable_template_is_a_listing_file_the_checker_reads(client, tmp_path, market):
    response = client.get("/submissions/templates/listings.csv")
    assert response.status_code == 200
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header.split(",") == [
        "平台", "店铺", "经营者统一社会信用代码", "产品名称", "型号", "商标", "目录代码", "证书或声明编号", "商品条码",
        "链接", "检查日期", "抽样单编号",
    ]  # fmt: skip
    path = tmp_path / "template.csv"
    path.write_bytes(response.content)
    batch = check_file(path, path.name, channel="online", region_code="430104", actor=market.actor("officer_changsha"))
    check = MarketCheck.objects.get(batch=batch)
    # The example row claims a number no certificate has, for a household refrigerator (0701).
    assert (check.row, check.verdict, check.claimed_number, check.ccc_product.code, check.placement) == (
        2,
        "forged_number",
        "2021010701234567",
        "0701",
        "given",
    )
