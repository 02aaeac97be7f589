"""Who a committee broadcast reaches: the submitted applications of a selection, narrowed to
a formation and to a stage the earlier stages already record.

Decisions worth knowing:
- A stage here is a filter on what exists, not a new state: submitted (every submitted
  application), the published administrative result (MS or TMS, as announced, so a result
  not yet published reaches nobody), holding a test seat in any stage (exams), and passed in
  a confirmed ranking run (codes P/L, L, L-2; an unconfirmed run is a draft and counts for
  nothing).
- The filters compose the stages' models here, in the committee's pages, because notices sit
  below the stages and may not know them.
- Drafts never receive a broadcast: an applicant who has not submitted is not in the selection.
"""

from collections.abc import Iterator

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from seleksi.applications.models import Application
from seleksi.exams.models import Booking
from seleksi.notices.services import Addressee
from seleksi.rules.ranking import Outcome
from seleksi.rules.verification import Mark
from seleksi.scoring.models import RankingRow
from seleksi.selections.models import Selection

STAGES = {
    "terdaftar": _("Submitted applications"),
    "ms": _("Administrative result announced: MS"),
    "tms": _("Administrative result announced: TMS"),
    "ujian": _("Holding a test seat"),
    "lulus": _("Passed in a confirmed ranking (P/L, L, L-2)"),
}
PASSED = (Outcome.WITHIN_CUT, Outcome.PASSED, Outcome.PASSED_OPTIMALISASI)


def audience(
    selection: Selection, *, formation: str = "", stage: str = ""
) -> QuerySet[Application]:
    """The submitted applications of `selection` in `formation` (a code, "" for all) and
    `stage` (a key of STAGES, "" for all)."""
    applications = Application.objects.filter(
        selection=selection, status=Application.Status.SUBMITTED
    )
    if formation:
        applications = applications.filter(formation__code=formation)
    if stage == "ms":
        applications = applications.filter(published_result=Mark.MS)
    elif stage == "tms":
        applications = applications.filter(published_result=Mark.TMS)
    elif stage == "ujian":
        applications = applications.filter(
            Exists(Booking.objects.filter(application=OuterRef("pk")))
        )
    elif stage == "lulus":
        applications = applications.filter(
            Exists(
                RankingRow.objects.filter(
                    application=OuterRef("pk"),
                    run__confirmed_at__isnull=False,
                    outcome__in=[str(code) for code in PASSED],
                )
            )
        )
    return applications.order_by("pk")


def addressees(applications: QuerySet[Application]) -> Iterator[Addressee]:
    """Each application's applicant, with the placeholders a broadcast may use: $name,
    $number, $formation (and $selection, filled by the notice), and their application page."""
    for application in applications.select_related("applicant", "formation").iterator(
        chunk_size=2000
    ):
        formation = application.formation
        yield Addressee(
            user=application.applicant,
            context={
                "number": application.number,
                "formation": f"{formation.position}, {formation.placement_unit} ({formation.code})",
            },
            url=reverse("applicant:detail", args=[application.number]),
        )
