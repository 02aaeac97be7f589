from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnouncementsConfig(AppConfig):
    name = "seleksi.announcements"
    verbose_name = _("Result announcements")
