"""The office's own ratings of a year, written into next year's mitra ranking: each applicant's
yearly rating (nilai kinerja) of the agency's pool of `year` becomes the past performance
rating of their mitra score in a selection of the same agency.

Decisions worth knowing:
- The value is `selectors.yearly_rating` of the applicant (the rules' rounded yearly average
  over their rated work in the agency's pool of that year), worked out for everyone from one
  grouped query (`figures.yearly_ratings`).
- Only mitra scores already stored are written. An applicant with a rating but no score yet
  is listed in the outcome (`without_score`), so the committee transfers again after the
  score import; the import keeps a rating when its file has no rating column.
- An applicant without a rating that year keeps whatever their score holds: ratings are never
  taken back, so a transfer has nothing to clear, and a rating imported from a file stays.
- Refused once a mitra ranking run of the selection is confirmed: changing the inputs under a
  confirmed result would leave the announced order without its grounds. Unconfirmed runs are
  left as they are and counted (`outdated_runs`): the committee ranks again.
- The selection's row is locked like the score import locks it, so a transfer and an import
  at once write one after the other. One audit event with the counts when a rating changed;
  a transfer that changes nothing leaves no event, like an import that changes nothing.
  `rules.ratings` carries no version of its own, so the event names the rule in its details.
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from seleksi.agencies.permissions import Capability, user_can
from seleksi.applications.models import Application
from seleksi.audit.services import audit_record
from seleksi.pool.figures import office_ratings
from seleksi.pool.models import PerformanceRating
from seleksi.pool.services import PoolRefused
from seleksi.scoring.models import RankingRun, Score
from seleksi.selections.models import Formation, Selection

MITRA = "MITRA"
RULE = "rules.ratings.performance_rating_for"

REFUSALS = {
    "not_mitra_selection": _(
        "This selection has no mitra openings; past ratings go only into a mitra ranking."
    ),
    "year": _("Give the year of the ratings as a whole number, such as 2025."),
    "ranking_confirmed": _(
        "A mitra ranking of this selection is already confirmed; its inputs are no longer changed."
    ),
}


@dataclass(frozen=True)
class RatingsTransfer:
    """What a transfer did: `rated` applicants of the selection had a rating in `year`;
    `updated` scores took a new value, `unchanged` already held it; `without_score` are the
    participant numbers rated but not scored yet; `without_rating` scores kept their value."""

    year: int
    rated: int
    updated: int
    unchanged: int
    without_rating: int
    without_score: tuple[str, ...]
    outdated_runs: int


def rated_years(selection: Selection) -> list[tuple[int, int]]:
    """(year, applicants of the selection rated in the agency's pool of that year), newest
    first: what a transfer of each year would bring."""
    applicants = Application.objects.filter(
        selection=selection, formation__procurement_type=MITRA, status=Application.Status.SUBMITTED
    ).values("applicant_id")
    return [
        (year, count)
        for year, count in PerformanceRating.objects.filter(
            assignment__member__agency_id=selection.agency_id,
            assignment__member__user_id__in=applicants,
        )
        .values_list("assignment__member__year")
        .annotate(count=Count("assignment__member__user_id", distinct=True))
        .order_by("-assignment__member__year")
    ]


def ratings_transfer(*, selection: Selection, year: int, actor: Any) -> RatingsTransfer:
    """Writes the yearly ratings of the agency's pool of `year` into the selection's mitra
    scores (see the module's decisions)."""
    if not user_can(actor, Capability.DECIDE_RESULTS, selection.agency_id):
        raise PoolRefused("forbidden")
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 9999:
        raise PoolRefused("year", REFUSALS["year"])
    if not Formation.objects.filter(selection=selection, procurement_type=MITRA).exists():
        raise PoolRefused("not_mitra_selection", REFUSALS["not_mitra_selection"])
    with transaction.atomic():
        Selection.objects.select_for_update().filter(pk=selection.pk).exists()
        runs = RankingRun.objects.filter(selection=selection, stage=RankingRun.Stage.MITRA)
        if runs.filter(confirmed_at__isnull=False).exists():
            raise PoolRefused("ranking_confirmed", REFUSALS["ranking_confirmed"])
        applications = Application.objects.filter(
            selection=selection,
            formation__procurement_type=MITRA,
            status=Application.Status.SUBMITTED,
        )
        applicants = {
            pk: (number, applicant_id)
            for pk, number, applicant_id in applications.values_list("pk", "number", "applicant_id")
        }
        rated = office_ratings(
            agency_id=selection.agency_id,
            year=year,
            user_ids=applications.values("applicant_id"),
        )
        changed: list[Score] = []
        unchanged = without_rating = 0
        scored: set[int] = set()
        for score in Score.objects.select_for_update().filter(
            selection=selection, stage=Score.Stage.MITRA
        ):
            applicant = applicants.get(score.application_id)
            value = rated.get(applicant[1]) if applicant is not None else None
            if applicant is not None:
                scored.add(applicant[1])
            if value is None:
                without_rating += 1
            elif score.performance_rating == value:
                unchanged += 1
            else:
                score.performance_rating = value
                changed.append(score)
        Score.objects.bulk_update(changed, ["performance_rating"], batch_size=1000)
        outcome = RatingsTransfer(
            year=year,
            rated=len(rated),
            updated=len(changed),
            unchanged=unchanged,
            without_rating=without_rating,
            without_score=tuple(
                sorted(
                    number
                    for number, applicant_id in applicants.values()
                    if applicant_id in rated and applicant_id not in scored
                )
            ),
            outdated_runs=runs.count() if changed else 0,
        )
        if changed:
            audit_record(
                actor=actor,
                action="pool.ratings_transferred",
                subject=selection,
                details={
                    "year": year,
                    "rule": RULE,
                    "rated": outcome.rated,
                    "updated": outcome.updated,
                    "unchanged": outcome.unchanged,
                    "without_rating": outcome.without_rating,
                    "without_score": len(outcome.without_score),
                    "outdated_runs": outcome.outdated_runs,
                },
            )
    return outcome
