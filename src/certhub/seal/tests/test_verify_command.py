"""`certhub seal verify`: offline, against the local database's keys or a trust list file alone; exit 0
when genuine (the claims printed), 1 with the reason when not, 2 when the trust list cannot be used."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from certhub.seal.cose import wrap
from certhub.seal.queries import seal_text, trust_list
from certhub.seal.tests.helpers import EXAMPLE_CLAIMS, EXAMPLE_TRUSTED, cose_of, example_text
from certhub.seal.trust import jwk_set

SOURCE = Path(__file__).resolve().parents[3]
EXAMPLE_OUTPUT = [
    "  证书编号 · certificate: CNCA-QMS-2025-0001",
    "  认证制度 · scheme: QMS",
    "  获证组织 · holder: 长沙星城电器有限公司",
    "  统一社会信用代码 · USCC: 914301040000000437",
    "  认证机构批准号 · body: CNCA-R-2004-117",
    "  签发时状态 · status when signed: ACTIVE",
    f"  认证范围SHA-256 · scope digest: {EXAMPLE_CLAIMS.scope_digest.hex()}",
    "  账本序号 · ledger index: 41",
    "  签发时间 · issued at: 2025-03-01T01:00:00+00:00",
    "  有效期至 · expires at: 2028-02-28T16:00:00+00:00",
    "  签发方 · issuer: certhub.hunan.example",
]


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def trust_file(tmp_path):
    path = tmp_path / "trust.json"
    path.write_text(json.dumps(jwk_set([EXAMPLE_TRUSTED], issuer="certhub.hunan.example")))
    return path


def test_verify_with_a_trust_list_file_needs_no_database(trust_file):
    # No django_db mark: any query would fail this test.
    output = run("seal", "verify", example_text(), "--keys", str(trust_file), "--at", "2026-06-01")
    assert output.splitlines() == [
        f"valid: 防伪二维码真实 · genuine seal, key {EXAMPLE_TRUSTED.kid_text} ({trust_file})",
        *EXAMPLE_OUTPUT,
    ]


def test_verify_refusals_exit_1_with_the_reason(trust_file):
    altered = bytearray(cose_of(example_text()))
    altered[-1] ^= 0x01
    with pytest.raises(CommandError) as caught:
        run("seal", "verify", wrap(bytes(altered)), "--keys", str(trust_file), "--at", "2026-06-01")
    assert caught.value.returncode == 1
    assert str(caught.value) == (
        "invalid [bad_signature]: 签名验证失败：二维码内容在签发后被改动，或不是用此密钥签署的"
    )
    with pytest.raises(CommandError) as expired:
        run("seal", "verify", example_text(), "--keys", str(trust_file), "--at", "2028-03-01")
    assert (expired.value.returncode, str(expired.value)) == (
        1,
        "invalid [seal_expired]: 签名真实，但此二维码已于2028-02-29 00:00过期",
    )


def test_an_unusable_trust_list_exits_2(tmp_path):
    missing = tmp_path / "missing.json"
    with pytest.raises(CommandError) as caught:
        run("seal", "verify", example_text(), "--keys", str(missing))
    assert (caught.value.returncode, str(caught.value)) == (2, f"{missing}: No such file or directory")
    wrong = tmp_path / "wrong.json"
    document = jwk_set([EXAMPLE_TRUSTED], issuer="certhub.hunan.example")
    document["keys"][0]["kid"] = "AAAAAAAAAAA="
    wrong.write_text(json.dumps(document))
    with pytest.raises(CommandError) as mismatched:
        run("seal", "verify", example_text(), "--keys", str(wrong))
    assert str(mismatched.value) == (
        f"{wrong}: 信任列表第1个密钥：“kid”应为{EXAMPLE_TRUSTED.kid_text}（公钥SHA-256的前8字节，标准base64）"
    )
    assert mismatched.value.returncode == 2


@pytest.mark.django_db
def test_verify_against_the_local_database(world, seal_key):
    text = seal_text(world.certificates["ccc"])
    output = run("seal", "verify", text).splitlines()
    assert output[0] == f"valid: 防伪二维码真实 · genuine seal, key {seal_key.kid} (database)"
    assert output[1:6] == [
        "  证书编号 · certificate: 2025010701000123",
        "  认证制度 · scheme: CCC",
        "  获证组织 · holder: 长沙星城电器有限公司",
        f"  统一社会信用代码 · USCC: {world.organizations['maker'].uscc}",
        "  认证机构批准号 · body: CNCA-R-2004-117",
    ]
    with pytest.raises(CommandError) as caught:
        run("seal", "verify", example_text())
    assert caught.value.returncode == 1
    assert str(caught.value).startswith(f"invalid [unknown_key]: 签名密钥{EXAMPLE_TRUSTED.kid_text}不在信任列表中")
    # The trust list the API serves is a file the command reads.
    assert trust_list()["keys"][0]["kid"] == seal_key.kid


def test_the_console_command_exit_codes(tmp_path, trust_file):
    """As a person runs it: the real `certhub` entry point, with a database that cannot be opened."""
    environment = {
        **os.environ,
        "PYTHONPATH": str(SOURCE),
        "CERTHUB_VAR_DIR": str(tmp_path / "var"),
        "CERTHUB_DATABASE_URL": f"sqlite:///{tmp_path}/no/such/dir/db.sqlite3",
    }

    def certhub(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - our own command
            [sys.executable, "-m", "certhub", *args],
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    good = certhub("seal", "verify", "--keys", str(trust_file), "--at", "2026-06-01", example_text())
    assert (good.returncode, good.stderr) == (0, "")
    assert good.stdout.splitlines()[1:] == EXAMPLE_OUTPUT
    bad = certhub("seal", "verify", "--keys", str(trust_file), "QC1:ABC#")
    assert bad.returncode == 1
    assert (
        bad.stderr.strip()
        == "CommandError: invalid [bad_base45]: 第8个字符“#”不在Base45字符集中：二维码内容被改动或抄错"
    )
    no_database = certhub("seal", "verify", example_text())
    assert no_database.returncode == 2
    assert "cannot read the keys from the database" in no_database.stderr
