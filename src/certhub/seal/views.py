"""Seal pages (C3 anti-forgery): /verify/, where a person pastes, photographs or scans a
certificate's QR code, its frame decoder, and the printable PDF certificate. Validation and
orchestration only: the checks live in seal.trust and seal.queries."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from certhub.core.absolute_urls import absolute_url
from certhub.core.actors import Actor
from certhub.core.errors import DomainError
from certhub.core.ratelimit import limit_per_address
from certhub.seal import qr
from certhub.seal.cose import SealError
from certhub.seal.display import verdict
from certhub.seal.forms import VerifyForm
from certhub.seal.licences import (
    LicenceSealCheck,
    check_any_seal,
    licence_status_label,
    licence_type_label,
    licence_verdict,
)
from certhub.seal.pdf import certificate_pdf as render_pdf
from certhub.seal.queries import access_sealed_certificate, seal_text

# The site's policy turns the camera off everywhere (core.middleware); this page alone may use it, and
# only for our own origin, to read a QR code.
CAMERA_POLICY = "camera=(self), microphone=(), geolocation=()"


@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Check a seal: the text pasted or scanned, or a photo of the code. Works without JavaScript; with it,
    the page also reads the code from the camera (static/seal/verify.js)."""
    form = VerifyForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["qr"]
        try:
            upload = form.cleaned_data["image"]
            if upload is not None:
                text = qr.decode_image(upload.read())
                context["decoded_from_image"] = True
            if not text.strip():
                raise SealError(_("请粘贴二维码内容，或上传二维码照片"), code="empty")
            check = check_any_seal(text)
        except SealError as refusal:
            context.update(refusal=refusal, text=text)
        else:
            if isinstance(check, LicenceSealCheck):
                # A licence's electronic certificate (C8): the same check, the licence's own claims.
                licence = check.seal.claims.licence
                context.update(
                    licence_check=check,
                    verdict=licence_verdict(check),
                    claims=check.seal.claims,
                    licence=licence,
                    licence_type_label=licence_type_label(licence.licence_type),
                    licence_status_label=licence_status_label(licence.status),
                    text=text,
                )
            else:
                context.update(check=check, verdict=verdict(check), claims=check.seal.claims, text=text)
    busy = isinstance(context.get("refusal"), qr.DecoderBusy)
    response = render(request, "seal/verify.html", context, status=503 if busy else 200)
    if busy:
        response["Retry-After"] = "1"
    response["Permissions-Policy"] = CAMERA_POLICY
    return response


# Decoding an image costs far more than answering a lookup, so anonymous frames have a budget per address
# of their own (CERTHUB_SCAN_RATE_LIMIT a minute; a camera sends a frame every 0.7 s).
_scan_budget = limit_per_address("scan", "CERTHUB_SCAN_RATE_LIMIT")


@require_POST
@_scan_budget
def scan(request: HttpRequest) -> JsonResponse:
    """The text of the QR code in one camera frame or photo (for browsers without BarcodeDetector): 200
    {"qr": text}, or 422 {"code", "message"} when the image cannot be read or holds no QR code."""
    upload = request.FILES.get("image")
    if upload is None:
        return JsonResponse({"code": "bad_image", "message": _("没有收到图片")}, status=422)
    if (upload.size or 0) > qr.MAX_IMAGE_BYTES:  # refused before it is read into memory
        message = _("图片过大（上限%(limit)d MB）") % {"limit": qr.MAX_IMAGE_BYTES // 2**20}
        return JsonResponse({"code": "bad_image", "message": message}, status=422)
    try:
        text = qr.decode_image(upload.read())
    except SealError as refusal:
        response = JsonResponse({"code": refusal.code, "message": refusal.message}, status=refusal.status)
        if isinstance(refusal, qr.DecoderBusy):
            response["Retry-After"] = "1"
        return response
    return JsonResponse({"qr": text})


@require_safe
def certificate_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The printable certificate with its seal; for a certificate with no seal, a page saying why."""
    body = request.GET.get("body", "").strip()[:64]
    try:
        certificate = access_sealed_certificate(Actor.from_user(request.user), number, body=body)
        text = seal_text(certificate)
        document = render_pdf(certificate, text, verify_url=absolute_url(reverse("seal:verify")))
    except DomainError as refusal:
        context = {"number": number.strip()[:60], "refusal": refusal}
        return render(request, "seal/unavailable.html", context, status=refusal.status)
    response = HttpResponse(document, content_type="application/pdf")
    safe_name = re.sub(r"[^A-Za-z0-9._-]", "_", certificate.number)
    response["Content-Disposition"] = f'inline; filename="certificate-{safe_name}.pdf"'
    response["Cache-Control"] = "no-cache"
    return response
