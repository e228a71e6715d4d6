"""The service catalogue (便民服务事项) and the approval windows that decide items.

Rules served: one-time notification (一次告知: every material, the procedure and the limits in
one document), time-limited completion (限时办结: proxy limit ≤ the department's committed
limit) and free proxy (无偿代办: only fees a law or regulation requires).

An item's content lives in immutable `ServiceItemVersion` rows: an edit adds a version, and a
case points at the version it was accepted under.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from geo.models import ServiceCentre


class ApprovalWindow(models.Model):
    """审批服务窗口: where a department decides forwarded matters."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    department = models.CharField(_("department"), max_length=100)
    name = models.CharField(_("window name"), max_length=100)
    centre = models.ForeignKey(ServiceCentre, on_delete=models.PROTECT, related_name="windows")
    hours = models.CharField(_("hours"), max_length=200)
    phone = models.CharField(_("phone"), max_length=32)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.department} {self.name}"


class HandlingLevel(models.TextChoices):
    COMMUNITY = "community", _("community or village")
    STREET = "street", _("street or town")
    DISTRICT = "district", _("district")


class ServiceItem(models.Model):
    """The stable identity of an item; its content is in versions."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    is_other_request = models.BooleanField(
        _("'other request' item"),
        default=False,
        help_text=_("The built-in item for any other reasonable, lawful need (free text)."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    centres = models.ManyToManyField(
        ServiceCentre, related_name="service_items", blank=True, through="CentreItem"
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_other_request"],
                condition=Q(is_other_request=True),
                name="one_other_request_item",
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def current(self) -> ServiceItemVersion:
        return self.versions.order_by("-version").first()


class ServiceItemVersion(models.Model):
    """One immutable version of an item's content. A database trigger refuses updates."""

    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=50)
    description = models.TextField(_("description"), blank=True)
    handling_level = models.CharField(
        _("handling level"), max_length=16, choices=HandlingLevel.choices
    )
    department = models.CharField(_("handling department"), max_length=100)
    window = models.ForeignKey(
        ApprovalWindow,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="item_versions",
    )
    legal_basis = models.TextField(_("legal basis"), blank=True)
    eligibility = models.TextField(_("eligibility"), blank=True)
    # [{"key", "name", "form": original|copy|original_and_copy, "copies", "issuer", "notes",
    #   "agent_may_carry_original"}]
    materials = models.JSONField(_("required materials"), default=list)
    procedure = models.JSONField(_("procedure steps"), default=list)
    committed_limit_days = models.PositiveSmallIntegerField(
        _("department's committed limit (working days)")
    )
    proxy_limit_days = models.PositiveSmallIntegerField(_("proxy limit (working days)"))
    fees = models.JSONField(
        _("legally required fees"), default=list
    )  # [{"name","amount","legal_basis"}]
    home_visit_usual = models.BooleanField(_("home visit usual"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("change note"), max_length=200, blank=True)

    class Meta:
        ordering = ["item", "version"]
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="item_version_unique"),
            models.CheckConstraint(
                condition=Q(proxy_limit_days__gte=1)
                & Q(proxy_limit_days__lte=F("committed_limit_days")),
                name="proxy_limit_within_committed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} v{self.version} {self.name}"

    @property
    def is_free(self) -> bool:
        return not self.fees


class CentreItem(models.Model):
    """Which items a station or centre proxies (shown on its public board)."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE)
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["centre", "item"], name="centre_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.centre_id}: {self.item_id}"
