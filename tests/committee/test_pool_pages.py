"""The statistics office's mitra pool pages: the pool of a year with its search, filling and
carrying over; the honorarium cap tables and their upload; the activities and the form of a
new one. Who may read, who may write, and what a mistyped form keeps."""

import html
import json
import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from seleksi.accounts.models import Education, Profile, User
from seleksi.agencies.models import Role
from seleksi.audit.models import AuditEvent
from seleksi.core.crypto import encrypt_text
from seleksi.pool.models import (
    Activity,
    ActivityRole,
    Assignment,
    CapTable,
    PerformanceRating,
    PoolMember,
)
from seleksi.rules.honorarium import load_cap_table
from seleksi.scoring.models import RankingRun
from seleksi.selections.models import Selection
from tests.committee.pool_pages import field_errors, signed_in, text
from tests.factories import make_agency, make_selection, make_staff, make_user
from tests.pool.conftest import MAGETAN, NGAWI, Office, cap_data, make_office, role
from tests.pool.test_fill import mitra_run

POOL = "/panitia/mitra/bps-magetan/"
CAPS = POOL + "batas-honor/"
ACTIVITIES = POOL + "kegiatan/"
NEW = ACTIVITIES + "baru/"
NIK = "3520050211930004"


@pytest.fixture
def office(db: None) -> Office:
    return make_office()


def listed(response: Any) -> list[str]:
    """The names in the pool's table, in order."""
    body = response.content.decode()
    table = body[
        body.index('id="pool-members"') : body.index("</table>", body.index("pool-members"))
    ]
    return [
        html.unescape(name) for name in re.findall(r'<tr id="member-\d+">\s*<td>(.*?)</td>', table)
    ]


def rated_last_year(office: Office, member: PoolMember, marks: tuple[int, int, int]) -> None:
    last = PoolMember.objects.create(
        agency=office.agency,
        user=member.user,
        year=office.year - 1,
        source=PoolMember.Source.SELECTED,
        domicile_regency=member.domicile_regency,
    )
    activity = Activity.objects.create(
        agency=office.agency,
        name="Survei Tahun Lalu",
        starts_on=date(office.year - 1, 5, 1),
        ends_on=date(office.year - 1, 5, 31),
        regencies=[MAGETAN],
    )
    activity_role = ActivityRole.objects.create(
        activity=activity, role="ppl", regency=MAGETAN, needed=5, unit="lump_sum", rate=1
    )
    assignment = Assignment.objects.create(
        activity=activity,
        activity_role=activity_role,
        member=last,
        quantity=1,
        amount=1,
        months=[[office.year - 1, 5]],
    )
    attitude, quality, timeliness = marks
    PerformanceRating.objects.create(
        assignment=assignment, attitude=attitude, quality=quality, timeliness=timeliness
    )


# Reading the pool ----------------------------------------------------------------------------


def test_the_committee_reads_the_pool_with_each_members_figures(office: Office) -> None:
    siti = office.member("siti", has_motorcycle=True, has_smartphone=True)
    Education.objects.create(
        user=siti.user,
        level_id="S1",
        institution="Universitas Contoh",
        accreditation=Education.Accreditation.B,
        graduated_on=date(2018, 8, 1),
    )
    User.objects.filter(pk=siti.user_id).update(nik_cipher=encrypt_text(NIK), nik_hash="x" * 64)
    rated_last_year(office, siti, (9, 8, 8))
    activity = office.activity()
    Assignment.objects.create(
        activity=activity,
        activity_role=role(activity),
        member=siti,
        quantity=1,
        amount=1_234_567,
        months=[list(month) for month in activity.months()],
    )
    office.member("budi", regency=NGAWI)

    response = signed_in(office.committee).get(POOL)
    assert response.status_code == 200
    page = text(response)
    assert listed(response) == ["Budi", "Siti"]
    row = page[page.index(f'id="member-{siti.pk}"') :]
    row = row[: row.index("</tr>")]
    for shown in ("Kabupaten Magetan", "S-1", "smartphone, motor vehicle", "Selected this year"):
        assert shown in row
    assert "8.333" in row and "1,234,567" in row
    assert "Kabupaten Ngawi" in page
    assert NIK not in page and NIK[:6] not in page and NIK[-4:] not in page
    assert f"<strong>{office.year}</strong> (2)" in page and f'?tahun={office.year - 1}">' in page
    assert 'id="pool-fill"' in page and 'id="pool-carry"' in page


def test_the_year_is_chosen_in_the_address(office: Office) -> None:
    office.member("siti")
    PoolMember.objects.filter(user__username="siti").update(year=office.year - 1)
    client = signed_in(office.committee)
    assert listed(client.get(POOL)) == []
    assert listed(client.get(f"{POOL}?tahun={office.year - 1}")) == ["Siti"]
    assert listed(client.get(f"{POOL}?tahun=abad")) == []  # a junk year falls back to this one


def test_each_filter_narrows_the_list(office: Office) -> None:
    siti = office.member("siti", has_motorcycle=True, survey_experience="Sensus Pertanian 2023")
    Education.objects.create(
        user=siti.user,
        level_id="D3",
        institution="Politeknik Contoh",
        accreditation=Education.Accreditation.B,
        graduated_on=date(2016, 8, 1),
    )
    rated_last_year(office, siti, (9, 9, 9))
    budi = office.member(
        "budi", regency=NGAWI, has_smartphone=True, address="Dusun Krajan, Desa Sidorejo"
    )
    rated_last_year(office, budi, (6, 6, 6))
    office.member("citra")
    busy = office.activity(name="Survei Padat")
    Assignment.objects.create(
        activity=busy,
        activity_role=role(busy),
        member=PoolMember.objects.get(user__username="citra"),
        quantity=1,
        amount=3_000_000 * len(busy.months()),
        months=[list(month) for month in busy.months()],
    )
    client = signed_in(office.committee)
    month = "{}-{:02d}".format(*busy.months()[0])
    cases = {
        f"kabupaten={NGAWI}": ["Budi"],
        "pendidikan=D1": ["Siti"],
        "pendidikan=S2": [],
        "pengalaman=pertanian": ["Siti"],
        "alamat=sidorejo": ["Budi"],
        "perangkat=motorcycle": ["Siti"],
        "perangkat=motorcycle&perangkat=smartphone": [],
        "nilai=7": ["Siti"],
        "nilai=5.5": ["Budi", "Siti"],
        f"tersedia={month}&peran=ppl": ["Budi", "Siti"],
        f"tersedia={month}&peran=pml": ["Budi", "Citra", "Siti"],
        f"tersedia={month}&nilai=7": ["Siti"],
    }
    for query, names in cases.items():
        response = client.get(f"{POOL}?tahun={office.year}&{query}")
        assert response.status_code == 200
        assert listed(response) == names, query
    page = text(client.get(f"{POOL}?kabupaten={NGAWI}"))
    assert "Kabupaten Ngawi" in page and "Show everyone" in page


def test_a_mistyped_filter_is_shown_next_to_it_and_left_out(office: Office) -> None:
    office.member("siti")
    client = signed_in(office.committee)
    response = client.get(f"{POOL}?tersedia=2026-13&nilai=11&pengalaman=sensus")
    assert field_errors(response, "tersedia") == [
        "Give the month as year-month, for example 2026-07."
    ]
    assert field_errors(response, "nilai")
    assert listed(response) == []  # the valid experience filter still applies
    assert 'value="sensus"' in response.content.decode()


def test_a_month_without_a_cap_table_says_so(office: Office) -> None:
    office.member("siti")
    response = signed_in(office.committee).get(f"{POOL}?tersedia=2030-01")
    assert listed(response) == []
    assert "no honorarium cap table for 2030" in text(response)


def many_members(office: Office, count: int, regency: str = MAGETAN) -> None:
    """`count` members at once (no password hashing)."""
    users = User.objects.bulk_create(
        User(username=f"mitra-{regency}-{n:03d}", full_name=f"Mitra {regency} {n:03d}")
        for n in range(count)
    )
    users = list(User.objects.filter(username__startswith=f"mitra-{regency}-"))
    Profile.objects.bulk_create(
        Profile(user=user, domicile_regency_id=regency, has_motorcycle=True) for user in users
    )
    PoolMember.objects.bulk_create(
        PoolMember(
            agency=office.agency,
            user=user,
            year=office.year,
            source=PoolMember.Source.SELECTED,
            domicile_regency=regency,
        )
        for user in users
    )


def test_the_list_comes_in_pages_of_fifty_that_keep_the_search(office: Office) -> None:
    many_members(office, 53)
    many_members(office, 3, regency=NGAWI)
    client = signed_in(office.committee)
    first = client.get(f"{POOL}?kabupaten={MAGETAN}&perangkat=motorcycle")
    assert len(listed(first)) == 50
    assert "53 mitra found" in text(first)
    link = re.search(r'href="\?([^"]*page=2)"', first.content.decode())
    assert link is not None
    query = html.unescape(link.group(1))
    assert f"kabupaten={MAGETAN}" in query and "perangkat=motorcycle" in query
    second = client.get(f"{POOL}?{query}")
    assert listed(second) == ["Mitra 3520 050", "Mitra 3520 051", "Mitra 3520 052"]


# Filling and carrying over -------------------------------------------------------------------


def test_the_committee_fills_the_pool_from_a_confirmed_run(office: Office) -> None:
    run = mitra_run(office)
    client = signed_in(office.committee)
    page = text(client.get(POOL))
    assert f"run #{run.pk}" in page
    response = client.post(POOL, {"action": "fill", "fill-run": run.pk, "fill-year": ""})
    assert response.status_code == 302
    assert response["Location"] == f"{POOL}?tahun={office.year}"
    assert PoolMember.objects.filter(agency=office.agency, year=office.year).count() == 2
    assert "2 mitra added to the pool of" in text(client.get(response["Location"]))
    again = client.post(POOL, {"action": "fill", "fill-run": run.pk, "fill-year": office.year + 1})
    assert again["Location"] == f"{POOL}?tahun={office.year + 1}"
    assert PoolMember.objects.filter(year=office.year + 1).count() == 2


def test_a_run_of_another_agency_or_not_confirmed_does_not_fill_the_pool(office: Office) -> None:
    confirmed = mitra_run(office)

    def run_of(selection: Selection, confirmed_at: Any) -> RankingRun:
        return RankingRun.objects.create(
            selection=selection,
            stage=RankingRun.Stage.MITRA,
            policy_code="mitra-bps-2024",
            policy_version=1,
            fingerprint="1" * 64,
            created_at=confirmed.created_at,
            row_count=0,
            confirmed_at=confirmed_at,
        )

    unconfirmed = run_of(confirmed.selection, None)
    other = make_office("bps-ngawi")
    foreign = run_of(
        make_selection(other.agency, "mitra-ngawi", kind=Selection.Kind.MITRA),
        confirmed.confirmed_at,
    )
    client = signed_in(office.committee)
    assert f"run #{unconfirmed.pk}" not in text(client.get(POOL))
    for run in (unconfirmed, foreign):
        response = client.post(POOL, {"action": "fill", "fill-run": run.pk})
        assert response.status_code == 400
        assert field_errors(response, "fill-run")
    response = client.post(POOL, {"action": "fill", "fill-run": "", "fill-year": "1999"})
    assert field_errors(response, "fill-year")
    assert PoolMember.objects.count() == 0


def test_a_year_without_a_confirmed_run_offers_no_fill(office: Office) -> None:
    page = text(signed_in(office.committee).get(POOL))
    assert "No mitra ranking run of this agency is confirmed yet." in page


def test_the_committee_carries_last_years_members_over(office: Office) -> None:
    for name in ("siti", "budi"):
        office.member(name)
    PoolMember.objects.update(year=office.year - 1)
    office.member("citra")
    PoolMember.objects.filter(user__username="citra").update(year=office.year - 1)
    PoolMember.objects.create(
        agency=office.agency,
        user=User.objects.get(username="citra"),
        year=office.year,
        source=PoolMember.Source.SELECTED,
        domicile_regency=MAGETAN,
    )
    client = signed_in(office.committee)
    response = client.post(
        POOL, {"action": "carry", "carry-from_year": office.year - 1, "carry-to_year": office.year}
    )
    assert response.status_code == 302
    carried = PoolMember.objects.filter(year=office.year, source="carried_over")
    assert sorted(member.user.username for member in carried) == ["budi", "siti"]
    assert "2 mitra carried over into the pool of" in text(client.get(response["Location"]))
    assert AuditEvent.objects.filter(action="pool.carried_over").count() == 2


def test_carrying_into_the_same_or_an_earlier_year_is_refused_next_to_the_year(
    office: Office,
) -> None:
    office.member("siti")
    client = signed_in(office.committee)
    response = client.post(
        POOL, {"action": "carry", "carry-from_year": office.year, "carry-to_year": office.year}
    )
    assert response.status_code == 400
    assert field_errors(response, "carry-to_year") == [
        f"Only members of a year before {office.year} can be carried over."
    ]
    assert f'name="carry-to_year" value="{office.year}"' in response.content.decode()
    response = client.post(
        POOL, {"action": "carry", "carry-from_year": 1990, "carry-to_year": office.year}
    )
    assert field_errors(response, "carry-from_year")
    assert PoolMember.objects.count() == 1


# Who may open the pages ----------------------------------------------------------------------


def test_a_verifier_reads_the_pages_but_changes_nothing(office: Office) -> None:
    office.member("siti")
    run = mitra_run(office)
    client = signed_in(office.verifier)
    page = text(client.get(POOL))
    assert "Siti" in page and 'id="pool-fill"' not in page and 'id="pool-carry"' not in page
    caps = client.get(CAPS)
    assert caps.status_code == 200 and 'id="cap-upload"' not in text(caps)
    activities = client.get(ACTIVITIES)
    assert activities.status_code == 200 and 'id="activity-new"' not in text(activities)
    assert client.post(POOL, {"action": "fill", "fill-run": run.pk}).status_code == 404
    upload = SimpleUploadedFile("t.json", json.dumps(cap_data(2030)).encode())
    assert client.post(CAPS, {"caps-file": upload}).status_code == 404
    assert client.get(NEW).status_code == 404
    assert PoolMember.objects.count() == 1 and not CapTable.objects.filter(year=2030).exists()


@pytest.mark.parametrize("url", [POOL, CAPS, CAPS + "contoh.json", ACTIVITIES, NEW])
def test_other_agencies_applicants_and_strangers_are_refused(office: Office, url: str) -> None:
    other = make_office("bps-ngawi")
    for person in (
        other.committee,
        make_user("pelamar"),
        make_staff("pemda", make_agency(), Role.COMMITTEE),
        make_staff("penjaga-pintu", office.agency, Role.SITE_STAFF),
    ):
        assert signed_in(person).get(url).status_code == 404
        assert signed_in(person).post(url, {"action": "fill"}).status_code in (404, 405)
    assert signed_in(office.committee).get("/panitia/mitra/tidak-ada/").status_code == 404
    response = Client().get(url)
    assert response.status_code == 302 and "next=" in response["Location"]


def test_the_workspace_links_the_pool_of_a_statistics_office(office: Office) -> None:
    make_selection(office.agency, "mitra-2026", kind=Selection.Kind.MITRA)
    other = make_agency("pemkab-lain")
    make_selection(other, "cpns-2026")
    home = text(signed_in(office.committee).get("/panitia/"))
    assert POOL in home
    assert POOL in text(signed_in(office.verifier).get("/panitia/"))
    stranger = make_staff("panitia-pemkab", other, Role.COMMITTEE)
    assert "/panitia/mitra/" not in text(signed_in(stranger).get("/panitia/"))


# Cap tables ----------------------------------------------------------------------------------


def upload(client: Client, content: bytes, name: str = "batas.json") -> Any:
    return client.post(CAPS, {"caps-file": SimpleUploadedFile(name, content)})


def test_the_committee_loads_a_cap_table_and_sees_it(office: Office) -> None:
    client = signed_in(office.committee)
    data = cap_data(2030, ppl=3_250_000)
    response = upload(client, json.dumps(data).encode())
    assert response.status_code == 302
    stored = CapTable.objects.get(agency=office.agency, year=2030)
    assert stored.created_by == office.committee
    page = text(client.get(CAPS))
    section = page[page.index('id="cap-table-2030"') :]
    section = section[: section.index("</section>")]
    assert "contoh-2030" in section and "Contoh SBML" in section
    assert "3,250,000" in section and "4,000,000" in section and "December" in section
    assert section.index("PPL") < section.index("PML")
    assert page.index('id="cap-table-2030"') < page.index(f'id="cap-table-{office.year}"')


def test_the_example_is_the_shipped_table(office: Office) -> None:
    client = signed_in(office.committee)
    assert "mitra-bps-2024" in text(client.get(CAPS))
    response = client.get(CAPS + "contoh.json")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert load_cap_table("mitra-bps-2024").year == json.loads(response.content)["year"]


def without(data: dict[str, Any], role_name: str, month: str) -> dict[str, Any]:
    del data["caps"][role_name][month]
    return data


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"code: contoh", "The file is not valid JSON"),
        ("{}".encode("utf-16"), "The file is not UTF-8 text"),
        (b"[1, 2]", "table: a table (JSON object) is expected."),
        (
            json.dumps(without(cap_data(2030), "ppl", "5")).encode(),
            "caps.ppl: month 5 of role ppl is missing; give all twelve months.",
        ),
        (
            json.dumps(cap_data(2030, pml=-1)).encode(),
            "caps.pml.1: the amount -1 is negative; give zero or more rupiah.",
        ),
        (b" " * (64 * 1024 + 1), "The file is larger than 64 KB"),
        (b"[" * 60_000, "its JSON is nested far too deep"),
        (b"", "The file is not valid JSON (line 1, column 1"),
        (json.dumps(cap_data(2026)).encode(), "already has a cap table for 2026"),
    ],
)
def test_a_wrong_cap_table_is_refused_with_each_problem(
    office: Office, content: bytes, expected: str
) -> None:
    before = CapTable.objects.count()
    response = upload(signed_in(office.committee), content)
    assert response.status_code == 400
    errors = field_errors(response, "caps-file")
    assert any(expected in error for error in errors), errors
    assert CapTable.objects.count() == before


def test_every_problem_of_a_table_is_listed(office: Office) -> None:
    data = cap_data(2030, pml=-5)
    del data["caps"]["ppl"]["12"]
    response = upload(signed_in(office.committee), json.dumps(data).encode())
    errors = field_errors(response, "caps-file")
    assert len(errors) == 13  # twelve negative months and one missing
    assert "nothing was stored" in text(response)


# Activities ----------------------------------------------------------------------------------


def test_the_activities_show_their_period_places_and_state(office: Office) -> None:
    today = office.today
    running = office.activity("Survei Berjalan")
    office.activity(
        "Survei Mendatang",
        starts_on=today + timedelta(days=40),
        ends_on=today + timedelta(days=70),
    )
    ended = office.activity("Survei Selesai")
    Activity.objects.filter(pk=ended.pk).update(
        starts_on=today - timedelta(days=60), ends_on=today - timedelta(days=30)
    )
    Assignment.objects.create(
        activity=running,
        activity_role=role(running),
        member=office.member("siti"),
        quantity=1,
        amount=1,
        months=[list(month) for month in running.months()],
    )
    page = text(signed_in(office.committee).get(ACTIVITIES))
    rows = {
        name: page[page.index(name) : page.index("</tr>", page.index(name))]
        for name in ("Survei Berjalan", "Survei Mendatang", "Survei Selesai")
    }
    assert "running" in rows["Survei Berjalan"]
    assert "upcoming" in rows["Survei Mendatang"] and "ended" in rows["Survei Selesai"]
    assert "PPL · Kabupaten Magetan: 1 / 2" in rows["Survei Berjalan"]
    assert "Kabupaten Magetan, Kabupaten Ngawi" in rows["Survei Berjalan"]
    assert f'href="/panitia/kegiatan/{running.pk}/"' in page
    assert NEW in page


def activity_post(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "activity-name": "Survei Ubinan 2027",
        "activity-starts_on": "2027-02-01",
        "activity-ends_on": "2027-03-31",
        "activity-regencies": [MAGETAN],
        "activity-other_regencies": "",
        "roles-TOTAL_FORMS": "4",
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "200",
    }
    rows = fields.pop("rows", [("ppl", MAGETAN, "3", "document", "15000")])
    for number, (kind, regency, needed, unit, rate) in enumerate(rows):
        data |= {
            f"roles-{number}-role": kind,
            f"roles-{number}-regency": regency,
            f"roles-{number}-needed": needed,
            f"roles-{number}-unit": unit,
            f"roles-{number}-rate": rate,
        }
    return data | {f"activity-{name}": value for name, value in fields.items()}


def test_the_form_offers_the_pools_province_and_ticks_its_home(office: Office) -> None:
    office.member("siti")
    office.member("sari")
    office.member("budi", regency=NGAWI)
    page = signed_in(office.committee).get(NEW).content.decode()
    ticked = re.findall(
        r'<input type="checkbox" name="activity-regencies" value="(\d+)"[^>]*checked', page
    )
    assert ticked == [MAGETAN]
    offered = re.findall(r'name="activity-regencies" value="(\d+)"', page)
    assert NGAWI in offered and all(code.startswith("35") for code in offered)
    assert '<option value="3520">' in page  # the codes the role rows suggest


def test_the_committee_defines_an_activity(office: Office) -> None:
    office.member("siti")
    client = signed_in(office.committee)
    rows = [("ppl", MAGETAN, "3", "document", "15000"), ("pml", "3521", "1", "lump_sum", "2000000")]
    response = client.post(NEW, activity_post(rows=rows, other_regencies="3521"))
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert response["Location"].startswith("/panitia/kegiatan/")
    assert response["Location"] == f"/panitia/kegiatan/{activity.pk}/"
    assert activity.regencies == [MAGETAN, NGAWI]
    assert sorted(activity.roles.values_list("role", "regency", "needed", "unit", "rate")) == [
        ("pml", NGAWI, 1, "lump_sum", 2_000_000),
        ("ppl", MAGETAN, 3, "document", 15_000),
    ]


@pytest.mark.parametrize(
    ("fields", "field", "expected"),
    [
        (
            {"ends_on": "2027-01-15"},
            "activity-ends_on",
            "The activity cannot end before it starts.",
        ),
        ({"name": ""}, "activity-name", "Give the activity a name."),
        (
            {"regencies": [], "other_regencies": "35X0, 9999"},
            "activity-other_regencies",
            "Not a regency code: 35X0, 9999. A code has four digits, e.g. 3520.",
        ),
        (
            {
                "rows": [
                    ("ppl", MAGETAN, "3", "document", "1"),
                    ("ppl", MAGETAN, "2", "document", "1"),
                ]
            },
            "roles-1-role",
            "The role ppl 3520 is given twice for one area.",
        ),
        (
            {"rows": [("ppl", MAGETAN, "0", "document", "15000")]},
            "roles-0-needed",
            "The number needed must be at least 1.",
        ),
        (
            {"rows": [("pml", NGAWI, "1", "lump_sum", "15000")]},
            "roles-0-regency",
            "The area 3521 of a role is not one of the activity's regencies.",
        ),
        (
            {"rows": [("ppl", MAGETAN, "2", "document", "-5")]},
            "roles-0-rate",
            "The rate must be a whole number of rupiah, zero or more.",
        ),
        (
            {"rows": [("ppl", MAGETAN, "2", "document", "1" + "0" * 30)]},
            "roles-0-rate",
            "Ensure this value is less than or equal to 1000000000000.",
        ),
    ],
)
def test_a_refused_activity_shows_why_and_keeps_what_was_typed(
    office: Office, fields: dict[str, Any], field: str, expected: str
) -> None:
    office.member("siti")
    response = signed_in(office.committee).post(NEW, activity_post(**fields))
    assert response.status_code == 400
    assert expected in field_errors(response, field)
    body = response.content.decode()
    name = fields.get("name", "Survei Ubinan 2027")
    assert f'value="{name}"' in body
    rows = fields.get("rows", [("ppl", MAGETAN, "3", "document", "15000")])
    for number, (_kind, regency, needed, _unit, rate) in enumerate(rows):
        assert f'name="roles-{number}-regency" value="{regency}"' in body
        assert f'name="roles-{number}-rate" value="{rate}"' in body
        assert re.search(rf'name="roles-{number}-needed" value="{needed}"', body)
    assert not Activity.objects.exists()


def test_an_activity_without_roles_is_refused_above_the_rows(office: Office) -> None:
    office.member("siti")
    response = signed_in(office.committee).post(NEW, activity_post(rows=[]))
    assert response.status_code == 400
    assert "Give at least one role with the number needed." in text(response)
    assert 'value="Survei Ubinan 2027"' in response.content.decode()
    assert not Activity.objects.exists()


def test_more_rows_keep_what_was_typed_without_judging_it(office: Office) -> None:
    office.member("siti")
    data = activity_post(name="")
    data["more"] = "1"
    response = signed_in(office.committee).post(NEW, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="roles-TOTAL_FORMS" value="8"' in body
    assert 'name="roles-7-role"' in body
    assert 'name="roles-0-rate" value="15000"' in body
    assert "Give the activity a name." not in body
    assert not Activity.objects.exists()


def test_the_list_reads_as_many_queries_for_fifty_members_as_for_three(office: Office) -> None:
    client = signed_in(office.committee)
    search = f"{POOL}?nilai=1&tersedia={office.year}-03"
    many_members(office, 3)
    with CaptureQueriesContext(connection) as few:
        assert len(listed(client.get(POOL))) == 3
    with CaptureQueriesContext(connection) as few_searched:
        client.get(search)
    many_members(office, 60, regency=NGAWI)
    with CaptureQueriesContext(connection) as many:
        assert len(listed(client.get(POOL))) == 50
    with CaptureQueriesContext(connection) as many_searched:
        client.get(search)
    assert len(many) == len(few)
    assert len(many_searched) == len(few_searched)
