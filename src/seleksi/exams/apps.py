from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamsConfig(AppConfig):
    name = "seleksi.exams"
    verbose_name = _("Tests: sites, sessions, seats and attendance")
