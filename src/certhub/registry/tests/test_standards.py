"""The one grammar of standard codes (registry.standards): what it accepts, how it spells it, what it refuses."""

import pytest

from certhub.registry.standards import StandardCodeError, parse_standard_code


@pytest.mark.parametrize(
    ("text", "spelled", "code"),
    [
        ("GB 4706.1-2005", "GB 4706.1-2005", "GB 4706.1"),
        ("GB/T228.1-2021", "GB/T 228.1-2021", "GB/T 228.1"),
        ("gb/t 3810.3-2016", "GB/T 3810.3-2016", "GB/T 3810.3"),
        ("ＧＢ／Ｔ　１７６７１－２０２１", "GB/T 17671-2021", "GB/T 17671"),
        ("HJ 828-2017", "HJ 828-2017", "HJ 828"),
        ("JJF 1059.1-2012", "JJF 1059.1-2012", "JJF 1059.1"),
        ("SN/T 1234-2003", "SN/T 1234-2003", "SN/T 1234"),
        ("DB43/T 1234-2016", "DB43/T 1234-2016", "DB43/T 1234"),
        ("T/CAS 115-2005", "T/CAS 115-2005", "T/CAS 115"),
        ("ISO/IEC 17025:2017", "ISO/IEC 17025:2017", "ISO/IEC 17025"),
        ("IEC 60335-1:2020", "IEC 60335-1:2020", "IEC 60335-1"),
        ("EN 71-3:2019", "EN 71-3:2019", "EN 71-3"),
        ("BS EN 1176-1:2017", "BS EN 1176-1:2017", "BS EN 1176-1"),
        ("ASTM D3359-17", "ASTM D3359-17", "ASTM D3359"),
    ],
)
def test_accepted_codes_are_spelled_one_way(text: str, spelled: str, code: str) -> None:
    parsed, spelling = parse_standard_code(text)
    assert (spelling, parsed.code) == (spelled, code)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "必填"),
        ("GB/T 5009.3", "“GB/T 5009.3”不是可识别的标准编号，应形如 GB/T 228.1-2021、ISO/IEC 17025:2017"),
        ("GB/T5009.3-20l6", "“GB/T5009.3-20l6”不是可识别的标准编号，应形如 GB/T 228.1-2021、ISO/IEC 17025:2017"),
        ("按企业标准", "“按企业标准”不是可识别的标准编号，应形如 GB/T 228.1-2021、ISO/IEC 17025:2017"),
        ("ISO 9001-2015", "“ISO 9001-2015”不是可识别的标准编号，应形如 GB/T 228.1-2021、ISO/IEC 17025:2017"),
        ("GB 4706.1-1905", "标准年代号“1905”不合理"),
    ],
)
def test_refused_codes_say_why(text: str, message: str) -> None:
    with pytest.raises(StandardCodeError) as refused:
        parse_standard_code(text)
    assert str(refused.value) == message
