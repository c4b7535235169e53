"""Standard codes as a lab's scope, a report item or a licence decision names them (C1, C8): one grammar, so
that a scope row names a standard CertHub can match, and a typo ("GB/T5009.3-20l6") is refused at the row
instead of making the row unmatchable for ever.

    GB 4706.1-2005   GB/T 228.1-2021   GB/Z 41295-2022    Chinese national (GB 17859 naming, GB/T 1.1-2020 §5)
    JJF 1059.1-2012  HJ 491-2019       SN/T 1234-2003     metrology specifications, sector standards (行业标准)
    DB43/T 1234-2016                                     local standards (地方标准, province code)
    T/CAS 115-2005                                       group standards (团体标准)
    ISO/IEC 17025:2017   IEC 60335-1:2020   EN 71-3:2019  ASTM D3359-17   international and foreign

The year is required: a lab is qualified for an edition, not a number (RB/T 214-2017 §4.5.14 asks for the
method's current edition). A code is written back in one spelling: upper case, one space after the prefix."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Chinese prefixes: GB, GB/T, GB/Z; two-to-four-letter sector codes with /T or /Z; DB + province code; T/ +
# the group's code; JJF and JJG (metrology). The number is digits with optional dot-separated parts, the year
# after a hyphen.
_CHINESE = re.compile(
    r"(?P<prefix>GB(?:/[TZ])?|JJ[FG]|DB\d{2}(?:/[TZ])?|T/[A-Z]{2,12}|(?!ISO|IEC|EN\b|ASTM)[A-Z]{2,4}(?:/[TZ])?)"
    r"\s*(?P<number>\d{1,6}(?:\.\d{1,4}){0,3})-(?P<year>\d{4})"
)
# International and foreign: ISO, IEC, ISO/IEC, EN, BS EN, IEC/EN … with parts after hyphens and the year
# after a colon; ASTM with a letter series and a two- or four-digit year after a hyphen.
_INTERNATIONAL = re.compile(
    r"(?P<prefix>(?:BS |DIN |NF )?(?:ISO/IEC|ISO|IEC|EN|IEC/EN|EN/IEC)(?: ISO)?)"
    r"\s*(?P<number>\d{1,6}(?:[-.]\d{1,4}){0,3}):(?P<year>\d{4})"
)
_ASTM = re.compile(r"(?P<prefix>ASTM)\s*(?P<number>[A-G]\d{1,5}(?:[-.]\d{1,4})?)-(?P<year>\d{2}|\d{4})(?P<tail>[a-z]?)")
_EARLIEST_YEAR = 1950


@dataclass(frozen=True)
class StandardCode:
    prefix: str
    number: str
    year: str

    @property
    def code(self) -> str:
        """The standard without its year, e.g. "GB/T 228.1": what two editions share."""
        return f"{self.prefix} {self.number}"


class StandardCodeError(ValueError):
    """The text is not a standard code; str() says why, in the user's language."""


def parse_standard_code(text: str) -> tuple[StandardCode, str]:
    """(the parsed code, its one spelling), or StandardCodeError naming what is wrong."""
    # NFKC folds what a Chinese input method types (Ｔ, ／, －, ：, full-width digits and spaces) to ASCII.
    value = " ".join(unicodedata.normalize("NFKC", str(text)).split())
    if not value:
        raise StandardCodeError(_("必填"))
    for pattern, separator in ((_CHINESE, "-"), (_INTERNATIONAL, ":"), (_ASTM, "-")):
        match = pattern.fullmatch(value.upper() if pattern is not _ASTM else value)
        if match is None:
            continue
        prefix, number, year = match["prefix"], match["number"], match["year"]
        if len(year) == 4 and not _EARLIEST_YEAR <= int(year) <= 2100:
            raise StandardCodeError(_("标准年代号“%(year)s”不合理") % {"year": year})
        tail = match.groupdict().get("tail") or ""
        spelled = f"{prefix} {number}{separator}{year}{tail}" if prefix != "ASTM" else f"ASTM {number}-{year}{tail}"
        return StandardCode(prefix, number, year), spelled
    raise StandardCodeError(
        _("“%(text)s”不是可识别的标准编号，应形如 GB/T 228.1-2021、ISO/IEC 17025:2017") % {"text": value[:60]}
    )
