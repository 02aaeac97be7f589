"""The committee's addresses under `/panitia/`, all named `committee:`."""

from django.urls import path

from . import (
    activity_views,
    announcement_views,
    assignment_views,
    bank_views,
    card_views,
    checkin_views,
    exams_views,
    notice_views,
    pool_document_views,
    pool_rating_views,
    pool_views,
    ranking_views,
    replacement_views,
    report_views,
    sitting_views,
    verification_views,
    workspace_views,
)

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
    path("panitia/<slug:code>/pesan/", notice_views.notices, name="notices"),
    path("panitia/<slug:code>/peringkat/", ranking_views.runs, name="runs"),
    path("panitia/peringkat/<int:pk>/", ranking_views.run_detail, name="run"),
    path("panitia/peringkat/<int:pk>.csv", ranking_views.run_csv, name="run_csv"),
    path(
        "panitia/peringkat/<int:pk>/penggantian/",
        replacement_views.replacements,
        name="replacements",
    ),
    # mitra pool: one activity, its proposals, one assignment
    path(
        "panitia/kegiatan/<int:pk>/",
        activity_views.activity_detail,
        name="pool_activity",
    ),
    path(
        "panitia/kegiatan/<int:pk>/usulan/",
        activity_views.activity_proposals,
        name="pool_proposals",
    ),
    path(
        "panitia/penugasan/<int:pk>/",
        activity_views.assignment_detail,
        name="pool_assignment",
    ),
    # the office's yearly ratings into a mitra selection's scores
    path(
        "panitia/<slug:code>/peringkat/nilai-kinerja/",
        pool_rating_views.ratings_transfer_page,
        name="pool_ratings_transfer",
    ),
    # announcements
    path(
        "panitia/<slug:code>/pengumuman/",
        announcement_views.announcements,
        name="announcements",
    ),
    path(
        "panitia/<slug:code>/pengumuman/baru/",
        announcement_views.announcement_new,
        name="announcement_new",
    ),
    path(
        "panitia/pengumuman/<int:pk>/",
        announcement_views.announcement_detail,
        name="announcement",
    ),
    path(
        "panitia/<slug:code>/pengumuman/templat/<slug:kind>/",
        announcement_views.announcement_template,
        name="announcement_template",
    ),
    # test desk
    path("panitia/<slug:code>/ujian/", exams_views.exams, name="exams"),
    path("panitia/<slug:code>/ujian/lokasi/", exams_views.exam_site_add, name="exam_site_add"),
    path(
        "panitia/<slug:code>/ujian/sesi/baru/",
        exams_views.exam_session_add,
        name="exam_session_add",
    ),
    path("panitia/<slug:code>/ujian/impor/", exams_views.exam_import, name="exam_import"),
    path("panitia/<slug:code>/ujian/jendela/", exams_views.exam_window, name="exam_window"),
    path("panitia/ujian/sesi/<int:pk>/", exams_views.exam_session, name="exam_session"),
    path("panitia/ujian/sesi/<int:pk>/tutup/", exams_views.exam_close, name="exam_close"),
    path("panitia/ujian/pemesanan/<int:pk>/pindah/", exams_views.exam_move, name="exam_move"),
    # seat assignment
    path(
        "panitia/<slug:code>/ujian/akomodasi/",
        assignment_views.exam_accommodations,
        name="exam_accommodations",
    ),
    path(
        "panitia/<slug:code>/ujian/<str:stage>/penempatan/",
        assignment_views.exam_assign,
        name="exam_assign",
    ),
    # question bank
    path(
        "panitia/<slug:code>/ujian/bank-soal/",
        bank_views.question_bank,
        name="question_bank",
    ),
    # the sittings of the computer-assisted test
    path(
        "panitia/ujian/sesi/<int:session_id>/cat/",
        sitting_views.sitting_monitor,
        name="sitting_monitor",
    ),
    path("panitia/ujian/cat/<int:sitting_id>/", sitting_views.sitting_detail, name="sitting"),
    path(
        "panitia/ujian/cat/<int:sitting_id>/log.csv",
        sitting_views.sitting_log_csv,
        name="sitting_log",
    ),
    path(
        "panitia/<slug:code>/ujian/bank-soal/tahap/",
        bank_views.stage_test,
        name="stage_test",
    ),
    path(
        "panitia/<slug:code>/ujian/bank-soal/<slug:blueprint>/soal/",
        bank_views.bank_questions,
        name="bank_questions",
    ),
    path(
        "panitia/<slug:code>/ujian/bank-soal/soal/<int:question>/",
        bank_views.bank_question,
        name="bank_question",
    ),
    path(
        "panitia/<slug:code>/ujian/bank-soal/soal/<int:question>/hapus/",
        bank_views.bank_question_delete,
        name="bank_question_delete",
    ),
    path(
        "panitia/<slug:code>/ujian/bank-soal/gambar/<int:question>/",
        bank_views.question_image,
        name="bank_question_image",
    ),
    # check-in
    path("panitia/<slug:code>/hadir/", checkin_views.sessions, name="checkin_sessions"),
    path("panitia/hadir/sesi/<int:pk>/", checkin_views.checkin, name="checkin"),
    path("panitia/hadir/foto/<int:pk>/", checkin_views.photo, name="checkin_photo"),
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
    # reports
    path("panitia/<slug:code>/laporan/", report_views.reports, name="reports"),
    path("panitia/<slug:code>/laporan.xlsx", report_views.reports_xlsx, name="reports_xlsx"),
    # the mitra pool of a statistics office
    path("panitia/mitra/<slug:agency_code>/", pool_views.pool, name="pool"),
    path(
        "panitia/mitra/<slug:agency_code>/batas-honor/",
        pool_views.pool_caps,
        name="pool_caps",
    ),
    path(
        "panitia/mitra/<slug:agency_code>/batas-honor/contoh.json",
        pool_views.pool_caps_sample,
        name="pool_caps_sample",
    ),
    path(
        "panitia/mitra/<slug:agency_code>/kegiatan/",
        pool_views.pool_activities,
        name="pool_activities",
    ),
    path(
        "panitia/mitra/<slug:agency_code>/kegiatan/baru/",
        pool_views.pool_activity_new,
        name="pool_activity_new",
    ),
    # the mitra pool's documents
    path("panitia/penugasan/<int:pk>/spk.pdf", pool_document_views.contract_pdf, name="pool_spk"),
    path("panitia/penugasan/<int:pk>/bast.pdf", pool_document_views.handover_pdf, name="pool_bast"),
    path(
        "panitia/mitra/<slug:agency_code>/rekap-honor/<int:year>.xlsx",
        pool_document_views.recap_xlsx,
        name="pool_recap",
    ),
]
