"""Digests of personal ID numbers (C14: personal data minimized; issue 14, finding 6).

A person's ID number is never stored. What is kept (`Person.id_digest`) is a keyed hash, HMAC-SHA-256,
under a key of its own: not the Django secret (which signs sessions and may be rotated for that reason)
but a 32-byte key file kept with the signing keys, `<KEY_DIR>/person-id/<version>.key`, mode 0600 in a
0700 directory. Without the key a digest cannot be tested against the ~10^9 possible ID numbers; with it,
anyone can — so the key is a secret as much as the seal keys are, and is backed up with them.

Keys have versions 1, 2, …; the newest signs new digests. A digest names the keys it was made with:

    <version>[.<version>…]$<base64url HMAC, no padding>

"1$…" is HMAC(k1, number). Rotating the key (`certhub people new-key`) makes version 2; new digests are
"2$…" = HMAC(k2, number). A digest cannot be recomputed from the number, which is never kept — so
`certhub people rehash` instead *wraps* each older digest under the newest key: "1.2$…" =
HMAC(k2, HMAC(k1, number)). After the rehash every stored digest needs the newest key to be tested, so a
leaked older key alone no longer opens any of them; older key files are still needed to *match* a
number against a wrapped digest (the inner layers are recomputed from the number), so they are kept, never
deleted, as long as a digest names them (`certhub people status` lists the chains in use).

"0" is the layer of digests written before keyed hashing: SHA-256 of the Django secret, ":" and the
number (registry migration 0009 rewrote them into this notation, unchanged in substance). Matching a number
against such a digest needs the Django secret it was made with; after `certhub people rehash` the stored
value is "0.N$…" and no longer open to whoever holds that secret alone."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import re
import secrets
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from certhub.core.keyfiles import write_new_private_file

LEGACY = 0
KEY_BYTES = 32
DIGEST = re.compile(r"(?P<chain>\d+(?:\.\d+)*)\$(?P<mac>[A-Za-z0-9_-]{43})")


class PersonIdKeyMissing(RuntimeError):
    """A digest names a key version whose file is not in the key directory."""


def key_directory() -> Path:
    return Path(settings.KEY_DIR) / "person-id"


def key_versions() -> list[int]:
    """The versions whose key files exist, oldest first."""
    directory = key_directory()
    if not directory.is_dir():
        return []
    return sorted(int(path.stem) for path in directory.glob("*.key") if path.stem.isdigit())


@lru_cache(maxsize=32)
def _read_key(directory: str, version: int) -> bytes:
    text = (Path(directory) / f"{version}.key").read_text().strip()
    key = bytes.fromhex(text)
    if len(key) != KEY_BYTES:
        raise PersonIdKeyMissing(f"{directory}/{version}.key does not hold {KEY_BYTES} bytes in hex")
    return key


def key(version: int) -> bytes:
    try:
        return _read_key(str(key_directory()), version)
    except FileNotFoundError:
        raise PersonIdKeyMissing(
            f"person-identifier key {version} is missing: restore {key_directory()}/{version}.key from the "
            "backup of the key directory"
        ) from None


def new_key() -> int:
    """Make the next key version (mode 0600) and return it; it signs every digest from now on."""
    versions = key_versions()
    version = (versions[-1] if versions else 0) + 1
    text = secrets.token_bytes(KEY_BYTES).hex() + "\n"
    with contextlib.suppress(FileExistsError):  # another process made it first: as new as ours would be
        write_new_private_file(key_directory() / f"{version}.key", text.encode())
    return version


def current_version() -> int:
    """The newest key version, made on first use (a fresh installation needs nothing set up)."""
    versions = key_versions()
    return versions[-1] if versions else new_key()


def normalized(number: str) -> str:
    """The form an ID number is hashed in: surrounding space removed, the check letter X in capitals."""
    return number.strip().upper()


def _layer(version: int, data: bytes) -> bytes:
    if version == LEGACY:
        return hashlib.sha256((settings.SECRET_KEY + ":").encode() + data).digest()
    return hmac.new(key(version), data, hashlib.sha256).digest()


def _text(chain: tuple[int, ...], mac: bytes) -> str:
    return ".".join(str(v) for v in chain) + "$" + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def _mac(text: str) -> tuple[tuple[int, ...], bytes]:
    match = DIGEST.fullmatch(text)
    if match is None:
        raise ValueError(f"not a person-identifier digest: {text!r}")
    chain = tuple(int(v) for v in match["chain"].split("."))
    return chain, base64.urlsafe_b64decode(match["mac"] + "=")


def digest_with(number: str, chain: tuple[int, ...]) -> str:
    """The digest of `number` made with the keys of `chain`, innermost first."""
    mac = _layer(chain[0], normalized(number).encode())
    for version in chain[1:]:
        mac = _layer(version, mac)
    return _text(chain, mac)


def id_digest(number: str) -> str:
    """The digest stored for a newly registered ID number: HMAC under the newest key."""
    return digest_with(number, (current_version(),))


def matches(number: str, stored: str) -> bool:
    """Whether `stored` is the digest of `number` (with whichever keys it names)."""
    chain, _mac_bytes = _mac(stored)
    return hmac.compare_digest(digest_with(number, chain), stored)


def candidates(number: str, chains: list[tuple[int, ...]]) -> list[str]:
    """The digests `number` has under each chain in use — to find people by ID number with one `IN`."""
    return [digest_with(number, chain) for chain in chains]


def chain_of(stored: str) -> tuple[int, ...]:
    return _mac(stored)[0]


def wrapped(stored: str, version: int) -> str:
    """`stored` wrapped under key `version`: the same number's digest, now needing that key as well."""
    chain, mac = _mac(stored)
    if chain[-1] == version:
        return stored
    return _text((*chain, version), _layer(version, mac))


def from_legacy_hex(hex_digest: str) -> str:
    """A digest written before keyed hashing (64 hex characters), in this notation: "0$…"."""
    return _text((LEGACY,), bytes.fromhex(hex_digest))
