from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MobileApiConfig(AppConfig):
    name = "mobile_api"
    verbose_name = _("Field mobile API")
