"""Licensing actions (C8). Every change of a case is one of these; pages, the API and the command call
them and nothing else.

Interface (keyword-only; each raises ValidationFailed / Conflict / NotPermitted / NotFound, nothing written):

- do_submit_application(licence_type, kind, track, uscc, particulars, region_code="", licence_number="",
  commitment_text="", actor) -> Application   (track COMMITMENT: granted at once, licence + check scheduled;
  refused while a ban applies, licensing.bans.refusing_ban)
- do_accept_application(application, assigned_to=None, actor) -> Application
- do_refuse_acceptance(application, reasons, actor) -> Application
- do_assign_application(application, assigned_to, actor) -> Application
- do_request_materials(application, items, actor) -> MaterialRequest
- do_answer_materials_request(request, note="", materials=(CheckedMaterial, …), actor) -> MaterialRequest
- do_add_materials(application, materials=(CheckedMaterial, …), actor) -> list[Material]
- do_request_opinions(application, departments=[…], question="", working_days=None, actor) -> list[OpinionRequest]
- do_answer_opinion(opinion, agrees, text, actor) -> OpinionRequest
- do_schedule_onsite_review(application, scheduled_on, reviewers="", actor) -> OnSiteReview
- do_record_onsite_review(review, outcome, findings="", concluded_on=None, rectification_days=None, actor)
- do_record_rectification(review, passed, note="", rectified_on=None, actor) -> OnSiteReview
- do_conclude_review(application, note="", actor) -> Application      (document review only)
- do_decide_application(application, decision=GRANT|REFUSE, reasons="", decision_number="", actor) -> Application
- do_grant_on_commitment(application, actor) -> Licence
- do_record_post_approval_check(check, outcome=CONFIRMED|FALSE_COMMITMENT, note, done_on=None,
  decision_number="", actor)   (FALSE_COMMITMENT: revoked, and the registry's APPLICATION_BAR imposed)
- do_revoke_licence(licence, decision_number, reason, actor) -> Ban   (revoked for misconduct + the bar)
- do_withdraw_application(application, reason="", actor) -> Application

Uploads reach the actions already checked by content and stored by digest (licensing.materials.CheckedMaterial,
from certhub.core.uploads.check_upload / store_upload)."""

from certhub.licensing.actions.applications import (
    do_accept_application,
    do_assign_application,
    do_refuse_acceptance,
    do_submit_application,
    do_withdraw_application,
)
from certhub.licensing.actions.decisions import (
    do_decide_application,
    do_grant_on_commitment,
    do_record_post_approval_check,
    do_revoke_licence,
)
from certhub.licensing.actions.reviews import (
    do_add_materials,
    do_answer_materials_request,
    do_answer_opinion,
    do_conclude_review,
    do_record_onsite_review,
    do_record_rectification,
    do_request_materials,
    do_request_opinions,
    do_schedule_onsite_review,
)

__all__ = [
    "do_accept_application",
    "do_add_materials",
    "do_answer_materials_request",
    "do_answer_opinion",
    "do_assign_application",
    "do_conclude_review",
    "do_decide_application",
    "do_grant_on_commitment",
    "do_record_onsite_review",
    "do_record_post_approval_check",
    "do_record_rectification",
    "do_refuse_acceptance",
    "do_request_materials",
    "do_request_opinions",
    "do_revoke_licence",
    "do_schedule_onsite_review",
    "do_submit_application",
    "do_withdraw_application",
]
