"""The applicant's addresses. The account pages under `/akun/` keep their namespace
(`accounts:`); the application pages are `applicant:`."""

from django.urls import include, path

from . import (
    account_views,
    booking_views,
    card_views,
    dashboard_views,
    mitra_views,
    notice_views,
    site_views,
    sitting_views,
    views,
)

account_patterns = [
    path("daftar/", account_views.register, name="register"),
    path("daftar/periksa-nik/", account_views.register_check_nik, name="register_check_nik"),
    path("daftar/selesai/", account_views.registered, name="registered"),
    path("aktivasi/kirim-ulang/", account_views.activation_resend, name="activation_resend"),
    path("aktivasi/<str:token>/", account_views.activate, name="activate"),
    path("masuk/", account_views.sign_in, name="login"),
    path("keluar/", account_views.sign_out, name="logout"),
    path("lupa-sandi/", account_views.ResetView.as_view(), name="password_reset"),
    path(
        "lupa-sandi/terkirim/",
        account_views.ResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "lupa-sandi/<uidb64>/<token>/",
        account_views.ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "lupa-sandi/selesai/",
        account_views.ResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("pemulihan/", account_views.recovery_start, name="recovery"),
    path("pemulihan/jawaban/", account_views.recovery_answers, name="recovery_answers"),
    path("pemulihan/sandi-baru/", account_views.recovery_password, name="recovery_password"),
    path("lupa-jawaban/", account_views.answers_reset_request, name="answers_reset_request"),
    path("lupa-jawaban/<str:token>/", account_views.answers_reset, name="answers_reset"),
    path("profil/", account_views.profile, name="profile"),
    path("profil/ubah/", account_views.profile_edit, name="profile_edit"),
    path("profil/pendidikan/tambah/", account_views.education_edit, name="education_add"),
    path("profil/pendidikan/<int:pk>/", account_views.education_edit, name="education_edit"),
    path(
        "profil/pendidikan/<int:pk>/hapus/",
        account_views.education_delete,
        name="education_delete",
    ),
    path("profil/identitas/", account_views.identity_add, name="identity_add"),
    path("profil/sandi/", account_views.ChangePasswordView.as_view(), name="password_change"),
    path("profil/email/", account_views.email_change, name="email_change"),
    path("profil/email/<str:token>/", account_views.email_confirm, name="email_confirm"),
    path(
        "profil/pertanyaan-pengaman/",
        account_views.security_questions,
        name="security_questions",
    ),
    path("data-saya/", account_views.my_data, name="my_data"),
    path("data-saya.json", account_views.my_data_json, name="my_data_json"),
    path("hapus-akun/", account_views.account_delete, name="delete"),
]

applicant_patterns = [
    path("dasbor/", dashboard_views.dashboard, name="dashboard"),
    # the mitra's own pool work
    path("dasbor/mitra/", mitra_views.mitra_work_page, name="mitra_work"),
    path(
        "dasbor/mitra/penugasan/<int:pk>/spk.pdf",
        mitra_views.mitra_contract_pdf,
        name="mitra_spk",
    ),
    path(
        "dasbor/mitra/penugasan/<int:pk>/bast.pdf",
        mitra_views.mitra_handover_pdf,
        name="mitra_bast",
    ),
    path("seleksi/<slug:code>/melamar/", views.choose, name="choose"),
    path("seleksi/<slug:code>/melamar/<str:formation_code>/", views.apply, name="apply"),
    path("lamaran/<str:number>/", views.detail, name="detail"),
    path("lamaran/<str:number>/dokumen/<slug:slot>/", views.upload, name="upload"),
    path("lamaran/<str:number>/batalkan/", views.cancel, name="cancel"),
    path("lamaran/<str:number>/akhiri/", views.submit, name="submit"),
    path("lamaran/<str:number>/sanggah/", views.object_to_result, name="object"),
    path("dokumen/<int:pk>/", views.document_file, name="document"),
    path("lamaran/<str:number>/resume.pdf", views.resume_pdf, name="resume_pdf"),
    path("akun/kartu-informasi-akun.pdf", views.account_card_pdf, name="account_card_pdf"),
    # test seat
    path("lamaran/<str:number>/ujian/<slug:stage>/", booking_views.booking, name="booking"),
    path(
        "lamaran/<str:number>/ujian/<slug:stage>/kursi/",
        booking_views.seats,
        name="booking_seats",
    ),
    # the computer-assisted test (CAT)
    path("lamaran/<str:number>/ujian/<slug:stage>/cat/", sitting_views.cat_start, name="cat_start"),
    path(
        "lamaran/<str:number>/ujian/<slug:stage>/cat/soal/", sitting_views.cat_test, name="cat_test"
    ),
    path(
        "lamaran/<str:number>/ujian/<slug:stage>/cat/jawab/",
        sitting_views.cat_answers,
        name="cat_answers",
    ),
    path(
        "lamaran/<str:number>/ujian/<slug:stage>/cat/selesai/",
        sitting_views.cat_finish,
        name="cat_finish",
    ),
    path(
        "lamaran/<str:number>/ujian/<slug:stage>/cat/hasil/",
        sitting_views.cat_result,
        name="cat_result",
    ),
    path(
        "lamaran/<str:number>/ujian/<slug:stage>/cat/gambar/<int:question>/",
        sitting_views.cat_image,
        name="cat_image",
    ),
    # test location
    path("lamaran/<str:number>/lokasi-ujian/", site_views.exam_site, name="exam_site"),
    # notices
    path("kotak-masuk/", notice_views.inbox, name="inbox"),
    path("kotak-masuk/<int:pk>/", notice_views.notice, name="notice"),
    # exam card
    path(
        "lamaran/<str:number>/kartu-ujian/<slug:stage>.pdf",
        card_views.exam_card,
        name="exam_card",
    ),
]

urlpatterns = [
    path("akun/", include((account_patterns, "accounts"))),
    path("", include((applicant_patterns, "applicant"))),
]
