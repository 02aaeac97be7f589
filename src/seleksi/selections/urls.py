from django.urls import path

from . import views

app_name = "selections"

urlpatterns = [
    path("", views.home, name="home"),
    path("seleksi/<slug:code>/", views.selection_detail, name="detail"),
    path("seleksi/<slug:code>/formasi/", views.formation_list, name="formations"),
    path(
        "seleksi/<slug:code>/formasi.<str:file_format>",
        views.formation_download,
        name="formations_download",
    ),
]
