"""Absolute links come from CERTHUB_SITE_URL, never from the request's Host header (issue 14, finding 9):
with every host allowed (the old default), a request naming an attacker's host still gets links to the
site — in the seal's API answer and on the printable certificate."""

from __future__ import annotations

import pytest

from certhub.core.absolute_urls import absolute_url
from certhub.core.testing import pdf_text

pytestmark = pytest.mark.django_db

CCC = "2025010701000123"
SITE = "https://certhub.hunan.example"
FORGED = "attacker.example"


@pytest.fixture
def forgeable(settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.CERTHUB_SITE_URL = SITE


def test_the_seal_api_links_the_site_whatever_the_host_header(client, world, seal_key, forgeable):
    response = client.get(f"/api/v1/certificates/{CCC}/seal", HTTP_HOST=FORGED, HTTP_X_FORWARDED_HOST=FORGED)
    assert response.status_code == 200
    body = response.json()
    assert body["svg"] == f"{SITE}/api/v1/certificates/{CCC}/seal.svg?body=CNCA-R-2004-117"
    assert body["pdf"] == f"{SITE}/certificates/{CCC}/certificate.pdf?body=CNCA-R-2004-117"


def test_the_printed_certificate_names_the_sites_verify_page(client, world, seal_key, forgeable):
    response = client.get(f"/certificates/{CCC}/certificate.pdf", {"body": "CNCA-R-2004-117"}, HTTP_HOST=FORGED)
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert f"联网核验另可查看证书的当前状态。核验地址：{SITE}/verify/" in text.replace("\n", "")
    assert FORGED not in text


def test_a_relative_path_is_refused():
    with pytest.raises(ValueError, match="absolute_url takes a path from the site's root, not 'verify/'"):
        absolute_url("verify/")
