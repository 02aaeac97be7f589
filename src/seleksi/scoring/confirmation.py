"""The committee's confirmation of a ranking run (konfirmasi hasil pemeringkatan).

A run is confirmed once, with a note, and only while it is the latest run of its stage: a
newer run means the committee would be confirming figures that are no longer current. The run
is locked while it is checked and written, so a form sent twice confirms once and the second
request is refused politely.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from seleksi.agencies.permissions import Capability, user_can
from seleksi.audit.services import audit_record
from seleksi.core.errors import ServiceRefused

from .messages import when
from .models import RankingRun


class RankingConfirmationRefused(ServiceRefused):
    """Why the run cannot be confirmed; `code` names the case (forbidden, already_confirmed,
    outdated, note_required)."""


@transaction.atomic
def ranking_run_confirm(*, run: RankingRun, actor: Any, note: str) -> RankingRun:
    """Record that the committee confirms `run`, and one `ranking.confirmed` audit event on the
    selection. Returns the confirmed run; raises RankingConfirmationRefused."""
    locked = RankingRun.objects.select_for_update().get(pk=run.pk)
    selection = locked.selection
    if not user_can(actor, Capability.DECIDE_RESULTS, selection.agency_id):
        raise RankingConfirmationRefused(
            "forbidden", _lazy("Only the committee of this agency may confirm a ranking.")
        )
    if locked.confirmed_at is not None:
        confirmer = locked.confirmed_by.display_name if locked.confirmed_by else _("system")
        raise RankingConfirmationRefused(
            "already_confirmed",
            _lazy("This run was already confirmed by %(name)s on %(when)s; nothing was changed."),
            {
                "name": confirmer,
                "when": when(locked.confirmed_at),
            },
        )
    newer = (
        RankingRun.objects.filter(
            selection_id=locked.selection_id, stage=locked.stage, pk__gt=locked.pk
        )
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if newer is not None:
        raise RankingConfirmationRefused(
            "outdated",
            _lazy(
                "A newer run of this stage exists (run #%(newer)d); this run is outdated and "
                "cannot be confirmed. Confirm the newer run instead."
            ),
            {"newer": newer},
        )
    note = note.strip()
    if not note:
        raise RankingConfirmationRefused(
            "note_required",
            _lazy("Write a note on what the committee checked before confirming."),
        )
    locked.confirmed_at = timezone.now()
    locked.confirmed_by = actor
    locked.confirmation_note = note
    locked.save(update_fields=["confirmed_at", "confirmed_by", "confirmation_note"])
    audit_record(
        actor=actor,
        action="ranking.confirmed",
        subject=selection,
        reason=note,
        rule_version=f"{locked.policy_code} v{locked.policy_version}",
        details={
            "run": locked.pk,
            "stage": locked.stage,
            "fingerprint": locked.fingerprint,
            "note": note,
        },
    )
    return locked
