"""The public addresses. The selection pages and the regency lookup keep their namespaces
(`selections:`, `reference:`); the public pages of later stages are `public:`."""

from django.urls import include, path

from . import announcement_views, board_views, views

selection_patterns = [
    path("", views.home, name="home"),
    path("seleksi/<slug:code>/", views.selection_detail, name="detail"),
    path("seleksi/<slug:code>/formasi/", views.formation_list, name="formations"),
    path(
        "seleksi/<slug:code>/formasi.<str:file_format>",
        views.formation_download,
        name="formations_download",
    ),
]

reference_patterns = [
    path("kabupaten/", views.regency_options, name="regency_options"),
]

public_patterns = [
    path("seleksi/<slug:code>/hasil-administrasi/", views.public_results, name="results"),
    path("seleksi/<slug:code>/penggantian/", views.public_replacements, name="replacements"),
    path("verifikasi/<str:token>", views.verify, name="verify"),
    path("papan-skor/<int:session_id>/", board_views.board, name="board"),
    path("papan-skor/<int:session_id>/baris/", board_views.board_rows, name="board_rows"),
    path(
        "seleksi/<slug:code>/pengumuman/",
        announcement_views.announcement_list,
        name="announcements",
    ),
    path(
        "seleksi/<slug:code>/pengumuman/<int:pk>/",
        announcement_views.announcement_detail,
        name="announcement",
    ),
    path(
        "seleksi/<slug:code>/pengumuman/<int:pk>.pdf",
        announcement_views.announcement_pdf,
        name="announcement_pdf",
    ),
    path(
        "seleksi/<slug:code>/pengumuman/<int:pk>.<str:file_format>",
        announcement_views.announcement_download,
        name="announcement_download",
    ),
]

urlpatterns = [
    path("", include((selection_patterns, "selections"))),
    path("referensi/", include((reference_patterns, "reference"))),
    path("", include((public_patterns, "public"))),
]
