"""The custom user model, in place from migration 0001 so that profiles can grow later."""

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person who logs in: agent, manager, centre staff, supervisor or administrator."""

    class Meta(AbstractUser.Meta):
        db_table = "accounts_user"
        swappable = "AUTH_USER_MODEL"
