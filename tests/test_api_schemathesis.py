"""The whole of API v1 against its own OpenAPI document (schemathesis, every check — the `--checks all`
of the command line), anonymously and with an API key of each kind (C14: the security checks run in CI,
on SQLite and on PostgreSQL like every other test).

Every operation the document lists is generated for, positive and negative cases, and every response must
be one the operation declares, with the declared content type and a body matching the declared schema and
headers; a request the schema forbids must be refused; an operation that declares it needs a key must refuse
a call without one; none may answer 5xx. The first test calls Django's WSGI application in-process (the same
middleware as a live server), each request committing or failing alone as in production; the second runs the
`schemathesis` command over real HTTP for the phases the first does not generate.

Budget: `MAX_EXAMPLES` (8) examples per operation, mode and caller: 31 operations × 2 modes × 5 callers. The
file takes about 75 s of CPU; 1.5–2.5 minutes of wall time on two cores shared with other work. Hypothesis is
derandomized and the command's seed fixed, so a failure reproduces exactly."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.specs.openapi.checks import positive_data_acceptance

from certhub.core.actions import do_issue_api_key
from certhub.core.actors import SYSTEM
from certhub.core.choices import ApiScope, Role
from certhub.wsgi import application

MAX_EXAMPLES = 8
# Requests the schema allows, and requests it forbids (which must be refused with a 4xx).
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]

# The callers: anonymous, and one key per grant CertHub issues — (organization in the test world, role,
# scopes; None is the role's default scopes). A key without `read` reads as the public; a key with a
# writing scope alone may write and nothing more (C14 least privilege).
KEY_CALLERS: dict[str, tuple[str, str, list[str] | None]] = {
    "public_read": ("maker", Role.PUBLIC, [ApiScope.READ]),
    "public_joint_punishment_query": ("maker", Role.PUBLIC, [ApiScope.JOINT_PUNISHMENT_QUERY]),
    "enterprise_read": ("maker", Role.ENTERPRISE, [ApiScope.READ]),
    "certification_body": ("cb_hunan", Role.CERTIFICATION_BODY, None),
    "certification_body_submit_only": ("cb_hunan", Role.CERTIFICATION_BODY, [ApiScope.SUBMIT_CERTIFICATES]),
    "lab": ("lab", Role.LAB, None),
    "lab_submit_only": ("lab", Role.LAB, [ApiScope.SUBMIT_REPORTS]),
}

# What this test does not hold the API to, and why (each is a property of the data, not of the schema):
# - positive_data_acceptance: scheme codes, region codes, certificate numbers, credit codes, ledger sizes
#   and seal texts are data (rows in the registry, the log's current size, a signature), not enums or bounds
#   in the schema, so a schema-valid request naming one that does not exist — or a QR text that is not a
#   genuine seal — is correctly refused (404 / 422) rather than accepted.
EXCLUDED_CHECKS = [positive_data_acceptance]


def all_checks() -> list[Any]:
    load_all_checks()
    return [check for check in CHECKS.get_all() if check not in EXCLUDED_CHECKS]


def api_keys(world: Any) -> dict[str, str]:
    keys = {}
    for caller, (organization, role, scopes) in KEY_CALLERS.items():
        _key, secret = do_issue_api_key(
            organization=world.organizations[organization],
            name=f"schemathesis {caller}",
            role=role,
            scopes=scopes,
            rate_limit=10_000,
            actor=SYSTEM,
        )
        keys[caller] = secret
    return keys


CALLERS = ["anonymous", *KEY_CALLERS]


@pytest.mark.django_db(transaction=True)  # each request commits or fails alone, as in production
@pytest.mark.parametrize("caller", CALLERS)
def test_every_operation_conforms_to_the_published_schema(caller, world, settings):
    settings.CERTHUB_ANONYMOUS_RATE_LIMIT = 0  # the limit itself is tested on its own; here it would only end the run
    headers = {} if caller == "anonymous" else {"X-API-Key": api_keys(world)[caller]}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    checks = all_checks()
    failures: list[str] = []
    for operation, mode in itertools.product(operations, MODES):
        if mode is GenerationMode.NEGATIVE and not (list(operation.iter_parameters()) or len(operation.body)):
            continue  # nothing to send wrong: an operation without parameters or body has no negative case

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=True,
        )
        def conforms(case):
            case.call_and_validate(headers=headers, checks=checks)

        try:
            conforms()
        except BaseExceptionGroup as group:  # collect every operation's failures, then report them all
            failures.append(f"{mode.value} {operation.method.upper()} {operation.path}: {group}")
        except Unsatisfiable:
            # Every parameter of the operation accepts any string (path parameters such as a credit code
            # are checked by CertHub, not by the schema), so no request exists that the schema forbids.
            assert mode is GenerationMode.NEGATIVE, (operation.path, "no positive case")
        except AssertionError as failure:
            failures.append(f"{mode.value} {operation.method.upper()} {operation.path}: {failure}")
    assert failures == [], "\n\n".join(failures)


@pytest.mark.django_db(transaction=True)
def test_the_command_line_run_with_every_check_and_phase_is_clean(live_server, world, settings, tmp_path):
    """The `schemathesis run --checks all` of the command line, over real HTTP, for what the test above does
    not generate: the examples and coverage phases (boundary values, every missing required parameter,
    methods the document does not list — which must answer 405 with Allow) and the stateful phase
    (sequences of calls linked by the document). Fuzzing is the test above's part; anonymous only, since
    these phases are about the document's shape and take most of the budget (about a minute)."""
    settings.CERTHUB_ANONYMOUS_RATE_LIMIT = 0
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{live_server.url}/api/v1/openapi.json",
        "--checks=all",
        f"--exclude-checks={','.join(check.__name__ for check in EXCLUDED_CHECKS)}",
        "--phases=examples,coverage,stateful",
        f"--max-examples={MAX_EXAMPLES}",
        # One at a time: the SQLite test database lives in memory with a shared cache, where two requests at
        # once fail with "database table is locked" (a file database in WAL mode waits instead; on PostgreSQL
        # two workers run clean).
        "--workers=1",
        "--seed=2026",
        "--continue-on-failure",
        "--no-color",
    ]
    # In a directory of its own: the command keeps a cache of what it found in the current directory.
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False, timeout=600)  # noqa: S603
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert re.search(r"\b(\d+) generated, \1 passed\b", done.stdout), done.stdout[-3000:]
