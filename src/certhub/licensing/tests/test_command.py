"""`certhub licensing`: the procedures with their sources, an officer's due list, and filing from a file —
the bad inputs refused with field and reason, nothing written."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from certhub.core.models import AuditEvent
from certhub.licensing.models import Application
from certhub.licensing.testing import cma_particulars
from certhub.licensing.tests.conftest import on_day

D = datetime.date
UNPARSED_ROW = {"field": "食品", "object": "大米", "parameter": "镉", "standard": "镉的测定"}


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("licensing", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_procedures_print_each_period_with_its_source(reference):
    out, _err = run("procedures")
    assert (
        "  DECISION       20 working days  许可决定 — 《检验检测机构资质认定管理办法》"
        "（原国家质量监督检验检疫总局令第163号，2015年4月9日公布，2015年8月1日施行） "
        "第十条（四）：自收到技术评审结论之日起20个工作日内作出是否准予许可的书面决定\n"
    ) in out
    assert "  bar after a revocation: 3 years — 《中华人民共和国行政许可法》 第六十九条、第七十九条" in out


def application_file(tmp_path, lic, **overrides):
    data = {"licence_type": "CMA", "kind": "FIRST", "track": "GENERAL", "uscc": lic.organizations["newlab"].uscc,
            "particulars": cma_particulars()}  # fmt: skip
    data.update(overrides)
    path = tmp_path / "application.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_submit_from_a_file_and_the_officers_due_list(tmp_path, lic):
    with on_day(D(2026, 9, 28)):
        out, _err = run("submit", application_file(tmp_path, lic), "--user", "applicant")
    assert out == "XK-2026-000001  已提交，待受理\n"
    out, _err = run("due", "--officer", "reviewer", "--today", "2026-10-12")
    assert out == "XK-2026-000001  2026-10-10  overdue 2 d    受理  长沙麓谷检测技术有限公司\n1 cases\n"


@pytest.mark.parametrize(
    ("change", "printed"),
    [
        ({"uscc": "91430104000009014X"}, "uscc: 统一社会信用代码校验位错误\n"),
        ({"region_code": "430000X"}, "region_code: 未知的行政区划代码“430000X”\n"),
        (
            {"particulars": cma_particulars(scope=[UNPARSED_ROW], signatories=[])},
            "particulars.scope[0].standard: “镉的测定”不是可识别的标准编号，"
            "应形如 GB/T 228.1-2021、ISO/IEC 17025:2017\n",
        ),
    ],
    ids=["credit-code", "region", "standard"],
)  # fmt: skip
def test_submit_refuses_bad_input_and_writes_nothing(tmp_path, lic, change, printed):
    before = Application.objects.count(), AuditEvent.objects.count()
    err = io.StringIO()
    with on_day(D(2026, 9, 28)), pytest.raises(CommandError, match=r"^application refused; nothing written$") as caught:
        call_command(
            "licensing", "submit", application_file(tmp_path, lic, **change), "--user", "applicant", stderr=err
        )
    assert (caught.value.returncode, err.getvalue()) == (1, printed)
    assert (Application.objects.count(), AuditEvent.objects.count()) == before
