from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SittingsConfig(AppConfig):
    name = "seleksi.sittings"
    verbose_name = _("Computer-assisted tests")
