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
