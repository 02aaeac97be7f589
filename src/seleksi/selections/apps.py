from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelectionsConfig(AppConfig):
    name = "seleksi.selections"
    verbose_name = _("Selections and formations")
