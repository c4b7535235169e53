"""The QR decoder under arbitrary input (hypothesis): whatever the text or bytes, verification either
returns the genuine claims or raises SealError with a code and a reason; nothing else escapes (docs/capabilities.md
C3: a verify page that crashes on a forged code is no verify page)."""

from __future__ import annotations

import zlib

import base45
import cbor2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certhub.seal.cose import PREFIX, SealError, wrap
from certhub.seal.qr import decode_image
from certhub.seal.tests.helpers import DURING, EXAMPLE_CLAIMS, EXAMPLE_KID, EXAMPLE_TRUSTED, cose_of, example_text
from certhub.seal.trust import verify_seal

KEYS = {EXAMPLE_KID: EXAMPLE_TRUSTED}
BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
ORIGINAL = example_text()
ORIGINAL_COSE = cose_of(ORIGINAL)

cbor_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64 - 1)
    | st.binary(max_size=40)
    | st.text(max_size=20)
    | st.floats(allow_nan=True),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.integers(-70000, 20) | st.text(max_size=3), children, max_size=5)
        | st.builds(cbor2.CBORTag, st.sampled_from([18, 61, 0, 1, 2, 24, 258, 98]), children)
    ),
    max_leaves=20,
)


def outcome(text: str) -> str:
    try:
        verify_seal(text, KEYS, now=DURING)
    except SealError as refusal:
        assert refusal.code and refusal.message
        return refusal.code
    return "genuine"


@FUZZ
@given(st.text(max_size=300))
def test_arbitrary_text(text):
    outcome(text)
    outcome(PREFIX + text)


@FUZZ
@given(st.text(alphabet=BASE45, max_size=600))
def test_arbitrary_base45(text):
    assert outcome(PREFIX + text) != "genuine"


@FUZZ
@given(st.binary(max_size=600))
def test_arbitrary_bytes_after_zlib(data):
    assert outcome(wrap(data)) != "genuine"
    assert outcome(PREFIX + base45.b45encode(data).decode()) != "genuine"


@FUZZ
@given(cbor_values)
def test_arbitrary_cbor_after_zlib(value):
    try:
        data = cbor2.dumps(value)
    except (cbor2.CBOREncodeError, ValueError, TypeError):
        return
    assert outcome(wrap(data)) != "genuine"
    cose = cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps({1: -8, 4: EXAMPLE_KID}), {}, data, b"\x00" * 64]))
    assert outcome(wrap(cose)) == "bad_signature"


@FUZZ
@given(st.integers(0, len(ORIGINAL_COSE) - 1), st.integers(1, 255))
def test_any_change_to_the_cose_object_is_refused(position, flip):
    altered = bytearray(ORIGINAL_COSE)
    altered[position] ^= flip
    assert outcome(wrap(bytes(altered))) != "genuine"


@FUZZ
@given(st.data())
def test_any_change_to_the_text_is_refused_unless_the_content_is_unchanged(data):
    position = data.draw(st.integers(len(PREFIX), len(ORIGINAL) - 1))
    character = data.draw(st.sampled_from(BASE45))
    text = ORIGINAL[:position] + character + ORIGINAL[position + 1 :]
    result = outcome(text)
    if result == "genuine":
        # Deflate ignores the padding bits of its last byte: a change there leaves the content as it was.
        assert zlib.decompress(base45.b45decode(text[len(PREFIX) :])) == ORIGINAL_COSE
        assert verify_seal(text, KEYS, now=DURING).claims == EXAMPLE_CLAIMS


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_image_bytes(data):
    try:
        decode_image(data)
    except SealError as refusal:
        assert refusal.code in {"bad_image", "no_code"}
