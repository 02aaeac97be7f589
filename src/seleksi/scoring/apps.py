from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "seleksi.scoring"
    verbose_name = _("Test scores")
