"""The committee's one-action seat assignment as a pure plan (`rules.exams.assignment_plan`):
properties over random participants and sessions, and a few cases by hand."""

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from seleksi.rules.exams import Candidate, OpenSession, Plan, assignment_plan

START = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
FORMATIONS = ("F1", "F2", "F3")
SITES = ("gor", "aula")


@st.composite
def candidates(draw: st.DrawFn) -> list[Candidate]:
    count = draw(st.integers(min_value=0, max_value=40))
    return [
        Candidate(
            application=number,
            formation=draw(st.sampled_from(FORMATIONS)),
            registered=f"{draw(st.integers(min_value=0, max_value=20)):04d}|P{number:05d}",
            location=draw(st.sampled_from(("", *SITES))),
            needs_accommodation=draw(st.booleans()),
        )
        for number in range(1, count + 1)
    ]


@st.composite
def sessions(draw: st.DrawFn) -> list[OpenSession]:
    count = draw(st.integers(min_value=0, max_value=8))
    return [
        OpenSession(
            session=100 + index,
            site=draw(st.sampled_from(SITES)),
            starts_at=START + timedelta(hours=draw(st.integers(min_value=0, max_value=6))),
            free=draw(st.integers(min_value=0, max_value=6)),
            formations=frozenset(draw(st.sets(st.sampled_from(FORMATIONS), max_size=2))),
            accommodation_only=draw(st.booleans()),
        )
        for index in range(count)
    ]


def admits(session: OpenSession, candidate: Candidate) -> bool:
    if session.formations and candidate.formation not in session.formations:
        return False
    if session.accommodation_only and not candidate.needs_accommodation:
        return False
    return not candidate.location or session.site == candidate.location


def preference(session: OpenSession, candidate: Candidate) -> tuple[int, datetime, int]:
    """Where a session stands in the candidate's order of preference: accommodation sessions
    first for those who need one, then by start."""
    first = 0 if candidate.needs_accommodation and session.accommodation_only else 1
    return (first, session.starts_at, session.session)


@settings(max_examples=300)
@given(candidates(), sessions())
def test_everyone_is_placed_once_or_listed_unplaced(
    people: list[Candidate], offered: list[OpenSession]
) -> None:
    plan = assignment_plan(people, offered)
    seen = [application for application, _ in plan.placed] + list(plan.unplaced)
    assert sorted(seen) == sorted(c.application for c in people)


@settings(max_examples=300)
@given(candidates(), sessions())
def test_no_session_gets_more_than_its_free_seats(
    people: list[Candidate], offered: list[OpenSession]
) -> None:
    plan = assignment_plan(people, offered)
    free = {s.session: s.free for s in offered}
    for session, count in Counter(session for _, session in plan.placed).items():
        assert count <= free[session]


@settings(max_examples=300)
@given(candidates(), sessions())
def test_every_seat_respects_formation_location_and_accommodation(
    people: list[Candidate], offered: list[OpenSession]
) -> None:
    by_application = {c.application: c for c in people}
    by_session = {s.session: s for s in offered}
    for application, session_id in assignment_plan(people, offered).placed:
        candidate, session = by_application[application], by_session[session_id]
        if session.formations:
            assert candidate.formation in session.formations
        if candidate.location:
            assert session.site == candidate.location
        if session.accommodation_only:
            assert candidate.needs_accommodation


@settings(max_examples=300)
@given(candidates(), sessions())
def test_nobody_is_left_unplaced_while_a_seat_they_could_take_is_free(
    people: list[Candidate], offered: list[OpenSession]
) -> None:
    plan = assignment_plan(people, offered)
    used = Counter(session for _, session in plan.placed)
    by_application = {c.application: c for c in people}
    for application in plan.unplaced:
        candidate = by_application[application]
        assert not [s for s in offered if admits(s, candidate) and used[s.session] < s.free], (
            candidate
        )


@settings(max_examples=300)
@given(candidates(), sessions())
def test_within_a_formation_and_location_registration_order_decides(
    people: list[Candidate], offered: list[OpenSession]
) -> None:
    plan = assignment_plan(people, offered)
    seat = dict(plan.placed)
    by_session = {s.session: s for s in offered}
    for earlier in people:
        for later in people:
            alike = (earlier.formation, earlier.location, earlier.needs_accommodation) == (
                later.formation,
                later.location,
                later.needs_accommodation,
            )
            if not alike or (earlier.registered, earlier.application) >= (
                later.registered,
                later.application,
            ):
                continue
            if later.application in seat:
                assert earlier.application in seat
                assert preference(by_session[seat[earlier.application]], earlier) <= preference(
                    by_session[seat[later.application]], later
                )


@settings(max_examples=200)
@given(candidates(), sessions(), st.randoms(use_true_random=False))
def test_the_plan_does_not_depend_on_the_order_of_its_inputs(
    people: list[Candidate], offered: list[OpenSession], shuffler: random.Random
) -> None:
    plan = assignment_plan(people, offered)
    shuffled_people, shuffled_sessions = list(people), list(offered)
    shuffler.shuffle(shuffled_people)
    shuffler.shuffle(shuffled_sessions)
    assert assignment_plan(shuffled_people, shuffled_sessions) == plan


def test_a_chosen_location_is_honoured_even_when_another_site_has_seats() -> None:
    people = [
        Candidate(1, "F1", "0001", location="aula"),
        Candidate(2, "F1", "0002", location="aula"),
        Candidate(3, "F1", "0003"),
    ]
    offered = [
        OpenSession(10, "gor", START, free=5),
        OpenSession(11, "aula", START + timedelta(hours=3), free=1),
    ]
    assert assignment_plan(people, offered) == Plan(placed=((3, 10), (1, 11)), unplaced=(2,))


def test_sessions_fill_in_the_order_they_start_and_formations_go_together() -> None:
    people = [Candidate(n, "F2" if n % 2 else "F1", f"{n:04d}") for n in range(1, 6)]
    offered = [
        OpenSession(20, "gor", START + timedelta(hours=3), free=10),
        OpenSession(21, "gor", START, free=3),
    ]
    plan = assignment_plan(people, offered)
    assert plan.placed == ((2, 21), (4, 21), (1, 21), (3, 20), (5, 20))
    assert plan.unplaced == ()


def test_an_accommodation_session_first_for_those_who_need_one_and_never_for_others() -> None:
    people = [
        Candidate(1, "F1", "0001"),
        Candidate(2, "F1", "0002", needs_accommodation=True),
        Candidate(3, "F1", "0003", needs_accommodation=True),
    ]
    offered = [
        OpenSession(30, "gor", START, free=5),
        OpenSession(31, "gor", START + timedelta(hours=3), free=1, accommodation_only=True),
    ]
    plan = assignment_plan(people, offered)
    assert dict(plan.placed) == {1: 30, 2: 31, 3: 30}


def test_a_reserved_session_takes_only_its_formations() -> None:
    people = [Candidate(1, "F1", "0001"), Candidate(2, "F2", "0002")]
    offered = [OpenSession(40, "gor", START, free=5, formations=frozenset({"F2"}))]
    assert assignment_plan(people, offered) == Plan(placed=((2, 40),), unplaced=(1,))
