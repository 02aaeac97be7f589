"""The committee's page that writes the office's yearly ratings into a mitra selection's
scores: the committee only, refusals next to the form with the year as typed."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from seleksi.agencies.models import Role
from seleksi.audit.models import AuditEvent
from seleksi.scoring.models import RankingRun, Score
from seleksi.scoring.ranking_runs import ranking_run
from seleksi.selections.models import Selection
from tests.accounts.helpers import signed_in
from tests.factories import make_agency, make_staff
from tests.pool.conftest import Office, make_office
from tests.pool.test_ratings_transfer import (
    applicant,
    import_equal_scores,
    mitra_selection,
    rated_work,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(db: None) -> Office:
    return make_office()


@pytest.fixture
def selection(office: Office) -> Selection:
    selection = mitra_selection(office)
    rated_work(office, applicant(selection, "M1"), "Survei Satu", (6, 7, 8))
    rated_work(office, applicant(selection, "M4"), "Survei Empat", (5, 5, 5))
    import_equal_scores(selection)
    return selection


def url(selection: Selection) -> str:
    return f"/panitia/{selection.code}/peringkat/nilai-kinerja/"


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def ratings(selection: Selection) -> dict[str, Decimal | None]:
    return dict(
        Score.objects.filter(selection=selection).values_list(
            "application__number", "performance_rating"
        )
    )


def test_the_committee_sees_the_rated_years_and_the_year_suggested(
    office: Office, selection: Selection
) -> None:
    response = english(signed_in(office.committee)).get(url(selection))
    assert response.status_code == 200
    html = response.content.decode()
    table = html.split('id="rated-years"')[1].split("</table>")[0]
    assert f"<td>{office.year}</td>" in table and ">2</td>" in table
    assert f'value="{office.year}"' in html
    assert set(ratings(selection).values()) == {None}  # reading writes nothing


def test_posting_a_year_writes_the_ratings_and_reports_the_rest(
    office: Office, selection: Selection
) -> None:
    client = english(signed_in(office.committee))
    response = client.post(url(selection), {"year": str(office.year)})
    assert response.status_code == 302 and response["Location"] == url(selection)
    assert ratings(selection)["M1"] == Decimal("7.000")
    page = client.get(url(selection)).content.decode()
    assert "1 scores updated" in page
    assert "1 rated applicant has no mitra score yet (M4)" in page
    assert AuditEvent.objects.filter(action="pool.ratings_transferred").count() == 1


def test_a_confirmed_ranking_is_refused_next_to_the_form(
    office: Office, selection: Selection
) -> None:
    run = ranking_run(selection=selection, stage="mitra", actor=None).run
    RankingRun.objects.filter(pk=run.pk).update(confirmed_at=timezone.now())
    response = english(signed_in(office.committee)).post(url(selection), {"year": str(office.year)})
    assert response.status_code == 400
    html = response.content.decode()
    form = html.split('id="ratings-transfer"')[1]
    assert "already confirmed" in form and f'value="{office.year}"' in form
    assert set(ratings(selection).values()) == {None}


@pytest.mark.parametrize("typed", ["", "dua ribu", "99"])
def test_a_bad_year_is_shown_at_the_field_as_typed(
    office: Office, selection: Selection, typed: str
) -> None:
    response = english(signed_in(office.committee)).post(url(selection), {"year": typed})
    assert response.status_code == 400
    field = response.content.decode().split('id="field-year"')[1].split("</div>\n</div>")[0]
    assert 'class="errorlist"' in field
    if typed:
        assert f'value="{typed}"' in field
    assert set(ratings(selection).values()) == {None}


def test_anyone_but_the_agencys_committee_gets_a_404(office: Office, selection: Selection) -> None:
    strangers = [
        office.verifier,
        make_staff("panitia-lain", make_agency("bps-lain"), Role.COMMITTEE),
        applicant(selection, "M1"),
    ]
    for stranger in strangers:
        client = signed_in(stranger)
        assert client.get(url(selection)).status_code == 404
        assert client.post(url(selection), {"year": str(office.year)}).status_code == 404
    assert set(ratings(selection).values()) == {None}
    response = Client().get(url(selection))
    assert response.status_code == 302 and response["Location"].startswith("/akun/masuk/")


def test_an_unknown_selection_is_a_404(office: Office) -> None:
    assert (
        signed_in(office.committee).get("/panitia/tidak-ada/peringkat/nilai-kinerja/").status_code
        == 404
    )


def test_the_ranking_page_of_a_mitra_selection_links_the_transfer(
    office: Office, selection: Selection
) -> None:
    runs = english(signed_in(office.committee)).get(f"/panitia/{selection.code}/peringkat/")

    assert url(selection) in runs.content.decode()
    assert 'id="ratings-transfer-link"' in runs.content.decode()
