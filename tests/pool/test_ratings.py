"""Ratings: after the activity, enumerators only, once, 1-10; the yearly figure is what next
year's mitra ranking reads."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from seleksi.audit.models import AuditEvent
from seleksi.pool import selectors, services
from seleksi.pool.models import Activity, Assignment, PerformanceRating
from seleksi.pool.services import PoolRefused
from seleksi.rules.ratings import Rating, performance_rating_for
from tests.pool.conftest import Office, role


def ended_assignment(office: Office, username: str, name: str, kind: str = "ppl") -> Assignment:
    """An assignment made while the activity ran, the activity having ended since."""
    activity = office.activity(name)
    assignment = services.assignment_add(
        activity_role=role(activity, kind),
        member=office.member(username),
        actor=office.committee,
        quantity=1,
    )
    Activity.objects.filter(pk=activity.pk).update(
        starts_on=office.today - timedelta(days=30), ends_on=office.today - timedelta(days=1)
    )
    return Assignment.objects.get(pk=assignment.pk)


def rate(office: Office, assignment: Assignment, marks: tuple[int, int, int]) -> PerformanceRating:
    attitude, quality, timeliness = marks
    return services.rating_record(
        assignment=assignment,
        actor=office.committee,
        attitude=attitude,
        quality=quality,
        timeliness=timeliness,
        comment="Rapi dan tepat waktu",
    )


def refused_rating(
    code: str, office: Office, assignment: Assignment, actor: Any = None, **marks: int
) -> PoolRefused:
    before = (PerformanceRating.objects.count(), AuditEvent.objects.count())
    with pytest.raises(PoolRefused) as caught:
        services.rating_record(
            assignment=assignment,
            actor=actor or office.committee,
            attitude=marks.get("attitude", 8),
            quality=marks.get("quality", 8),
            timeliness=marks.get("timeliness", 8),
        )
    assert caught.value.code == code, caught.value.message
    assert (PerformanceRating.objects.count(), AuditEvent.objects.count()) == before
    return caught.value


def test_a_rating_is_stored_once_and_audited(office: Office) -> None:
    assignment = ended_assignment(office, "mitra-a", "Survei A")
    rating = rate(office, assignment, (8, 9, 7))
    assert (rating.attitude, rating.quality, rating.timeliness) == (8, 9, 7)
    assert AuditEvent.objects.filter(action="pool.rated").count() == 1
    refused_rating("already_rated", office, assignment)


@pytest.mark.parametrize(
    ("aspect", "value"), [("attitude", 0), ("quality", 11), ("timeliness", -1)]
)
def test_a_mark_outside_one_to_ten_is_refused(office: Office, aspect: str, value: int) -> None:
    assignment = ended_assignment(office, "mitra-a", "Survei A")
    error = refused_rating("rating_out_of_range", office, assignment, **{aspect: value})
    assert error.message == (f"The mark for {aspect} is {value}; give a number from 1 to 10.")


def test_work_not_ended_is_not_rated(office: Office) -> None:
    activity = office.activity()
    assignment = services.assignment_add(
        activity_role=role(activity),
        member=office.member("mitra-a"),
        actor=office.committee,
        quantity=1,
    )
    error = refused_rating("not_ended", office, assignment)
    assert activity.ends_on.isoformat() in error.message


def test_work_is_rated_from_the_activity_last_day_on(office: Office) -> None:
    activity = office.activity()
    assignment = services.assignment_add(
        activity_role=role(activity),
        member=office.member("mitra-a"),
        actor=office.committee,
        quantity=1,
    )
    Activity.objects.filter(pk=activity.pk).update(
        starts_on=office.today - timedelta(days=30), ends_on=office.today + timedelta(days=1)
    )
    refused_rating("not_ended", office, Assignment.objects.get(pk=assignment.pk))
    Activity.objects.filter(pk=activity.pk).update(ends_on=office.today)
    rating = rate(office, Assignment.objects.get(pk=assignment.pk), (7, 8, 9))
    assert rating.assignment_id == assignment.pk


def test_only_a_pml_of_the_same_activity_and_area_is_named_as_the_rater(office: Office) -> None:
    assignment = ended_assignment(office, "mitra-a", "Survei A")
    other_activity = ended_assignment(office, "mitra-pml-lain", "Survei B", kind="pml")
    for wrong in (assignment, other_activity):  # not a PML; a PML of another activity
        with pytest.raises(PoolRefused) as caught:
            services.rating_record(
                assignment=assignment,
                actor=office.committee,
                attitude=8,
                quality=8,
                timeliness=8,
                supervisor=wrong,
            )
        assert caught.value.code == "not_supervisor"
    assert not PerformanceRating.objects.exists()


def test_a_supervisor_is_not_rated(office: Office) -> None:
    assignment = ended_assignment(office, "mitra-a", "Survei A", kind="pml")
    refused_rating("not_enumerator", office, assignment)


def test_a_verifier_may_not_rate(office: Office) -> None:
    assignment = ended_assignment(office, "mitra-a", "Survei A")
    refused_rating("forbidden", office, assignment, actor=office.verifier)


def test_the_yearly_rating_feeds_the_ranking_figure(office: Office) -> None:
    first = ended_assignment(office, "mitra-a", "Survei A")
    member = first.member
    rate(office, first, (8, 9, 7))  # 8
    second_activity = office.activity("Survei B")
    second = services.assignment_add(
        activity_role=role(second_activity), member=member, actor=office.committee, quantity=1
    )
    Activity.objects.filter(pk=second_activity.pk).update(
        starts_on=office.today - timedelta(days=30), ends_on=office.today - timedelta(days=1)
    )
    rate(office, Assignment.objects.get(pk=second.pk), (10, 10, 9))  # 29/3
    figure = selectors.yearly_rating(user=member.user, agency=office.agency, year=office.year)
    # (8 + 29/3) / 2 = 53/6 = 8.8333...
    assert figure == Decimal("8.833")
    assert figure == performance_rating_for([Rating(8, 9, 7), Rating(10, 10, 9)])
    assert [r.attitude for r in selectors.member_ratings(member)] == [10, 8]
    assert (
        selectors.yearly_rating(user=member.user, agency=office.agency, year=office.year - 1)
        is None
    )
