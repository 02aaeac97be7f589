from django.contrib import admin
from django.urls import include, path

from seleksi.applicant.notice_views import language_set
from seleksi.core.views import healthz, metrics_view, readyz

# A database that cannot be reached answers 503 with a translated page, not a bare 500.
handler500 = "seleksi.core.outage.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("i18n/setlang/", language_set, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("kelola/", admin.site.urls),
    path("", include("seleksi.public.urls")),
    path("", include("seleksi.applicant.urls")),
    path("", include("seleksi.committee.urls")),
]
