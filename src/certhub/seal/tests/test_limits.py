"""Anonymous verification has budgets per address (C3 is open to everyone; one address must not crowd
out the others): decoding images on /verify/ has its own, the seal API shares the reuse endpoints' one."""

import io

import pytest
from django.test import Client

from certhub.seal.queries import seal_text
from certhub.seal.tests.test_pages import photo

pytestmark = pytest.mark.django_db


def test_the_frame_decoder_refuses_an_address_over_its_budget(world, seal_key, settings):
    settings.CERTHUB_SCAN_RATE_LIMIT = 2
    client = Client(enforce_csrf_checks=True)
    token = client.get("/verify/").cookies["csrftoken"].value
    text = seal_text(world.certificates["ccc"])
    answers = []
    for _ in range(3):
        frame = io.BytesIO(photo(text))
        frame.name = "frame.jpg"
        answers.append(client.post("/verify/scan/", {"image": frame}, headers={"X-CSRFToken": token}))
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[0]["X-RateLimit-Remaining"] == "1"
    assert answers[2].json()["code"] == "rate_limited"
    assert int(answers[2]["Retry-After"]) > 0


def test_the_seal_api_counts_against_the_anonymous_budget(client, world, seal_key, settings):
    settings.CERTHUB_ANONYMOUS_RATE_LIMIT = 1
    text = seal_text(world.certificates["ccc"])
    first = client.post("/api/v1/seals/verify", {"qr": text}, content_type="application/json")
    second = client.post("/api/v1/seals/verify", {"qr": text}, content_type="application/json")
    assert (first.status_code, first.json()["genuine"]) == (200, True)
    assert (second.status_code, second.json()["code"]) == (429, "rate_limited")
