"""C2SP signed notes (c2sp.org/signed-note) with Ed25519, and tlog checkpoints (c2sp.org/tlog-checkpoint).

A note is UTF-8 text ending in a newline, a blank line, then one or more signature lines
"— <name> <base64(key id ‖ signature)>". A verifier key is "<name>+<key id hex>+<base64(0x01 ‖ public
key)>", where the key id is the first four bytes of SHA-256(name ‖ "\\n" ‖ 0x01 ‖ public key). The
rules below are the specification's and the reference implementation's (golang.org/x/mod/sumdb/note),
whose test vectors this module passes (tests/vectors/signed-note/)."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = 0x01
SIGNATURE_PREFIX = "— "  # an em dash and a space
MAX_SIGNATURES = 100  # the reference implementation's limit (the specification asks for at least 16)


class NoteError(ValueError):
    """A note, key or signature is malformed or does not verify; the message says which and why."""


def key_id(name: str, algorithm_and_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + algorithm_and_key).digest()[:4]


def _valid_name(name: str) -> bool:
    return bool(name) and name.isprintable() and not any(c.isspace() or c == "+" for c in name)


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError(f"not standard base64: {text[:40]!r}") from None


@dataclass(frozen=True)
class Verifier:
    """A parsed verifier key."""

    name: str
    key_hash: bytes
    public_key: bytes

    @classmethod
    def parse(cls, vkey: str) -> Verifier:
        parts = vkey.split("+", 2)  # the base64 key may itself hold '+'
        if len(parts) != 3 or not _valid_name(parts[0]) or len(parts[1]) != 8:
            raise NoteError(f"malformed verifier key {vkey[:80]!r}: want name+hash+key")
        name, hash_hex, encoded = parts
        try:
            key_hash = bytes.fromhex(hash_hex)
        except ValueError:
            raise NoteError(f"verifier key {name}: the key hash {hash_hex!r} is not 8 hex digits") from None
        if hash_hex != hash_hex.lower():
            raise NoteError(f"verifier key {name}: the key hash must be lower-case hex")
        algorithm_and_key = _b64(encoded)
        if not algorithm_and_key or algorithm_and_key[0] != ED25519:
            raise NoteError(f"verifier key {name}: unknown signature algorithm (only Ed25519, 0x01)")
        if len(algorithm_and_key) != 33:
            raise NoteError(f"verifier key {name}: an Ed25519 key is 32 bytes, got {len(algorithm_and_key) - 1}")
        if key_id(name, algorithm_and_key) != key_hash:
            raise NoteError(f"verifier key {name}: the key hash {hash_hex} does not match the key")
        return cls(name, key_hash, algorithm_and_key[1:])

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def __str__(self) -> str:
        encoded = base64.b64encode(bytes([ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_hash.hex()}+{encoded}"


@dataclass(frozen=True)
class Signer:
    """A parsed signer key: "PRIVATE+KEY+<name>+<key id hex>+base64(0x01 ‖ 32-byte Ed25519 seed)"."""

    name: str
    key_hash: bytes
    seed: bytes

    @classmethod
    def parse(cls, skey: str) -> Signer:
        parts = skey.split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"] or not _valid_name(parts[2]):
            raise NoteError("malformed signer key: want PRIVATE+KEY+name+hash+key")
        name, hash_hex, encoded = parts[2:]
        algorithm_and_seed = _b64(encoded)
        if len(algorithm_and_seed) != 33 or algorithm_and_seed[0] != ED25519:
            raise NoteError(f"signer key {name}: want 0x01 and a 32-byte Ed25519 seed")
        signer = cls(name, bytes.fromhex(hash_hex), algorithm_and_seed[1:])
        if key_id(name, bytes([ED25519]) + signer.public_key()) != signer.key_hash:
            raise NoteError(f"signer key {name}: the key hash {hash_hex} does not match the key")
        return signer

    @classmethod
    def generate(cls, name: str) -> Signer:
        if not _valid_name(name):
            raise NoteError(f"a key name has no spaces or '+': {name!r}")
        seed = Ed25519PrivateKey.generate().private_bytes_raw()
        public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
        return cls(name, key_id(name, bytes([ED25519]) + public), seed)

    def public_key(self) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.seed).public_key().public_bytes_raw()

    def verifier(self) -> Verifier:
        return Verifier(self.name, self.key_hash, self.public_key())

    def sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)

    def __str__(self) -> str:
        encoded = base64.b64encode(bytes([ED25519]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_hash.hex()}+{encoded}"


def sign(text: str, *signers: Signer) -> str:
    """The signed note: `text` (ending in a newline), a blank line, one signature line per signer."""
    _check_text(text)
    lines = [
        f"{SIGNATURE_PREFIX}{s.name} {base64.b64encode(s.key_hash + s.sign(text.encode())).decode()}\n" for s in signers
    ]
    return text + "\n" + "".join(lines)


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("a note's text must end with a newline")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("a note's text must not hold control characters")


@dataclass
class OpenedNote:
    text: str
    verified: list[str] = field(default_factory=list)  # names of the keys whose signatures verified
    unknown: list[str] = field(default_factory=list)  # names of signatures from keys not given


def open_note(note: bytes | str, verifiers: list[Verifier]) -> OpenedNote:
    """Parse a signed note and check its signatures against `verifiers`. Raises NoteError when the note is
    malformed, when a signature from a known key does not verify, or when none verifies."""
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise NoteError("malformed note: not UTF-8") from None
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise NoteError("malformed note: control characters")
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise NoteError("malformed note: want text, a blank line and signature lines, ending in a newline")
    text, signature_block = note[: split + 1], note[split + 2 :]
    lines = signature_block[:-1].split("\n") if signature_block else []
    if not lines or lines == [""]:
        raise NoteError("malformed note: no signature lines")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"malformed note: more than {MAX_SIGNATURES} signatures")
    known = {(v.name, v.key_hash): v for v in verifiers}
    opened = OpenedNote(text)
    message = text.encode()
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError(f"malformed note: not a signature line: {line[:60]!r}")
        parts = line[len(SIGNATURE_PREFIX) :].split(" ")
        if len(parts) != 2 or not _valid_name(parts[0]):
            raise NoteError(f"malformed note: bad signature line {line[:60]!r}")
        name, blob = parts[0], _b64(parts[1])
        if len(blob) < 5:
            raise NoteError(f"malformed note: signature of {name} too short")
        verifier = known.get((name, blob[:4]))
        if verifier is None:
            opened.unknown.append(name)
            continue
        if not verifier.verify(message, blob[4:]):
            raise NoteError(f"invalid signature for key {name}+{blob[:4].hex()}")
        opened.verified.append(name)
    if not opened.verified:
        raise NoteError("note has no verifiable signatures")
    return opened


@dataclass(frozen=True)
class Checkpoint:
    """A tlog checkpoint: origin, tree size and root hash (then optional extension lines)."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode(), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise NoteError("malformed checkpoint: want origin, size and root hash lines")
        origin, size, root = lines[0], lines[1], lines[2]
        if not origin:
            raise NoteError("malformed checkpoint: empty origin")
        if not size.isdigit() or (size != "0" and size.startswith("0")):
            raise NoteError(f"malformed checkpoint: tree size {size[:30]!r} is not a decimal number")
        return cls(origin, int(size), _b64(root), tuple(lines[3:-1]))
