"""Date windows are days in the agency's own time zone (WIB, WITA, WIT), not the server's."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from seleksi.agencies.models import Agency
from seleksi.applications import services as applications
from seleksi.applications.models import Application
from seleksi.rules.schedule import SelectionStatus
from seleksi.selections.models import Formation, Selection
from seleksi.verification.services import window_for
from tests.accounts.helpers import make_applicant
from tests.factories import (
    formation_rows,
    import_rows,
    make_agency,
    make_selection,
    make_superuser,
)

pytestmark = pytest.mark.django_db

LAST_DAY = date(2026, 1, 31)
# 23:30 WIB on the last day of registration: 00:30 the next day in WITA, 01:30 in WIT.
LATE_EVENING_WIB = datetime(2026, 1, 31, 16, 30, tzinfo=UTC)


@pytest.fixture
def late_evening(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setattr(timezone, "now", lambda: LATE_EVENING_WIB)
    return LATE_EVENING_WIB


def selection_in(zone: str) -> Selection:
    code = zone.split("/")[-1].lower()
    agency = make_agency(f"pemkab-{code}", time_zone=zone)
    selection = make_selection(agency, f"seleksi-{code}", registration=(date(2026, 1, 1), LAST_DAY))
    import_rows(selection, formation_rows(1, prefix=code.upper()))
    return selection


def test_the_agency_date_follows_its_zone(late_evening: datetime) -> None:
    dates = {zone: Agency(time_zone=zone).today() for zone in Agency.TimeZone.values}
    assert dates == {
        "Asia/Jakarta": LAST_DAY,
        "Asia/Makassar": LAST_DAY + timedelta(days=1),
        "Asia/Jayapura": LAST_DAY + timedelta(days=1),
    }


def test_new_agencies_are_in_wib() -> None:
    assert make_agency().time_zone == "Asia/Jakarta"


def test_at_2330_wib_on_the_last_day_wit_is_closed_and_wib_still_open(
    late_evening: datetime,
) -> None:
    wib, wita, wit = (selection_in(zone) for zone in Agency.TimeZone.values)
    assert Selection.objects.get(pk=wib.pk).status() == SelectionStatus.OPEN
    assert Selection.objects.get(pk=wita.pk).status() == SelectionStatus.CLOSED
    assert Selection.objects.get(pk=wit.pk).status() == SelectionStatus.CLOSED


def test_applying_in_wit_after_its_midnight_is_refused_as_closed(late_evening: datetime) -> None:
    wib, wit = selection_in("Asia/Jakarta"), selection_in("Asia/Jayapura")
    person = make_applicant()
    statements = ["not_asn", "no_conviction", "not_in_party", "willing_10_years"]
    with pytest.raises(applications.ApplicationRefused) as closed:
        applications.application_start(
            user=person, formation=Formation.objects.get(selection=wit), statements=statements
        )
    assert closed.value.code == "registration_closed"
    outcome = "started"
    try:
        applications.application_start(
            user=person, formation=Formation.objects.get(selection=wib), statements=statements
        )
    except applications.ApplicationRefused as refused:
        outcome = refused.code  # the made-up person may not qualify; the window is open
    assert outcome != "registration_closed"


def test_the_home_page_shows_each_selection_by_its_own_date(
    late_evening: datetime, client: Client
) -> None:
    selection_in("Asia/Jakarta")
    selection_in("Asia/Jayapura")
    response = client.get("/")
    statuses = {selection.code: str(status) for selection, status in response.context["selections"]}
    assert statuses == {"seleksi-jakarta": "open", "seleksi-jayapura": "closed"}


def test_the_objection_window_starts_on_the_agencys_date_of_publication(
    late_evening: datetime,
) -> None:
    wib, wit = selection_in("Asia/Jakarta"), selection_in("Asia/Jayapura")
    opened = {}
    for selection in (wib, wit):
        application = Application(selection=selection, published_at=timezone.now())
        window = window_for(application)
        assert window is not None
        opened[selection.agency.time_zone] = window.opens_on
    assert opened == {"Asia/Jakarta": LAST_DAY, "Asia/Jayapura": LAST_DAY + timedelta(days=1)}


def test_a_superuser_sets_the_agencys_time_zone_in_the_console(client: Client) -> None:
    agency = make_agency("bps-jayapura", kind=Agency.Kind.STATISTICS_OFFICE)
    client.force_login(make_superuser())
    url = f"/kelola/agencies/agency/{agency.pk}/change/"
    form = client.get(url).content.decode()
    assert 'name="time_zone"' in form and "Asia/Jayapura" in form
    response = client.post(
        url,
        {
            "code": agency.code,
            "name": agency.name,
            "kind": agency.kind,
            "time_zone": "Asia/Jayapura",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Agency.objects.get(pk=agency.pk).time_zone == "Asia/Jayapura"
    refused = client.post(
        url,
        {
            "code": agency.code,
            "name": agency.name,
            "kind": agency.kind,
            "time_zone": "Europe/Berlin",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert refused.status_code == 200  # only the three Indonesian zones
    assert Agency.objects.get(pk=agency.pk).time_zone == "Asia/Jayapura"
