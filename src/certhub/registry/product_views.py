"""The public certified-products page (C7, C13): /products/ finds the product lines of public CCC
certificates by product name, model, trademark, GTIN or factory, and reads a product's barcode from a photo
or, with static/registry/barcode.js, from the phone's camera (its frames decoded by /products/scan/ where
the browser has no BarcodeDetector). Parsing and rendering only: the rules are registry.queries.products',
the decoding registry.barcodes'. Works without JavaScript."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from certhub.core.errors import ValidationFailed
from certhub.core.images import MAX_IMAGE_BYTES, DecoderBusy, ImageRefused, too_many_bytes
from certhub.core.ratelimit import limit_per_address
from certhub.registry.barcodes import read_gtin
from certhub.registry.paging import paginate
from certhub.registry.queries import SEARCH_FIELDS, product_search_criteria, search_certified_products

# The site's policy turns the camera off everywhere (core.middleware); this page may use it, for our own
# origin only, to read a product's barcode (as /verify/ does for a seal's QR code).
CAMERA_POLICY = "camera=(self), microphone=(), geolocation=()"

# Decoding an image costs far more than a search, so anonymous frames share the scan budget per address
# that /verify/scan/ has (CERTHUB_SCAN_RATE_LIMIT a minute).
_scan_budget = limit_per_address("scan", "CERTHUB_SCAN_RATE_LIMIT")


def _gtin_of_upload(request: HttpRequest) -> str:
    """The GTIN read from the uploaded `image`; ImageRefused (or DecoderBusy) saying why not."""
    upload = request.FILES.get("image")
    if upload is None:
        raise ImageRefused(_("没有收到图片"), code="bad_image")
    if (upload.size or 0) > MAX_IMAGE_BYTES:  # refused before it is read into memory
        raise too_many_bytes()
    return read_gtin(upload.read())


@require_http_methods(["GET", "HEAD", "POST"])
def products(request: HttpRequest) -> HttpResponse:
    """Search certified products (GET); a photo of a barcode (POST) is read and searched by its GTIN."""
    refusal: ImageRefused | None = None
    if request.method == "POST":
        try:
            gtin = _gtin_of_upload(request)
        except ImageRefused as refused:
            refusal = refused
        else:
            return HttpResponseRedirect(f"{reverse('registry:products')}?{urlencode({'gtin': gtin})}", status=303)
    values = {key: request.GET.get(key, "")[:200] for key in SEARCH_FIELDS}
    errors: dict[str, list[str]] = {}
    page = None
    try:
        criteria = product_search_criteria(values)
    except ValidationFailed as failure:
        errors, criteria = failure.errors, {}
    if criteria:
        page = paginate(request, search_certified_products(**criteria))
    context = {
        "values": values,
        "errors": errors,
        "page": page,
        "refusal": refusal,
        "today": timezone.localdate(),
    }
    status = 503 if isinstance(refusal, DecoderBusy) else 200
    response = render(request, "registry/products.html", context, status=status)
    if status == 503:
        response["Retry-After"] = "1"
    response["Permissions-Policy"] = CAMERA_POLICY
    return response


@require_POST
@_scan_budget
def product_scan(request: HttpRequest) -> JsonResponse:
    """The GTIN of the barcode in one camera frame or photo (for browsers without BarcodeDetector): 200
    {"gtin": digits}, or 422 {"code", "message"} when the image cannot be read or holds no retail
    barcode, 503 when the decoder is busy."""
    try:
        gtin = _gtin_of_upload(request)
    except ImageRefused as refusal:
        response = JsonResponse({"code": refusal.code, "message": refusal.message}, status=refusal.status)
        if isinstance(refusal, DecoderBusy):
            response["Retry-After"] = "1"
        return response
    return JsonResponse({"gtin": gtin})
