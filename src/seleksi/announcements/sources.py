"""Which stored, confirmed result an announcement of each kind publishes (its source), and the
refusals of this stage.

Decisions worth knowing:
- The administrative announcements publish the verification stage's `Publication` of their
  kind; the result table is read from the applications' published result. Once the result
  after objections is published, the first result can no longer be read back from the
  applications, so an administrative announcement is then refused (announce the result after
  objections instead).
- SKD, final, PPPK and mitra announcements publish the latest ranking run of their stage, and
  only when the committee has confirmed it: an older confirmed run beside a newer unconfirmed
  one is refused, as the committee would announce figures that are no longer current.
- Replacements publish the confirmed withdrawals of the latest confirmed final, PPPK or mitra
  run (the run on which replacements are recorded); with several such runs, the one whose
  withdrawal was confirmed last.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from django.utils.translation import gettext_lazy as _

from seleksi.core.errors import ServiceRefused
from seleksi.scoring.models import RankingRun, Withdrawal
from seleksi.scoring.replacements import PASSING_STAGES
from seleksi.selections.models import Selection
from seleksi.verification.models import Publication

from .models import Kind

RUN_STAGES: dict[str, str] = {
    Kind.SKD: RankingRun.Stage.SKD,
    Kind.FINAL: RankingRun.Stage.FINAL,
    Kind.PPPK: RankingRun.Stage.PPPK,
    Kind.MITRA: RankingRun.Stage.MITRA,
}
PUBLICATION_KINDS: dict[str, str] = {
    Kind.ADMINISTRATIVE: Publication.Kind.ADMINISTRATIVE,
    Kind.POST_OBJECTION: Publication.Kind.POST_OBJECTION,
}


class AnnouncementRefused(ServiceRefused):
    """Why an announcement cannot be drafted, changed or published; nothing was changed.
    `field` names the form field the message belongs next to, when there is one."""

    FIELDS: ClassVar[dict[str, str]] = {
        "number_required": "number",
        "number_too_long": "number",
        "number_taken": "number",
        "number_mismatch": "confirm_number",
        "date_required": "dated_on",
        "title_required": "title",
        "title_too_long": "title",
        "body_required": "body",
        "body_too_long": "body",
        "placeholder_unknown": "body",
        "placeholder_invalid": "body",
        "signatory_name_required": "signatory_name",
        "signatory_title_required": "signatory_title",
        "signatory_too_long": "signatory_name",
        "nip_invalid": "signatory_nip",
        "reason_required": "correction_reason",
    }

    @property
    def field(self) -> str | None:
        return self.FIELDS.get(self.code)


@dataclass(frozen=True)
class Source:
    """The stored result an announcement publishes: a ranking run or a publication."""

    kind: str
    run: RankingRun | None = None
    publication: Publication | None = None

    @property
    def publication_id(self) -> int | None:
        return self.publication.pk if self.publication is not None else None

    @property
    def rule_version(self) -> str:
        if self.run is not None:
            return f"{self.run.policy_code} v{self.run.policy_version}"
        if self.publication is not None:
            return self.publication.selection.policy_code
        return ""

    @property
    def stage(self) -> str:
        """The ranking stage whose figures the table shows ("" for the administrative ones)."""
        return self.run.stage if self.run is not None else ""

    def describe(self) -> str:
        if self.run is not None:
            return str(
                _("ranking run #%(run)d (%(stage)s)")
                % {"run": self.run.pk, "stage": self.run.get_stage_display()}
            )
        if self.publication is not None:
            return str(self.publication.get_kind_display())
        return ""


def source_for(selection: Selection, kind: str) -> Source:
    """The source an announcement of `kind` would publish now; raises AnnouncementRefused
    with what the committee must do first."""
    if kind in PUBLICATION_KINDS:
        return _publication_source(selection, kind)
    if kind in RUN_STAGES:
        return _run_source(selection, kind)
    if kind == Kind.REPLACEMENT:
        return _replacement_source(selection)
    raise AnnouncementRefused("unknown_kind", _("There is no such kind of announcement."))


def source_check(source: Source, selection: Selection) -> None:
    """Refuse when `source` is no longer what an announcement of its kind would publish now
    (a newer ranking run, a confirmation undone, the result after objections published)."""
    current = source_for(selection, source.kind)
    same = (current.run.pk if current.run else None, current.publication_id) == (
        source.run.pk if source.run else None,
        source.publication_id,
    )
    if not same:
        raise AnnouncementRefused(
            "source_changed",
            _(
                "The result this draft was made from is no longer the current one (now: "
                "%(source)s). Draft a new announcement from the current result."
            ),
            {"source": current.describe()},
        )


def _publication_source(selection: Selection, kind: str) -> Source:
    publication = (
        Publication.objects.filter(selection=selection, kind=PUBLICATION_KINDS[kind])
        .select_related("selection")
        .first()
    )
    if publication is None:
        raise AnnouncementRefused(
            "not_published_yet",
            _(
                "This result is not published yet: publish it on the verification page first, "
                "then announce it here."
            ),
        )
    if (
        kind == Kind.ADMINISTRATIVE
        and Publication.objects.filter(
            selection=selection, kind=Publication.Kind.POST_OBJECTION
        ).exists()
    ):
        raise AnnouncementRefused(
            "superseded_by_objections",
            _(
                "The result after objections is already published, so the first "
                "administrative result can no longer be rebuilt; announce the result after "
                "objections instead."
            ),
        )
    return Source(kind, publication=publication)


def _run_source(selection: Selection, kind: str) -> Source:
    stage = RUN_STAGES[kind]
    run = (
        RankingRun.objects.filter(selection=selection, stage=stage)
        .select_related("selection")
        .order_by("-pk")
        .first()
    )
    label = RankingRun.Stage(stage).label
    if run is None:
        raise AnnouncementRefused(
            "no_run",
            _(
                "There is no %(stage)s yet: rank the stored scores on the ranking page and "
                "confirm the run first."
            ),
            {"stage": label},
        )
    if run.confirmed_at is None:
        raise AnnouncementRefused(
            "run_not_confirmed",
            _(
                "Ranking run #%(run)d, the latest %(stage)s, is not confirmed yet: confirm it "
                "on its page first. Only the latest run of a stage, once confirmed, can be "
                "announced."
            ),
            {"run": run.pk, "stage": label},
        )
    return Source(kind, run=run)


def _replacement_source(selection: Selection) -> Source:
    best: tuple[datetime, RankingRun] | None = None
    for stage in sorted(PASSING_STAGES):
        run = (
            RankingRun.objects.filter(selection=selection, stage=stage, confirmed_at__isnull=False)
            .select_related("selection")
            .order_by("-confirmed_at", "-pk")
            .first()
        )
        if run is None:
            continue
        last = (
            Withdrawal.objects.filter(run=run, confirmed_at__isnull=False)
            .order_by("-confirmed_at")
            .values_list("confirmed_at", flat=True)
            .first()
        )
        if last is not None and (best is None or last > best[0]):
            best = (last, run)
    if best is None:
        raise AnnouncementRefused(
            "no_replacements",
            _(
                "No withdrawal has been confirmed on a confirmed final, PPPK or mitra ranking: "
                "record and confirm withdrawals on the replacements page first."
            ),
        )
    return Source(Kind.REPLACEMENT, run=best[1])
