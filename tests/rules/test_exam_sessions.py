from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from seleksi.rules.exams import (
    RoomUse,
    SessionDraft,
    SessionProblem,
    overlaps,
    session_problems,
)

NINE = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
ROOMS = {"gor": {"r1": 40, "r2": 20}}


def draft(row: int = 2, code: str = "s1", **fields: object) -> SessionDraft:
    values: dict[str, object] = {
        "row": row,
        "code": code,
        "stage": "skd",
        "site": "gor",
        "starts_at": NINE,
        "duration_minutes": 100,
        "rooms": (("r1", 40),),
    }
    values.update(fields)
    return SessionDraft(**values)  # type: ignore[arg-type]


def problems(*drafts: SessionDraft, **context: object) -> list[tuple[int, SessionProblem]]:
    arguments: dict[str, object] = {
        "rooms": ROOMS,
        "formations": frozenset({"F-1"}),
        "windows": {"skd": (date(2026, 12, 1), date(2026, 12, 20))},
        "existing": (),
        "taken_codes": frozenset(),
        "day_of": lambda moment: moment.date(),
    }
    arguments.update(context)
    return [(p.row, p.problem) for p in session_problems(drafts, **arguments)]  # type: ignore[arg-type]


def test_a_good_session_has_no_problem() -> None:
    assert problems(draft(formations=("F-1",))) == []


def test_each_bad_input_is_named_with_its_row() -> None:
    assert problems(draft(site="aula")) == [(2, SessionProblem.UNKNOWN_SITE)]
    assert problems(draft(rooms=(("r9", 5),))) == [(2, SessionProblem.UNKNOWN_ROOM)]
    assert problems(draft(rooms=(("r2", 21),))) == [(2, SessionProblem.OVER_SEATS)]
    assert problems(draft(rooms=(("r1", 10), ("r1", 5)))) == [(2, SessionProblem.ROOM_TWICE)]
    assert problems(draft(starts_at=NINE + timedelta(days=30))) == [
        (2, SessionProblem.OUTSIDE_WINDOW)
    ]
    assert problems(draft(stage="ujian")) == [(2, SessionProblem.UNKNOWN_STAGE)]
    assert problems(draft(formations=("F-9",))) == [(2, SessionProblem.UNKNOWN_FORMATION)]
    assert problems(draft(duration_minutes=0)) == [(2, SessionProblem.DURATION)]
    assert problems(draft(), taken_codes=frozenset({"s1"})) == [(2, SessionProblem.CODE_TAKEN)]


def test_overlapping_sessions_in_one_room_are_refused_within_the_file_and_against_stored_ones() -> (
    None
):
    later = draft(row=3, code="s2", starts_at=NINE + timedelta(minutes=99))
    assert problems(draft(), later) == [(3, SessionProblem.OVERLAP)]
    touching = draft(row=3, code="s2", starts_at=NINE + timedelta(minutes=100))
    assert problems(draft(), touching) == []
    other_room = draft(row=3, code="s2", rooms=(("r2", 20),))
    assert problems(draft(), other_room) == []
    stored = RoomUse("lama", "gor", "r1", NINE - timedelta(minutes=30), NINE + timedelta(hours=1))
    assert problems(draft(), existing=(stored,)) == [(2, SessionProblem.OVERLAP)]
    assert problems(draft(row=2), draft(row=5)) == [
        (5, SessionProblem.DUPLICATE_CODE),
        (5, SessionProblem.OVERLAP),
    ]


def test_a_stage_without_dates_accepts_any_day() -> None:
    far = draft(starts_at=NINE + timedelta(days=400))
    assert problems(far, windows={"skd": (None, None)}) == []


minutes = st.integers(min_value=-600, max_value=600)


@given(minutes, st.integers(1, 300), minutes, st.integers(1, 300))
def test_overlap_is_symmetric_and_means_a_shared_minute(
    a_start: int, a_length: int, b_start: int, b_length: int
) -> None:
    a = (NINE + timedelta(minutes=a_start), NINE + timedelta(minutes=a_start + a_length))
    b = (NINE + timedelta(minutes=b_start), NINE + timedelta(minutes=b_start + b_length))
    shared = set(range(a_start, a_start + a_length)) & set(range(b_start, b_start + b_length))
    assert overlaps(*a, *b) == overlaps(*b, *a) == bool(shared)
