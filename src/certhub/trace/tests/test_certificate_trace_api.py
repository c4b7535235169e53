"""A certificate's trace over the API (C4 全过程追溯): its exact history with ledger proofs that verify against a signed
checkpoint, the public part and the full view differing in exactly the private fields, and who sees which."""

from __future__ import annotations

import datetime

import pytest

from certhub.core.models import AuditEvent
from certhub.ledger import checkpoints, log, merkle
from certhub.ledger.models import Checkpoint
from certhub.ledger.queries import entries_of
from certhub.registry import actions
from certhub.registry.models import Certificate
from certhub.trace.tests.helpers import (
    CCC,
    CERTIFICATE_PRIVATE,
    HUNAN,
    REPORT_SUMMARY,
    as_user,
    b64,
    differing_paths,
    get,
    verify_proofs,
)

pytestmark = pytest.mark.django_db


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
        certificate=traced.certificates["ccc"],
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
            certificate=traced.certificates["ccc"],
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
