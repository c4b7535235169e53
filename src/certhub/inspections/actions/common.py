"""What the inspection actions share: the region a record is filed under."""

from __future__ import annotations

from django.utils.translation import gettext as _

from certhub.core.errors import ValidationFailed
from certhub.core.models import Region


def region_of(code: str | Region | None, field: str = "region") -> Region:
    if isinstance(code, Region):
        return code
    region = Region.objects.filter(code=code or "").first()
    if region is None:
        raise ValidationFailed({field: _("未知的行政区划代码“%(code)s”") % {"code": code}})
    return region
