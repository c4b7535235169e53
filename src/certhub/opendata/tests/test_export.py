"""The export (C2): exactly the public registry, in files whose manifest and checksums are true, written
so that `latest` always points at a whole export, and pruned to the configured number."""

from __future__ import annotations

import dataclasses
import datetime
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import orjson
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from certhub.core.actors import SYSTEM
from certhub.opendata import exporter, queries
from certhub.opendata.exporter import (
    LOCK,
    PROGRESS,
    ExportLock,
    ExportRunning,
    export_in_progress,
    export_open_data,
    last_failure,
    latest_export,
)
from certhub.opendata.queries import DATASETS, by_primary_key, csv_cell
from certhub.opendata.tests.helpers import csv_rows, export_names, jsonl_records
from certhub.registry import actions
from certhub.registry.models import Certificate, CertificatePublicRecord, Organization
from certhub.registry.testing import certificate_data, make_uscc

pytestmark = pytest.mark.django_db

PUBLIC_CERTIFICATES = [
    ("CNCA-R-2004-117", "2025010701000123", "ACTIVE"),
    ("CNCA-R-2004-117", "CNCA-EMS-2024-0004", "WITHDRAWN"),
    ("CNCA-R-2004-117", "CNCA-QMS-2025-0001", "ACTIVE"),
    ("CNCA-R-2004-117", "CNCA-QMS-2025-0002", "SUSPENDED"),
    ("CNCA-R-2011-089", "CNCA-QMS-2025-0001", "ACTIVE"),
]
FILENAMES = [
    f"{name}.{kind}.gz"
    # "disclosure" is the integrity app's dataset, registered through opendata.queries.register_dataset.
    for name in ("certificates", "certification_bodies", "labs", "lab_scope", "organizations", "disclosure")
    for kind in ("csv", "jsonl")
]
CERTIFICATE_HEADER = [
    "number", "certification_body_approval_number", "certification_body_name", "scheme_code", "scheme_name",
    "scheme_name_en", "status", "status_label", "status_date", "status_reason", "holder_name", "holder_uscc",
    "holder_region_code", "holder_region_name", "scope", "ccc_product_code", "ccc_product_name", "products", "sites",
    "standards", "particulars", "original_issue_date", "issue_date", "expiry_date", "surveillance_due",
    "surveillance_overdue",
]  # fmt: skip


def path_of(exported, filename: str) -> Path:
    return exported.export.path / filename


def test_certificates_are_exactly_the_public_ones(exported, world):
    rows = csv_rows(path_of(exported, "certificates.csv.gz"))
    records = jsonl_records(path_of(exported, "certificates.jsonl.gz"))
    assert sorted((r["certification_body_approval_number"], r["number"], r["status"]) for r in rows) == (
        PUBLIC_CERTIFICATES
    )
    assert sorted((r["certification_body"]["approval_number"], r["number"], r["status"]) for r in records) == (
        PUBLIC_CERTIFICATES
    )
    # The draft is in the registry, and nowhere in any file.
    assert Certificate.objects.get(number="CNCA-QMS-2025-0003").status == "DRAFT"
    for filename in FILENAMES:
        assert b"CNCA-QMS-2025-0003" not in gzip.decompress(path_of(exported, filename).read_bytes()), filename


def test_a_public_record_that_states_a_draft_is_not_exported(world, opendata_dir):
    """Defence in depth: were a stored record ever to state a non-public status, it still stays out."""
    from django.db import connection

    active = world.certificates["active"]
    stored = orjson.loads(CertificatePublicRecord.objects.get(pk=active.pk).document)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_certificatepublicrecord SET document = %s WHERE certificate_id = %s",
            [orjson.dumps({**stored, "status": "DRAFT"}), active.pk],
        )
    exported = export_open_data()
    numbers = [r["number"] for r in jsonl_records(path_of(exported, "certificates.jsonl.gz"))]
    assert sorted(numbers) == ["2025010701000123", "CNCA-EMS-2024-0004", "CNCA-QMS-2025-0001", "CNCA-QMS-2025-0002"]
    assert exported.export.manifest["files"][0]["rows"] == 4


def test_the_csv_columns_and_the_values_of_a_known_certificate(exported, world):
    raw = gzip.decompress(path_of(exported, "certificates.csv.gz").read_bytes())
    # UTF-8 with a byte-order mark (Excel), CRLF line ends (RFC 4180).
    assert raw.startswith(b"\xef\xbb\xbfnumber,certification_body_approval_number,")
    assert raw.count(b"\r\n") == 6
    rows = csv_rows(path_of(exported, "certificates.csv.gz"))
    assert list(rows[0]) == CERTIFICATE_HEADER
    maker = world.organizations["maker"]
    ccc = next(r for r in rows if r["number"] == "2025010701000123")
    # The certificate's further particulars (applicant, manufacturer …): none stated for this one.
    assert ccc.pop("particulars") in {"{}", ""}
    assert ccc == {
        "number": "2025010701000123",
        "certification_body_approval_number": "CNCA-R-2004-117",
        "certification_body_name": "湖南标准认证有限公司",
        "scheme_code": "CCC",
        "scheme_name": "强制性产品认证",
        "scheme_name_en": "China Compulsory Certification",
        "status": "ACTIVE",
        "status_label": "有效",
        "status_date": "2025-03-01",
        "status_reason": "发证",
        "holder_name": "长沙星城电器有限公司",
        "holder_uscc": maker.uscc,
        "holder_region_code": "430104",
        "holder_region_name": "岳麓区",
        "scope": "家用电冰箱",
        "ccc_product_code": "0701",
        "ccc_product_name": "家用电冰箱和食品冷冻箱",
        "products": '[{"name":"家用电冰箱","model":"BCD-218","trademark":"星城","gtin":"6901234567892"}]',
        "sites": "[]",
        "standards": "GB 4706.1-2005; GB 4706.13-2014",
        "original_issue_date": "2025-03-01",
        "issue_date": "2025-03-01",
        "expiry_date": "2030-02-28",
        "surveillance_due": "2026-03-01",
        "surveillance_overdue": "true" if timezone.localdate() > datetime.date(2026, 3, 1) else "false",
    }
    suspended = next(r for r in rows if r["number"] == "CNCA-QMS-2025-0002")
    assert (suspended["status_label"], suspended["status_date"], suspended["status_reason"]) == (
        "暂停",
        "2025-09-01",
        "监督审核发现严重不符合",
    )


def test_each_jsonl_line_is_the_public_api_document_of_that_certificate(exported, world, client):
    records = jsonl_records(path_of(exported, "certificates.jsonl.gz"))
    assert len(records) == 5
    for record in records:
        body = record["certification_body"]["approval_number"]
        response = client.get(f"/api/v1/certificates/{record['number']}", {"body": body})
        assert response.status_code == 200
        served = response.json()
        # The live record also names its ledger entries; the dataset leaves them to the ledger's own API.
        assert served.pop("ledger_indexes") != []
        assert served == record, record["number"]


def test_bodies_labs_and_scope_carry_the_public_api_fields(exported, world, client):
    bodies = jsonl_records(path_of(exported, "certification_bodies.jsonl.gz"))
    assert sorted(bodies, key=lambda b: b["approval_number"]) == sorted(
        client.get("/api/v1/certification-bodies").json(), key=lambda b: b["approval_number"]
    )
    labs = jsonl_records(path_of(exported, "labs.jsonl.gz"))
    assert labs == client.get("/api/v1/labs").json()
    scope = jsonl_records(path_of(exported, "lab_scope.jsonl.gz"))
    detail = client.get("/api/v1/labs/231812050341").json()
    assert [{k: v for k, v in row.items() if k != "cma_number"} for row in scope] == detail["scope"]
    assert {row["cma_number"] for row in scope} == {"231812050341"}
    assert csv_rows(path_of(exported, "certification_bodies.csv.gz"))[0] == {
        "approval_number": "CNCA-R-2004-117",
        "name": "湖南标准认证有限公司",
        "accreditation": "CNAS C117-M",
        "status": "ACTIVE",
        "uscc": world.organizations["cb_hunan"].uscc,
        "region_code": "430100",
        "region_name": "长沙市",
        "schemes": "CCC;EMS;ORGANIC;QMS",
        "valid_from": "",
        "valid_until": "",
    }
    assert csv_rows(path_of(exported, "lab_scope.csv.gz"))[1] == {
        "cma_number": "231812050341",
        "field": "食品",
        "object": "大米",
        "parameter": "铅",
        "standard": "GB 5009.12-2023",
        "limits": "",
        "valid_from": "2023-05-01",
        "valid_until": "",
    }


def test_organizations_are_the_holders_of_public_certificates_with_public_fields_only(world, opendata_dir):
    # An organization whose only certificate is a draft is not published.
    drafter = actions.do_create_organization(
        data={"uscc": make_uscc(900, "430102"), "name": "长沙草稿电子有限公司", "region": "430102"}, actor=SYSTEM
    )
    actions.do_create_certificate(
        body=world.bodies["hunan"],
        data=certificate_data("DRAFT-ONLY-1", drafter, status="DRAFT"),
        actor=world.actor("cb_hunan"),
    )
    exported = export_open_data()
    maker, hengyang = world.organizations["maker"], world.organizations["hengyang"]
    assert jsonl_records(path_of(exported, "organizations.jsonl.gz")) == [
        {"uscc": maker.uscc, "name": "长沙星城电器有限公司", "region": {"code": "430104", "name": "岳麓区"}},
        {"uscc": hengyang.uscc, "name": "衡阳湘江机械制造有限公司", "region": {"code": "430405", "name": "珠晖区"}},
    ]
    assert csv_rows(path_of(exported, "organizations.csv.gz")) == [
        {"uscc": maker.uscc, "name": "长沙星城电器有限公司", "region_code": "430104", "region_name": "岳麓区"},
        {"uscc": hengyang.uscc, "name": "衡阳湘江机械制造有限公司", "region_code": "430405", "region_name": "珠晖区"},
    ]
    assert Organization.objects.count() == 7


def test_no_file_names_a_person_or_a_user(exported, world):
    everything = b"".join(gzip.decompress(path_of(exported, f).read_bytes()) for f in FILENAMES).decode()
    assert "周敏" in world.signatories["zhou"].person.name
    for private in ["周敏", "officer_changsha", "cb_hunan", "id_digest", "reporting_lag"]:
        assert private not in everything, private


def test_the_manifest_states_the_true_rows_bytes_and_digests(exported):
    directory = exported.export.path
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == exported.export.manifest
    assert sorted(manifest) == [
        "as_of_date",
        "certhub_version",
        "completed_at",
        "files",
        "format",
        "generated_at",
        "licence",
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", manifest["generated_at"])
    assert manifest["format"] == "certhub-opendata/1"
    assert manifest["certhub_version"] == "0.1.0"
    assert [entry["filename"] for entry in manifest["files"]] == FILENAMES
    expected_rows = {
        "certificates": 5,
        "certification_bodies": 2,
        "labs": 1,
        "lab_scope": 2,
        "organizations": 2,
        "disclosure": 0,
    }
    for entry in manifest["files"]:
        data = (directory / entry["filename"]).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        lines = gzip.decompress(data).splitlines()
        assert entry["rows"] == expected_rows[entry["dataset"]] == len(lines) - (entry["format"] == "csv")
        if entry["format"] == "csv":
            assert entry["columns"] == [c.name for c in queries.DATASET_BY_NAME[entry["dataset"]].columns]
    assert sorted(p.name for p in directory.iterdir()) == sorted([*FILENAMES, "manifest.json", "SHA256SUMS"])


def test_sha256sums_is_in_the_sha256sum_format_and_checks(exported):
    directory = exported.export.path
    text = (directory / "SHA256SUMS").read_text(encoding="ascii")
    lines = text.splitlines()
    assert text.endswith("\n")
    assert [line.split("  ", 1)[1] for line in lines] == [*FILENAMES, "manifest.json"]
    for line in lines:
        digest, name = line.split("  ", 1)
        assert re.fullmatch(r"[0-9a-f]{64}", digest)
        assert digest == hashlib.sha256((directory / name).read_bytes()).hexdigest()
    sha256sum = shutil.which("sha256sum")
    if sha256sum:
        checked = subprocess.run(  # noqa: S603 - coreutils, fixed arguments
            [sha256sum, "-c", "SHA256SUMS"], cwd=directory, capture_output=True, text=True, check=False
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.count(": OK") == 13


def test_latest_points_at_the_newest_whole_export(world, opendata_dir):
    first = export_open_data(now=datetime.datetime(2026, 11, 26, 18, 0, tzinfo=datetime.UTC))
    assert first.export.name == "2026-11-26T180000Z"
    assert os.readlink(opendata_dir / "latest") == "2026-11-26T180000Z"
    second = export_open_data(now=datetime.datetime(2026, 11, 27, 18, 0, tzinfo=datetime.UTC))
    assert os.readlink(opendata_dir / "latest") == second.export.name == "2026-11-27T180000Z"
    assert latest_export().name == "2026-11-27T180000Z"
    # As of the export's date in Asia/Shanghai (02:00 on 28 November there).
    assert second.export.manifest["as_of_date"] == "2026-11-28"
    # Nothing half-written is left, and no export is running.
    assert export_names(opendata_dir) == [".export.lock", "2026-11-26T180000Z", "2026-11-27T180000Z", "latest"]
    assert export_in_progress() is None
    # The same data gives the same files, byte for byte (the gzip header carries no time).
    assert [f["sha256"] for f in first.export.manifest["files"]] == [
        f["sha256"] for f in second.export.manifest["files"]
    ]


def test_two_exports_in_the_same_second_get_distinct_directories(world, opendata_dir):
    moment = datetime.datetime(2026, 11, 27, 2, 0, tzinfo=datetime.UTC)
    names = [export_open_data(now=moment).export.name for _ in range(3)]
    assert names == ["2026-11-27T020000Z", "2026-11-27T020000Z-2", "2026-11-27T020000Z-3"]
    assert os.readlink(opendata_dir / "latest") == "2026-11-27T020000Z-3"


def test_old_exports_are_pruned_to_keep(world, opendata_dir):
    days = [datetime.datetime(2026, 11, day, 18, 0, tzinfo=datetime.UTC) for day in (20, 21, 22, 23)]
    results = [export_open_data(now=day, keep=2) for day in days]
    assert [r.pruned for r in results] == [[], [], ["2026-11-20T180000Z"], ["2026-11-21T180000Z"]]
    assert export_names(opendata_dir) == [".export.lock", "2026-11-22T180000Z", "2026-11-23T180000Z", "latest"]
    assert os.readlink(opendata_dir / "latest") == "2026-11-23T180000Z"


def test_an_export_that_fails_leaves_the_latest_one_in_place(world, opendata_dir, monkeypatch):
    good = export_open_data(now=datetime.datetime(2026, 11, 26, 18, 0, tzinfo=datetime.UTC))

    def broken(as_of):
        yield {"cma_number": "x"}
        raise RuntimeError("database went away")

    datasets = list(DATASETS)
    datasets[3] = dataclasses.replace(datasets[3], records=broken)
    monkeypatch.setattr(exporter, "DATASETS", tuple(datasets))
    with pytest.raises(RuntimeError, match="database went away"):
        export_open_data(now=datetime.datetime(2026, 11, 27, 18, 0, tzinfo=datetime.UTC))
    monkeypatch.undo()
    assert export_names(opendata_dir) == [".export-failed.json", ".export.lock", good.export.name, "latest"]
    assert latest_export().name == good.export.name
    assert last_failure()["error"] == "RuntimeError: database went away"
    export_open_data(now=datetime.datetime(2026, 11, 28, 18, 0, tzinfo=datetime.UTC))
    assert last_failure() is None


def test_only_one_export_runs_at_a_time(world, opendata_dir):
    with ExportLock(opendata_dir) as lock:
        lock.update(dataset="certificates", rows=4000, total=100000, force=True)
        assert export_in_progress() == {
            "pid": os.getpid(),
            "started_at": lock.state["started_at"],
            "done": [],
            "dataset": "certificates",
            "rows": 4000,
            "total": 100000,
        }
        with pytest.raises(ExportRunning):
            export_open_data()
        with pytest.raises(CommandError, match="another open-data export is in progress"):
            call_command("opendata", "export", "--no-progress")
    assert export_names(opendata_dir) == [".export.lock"]
    assert not (opendata_dir / PROGRESS).exists()
    assert (opendata_dir / LOCK).exists()
    assert export_in_progress() is None


def test_the_command_writes_an_export_and_prints_the_manifest(world, opendata_dir, tmp_path, capsys):
    target = tmp_path / "elsewhere"
    call_command("opendata", "export", "--dir", str(target), "--keep", "1", "--no-progress")
    output = capsys.readouterr().out
    export = latest_export(target)
    assert output.splitlines()[0].startswith(f"开放数据已导出 · open data exported: {export.path} (")
    certificates = export.manifest["files"][0]
    assert re.search(rf"^  certificates\.csv\.gz +5 rows +[\d,]+ bytes  {certificates['sha256']}$", output, re.M)
    assert not opendata_dir.exists()
    with pytest.raises(CommandError, match="--keep must be at least 1"):
        call_command("opendata", "export", "--keep", "0")


def test_rows_are_read_in_primary_key_chunks(world, django_assert_num_queries):
    ids = list(Organization.objects.order_by("pk").values_list("pk", flat=True))
    assert len(ids) == 6
    for size in (1, 2, 4, 6, 7):
        assert [o.pk for o in by_primary_key(Organization.objects.all(), chunk_size=size)] == ids
    # Six rows in chunks of four: two range queries; an exact multiple needs one more to see the end.
    with django_assert_num_queries(2):
        list(by_primary_key(Organization.objects.all(), chunk_size=4))
    with django_assert_num_queries(3):
        list(by_primary_key(Organization.objects.all(), chunk_size=3))


def test_csv_cells():
    assert [csv_cell(v) for v in (None, True, False, 12, "湘江", ["CCC"], {"a": "b"})] == [
        "",
        "true",
        "false",
        "12",
        "湘江",
        '["CCC"]',
        '{"a":"b"}',
    ]
    # A cell a spreadsheet would run as a formula is defused (OWASP "CSV injection").
    assert [csv_cell(v) for v in ("=HYPERLINK(1)", "+1", "-1", "@SUM(A1)", "\tx")] == [
        "'=HYPERLINK(1)",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
    ]


def test_the_docs_list_every_column():
    docs = (Path(__file__).resolve().parents[4] / "docs" / "open-data.md").read_text(encoding="utf-8")
    for dataset in DATASETS:
        section = re.split(r"\n##+ ", docs.split(f"### `{dataset.name}`", 1)[1], maxsplit=1)[0]
        assert [c.name for c in dataset.columns] == re.findall(r"^\| `(\w+)` \|", section, re.M), dataset.name
