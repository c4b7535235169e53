"""Traces over the API (C4 全过程追溯、倒查追溯): a certificate's exact history with ledger proofs that verify
against a signed checkpoint, the public part and the full view differing in exactly the private fields,
who sees which, the report and organization traces, and every bad input refused with a clear 4xx."""

from __future__ import annotations

import base64
import datetime
from typing import Any

import pytest

from certhub.core.actors import SYSTEM
from certhub.core.models import AuditEvent
from certhub.ledger import checkpoints, log, merkle, note
from certhub.ledger.models import Checkpoint
from certhub.ledger.queries import entries_of
from certhub.registry import actions, trace_api
from certhub.registry.models import Certificate, Organization
from certhub.registry.testing import make_uscc

pytestmark = pytest.mark.django_db

CCC = "2025010701000123"
HUNAN = {"name": "湖南标准认证有限公司", "approval_number": "CNCA-R-2004-117"}
CCC_SCHEME = {"code": "CCC", "name": "强制性产品认证", "name_en": "China Compulsory Certification"}
QMS_SCHEME = {"code": "QMS", "name": "质量管理体系认证", "name_en": "Quality management system (ISO 9001)"}
ZHOU = {"name": "周敏", "valid_from": "2023-05-01", "valid_until": None}
LAB_REF = {"name": "湖南省产品质量检验检测研究院", "cma_number": "231812050341"}
REPORT_SUMMARY = {"number": "BG-2025-0001", "issue_date": "2025-06-01", "product": "家用电冰箱", "conclusion": "PASS",
                  "conclusion_label": "合格", "lab": LAB_REF, "signatory": ZHOU}  # fmt: skip
# The fields only the full view fills, as JSON paths of a certificate trace with two recorded steps.
CERTIFICATE_PRIVATE = {
    "view", "internal", "body_auditors",
    "events.0.actor_label", "events.0.changed_fields", "events.1.actor_label", "events.1.changed_fields",
}  # fmt: skip


@pytest.fixture
def traced(world, settings):
    """The world, with a report behind the CCC certificate, a recorded surveillance audit, and auditors on
    the body's books (one who left before the certificate was issued)."""
    settings.LEDGER_CHECKPOINT_INTERVAL = 0  # a fresh checkpoint whenever the ledger grew
    settings.CERTHUB_ANONYMOUS_RATE_LIMIT = 0
    org = world.organizations
    world.reports = {
        "fridge": actions.do_create_test_report(
            world.labs["main"],
            number="BG-2025-0001",
            signatory=world.signatories["zhou"],
            issue_date=datetime.date(2025, 6, 1),
            conclusion="PASS",
            client=org["maker"],
            product="家用电冰箱",
            items=[{"parameter": "绝缘电阻", "standard": "GB 4706.1-2005", "result": "合格"}],
            actor=world.actor("lab"),
        ),
        # Same client, a sample no certificate of it names: behind nothing.
        "rice": actions.do_create_test_report(
            world.labs["main"],
            number="BG-2025-0002",
            signatory=world.signatories["zhou"],
            issue_date=datetime.date(2025, 7, 1),
            conclusion="FAIL",
            client=org["maker"],
            product="大米",
            items=[
                {"parameter": "铅", "standard": "GB 5009.12-2023", "result": "0.3 mg/kg"},
                {"parameter": "镉", "standard": "GB 5009.15-2023", "result": "0.1 mg/kg"},
            ],
            actor=world.actor("lab"),
        ),
    }
    world.certificates["ccc"] = actions.do_record_surveillance(
        world.certificates["ccc"], audit_date=datetime.date(2025, 4, 15), actor=world.actor("cb_hunan")
    )
    for name, start, end in (
        ("王审核", datetime.date(2020, 1, 1), None),
        ("李离职", datetime.date(2018, 1, 1), datetime.date(2024, 12, 31)),
    ):
        person = actions.do_create_person(name=name, roles=["AUDITOR"], actor=SYSTEM)
        actions.do_add_affiliation(
            person, organization=org["cb_hunan"], role="AUDITOR", start=start, end=end, actor=SYSTEM
        )
    return world


def get(client, path: str, **params: str) -> Any:
    return client.get(f"/api/v1/trace/{path}", params)


def as_user(client, world, username: str | None):
    client.logout()
    if username:
        client.force_login(world.users[username])
    return client


def b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def verify_proofs(trace: dict[str, Any]) -> list[int]:
    """Check a trace as a client would: the checkpoint's signature with the log's key, then each entry's
    leaf hash and inclusion proof against the checkpoint's root. Returns the indexes proved."""
    checkpoint = trace["checkpoint"]
    verifier = checkpoints.signer().verifier()
    assert checkpoint["verifier_key"] == str(verifier)
    body = note.Checkpoint.parse(note.open_note(checkpoint["note"], [verifier]).text)
    assert (body.size, base64.b64encode(body.root_hash).decode()) == (checkpoint["tree_size"], checkpoint["root_hash"])
    proved = []
    for event in trace["events"]:
        ledger = event["ledger"]
        leaf = b64(ledger["leaf_hash"])
        assert leaf == merkle.leaf_hash(ledger["entry"].encode())
        if ledger["proof_status"] == "included":
            merkle.verify_inclusion(leaf, ledger["index"], body.size, [b64(p) for p in ledger["proof"]], body.root_hash)
            proved.append(ledger["index"])
    return proved


def differing_paths(a: Any, b: Any, prefix: str = "") -> set[str]:
    """The JSON paths where two documents differ (a whole subtree counts once when one side is null)."""
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        return {p for k in a for p in differing_paths(a[k], b[k], f"{prefix}{k}.")}
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return {p for i, (x, y) in enumerate(zip(a, b, strict=True)) for p in differing_paths(x, y, f"{prefix}{i}.")}
    return set() if a == b else {prefix.rstrip(".")}


# ---------------------------------------------------------------- a certificate


def test_certificate_trace_gives_the_exact_history_with_proofs_that_verify(client, traced):
    certificate = traced.certificates["ccc"]
    response = get(client, f"certificate/{CCC}")
    assert response.status_code == 200
    trace = response.json()
    assert trace["view"] == "public"
    # The certificate part is the public record GET /certificates/{number} serves, ledger indexes included.
    assert trace["certificate"] == client.get(f"/api/v1/certificates/{CCC}", {"body": HUNAN["approval_number"]}).json()
    assert trace["certificate"]["history"] == [
        {"from_status": None, "to_status": "ACTIVE", "date": "2025-03-01", "reason": "发证"}
    ]
    entries = entries_of("registry.certificate", str(certificate.pk))
    assert len(entries) == 2
    audits = list(AuditEvent.objects.filter(subject_type="registry.certificate", subject_id=str(certificate.pk)))
    assert trace["events"] == [
        {
            "time": audit.time.isoformat(),
            "subject_type": "registry.certificate",
            "event_type": event_type,
            "event_label": label,
            "actor_role": "CERTIFICATION_BODY",
            "actor_role_label": "认证机构",
            "actor_label": None,
            "changed_fields": None,
            "from_status": None,
            "to_status": to_status,
            "surveillance_date": surveyed,
            "ledger": {
                "index": entry.index,
                "leaf_hash": log.b64(entry.leaf_hash),
                "entry": entry.entry,
                "proof": [log.b64(h) for h in log.inclusion_proof(entry.index, trace["checkpoint"]["tree_size"])],
                "proof_status": "included",
            },
        }
        for audit, entry, (event_type, label, to_status, surveyed) in zip(
            audits,
            entries,
            [
                ("CERTIFICATE_CREATED", "证书登记", "ACTIVE", None),
                ("CERTIFICATE_SURVEILLANCE_RECORDED", "监督审核记录", None, "2025-04-15"),
            ],
            strict=True,
        )
    ]
    assert trace["certificate"]["ledger_indexes"] == [e.index for e in entries]
    assert verify_proofs(trace) == [e.index for e in entries]
    latest = Checkpoint.objects.order_by("-tree_size").first()
    assert trace["checkpoint"] == {
        "tree_size": latest.tree_size,
        "root_hash": log.b64(bytes(latest.root_hash)),
        "note": latest.note,
        "verifier_key": checkpoints.verifier_key(),
    }
    assert trace["surveillance"] == [
        {"audit_date": "2025-04-15", "recorded_at": audits[1].time.isoformat(), "ledger_index": entries[1].index}
    ]
    assert trace["certification_body"] == {
        **HUNAN,
        "accreditation": "CNAS C117-M",
        "status": "ACTIVE",
        "uscc": traced.organizations["cb_hunan"].uscc,
        "region": {"code": "430100", "name": "长沙市"},
    }
    # Behind it: the maker's fridge report (the rice report names a sample the certificate does not).
    assert trace["test_reports"] == [REPORT_SUMMARY]
    assert (trace["internal"], trace["body_auditors"], trace["inspections"], trace["complaints"]) == (
        None,
        None,
        [],
        [],
    )


def test_a_proof_does_not_verify_for_another_entry_or_root(client, traced):
    trace = get(client, f"certificate/{CCC}").json()
    first, second = (event["ledger"] for event in trace["events"])
    root, size = b64(trace["checkpoint"]["root_hash"]), trace["checkpoint"]["tree_size"]
    with pytest.raises(merkle.ProofError, match="different root"):
        merkle.verify_inclusion(b64(second["leaf_hash"]), first["index"], size, [b64(p) for p in first["proof"]], root)
    with pytest.raises(merkle.ProofError, match="different root"):
        merkle.verify_inclusion(
            b64(first["leaf_hash"]),
            first["index"],
            size,
            [b64(p) for p in first["proof"]],
            merkle.leaf_hash(b"not the root"),
        )


def test_entries_newer_than_the_checkpoint_wait_for_the_next_one(client, traced, settings):
    settings.LEDGER_CHECKPOINT_INTERVAL = 3600
    before = get(client, f"certificate/{CCC}").json()
    size = before["checkpoint"]["tree_size"]
    actions.do_change_certificate_status(
        traced.certificates["ccc"],
        to_status="SUSPENDED",
        effective_date=datetime.date(2025, 10, 8),
        reason="抽查不合格",
        actor=traced.actor("cb_hunan"),
    )
    after = get(client, f"certificate/{CCC}").json()
    assert after["checkpoint"] == before["checkpoint"]  # not due yet: the same checkpoint
    newest = after["events"][-1]
    assert (newest["event_type"], newest["from_status"], newest["to_status"]) == (
        "CERTIFICATE_STATUS_CHANGED",
        "ACTIVE",
        "SUSPENDED",
    )
    assert newest["ledger"]["index"] == size
    assert (newest["ledger"]["proof"], newest["ledger"]["proof_status"]) == (None, "pending")
    assert verify_proofs(after) == [e["ledger"]["index"] for e in before["events"]]
    settings.LEDGER_CHECKPOINT_INTERVAL = 0
    again = get(client, f"certificate/{CCC}").json()
    assert again["checkpoint"]["tree_size"] == size + 1
    assert verify_proofs(again) == [*verify_proofs(after), size]


def test_public_and_full_views_differ_exactly_in_the_private_fields(client, traced):
    public = get(client, f"certificate/{CCC}")
    full = get(as_user(client, traced, "officer_changsha"), f"certificate/{CCC}")
    assert differing_paths(public.json(), full.json()) == CERTIFICATE_PRIVATE
    # Who recorded the steps and the auditors' names never reach the public.
    for private_text in ("cb_hunan", "王审核"):
        assert private_text not in public.content.decode()
        assert private_text in full.content.decode()
    trace = full.json()
    certificate = Certificate.objects.get(pk=traced.certificates["ccc"].pk)
    assert trace["view"] == "full"
    assert trace["internal"] == {
        "reporting_lag_days": certificate.reporting_lag_days,
        "last_surveillance_date": "2025-04-15",
        "registered_at": certificate.created_at.isoformat(),
        "updated_at": certificate.updated_at.isoformat(),
    }
    assert trace["body_auditors"] == [
        {"name": "王审核", "role": "AUDITOR", "role_label": "审核员", "start": "2020-01-01", "end": None}
    ]
    assert [(e["actor_label"], e["changed_fields"]) for e in trace["events"]] == [
        (
            "cb_hunan",
            sorted(
                [
                    "certification_body_id",
                    "number",
                    "scheme_id",
                    "holder_id",
                    "scope",
                    "ccc_product_id",
                    "products",
                    "sites",
                    "standards",
                    "particulars",
                    "original_issue_date",
                    "issue_date",
                    "expiry_date",
                    "status",
                    "status_changed_on",
                ]
            ),
        ),
        ("cb_hunan", ["last_surveillance_date"]),
    ]


@pytest.mark.parametrize(
    ("username", "view"),
    [
        (None, "public"),
        ("maker", "public"),
        ("lab", "public"),
        ("cb_yueyang", "public"),
        # An officer of another region gets the public part: never less than an anonymous visitor.
        ("officer_hengyang", "public"),
        ("officer_changsha", "full"),
        ("officer_province", "full"),
        ("admin", "full"),
        ("cb_hunan", "full"),
    ],
)
def test_who_sees_a_certificate_trace_in_full(client, traced, username, view):
    response = get(as_user(client, traced, username), f"certificate/{CCC}")
    assert (response.status_code, response.json()["view"]) == (200, view)
    assert (response.json()["internal"] is None) == (view == "public")


def test_a_body_key_sees_its_own_certificates_in_full(client, traced):
    own = client.get(f"/api/v1/trace/certificate/{CCC}", HTTP_X_API_KEY=traced.api_keys["cb_hunan"])
    other = client.get(f"/api/v1/trace/certificate/{CCC}", HTTP_X_API_KEY=traced.api_keys["cb_yueyang"])
    assert (own.json()["view"], other.json()["view"]) == ("full", "public")
    assert own.json()["events"][0]["actor_label"] == "cb_hunan"


def test_a_draft_is_traced_only_by_those_who_see_it(client, traced):
    number = "CNCA-QMS-2025-0003"
    not_found = {"code": "not_found", "message": f"登记库中没有编号为“{number}”的证书", "errors": {}}
    for username in (None, "officer_hengyang", "cb_yueyang", "maker"):
        response = get(as_user(client, traced, username), f"certificate/{number}")
        assert (response.status_code, response.json()) == (404, not_found), username
    for username in ("officer_changsha", "cb_hunan"):
        trace = get(as_user(client, traced, username), f"certificate/{number}").json()
        assert (trace["view"], trace["certificate"]["status"], trace["events"][0]["to_status"]) == (
            "full",
            "DRAFT",
            "DRAFT",
        )


def test_a_number_two_bodies_use_is_refused_until_the_body_is_named(client, traced):
    response = get(client, "certificate/CNCA-QMS-2025-0001")
    assert (response.status_code, response.json()) == (
        409,
        {
            "code": "ambiguous",
            "message": "多个认证机构使用此编号，请用body参数指定",
            "errors": {"body": ["CNCA-R-2004-117", "CNCA-R-2011-089"]},
        },
    )
    yueyang = get(client, "certificate/CNCA-QMS-2025-0001", body="CNCA-R-2011-089").json()
    assert (yueyang["certificate"]["holder"]["name"], yueyang["certification_body"]["approval_number"]) == (
        "衡阳湘江机械制造有限公司",
        "CNCA-R-2011-089",
    )
    # The same number, as the certificate endpoint answers it.
    assert client.get("/api/v1/certificates/CNCA-QMS-2025-0001").json()["errors"] == response.json()["errors"]


def test_tracing_changes_nothing_but_the_checkpoint(client, traced):
    counts = (AuditEvent.objects.count(), Certificate.objects.count(), log.tree_size())
    get(client, f"certificate/{CCC}")
    get(client, "report/BG-2025-0001")
    get(client, f"organization/{traced.organizations['maker'].uscc}")
    assert (AuditEvent.objects.count(), Certificate.objects.count(), log.tree_size()) == counts


def test_the_query_count_does_not_grow_with_the_history(client, traced):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    get(client, f"certificate/{CCC}")  # the first call signs a checkpoint
    with CaptureQueriesContext(connection) as short:
        get(client, f"certificate/{CCC}")
    for day, status in ((2, "SUSPENDED"), (3, "ACTIVE"), (4, "SUSPENDED"), (5, "ACTIVE")):
        actions.do_change_certificate_status(
            traced.certificates["ccc"],
            to_status=status,
            reason="监督抽查",
            effective_date=datetime.date(2025, 10, day),
            actor=traced.actor("cb_hunan"),
        )
    get(client, f"certificate/{CCC}")
    with CaptureQueriesContext(connection) as long:
        trace = get(client, f"certificate/{CCC}").json()
    assert len(trace["events"]) == 6
    assert len(long.captured_queries) == len(short.captured_queries)


# ---------------------------------------------------------------- a test report


def test_report_trace_checks_items_against_the_scopes_and_links_the_certificate(client, traced):
    trace = get(client, "report/BG-2025-0001").json()
    lab = traced.labs["main"]
    assert trace["view"] == "public"
    assert trace["report"] == {
        **REPORT_SUMMARY,
        "lab": {
            **LAB_REF,
            "cma_valid_from": "2023-05-01",
            "cma_valid_until": "2029-04-30",
            "status": "ACTIVE",
            "uscc": lab.organization.uscc,
        },
        "client": {"name": "长沙星城电器有限公司", "uscc": traced.organizations["maker"].uscc},
        "cma_valid_on_issue_date": True,
        "signatory_valid_on_issue_date": True,
        "items": [
            {
                "parameter": "绝缘电阻",
                "standard": "GB 4706.1-2005",
                "result": None,
                "within_lab_scope": True,
                "within_signatory_scope": True,
            }
        ],
        "registered_at": None,
    }
    assert trace["certificates"] == [
        {
            "number": CCC,
            "status": "ACTIVE",
            "status_label": "有效",
            "scheme": CCC_SCHEME,
            "certification_body": HUNAN,
            "holder_name": "长沙星城电器有限公司",
            "issue_date": "2025-03-01",
            "expiry_date": "2030-02-28",
            "matched_on": ["ccc_product", "products", "scope"],
        }
    ]
    assert [(e["event_type"], e["actor_role"], e["actor_label"]) for e in trace["events"]] == [
        ("TEST_REPORT_CREATED", "LAB", None)
    ]
    assert verify_proofs(trace) == [
        e.index for e in entries_of("registry.testreport", str(traced.reports["fridge"].pk))
    ]
    assert (trace["inspections"], trace["complaints"]) == ([], [])


def test_a_report_outside_the_signatory_or_lab_scope_says_so(client, traced):
    items = get(client, "report/BG-2025-0002").json()["report"]["items"]
    # 铅 is in the lab's scope but not in 周敏's; 镉 is in neither.
    assert [(i["parameter"], i["within_lab_scope"], i["within_signatory_scope"]) for i in items] == [
        ("铅", True, False),
        ("镉", False, False),
    ]
    assert get(client, "report/BG-2025-0002").json()["certificates"] == []


@pytest.mark.parametrize(
    ("username", "view"),
    [
        (None, "public"),
        ("officer_hengyang", "public"),
        ("cb_hunan", "public"),
        ("lab", "full"),
        ("officer_changsha", "full"),
        ("admin", "full"),
    ],
)
def test_who_sees_a_report_in_full(client, traced, username, view):
    trace = get(as_user(client, traced, username), "report/BG-2025-0002").json()
    assert trace["view"] == view
    expected = [("0.3 mg/kg", "lab"), ("0.1 mg/kg", "lab")] if view == "full" else [(None, None), (None, None)]
    assert [(i["result"], trace["events"][0]["actor_label"]) for i in trace["report"]["items"]] == expected
    assert (trace["report"]["registered_at"] is None) == (view == "public")


def test_a_report_number_two_labs_use_is_refused_until_the_lab_is_named(client, traced):
    organization = actions.do_create_organization(
        {"uscc": make_uscc(7, "430400"), "name": "衡阳市检验检测中心", "region": "430400"}, actor=SYSTEM
    )
    other = actions.do_create_lab(
        organization=organization,
        name=organization.name,
        cma_number="201918000001",
        cma_valid_from=datetime.date(2020, 1, 1),
        cma_valid_until=datetime.date(2030, 1, 1),
        actor=SYSTEM,
    )
    scope = actions.do_add_lab_scope(
        other,
        field="电器",
        object="家用电器",
        parameter="绝缘电阻",
        standard="GB 4706.1-2005",
        valid_from=datetime.date(2020, 1, 1),
        actor=SYSTEM,
    )
    person = actions.do_create_person(name="赵签", roles=["SIGNATORY"], actor=SYSTEM)
    signatory = actions.do_authorize_signatory(
        other, person=person, scope=[scope], valid_from=datetime.date(2020, 1, 1), actor=SYSTEM
    )
    actions.do_create_test_report(
        other,
        number="BG-2025-0001",
        signatory=signatory,
        issue_date=datetime.date(2025, 8, 1),
        conclusion="PASS",
        items=[{"parameter": "绝缘电阻", "standard": "GB 4706.1-2005"}],
        actor=SYSTEM,
    )
    response = get(client, "report/BG-2025-0001")
    assert (response.status_code, response.json()) == (
        409,
        {
            "code": "ambiguous",
            "message": "多个检验检测机构使用此报告编号，请用lab参数指定",
            "errors": {"lab": ["201918000001", "231812050341"]},
        },
    )
    chosen = get(client, "report/BG-2025-0001", lab="201918000001").json()["report"]
    assert (chosen["lab"]["name"], chosen["signatory"]["name"], chosen["client"]) == (
        "衡阳市检验检测中心",
        "赵签",
        None,
    )
    assert get(client, "report/BG-2025-0001", lab="231812050341").json()["report"]["signatory"] == ZHOU


# ---------------------------------------------------------------- an organization


def test_organization_trace_lists_its_certificates_reports_and_records(client, traced):
    maker = traced.organizations["maker"]
    trace = get(client, f"organization/{maker.uscc.lower()}").json()
    assert trace["view"] == "public"
    assert trace["organization"] == {
        "uscc": maker.uscc,
        "name": "长沙星城电器有限公司",
        "region": {"code": "430104", "name": "岳麓区"},
        "industry_section": "C",
        "industry_division": "38",
        "above_designated_size": True,
    }
    assert (trace["certification_body"], trace["lab"], trace["people"]) == (None, None, None)
    # Public certificates only (the draft is the body's and its officers'), newest first.
    assert [(c["number"], c["status"], c["scheme"]) for c in trace["certificates"]] == [
        (CCC, "ACTIVE", CCC_SCHEME),
        ("CNCA-QMS-2025-0001", "ACTIVE", QMS_SCHEME),
    ]
    assert trace["certificate_count"] == 2
    assert [r["number"] for r in trace["test_reports"]] == ["BG-2025-0002", "BG-2025-0001"]
    assert trace["test_report_count"] == 2
    assert [(e["event_type"], e["actor_role_label"], e["actor_label"]) for e in trace["events"]] == [
        ("ORGANIZATION_CREATED", "系统管理员", None)
    ]
    assert verify_proofs(trace) == [e.index for e in entries_of("registry.organization", str(maker.pk))]

    full = get(as_user(client, traced, "officer_changsha"), f"organization/{maker.uscc}").json()
    assert full["view"] == "full"
    assert [c["number"] for c in full["certificates"]] == [CCC, "CNCA-QMS-2025-0003", "CNCA-QMS-2025-0001"]
    assert (full["certificate_count"], full["people"], full["events"][0]["actor_label"]) == (3, [], "system")


def test_a_labs_organization_trace_shows_its_qualification_people_and_records(client, traced):
    lab = traced.organizations["lab"]
    public = get(client, f"organization/{lab.uscc}").json()
    assert public["lab"] == {
        **LAB_REF,
        "cma_valid_from": "2023-05-01",
        "cma_valid_until": "2029-04-30",
        "status": "ACTIVE",
        "uscc": lab.uscc,
    }
    assert [(e["subject_type"], e["event_type"]) for e in public["events"]] == [
        ("registry.organization", "ORGANIZATION_CREATED"),
        ("registry.lab", "LAB_CREATED"),
    ]
    assert len(verify_proofs(public)) == 2
    full = get(as_user(client, traced, "lab"), f"organization/{lab.uscc}").json()
    assert full["people"] == [
        {"name": "周敏", "role": "SIGNATORY", "role_label": "授权签字人", "start": "2020-01-01", "end": None}
    ]
    body = get(client, f"organization/{traced.organizations['cb_hunan'].uscc}").json()
    assert body["certification_body"]["approval_number"] == "CNCA-R-2004-117"
    assert [e["event_type"] for e in body["events"]] == ["ORGANIZATION_CREATED", "CERTIFICATION_BODY_CREATED"]


def test_an_officer_of_another_region_gets_an_organizations_public_part(client, traced):
    maker = traced.organizations["maker"].uscc
    public = get(client, f"organization/{maker}").json()
    assert get(as_user(client, traced, "officer_hengyang"), f"organization/{maker}").json() == public


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("path", "params", "status", "code", "errors", "message"),
    [
        ("certificate/NOPE-1", {}, 404, "not_found", {}, "登记库中没有编号为“NOPE-1”的证书"),
        (f"certificate/{CCC}", {"body": "CNCA-R-2011-089"}, 404, "not_found", {}, f"登记库中没有编号为“{CCC}”的证书"),
        (
            f"certificate/{CCC}",
            {"body": "X" * 65},
            422,
            "validation_failed",
            {"body": ["String should have at most 64 characters"]},
            "body: String should have at most 64 characters",
        ),
        ("report/NOPE-1", {}, 404, "not_found", {}, "登记库中没有编号为“NOPE-1”的检验检测报告"),
        (
            "report/BG-2025-0001",
            {"lab": "201918000001"},
            404,
            "not_found",
            {},
            "登记库中没有编号为“BG-2025-0001”的检验检测报告",
        ),
        (
            "report/BG-2025-0001",
            {"lab": "9" * 33},
            422,
            "validation_failed",
            {"lab": ["String should have at most 32 characters"]},
            "lab: String should have at most 32 characters",
        ),
        (
            "organization/123",
            {},
            422,
            "validation_failed",
            {"uscc": ["统一社会信用代码须为18位，收到3位"]},
            "uscc: 统一社会信用代码须为18位，收到3位",
        ),
        (
            "organization/914301000000000010",
            {},
            422,
            "validation_failed",
            {"uscc": ["统一社会信用代码校验位错误"]},
            "uscc: 统一社会信用代码校验位错误",
        ),
        (
            f"organization/{make_uscc(999, '430100')}",
            {},
            404,
            "not_found",
            {},
            f"没有统一社会信用代码为“{make_uscc(999, '430100')}”的机构",
        ),
        (
            "certificate/A%00B",
            {},
            422,
            "validation_failed",
            {"path": ["含有NUL字符（\\0） · contains a NUL character"]},
            "path: 含有NUL字符（\\0） · contains a NUL character",
        ),
    ],
    ids=[
        "unknown-number",
        "wrong-body",
        "long-body",
        "unknown-report",
        "wrong-lab",
        "long-lab",
        "short-uscc",
        "uscc-check-digit",
        "unknown-uscc",
        "nul",
    ],
)
def test_bad_input_is_refused_with_the_reason(client, traced, path, params, status, code, errors, message):
    response = get(client, path, **params)
    assert response.status_code == status
    assert response.json() == {"code": code, "message": message, "errors": errors}


def test_a_wrong_key_is_refused_not_ignored(client, traced):
    response = client.get(f"/api/v1/trace/certificate/{CCC}", HTTP_X_API_KEY="chk_wrong")
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")


def test_an_organization_the_registry_does_not_have_is_not_created(client, traced):
    code = make_uscc(999, "430100")
    get(client, f"organization/{code}")
    assert not Organization.objects.filter(uscc=code).exists()


def test_the_trace_endpoints_are_in_the_openapi_document(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    for path, schema, statuses in (
        ("/api/v1/trace/certificate/{number}", "CertificateTraceOut", {"200", "401", "404", "409", "422", "429"}),
        ("/api/v1/trace/report/{number}", "ReportTraceOut", {"200", "401", "404", "409", "422", "429"}),
        ("/api/v1/trace/organization/{uscc}", "OrganizationTraceOut", {"200", "401", "404", "422", "429"}),
    ):
        operation = spec["paths"][path]["get"]
        assert set(operation["responses"]) == statuses
        assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{schema}"
        }
        assert operation["description"]  # the docstring documents it
    # Each schema is ours under its own name (a name shared with another app's schema would replace it).
    components = spec["components"]["schemas"]
    assert list(components["CertificateTraceOut"]["properties"]) == list(trace_api.CertificateTraceOut.model_fields)
    assert list(components["TraceEventOut"]["properties"]) == list(trace_api.TraceEventOut.model_fields)
    assert list(components["TraceCheckpointOut"]["properties"]) == ["tree_size", "root_hash", "note", "verifier_key"]
