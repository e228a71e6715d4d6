"""The custom user model, in place from migration 0001 so that profiles can grow later."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who logs in: agent, manager, centre staff, supervisor or administrator."""

    class Meta(AbstractUser.Meta):
        db_table = "accounts_user"
        swappable = "AUTH_USER_MODEL"


class DeviceToken(models.Model):
    """A login on one device. Several per user; each can be revoked alone (a lost phone) or all
    together. Only a SHA-256 digest of the key is stored: a database leak yields no tokens."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="device_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="First characters, to tell tokens apart.")
    device = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="accounts_token_user")]

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}… ({self.device or 'device'})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class AttemptCounter(models.Model):
    """One brake row (ADR 0024): failed tries of one subject — an account, a client address, a
    tracking code — in the current window, and the lock they led to. Written only by
    accounts/brake.py, one atomic statement at a time; rows past `expires_at` mean nothing and
    are deleted by later writes."""

    key = models.CharField(max_length=80, primary_key=True)
    failures = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(help_text="The first failure of the current window.")
    locked_until = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(
        db_index=True, help_text="The end of the window, or of the lock once there is one."
    )

    class Meta:
        ordering = ["-expires_at"]

    def __str__(self) -> str:
        return self.key
