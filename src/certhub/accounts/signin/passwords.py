"""Password rules (C14) beyond Django's own validators (AUTH_PASSWORD_VALIDATORS)."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with its message in CertHub's catalogue: Django 5.2 changed the English wording and its
    Chinese translation no longer matches, so the refusal would be in English on a Chinese page."""

    def get_error_message(self) -> str:
        return ngettext(
            "密码太短，至少需要%(min_length)d个字符。",
            "密码太短，至少需要%(min_length)d个字符。",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "密码至少需要%(min_length)d个字符。",
            "密码至少需要%(min_length)d个字符。",
            self.min_length,
        ) % {"min_length": self.min_length}
