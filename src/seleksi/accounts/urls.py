from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("daftar/", views.register, name="register"),
    path("daftar/periksa-nik/", views.register_check_nik, name="register_check_nik"),
    path("daftar/selesai/", views.registered, name="registered"),
    path("aktivasi/kirim-ulang/", views.activation_resend, name="activation_resend"),
    path("aktivasi/<str:token>/", views.activate, name="activate"),
    path("masuk/", views.sign_in, name="login"),
    path("keluar/", views.sign_out, name="logout"),
    path("lupa-sandi/", views.ResetView.as_view(), name="password_reset"),
    path("lupa-sandi/terkirim/", views.ResetDoneView.as_view(), name="password_reset_done"),
    path(
        "lupa-sandi/<uidb64>/<token>/",
        views.ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "lupa-sandi/selesai/",
        views.ResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("pemulihan/", views.recovery_start, name="recovery"),
    path("pemulihan/jawaban/", views.recovery_answers, name="recovery_answers"),
    path("pemulihan/sandi-baru/", views.recovery_password, name="recovery_password"),
    path("lupa-jawaban/", views.answers_reset_request, name="answers_reset_request"),
    path("lupa-jawaban/<str:token>/", views.answers_reset, name="answers_reset"),
    path("profil/", views.profile, name="profile"),
    path("profil/ubah/", views.profile_edit, name="profile_edit"),
    path("profil/pendidikan/tambah/", views.education_edit, name="education_add"),
    path("profil/pendidikan/<int:pk>/", views.education_edit, name="education_edit"),
    path("profil/pendidikan/<int:pk>/hapus/", views.education_delete, name="education_delete"),
    path("profil/identitas/", views.identity_add, name="identity_add"),
    path("profil/sandi/", views.ChangePasswordView.as_view(), name="password_change"),
    path("profil/email/", views.email_change, name="email_change"),
    path("profil/email/<str:token>/", views.email_confirm, name="email_confirm"),
    path("profil/pertanyaan-pengaman/", views.security_questions, name="security_questions"),
    path("data-saya/", views.my_data, name="my_data"),
    path("data-saya.json", views.my_data_json, name="my_data_json"),
    path("hapus-akun/", views.account_delete, name="delete"),
]
