"""The toolbox's pages (C12) through the test client: the two-step calculators for anyone (nothing
stored), the enterprise's datasets and studies (kept, private to its organization: officers and the
public get 404), shared study links, the downloads, and every bad input of issue 18 refused with its
field and reason and nothing written."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from certhub.core.models import AuditEvent
from certhub.core.testing import element_text, page_text, pdf_text, signed_in, text_of
from certhub.toolbox.models import Dataset, Study

pytestmark = pytest.mark.django_db

# Montgomery's piston-ring diameters (Introduction to Statistical Quality Control, table 6.3), public data
# shipped with R's qcc package as `pistonrings`: 40 samples of 5 rings, the first 25 the trial (phase I).
PISTONRINGS = (Path(__file__).resolve().parents[1] / "data" / "pistonrings.csv").read_text(encoding="utf-8")
SPC = {"chart": "xbar-r", "value": "diameter", "subgroup": "sample", "phase1": "25", "rules": "nelson"}
CAPABILITY = {"value": "diameter", "subgroup": "sample", "phase1": "25", "lsl": "73.95", "usl": "74.05"}


def _carried(client, tool: str, text: str = PISTONRINGS) -> str:
    """Step 1 with typed data: the step-2 form carrying the table."""
    response = client.post(f"/toolbox/{tool}/", {"text": text})
    assert response.status_code == 200
    match = re.search(r'name="data" value="([^"]+)"', response.content.decode())
    assert match, "step 2 carries the data"
    return match.group(1)


def _counts() -> tuple[int, int, int]:
    return Dataset.objects.count(), Study.objects.count(), AuditEvent.objects.count()


def test_the_index_lists_the_four_calculators(client):
    response = client.get("/toolbox/")
    assert response.status_code == 200
    titles = [t for t in ("控制图", "过程能力分析", "排列图", "质量成本分析") if t in page_text(response)]
    assert titles == ["控制图", "过程能力分析", "排列图", "质量成本分析"]
    assert "未以企业用户登录时，数据只在本次计算中使用，不会保存。" in page_text(response)


def test_anyone_draws_the_piston_ring_xbar_r_chart_and_nothing_is_stored(client, world):
    before = _counts()
    step2 = client.post("/toolbox/spc/", {"text": PISTONRINGS})
    assert "共 200 行数据（不保存）。" in page_text(step2)
    data = _carried(client, "spc")
    response = client.post("/toolbox/spc/result/", {"data": data, **SPC})
    assert response.status_code == 200
    items = [li.text for li in _items(response, "violations")]
    beyond = [i for i in items if "Nelson 规则 1：" in i]
    assert beyond == [
        "均值 X̄：样本 37（第 37 点）— Nelson 规则 1：1 点落在 3σ 控制限外",
        "均值 X̄：样本 38（第 38 点）— Nelson 规则 1：1 点落在 3σ 控制限外",
        "均值 X̄：样本 39（第 39 点）— Nelson 规则 1：1 点落在 3σ 控制限外",
    ]
    assert len(items) == 12
    assert "均值-极差图 (X̄-R)：均值 X̄" in page_text(response)
    assert "均值-极差图 (X̄-R)：极差 R" in page_text(response)
    assert _counts() == before


def _items(response, element_id):
    from certhub.core.testing import element

    return list(element(response.content.decode(), element_id).iter("li"))


def test_capability_shows_the_indices_with_their_intervals_and_the_verdict(client):
    data = _carried(client, "capability")
    response = client.post("/toolbox/capability/result/", {"data": data, **CAPABILITY})
    assert response.status_code == 200
    assert element_text(response.content.decode(), "verdict") == "过程能力充足 (Cpk ≥ 1.33)"
    text = page_text(response)
    # qcc's printed capability of the piston rings (phase I, LSL 73.95, USL 74.05): Cp 1.703 [1.491, 1.915].
    assert "Cp 1.703 1.491 1.915" in text
    assert "normality-warning" not in response.content.decode()


def test_the_downloads_say_what_the_page_says(client):
    data = _carried(client, "spc")
    csv_response = client.post("/toolbox/spc/result/", {"data": data, **SPC, "format": "csv"})
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert rows[0] == ["控制图"]
    assert ["控制图", "均值-极差图 (X̄-R)"] in rows
    point37 = next(r for r in rows if r[:2] == ["37", "37"] and r[6] == "第二阶段")
    # qcc: center 74.00118, LCL 73.98805, UCL 74.0143 (its seven digits); the export keeps ten.
    assert point37[2:6] == ["74.0166", "74.001176", "73.98804799", "74.01430401"]
    assert point37[7] == "nelson-1 nelson-5"
    xlsx = client.post("/toolbox/spc/result/", {"data": data, **SPC, "format": "xlsx"})
    book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert book.sheetnames == ["参数", "均值 X̄", "极差 R", "判异"]
    violations = list(book["判异"].iter_rows(values_only=True))
    assert violations[0] == ("图", "序号", "样本", "规则")
    assert ("均值 X̄", 37, "37", "Nelson 规则 1：1 点落在 3σ 控制限外") in violations
    pdf = client.post(
        "/toolbox/capability/result/", {"data": _carried(client, "capability"), **CAPABILITY, "format": "pdf"}
    )
    assert pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    assert "过程能力分析" in text
    assert "过程能力充足" in text


# ------------------------------------------------------------------ bad input, page by page


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.create_sheet("data", 0)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("rings.csv", b"", "文件为空"),
        (
            "rings.xlsx",
            b"\x89PNG\r\n\x1a\n0000",
            "不是 CSV 或 XLSX 文件：请上传 CSV（UTF-8 或 GBK/GB18030 编码）或 Excel 的 .xlsx 文件",
        ),
    ],
)
def test_a_file_that_is_not_a_table_is_refused_at_the_file_field(client, world, name, content, message):
    signed_in(client, world, "maker")
    before = _counts()
    upload = io.BytesIO(content)
    upload.name = name
    response = client.post("/toolbox/spc/", {"file": upload})
    assert response.status_code == 422
    assert text_of(_field_errors(response, "id_file_errors")) == message
    assert _counts() == before


def _field_errors(response, element_id):
    from certhub.core.testing import element

    return element(response.content.decode(), element_id)


def test_a_file_over_5_mb_is_refused_by_its_size(client, world):
    signed_in(client, world, "maker")
    before = _counts()
    upload = io.BytesIO(b"a\n" + b"1\n" * (5 * 1024 * 1024 // 2))
    upload.name = "big.csv"
    response = client.post("/toolbox/spc/", {"file": upload})
    assert response.status_code == 422
    assert text_of(_field_errors(response, "id_file_errors")) == "文件大小为5.0 MB，超过上限5 MB"
    assert _counts() == before


def test_the_upload_with_the_progress_bar_answers_json(client, world):
    signed_in(client, world, "maker")
    upload = io.BytesIO(b"")
    upload.name = "x.csv"
    refused = client.post("/toolbox/spc/", {"file": upload}, headers={"x-requested-with": "XMLHttpRequest"})
    assert refused.status_code == 422
    assert refused.json() == {"errors": {"file": ["文件为空"]}}
    upload = io.BytesIO(_xlsx([["diameter", "sample"], [74.03, 1], [74.0, 1]]))
    upload.name = "rings.xlsx"
    kept = client.post("/toolbox/spc/", {"file": upload}, headers={"x-requested-with": "XMLHttpRequest"})
    dataset = Dataset.objects.get()
    assert kept.json() == {"location": f"/toolbox/spc/?dataset={dataset.pk}"}
    assert (dataset.name, dataset.filename, dataset.columns, dataset.rows) == (
        "rings.xlsx",
        "rings.xlsx",
        ["diameter", "sample"],
        [["74.03", "1"], ["74", "1"]],
    )


@pytest.mark.parametrize(
    ("tool", "params", "field", "message"),
    [
        ("spc", {**SPC, "phase1": "41"}, "phase1", "第一阶段子组数（41）超过了子组总数（40）"),
        ("spc", {**SPC, "subgroup": ""}, "subgroup", "X̄-R 图需要子组列；每个样本只有一个数值时请用单值图（I-MR）"),
        ("spc", {**SPC, "chart": "xbar-q"}, "chart", "未知的控制图类型“xbar-q”"),
        ("spc", {**SPC, "phase1": "abc"}, "phase1", "“abc”不是正整数"),
        ("spc", {**SPC, "value": "trial"}, "value", "第 2 行“trial”列：“TRUE”不是数值"),
        ("capability", {**CAPABILITY, "lsl": "74.05", "usl": "73.95"}, "lsl", "规格下限（LSL）必须小于规格上限（USL）"),
        ("capability", {**CAPABILITY, "usl": ""}, "usl", "请填写数值"),
        ("capability", {**CAPABILITY, "value": "nothing"}, "value", "数据中没有“nothing”列"),
    ],
)
def test_bad_parameters_are_refused_next_to_their_field(client, tool, params, field, message):
    before = _counts()
    response = client.post(f"/toolbox/{tool}/result/", {"data": _carried(client, tool), **params})
    assert response.status_code == 422
    assert text_of(_field_errors(response, f"id_{field}_errors")) == message
    assert _counts() == before


def test_tampered_carried_data_is_refused(client):
    response = client.post("/toolbox/spc/result/", {"data": "forged", **SPC})
    assert response.status_code == 422
    assert "数据已失效，请重新上传或录入" in page_text(response)


# ------------------------------------------------------------------ the enterprise's own papers


def _upload_as_maker(client, world) -> Dataset:
    signed_in(client, world, "maker")
    response = client.post("/toolbox/spc/", {"text": PISTONRINGS, "name": "活塞环 2026-12"})
    dataset = Dataset.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/toolbox/spc/?dataset={dataset.pk}"
    return dataset


def test_an_enterprise_keeps_its_upload_saves_shares_and_unshares_a_study(client, world):
    dataset = _upload_as_maker(client, world)
    audits = AuditEvent.objects.count()
    assert (dataset.organization, dataset.name, dataset.row_count) == (
        world.organizations["maker"],
        "活塞环 2026-12",
        200,
    )
    step2 = client.get(f"/toolbox/spc/?dataset={dataset.pk}")
    assert "数据集“活塞环 2026-12”，共 200 行。" in page_text(step2)
    refused = client.post("/toolbox/studies/save/", {"tool": "spc", "dataset": dataset.pk, **SPC, "title": ""})
    assert refused.status_code == 422
    assert text_of(_field_errors(refused, "id_title_errors")) == "请填写标题"
    assert Study.objects.count() == 0
    saved = client.post("/toolbox/studies/save/", {"tool": "spc", "dataset": dataset.pk, **SPC, "title": "活塞环 X̄-R"})
    study = Study.objects.get()
    assert saved["Location"] == f"/toolbox/studies/{study.pk}/"
    assert study.parameters == {
        "chart": "xbar-r", "value": "diameter", "subgroup": "sample", "size": None, "phase1": 25,
        "rules": "nelson", "exclude_out_of_control": False,
    }  # fmt: skip
    page = client.get(f"/toolbox/studies/{study.pk}/")
    assert "均值 X̄：样本 38（第 38 点）— Nelson 规则 1：1 点落在 3σ 控制限外" in page_text(page)
    assert "活塞环 X̄-R" in page_text(client.get("/toolbox/studies/"))
    client.post(f"/toolbox/studies/{study.pk}/share/")
    study.refresh_from_db()
    assert len(study.share_token) == 43
    link = f"/toolbox/shared/{study.share_token}/"
    assert AuditEvent.objects.count() == audits  # a working paper, not a regulated record: no audit row

    from django.test import Client

    public = Client()
    shared = public.get(link)
    assert shared.status_code == 200
    assert "均值 X̄：样本 39（第 39 点）— Nelson 规则 1：1 点落在 3σ 控制限外" in page_text(shared)
    assert "取消分享" not in page_text(shared)
    assert public.get(link + "download.pdf").content.startswith(b"%PDF")
    client.post(f"/toolbox/studies/{study.pk}/unshare/")
    assert public.get(link).status_code == 404
    assert public.get(link + "download.csv").status_code == 404
    client.post(f"/toolbox/studies/{study.pk}/delete/")
    assert Study.objects.count() == 0
    client.post(f"/toolbox/datasets/{dataset.pk}/delete/")
    assert Dataset.objects.count() == 0


@pytest.mark.parametrize("username", ["officer_province", "officer_changsha", "admin", "cb_hunan", None])
def test_nobody_else_sees_or_changes_the_enterprise_papers(client, world, username):
    dataset = _upload_as_maker(client, world)
    client.post("/toolbox/studies/save/", {"tool": "spc", "dataset": dataset.pk, **SPC, "title": "活塞环"})
    study = Study.objects.get()
    from django.test import Client

    other = Client()
    if username:
        signed_in(other, world, username)
    for url in (
        f"/toolbox/spc/?dataset={dataset.pk}",
        f"/toolbox/studies/{study.pk}/",
        f"/toolbox/studies/{study.pk}/download.csv",
        "/toolbox/datasets/",
        "/toolbox/studies/",
    ):
        assert other.get(url).status_code == 404, url
    for url in (
        f"/toolbox/studies/{study.pk}/share/",
        f"/toolbox/studies/{study.pk}/delete/",
        f"/toolbox/datasets/{dataset.pk}/delete/",
    ):
        assert other.post(url).status_code == 404, url
    assert other.post("/toolbox/spc/result/", {"dataset": dataset.pk, **SPC}).status_code == 404
    study.refresh_from_db()
    assert (study.share_token, Dataset.objects.count(), Study.objects.count()) == (None, 1, 1)


@pytest.mark.parametrize(
    ("text", "params", "field", "message"),
    [
        ("d,n\n-1,50\n2,50\n3,50", {"chart": "p", "value": "d", "size": "n"}, "value",
         "第 1 个不合格品数为负数：计数不能为负"),
        ("d,n\n51,50\n2,50\n3,50", {"chart": "p", "value": "d", "size": "n"}, "value",
         "第 1 个样本的不合格品数（51）大于样本量（50）"),
        ("c\n-2\n3\n4", {"chart": "c", "value": "c"}, "value", "第 1 个缺陷数为负数：计数不能为负"),
        ("x,g\n1,a\n2,a\n3,a", {"chart": "xbar-r", "value": "x", "subgroup": "g"}, "value",
         "至少需要 2 个子组（样本）才能计算控制限，现在只有 1 个"),
    ],
)  # fmt: skip
def test_counts_and_too_few_subgroups_are_refused_on_the_page(client, text, params, field, message):
    before = _counts()
    response = client.post("/toolbox/spc/result/", {"data": _carried(client, "spc", text), "rules": "nelson", **params})
    assert response.status_code == 422
    assert text_of(_field_errors(response, f"id_{field}_errors")) == message
    assert _counts() == before


def test_a_pareto_of_defect_causes_typed_in(client):
    data = _carried(client, "pareto", "原因\t件数\n划伤\t5\n气泡\t3\n划伤\t2\n尺寸\t1")
    response = client.post("/toolbox/pareto/result/", {"data": data, "category": "原因", "count": "件数"})
    assert response.status_code == 200
    from certhub.core.testing import table_rows

    rows = [r for r in table_rows(response.content.decode()) if r and r[0] in ("划伤", "气泡", "尺寸")]
    assert rows == [
        ["划伤", "7", "63.64%", "63.64%", "是"],
        ["气泡", "3", "27.27%", "90.91%", "是"],
        ["尺寸", "1", "9.09%", "100.00%", ""],
    ]


def test_a_quality_cost_by_month_with_a_negative_amount_named_by_row(client):
    text = "月份,预防,鉴定,内损,外损,销售\n1月,10,20,30,40,1000\n2月,20,20,20,-20,1000"
    params = {"period": "月份", "prevention": "预防", "appraisal": "鉴定", "internal_failure": "内损",
              "external_failure": "外损", "sales": "销售"}  # fmt: skip
    data = _carried(client, "quality-cost", text)
    refused = client.post("/toolbox/quality-cost/result/", {"data": data, **params})
    assert refused.status_code == 422
    assert text_of(_field_errors(refused, "id_external_failure_errors")) == "第 3 行“外损”列：金额不能为负数"
    fixed = _carried(client, "quality-cost", text.replace("-20", "20"))
    response = client.post("/toolbox/quality-cost/result/", {"data": fixed, **params})
    from certhub.core.testing import table_rows

    rows = [r for r in table_rows(response.content.decode()) if r and r[0] in ("1月", "2月")]
    assert rows == [
        ["1月", "10", "20", "30", "40", "100", "1000", "10.00%"],
        ["2月", "20", "20", "20", "20", "80", "1000", "8.00%"],
    ]


def test_the_demo_enterprise_opens_each_of_its_studies_and_downloads_them(client, world):
    from certhub.demo.generator.toolbox import build_toolbox_demo

    build_toolbox_demo(world.users["maker"])
    signed_in(client, world, "maker")
    listed = page_text(client.get("/toolbox/studies/"))
    for study in Study.objects.order_by("pk"):
        assert study.title in listed
        page = client.get(f"/toolbox/studies/{study.pk}/")
        assert page.status_code == 200
        assert "error-summary" not in page.content.decode(), study.title
        assert page.content.decode().count('class="toolbox-figure"') >= 1
        for fmt, magic in (("csv", b"\xef\xbb\xbf"), ("xlsx", b"PK\x03\x04"), ("pdf", b"%PDF")):
            assert client.get(f"/toolbox/studies/{study.pk}/download.{fmt}").content.startswith(magic), (study, fmt)


def test_the_api_is_limited_per_address_for_anonymous_callers(client, settings):
    settings.CERTHUB_ANONYMOUS_RATE_LIMIT = 2
    body = {"categories": ["划伤", "气泡"]}
    answers = [
        client.post("/api/v1/toolbox/pareto", body, content_type="application/json").status_code for _ in range(3)
    ]
    assert answers == [200, 200, 429]


def test_a_long_series_is_cut_in_the_pdf_and_whole_in_the_csv(client):
    text = "x\n" + "\n".join(str(10 + (i % 7) * 0.1) for i in range(1200))
    data = _carried(client, "spc", text)
    params = {"data": data, "chart": "imr", "value": "x", "rules": "none"}
    pdf = pdf_text(client.post("/toolbox/spc/result/", {**params, "format": "pdf"}).content)
    assert "共 1200 行，这里列出前 500 行；全部数据见 CSV 或 Excel 下载。" in pdf.replace("\n", "")
    rows = list(
        csv.reader(
            io.StringIO(client.post("/toolbox/spc/result/", {**params, "format": "csv"}).content.decode("utf-8-sig"))
        )
    )
    numbered = [int(r[0]) for r in rows if len(r) == 8 and r[0].isdigit()]
    assert numbered == [*range(1, 1201), *range(1, 1200)]  # every individual value, every moving range
