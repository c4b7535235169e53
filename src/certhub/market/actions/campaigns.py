"""Campaigns (专项整治, C7): an officer defines which catalogue products are checked, where and when; checks
recorded under a campaign are tallied on the statistics page. Refused, with the field and the reason and
nothing written: a region outside the officer's, a catalogue code not in force during the campaign, an end
before the start."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Annotated

from django.db.models import Q
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import ValidationFailed
from certhub.core.models import Region
from certhub.core.permissions import Permission, authorize, is_permitted
from certhub.core.regulated import action
from certhub.core.validation import Input, RequiredDate, Text, collect
from certhub.market.models import Campaign
from certhub.registry.models import CccProduct

CAMPAIGN_FIELDS = ["name", "region_code", "product_codes", "starts_on", "ends_on", "description"]


class CampaignInput(Input):
    name: Annotated[str, Text(200)]
    region_code: Annotated[str, Text(6)]
    starts_on: RequiredDate
    ends_on: RequiredDate
    description: Annotated[str, Text(2000, required=False)] = ""


def _known_codes(codes: Sequence[str], starts_on: datetime.date, ends_on: datetime.date) -> set[str]:
    """The codes of catalogue products in force on some day of the campaign (the catalogue is versioned)."""
    in_force = Q(effective_from__lte=ends_on) & (Q(effective_to__isnull=True) | Q(effective_to__gte=starts_on))
    return set(CccProduct.objects.filter(in_force, code__in=list(codes)).values_list("code", flat=True))


@action
def do_create_campaign(
    *,
    name: str,
    region_code: str,
    product_codes: Sequence[str],
    starts_on: datetime.date,
    ends_on: datetime.date,
    description: str = "",
    actor: Actor,
) -> Campaign:
    """Define a campaign in `region_code` (the officer's region or a part of it) over the catalogue products
    `product_codes` (none: the whole catalogue) from `starts_on` to `ends_on`, both included."""
    authorize(actor, Permission.MANAGE_MARKET_CAMPAIGNS)
    errors: dict[str, list[str]] = {}
    data = {"name": name, "region_code": region_code, "starts_on": starts_on, "ends_on": ends_on}
    checked = collect(CampaignInput, {**data, "description": description}, errors)
    if checked is not None:
        if not Region.objects.filter(code=checked.region_code).exists():
            errors["region_code"] = [_("没有代码为%(code)s的行政区划") % {"code": checked.region_code}]
        elif not is_permitted(actor, Permission.MANAGE_MARKET_CAMPAIGNS, region_code=checked.region_code):
            errors["region_code"] = [
                _("地区%(code)s不在你的辖区内，只能在本辖区内开展专项整治") % {"code": checked.region_code}
            ]
        if checked.ends_on < checked.starts_on:
            errors["ends_on"] = [
                _("结束日期（%(ends)s）不得早于开始日期（%(starts)s）")
                % {"ends": checked.ends_on.isoformat(), "starts": checked.starts_on.isoformat()}
            ]
    codes = list(dict.fromkeys(str(code).strip() for code in product_codes if str(code).strip()))
    if checked is not None and "ends_on" not in errors:
        known = _known_codes(codes, checked.starts_on, checked.ends_on)
        for index, code in enumerate(codes):
            if code not in known:
                errors[f"product_codes[{index}]"] = [
                    _("专项整治期间（%(starts)s至%(ends)s）施行的CCC目录中没有产品代码“%(code)s”")
                    % {"code": code, "starts": checked.starts_on.isoformat(), "ends": checked.ends_on.isoformat()}
                ]
    if errors or checked is None:
        raise ValidationFailed(errors)
    authorize(actor, Permission.MANAGE_MARKET_CAMPAIGNS, region_code=checked.region_code)
    campaign = Campaign(
        name=checked.name,
        region_code=checked.region_code,
        product_codes=sorted(codes),
        starts_on=checked.starts_on,
        ends_on=checked.ends_on,
        description=checked.description,
    )
    campaign.save()
    record_audit(
        actor, AuditEventType.CAMPAIGN_CREATED, campaign, before=None, after=snapshot(campaign, CAMPAIGN_FIELDS)
    )
    return campaign
