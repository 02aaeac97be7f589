"""Writes for test scores: `scores_import` takes a CAT export (NILAI.csv) of one stage, checks
every row against the selection's applications and stores it in one transaction.

Decisions worth knowing:

- Rows are keyed by participant number (nomor peserta, `Application.number`) and, for PPPK,
  round (tahap). A score already stored is updated when the file says otherwise and left
  alone when it agrees, so re-importing a file changes nothing. Scores absent from the file
  are kept: a CAT export may cover one session only.
- The audit event is recorded only when something was created or updated; an import that
  changes nothing leaves no trace but its summary line.
- The scores of an absent participant (TH) are checked but not stored.
- The mitra past performance rating (column `nilai_kinerja`) is optional: a file with the
  column sets it (an empty cell clears it), a file without it keeps the stored rating, which
  the pool may have written from the office's own ratings of the year before.
- The ranges are the maxima of the selection's ranking policy for the stage's openings
  (`Selection.ranking_policy_code`).
"""

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from seleksi.applications.models import Application
from seleksi.audit.services import audit_record
from seleksi.rules.ranking import Affirmation, RankingPolicy, load_ranking_policy
from seleksi.rules.score_files import (
    FileErrors,
    FileProblem,
    Problem,
    Row,
    parse_table,
    table_rows,
)
from seleksi.rules.verification import Mark
from seleksi.selections.models import Selection

from .messages import describe_score_problem
from .models import Score

STAGE = Score.Stage
PROCUREMENT_TYPES: dict[str, str] = {
    STAGE.SKD: "CPNS",
    STAGE.SKB: "CPNS",
    STAGE.PPPK: "PPPK",
    STAGE.MITRA: "MITRA",
}
RATING_COLUMN = "nilai_kinerja"
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {STAGE.MITRA: (RATING_COLUMN,)}
SKB_PLACES = 3
FORMATION_COLUMN = "kode_formasi"
AFFIRMATION_FIELDS: dict[Affirmation, str] = {
    Affirmation.SERDIK_LINIER: "serdik_linier",
    Affirmation.AGE_35_ACTIVE_3_YEARS: "age_35_active_3_years",
    Affirmation.DISABILITY: "disability",
    Affirmation.THK2_ACTIVE_3_YEARS: "thk2_active_3_years",
}
COLUMNS: dict[str, tuple[str, ...]] = {
    STAGE.SKD: ("nomor_peserta", "kehadiran", "twk", "tiu", "tkp"),
    STAGE.SKB: ("nomor_peserta", "kehadiran", "skb"),
    STAGE.PPPK: (
        "nomor_peserta",
        "tahap",
        "kehadiran",
        "teknis",
        "manajerial_sosiokultural",
        "wawancara",
        *(ground.value for ground in AFFIRMATION_FIELDS),
    ),
    STAGE.MITRA: ("nomor_peserta", "kehadiran", "nilai_tes"),
}
STAGE_FIELDS: dict[str, tuple[str, ...]] = {
    STAGE.SKD: ("attendance", "twk", "tiu", "tkp"),
    STAGE.SKB: ("attendance", "skb"),
    STAGE.PPPK: (
        "attendance",
        "teknis",
        "manajerial_sosiokultural",
        "wawancara",
        *AFFIRMATION_FIELDS.values(),
    ),
    STAGE.MITRA: ("attendance", "test_score", "performance_rating"),
}


@dataclass(frozen=True)
class _Entry:
    application_id: int
    round: int
    values: dict[str, Any]


def score_policy(selection: Selection, stage: str) -> RankingPolicy:
    """The ranking policy whose maxima bound the scores of `stage`."""
    return load_ranking_policy(selection.ranking_policy_code(PROCUREMENT_TYPES[stage]))


@dataclass(frozen=True)
class _Applicant:
    pk: int
    status: str
    formation: str
    procurement_type: str
    published_result: str


@dataclass(frozen=True)
class ScoreImportOutcome:
    """When there are `problems`, nothing was written; `errors` says them in the active
    language, one "line N, column X: …" each."""

    stage: str
    sha256: str
    problems: tuple[FileProblem, ...] = ()
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    audited: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def errors(self) -> tuple[str, ...]:
        return tuple(describe_score_problem(problem) for problem in self.problems)


@dataclass
class _Check:
    selection: Selection
    stage: str
    policy: RankingPolicy
    applicants: dict[str, _Applicant]
    first_line: dict[tuple[str, int], int] = field(default_factory=dict)

    def entry(self, row: Row) -> _Entry | None:
        number = row.participant("nomor_peserta")
        round_ = (
            row.whole("tahap", 1, self.policy.pppk_rules().rounds)
            if self.stage == STAGE.PPPK
            else 1
        )
        applicant = None
        if number is not None and round_ is not None:
            pppk = self.stage == STAGE.PPPK
            if row.first_for(self.first_line, number, round_, by_round=pppk):
                applicant = self.applicant(row, number)
        values = self.values(row)
        if row.errors or applicant is None or round_ is None or values is None:
            return None
        return _Entry(applicant.pk, round_, values)

    def applicant(self, row: Row, number: str) -> _Applicant | None:
        applicant = self.applicants.get(number)
        if applicant is None:
            row.fail(
                "nomor_peserta",
                Problem.NOT_REGISTERED,
                value=number,
                selection=self.selection.code,
            )
            return None
        if applicant.status != Application.Status.SUBMITTED:
            row.fail("nomor_peserta", Problem.NOT_SUBMITTED, value=number)
            return None
        if applicant.published_result == Mark.TMS:
            row.fail("nomor_peserta", Problem.NOT_ADMITTED, value=number)
            return None
        expected = PROCUREMENT_TYPES[self.stage]
        if applicant.procurement_type != expected:
            row.fail(
                "nomor_peserta",
                Problem.WRONG_PROCUREMENT,
                value=number,
                applied=applicant.procurement_type,
                stage=self.stage,
                expected=expected,
            )
            return None
        if FORMATION_COLUMN in row.cells:
            code = row.formation_code(FORMATION_COLUMN)
            if code is not None and code != applicant.formation:
                row.fail(
                    FORMATION_COLUMN,
                    Problem.WRONG_FORMATION,
                    value=code,
                    participant=number,
                    formation=applicant.formation,
                )
                return None
        return applicant

    def values(self, row: Row) -> dict[str, Any] | None:
        present = row.attendance()
        required = present is True
        values: dict[str, Any] = {}
        if self.stage == STAGE.SKD:
            skd = self.policy.skd_rules()
            values["twk"] = row.whole("twk", 0, skd.twk_maximum, required=required)
            values["tiu"] = row.whole("tiu", 0, skd.tiu_maximum, required=required)
            values["tkp"] = row.whole("tkp", 0, skd.tkp_maximum, required=required)
        elif self.stage == STAGE.SKB:
            maximum = self.policy.final_rules().skb_maximum
            skb = row.decimal("skb", 0, maximum, required=required, places=SKB_PLACES)
            values["skb"] = None if skb is None else Decimal(row.cells["skb"])
        elif self.stage == STAGE.MITRA:
            mitra = self.policy.mitra_rules()
            test = row.decimal(
                "nilai_tes", 0, mitra.test_maximum, required=required, places=SKB_PLACES
            )
            values["test_score"] = None if test is None else Decimal(row.cells["nilai_tes"])
            if RATING_COLUMN in row.cells:
                values["performance_rating"] = None
                if row.cells[RATING_COLUMN]:
                    rating = row.decimal(
                        RATING_COLUMN, 0, mitra.rating_maximum, required=False, places=SKB_PLACES
                    )
                    values["performance_rating"] = (
                        None if rating is None else Decimal(row.cells[RATING_COLUMN])
                    )
        else:
            pppk = self.policy.pppk_rules()
            values["teknis"] = row.whole("teknis", 0, pppk.teknis_maximum, required=required)
            values["manajerial_sosiokultural"] = row.whole(
                "manajerial_sosiokultural",
                0,
                pppk.manajerial_sosiokultural_maximum,
                required=required,
            )
            values["wawancara"] = row.whole(
                "wawancara", 0, pppk.wawancara_maximum, required=required
            )
        flags = (
            {name: row.flag(ground.value) for ground, name in AFFIRMATION_FIELDS.items()}
            if self.stage == STAGE.PPPK
            else {}
        )
        if present is None:
            return None
        if not present:
            kept = {name: values[name] for name in ("performance_rating",) if name in values}
            values = dict.fromkeys(values) | (kept if self.stage == STAGE.MITRA else {})
        values.update(flags)
        values["attendance"] = Score.Attendance.PRESENT if present else Score.Attendance.ABSENT
        return values


def _applicants(selection: Selection) -> dict[str, _Applicant]:
    rows = Application.objects.filter(selection=selection).values_list(
        "number",
        "pk",
        "status",
        "formation__code",
        "formation__procurement_type",
        "published_result",
    )
    return {
        number: _Applicant(pk, status, code, procurement, published)
        for number, pk, status, code, procurement, published in rows
    }


def _check(
    *, selection: Selection, stage: str, content: bytes
) -> tuple[list[_Entry], list[FileProblem], int]:
    """The entries to store, the problems, and the number of rows read."""
    try:
        header, body = parse_table(content)
        optional = (FORMATION_COLUMN, *OPTIONAL_COLUMNS.get(stage, ()))
        columns = COLUMNS[stage] + tuple(name for name in optional if name in header)
        rows = table_rows(header, body, columns)
    except FileErrors as error:
        return [], error.problems, 0
    if not rows:
        return [], [FileProblem(Problem.NO_SCORE_ROWS)], 0
    check = _Check(selection, stage, score_policy(selection, stage), _applicants(selection))
    entries = [entry for row in rows if (entry := check.entry(row)) is not None]
    return entries, [problem for row in rows for problem in row.errors], len(rows)


@transaction.atomic
def scores_import(
    *, selection: Selection, stage: str, source_name: str, content: bytes, actor: Any
) -> ScoreImportOutcome:
    """Check the file `content` of one stage against the selection's applications and, only
    when every row is valid, create or update its scores in bulk with one audit event."""
    stage = STAGE(stage).value
    sha256 = hashlib.sha256(content).hexdigest()
    Selection.objects.select_for_update().filter(pk=selection.pk).exists()
    entries, problems, rows = _check(selection=selection, stage=stage, content=content)
    if problems:
        return ScoreImportOutcome(stage=stage, sha256=sha256, problems=tuple(problems))
    existing = {
        (score.application_id, score.round): score
        for score in Score.objects.select_for_update().filter(selection=selection, stage=stage)
    }
    now = timezone.now()
    source = {"imported_at": now, "source_name": source_name[:255], "source_sha256": sha256}
    new_scores: list[Score] = []
    changed: list[Score] = []
    for entry in entries:
        score = existing.get((entry.application_id, entry.round))
        if score is None:
            new_scores.append(
                Score(
                    selection=selection,
                    application_id=entry.application_id,
                    stage=stage,
                    round=entry.round,
                    **entry.values,
                    **source,
                )
            )
        elif any(getattr(score, name) != value for name, value in entry.values.items()):
            for name, value in {**entry.values, **source}.items():
                setattr(score, name, value)
            changed.append(score)
    Score.objects.bulk_create(new_scores, batch_size=1000)
    Score.objects.bulk_update(changed, [*STAGE_FIELDS[stage], *source], batch_size=1000)
    outcome = ScoreImportOutcome(
        stage=stage,
        sha256=sha256,
        rows=rows,
        created=len(new_scores),
        updated=len(changed),
        unchanged=len(entries) - len(new_scores) - len(changed),
        audited=bool(new_scores or changed),
    )
    if outcome.audited:
        policy = score_policy(selection, stage)
        audit_record(
            actor=actor,
            action="scores.imported",
            subject=selection,
            rule_version=f"{policy.code} v{policy.version}",
            details={
                "stage": stage,
                "source": source_name,
                "rows": outcome.rows,
                "created": outcome.created,
                "updated": outcome.updated,
                "unchanged": outcome.unchanged,
                "sha256": sha256,
            },
        )
    return outcome


SITTING_SOURCE = "CAT Seleksi"


@transaction.atomic
def score_from_sitting(
    *, application: Application, stage: str, values: dict[str, Any], fingerprint: str
) -> Score:
    """Store the score of a sitting of the selection's own computer-assisted test as the
    stage's score (round 1, present), replacing an earlier one of the same stage: the ranking
    reads it as it reads an imported file. `values` are fields of `STAGE_FIELDS[stage]`;
    `fingerprint` identifies the sitting's answers (kept as the source's SHA-256). The caller
    audits the sitting."""
    stage = STAGE(stage).value
    unknown = set(values) - set(STAGE_FIELDS[stage])
    if unknown:
        raise ValueError(f"not fields of a {stage} score: {sorted(unknown)}")
    score, _created = Score.objects.update_or_create(
        application=application,
        stage=stage,
        round=1,
        defaults={
            "selection_id": application.selection_id,
            "attendance": Score.Attendance.PRESENT,
            **values,
            "imported_at": timezone.now(),
            "source_name": SITTING_SOURCE,
            "source_sha256": fingerprint,
        },
    )
    return score
