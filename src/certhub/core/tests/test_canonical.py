"""core.canonical writes exactly what the rfc8785 reference writes, for values of every shape."""

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from certhub.core import canonical

TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30)
SCALARS = st.one_of(
    st.none(), st.booleans(), TEXT, st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(allow_nan=False, allow_infinity=False),
)  # fmt: skip
VALUES = st.recursive(
    SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(TEXT, inner, max_size=5)),
    max_leaves=30,
)  # fmt: skip


def reference(value):
    try:
        return rfc8785.dumps(value)
    except Exception as error:  # the reference refuses it: so must we
        return type(error)


def ours(value):
    try:
        return canonical.dumps(value)
    except Exception as error:
        return type(error)


@settings(max_examples=600, deadline=None)
@given(VALUES)
def test_the_bytes_are_the_reference_bytes(value):
    assert ours(value) == reference(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"b": '\x1f"\\\n', "a": [1, None, True]}, b'{"a":[1,null,true],"b":"\\u001f\\"\\\\\\n"}'),
        ({"é": 1, "e": 2, "z": 1.0}, b'{"e":2,"z":1,"\xc3\xa9":1}'),  # float and non-ASCII key: the reference
        ({"n": 2**53 - 1}, b'{"n":9007199254740991}'),
    ],
)
def test_known_values(value, expected):
    assert canonical.dumps(value) == expected == rfc8785.dumps(value)
