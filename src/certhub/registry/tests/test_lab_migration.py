"""The administrator's data migration of labs, scope rows, signatories and key people (C1, C8): one file, CSV or
XLSX, through `certhub registry import-labs` and the administrator's upload page; all or nothing, every problem
named by sheet, row and column; every row's decision recorded; ID-document numbers never kept or shown."""

from __future__ import annotations

import copy
import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from certhub.core.errors import NotPermitted
from certhub.core.models import AuditEvent
from certhub.core.testing import by_class, page_text, signed_in, table_cells
from certhub.ledger.models import Entry
from certhub.registry import person_ids
from certhub.registry.actions.migration import migrate_labs
from certhub.registry.lab_migration import LabMigration, Row
from certhub.registry.models import Affiliation, Lab, LabScope, Person, Signatory
from certhub.registry.testing import make_uscc

pytestmark = pytest.mark.django_db

CHEN = "430102198001011233"  # 陈静: signatory and technical manager
WANG = "430104198506154021"  # 王强: legal representative
DECISION = "国认监认字〔2024〕5号"
OLD = "湘市监认证〔2020〕12号"
CMA = "241812050001"
STANDARD_ERROR = "“GB ABC”不是可识别的标准编号，应形如 GB/T 228.1-2021、ISO/IEC 17025:2017"

HEADERS = {
    "机构": ["统一社会信用代码", "名称", "资质认定证书编号", "发证日期", "有效期至", "许可决定"],
    "资质认定范围": ["资质认定证书编号", "领域", "检测对象", "项目/参数", "依据标准/方法", "限制范围",
                     "批准日期", "截止日期", "许可决定"],
    "授权签字人": ["资质认定证书编号", "姓名", "身份证件号码", "项目/参数", "依据标准/方法",
                   "批准日期", "截止日期", "许可决定"],
    "关键人员": ["资质认定证书编号", "姓名", "身份证件号码", "角色", "起始日期", "许可决定"],
}  # fmt: skip


def good_sheets(world) -> dict[str, list[list[object]]]:
    return {
        "机构": [[world.organizations["maker"].uscc, "星城电器检测中心", CMA, "2024-01-10", "2030-01-09", DECISION]],
        "资质认定范围": [
            [CMA, "电器", "家用电器", "泄漏电流", "GB 4706.1-2005", "", "2024-01-10", "", DECISION],
            [CMA, "电器", "家用电器", "电气强度", "GB4706.1-2005", "只测整机", "2024-01-10", "2030-01-09", DECISION],
            ["231812050341", "食品", "大米", "镉", "GB 5009.15-2023", "", "2024-02-01", "", OLD],
        ],
        "授权签字人": [
            [CMA, "陈静", CHEN, "泄漏电流", "GB 4706.1-2005", "2024-01-10", "", DECISION],
            [CMA, "陈静", CHEN, "电气强度", "GB 4706.1-2005", "2024-01-10", "", DECISION],
        ],
        "关键人员": [
            [CMA, "王强", WANG, "法定代表人", "2024-01-10", DECISION],
            [CMA, "陈静", CHEN, "TECHNICAL_MANAGER", "2024-01-10", DECISION],
        ],
    }  # fmt: skip


def xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.create_sheet("填写说明", 0)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        sheet.append(HEADERS[title])
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(sheets: dict[str, list[list[object]]], encoding: str = "utf-8") -> bytes:
    """The CSV form: the sheet's name first, then every sheet's columns side by side."""
    union: list[str] = []
    for headers in HEADERS.values():
        union += [h for h in headers if h not in union]
    lines = [",".join(["表", *union])]
    for title, rows in sheets.items():
        for row in rows:
            cells = dict(zip(HEADERS[title], row, strict=True))
            lines.append(",".join([title, *(str(cells.get(h, "")) for h in union)]))
    return ("\n".join(lines) + "\n").encode(encoding)


def state():
    return (
        sorted(Lab.objects.values_list("cma_number", "name", "decision")),
        sorted(LabScope.objects.values_list("lab__cma_number", "parameter", "standard", "decision")),
        sorted(Signatory.objects.values_list("lab__cma_number", "person__name", "decision")),
        sorted(Affiliation.objects.values_list("person__name", "organization__name", "role", "start", "decision")),
        Person.objects.count(),
        AuditEvent.objects.count(),
        Entry.objects.count(),
    )


def run_command(tmp_path: Path, content: bytes, name: str = "labs.xlsx", *args: str) -> tuple[str, str]:
    path = tmp_path / name
    path.write_bytes(content)
    out, err = io.StringIO(), io.StringIO()
    call_command("registry", "import-labs", str(path), "--no-progress", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def upload(client, world, content: bytes, name: str = "labs.xlsx", *, username: str = "admin", dry_run: bool = False):
    data: dict[str, object] = {"file": SimpleUploadedFile(name, content)}
    if dry_run:
        data["dry_run"] = "on"
    return signed_in(client, world, username).post(reverse("exchange:lab_migration"), data)


def assert_migrated(world):
    lab = Lab.objects.get(cma_number=CMA)
    assert (lab.organization, lab.name, lab.cma_valid_from, lab.cma_valid_until, lab.decision) == (
        world.organizations["maker"],
        "星城电器检测中心",
        datetime.date(2024, 1, 10),
        datetime.date(2030, 1, 9),
        DECISION,
    )
    scope = lab.scope.order_by("parameter").values_list("parameter", "standard", "limits", "valid_until", "decision")
    assert list(scope) == [
        ("泄漏电流", "GB 4706.1-2005", "", None, DECISION),
        ("电气强度", "GB 4706.1-2005", "只测整机", datetime.date(2030, 1, 9), DECISION),
    ]  # fmt: skip
    assert list(LabScope.objects.filter(lab__cma_number="231812050341", parameter="镉").values_list("decision")) == [
        (OLD,)
    ]
    signatory = Signatory.objects.get(lab=lab)
    assert (signatory.person.name, signatory.decision, signatory.valid_from) == (
        "陈静",
        DECISION,
        datetime.date(2024, 1, 10),
    )
    assert sorted(signatory.scope.values_list("parameter", flat=True)) == ["泄漏电流", "电气强度"]
    chen = Person.objects.get(name="陈静")
    assert person_ids.matches(CHEN, chen.id_digest)
    assert chen.roles == ["SIGNATORY", "TECHNICAL_MANAGER"]
    key_people = Affiliation.objects.filter(organization=lab.organization)
    assert sorted(key_people.values_list("person__name", "role", "start", "end", "decision")) == [
        ("王强", "LEGAL_REPRESENTATIVE", datetime.date(2024, 1, 10), None, DECISION),
        ("陈静", "TECHNICAL_MANAGER", datetime.date(2024, 1, 10), None, DECISION),
    ]  # fmt: skip


def assert_no_id_numbers_anywhere(*texts: str) -> None:
    for number in (CHEN, WANG):
        for text in texts:
            assert number not in text
        for event in AuditEvent.objects.all():
            assert number not in f"{event.before} {event.after} {event.reason} {event.subject_id}"
        assert not Entry.objects.filter(entry__contains=number).exists()
        assert not Person.objects.filter(id_digest__contains=number).exists()


def test_the_command_migrates_a_workbook_with_every_rows_decision(world, tmp_path):
    # The last audit row's id, not the count: ids have gaps on PostgreSQL (sequences do not roll back).
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    out, err = run_command(tmp_path, xlsx(good_sheets(world)))
    assert out == (
        "已导入 · imported: 1 机构 · labs, 3 范围 · scope rows, 1 签字人 · signatories, 2 关键人员 · key people, "
        "2 新登记人员 · people registered\n"
    )
    assert_migrated(world)
    events = list(AuditEvent.objects.filter(id__gt=before).order_by("id").values_list("event_type", flat=True))
    assert events == [
        "LAB_CREATED",
        "LAB_SCOPE_ADDED",
        "LAB_SCOPE_ADDED",
        "LAB_SCOPE_ADDED",
        "PERSON_CREATED",
        "SIGNATORY_AUTHORIZED",
        "PERSON_CREATED",
        "AFFILIATION_ADDED",
        "AFFILIATION_ADDED",
        "LAB_DATA_MIGRATED",
    ]
    migrated = AuditEvent.objects.get(event_type="LAB_DATA_MIGRATED")
    assert (migrated.actor_label, migrated.subject_id) == (
        "certhub-registry-import-labs",
        str(Lab.objects.get(cma_number=CMA).pk),
    )
    assert {k: v for k, v in migrated.after.items() if k != "sha256"} == {
        "file": "labs.xlsx", "labs": 1, "scope": 3, "signatories": 1, "key_people": 2, "people_created": 2,
    }  # fmt: skip
    assert Entry.objects.filter(audit_id__gt=before).count() == 10
    assert_no_id_numbers_anywhere(out, err)


def test_a_dry_run_reports_what_it_would_write_and_writes_nothing(world, tmp_path):
    before = state()
    out, _err = run_command(tmp_path, xlsx(good_sheets(world)), "labs.xlsx", "--dry-run")
    assert out.startswith("试导入通过，未写入 · dry run passed, nothing written: 1 机构 · labs, 3 范围 · scope rows")
    assert state() == before


def test_the_command_reads_the_csv_form_in_gbk(world, tmp_path):
    out, _err = run_command(tmp_path, csv_bytes(good_sheets(world), "gbk"), "labs.csv")
    assert out.startswith("已导入 · imported: 1 机构 · labs, 3 范围 · scope rows, 1 签字人 · signatories, 2 关键人员")
    assert_migrated(world)


def test_the_administrators_page_migrates_the_same_file_and_shows_no_id_number(client, world):
    response = upload(client, world, xlsx(good_sheets(world)))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("exchange:lab_migration") + "?result=")
    page = client.get(response["Location"])
    assert by_class(page, "migration-result") == [
        "已导入：1个机构、3条资质认定范围、1名授权签字人、2名关键人员（新登记人员2名）"
    ]
    assert_migrated(world)
    assert_no_id_numbers_anywhere(page.content.decode())


def test_the_page_dry_run_says_so_and_writes_nothing(client, world):
    before = state()
    response = upload(client, world, xlsx(good_sheets(world)), dry_run=True)
    assert by_class(client.get(response["Location"]), "migration-result") == [
        "试导入通过，未写入任何数据：1个机构、3条资质认定范围、1名授权签字人、2名关键人员（新登记人员2名）"
    ]
    assert state() == before


# ---------------------------------------------------------------- bad input: every problem, nothing written


def _cascade(row: int) -> list[tuple[str, int, str, str]]:
    """The rows of the good file that name the lab of labs row `row`, once that row is refused."""
    reason = f"所属机构（机构表第{row}行）未能导入"
    return [
        ("资质认定范围", 2, "资质认定证书编号", reason),
        ("资质认定范围", 3, "资质认定证书编号", reason),
        ("授权签字人", 2, "资质认定证书编号", reason),
        ("关键人员", 2, "资质认定证书编号", reason),
        ("关键人员", 3, "资质认定证书编号", reason),
    ]


def bad_standard(world, sheets):
    sheets["资质认定范围"][2][4] = "GB ABC"
    return [("资质认定范围", 4, "依据标准/方法", STANDARD_ERROR)]


def bad_check_digit(world, sheets):
    uscc = world.organizations["maker"].uscc
    sheets["机构"][0][0] = uscc[:-1] + ("0" if uscc[-1] != "0" else "1")
    return [("机构", 2, "统一社会信用代码", "统一社会信用代码校验位错误"), *_cascade(2)]


def unknown_organization(world, sheets):
    unknown = make_uscc(99, "430100")
    sheets["机构"][0][0] = unknown
    return [("机构", 2, "统一社会信用代码", f"没有统一社会信用代码为{unknown}的机构"), *_cascade(2)]


def duplicate_cma_in_the_file(world, sheets):
    sheets["机构"].append([world.organizations["hengyang"].uscc, "衡阳检测", CMA, "2024-01-10", "2030-01-09", DECISION])
    return [("机构", 3, "资质认定证书编号", "资质认定证书编号与第2行重复")]


def cma_already_registered(world, sheets):
    sheets["机构"][0][2] = "231812050341"
    del sheets["资质认定范围"], sheets["授权签字人"], sheets["关键人员"]
    return [("机构", 2, "资质认定证书编号", "资质认定证书编号231812050341已登记")]


def lab_dates_out_of_order(world, sheets):
    sheets["机构"][0][3:5] = ["2030-01-09", "2024-01-10"]
    return [("机构", 2, "有效期至", "资质认定有效期须晚于发证日期"), *_cascade(2)]


def scope_dates_out_of_order(world, sheets):
    sheets["资质认定范围"][2][6:8] = ["2024-02-01", "2024-01-31"]
    return [("资质认定范围", 4, "截止日期", "截止日期不得早于批准日期")]


def signatory_outside_the_scope(world, sheets):
    sheets["授权签字人"][1][3] = "绝缘电阻"
    return [("授权签字人", 3, "项目/参数", "签字范围“绝缘电阻 / GB 4706.1-2005”不在该机构的资质认定范围内")]


def signatory_standard_unparsable(world, sheets):
    sheets["授权签字人"][0][4] = "GB ABC"
    return [("授权签字人", 2, "依据标准/方法", STANDARD_ERROR)]


def signatory_dates_out_of_order(world, sheets):
    sheets["授权签字人"][0][6] = sheets["授权签字人"][1][6] = "2024-01-09"
    return [("授权签字人", 2, "截止日期", "截止日期不得早于批准日期")]


def bad_id_number_and_role(world, sheets):
    sheets["关键人员"][0][2] = WANG[:-1] + ("0" if WANG[-1] != "0" else "1")
    sheets["关键人员"][1][3] = "董事长"
    return [
        ("关键人员", 2, "身份证件号码", "身份证号码校验位不正确"),
        ("关键人员", 3, "角色", "角色应为LEGAL_REPRESENTATIVE（法定代表人）或TECHNICAL_MANAGER（技术负责人）"),
    ]


BAD = [
    bad_standard,
    bad_check_digit,
    unknown_organization,
    duplicate_cma_in_the_file,
    cma_already_registered,
    lab_dates_out_of_order,
    scope_dates_out_of_order,
    signatory_outside_the_scope,
    signatory_standard_unparsable,
    signatory_dates_out_of_order,
    bad_id_number_and_role,
]


@pytest.mark.parametrize("case", BAD, ids=lambda case: case.__name__)
def test_the_command_refuses_a_bad_file_whole_naming_every_problem(world, tmp_path, case):
    sheets = copy.deepcopy(good_sheets(world))
    expected = case(world, sheets)
    before = state()
    with pytest.raises(CommandError) as refusal:
        run_command(tmp_path, xlsx(sheets))
    assert str(refusal.value) == f"拒收 · refused: {len(expected)} 处错误 · problems; 未写入任何数据 · nothing written"
    assert state() == before


@pytest.mark.parametrize("case", BAD, ids=lambda case: case.__name__)
def test_the_page_refuses_a_bad_file_whole_naming_every_problem(client, world, case):
    sheets = copy.deepcopy(good_sheets(world))
    expected = case(world, sheets)
    before = state()
    response = upload(client, world, xlsx(sheets))
    assert response.status_code == 422
    assert table_cells(response, "problems")[1:] == [
        [sheet, str(row), field, reason] for sheet, row, field, reason in expected
    ]
    assert state() == before
    assert_no_id_numbers_anywhere(response.content.decode())


@pytest.mark.parametrize("case", [bad_standard, bad_check_digit, signatory_outside_the_scope], ids=lambda c: c.__name__)
def test_the_command_prints_each_problem_with_sheet_row_and_column(world, tmp_path, case):
    sheets = copy.deepcopy(good_sheets(world))
    expected = case(world, sheets)
    path = tmp_path / "labs.csv"
    path.write_bytes(csv_bytes(sheets))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("registry", "import-labs", str(path), "--no-progress", stderr=err)
    # In the CSV form a row is named by its line: the sheets follow one another under one header.
    first_line = {}
    line = 2
    for title, rows in sheets.items():
        first_line[title] = line
        line += len(rows)
    assert err.getvalue().splitlines() == [
        f"{sheet} 第{first_line[sheet] + row - 2}行 {field}：{reason}" for sheet, row, field, reason in expected
    ]


def test_a_workbook_with_unknown_and_missing_columns_is_refused_naming_them(client, world):
    sheets = good_sheets(world)
    content = xlsx(sheets)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    workbook["关键人员"]["D1"] = "职务"
    out = io.BytesIO()
    workbook.save(out)
    before = state()
    response = upload(client, world, out.getvalue())
    assert table_cells(response, "problems")[1:] == [
        ["关键人员", "1", "职务", "未知列"],
        ["关键人员", "1", "角色", "缺少此列"],
    ]
    assert state() == before


def test_a_csv_row_of_an_unknown_sheet_is_refused_naming_its_line(world, tmp_path):
    content = csv_bytes(good_sheets(world)).replace("\n关键人员,".encode(), "\n关键人物,".encode(), 1)
    before = state()
    path = tmp_path / "labs.csv"
    path.write_bytes(content)
    err = io.StringIO()
    with pytest.raises(CommandError) as refusal:
        call_command("registry", "import-labs", str(path), "--no-progress", stderr=err)
    assert str(refusal.value) == "拒收 · refused: 1 处错误 · problems; 未写入任何数据 · nothing written"
    assert err.getvalue() == "文件 第8行 表：应为机构、资质认定范围、授权签字人或关键人员\n"
    assert state() == before


def test_only_administrators_see_the_way_to_the_migration_page(client, world):
    link = f'href="{reverse("exchange:lab_migration")}"'
    assert link in signed_in(client, world, "admin").get(reverse("exchange:list")).content.decode()
    assert link not in signed_in(Client(), world, "officer_province").get(reverse("exchange:list")).content.decode()


def test_a_forged_result_in_the_url_shows_nothing(client, world):
    page = signed_in(client, world, "admin").get(reverse("exchange:lab_migration"), {"result": "forged:token"})
    assert (page.status_code, by_class(page, "migration-result")) == (200, [])


def test_a_file_that_is_not_a_workbook_is_refused_at_the_file_field(client, world):
    before = state()
    response = upload(client, world, b"PK\x03\x04 not really a zip", "labs.xlsx")
    assert response.status_code == 422
    assert by_class(response, "field-errors") == ["不是有效的XLSX文件（无法按zip格式打开）：请用Excel另存为.xlsx"]
    assert state() == before


@pytest.mark.parametrize("username", ["officer_province", "officer_changsha", "lab", "cb_hunan", "maker"])
def test_only_an_administrator_may_upload_a_migration(client, world, username):
    before = state()
    response = upload(client, world, xlsx(good_sheets(world)), username=username)
    assert response.status_code == 403
    assert "检验检测机构数据迁移仅对系统管理员开放。" in page_text(response)
    assert state() == before


def test_the_action_itself_refuses_anyone_but_an_administrator(world):
    migration = LabMigration(name="labs.csv", sha256="0" * 64, rows=[Row("labs", 2, {})])
    before = state()
    with pytest.raises(NotPermitted):
        migrate_labs(migration=migration, actor=world.actor("officer_province"))
    assert state() == before
