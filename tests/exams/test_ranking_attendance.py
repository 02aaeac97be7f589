"""The ranking reads attendance from the selection's own test: TH from the check-in, not from
the imported file."""

from datetime import timedelta

import pytest
from django.utils import timezone

from seleksi.applications.models import Application
from seleksi.exams.models import Booking, Room, SessionRoom, TestSite
from seleksi.scoring.engine import RankingInputError
from seleksi.scoring.models import RankingRow
from seleksi.scoring.ranking_runs import ranking_run
from seleksi.selections.models import Selection
from tests.exams.scene import make_session
from tests.factories import import_rows, make_agency, make_selection, make_user
from tests.scoring.ranked import FORMATIONS, SKD, add_applications

pytestmark = pytest.mark.django_db


def seated_selection(*, attendance: dict[str, str], leave_out: tuple[str, ...] = ()) -> Selection:
    """The ranking scene's SKD participants, each booked in one past SKD session with the
    given attendance ("" = session not closed); `leave_out` hold no seat."""
    selection = make_selection(make_agency(), "tes-sendiri-2026")
    import_rows(selection, FORMATIONS)
    add_applications(selection, SKD)
    site = TestSite.objects.create(selection=selection, code="gor", name="GOR")
    room = Room.objects.create(site=site, code="r1", name="Ruang 1", seats=40)
    session = make_session(
        selection, site, "sesi-1", starts_in=-timedelta(hours=3), seats=((room, 40),)
    )
    seat = SessionRoom.objects.get(session=session)
    booker = make_user("panitia-tes")
    for application in Application.objects.filter(selection=selection).exclude(
        number__in=leave_out
    ):
        Booking.objects.create(
            selection=selection,
            application=application,
            stage="skd",
            session=session,
            session_room=seat,
            booked_at=timezone.now(),
            booked_by=booker,
            attendance=attendance.get(application.number, "H"),
        )
    return selection


def outcomes(selection: Selection) -> dict[str, str]:
    run = ranking_run(selection=selection, stage="skd", actor=None).run
    return dict(RankingRow.objects.filter(run=run).values_list("application__number", "outcome"))


def refusal_codes(selection: Selection) -> list[tuple[str, dict[str, str]]]:
    with pytest.raises(RankingInputError) as caught:
        ranking_run(selection=selection, stage="skd", actor=None)
    return [(r.code, r.values) for r in caught.value.refusals]


def test_a_participant_absent_at_check_in_is_th_whatever_the_file_says() -> None:
    selection = seated_selection(attendance={"A01": "TH", "A06": "TH"})
    result = outcomes(selection)
    assert result["A01"] == "TH"
    assert result["A02"] != "TH"


def test_an_absent_participant_without_an_imported_score_is_added_as_th() -> None:
    selection = seated_selection(attendance={"A06": "TH"})
    extra = Application.objects.get(selection=selection, number="A06")
    extra.scores.all().delete()
    assert outcomes(selection)["A06"] == "TH"


def test_an_open_session_and_a_present_participant_without_score_are_errors() -> None:
    selection = seated_selection(attendance={"A02": "", "A06": "TH"})
    Application.objects.get(selection=selection, number="A03").scores.all().delete()
    codes = refusal_codes(selection)
    assert ("session_open", {"session": "sesi-1", "stage": "SKD"}) in codes
    assert ("present_without_score", {"participant": "A03", "stage": "SKD"}) in codes


def test_a_score_of_someone_seated_elsewhere_ranks_from_the_file() -> None:
    selection = seated_selection(attendance={"A06": "TH"}, leave_out=("B02",))
    assert outcomes(selection)["B02"] != "TH"


def test_a_selection_without_its_own_test_ranks_the_file_as_before() -> None:
    selection = make_selection(make_agency("lain"), "tanpa-tes-2026")
    import_rows(selection, FORMATIONS)
    add_applications(selection, SKD)
    assert outcomes(selection)["A06"] == "TH"
    assert outcomes(selection)["A01"] != "TH"
