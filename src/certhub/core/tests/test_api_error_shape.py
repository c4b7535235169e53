"""One shape for every API error, whoever answers (C14; issue 14 finding 9): {"code", "message", "errors"}
for unknown paths, methods, bodies that cannot be parsed, keys that are wrong, fields that are bad and
server errors; and every API answer says what makes it personal (Vary) and is private when it is."""

from __future__ import annotations

import pytest
from django.test import Client

from certhub.api import api

pytestmark = pytest.mark.django_db

VARY = {"X-API-Key", "Authorization", "Cookie"}


def vary(response) -> set[str]:
    return {v.strip() for v in response.get("Vary", "").split(",") if v.strip()}


@pytest.mark.parametrize(
    ("method", "path", "body", "content_type", "status", "expected"),
    [
        ("get", "/api/v1/nope", None, None, 404,
         {"code": "not_found", "message": "没有这个接口或记录：GET /api/v1/nope", "errors": {}}),
        ("get", "/api/v1/ledger/entries/abc", None, None, 404,
         {"code": "not_found", "message": "没有这个接口或记录：GET /api/v1/ledger/entries/abc", "errors": {}}),
        ("delete", "/api/v1/certificates", None, None, 405,
         {"code": "method_not_allowed", "message": "此接口不支持该请求方法", "errors": {}}),
        ("post", "/api/v1/certificates", "{bad", "text/plain", 400,
         {"code": "bad_request", "message": "请求无法解析", "errors": {}}),
        ("post", "/api/v1/certificates", "a=%ZZ", "application/x-www-form-urlencoded", 400,
         {"code": "bad_request", "message": "请求无法解析", "errors": {}}),
        ("post", "/api/v1/certificates", "{bad", "application/json", 400,
         {"code": "bad_json", "message": "请求体不是合法的JSON：unexpected character, expected a string key: line 1 "
          "column 2 (char 1)", "errors": {}}),
    ],
    ids=["unknown-path", "unknown-subpath", "method", "text-body", "form-body", "json-syntax"],
)  # fmt: skip
def test_errors_outside_our_handlers_have_the_one_shape(
    client, world, method, path, body, content_type, status, expected
):
    kwargs = {"data": body, "content_type": content_type} if body is not None else {}
    response = getattr(client, method)(path, HTTP_X_API_KEY=world.api_keys["cb_hunan"], **kwargs)
    assert (response.status_code, response["Content-Type"], response.json()) == (status, "application/json", expected)
    if status == 405:
        assert sorted(response["Allow"].split(", ")) == ["GET", "POST"]


def test_errors_of_our_handlers_keep_the_shape(client, world):
    wrong = client.get("/api/v1/trace/certificate/CNCA-QMS-2025-0002", HTTP_X_API_KEY="chk_wrong")
    assert (wrong.status_code, set(wrong.json())) == (401, {"code", "message", "errors"})
    assert vary(wrong) >= VARY and wrong["Cache-Control"] == "private"  # answered before any view
    nul = client.get("/api/v1/certificates", {"q": "a\x00b"})
    assert (nul.status_code, nul.json()["errors"], vary(nul) >= VARY) == (
        422,
        {"q": ["含有NUL字符（\\0） · contains a NUL character"]},
        True,
    )
    bad = client.get("/api/v1/certificates", {"limit": "abc"})
    assert (bad.status_code, bad.json()["code"], list(bad.json()["errors"])) == (422, "validation_failed", ["limit"])
    missing = client.get("/api/v1/certificates/NO-SUCH-1")
    assert (missing.status_code, missing.json()) == (
        404,
        {"code": "not_found", "message": "登记库中没有编号为“NO-SUCH-1”的证书", "errors": {}},
    )


def test_a_server_error_has_the_shape_too(world, monkeypatch):
    """A fault in a view still answers JSON, without the trace."""
    from certhub.registry import api as registry_api

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(registry_api, "public_certificate_record", broken)
    response = Client(raise_request_exception=False).get("/api/v1/certificates/CNCA-QMS-2025-0002")
    assert (response.status_code, response.json()) == (
        500,
        {"code": "server_error", "message": "服务器内部错误，请稍后再试", "errors": {}},
    )


def test_trace_answers_vary_by_key_and_keyed_ones_are_private(client, world):
    anonymous = client.get("/api/v1/trace/certificate/CNCA-QMS-2025-0002")
    keyed = client.get("/api/v1/trace/certificate/CNCA-QMS-2025-0002", HTTP_X_API_KEY=world.api_keys["cb_hunan"])
    bearer = client.get(
        "/api/v1/trace/certificate/CNCA-QMS-2025-0002", HTTP_AUTHORIZATION=f"Bearer {world.api_keys['cb_hunan']}"
    )
    assert (anonymous.json()["view"], keyed.json()["view"], bearer.json()["view"]) == ("public", "full", "full")
    for response in (anonymous, keyed, bearer):
        assert vary(response) >= VARY
    assert anonymous.get("Cache-Control") is None
    assert (keyed["Cache-Control"], bearer["Cache-Control"]) == ("private", "private")


def test_every_api_answer_varies_by_key_and_a_signed_in_one_is_private(client, world):
    public = client.get("/api/v1/certificates", {"q": "CNCA"})
    assert vary(public) >= VARY and public.get("Cache-Control") is None
    client.force_login(world.users["cb_hunan"])
    signed_in = client.get("/api/v1/certificates", {"q": "CNCA"})
    assert vary(signed_in) >= VARY and signed_in["Cache-Control"] == "private"


def test_the_lean_lookup_varies_too():
    from certhub.registry.fast_lookup import RESPONSE_HEADERS

    assert (b"vary", b"X-API-Key, Authorization, Cookie") in RESPONSE_HEADERS


def test_the_declared_error_schema_is_the_shape():
    schema = api.get_openapi_schema()["components"]["schemas"]["ErrorOut"]
    assert sorted(schema["properties"]) == ["code", "errors", "message"]
