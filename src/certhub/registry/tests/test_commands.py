"""The registry's console commands: load_reference, apikey."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from certhub.core.actions import find_api_key
from certhub.core.models import ApiKey


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_apikey_issue_list_revoke(world):
    uscc = world.organizations["cb_yueyang"].uscc
    output = run("apikey", "issue", "--organization", uscc, "--role", "CERTIFICATION_BODY", "--name", "批量上报")
    secret = output.splitlines()[-1]
    key = find_api_key(secret)
    assert (key.name, key.role, key.organization.uscc) == ("批量上报", "CERTIFICATION_BODY", uscc)
    assert secret not in ApiKey.objects.values_list("digest", flat=True)
    assert f"{key.prefix}  CERTIFICATION_BODY   批量上报  (live)" in run("apikey", "list", "--organization", uscc)
    run("apikey", "revoke", key.prefix)
    assert find_api_key(secret) is None
    with pytest.raises(CommandError, match="no organization with credit code 91000000000000000X"):
        run("apikey", "issue", "--organization", "91000000000000000X", "--role", "LAB", "--name", "x")


def test_load_reference_is_idempotent(db):
    assert run("load_reference") == (
        "regions changed: 0; schemes: 0, ccc_versions: 0, ccc_categories: 0, ccc_products: 0\n"
    )
