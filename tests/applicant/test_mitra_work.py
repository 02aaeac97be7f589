"""A mitra's own work page and the dashboard's card of it: only their own assignments, the
earnings per month with estimates marked and the totals right, their ratings and the yearly
average; nobody else's work, ever."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from seleksi.accounts.models import Profile, User
from seleksi.agencies.models import Role
from seleksi.pool.mine import mitra_work
from seleksi.pool.models import (
    Activity,
    ActivityRole,
    Assignment,
    Earning,
    PerformanceRating,
    PoolMember,
)
from tests.accounts.helpers import signed_in
from tests.factories import make_agency, make_staff, make_user
from tests.pool.conftest import MAGETAN, Office, make_office

pytestmark = pytest.mark.django_db
PAGE = "/dasbor/mitra/"
DASHBOARD = "/dasbor/"


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def member(office: Office, user: User, year: int) -> PoolMember:
    return PoolMember.objects.create(
        agency=office.agency,
        user=user,
        year=year,
        source=PoolMember.Source.SELECTED,
        domicile_regency=MAGETAN,
    )


def work(
    office: Office,
    pool_member: PoolMember,
    name: str,
    *,
    period: tuple[date, date],
    amount: int,
    quantity: int = 1,
    recorded: dict[tuple[int, int], int] | None = None,
    marks: tuple[int, int, int] | None = None,
    comment: str = "",
) -> Assignment:
    """An assignment written straight into the tables: the page only reads them."""
    activity = Activity.objects.create(
        agency=office.agency,
        name=name,
        starts_on=period[0],
        ends_on=period[1],
        regencies=[MAGETAN],
    )
    role = ActivityRole.objects.create(
        activity=activity, role="ppl", regency=MAGETAN, needed=5, unit="document", rate=amount
    )
    assignment = Assignment.objects.create(
        activity=activity,
        activity_role=role,
        member=pool_member,
        quantity=quantity,
        amount=amount * quantity,
        months=[list(month) for month in activity.months()],
    )
    for (year, month), paid in (recorded or {}).items():
        Earning.objects.create(assignment=assignment, year=year, month=month, amount=paid)
    if marks is not None:
        PerformanceRating.objects.create(
            assignment=assignment,
            attitude=marks[0],
            quality=marks[1],
            timeliness=marks[2],
            comment=comment,
            rated_by=office.committee,
        )
    return assignment


@dataclass
class Scene:
    office: Office
    mitra: User
    other: User
    last_year: int
    current: Assignment


@pytest.fixture
def scene(db: None) -> Scene:
    office = make_office()
    committee = office.committee
    committee.full_name = "Panitia Contoh"
    committee.save(update_fields=["full_name"])
    today, last = office.today, office.year - 1
    mitra = make_user("mitra-a", full_name="Mitra Satu")
    Profile.objects.create(user=mitra, domicile_regency_id=MAGETAN)
    other = make_user("mitra-b", full_name="Mitra Dua")
    before, now = member(office, mitra, last), member(office, mitra, office.year)
    # last year: March and April, 2 documents at 1,500,000; March recorded, April not
    work(
        office,
        before,
        "Sensus Lama",
        period=(date(last, 3, 1), date(last, 4, 30)),
        amount=1_500_000,
        quantity=2,
        recorded={(last, 3): 1_600_000},
        marks=(8, 9, 7),
        comment="Rapi dan teliti",
    )
    work(
        office,
        before,
        "Survei Kedua",
        period=(date(last, 6, 1), date(last, 6, 30)),
        amount=500_000,
        recorded={(last, 6): 500_000},
        marks=(6, 6, 7),
    )
    # this month, 3 documents at 100,000, nothing recorded yet
    first = today.replace(day=1)
    current = work(
        office, now, "Survei Berjalan", period=(first, today + timedelta(days=1)), amount=100_000
    )
    # paid in this month only, whatever day it is
    Assignment.objects.filter(pk=current.pk).update(
        quantity=3, amount=300_000, months=[[today.year, today.month]]
    )
    work(
        office,
        member(office, other, office.year),
        "Survei Rahasia",
        period=(first, today),
        amount=7_777_000,
        recorded={(today.year, today.month): 7_654_321},
        marks=(2, 3, 4),
        comment="Komentar untuk mitra lain",
    )
    return Scene(office, mitra, other, last, current)


def page(user: User) -> str:
    response = english(signed_in(user)).get(PAGE)
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_mitra_sees_their_assignments_and_no_one_elses(scene: Scene) -> None:
    html = page(scene.mitra)
    for name in ("Sensus Lama", "Survei Kedua", "Survei Berjalan"):
        assert name in html
    assert f'id="assignments-{scene.last_year}"' in html
    assert "Rp 3,000,000" in html  # 2 × 1,500,000
    assert "Kabupaten Magetan" in html
    for foreign in ("Survei Rahasia", "7,777,000", "7,654,321", "Komentar untuk mitra lain"):
        assert foreign not in html
    # and the other mitra sees theirs, not the first one's
    theirs = page(scene.other)
    assert "Survei Rahasia" in theirs and "Sensus Lama" not in theirs


def test_earnings_are_per_month_with_estimates_marked_and_totals_right(scene: Scene) -> None:
    found = mitra_work(user=scene.mitra)
    last, today = scene.last_year, scene.office.today
    march, april, june = found.month((last, 3)), found.month((last, 4)), found.month((last, 6))
    assert march is not None and (march.total, march.estimated) == (1_600_000, 0)
    assert april is not None and (april.total, april.estimated) == (1_500_000, 1_500_000)
    assert june is not None and (june.total, june.recorded) == (500_000, 500_000)
    year = next(y for y in found.earnings if y.year == last)
    assert (year.total, year.recorded, year.estimated) == (3_600_000, 2_100_000, 1_500_000)
    this_month = found.this_month
    assert this_month is not None and (this_month.total, this_month.estimated) == (300_000, 300_000)

    html = page(scene.mitra)
    row = html.split(f'id="month-{last}-04"')[1].split("</tr>")[0]
    assert "Sensus Lama" in row and "estimate" in row and "Rp 1,500,000" in row
    recorded_row = html.split(f'id="month-{last}-03"')[1].split("</tr>")[0]
    assert "Rp 1,600,000" in recorded_row and "estimate" not in recorded_row
    total = html.split(f'id="earnings-total-{last}"')[1].split("</td>")[0]
    assert "Rp 3,600,000" in total and "recorded Rp 2,100,000" in total
    assert "estimated Rp 1,500,000" in total
    assert f'id="month-{today:%Y-%m}"' in html


def test_ratings_show_the_marks_score_comment_rater_and_yearly_average(scene: Scene) -> None:
    html = page(scene.mitra)
    ratings = html.split('id="rating-list"')[1].split("</table>")[0]
    assert "Sensus Lama" in ratings and "Rapi dan teliti" in ratings
    assert "8.000" in ratings and "6.333" in ratings  # (8+9+7)/3 and (6+6+7)/3
    assert "Panitia Contoh" in ratings
    yearly = html.split('id="yearly-ratings"')[1].split("</ul>")[0]
    # (8 + 19/3) / 2 = 7.1666… rounded half up: the value next year's ranking reads
    assert str(scene.last_year) in yearly and "7.167" in yearly and "2 ratings" in yearly


def test_amounts_use_indonesian_separators_by_default(scene: Scene) -> None:
    html = signed_in(scene.mitra).get(PAGE).content.decode()
    assert "Rp 1.600.000" in html and "Rp 1,600,000" not in html


def test_a_person_in_no_pool_is_told_so(db: None) -> None:
    html = page(make_user("pelamar-biasa"))
    assert 'id="not-in-pool"' in html
    assert "You are not in any office’s mitra pool." in html


def test_an_anonymous_visitor_is_sent_to_sign_in(db: None) -> None:
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == "/akun/masuk/?next=/dasbor/mitra/"


def test_staff_are_sent_to_their_workspace(scene: Scene) -> None:
    response = signed_in(scene.office.committee).get(PAGE)
    assert response.status_code == 302 and response["Location"] == "/panitia/"
    other = make_staff("verifikator-lain", make_agency("lain"), Role.VERIFIER)
    assert signed_in(other).get(PAGE)["Location"] == "/panitia/"


def test_the_dashboard_shows_a_card_only_to_someone_in_a_pool(scene: Scene) -> None:
    html = english(signed_in(scene.mitra)).get(DASHBOARD).content.decode()
    card = html.split('id="mitra-summary"')[1].split("</article>")[0]
    assert "Survei Berjalan" in card and "Sensus Lama" not in card
    assert "Rp 300,000" in card and "includes an estimate" in card
    assert "Latest rating" in card and 'href="/dasbor/mitra/"' in card
    plain = english(signed_in(make_user("pelamar-lain"))).get(DASHBOARD).content.decode()
    assert 'id="mitra-summary"' not in plain


def test_the_queries_do_not_grow_with_the_assignments(scene: Scene) -> None:
    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            mitra_work(user=scene.mitra)
        return len(queries)

    before = counted()
    pool_member = PoolMember.objects.get(user=scene.mitra, year=scene.office.year)
    for number in range(5):
        work(
            scene.office,
            pool_member,
            f"Survei Tambahan {number}",
            period=(date(scene.office.year, 1, 1), date(scene.office.year, 2, 1)),
            amount=10_000,
            recorded={(scene.office.year, 1): 10_000},
            marks=(7, 7, 7),
        )
    assert counted() == before <= 4


def test_the_mitra_prints_their_own_spk_and_bast_and_never_anyone_elses(scene: Scene) -> None:
    own = scene.current
    others = Assignment.objects.get(member__user=scene.other)
    client = english(signed_in(scene.mitra))

    assert f"/dasbor/mitra/penugasan/{own.pk}/spk.pdf" in page(scene.mitra)
    for kind in ("spk", "bast"):
        response = client.get(f"/dasbor/mitra/penugasan/{own.pk}/{kind}.pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert "no-store" in response["Cache-Control"]
        assert client.get(f"/dasbor/mitra/penugasan/{others.pk}/{kind}.pdf").status_code == 404
        assert client.get(f"/dasbor/mitra/penugasan/999999/{kind}.pdf").status_code == 404
        assert client.post(f"/dasbor/mitra/penugasan/{own.pk}/{kind}.pdf").status_code == 405


def test_a_stranger_is_sent_to_sign_in_for_a_mitra_document(scene: Scene) -> None:
    response = Client().get(f"/dasbor/mitra/penugasan/{scene.current.pk}/spk.pdf")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
