from django.contrib import admin
from django.urls import include, path

from seleksi.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("kelola/", admin.site.urls),
    path("akun/", include("seleksi.accounts.urls")),
    path("referensi/", include("seleksi.reference.urls")),
    path("", include("seleksi.applications.urls")),
    path("", include("seleksi.verification.urls")),
    path("", include("seleksi.scoring.urls")),
    path("", include("seleksi.selections.urls")),
]
