"""Properties of the credit-code check (GB 32100-2015) as CertHub applies it."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certhub.core.errors import ValidationFailed
from certhub.core.validation import USCC, validate_value
from certhub.registry.testing import make_uscc

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
REGIONS = st.sampled_from(["430100", "430104", "431102", "433101", "110000"])


@given(serial=st.integers(min_value=0, max_value=10**8 - 1), region=REGIONS)
def test_generated_codes_are_valid(serial, region):
    code = make_uscc(serial, region)
    assert USCC.validate_python(code) == code


@given(
    serial=st.integers(min_value=0, max_value=10**8 - 1),
    position=st.integers(min_value=0, max_value=17),
    replacement=st.sampled_from(ALPHABET),
)
def test_any_single_character_change_is_caught(serial, position, replacement):
    """The mod-31 check character catches every single substitution (31 is prime, no weight is 0)."""
    code = make_uscc(serial)
    if code[position] == replacement or (position < 8 and not replacement.isdigit()):
        return
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ValidationFailed) as failure:
        validate_value(USCC, changed, field="uscc")
    assert failure.value.errors == {"uscc": ["统一社会信用代码校验位错误"]}
