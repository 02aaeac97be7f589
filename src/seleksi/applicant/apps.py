from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicantConfig(AppConfig):
    name = "seleksi.applicant"
    verbose_name = _("Applicant pages")
