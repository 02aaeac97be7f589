from django.urls import path

from . import replacement_views, views

app_name = "scoring"

urlpatterns = [
    path("panitia/<slug:code>/peringkat/", views.runs, name="runs"),
    path("panitia/peringkat/<int:pk>/", views.run_detail, name="run"),
    path("panitia/peringkat/<int:pk>.csv", views.run_csv, name="run_csv"),
    path(
        "panitia/peringkat/<int:pk>/penggantian/",
        replacement_views.replacements,
        name="replacements",
    ),
]
