"""Uploaded materials, checked by their content and stored by digest (C8 licensing materials, later
complaint evidence; docs/security.md). A file is what its bytes say, not what its name says: its type is
read from the content (puremagic) and must be allowed and agree with the name's extension; a PDF must
parse, must not be encrypted and must carry no active content (scripts, launch and submit actions,
embedded files, rich media, XFA forms); an image must decode within a pixel limit. One rule per kind of bad
input, each refusal a ValidationFailed naming the form's field and the reason; nothing is stored until the
file has passed. Stored files are private (core/files.py: 0700 directories, 0600 files), named by their
SHA-256, so the same content is stored once and a stored file can be checked against its name."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import puremagic
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from certhub.core.errors import NotFound, ValidationFailed
from certhub.core.files import open_private, private_dir

logger = logging.getLogger(__name__)

# The kinds CertHub knows: the content type it is stored with, the extensions a name may carry for it,
# and the word a person reads.
KINDS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "pdf": ("application/pdf", (".pdf",), "PDF"),
    "png": ("image/png", (".png",), "PNG"),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg", ".jpe", ".jfif"), "JPEG"),
}
IMAGE_KINDS = {"png": "PNG", "jpeg": "JPEG"}  # the kind and Pillow's name for its format
DIGEST = re.compile(r"[0-9a-f]{64}")

# Active content in a PDF (ISO 32000-1 §12.6 actions, §7.11.4 embedded files, §12.7.8 XFA; Adobe's
# RichMedia extension): as a dictionary key, or as an action's /S, an object's /Type or /Subtype.
ACTIVE_NAMES = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/EmbeddedFiles",
        "/EmbeddedFile",
        "/RichMedia",
        "/RichMediaContent",
        "/XFA",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
    }
)
TYPE_KEYS = ("/S", "/Type", "/Subtype")
# The triggers /OpenAction and /AA are harmless alone (an /OpenAction that opens page 1); they are named
# when the action they trigger is active.


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed check_upload: its kind (`pdf`, `png`, `jpeg`), content type, size and SHA-256 (hex)."""

    kind: str
    content_type: str
    size: int
    sha256: str


def max_upload_bytes() -> int:
    return int(settings.CERTHUB_UPLOAD_MAX_BYTES)


def max_upload_pixels() -> int:
    return int(settings.CERTHUB_UPLOAD_MAX_PIXELS)


def size_text(size: int) -> str:
    """A size as people say it: 20 MB, 512 KB, 900 bytes."""
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MB"
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024 and size % 1024 == 0:
        return f"{size // 1024} KB"
    return _("%(count)d字节") % {"count": size}


def pixels_text(count: int) -> str:
    """A pixel count as people say it: 5000万 in Chinese, 50,000,000 in English."""
    if (get_language() or "zh-hans").startswith("zh"):
        return f"{count // 10_000}万" if count >= 10_000 and count % 10_000 == 0 else str(count)
    return f"{count:,}"


def _kinds_text(kinds: tuple[str, ...]) -> str:
    return pgettext("list separator", "、").join(KINDS[kind][2] for kind in kinds)


def check_upload(
    name: str,
    data: bytes,
    *,
    field: str,
    allowed: tuple[str, ...] = ("pdf", "png", "jpeg"),
    max_bytes: int | None = None,
) -> CheckedUpload:
    """The file `name` with content `data`, checked (see the module docstring); ValidationFailed({field:
    [reason]}) at the first rule it breaks. `max_bytes` defaults to CERTHUB_UPLOAD_MAX_BYTES."""
    unknown = [kind for kind in allowed if kind not in KINDS]
    if unknown:
        raise ValueError(f"unknown upload kinds {unknown}; known: {sorted(KINDS)}")
    limit = max_upload_bytes() if max_bytes is None else max_bytes

    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed({field: [message]}, code="bad_upload")

    if not data:
        raise refuse(_("文件“%(name)s”是空文件") % {"name": name})
    if len(data) > limit:
        raise refuse(
            _("文件大小为%(size)s，超过上限%(limit)s") % {"size": size_text(len(data)), "limit": size_text(limit)}
        )
    kind = content_kind(data)
    if kind is None:
        raise refuse(_("无法识别文件内容：只接受%(kinds)s文件") % {"kinds": _kinds_text(allowed)})
    if kind not in allowed:
        raise refuse(
            _("文件内容是%(kind)s，只接受%(kinds)s文件") % {"kind": KINDS[kind][2], "kinds": _kinds_text(allowed)}
        )
    extension = Path(name).suffix.lower()
    if extension not in KINDS[kind][1]:
        if not extension:
            raise refuse(
                _("文件名“%(name)s”没有扩展名：文件内容是%(kind)s，扩展名应为%(extension)s")
                % {"name": name, "kind": KINDS[kind][2], "extension": KINDS[kind][1][0]}
            )
        raise refuse(
            _("文件内容是%(kind)s，与扩展名%(extension)s不符") % {"kind": KINDS[kind][2], "extension": extension}
        )
    if kind == "pdf":
        _check_pdf(data, refuse)
    else:
        _check_image(data, kind, refuse)
    return CheckedUpload(kind, KINDS[kind][0], len(data), hashlib.sha256(data).hexdigest())


def read_upload(
    upload: UploadedFile,
    *,
    field: str,
    allowed: tuple[str, ...] = ("pdf", "png", "jpeg"),
    max_bytes: int | None = None,
) -> tuple[CheckedUpload, bytes]:
    """A form's or the API's uploaded file, checked as check_upload checks it; a file over the limit is
    refused from its declared size, before it is read into memory."""
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    if (upload.size or 0) > limit:
        message = _("文件大小为%(size)s，超过上限%(limit)s") % {
            "size": size_text(upload.size or 0),
            "limit": size_text(limit),
        }
        raise ValidationFailed({field: [message]}, code="bad_upload")
    data = upload.read()
    return check_upload(upload.name or "", data, field=field, allowed=allowed, max_bytes=limit), data


def content_kind(data: bytes) -> str | None:
    """The kind the bytes are, by their signature (puremagic's most confident match), or None."""
    try:
        matches = puremagic.magic_string(data)
    except puremagic.PureError:
        return None
    by_type = {content_type: kind for kind, (content_type, _extensions, _word) in KINDS.items()}
    for match in sorted(matches, key=lambda m: -m.confidence):
        if match.mime_type in by_type:
            return by_type[match.mime_type]
    return None


def _check_pdf(data: bytes, refuse: Any) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise refuse(_("PDF文件已加密：请上传未加密的文件"))
            len(reader.pages)  # the page tree is read, so a broken file is found here
            found = active_content(reader)
    except ValidationFailed:
        raise
    # pypdf reports a broken file with PyPdfError and its subclasses, and on some damage with the
    # built-in errors of the structure it was reading.
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, OSError) as error:
        logger.info("upload refused: PDF does not parse: %s", error)
        raise refuse(_("PDF文件无法解析：文件已损坏，或不是PDF")) from None
    if found:
        raise refuse(
            _("PDF含有活动内容（%(found)s），不予接受：请上传不含脚本、附件、表单提交或外部程序的PDF")
            % {"found": pgettext("list separator", "、").join(found)}
        )


def active_content(reader: PdfReader) -> list[str]:
    """The active-content names found anywhere in the file (every object in its cross-reference table and
    everything reachable from its trailer), and the triggers (/OpenAction, /AA) whose actions are active,
    in a fixed order."""
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [reader.trailer]
    for generation, numbers in reader.xref.items():
        stack.extend(IndirectObject(number, generation, reader) for number in numbers)
    stack.extend(IndirectObject(number, 0, reader) for number in reader.xref_objStm)
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                if key in ACTIVE_NAMES:
                    found.add(str(key))
                if key in TYPE_KEYS and isinstance(value, NameObject) and value in ACTIVE_NAMES:
                    found.add(str(value))
                if key == "/OpenAction" and _action_is_active(value):
                    found.add("/OpenAction")
                if key == "/AA":
                    events = value.get_object()
                    if isinstance(events, DictionaryObject) and any(_action_is_active(a) for a in events.values()):
                        found.add("/AA")
                if isinstance(value, IndirectObject | DictionaryObject | ArrayObject):
                    stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(v for v in item if isinstance(v, IndirectObject | DictionaryObject | ArrayObject))
    order = ["/OpenAction", "/AA", *sorted(ACTIVE_NAMES)]
    return [name for name in order if name in found]


def _action_is_active(value: Any) -> bool:
    """Whether an action (or its /Next chain) runs a script, a program or a submission. A destination
    (an array: open at page 1) is not an action and is harmless. Only the action dictionaries are
    followed, never the pages they point to."""
    pending: list[Any] = [value]
    visited: set[int] = set()
    while pending and len(visited) < 1000:
        action = pending.pop()
        action = action.get_object() if isinstance(action, IndirectObject) else action
        if id(action) in visited:
            continue
        visited.add(id(action))
        if isinstance(action, ArrayObject):
            pending.extend(action)
        elif isinstance(action, DictionaryObject):
            kind = action.get("/S")
            if "/JS" in action or (isinstance(kind, NameObject) and kind in ACTIVE_NAMES):
                return True
            if "/Next" in action:
                pending.append(action["/Next"])
    return False


def _check_image(data: bytes, kind: str, refuse: Any) -> None:
    limit = max_upload_pixels()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
            width, height = image.size
            if width * height > limit:
                raise refuse(
                    _("图片像素过多（%(width)d×%(height)d，上限%(limit)s像素）：请缩小后再上传")
                    % {"width": width, "height": height, "limit": pixels_text(limit)}
                )
            if image.format != IMAGE_KINDS[kind]:
                raise OSError(f"Pillow reads {image.format}, not {IMAGE_KINDS[kind]}")
            image.verify()
    except ValidationFailed:
        raise
    # Pillow reports a broken file with one of several errors depending on the format.
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        struct.error,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as error:
        logger.info("upload refused: image does not decode: %s", error)
        raise refuse(_("图片无法解码：文件已损坏，或不是有效的%(kind)s图片") % {"kind": KINDS[kind][2]}) from None


# ------------------------------------------------------------------ storing by digest


def upload_path(key: str) -> Path:
    """Where the content with SHA-256 `key` is kept: two levels by the digest's first characters, so no
    directory grows past a few thousand entries."""
    if not DIGEST.fullmatch(key):
        raise NotFound(_("没有这个上传文件"))
    return Path(settings.CERTHUB_UPLOAD_DIR) / key[:2] / key


def store_upload(checked: CheckedUpload, data: bytes) -> str:
    """Keep `data` (which passed check_upload as `checked`) and return its key, the SHA-256 in hex. The same
    content is stored once: storing it again returns the same key and leaves the file as it was."""
    if hashlib.sha256(data).hexdigest() != checked.sha256 or len(data) != checked.size:
        raise ValueError("store_upload: the data is not the content that was checked")
    path = upload_path(checked.sha256)
    if path.exists():
        return checked.sha256
    private_dir(settings.CERTHUB_UPLOAD_DIR)
    private_dir(path.parent)
    # Written under a name of its own and renamed into place, so a reader never sees half a file and two
    # requests storing the same content at once both end with the one whole file.
    temporary = path.with_name(f".{checked.sha256}.{os.getpid()}.{id(data):x}.part")
    try:
        with open_private(temporary, exclusive=True) as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return checked.sha256


def open_upload(key: str) -> bytes:
    """The stored content under `key`; NotFound when there is none. A file whose content no longer has its
    digest (damaged on disk) is not handed out."""
    path = upload_path(key)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(_("没有这个上传文件")) from None
    if hashlib.sha256(data).hexdigest() != key:
        logger.error("stored upload %s does not match its digest", key)
        raise NotFound(_("上传文件已损坏，请重新上传"))
    return data
