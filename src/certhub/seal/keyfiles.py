"""Private seal keys as files: `<KEY_DIR>/seal/<key id in hex>.pem`, PKCS#8 PEM, mode 0600 in a 0700
directory (C3 anti-forgery: whoever holds a private key can make seals that verify, so it
lives only where the signing server reads it, never in the database or in a backup of it). The format
is the one `openssl pkey -in FILE -pubout` reads, so an operator can check a file with standard tools."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.utils.translation import gettext as _

from certhub.core.errors import DomainError
from certhub.core.keyfiles import write_new_private_file
from certhub.seal.cose import key_id


class SigningUnavailable(DomainError):
    """No seal can be signed now: no usable key, or its private file cannot be read. 503: the certificate is
    fine, the service is not; the operator's fix is in the message."""

    status = 503

    def __init__(self, message: str) -> None:
        super().__init__(message, code="seal_unavailable")


def key_directory() -> Path:
    return Path(settings.KEY_DIR) / "seal"


def key_path(kid: bytes) -> Path:
    return key_directory() / f"{kid.hex()}.pem"


def write_private_key(private_key: Ed25519PrivateKey) -> Path:
    """Write a new key's file, refusing to overwrite one (the name is its key id, so an existing file is
    the same key or a collision; either way it is kept)."""
    path = key_path(key_id(private_key.public_key().public_bytes_raw()))
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    write_new_private_file(path, pem)
    return path


def load_private_key(kid: bytes) -> Ed25519PrivateKey:
    """The private key of `kid`, checked to be an Ed25519 key whose public half has that key id."""
    path = key_path(kid)
    try:
        private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise SigningUnavailable(
            _("签章私钥文件%(path)s不存在：请恢复该文件，或用“certhub seal keys --new”生成新密钥") % {"path": path}
        ) from None
    except (OSError, ValueError, TypeError) as error:
        raise SigningUnavailable(
            _("签章私钥文件%(path)s无法读取：%(error)s") % {"path": path, "error": error}
        ) from None
    if not isinstance(private_key, Ed25519PrivateKey):
        raise SigningUnavailable(_("签章私钥文件%(path)s不是Ed25519密钥") % {"path": path})
    if key_id(private_key.public_key().public_bytes_raw()) != kid:
        raise SigningUnavailable(_("签章私钥文件%(path)s与登记的公钥不符") % {"path": path})
    return private_key
