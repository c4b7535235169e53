"""The /verify/ form: a pasted or scanned QR text, or a photo of the code (C3 anti-forgery)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from certhub.seal.cose import MAX_TEXT_CHARS
from certhub.seal.qr import MAX_IMAGE_BYTES


class VerifyForm(forms.Form):
    # Not stripped: a space is one of the 45 Base45 characters (seal.cose.unwrap trims line breaks).
    qr = forms.CharField(
        label=_("二维码内容"),
        required=False,
        strip=False,
        max_length=MAX_TEXT_CHARS + 100,
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "spellcheck": "false",
                "autocomplete": "off",
                "autocapitalize": "characters",
                "placeholder": "QC1:…",
            }
        ),
        help_text=_("扫描证书上的二维码后粘贴到这里，内容以“QC1:”开头"),
    )
    # A plain file field: seal.qr.decode_image reads the picture and says what is wrong with it, for the
    # form and for the camera's frames alike.
    image = forms.FileField(
        label=_("或上传二维码照片"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def clean_image(self) -> object:
        image = self.cleaned_data.get("image")
        if image is not None and image.size > MAX_IMAGE_BYTES:
            raise forms.ValidationError(_("图片过大（上限%(limit)d MB）") % {"limit": MAX_IMAGE_BYTES // 2**20})
        return image
