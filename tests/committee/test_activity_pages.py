"""The committee's pages of one survey activity: assigning by hand (with the over-cap warning
and its confirmation), the proposal and its acceptance, one assignment's earnings and rating,
and who may open them."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from seleksi.audit.models import AuditEvent
from seleksi.pool import services
from seleksi.pool.models import (
    Activity,
    Assignment,
    CapTable,
    Earning,
    PerformanceRating,
    PoolMember,
)
from tests.committee.pool_pages import field_errors, signed_in
from tests.committee.pool_pages import text as page
from tests.factories import make_user
from tests.pool.conftest import MAGETAN, NGAWI, Office, make_office, role
from tests.pool.test_proposing import make_province, province_activity


@pytest.fixture
def office(db: None) -> Office:
    return make_office()


def activity_url(activity: Activity) -> str:
    return f"/panitia/kegiatan/{activity.pk}/"


def months_of(activity: Activity) -> int:
    return len(activity.months())


def assign_fields(member: Any, held: Any, quantity: int, **extra: str) -> dict[str, Any]:
    return {"member": member.pk, "role": held.pk, "quantity": quantity, **extra}


def ended(activity: Activity, office: Office, days_ago: int = 1) -> None:
    Activity.objects.filter(pk=activity.pk).update(
        starts_on=office.today - timedelta(days=40), ends_on=office.today - timedelta(days=days_ago)
    )


# Who may open the pages ----------------------------------------------------------------------


def scene(office: Office) -> tuple[Activity, Assignment]:
    activity = office.activity()
    assignment = services.assignment_add(
        activity_role=role(activity),
        member=office.member("mitra-a"),
        actor=office.committee,
        quantity=1,
    )
    return activity, assignment


def urls(activity: Activity, assignment: Assignment) -> list[str]:
    return [
        activity_url(activity),
        f"{activity_url(activity)}usulan/",
        f"/panitia/penugasan/{assignment.pk}/",
    ]


def test_the_committee_opens_every_page(office: Office) -> None:
    activity, assignment = scene(office)
    client = signed_in(office.committee)
    for url in urls(activity, assignment):
        assert client.get(url).status_code == 200, url


def test_other_agencies_verifiers_and_applicants_get_404(office: Office) -> None:
    activity, assignment = scene(office)
    other = make_office("bps-lain")
    applicant = make_user("pelamar")
    for user in (other.committee, office.verifier, applicant):
        client = signed_in(user)
        for url in urls(activity, assignment):
            assert client.get(url).status_code == 404, (user, url)
        response = client.post(
            activity_url(activity), assign_fields(office.member(f"m-{user.pk}"), role(activity), 1)
        )
        assert response.status_code == 404
    assert Assignment.objects.count() == 1


def test_the_other_agency_ids_are_not_found_by_this_committee(office: Office) -> None:
    other = make_office("bps-lain")
    activity, assignment = scene(other)
    client = signed_in(office.committee)
    for url in urls(activity, assignment):
        assert client.get(url).status_code == 404, url


def test_an_anonymous_visitor_is_sent_to_sign_in(office: Office) -> None:
    activity, assignment = scene(office)
    for url in urls(activity, assignment):
        response = Client().get(url)
        assert response.status_code == 302 and "next=" in response["Location"]


# Assigning by hand ---------------------------------------------------------------------------


def test_the_committee_finds_a_mitra_by_name_and_assigns_them(office: Office) -> None:
    activity = office.activity()
    wanted = office.member("siti-aminah")
    office.member("budi-santoso")
    office.member("siti-ngawi", regency=NGAWI)
    other = make_office("bps-lain")
    other.member("siti-lain")
    client = signed_in(office.committee)
    ppl = role(activity)

    found = client.get(activity_url(activity), {"cari": "siti", "peran": ppl.pk})
    listed = found.context["found"]
    assert [member.pk for member in listed] == [wanted.pk]

    response = client.post(
        f"{activity_url(activity)}?cari=siti&peran={ppl.pk}",
        assign_fields(wanted, ppl, months_of(activity)),
    )
    assert response.status_code == 302 and response["Location"] == activity_url(activity)
    assignment = Assignment.objects.get()
    assert (assignment.member, assignment.activity_role) == (wanted, ppl)
    text = page(signed_in(office.committee).get(activity_url(activity)))
    assert "Siti-Aminah" in text
    amount = 2_000_000 * months_of(activity)
    assert f"Rp {amount:,}" in text
    assert f"/panitia/penugasan/{assignment.pk}/" in text
    assert AuditEvent.objects.filter(action="pool.assigned").count() == 1
    # Assigned members are no longer offered.
    again = client.get(activity_url(activity), {"cari": "siti", "peran": ppl.pk})
    assert again.context["found"] == []


def test_a_form_sent_twice_assigns_once_and_says_so(office: Office) -> None:
    activity = office.activity()
    member = office.member("mitra-a")
    client = signed_in(office.committee)
    fields = assign_fields(member, role(activity), 1)
    assert client.post(activity_url(activity), fields).status_code == 302
    second = client.post(activity_url(activity), fields)
    assert second.status_code == 400
    assert Assignment.objects.count() == 1
    assert "the first sending was saved" in page(second)
    assert "already has a role in this activity" in " ".join(field_errors(second, "member"))


def test_a_member_outside_the_area_is_refused_next_to_the_mitra(office: Office) -> None:
    activity = office.activity()
    member = office.member("mitra-ngawi", regency=NGAWI)
    response = signed_in(office.committee).post(
        activity_url(activity), assign_fields(member, role(activity), 1)
    )
    assert response.status_code == 400
    assert MAGETAN in " ".join(field_errors(response, "member"))
    assert not Assignment.objects.exists()


def test_a_member_of_another_office_or_year_cannot_be_chosen(office: Office) -> None:
    activity = office.activity()
    stranger = make_office("bps-lain").member("mitra-lain")
    mine = office.member("mitra-a")
    last_year = PoolMember.objects.create(
        agency=office.agency,
        user=make_user("mitra-lama"),
        year=office.year - 1,
        source=PoolMember.Source.SELECTED,
        domicile_regency=MAGETAN,
    )
    client = signed_in(office.committee)
    for member in (stranger, last_year):
        response = client.post(activity_url(activity), assign_fields(member, role(activity), 1))
        assert response.status_code == 400
        assert field_errors(response, "member") == [
            "That mitra is not in this office's pool; search again."
        ]
        assert "Mitra-Lain" not in page(response)
    assert mine.pk and not Assignment.objects.exists()


def test_a_full_role_is_refused_next_to_the_role(office: Office) -> None:
    activity = office.activity()
    pml = role(activity, "pml")
    services.assignment_add(
        activity_role=pml, member=office.member("mitra-a"), actor=office.committee, quantity=1
    )
    response = signed_in(office.committee).post(
        activity_url(activity), assign_fields(office.member("mitra-b"), pml, 1)
    )
    assert response.status_code == 400
    assert "All 1 places" in " ".join(field_errors(response, "role"))
    assert Assignment.objects.filter(activity_role=pml).count() == 1


def test_a_bad_quantity_is_refused_and_the_choice_kept(office: Office) -> None:
    activity = office.activity()
    member = office.member("mitra-a")
    response = signed_in(office.committee).post(
        activity_url(activity), assign_fields(member, role(activity), 0)
    )
    assert response.status_code == 400
    assert field_errors(response, "quantity")
    assert f'value="{member.pk}" ' in response.content.decode()  # still offered, and chosen
    assert not Assignment.objects.exists()


def test_a_year_without_a_cap_table_is_said_above_the_form(office: Office) -> None:
    activity = office.activity()
    member = office.member("mitra-a")
    CapTable.objects.filter(agency=office.agency).delete()
    client = signed_in(office.committee)
    response = client.post(activity_url(activity), assign_fields(member, role(activity), 1))
    assert response.status_code == 400
    assert "has no honorarium cap table" in page(response)
    assert not Assignment.objects.exists()
    proposals = client.get(f"{activity_url(activity)}usulan/")
    assert 'id="proposal-problem"' in proposals.content.decode()
    assert "has no honorarium cap table" in page(proposals)


def test_assigning_after_the_end_is_refused_even_when_sent(office: Office) -> None:
    activity = office.activity()
    member = office.member("mitra-a")
    ended(activity, office)
    response = signed_in(office.committee).post(
        activity_url(activity), assign_fields(member, role(activity), 1)
    )
    assert response.status_code == 400
    assert "no one can be assigned to it any more" in page(response)
    assert not Assignment.objects.exists()


def test_an_ended_activity_shows_no_assign_form(office: Office) -> None:
    activity = office.activity()
    ended(activity, office)
    text = page(signed_in(office.committee).get(activity_url(activity)))
    assert 'id="activity-ended"' in text and 'id="assign-form"' not in text


# Over the cap --------------------------------------------------------------------------------


def over_cap_scene(office: Office) -> tuple[Activity, Any]:
    member = office.member("mitra-a")
    first = office.activity("Survei Pertama")
    services.assignment_add(
        activity_role=role(first), member=member, actor=office.committee, quantity=months_of(first)
    )
    return office.activity("Survei Kedua"), member


def test_over_the_cap_shows_the_figures_and_saves_nothing(office: Office) -> None:
    second, member = over_cap_scene(office)
    client = signed_in(office.committee)
    quantity = months_of(second)
    response = client.post(activity_url(second), assign_fields(member, role(second), quantity))
    assert response.status_code == 400
    text = page(response)
    assert 'id="over-cap-warning"' in text and 'id="over-cap-message"' in text
    figures = re.search(r'id="over-cap-figures".*?</table>', text, re.DOTALL)
    assert figures is not None
    for amount in ("Rp 3,000,000", "Rp 2,000,000", "Rp 4,000,000", "Rp 1,000,000"):
        assert amount in figures.group(0)
    assert figures.group(0).count('<tr class="over">') == quantity
    assert Assignment.objects.filter(activity=second).count() == 0

    # Ticked without a reason: still the warning, the reason asked for, nothing saved.
    response = client.post(
        activity_url(second),
        assign_fields(member, role(second), quantity, confirm_over_cap="on", reason="  "),
    )
    assert response.status_code == 400
    assert field_errors(response, "reason") == ["Give the reason for going over the cap."]
    assert 'id="over-cap-figures"' in response.content.decode()
    # A reason without the box: the box asked for, the reason kept.
    response = client.post(
        activity_url(second),
        assign_fields(member, role(second), quantity, reason="Tidak ada mitra lain"),
    )
    assert response.status_code == 400
    assert field_errors(response, "confirm_over_cap")
    assert "Tidak ada mitra lain" in page(response)
    assert Assignment.objects.filter(activity=second).count() == 0


def test_confirmed_with_a_reason_is_saved_with_its_figures_and_audited(office: Office) -> None:
    second, member = over_cap_scene(office)
    reason = "Tidak ada mitra lain di kecamatan ini"
    response = signed_in(office.committee).post(
        activity_url(second),
        assign_fields(
            member, role(second), months_of(second), confirm_over_cap="on", reason=reason
        ),
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get(activity=second)
    assert assignment.over_cap_reason == reason
    assert [row["over_by"] for row in assignment.cap_figures] == [1_000_000] * months_of(second)
    event = AuditEvent.objects.get(action="pool.assigned_over_cap")
    assert event.reason == reason and event.details["figures"] == assignment.cap_figures
    text = page(signed_in(office.committee).get(f"/panitia/penugasan/{assignment.pk}/"))
    assert reason in text and 'id="stored-cap-figures"' in text


# Proposals -----------------------------------------------------------------------------------


def test_the_proposal_lists_places_and_accepting_assigns_the_ticked(office: Office) -> None:
    activity = office.activity(
        roles=[("ppl", MAGETAN, 3, "person_month", 1_500_000), ("ppl", NGAWI, 1, "lump_sum", 1)]
    )
    light = office.member("mitra-ringan")
    heavy = office.member("mitra-berat")
    busy = office.member("mitra-sibuk")
    earlier = office.activity("Survei Lain")
    services.assignment_add(
        activity_role=role(earlier), member=heavy, actor=office.committee, quantity=1
    )
    services.assignment_add(
        activity_role=role(earlier),
        member=busy,
        actor=office.committee,
        quantity=months_of(earlier),
    )
    services.assignment_add(
        activity_role=role(earlier, "pml"),
        member=office.member("mitra-pml"),
        actor=office.committee,
        quantity=1,
    )
    client = signed_in(office.committee)
    response = client.get(f"{activity_url(activity)}usulan/")
    assert response.status_code == 200
    places = {item["place"].role.regency: item["place"] for item in response.context["places"]}
    magetan = places[MAGETAN]
    # Nobody rated: the lighter load (over the activity's two months) first; the busy mitra
    # (2,000,000 a month already, and
    # 1,500,000 more against a cap of 3,000,000) is over.
    pml = PoolMember.objects.get(user__username="mitra-pml")
    assert [p.member.pk for p in magetan.proposed] == [light.pk, pml.pk, heavy.pk]
    assert [p.load for p in magetan.proposed] == [0, 1_000_000, 2_000_000]
    assert busy.pk in [o.member.pk for o in magetan.over_cap]
    assert places[NGAWI].shortfall == "nobody_in_area"
    text = page(response)
    assert "nobody else of the pool lives in the area" in text
    assert "would go over the cap" in text

    ppl = role(activity)
    accepted = client.post(
        f"{activity_url(activity)}usulan/",
        {
            f"jumlah-{ppl.pk}": months_of(activity),
            f"jumlah-{role(activity, 'ppl', NGAWI).pk}": 1,
            "pilih": [f"{ppl.pk}-{light.pk}"],
        },
    )
    assert accepted.status_code == 302 and accepted["Location"] == activity_url(activity)
    assert list(Assignment.objects.filter(activity=activity).values_list("member", flat=True)) == [
        light.pk
    ]
    assert AuditEvent.objects.filter(action="pool.assigned").count() == 4


def test_a_document_role_asks_for_the_quantity_first(office: Office) -> None:
    activity = office.activity(roles=[("ppl", NGAWI, 1, "document", 10_000)])
    office.member("mitra-ngawi", regency=NGAWI)
    client = signed_in(office.committee)
    response = client.get(f"{activity_url(activity)}usulan/")
    assert response.context["proposal"] is None
    ngawi = role(activity, "ppl", NGAWI)
    response = client.get(f"{activity_url(activity)}usulan/", {f"jumlah-{ngawi.pk}": "abc"})
    assert response.status_code == 400 and response.context["proposal"] is None
    response = client.get(f"{activity_url(activity)}usulan/", {f"jumlah-{ngawi.pk}": "150"})
    proposal = response.context["proposal"]
    assert proposal is not None and proposal.places[0].amount == 1_500_000
    assert proposal.proposed == 1


def test_accepting_reports_who_was_refused_by_name(office: Office) -> None:
    activity = office.activity(roles=[("pml", MAGETAN, 1, "lump_sum", 1_000_000)])
    first, second = office.member("mitra-pertama"), office.member("mitra-kedua")
    pml = role(activity, "pml")
    client = signed_in(office.committee)
    response = client.post(
        f"{activity_url(activity)}usulan/",
        {f"jumlah-{pml.pk}": 1, "pilih": [f"{pml.pk}-{first.pk}", f"{pml.pk}-{second.pk}"]},
        follow=True,
    )
    text = page(response)
    assert "1 mitra assigned" in text
    assert "Mitra-Kedua" in text and "All 1 places" in text
    assert Assignment.objects.filter(activity=activity).count() == 1


def test_a_role_filled_since_the_proposal_reports_its_mitra_and_assigns_the_rest(
    office: Office,
) -> None:
    activity = office.activity(
        roles=[("pml", MAGETAN, 1, "lump_sum", 1_000_000), ("ppl", MAGETAN, 1, "lump_sum", 1)]
    )
    late, other = office.member("mitra-telat"), office.member("mitra-lain")
    pml, ppl = role(activity, "pml"), role(activity, "ppl")
    services.assignment_add(
        activity_role=pml, member=office.member("mitra-cepat"), actor=office.committee, quantity=1
    )
    response = signed_in(office.committee).post(
        f"{activity_url(activity)}usulan/",
        {
            f"jumlah-{pml.pk}": 1,
            f"jumlah-{ppl.pk}": 1,
            "pilih": [f"{pml.pk}-{late.pk}", f"{ppl.pk}-{other.pk}"],
        },
        follow=True,
    )
    text = page(response)
    assert "Mitra-Telat" in text and "All 1 places" in text
    assert Assignment.objects.filter(activity_role=ppl, member=other).exists()


def test_accepting_a_mitra_of_another_office_assigns_nobody(office: Office) -> None:
    activity = office.activity(roles=[("pml", MAGETAN, 2, "lump_sum", 1_000_000)])
    mine = office.member("mitra-saya")
    stranger = make_office("bps-lain").member("mitra-lain")
    pml = role(activity, "pml")
    response = signed_in(office.committee).post(
        f"{activity_url(activity)}usulan/",
        {f"jumlah-{pml.pk}": 1, "pilih": [f"{pml.pk}-{mine.pk}", f"{pml.pk}-{stranger.pk}"]},
        follow=True,
    )
    assert "reload the page" in page(response)
    assert not Assignment.objects.exists()


# Earnings ------------------------------------------------------------------------------------


def assignment_scene(office: Office) -> tuple[Activity, Assignment, str]:
    activity, assignment = scene(office)
    return activity, assignment, f"/panitia/penugasan/{assignment.pk}/"


def month_key(activity: Activity, index: int = 0) -> str:
    year, month = activity.months()[index]
    return f"bulan-{year}-{month:02d}"


def test_earnings_are_recorded_per_month_and_blank_leaves_a_month(office: Office) -> None:
    activity, _assignment, url = assignment_scene(office)
    client = signed_in(office.committee)
    fields = {"action": "earnings", month_key(activity): "1.250.000"}
    for index in range(1, months_of(activity)):
        fields[month_key(activity, index)] = ""
    assert client.post(url, fields).status_code == 302
    year, month = activity.months()[0]
    assert list(Earning.objects.values_list("year", "month", "amount")) == [
        (year, month, 1_250_000)
    ]
    text = page(client.get(url))
    assert "Rp 1,250,000" in text
    assert AuditEvent.objects.filter(action="pool.earning_recorded").count() == 1


@pytest.mark.parametrize("typed", ["-5", "sejuta", "1,5"])
def test_a_bad_amount_is_refused_and_kept(office: Office, typed: str) -> None:
    activity, _assignment, url = assignment_scene(office)
    response = signed_in(office.committee).post(
        url, {"action": "earnings", month_key(activity): typed}
    )
    assert response.status_code == 400
    assert f'value="{typed}"' in response.content.decode()
    assert "whole number of rupiah" in page(response)
    assert not Earning.objects.exists()


def test_a_month_outside_the_activity_is_refused_and_nothing_recorded(office: Office) -> None:
    activity, _assignment, url = assignment_scene(office)
    year, month = activity.months()[0]
    response = signed_in(office.committee).post(
        url,
        {"action": "earnings", month_key(activity): "100000", f"bulan-{year - 1}-{month:02d}": "5"},
    )
    assert response.status_code == 400
    assert f"The month {year - 1}-{month:02d} is outside the activity's period." in page(response)
    assert not Earning.objects.exists()


# Ratings -------------------------------------------------------------------------------------


def rating_fields(**marks: str) -> dict[str, str]:
    return {
        "action": "rating",
        "attitude": "8",
        "quality": "9",
        "timeliness": "7",
        "comment": "Rapi",
        **marks,
    }


def test_the_rating_opens_on_the_last_day_and_is_then_shown_read_only(office: Office) -> None:
    activity, _assignment, url = assignment_scene(office)
    client = signed_in(office.committee)
    Activity.objects.filter(pk=activity.pk).update(ends_on=office.today + timedelta(days=1))
    early = client.post(url, rating_fields())
    assert early.status_code == 400
    assert "rate the work from that day on" in page(early)
    assert not PerformanceRating.objects.exists()

    Activity.objects.filter(pk=activity.pk).update(ends_on=office.today)
    assert client.post(url, rating_fields()).status_code == 302
    rating = PerformanceRating.objects.get()
    assert (rating.attitude, rating.quality, rating.timeliness) == (8, 9, 7)
    text = page(client.get(url))
    assert 'id="rating-facts"' in text and 'id="rating-form"' not in text
    assert "8 / 9 / 7" in page(client.get(activity_url(activity)))

    twice = client.post(url, rating_fields(attitude="10"))
    assert twice.status_code == 400 and "already been rated" in page(twice)
    assert PerformanceRating.objects.get().attitude == 8


@pytest.mark.parametrize(
    ("aspect", "typed", "says"),
    [
        ("attitude", "0", "give a number from 1 to 10"),
        ("quality", "11", "give a number from 1 to 10"),
        ("timeliness", "7.5", "whole number"),
    ],
)
def test_a_bad_mark_is_refused_next_to_it_with_the_marks_kept(
    office: Office, aspect: str, typed: str, says: str
) -> None:
    activity, _assignment, url = assignment_scene(office)
    ended(activity, office)
    response = signed_in(office.committee).post(url, rating_fields(**{aspect: typed}))
    assert response.status_code == 400
    assert says in " ".join(field_errors(response, aspect))
    text = response.content.decode()
    assert f'value="{typed}"' in text and "Rapi" in text
    assert not PerformanceRating.objects.exists()


def test_the_rating_names_the_supervisor_of_the_area(office: Office) -> None:
    activity, _assignment, url = assignment_scene(office)
    supervisor = services.assignment_add(
        activity_role=role(activity, "pml"),
        member=office.member("mitra-pml"),
        actor=office.committee,
        quantity=1,
    )
    ended(activity, office)
    client = signed_in(office.committee)
    assert client.post(url, rating_fields(supervisor=str(supervisor.pk))).status_code == 302
    assert PerformanceRating.objects.get().supervisor == supervisor
    assert "Mitra-Pml" in page(client.get(url))


def test_a_supervisor_is_not_rated_on_the_page(office: Office) -> None:
    activity = office.activity()
    held = services.assignment_add(
        activity_role=role(activity, "pml"),
        member=office.member("mitra-pml"),
        actor=office.committee,
        quantity=1,
    )
    ended(activity, office)
    text = page(signed_in(office.committee).get(f"/panitia/penugasan/{held.pk}/"))
    assert 'id="rating-form"' not in text


# The province office --------------------------------------------------------------------------


def test_the_province_committee_runs_the_offices_activities_and_its_own(office: Office) -> None:
    province = make_province(office)
    activity, assignment = scene(office)
    client = signed_in(province.committee)
    for url in urls(activity, assignment):
        assert client.get(url).status_code == 200, url
    own = province_activity(province, rate=1_000)
    member = office.member("mitra-kantor")
    found = client.get(activity_url(own), {"cari": "kantor"}).context["found"]
    assert [m.pk for m in found] == [member.pk]
    response = client.post(activity_url(own), assign_fields(member, role(own), 1))
    assert response.status_code == 302
    assert Assignment.objects.filter(activity=own, member=member).exists()
    # The office below does not run the province's activity.
    assert signed_in(office.committee).get(activity_url(own)).status_code == 404
