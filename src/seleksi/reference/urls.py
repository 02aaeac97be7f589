from django.urls import path

from . import views

app_name = "reference"

urlpatterns = [
    path("kabupaten/", views.regency_options, name="regency_options"),
]
