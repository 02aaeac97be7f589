"""The console's site and its model admins, one module per app whose rows it shows. Django's
admin autodiscovery imports this package, which registers them all."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..forms import ThrottledAdminLoginForm
from . import accounts, agencies, applications, audit, notices, reference, scoring, selections

__all__ = [
    "accounts",
    "agencies",
    "applications",
    "audit",
    "notices",
    "reference",
    "scoring",
    "selections",
]

admin.site.site_header = _("Seleksi · agency console")
admin.site.site_title = _("Seleksi")
admin.site.index_title = _("Manage selections")
admin.site.login_form = ThrottledAdminLoginForm
admin.site.login_template = "console/login.html"
