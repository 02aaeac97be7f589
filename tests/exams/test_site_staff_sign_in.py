from django.test import Client
from django.urls import reverse

from seleksi.agencies.models import Membership, Role
from tests.factories import PASSWORD, make_agency, make_user


def test_site_staff_without_the_staff_flag_land_on_their_workspace(db: None) -> None:
    user = make_user("petugas-tanpa-flag")
    Membership.objects.create(agency=make_agency(), user=user, role=Role.SITE_STAFF)
    response = Client().post(
        reverse("accounts:login"), {"identifier": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("committee:home")


def test_an_applicant_still_lands_on_their_dashboard(db: None) -> None:
    user = make_user("pelamar-biasa")
    response = Client().post(
        reverse("accounts:login"), {"identifier": user.username, "password": PASSWORD}
    )
    assert response["Location"] == reverse("applicant:dashboard")
