"""Seal signing keys: the public half and its validity window (C3 anti-forgery). The private
half is a file in settings.KEY_DIR (seal.keyfiles), never a column: a copy of the database is not a
forging kit. Rows change only through seal.actions."""

from __future__ import annotations

import base64

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certhub.core.regulated import RegulatedModel
from certhub.seal.cose import key_id
from certhub.seal.trust import TrustedKey


class SealKey(RegulatedModel):
    """An Ed25519 key that signs seals. The newest key in its window that is not retired signs; every key
    stays in the trust list so that the seals it signed keep verifying until `valid_until`."""

    kid = models.CharField(_("密钥标识"), max_length=12, unique=True, help_text=_("公钥SHA-256前8字节的base64"))
    public_key = models.BinaryField(_("公钥"), max_length=32)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    valid_from = models.DateTimeField(_("启用时间"))
    valid_until = models.DateTimeField(_("失效时间"), null=True, blank=True)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        ordering = ["valid_from", "id"]
        verbose_name = _("防伪签章密钥")
        verbose_name_plural = _("防伪签章密钥")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=models.F("valid_from")),
                name="sealkey_valid_until_after_from",
                violation_error_message=_("失效时间不得早于启用时间"),
            ),
            models.CheckConstraint(
                condition=models.Q(retired_at__isnull=True) | models.Q(retired_at__gte=models.F("created_at")),
                name="sealkey_retired_after_created",
                violation_error_message=_("停用时间不得早于生成时间"),
            ),
        ]

    def __str__(self) -> str:
        return self.kid

    def trusted(self) -> TrustedKey:
        public_key = bytes(self.public_key)
        return TrustedKey(key_id(public_key), public_key, self.valid_from, self.valid_until, self.retired_at)

    @property
    def ledger_public_id(self) -> str:
        """How a ledger entry names this key (ledger.subjects): its key id, published in the trust list."""
        return self.kid

    @property
    def kid_bytes(self) -> bytes:
        return base64.b64decode(self.kid)
