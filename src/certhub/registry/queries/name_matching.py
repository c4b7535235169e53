"""Matching an organization's name as written somewhere else against the registry (C2, C13)."""

from __future__ import annotations

import re
from typing import Any

from django.db import connections, router
from django.db.models import Q
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from certhub.core.actors import Actor
from certhub.core.models import Region
from certhub.core.validation import normalize_text
from certhub.registry.models import Organization, OrganizationName
from certhub.registry.queries.access import organizations_visible_to

# Legal forms (企业名称登记管理规定: 行政区划 + 字号 + 行业 + 组织形式) say nothing about which organization a
# name means; longest first, stripped repeatedly from the end.
LEGAL_FORMS = (
    "股份有限公司", "有限责任公司", "股份合作公司", "集团有限公司", "有限公司", "股份公司", "集团公司",
    "合伙企业", "有限合伙", "普通合伙", "个人独资企业", "集团", "公司",
)  # fmt: skip
COMMON_LEGAL_FORMS = ("有限公司", "有限责任公司", "股份有限公司")
REGION_SUFFIXES = ("自治州", "自治县", "省", "市", "县", "区")
NAME_NOISE = re.compile(r"[\W_]+")
MATCH_CANDIDATE_CAP = 200
MATCH_MAX_LIMIT = 50


def normalize_name(name: str) -> str:
    """An organization name for comparison: full-width characters folded (NFKC), Latin letters in one
    case, spaces, brackets and punctuation dropped."""
    return NAME_NOISE.sub("", normalize_text(name).casefold())


def name_core(normalized: str) -> str:
    """A normalized name without its legal form (有限公司 and the like); the name itself if nothing is left."""
    core = normalized
    stripped = True
    while stripped:
        stripped = False
        for form in LEGAL_FORMS:
            # 分公司 is a branch (a separate entity): its 公司 is not a legal form to drop.
            if core.endswith(form) and len(core) > len(form) and not (form == "公司" and core.endswith("分公司")):
                core = core[: -len(form)]
                stripped = True
                break
    return core or normalized


_region_names_cache: list[tuple[str, ...]] = []


def _region_names() -> tuple[str, ...]:
    """Names of the province's regions and their short forms (湖南省 → 湖南), longest first. Reference data:
    read once per process (once it is loaded)."""
    if _region_names_cache:
        return _region_names_cache[0]
    names: set[str] = set()
    for name in Region.objects.values_list("name", flat=True):
        names.add(name)
        for suffix in REGION_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                names.add(name[: -len(suffix)])
    ordered = tuple(sorted(names, key=len, reverse=True))
    if ordered:
        _region_names_cache.append(ordered)
    return ordered


def distinctive_part(core: str) -> str:
    """The trade name and trade of a name core: the leading administrative names dropped (湖南省长沙市星城电器 →
    星城电器), so that names written with and without their region meet. The core if too little is left."""
    rest = core
    for _round in range(3):
        region = next((r for r in _region_names() if rest.startswith(r) and len(rest) - len(r) >= 2), None)
        if region is None:
            break
        rest = rest[len(region) :]
    return rest


def name_similarity(query_core: str, candidate_core: str) -> float:
    """0–100: the edit-distance similarity of two name cores, or — for a name given without its region
    or trade — how well the shorter fits within the longer, weighted by how much of the longer it covers
    (湘江机械 in 衡阳湘江机械制造 counts for more than 湖南 in 湖南省产品质量检验检测研究院)."""
    shorter, longer = sorted((len(query_core), len(candidate_core)))
    coverage = shorter / longer if longer else 0.0
    within = fuzz.partial_ratio(query_core, candidate_core) * (0.6 + 0.4 * coverage)
    return max(fuzz.ratio(query_core, candidate_core), within)


def _prefix_range(field: str, prefix: str) -> Q:
    """`field` starts with `prefix`, as an index range (see within_region)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def _name_candidate_ids(query: str, core: str) -> list[int]:
    """Organizations that may carry this name, by index-friendly steps, each bounded: the name as written
    and with common legal forms (equality), names starting with the core (a range on the name index); only
    when these found neither the name itself nor many candidates, names containing its distinctive part
    (the pg_trgm index on PostgreSQL; on SQLite a scan of the name index) and, on PostgreSQL, trigram-similar
    names (slips anywhere in the name); and names sharing the core's first two thirds (a range again)."""
    variants = {query.strip(), normalize_text(query), core, *(core + form for form in COMMON_LEGAL_FORMS)}
    cap = MATCH_CANDIDATE_CAP
    ids = list(Organization.objects.filter(name__in=sorted(variants)).values_list("id", flat=True)[:cap])
    # The name itself was found: the wider steps below would only add weaker candidates at a higher cost.
    searching = not ids
    ids += Organization.objects.filter(_prefix_range("name", core)).values_list("id", flat=True)[:cap]
    searching = searching and len(set(ids)) < cap // 4
    distinct = distinctive_part(core)
    if searching and len(distinct) >= 2:
        ids += Organization.objects.filter(name__contains=distinct).values_list("id", flat=True)[:cap]
    database = connections[router.db_for_read(Organization)]
    if searching and database.vendor == "postgresql" and len(core) >= 3 and len(set(ids)) < cap // 4:
        with database.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM registry_organization WHERE name %% %s ORDER BY similarity(name, %s) DESC LIMIT %s",
                [core, core, cap],
            )
            ids += [row[0] for row in cursor.fetchall()]
    # A slip late in the name (电气 for 电器): names sharing its first two thirds.
    head = core[: max(2, (2 * len(core) + 2) // 3)]
    if len(head) < len(core):
        ids += Organization.objects.filter(_prefix_range("name", head)).values_list("id", flat=True)[:cap]
    # Former names (曾用名, C1): another department's records may still carry the old name.
    former = OrganizationName.objects.filter(Q(name__in=sorted(variants)) | _prefix_range("name", core))
    ids += former.values_list("organization_id", flat=True)[:cap]
    return list(dict.fromkeys(ids))


def _name_score(normalized: str, core: str, name: str) -> tuple[int, str, str]:
    """(score, basis, reason) of one registered name against the query."""
    other = normalize_name(name)
    if other == normalized:
        return 98, "name_exact", _("名称一致")
    if name_core(other) == core:
        return 95, "name_core", _("名称除组织形式外一致")
    score = min(94, round(name_similarity(core, name_core(other)) * 0.94))
    return score, "name_similar", _("名称相似度%(name_score)d") % {"name_score": score}


def match_organizations(
    actor: Actor, *, name: str = "", uscc: str = "", limit: int = 10, min_score: int = 50
) -> list[dict[str, Any]]:
    """Organizations that a name and/or a credit code may mean (C2: another department's or a buyer's
    records joined to the registry), best first, each with a score 0–100 and the reasons for it:
    100 the credit code itself; 98 the same name once full-width characters, spaces and punctuation are
    folded; 95 the same name but for its legal form (有限公司 …); otherwise up to 94 by name similarity;
    a former name (曾用名) scores one point less than the same match on the current name.
    `uscc` must already be valid (see core.validation.check_uscc). Public fields only."""
    limit = max(1, min(limit, MATCH_MAX_LIMIT))
    normalized = normalize_name(name)
    core = name_core(normalized)
    visible = organizations_visible_to(actor)
    ids = list(visible.filter(uscc=uscc).values_list("id", flat=True)) if uscc else []
    if normalized:
        ids += _name_candidate_ids(name, core)
    organizations = visible.filter(id__in=list(dict.fromkeys(ids))).select_related("region")
    former_names: dict[int, list[str]] = {}
    for organization_id, former in OrganizationName.objects.filter(
        organization_id__in=[o.id for o in organizations]
    ).values_list("organization_id", "name"):
        former_names.setdefault(organization_id, []).append(former)
    candidates: list[dict[str, Any]] = []
    for organization in organizations:
        reasons: list[str] = []
        score, name_score, basis = 0, None, ""
        if normalized:
            name_score, basis, reason = _name_score(normalized, core, organization.name)
            for former in former_names.get(organization.id, []):
                # A former name scores one point below the same match on the current name.
                former_score, former_basis, former_reason = _name_score(normalized, core, former)
                if former_score - 1 > name_score:
                    name_score, basis = former_score - 1, f"former_{former_basis}"
                    reason = _("曾用名“%(name)s”：%(reason)s") % {"name": former, "reason": former_reason}
            reasons.append(reason)
            score = name_score
        if uscc and organization.uscc == uscc:
            score, basis = 100, "uscc"
            reasons.insert(0, _("统一社会信用代码一致"))
        if score >= min_score:
            candidates.append(
                {
                    "uscc": organization.uscc,
                    "name": organization.name,
                    "region": {"code": organization.region_id, "name": organization.region.name},
                    "score": score,
                    "name_score": name_score,
                    "basis": basis,
                    "reasons": reasons,
                }
            )
    candidates.sort(key=lambda c: (-c["score"], c["name"], c["uscc"]))
    return candidates[:limit]
