"""The committee's addresses under `/panitia/`, all named `committee:`."""

from django.urls import path

from . import card_views, ranking_views, replacement_views, verification_views, workspace_views

app_name = "committee"

urlpatterns = [
    path("panitia/", workspace_views.home, name="home"),
    path("panitia/<slug:code>/verifikasi/", verification_views.queue, name="queue"),
    path(
        "panitia/<slug:code>/verifikasi/aksi/",
        verification_views.queue_action,
        name="queue_action",
    ),
    path("panitia/lamaran/<str:number>/periksa/", verification_views.review, name="review"),
    path(
        "panitia/sanggah/<int:pk>/",
        verification_views.objection_answer,
        name="objection_answer",
    ),
    path(
        "panitia/sanggah/bukti/<int:pk>/",
        verification_views.objection_evidence,
        name="objection_evidence",
    ),
    path("panitia/<slug:code>/peringkat/", ranking_views.runs, name="runs"),
    path("panitia/peringkat/<int:pk>/", ranking_views.run_detail, name="run"),
    path("panitia/peringkat/<int:pk>.csv", ranking_views.run_csv, name="run_csv"),
    path(
        "panitia/peringkat/<int:pk>/penggantian/",
        replacement_views.replacements,
        name="replacements",
    ),
    # exam cards
    path(
        "panitia/<slug:code>/ujian/<slug:stage>/kartu/",
        card_views.exam_cards,
        name="exam_cards",
    ),
    path(
        "panitia/<slug:code>/ujian/<slug:stage>/kartu/proses/",
        card_views.exam_cards_progress,
        name="exam_cards_progress",
    ),
    path("panitia/kartu/<int:pk>.zip", card_views.exam_cards_zip, name="exam_cards_zip"),
]
