"""The agency's report on a selection (`/panitia/<code>/laporan/`) and its workbook: exact
figures from a selection with applications in every state, exact rates (a dash without a
base), well-formed charts, the same figures in the XLSX file, a fixed number of queries
whatever the number of formations, and who may not read it."""

import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from seleksi.accounts.models import User
from seleksi.agencies.models import Role
from seleksi.applications.models import Application
from seleksi.committee.reports import Report, agency_report, percentage
from seleksi.exams.models import Booking, Room, SessionRoom, TestSite
from seleksi.rules.verification import Mark
from seleksi.rules.verification import Stage as AdminStage
from seleksi.scoring.models import RankingRow, RankingRun, Score, Withdrawal
from seleksi.selections.models import Formation, Selection
from seleksi.verification.models import Objection
from tests.exams.scene import make_participant, make_session
from tests.factories import (
    formation_rows,
    import_rows,
    make_agency,
    make_selection,
    make_staff,
    make_superuser,
    make_user,
)

SVG = "{http://www.w3.org/2000/svg}"
WIB_DAY_5 = datetime(2026, 1, 5, 16, 30, tzinfo=UTC)  # 23:30 WIB on 5 January
WIB_DAY_6 = datetime(2026, 1, 5, 17, 30, tzinfo=UTC)  # 00:30 WIB on 6 January
WIB_DAY_8 = datetime(2026, 1, 8, 3, 0, tzinfo=UTC)


@dataclass
class Scene:
    selection: Selection
    committee: User
    verifier: User
    site_staff: User
    other_committee: User
    applicant: User
    apps: dict[str, Application]

    @property
    def url(self) -> str:
        return reverse("committee:reports", args=[self.selection.code])

    @property
    def xlsx_url(self) -> str:
        return reverse("committee:reports_xlsx", args=[self.selection.code])


def draft(selection: Selection, number: str, formation: str) -> Application:
    return Application.objects.create(
        applicant=make_user(f"draft-{number.lower()}"),
        selection=selection,
        formation=Formation.objects.get(selection=selection, code=formation),
        number=number,
    )


def objection(application: Application, status: str, due: date) -> None:
    Objection.objects.create(
        application=application, reason="Ijazah saya sesuai", status=status, answer_due_on=due
    )


def score(application: Application, stage: str, attendance: str, round: int = 1) -> None:
    Score.objects.create(
        selection=application.selection,
        application=application,
        stage=stage,
        round=round,
        attendance=attendance,
        imported_at=timezone.now(),
        source_name="NILAI.csv",
        source_sha256="0" * 64,
    )


def ranking(
    selection: Selection,
    stage: str,
    rows: list[tuple[Application, str, int | None]],
    *,
    confirmed: datetime | None,
) -> RankingRun:
    run = RankingRun.objects.create(
        selection=selection,
        stage=stage,
        policy_code="cpns-2021",
        policy_version=1,
        fingerprint="f" * 64,
        created_at=timezone.now(),
        row_count=len(rows),
        confirmed_at=confirmed,
    )
    for order, (application, outcome, rank) in enumerate(rows):
        RankingRow.objects.create(
            run=run,
            order=order,
            application=application,
            formation_code=application.formation.code,
            outcome=outcome,
            rank=rank,
        )
    return run


def withdrawal(
    run: RankingRun,
    sequence: int,
    application: Application,
    reason: str,
    actor: User,
    *,
    replacement: Application | None,
    confirmed: bool,
) -> None:
    Withdrawal.objects.create(
        run=run,
        sequence=sequence,
        application=application,
        reason=reason,
        note="Mengundurkan diri",
        recorded_at=timezone.now(),
        recorded_by=actor,
        seat_code=application.formation.code,
        replacement=replacement,
        replacement_code="L" if replacement else "",
        confirmed_at=timezone.now() if confirmed else None,
        confirmed_by=actor if confirmed else None,
    )


def make_scene() -> Scene:
    """F-0001 and F-0002 are CPNS, F-0003 PPPK (tests.factories.formation_rows)."""
    agency = make_agency("pemkab-laporan")
    selection = make_selection(agency, "laporan-2026")
    import_rows(selection, formation_rows(3))
    other = make_agency("pemkab-lain")
    make_selection(other, "lain-2026")
    final, objected = AdminStage.FINAL, AdminStage.OBJECTED

    def participant(number: str, formation: str, stage: str, result: str) -> Application:
        return make_participant(
            selection, number, formation=formation, admin_stage=stage, result=result
        )

    apps = {
        "A1": participant("A1", "F-0001", final, Mark.MS),
        "A2": participant("A2", "F-0001", final, Mark.MS),
        "A3": participant("A3", "F-0001", final, Mark.TMS),
        "A4": participant("A4", "F-0001", AdminStage.WAITING, ""),
        "A5": participant("A5", "F-0001", AdminStage.ANSWERED, Mark.MS),
        "B1": participant("B1", "F-0002", final, Mark.MS),
        "B2": participant("B2", "F-0002", objected, Mark.TMS),
        "B3": participant("B3", "F-0002", objected, Mark.TMS),
        "C1": participant("C1", "F-0003", final, Mark.MS),
        "C2": participant("C2", "F-0003", AdminStage.DECIDED, Mark.MS),
        "D1": draft(selection, "D1", "F-0001"),
        "D2": draft(selection, "D2", "F-0003"),
    }
    Application.objects.filter(pk=apps["A1"].pk).update(submitted_at=WIB_DAY_5)
    Application.objects.filter(pk=apps["A2"].pk).update(submitted_at=WIB_DAY_6)
    Application.objects.filter(selection=selection, status="submitted").exclude(
        number__in=["A1", "A2"]
    ).update(submitted_at=WIB_DAY_8)
    today = agency.today()
    objection(apps["A3"], Objection.Status.REJECTED, today)
    objection(apps["A5"], Objection.Status.ACCEPTED, today)
    objection(apps["B2"], Objection.Status.FILED, today - timedelta(days=1))
    objection(apps["B3"], Objection.Status.FILED, today + timedelta(days=1))

    committee = make_staff("panitia-laporan", agency, Role.COMMITTEE)
    site = TestSite.objects.create(selection=selection, code="gor", name="GOR Kota")
    room = Room.objects.create(site=site, code="r1", name="Ruang 1", seats=40)
    session = make_session(
        selection, site, "sesi-1", starts_in=-timedelta(hours=3), seats=((room, 40),)
    )
    seat = SessionRoom.objects.get(session=session)
    for number, attendance in (("A1", "H"), ("A2", "TH"), ("A5", "H"), ("B1", "")):
        Booking.objects.create(
            selection=selection,
            application=apps[number],
            stage="skd",
            session=session,
            session_room=seat,
            booked_at=timezone.now(),
            booked_by=committee,
            attendance=attendance,
        )
    score(apps["A1"], "skd", "TH")  # the check-in (H) decides, not this
    score(apps["B1"], "skd", "H")  # no check-in recorded: the score decides
    score(apps["C1"], "pppk", "TH")
    score(apps["C1"], "pppk", "H", round=2)  # a re-test round is not counted again

    earlier = timezone.now() - timedelta(days=2)
    ranking(
        selection,
        "skd",
        [(apps["A1"], "P/L", 1), (apps["A5"], "P/L", 2), (apps["B1"], "P/L", 1)],
        confirmed=earlier,
    )
    ranking(
        selection,
        "skd",
        [
            (apps["A1"], "P/L", 1),
            (apps["A5"], "P", 2),
            (apps["A2"], "TH", None),
            (apps["B1"], "T/L", None),
        ],
        confirmed=timezone.now(),
    )
    ranking(selection, "skd", [(apps["A1"], "T/L", None)], confirmed=None)  # not confirmed
    final_run = ranking(
        selection, "akhir", [(apps["A1"], "L", 1), (apps["A5"], "TL", 2)], confirmed=earlier
    )
    ranking(selection, "pppk", [(apps["C1"], "TH", None)], confirmed=earlier)
    withdrawal(final_run, 1, apps["A1"], "APS", committee, replacement=apps["A5"], confirmed=True)
    withdrawal(final_run, 2, apps["A5"], "DIS", committee, replacement=None, confirmed=False)

    return Scene(
        selection=selection,
        committee=committee,
        verifier=make_staff("verifikator-laporan", agency, Role.VERIFIER),
        site_staff=make_staff("petugas-laporan", agency, Role.SITE_STAFF),
        other_committee=make_staff("panitia-lain", other, Role.COMMITTEE),
        applicant=apps["A1"].applicant,
        apps=apps,
    )


@pytest.fixture
def scene(db: None) -> Scene:
    return make_scene()


def more_formations(selection: Selection, count: int) -> list[Formation]:
    """`count` more CPNS formations G-0001…, added beside the imported ones."""
    return Formation.objects.bulk_create(
        Formation(
            selection=selection,
            code=f"G-{number:04d}",
            procurement_type="CPNS",
            formation_type="umum",
            position=f"Analis {number}",
            qualifications_text="S-1 Hukum",
            placement_unit="Unit 1",
            quota=1,
        )
        for number in range(1, count + 1)
    )


def report_of(selection: Selection) -> Report:
    """The report as an English reader gets it."""
    with override("en"):
        return agency_report(selection)


def signed_in(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def figures(scene: Scene, code: str) -> dict[str, int]:
    report = report_of(scene.selection)
    line = next(line for line in report.lines if line.code == code)
    return {
        column.key: count
        for column, count in zip(report.columns, line.cells(report.columns), strict=True)
    }


def run_pk(scene: Scene, stage: str) -> int:
    return (
        RankingRun.objects.filter(selection=scene.selection, stage=stage)
        .exclude(confirmed_at=None)
        .order_by("-confirmed_at")
        .values_list("pk", flat=True)[0]
    )


# --- the figures --------------------------------------------------------------------------------


def test_it_counts_each_formation_by_stage(scene: Scene) -> None:
    skd, final, pppk = run_pk(scene, "skd"), run_pk(scene, "akhir"), run_pk(scene, "pppk")
    assert figures(scene, "F-0001") == {
        "drafts": 1,
        "submitted": 5,
        "in_verification": 1,
        "ms": 3,
        "tms": 1,
        "objections_filed": 2,
        "objections_accepted": 1,
        "objections_rejected": 1,
        "booked:skd": 3,
        "present:skd": 2,
        "absent:skd": 1,
        "booked:pppk": 0,
        "present:pppk": 0,
        "absent:pppk": 0,
        f"run:{skd}:P/L": 1,
        f"run:{skd}:P": 1,
        f"run:{final}:L": 1,
        f"run:{final}:L-2": 0,
        f"run:{final}:APS": 1,  # confirmed; the pending DIS is not counted
        f"run:{final}:DIS": 0,
        f"run:{final}:replacements": 1,
        f"run:{pppk}:L": 0,
        f"run:{pppk}:L-2": 0,
    }
    second = figures(scene, "F-0002")
    assert (second["submitted"], second["ms"], second["tms"], second["objections_filed"]) == (
        3,
        1,
        2,
        2,
    )
    assert (second["booked:skd"], second["present:skd"], second["absent:skd"]) == (1, 1, 0)
    assert second[f"run:{skd}:P/L"] == 0  # the earlier confirmed run no longer counts
    third = figures(scene, "F-0003")
    assert (third["drafts"], third["submitted"], third["in_verification"], third["ms"]) == (
        1,
        2,
        1,
        1,
    )
    assert (third["present:pppk"], third["absent:pppk"]) == (0, 1)


def test_its_totals_are_the_sums_of_the_formations(scene: Scene) -> None:
    report = report_of(scene.selection)
    assert [column.key for column in report.columns][:8] == [
        "drafts",
        "submitted",
        "in_verification",
        "ms",
        "tms",
        "objections_filed",
        "objections_accepted",
        "objections_rejected",
    ]
    assert report.total_cells[:8] == [2, 10, 2, 5, 3, 4, 1, 1]
    assert [stage for stage, _label in report.test_stages] == ["skd", "pppk"]
    assert [confirmed.run.stage for confirmed in report.runs] == ["skd", "akhir", "pppk"]
    for index in range(len(report.columns)):
        assert report.total_cells[index] == sum(
            line.cells(report.columns)[index] for line in report.lines
        )


def test_its_pass_rates_are_exact_and_a_dash_without_a_base(scene: Scene) -> None:
    rates = {row.label: row for row in report_of(scene.selection).pass_rates}
    cpns = rates["CPNS (civil servant candidate)"]
    assert (cpns.administrative.numerator, cpns.administrative.denominator) == (4, 8)
    assert cpns.administrative.percent == Decimal("50.0")
    assert (cpns.skd.numerator, cpns.skd.denominator, cpns.skd.percent) == (
        2,
        3,
        Decimal("66.7"),
    )
    assert (cpns.final.numerator, cpns.final.denominator, cpns.final.percent) == (
        1,
        2,
        Decimal("50.0"),
    )
    pppk = rates["PPPK (contract civil servant)"]
    assert pppk.administrative.percent == Decimal("50.0")
    assert (pppk.skd.denominator, pppk.skd.percent) == (0, None)
    assert (pppk.final.denominator, pppk.final.percent) == (0, None)
    overall = rates["All formations"]
    assert (overall.administrative.numerator, overall.administrative.denominator) == (5, 10)
    assert (overall.skd.percent, overall.final.percent) == (Decimal("66.7"), Decimal("50.0"))


def test_it_counts_objections_with_the_overdue_ones(scene: Scene) -> None:
    rows = {row.label: row for row in report_of(scene.selection).objections}
    overall = rows["All formations"]
    assert (
        overall.filed,
        overall.accepted,
        overall.rejected,
        overall.pending,
        overall.overdue,
    ) == (4, 1, 1, 2, 1)
    pppk = rows["PPPK (contract civil servant)"]
    assert (pppk.filed, pppk.pending) == (0, 0)


def test_it_counts_absences_per_session_and_imported_scores_per_stage(scene: Scene) -> None:
    rows = [
        (row.stage, row.session, row.site, row.booked, row.present, row.absent, row.not_recorded)
        for row in report_of(scene.selection).absences
    ]
    assert rows == [
        ("skd", "sesi-1", "GOR Kota", 4, 2, 1, 1),
        ("skd", "", "Imported scores, no check-in here", 1, 1, 0, 0),
        ("pppk", "", "Imported scores, no check-in here", 1, 0, 1, 0),
    ]


def test_it_counts_submissions_on_the_agencys_days(scene: Scene) -> None:
    assert report_of(scene.selection).submissions == [
        (date(2026, 1, 5), 1),
        (date(2026, 1, 6), 1),
        (date(2026, 1, 7), 0),
        (date(2026, 1, 8), 8),
    ]


def test_an_empty_selection_reports_zeros_and_dashes(db: None) -> None:
    selection = make_selection(make_agency("kosong"), "kosong-2026")
    report = report_of(selection)
    assert report.lines == [] and report.submissions == [] and report.absences == []
    assert [rates.label for rates in report.pass_rates] == ["All formations"]
    assert report.pass_rates[0].administrative.percent is None


# --- the percentage ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (0, 0, None),
        (5, 0, None),
        (0, 7, Decimal("0.0")),
        (1, 3, Decimal("33.3")),
        (2, 3, Decimal("66.7")),
        (1, 8, Decimal("12.5")),  # 12.5 exactly
        (1, 16, Decimal("6.3")),  # 6.25 rounds half up
        (1, 2000, Decimal("0.1")),  # 0.05 rounds half up
        (1, 2001, Decimal("0.0")),
        (7, 7, Decimal("100.0")),
    ],
)
def test_percentage_rounds_half_up_to_one_decimal(
    numerator: int, denominator: int, expected: Decimal | None
) -> None:
    result = percentage(numerator, denominator)
    assert result == expected
    if expected is not None:
        assert str(result) == str(expected)


@given(st.integers(min_value=1, max_value=10**9), st.data())
def test_percentage_is_the_exact_ratio_to_within_half_a_tenth(
    denominator: int, data: st.DataObject
) -> None:
    numerator = data.draw(st.integers(min_value=0, max_value=denominator))
    result = percentage(numerator, denominator)
    assert result is not None
    assert result.as_tuple().exponent == -1
    exact = Fraction(numerator * 100, denominator)
    difference = Fraction(result) - exact
    assert -Fraction(1, 20) < difference <= Fraction(1, 20)
    assert Decimal(0) <= result <= Decimal(100)


# --- the page and its charts --------------------------------------------------------------------


def charts(html: str) -> dict[str, ElementTree.Element]:
    found = {}
    for markup in re.findall(r"<svg.*?</svg>", html, re.S):
        svg = ElementTree.fromstring(markup)  # noqa: S314 - the page's own markup
        found[svg.get("id", "")] = svg
    return found


def texts(svg: ElementTree.Element) -> list[str]:
    return [element.text or "" for element in svg.iter(f"{SVG}text")]


def test_the_page_shows_the_tables_and_well_formed_charts(scene: Scene) -> None:
    response = signed_in(scene.committee).get(scene.url)
    assert response.status_code == 200
    html = response.content.decode()
    svgs = charts(html)
    assert set(svgs) == {
        "chart-applicants",
        "chart-pass-rates",
        "chart-objections",
        "chart-absences",
        "chart-submissions",
    }
    for chart_id, svg in svgs.items():
        assert svg.get("role") == "img"
        assert svg.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
        assert svg.find(f"{SVG}title").text  # type: ignore[union-attr]
        assert svg.find(f"{SVG}desc").text  # type: ignore[union-attr]
    assert texts(svgs["chart-objections"]) == [
        "Filed",
        "4",
        "Accepted",
        "1",
        "Rejected",
        "1",
        "Pending",
        "2",
        "Overdue",
        "1",
    ]
    assert texts(svgs["chart-pass-rates"])[1::2] == ["50.0 %", "66.7 %", "50.0 %"]
    assert texts(svgs["chart-submissions"])[1::2] == ["1", "1", "0", "8"]
    assert texts(svgs["chart-absences"]) == [
        "Basic competence test (SKD)",
        "1",
        "PPPK competence test",
        "1",
    ]
    bars = [int(rect.get("width", "0")) for rect in svgs["chart-objections"].iter(f"{SVG}rect")]
    assert bars[0] == max(bars) and len(bars) == 5
    total = re.search(r'<tr id="formations-total">(.*?)</tr>', html, re.S)
    assert total is not None
    cells = re.findall(r'<td class="num">(\d+)</td>', total.group(1))
    assert [int(cell) for cell in cells][:8] == [2, 10, 2, 5, 3, 4, 1, 1]
    assert 'id="formation-f-0001"' in html
    pppk = re.search(r"<tr><th scope=\"row\">PPPK \(contract civil servant\)</th>(.*?)</tr>", html)
    assert pppk is not None
    assert re.sub(r"<[^>]+>", "", pppk.group(1)) == "50.0 % (1/2)– (0/0)– (0/0)"
    assert "66.7 %" in html and "(2/3)" in html


def test_the_page_reads_in_indonesian_by_default(scene: Scene) -> None:
    client = Client()
    client.force_login(scene.committee)
    html = client.get(scene.url).content.decode()
    assert "66,7 %" in html


def test_the_page_shows_formations_fifty_at_a_time(scene: Scene) -> None:
    more_formations(scene.selection, 60)
    client = signed_in(scene.committee)
    first = client.get(scene.url).content.decode()
    assert 'id="formation-f-0001"' in first and 'id="formation-g-0060"' not in first
    assert "Total, 63 formations" in first
    last = client.get(scene.url, {"page": 2}).content.decode()
    assert 'id="formation-g-0060"' in last and 'id="formation-f-0001"' not in last


def test_the_workspace_links_to_the_report(scene: Scene) -> None:
    html = signed_in(scene.committee).get(reverse("committee:home")).content.decode()
    assert f'href="{scene.url}"' in html
    staff = signed_in(scene.site_staff).get(reverse("committee:home")).content.decode()
    assert scene.url not in staff


# --- the workbook ------------------------------------------------------------------------------


def test_the_workbook_holds_the_same_figures_as_numbers(scene: Scene) -> None:
    Formation.objects.filter(selection=scene.selection, code="F-0002").update(
        position='=HYPERLINK("http://example.invalid","x")'
    )
    response = signed_in(scene.committee).get(scene.xlsx_url)
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    today = scene.selection.agency.today().isoformat()
    assert disposition == f'attachment; filename="laporan-laporan-2026-{today}.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "Applicants per formation",
        "Pass rates",
        "Objections",
        "Absences",
        "Submissions per day",
    ]
    formations = list(workbook["Applicants per formation"].iter_rows(values_only=True))
    assert formations[0][:6] == (
        "Formation code",
        "Position",
        "Procurement type",
        "Quota",
        "Applications: Drafts",
        "Applications: Submitted",
    )
    assert formations[1][:12] == ("F-0001", "Analis 1", "CPNS", 2, 1, 5, 1, 3, 1, 2, 1, 1)
    assert formations[-1][:12] == ("Total", None, None, None, 2, 10, 2, 5, 3, 4, 1, 1)
    report = report_of(scene.selection)
    assert [list(row[4:]) for row in formations[1:-1]] == [
        line.cells(report.columns) for line in report.lines
    ]
    hostile = workbook["Applicants per formation"]["B3"]
    assert hostile.data_type == "s"
    assert hostile.value == '\'=HYPERLINK("http://example.invalid","x")'
    rates = list(workbook["Pass rates"].iter_rows(values_only=True))
    assert rates[1] == ("CPNS (civil servant candidate)", 4, 8, 50, 2, 3, 66.7, 1, 2, 50)
    assert rates[2][4:] == (0, 0, "–", 0, 0, "–")
    objections = list(workbook["Objections"].iter_rows(values_only=True))
    assert objections[-1] == ("All formations", 4, 1, 1, 2, 1)
    absences = list(workbook["Absences"].iter_rows(values_only=True))
    assert absences[1][0] == "Basic competence test (SKD)"
    assert absences[1][1:3] == ("sesi-1", "GOR Kota") and absences[1][4:] == (4, 2, 1, 1)
    days = list(workbook["Submissions per day"].iter_rows(values_only=True))
    assert [(value.date(), count) for value, count in days[1:]] == [
        (date(2026, 1, 5), 1),
        (date(2026, 1, 6), 1),
        (date(2026, 1, 7), 0),
        (date(2026, 1, 8), 8),
    ]


# --- the cost ----------------------------------------------------------------------------------


def queries(scene: Scene, url: str) -> int:
    client = signed_in(scene.committee)
    client.get(url)  # sessions and the like settle on the first request
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_formations(scene: Scene) -> None:
    with CaptureQueriesContext(connection) as few:
        report_of(scene.selection)
    page, workbook = queries(scene, scene.url), queries(scene, scene.xlsx_url)
    for formation in more_formations(scene.selection, 40):
        make_participant(scene.selection, formation.code.replace("-", ""), formation=formation.code)
    with CaptureQueriesContext(connection) as many:
        report_of(scene.selection)
    assert len(many.captured_queries) == len(few.captured_queries) == 10
    assert queries(scene, scene.url) == page
    assert queries(scene, scene.xlsx_url) == workbook


# --- who may read it ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["committee", "verifier", "superuser"])
def test_the_agencys_readers_may_open_it(scene: Scene, who: str) -> None:
    user = make_superuser() if who == "superuser" else getattr(scene, who)
    client = signed_in(user)
    assert client.get(scene.url).status_code == 200
    assert client.get(scene.xlsx_url).status_code == 200


@pytest.mark.parametrize("who", ["other_committee", "applicant", "site_staff"])
def test_anyone_else_gets_a_404(scene: Scene, who: str) -> None:
    client = signed_in(getattr(scene, who))
    assert client.get(scene.url).status_code == 404
    assert client.get(scene.xlsx_url).status_code == 404


def test_a_stranger_is_sent_to_sign_in(scene: Scene) -> None:
    for url in (scene.url, scene.xlsx_url):
        response = Client().get(url)
        assert response.status_code == 302
        assert "next=" in response["Location"]


def test_an_unknown_selection_is_a_404(scene: Scene) -> None:
    url = reverse("committee:reports", args=["tidak-ada"])
    assert signed_in(scene.committee).get(url).status_code == 404


def test_it_refuses_to_be_changed(scene: Scene) -> None:
    response = signed_in(scene.committee).post(scene.url)
    assert response.status_code == 405


def test_the_formation_table_can_be_narrowed_while_the_totals_stay(scene: Scene) -> None:
    more_formations(scene.selection, 5)
    client = signed_in(scene.committee)

    def shown(**query: str) -> tuple[list[str], str]:
        html = client.get(scene.url, query).content.decode()
        codes = re.findall(r'<tr id="formation-([a-z0-9-]+)">', html)
        total = re.search(r'<tr id="formations-total">(.*?)</tr>', html, re.S)
        assert total is not None
        return codes, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", total.group(1))).strip()

    everything = shown()
    assert len(everything[0]) == 8
    assert everything[1].startswith("Total, 8 formations 2 10 2 5 3")
    assert shown(jenis="PPPK") == (["f-0003"], everything[1])
    assert shown(formasi="analis 2")[0] == ["f-0002", "g-0002"]
    assert shown(pelamar="on")[0] == ["f-0001", "f-0002", "f-0003"]
    assert shown(formasi="g-", pelamar="on")[0] == []
    html = client.get(scene.url, {"jenis": "PNS"}).content.decode()
    assert "Choose a procurement type from the list." in html
    assert len(re.findall(r'<tr id="formation-', html)) == 8


def test_the_pages_keep_the_filter(scene: Scene) -> None:
    more_formations(scene.selection, 60)
    html = signed_in(scene.committee).get(scene.url, {"formasi": "G-"}).content.decode()
    assert "60 formations shown of 63" in html
    assert 'href="?formasi=G-&amp;page=2"' in html
