from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("seleksi/<slug:code>/melamar/", views.choose, name="choose"),
    path("seleksi/<slug:code>/melamar/<str:formation_code>/", views.apply, name="apply"),
    path("lamaran/<str:number>/", views.detail, name="detail"),
    path("lamaran/<str:number>/dokumen/<slug:slot>/", views.upload, name="upload"),
    path("lamaran/<str:number>/batalkan/", views.cancel, name="cancel"),
    path("lamaran/<str:number>/akhiri/", views.submit, name="submit"),
    path("dokumen/<int:pk>/", views.document_file, name="document"),
    path("lamaran/<str:number>/resume.pdf", views.resume_pdf, name="resume_pdf"),
    path("akun/kartu-informasi-akun.pdf", views.account_card_pdf, name="account_card_pdf"),
]
