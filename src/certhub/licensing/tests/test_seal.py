"""A granted licence carries its signed seal (C8 electronic certificate), and the seal's verify page reads the
licence's status now from the licensing records: a seal stays genuine after a revocation, and says so."""

import pytest

from certhub.core.actors import SYSTEM
from certhub.core.testing import element_text
from certhub.licensing import actions
from certhub.licensing.choices import CheckOutcome
from certhub.licensing.licences import licence_seal
from certhub.licensing.models import Licence
from certhub.licensing.tests.test_commitment import commit
from certhub.seal.actions import do_create_seal_key
from certhub.seal.licences import read_licence_seal
from certhub.seal.trust import kid_text


def headline(response) -> str:
    return element_text(response, "verify-headline")


@pytest.fixture
def seal_key(settings, tmp_path):
    settings.KEY_DIR = tmp_path / "keys"
    return do_create_seal_key(actor=SYSTEM)


def test_the_granted_licence_is_sealed_and_its_seal_reads_the_status_now(lic, seal_key, client):
    commit(lic)
    licence = Licence.objects.get(holder=lic.organizations["producer"])
    sealed = read_licence_seal(licence.seal)
    assert sealed.claims.licence == licence_seal(licence)
    assert (sealed.claims.licence.number, sealed.claims.licence.status, kid_text(sealed.key.kid)) == (
        licence.number,
        "ACTIVE",
        seal_key.kid,
    )
    assert headline(client.post("/verify/", {"qr": licence.seal})) == ("防伪二维码真实，许可证当前有效")

    actions.do_record_post_approval_check(
        check=licence.checks.get(),
        outcome=CheckOutcome.FALSE_COMMITMENT,
        note="无检验设备",
        actor=lic.actor("reviewer"),
    )
    assert headline(client.post("/verify/", {"qr": licence.seal})) == (
        f"防伪二维码真实，但许可证“{licence.number}”当前状态为“撤销”"
    )


def test_a_licence_granted_before_any_signing_key_exists_is_granted_unsealed(lic, settings, tmp_path):
    settings.KEY_DIR = tmp_path / "no-keys"
    commit(lic)
    licence = Licence.objects.get(holder=lic.organizations["producer"])
    assert (licence.status, licence.seal) == ("ACTIVE", "")
