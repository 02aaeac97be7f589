"""`seleksi demo-pool`: the Magetan office's demo pool loads after `load-demo`, through the
audited services, once; the two demo mitra sign in and see their work; mitra.dua has no room
left under this month's cap."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from seleksi.audit.models import AuditEvent
from seleksi.pool import demo, services
from seleksi.pool.models import (
    Activity,
    ActivityRole,
    Assignment,
    CapTable,
    Earning,
    PerformanceRating,
    PoolMember,
)
from seleksi.pool.services import PoolRefused
from seleksi.reference.models import Regency
from seleksi.selections.demo import DEMO_PASSWORD, demo_load

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            CapTable,
            PoolMember,
            Activity,
            ActivityRole,
            Assignment,
            Earning,
            PerformanceRating,
            AuditEvent,
        )
    )


@pytest.fixture
def loaded(db: None) -> demo.DemoPool:
    demo_load()
    return demo.demo_pool_load()


def member(email: str) -> PoolMember:
    return PoolMember.objects.get(user__email=email, agency__code=demo.AGENCY)


def susenas(role: str) -> ActivityRole:
    return ActivityRole.objects.get(
        activity__name=demo.SUSENAS_ACTIVITY, activity__agency__code=demo.AGENCY, role=role
    )


def test_the_regency_is_kabupaten_magetan(db: None) -> None:
    assert Regency.objects.get(code=demo.REGENCY).name == "Kabupaten Magetan"


def test_it_loads_the_pool_through_the_audited_services(loaded: demo.DemoPool) -> None:
    assert not loaded.refused and not loaded.skipped
    members = PoolMember.objects.filter(agency__code=demo.AGENCY)
    assert members.count() == len(demo.STAND_INS) == 12
    assert set(members.values_list("domicile_regency", flat=True)) == {"3520"}
    today = members.first().agency.today()  # type: ignore[union-attr]
    assert set(members.values_list("year", flat=True)) == {today.year}
    table = CapTable.objects.get(agency__code=demo.AGENCY, year=today.year)
    assert table.code == f"demo-{today.year}"
    assert table.table().cap("ppl", (today.year, today.month)) == 3_250_000
    assert "2024" in table.data["source"]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "pool.cap_table_loaded",
        "pool.filled",
        "pool.activity_created",
        "pool.assigned",
        "pool.earning_recorded",
        "pool.rated",
    } <= actions
    actors = set(
        AuditEvent.objects.filter(action__startswith="pool.").values_list(
            "actor__username", flat=True
        )
    )
    assert actors == {demo.COMMITTEE}


def test_the_activities_are_around_the_offices_today(loaded: demo.DemoPool) -> None:
    ended = Activity.objects.get(name=demo.ENDED_ACTIVITY)
    today = ended.agency.today()
    assert ended.ends_on < today.replace(day=1)
    satu = Assignment.objects.get(activity=ended, member=member(demo.MITRA_SATU))
    assert satu.activity_role.role == "ppl" and satu.rating.quality == demo.RATING[1]
    assert [list(month) for month in ended.months()] == satu.months
    assert satu.earnings.count() == len(satu.months) - 1  # the last month is an estimate
    prices = Activity.objects.get(name=demo.PRICES_ACTIVITY)
    assert prices.starts_on <= today <= prices.ends_on
    dua = Assignment.objects.get(activity=prices, member=member(demo.MITRA_DUA))
    assert dua.amount == 3_100_000
    open_places = {
        role.role: role.needed - role.assignments.count()
        for role in ActivityRole.objects.filter(activity__name=demo.SUSENAS_ACTIVITY)
    }
    assert open_places["ppl"] >= 2 and open_places["pml"] == 1
    assert not Assignment.objects.filter(activity__name=demo.SUSENAS_ACTIVITY).exists()


def test_a_second_run_changes_nothing_and_says_so(loaded: demo.DemoPool) -> None:
    before = snapshot()
    again = demo.demo_pool_load()
    assert again.created == [] and "sudah dimuat" in again.skipped
    assert snapshot() == before
    out = StringIO()
    call_command("demo_pool", stdout=out)
    assert "tidak ada yang diubah" in out.getvalue()
    assert snapshot() == before


def test_the_command_prints_what_it_loaded(db: None) -> None:
    demo_load()
    out = StringIO()
    call_command("demo_pool", stdout=out)
    printed = out.getvalue()
    for expected in (
        "batas honorarium demo-",
        "12 mitra dalam pool",
        demo.ENDED_ACTIVITY,
        demo.PRICES_ACTIVITY,
        demo.SUSENAS_ACTIVITY,
        demo.MITRA_SATU,
        DEMO_PASSWORD,
    ):
        assert expected in printed


def test_without_load_demo_it_refuses_and_changes_nothing(db: None) -> None:
    report = demo.demo_pool_load()
    assert report.refused and "load-demo" in report.skipped
    with pytest.raises(CommandError, match="tidak ada yang diubah"):
        call_command("demo_pool", stdout=StringIO())
    assert snapshot() == (0,) * 8


@pytest.mark.parametrize("email", [demo.MITRA_SATU, demo.MITRA_DUA])
def test_the_two_demo_mitra_sign_in_and_see_their_work(loaded: demo.DemoPool, email: str) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    response = client.post("/akun/masuk/", {"identifier": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/dasbor/"
    assert 'id="mitra-summary"' in client.get("/dasbor/").content.decode()
    html = client.get("/dasbor/mitra/").content.decode()
    if email == demo.MITRA_SATU:
        assert demo.ENDED_ACTIVITY in html and demo.RATING[3] in html and "estimate" in html
        assert demo.PRICES_ACTIVITY not in html
    else:
        assert demo.PRICES_ACTIVITY in html and "Rp 3,100,000" in html
        assert demo.ENDED_ACTIVITY not in html


def test_the_other_stand_ins_cannot_sign_in(loaded: demo.DemoPool) -> None:
    client = Client()
    response = client.post(
        "/akun/masuk/",
        {"identifier": "mitra-demo-05@demo.seleksi.invalid", "password": DEMO_PASSWORD},
    )
    assert response.status_code != 302 and "_auth_user_id" not in client.session


def test_mitra_dua_goes_over_the_cap_in_susenas_and_mitra_satu_does_not(
    loaded: demo.DemoPool,
) -> None:
    committee = Activity.objects.get(name=demo.SUSENAS_ACTIVITY).created_by
    with pytest.raises(PoolRefused) as refused:
        services.assignment_add(
            activity_role=susenas("ppl"),
            member=member(demo.MITRA_DUA),
            actor=committee,
            quantity=1,
        )
    assert refused.value.code == "over_cap" and refused.value.check is not None
    row = refused.value.check.over_months[0]
    assert (row.existing, row.added, row.cap) == (3_100_000, 2_400_000, 3_250_000)
    assignment = services.assignment_add(
        activity_role=susenas("ppl"), member=member(demo.MITRA_SATU), actor=committee, quantity=1
    )
    assert assignment.over_cap_reason == "" and assignment.amount == demo.SUSENAS_PPL_RATE
