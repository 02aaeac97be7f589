from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from seleksi.accounts.forms import ThrottledAdminLoginForm
from seleksi.core.views import healthz

admin.site.site_header = _("Seleksi · agency console")
admin.site.site_title = _("Seleksi")
admin.site.index_title = _("Manage selections")
admin.site.login_form = ThrottledAdminLoginForm
admin.site.login_template = "accounts/admin_login.html"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("kelola/", admin.site.urls),
    path("", include("seleksi.public.urls")),
    path("", include("seleksi.applicant.urls")),
    path("", include("seleksi.committee.urls")),
]
