"""Regenerate a province's administrative-division file (GB/T 2260) from python-stdnum.

Usage (from this folder, with the project's virtualenv active)::

    python build_regions.py 430000 > 430000.json.new && mv 430000.json.new 430000.json

Write to a temporary file first: the script reads the existing ``<code>.json``
beside it (to keep hand-reviewed English names), so redirecting straight onto
that file would truncate it before it is read.

Where the data comes from
-------------------------
python-stdnum ships ``stdnum/cn/loc.dat``, a table of every GB/T 2260 code taken
from the zh.wikipedia pages "中华人民共和国行政区划代码 (1区…8区)".  Each code
carries its name history with year ranges, for example::

    43 province="湖南省"
      0124 county="[1983-2017]宁乡县"
      0182 county="[2017-]宁乡市"
      0800 county="[1988-1993]大庸市,[1994-]张家界市"

A name whose range is open at the end (``[2017-]``) or that has no range at all
is the one in force today; a code whose every name is closed (``[1983-2017]``)
no longer exists.  This script keeps only codes in force and the current name.

What it writes
--------------
``{"province_code", "source", "as_of", "divisions": [...]}`` with one division
per current code, sorted by code:

* the province itself (``level: "province"``, ``parent: null``);
* prefecture-level divisions, code ``PPCC00`` (``level: "prefecture"``);
* county-level divisions, code ``PPCCXX`` (``level: "county"``), whose parent is
  their prefecture.

Left out on purpose: the ``市辖区`` placeholder codes (``PPCC01``), and the
grouping placeholders ``市辖区`` / ``县`` / ``省直辖县级行政单位`` /
``自治区直辖县级行政区划`` at prefecture level (municipalities such as 110000
and sub-provincial county-level cities such as 429004 仙桃市).  Counties under
such a placeholder get the province as parent, since there is no real
prefecture between them.

English names are not in loc.dat.  They are copied from the existing file when
the code is already there (so hand-reviewed names survive a regeneration);
otherwise a draft is made with ``pypinyin`` if it is installed, else left empty.
Review drafts before committing: place names have many polyphonic characters
(e.g. 长沙 Changsha, 汨罗 Miluo, 澧县 Li County).

Adding another province is therefore a data change: run this script with its
code, review the English names, commit the JSON file.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
from importlib import resources
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Prefecture-level names that are only groupings, not real prefectures.
PLACEHOLDER_PREFECTURES = {"市辖区", "县", "省直辖县级行政单位", "自治区直辖县级行政区划"}
# County-level placeholder (the city proper, no territory of its own).
PLACEHOLDER_COUNTIES = {"市辖区"}

# One "[start-end]name" part of a loc.dat value; the range is optional.
PART_RE = re.compile(r"^(?:\[(?P<start>\d*)-(?P<end>\d*)\])?(?P<name>.+)$")


def read_loc_dat() -> tuple[str, str]:
    """Return (text of stdnum/cn/loc.dat, python-stdnum version)."""
    import stdnum  # lazy: so that --help works without it

    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    return text, getattr(stdnum, "__version__", "?")


def current_name(value: str) -> str | None:
    """The name in force today from a loc.dat value, or None if the code is gone."""
    for part in value.split(","):
        match = PART_RE.match(part.strip())
        if match and not match.group("end"):  # open-ended or undated
            return match.group("name")
    return None


def parse_province(text: str, province_code: str) -> dict[str, str]:
    """Map each current 6-digit code of one province to its current name."""
    prefix = province_code[:2]
    codes: dict[str, str] = {}
    inside = False
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):  # a province line: '43 province="湖南省"'
            inside = line.split()[0] == prefix
            if inside:
                province = re.search(r'province="([^"]*)"', line)
                assert province is not None, line
                codes[province_code] = province.group(1)
            continue
        if not inside:
            continue
        match = re.match(r'\s+(\d{4}) county="([^"]*)"', line)
        if not match:
            continue
        name = current_name(match.group(2))
        code = prefix + match.group(1)
        if name and code != province_code:
            codes[code] = name
    return codes


def draft_english(name: str, level: str) -> str:
    """A first English draft via pypinyin, or '' when pypinyin is not installed."""
    try:
        from pypinyin import lazy_pinyin  # lazy: optional, not a dependency
    except ImportError:
        return ""
    for suffix, english in (
        ("自治县", " Autonomous County"),
        ("区", " District"),
        ("县", " County"),
        ("市", " City" if level == "county" else ""),
        ("自治州", " Autonomous Prefecture"),
        ("地区", " Prefecture"),
        ("省", " Province"),
    ):
        if name.endswith(suffix) and len(name) > len(suffix):
            base = "".join(lazy_pinyin(name[: -len(suffix)]))
            return base.capitalize() + english
    return "".join(lazy_pinyin(name)).capitalize()


def build(province_code: str, existing: dict | None, as_of: str | None, source: str | None) -> dict:
    text, version = read_loc_dat()
    codes = parse_province(text, province_code)
    if province_code not in codes:
        raise SystemExit(f"province {province_code} not found in stdnum/cn/loc.dat")
    old = {d["code"]: d for d in (existing or {}).get("divisions", [])}

    divisions = []
    for code in sorted(codes):
        name = codes[code]
        if code == province_code:
            level, parent = "province", None
        elif code.endswith("00"):
            if name in PLACEHOLDER_PREFECTURES:
                continue
            level, parent = "prefecture", province_code
        else:
            if name in PLACEHOLDER_COUNTIES:
                continue
            prefecture = code[:4] + "00"
            level = "county"
            # Under a placeholder grouping (or none): attach to the province.
            parent = prefecture if codes.get(prefecture) not in PLACEHOLDER_PREFECTURES | {None} else province_code
        name_en = old.get(code, {}).get("name_en") if old.get(code, {}).get("name") == name else None
        divisions.append(
            {
                "code": code,
                "name": name,
                "name_en": name_en or draft_english(name, level),
                "level": level,
                "parent": parent,
            }
        )

    default_source = (
        f"python-stdnum {version} stdnum/cn/loc.dat (from zh.wikipedia "
        f"'中华人民共和国行政区划代码'), codes with an open-ended validity range; "
        f"generated by build_regions.py"
    )
    return {
        "province_code": province_code,
        "source": source or (existing or {}).get("source") or default_source,
        "as_of": as_of or (existing or {}).get("as_of") or datetime.date.today().isoformat(),
        "divisions": divisions,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("province_code", help="six-digit GB/T 2260 province code, e.g. 430000")
    parser.add_argument(
        "--existing",
        type=Path,
        help="file whose name_en/source/as_of to keep (default: <code>.json beside this script)",
    )
    parser.add_argument("--as-of", help="YYYY-MM-DD the data is believed current at")
    parser.add_argument("--source", help="replace the source line")
    args = parser.parse_args(argv)

    code = args.province_code
    if not re.fullmatch(r"\d{2}0000", code):
        parser.error("province code must look like 430000")
    existing_path = args.existing or HERE / f"{code}.json"
    existing = json.loads(existing_path.read_text(encoding="utf-8")) if existing_path.exists() else None

    data = build(code, existing, args.as_of, args.source)
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
