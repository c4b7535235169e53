"""The open-data page (C2, C3): what a visitor sees and downloads, and who may start an export."""

from __future__ import annotations

import os

import pytest
from django.test import Client
from django.urls import reverse

from certhub.core.testing import by_class, element_text, page_text, signed_in, table_rows
from certhub.opendata import exporter
from certhub.opendata.exporter import ExportLock, export_open_data
from certhub.opendata.tests.helpers import export_names

pytestmark = pytest.mark.django_db

INDEX = "/open-data/"


def test_the_page_lists_the_latest_files(client, exported):
    assert reverse("opendata:index") == INDEX
    response = client.get(INDEX)
    assert response.status_code == 200
    rows = table_rows(response)
    by_file = {entry["filename"]: entry for entry in exported.export.manifest["files"]}
    certificates = by_file["certificates.csv.gz"]
    assert rows[0] == [
        "证书",
        "CSV（UTF-8，带BOM）",
        "5",
        f"{certificates['bytes']} 字节",
        certificates["sha256"],
        "certificates.csv.gz",
    ]
    assert [row[:3] for row in rows[1:]] == [
        ["证书", "JSON Lines（UTF-8）", "5"],
        ["认证机构", "CSV（UTF-8，带BOM）", "2"],
        ["认证机构", "JSON Lines（UTF-8）", "2"],
        ["检验检测机构", "CSV（UTF-8，带BOM）", "1"],
        ["检验检测机构", "JSON Lines（UTF-8）", "1"],
        ["检验检测机构资质认定范围", "CSV（UTF-8，带BOM）", "2"],
        ["检验检测机构资质认定范围", "JSON Lines（UTF-8）", "2"],
        ["持有公开证书的机构", "CSV（UTF-8，带BOM）", "2"],
        ["持有公开证书的机构", "JSON Lines（UTF-8）", "2"],
        ["公示名单：暂停和撤销的机构、公示期内的行政处罚、限制措施", "CSV（UTF-8，带BOM）", "0"],
        ["公示名单：暂停和撤销的机构、公示期内的行政处罚、限制措施", "JSON Lines（UTF-8）", "0"],
    ]
    content = response.content.decode()
    for entry in exported.export.manifest["files"]:
        assert f'href="/open-data/files/{entry["filename"]}" download' in content
    assert element_text(response, "export-checks") == (
        "manifest.json （清单：每个文件的行数、字节数和 SHA-256）· SHA256SUMS （校验文件）"
    )
    assert 'href="/open-data/files/SHA256SUMS"' in content
    assert element_text(response, "licence") == "数据的使用条件由平台运营单位另行公布。"
    # Visitors get no button.
    assert 'id="export-admin"' not in content


def test_the_licence_sentence_comes_from_the_setting(client, exported, settings):
    settings.CERTHUB_OPENDATA_LICENCE = "本数据按某某开放许可协议提供。"
    assert element_text(client.get(INDEX), "licence") == "本数据按某某开放许可协议提供。"


def test_before_the_first_export_the_page_says_so(client, world, opendata_dir):
    response = client.get(INDEX)
    assert response.status_code == 200
    assert element_text(response, "no-export") == "尚未生成开放数据。"
    assert client.get("/open-data/files/manifest.json").status_code == 404


def test_the_footer_links_to_the_page(client, world):
    assert f'<a href="{INDEX}">开放数据</a>' in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("filename", "content_type", "disposition"),
    [
        ("certificates.csv.gz", "application/gzip", 'attachment; filename="certificates.csv.gz"'),
        ("lab_scope.jsonl.gz", "application/gzip", 'attachment; filename="lab_scope.jsonl.gz"'),
        ("manifest.json", "application/json", 'inline; filename="manifest.json"'),
        ("SHA256SUMS", "text/plain; charset=utf-8", 'inline; filename="SHA256SUMS"'),
    ],
)
def test_downloads_stream_the_files(client, exported, filename, content_type, disposition):
    response = client.get(f"/open-data/files/{filename}")
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content)
    assert body == (exported.export.path / filename).read_bytes()
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == disposition
    assert response["Content-Length"] == str(len(body))
    assert "Content-Encoding" not in response
    assert response["Cache-Control"] == "no-cache"


@pytest.mark.parametrize(
    "path",
    [
        "/open-data/files/notes.txt",  # exists in the directory, not in the manifest
        "/open-data/files/.export.lock",
        "/open-data/files/..",
        "/open-data/files/%2e%2e",
        "/open-data/files/..%2Fsecret.txt",
        "/open-data/files/../secret.txt",
        "/open-data/files/latest",
        "/open-data/files/certificates.csv",
    ],
)
def test_downloads_refuse_any_name_not_in_the_manifest(client, exported, opendata_dir, path):
    (exported.export.path / "notes.txt").write_text("not published")
    (opendata_dir / "secret.txt").write_text("not published")
    response = client.get(path)
    assert response.status_code == 404
    assert b"not published" not in response.content


def test_downloads_serve_the_latest_export_only(client, world, opendata_dir):
    import datetime

    old = export_open_data(now=datetime.datetime(2026, 11, 26, 18, 0, tzinfo=datetime.UTC))
    new = export_open_data(now=datetime.datetime(2026, 11, 27, 18, 0, tzinfo=datetime.UTC))
    body = b"".join(client.get("/open-data/files/manifest.json").streaming_content)
    assert body == (new.export.path / "manifest.json").read_bytes()
    assert body != (old.export.path / "manifest.json").read_bytes()


# ---------------------------------------------------------------- the administrators' button


def test_anonymous_visitors_cannot_start_an_export(client, world, opendata_dir):
    response = client.post(reverse("opendata:start"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('portal:login')}?next={reverse('opendata:start')}"
    assert export_names(opendata_dir) == []


@pytest.mark.parametrize("username", ["officer_province", "officer_changsha", "cb_hunan", "lab", "maker"])
def test_other_roles_cannot_start_an_export(client, world, opendata_dir, username):
    response = signed_in(client, world, username).post(reverse("opendata:start"))
    assert response.status_code == 403
    assert by_class(response, "lead") == ["只有系统管理员可以生成开放数据。"]
    assert export_names(opendata_dir) == []
    assert 'id="export-admin"' not in client.get(INDEX).content.decode()


def test_the_button_needs_a_csrf_token(world, opendata_dir):
    client = Client(enforce_csrf_checks=True)
    signed_in(client, world, "admin")
    assert client.post(reverse("opendata:start")).status_code == 403
    assert export_names(opendata_dir) == []
    assert signed_in(client, world, "admin").get(reverse("opendata:start")).status_code == 405


def test_an_administrator_starts_an_export(client, world, opendata_dir):
    signed_in(client, world, "admin")
    page = client.get(INDEX)
    assert 'id="export-admin"' in page.content.decode()
    assert f'action="{reverse("opendata:start")}"' in page.content.decode()
    response = client.post(reverse("opendata:start"), follow=True)
    assert response.redirect_chain == [(INDEX, 302)]
    name = os.readlink(opendata_dir / "latest")
    assert by_class(response, "message") == [f"导出已完成：{name}。"]
    assert len(table_rows(response)) == 12


def test_in_process_mode_the_button_starts_the_command_beside_the_server(
    client, world, opendata_dir, settings, monkeypatch
):
    settings.CERTHUB_OPENDATA_ON_DEMAND = "process"
    started = []

    class FinishedProcess:
        def __init__(self, command, **options):
            started.append((command, options["start_new_session"]))

        def poll(self):
            return 0

        def wait(self):
            return 0

    monkeypatch.setattr(exporter.subprocess, "Popen", FinishedProcess)
    response = signed_in(client, world, "admin").post(reverse("opendata:start"), follow=True)
    assert by_class(response, "message") == ["导出已开始。完成后本页将列出新的文件。"]
    [(command, new_session)] = started
    assert command[1:] == ["-m", "certhub", "opendata", "export", "--no-progress", "--dir", str(opendata_dir)]
    assert new_session is True


def test_while_an_export_runs_the_page_shows_its_progress(client, world, opendata_dir):
    signed_in(client, world, "admin")
    with ExportLock(opendata_dir) as lock:
        lock.update(dataset="certificates", rows=12000, total=100000, force=True)
        page = client.get(INDEX)
        assert element_text(page, "export-progress").startswith("正在生成新的导出 第 1/6 步：证书，12000 / 100000 行；")
        assert '<button type="submit" disabled>' in page.content.decode()
        fragment = client.get(reverse("opendata:progress"), HTTP_HX_REQUEST="true")
        assert 'hx-trigger="every 5s"' in fragment.content.decode()
        assert "HX-Refresh" not in fragment
        response = client.post(reverse("opendata:start"), follow=True)
        assert by_class(response, "message") == ["已有一个导出正在进行，请等它完成。"]
        assert [n for n in export_names(opendata_dir) if not n.startswith(".")] == []
    done = client.get(reverse("opendata:progress"), HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def test_a_failed_export_is_shown_to_administrators_only(client, world, opendata_dir):
    opendata_dir.mkdir()
    (opendata_dir / ".export-failed.json").write_text(
        '{"failed_at":"2026-11-27T02:00:00Z","error":"OSError: disk full"}'
    )
    assert 'id="export-failure"' not in client.get(INDEX).content.decode()
    page = signed_in(client, world, "admin").get(INDEX)
    assert element_text(page, "export-failure") == "上次导出失败（2026-11-27T02:00:00Z）：OSError: disk full"


def test_the_page_works_in_english(client, exported):
    client.post(reverse("set_language"), {"language": "en", "next": INDEX})
    response = client.get(INDEX)
    assert '<html lang="en">' in response.content.decode()
    assert "certificates.csv.gz" in page_text(response)
