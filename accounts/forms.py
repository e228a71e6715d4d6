"""The log-in forms of the pages (/map/login/, /admin/login/): Django's, with the brake's refusal
shown as a clear message instead of an error page (accounts/backends.py raises it)."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from .brake import TooManyAttempts


class BrakedFormMixin:
    locked = ""  # the message when the brake refused, for templates that word errors themselves

    def clean(self):
        try:
            return super().clean()
        except TooManyAttempts as refusal:
            self.locked = refusal.message
            raise forms.ValidationError(refusal.message, code="too_many_attempts") from None


class BrakedAuthenticationForm(BrakedFormMixin, AuthenticationForm):
    pass


class BrakedAdminAuthenticationForm(BrakedFormMixin, AdminAuthenticationForm):
    pass
