"""Demo only (`seleksi demo-end-objections`): end the objection period (masa sanggah) of the
demo selections now, so that the committee can try the result after objections without
waiting the days the regulation gives applicants.

Decisions worth knowing:

- The period runs from the day of publication (`Selection.objection_days`), so ending it
  moves the publication time of the published applications back by that many days; the
  Publication row keeps the real moment. A second run changes nothing. Objections already
  filed are untouched: the
  committee still answers them before it publishes.
- A selection whose schedule dates its objection stage is left alone (its window does not
  follow the publication) and named in the outcome.
- Audited, like `seleksi demo-open-registration`.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from seleksi.applications.models import Application
from seleksi.audit.services import audit_record
from seleksi.selections.demo import SEED_CODES
from seleksi.selections.models import Selection
from seleksi.selections.models import Stage as ScheduleStage

from .models import Publication


@dataclass(frozen=True)
class PeriodEnded:
    code: str
    applications: int
    scheduled: bool = False


@transaction.atomic
def demo_objection_period_end() -> list[PeriodEnded]:
    """Each demo selection whose administrative result is published, with how many
    publication times moved back (none when its schedule dates the objection stage)."""
    ended = []
    published = Publication.objects.filter(kind=Publication.Kind.ADMINISTRATIVE).values(
        "selection_id"
    )
    for selection in Selection.objects.filter(code__in=SEED_CODES, pk__in=published):
        if ScheduleStage.objects.filter(
            selection=selection, kind=ScheduleStage.Kind.OBJECTION, ends_on__isnull=False
        ).exists():
            ended.append(PeriodEnded(selection.code, 0, scheduled=True))
            continue
        days = timedelta(days=selection.objection_days)
        moved = Application.objects.filter(
            selection=selection, published_at__gt=timezone.now() - days
        ).update(published_at=F("published_at") - days)
        audit_record(
            actor=None,
            action="verification.objection_period_ended",
            subject=selection,
            reason="demo: objection period ended early for trying the result after objections",
            details={"applications": moved, "days": selection.objection_days},
        )
        ended.append(PeriodEnded(selection.code, moved))
    return ended
