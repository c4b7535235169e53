"""The electronic certificate of a licence (C8): the licence's seal facts as certhub.seal's LicenceSeal, and the
PDF with its signed QR seal that `certhub seal verify` checks offline. The seal binds the granted scope by the
SHA-256 of its canonical text (licensing.licences.scope_text)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from certhub.licensing.choices import LicenceType
from certhub.licensing.licences import licence_seal
from certhub.licensing.models import Licence
from certhub.seal.licences import licence_pdf


def licence_document(licence: Licence) -> bytes:
    """The electronic certificate's PDF: the record, the QR seal and the granted scope, row by row."""
    lines = [
        (_("证书编号"), licence.number),
        (_("许可类型"), licence.get_licence_type_display()),
        (_("持证人"), licence.holder_name),
        (_("统一社会信用代码"), licence.holder.uscc),
        (_("有效期"), f"{licence.valid_from.isoformat()} — {licence.valid_until.isoformat()}"),
        (_("许可决定书编号"), licence.decision_number),
        (_("状态"), licence.get_status_display()),
    ]
    if licence.licence_type == LicenceType.CMA:
        header = [_("检测领域"), _("检测对象"), _("项目/参数"), _("检测标准（方法）"), _("限制范围")]
        rows = [
            [row.get("field", ""), row.get("object", ""), row.get("parameter", ""), row.get("standard", ""),
             row.get("limits", "")]
            for row in licence.scope
        ]  # fmt: skip
        title = _("检验检测机构资质认定证书")
    else:
        header = [_("产品名称"), _("型号规格")]
        rows = [[row.get("name", ""), "、".join(row.get("models", []))] for row in licence.scope]
        title = _("全国工业产品生产许可证")
    return licence_pdf(licence_seal(licence), title=title, lines=lines, scope_rows=rows, scope_header=header)
