"""CERTHUB_ENV=production (issue 14, findings 5 and 6; C14): the settings refuse to start without each
requirement, naming it; with all of them `certhub check --deploy` is clean and the security settings are on;
the demo's command and its public password are refused. Each start is a real `certhub` process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from certhub.core.choices import Role
from certhub.core.models import User
from certhub.demo.generator.sizes import DEMO_PASSWORD
from certhub.demo.guard import RefuseDemoPassword

SECRET = "k3J9-vQ2xW8pL5mN0rT7yU4iO1aS6dF3gH8jK2lZ5xC9vB4nM7qE"  # 52 characters, for these tests only
SITE = "https://certhub.hunan.example"
DEMO_SECRET = "certhub-demo-only-not-secret-" + "x" * 32
PRODUCTION = {
    "CERTHUB_ENV": "production",
    "CERTHUB_SECRET_KEY": SECRET,
    "CERTHUB_ALLOWED_HOSTS": "certhub.hunan.example",
    "CERTHUB_SITE_URL": SITE,
    "CERTHUB_PROXY_SSL_HEADER": "X-Forwarded-Proto",
}


def certhub(tmp_path: Path, environment: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run `certhub …` with only the given CERTHUB_* variables (and a var directory of its own)."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("CERTHUB_")}
    inherited.pop("DJANGO_SETTINGS_MODULE", None)
    inherited.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the test run's own (conftest.py), never a deployment's
    env = {**inherited, "CERTHUB_VAR_DIR": str(tmp_path / "var"), **environment}
    return subprocess.run(  # noqa: S603 - this interpreter running certhub, with fixed arguments
        [sys.executable, "-m", "certhub", *arguments], env=env, capture_output=True, text=True, check=False, timeout=120
    )


def test_check_deploy_is_clean_in_production(tmp_path):
    done = certhub(tmp_path, PRODUCTION, "check", "--deploy")
    assert (done.returncode, done.stdout, done.stderr) == (0, "System check identified no issues (0 silenced).\n", "")


def test_check_deploy_in_development_names_what_production_would_fix(tmp_path):
    done = certhub(tmp_path, {}, "check", "--deploy")
    assert done.returncode == 0
    for warning in ["security.W004", "security.W008", "security.W012", "security.W016", "certhub.W001"]:
        assert warning in done.stderr


def test_production_turns_the_security_settings_on(tmp_path):
    names = [
        "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER", "CSRF_TRUSTED_ORIGINS",
        "ALLOWED_HOSTS", "CERTHUB_SITE_URL",
    ]  # fmt: skip
    script = (
        "import json; from django.conf import settings as s; "
        + f"print(json.dumps({{n: getattr(s, n) for n in {names}}}))"
    )
    done = certhub(tmp_path, PRODUCTION, "shell", "--no-imports", "-c", script)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "CSRF_TRUSTED_ORIGINS": [SITE],
        "ALLOWED_HOSTS": ["certhub.hunan.example"],
        "CERTHUB_SITE_URL": SITE,
    }


def test_each_production_setting_can_be_adjusted(tmp_path):
    adjusted = {
        **PRODUCTION,
        "CERTHUB_HSTS_SECONDS": "600",
        "CERTHUB_HSTS_INCLUDE_SUBDOMAINS": "0",
        "CERTHUB_HSTS_PRELOAD": "0",
        "CERTHUB_PROXY_SSL_HEADER": "X-Forwarded-Ssl",
        "CERTHUB_PROXY_SSL_VALUE": "on",
        "CERTHUB_CSRF_TRUSTED_ORIGINS": "https://certhub.hunan.example,https://www.certhub.hunan.example",
        "CERTHUB_SECRET_KEY_FALLBACKS": "the-previous-secret",
    }
    script = (
        "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SECURE_HSTS_PRELOAD, s.SECURE_PROXY_SSL_HEADER, s.CSRF_TRUSTED_ORIGINS, s.SECRET_KEY_FALLBACKS)"
    )
    done = certhub(tmp_path, adjusted, "shell", "--no-imports", "-c", script)
    assert done.stdout == (
        "600 False False ('HTTP_X_FORWARDED_SSL', 'on') "
        "['https://certhub.hunan.example', 'https://www.certhub.hunan.example'] ['the-previous-secret']\n"
    )


FIRST_LINE = "django.core.exceptions.ImproperlyConfigured: CERTHUB_ENV=production cannot start:"


WEAK = (
    "CERTHUB_SECRET_KEY is too weak: at least 50 characters, at least 5 different "
    "(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
)
NO_HOSTS = "CERTHUB_ALLOWED_HOSTS is not set (the host names CertHub answers to, comma-separated)"
NO_SITE = "CERTHUB_SITE_URL is not set (the public https:// address, e.g. https://certhub.example.cn)"
NO_PROXY_HEADER = (
    "CERTHUB_PROXY_SSL_HEADER is not set (the header the TLS-ending proxy sets, e.g. X-Forwarded-Proto; "
    "certhub serve speaks plain HTTP)"
)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"CERTHUB_SECRET_KEY": ""}, "CERTHUB_SECRET_KEY is not set"),
        ({"CERTHUB_SECRET_KEY": DEMO_SECRET}, "CERTHUB_SECRET_KEY is the public demo secret"),
        ({"CERTHUB_SECRET_KEY_FALLBACKS": DEMO_SECRET}, "CERTHUB_SECRET_KEY_FALLBACKS holds the public demo secret"),
        ({"CERTHUB_SECRET_KEY": "too-short-for-a-secret"}, WEAK),
        ({"CERTHUB_SECRET_KEY": "ab" * 40}, WEAK),
        ({"CERTHUB_ALLOWED_HOSTS": ""}, NO_HOSTS),
        ({"CERTHUB_ALLOWED_HOSTS": "certhub.hunan.example,*"}, "CERTHUB_ALLOWED_HOSTS must name the hosts, not '*'"),
        ({"CERTHUB_SITE_URL": ""}, NO_SITE),
        (
            {"CERTHUB_SITE_URL": "http://certhub.hunan.example"},
            "CERTHUB_SITE_URL must be an https:// address, not 'http://certhub.hunan.example'",
        ),
        (
            {"CERTHUB_SITE_URL": "https://elsewhere.example"},
            "CERTHUB_SITE_URL's host 'elsewhere.example' is not in CERTHUB_ALLOWED_HOSTS",
        ),
        ({"CERTHUB_PROXY_SSL_HEADER": ""}, NO_PROXY_HEADER),
        ({"CERTHUB_DEBUG": "1"}, "CERTHUB_DEBUG is on"),
    ],
)
def test_each_missing_requirement_stops_the_start_with_its_message(tmp_path, change, problem):
    done = certhub(tmp_path, {**PRODUCTION, **change}, "check")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.endswith(f"{FIRST_LINE}\n- {problem}\n")


def test_every_missing_requirement_is_named_at_once(tmp_path):
    done = certhub(tmp_path, {"CERTHUB_ENV": "production"}, "check")
    assert done.returncode == 1
    assert done.stderr.endswith(
        f"{FIRST_LINE}\n- CERTHUB_SECRET_KEY is not set\n- {NO_HOSTS}\n- {NO_SITE}\n- {NO_PROXY_HEADER}\n"
    )


def test_the_older_require_secret_switch_means_production(tmp_path):
    done = certhub(tmp_path, {"CERTHUB_REQUIRE_SECRET": "1"}, "check")
    assert done.returncode == 1
    assert f"{FIRST_LINE}\n- CERTHUB_SECRET_KEY is not set\n" in done.stderr


def test_an_unknown_environment_is_refused(tmp_path):
    done = certhub(tmp_path, {"CERTHUB_ENV": "prod"}, "check")
    assert done.returncode == 1
    assert done.stderr.endswith(
        "django.core.exceptions.ImproperlyConfigured: CERTHUB_ENV must be development or production, not 'prod'\n"
    )


def test_the_demo_command_refuses_to_run_in_production(tmp_path):
    done = certhub(tmp_path, PRODUCTION, "demo", "--size", "small")
    assert done.returncode == 1
    assert done.stderr == (
        "CommandError: certhub demo refuses to run under CERTHUB_ENV=production: "
        "it makes logins with a public password and an invented province\n"
    )
    assert sorted(p.name for p in (tmp_path / "var").iterdir()) == []  # no database, no key: nothing made


@pytest.fixture
def production_backends(settings):
    """The authentication backends and password validators as CERTHUB_ENV=production sets them."""
    settings.AUTHENTICATION_BACKENDS = ["certhub.demo.guard.RefuseDemoCredentials", *settings.AUTHENTICATION_BACKENDS]


@pytest.mark.django_db
def test_the_demo_password_signs_no_one_in_production(production_backends, client):
    demo = User.objects.create_user(username="demo_user", password=DEMO_PASSWORD, role=Role.PUBLIC)
    chosen = User.objects.create_user(username="chosen_user", password="a-real-officer-password-2026", role=Role.PUBLIC)
    request = RequestFactory().post("/login/")  # the throttle (django-axes) asks every sign-in for its request
    assert authenticate(request, username="demo_user", password=DEMO_PASSWORD) is None
    client.post("/login/", {"username": "demo_user", "password": DEMO_PASSWORD})
    assert "_auth_user_id" not in client.session
    demo.refresh_from_db()
    assert demo.last_login is None
    # Anyone else signs in as before.
    assert authenticate(request, username="chosen_user", password="a-real-officer-password-2026") == chosen


def test_no_one_may_choose_the_demo_password():
    with pytest.raises(ValidationError) as refused:
        RefuseDemoPassword().validate(DEMO_PASSWORD)
    assert refused.value.messages == ["该密码是公开的演示密码，不能使用"]
    RefuseDemoPassword().validate("another-password-2026")


def test_no_code_builds_a_link_from_the_request_host():
    """The class rule behind finding 9: absolute links come from CERTHUB_SITE_URL (core.absolute_urls) only.
    No module or template of CertHub reads the request's host or scheme to build one."""
    root = Path(__file__).resolve().parents[1] / "src" / "certhub"
    forbidden = ("build_absolute_uri", "get_host(", "request.scheme", "HTTP_HOST", "SERVER_NAME", "request.get_port")
    found = [
        f"{path.relative_to(root)}: {needle}"
        for path in sorted(root.rglob("*"))
        if path.suffix in {".py", ".html", ".txt"} and "tests" not in path.parts
        for needle in forbidden
        if needle in path.read_text(encoding="utf-8")
    ]
    assert found == []
