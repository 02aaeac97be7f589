from django.urls import path

from . import views

app_name = "verification"

urlpatterns = [
    path("panitia/<slug:code>/verifikasi/", views.queue, name="queue"),
    path("panitia/<slug:code>/verifikasi/aksi/", views.queue_action, name="queue_action"),
    path("panitia/lamaran/<str:number>/periksa/", views.review, name="review"),
    path("panitia/sanggah/<int:pk>/", views.objection_answer, name="objection_answer"),
]
