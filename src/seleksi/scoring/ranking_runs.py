"""Ranking on the database (`seleksi rank`): the pure engine of `seleksi.rules.ranking` on a
selection's formations and stored scores, kept as a `RankingRun` with its `RankingRow`s for the
announcement stage to publish.

The inputs are built exactly as `seleksi rank-file` builds them from FORMASI.csv and NILAI.csv,
and the stage, the policy and the engine are checked and chosen by the same `engine`, so the
same data gives the same rows and the same fingerprint in both modes.

Decisions worth knowing:

- Two paths, one answer. The columnar path (`ranking_frames`: the scores read straight into a
  polars frame, ranked by `rules.ranking_columns`, the rows written from the results frame)
  ranks ordinary data; whatever it does not take (any refusal, the selection's own test, an
  input the columnar engine declines) is ranked here on the object path, which words the
  refusals. Both give the same rows and the same fingerprint for the same data.
- Reads are set-wise on both paths: one query for the formations and one per score stage,
  whatever the number of applicants; the rows are written in bulk (COPY on PostgreSQL;
  elsewhere batches of one INSERT on the columnar path, `bulk_create` on the object path),
  with the audit event, in one transaction.
- Every run is stored, even when its fingerprint equals an earlier run's: a run records that
  the committee ranked at that time. `identical_to` names the latest earlier run of the same
  selection and stage with the same fingerprint, so a re-run can be shown to change nothing.
- SKD ranks every stored SKD score of the selection (round 1); the final stage (akhir) ranks
  every stored SKB score, with the participant's SKD subtests, highest IPK over their
  educations (missing when none has one) and birth date. An SKB score whose SKD score is missing
  or absent is an error, not a guess.
- Optimalisasi in the database mode also checks qualifications: an applicant may fill a seat of
  another formation only if one of their educations is written like one the formation lists,
  by the selection's eligibility policy (the same match as when applying). File mode compares
  positions (jabatan) only, as its files hold no educations.
- When the selection runs its own test of a stage (it has test sessions of that stage), the
  attendance comes from the check-in (`seleksi.exams`), not from the file: a participant
  recorded absent (TH) ranks as absent whatever was imported, and one absent without any
  imported score is added as absent. A checked-in participant without a score and a session
  not yet closed are errors that name them. A score of someone who held no seat here ranks
  from the file: they sat the test elsewhere (another agency's site, a national test point).
- PPPK ranks every stored PPPK round of the selection's PPPK formations with each formation's
  teknis pass mark (ambang teknis, imported with the allocation); a PPPK formation without one
  is an error that names it.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from seleksi.accounts.models import Education
from seleksi.audit.services import audit_record
from seleksi.core.bulk import frame_insert, rows_insert
from seleksi.exams import selectors as exams_selectors
from seleksi.rules.eligibility import EducationFact, load_policy, match_education
from seleksi.rules.fingerprint import run_fingerprint
from seleksi.rules.formations import QUALIFICATION_SEPARATOR, ProcurementType
from seleksi.rules.problems import RankingProblem
from seleksi.rules.ranking import (
    FinalResult,
    FinalScore,
    Formation,
    MitraResult,
    MitraScore,
    Outcome,
    PppkResult,
    PppkScore,
    RankingPolicy,
    SkdResult,
    SkdScore,
    Stage,
    format_score,
)
from seleksi.selections.models import Formation as FormationRecord
from seleksi.selections.models import Selection

from .engine import RankingInputError, Result, rank_stage, ranking_policy_for, ranking_stage
from .messages import InputProblem, Refusal, engine_refusal, placement_note, refusal, tie_note
from .models import RANKING_ROW_COLUMNS, RankingRow, RankingRun, Score
from .services import AFFIRMATION_FIELDS

if TYPE_CHECKING:
    from .ranking_frames import RankedFrame

PROCUREMENT_TYPES: dict[Stage, str] = {
    Stage.SKD: ProcurementType.CPNS,
    Stage.FINAL: ProcurementType.CPNS,
    Stage.PPPK: ProcurementType.PPPK,
    Stage.MITRA: ProcurementType.MITRA,
}
BATCH_SIZE = 5000


@dataclass(frozen=True)
class RankingInputs:
    formations: list[Formation]
    scores: list[SkdScore] | list[FinalScore] | list[PppkScore] | list[MitraScore]
    applications: dict[str, int]
    """participant number (nomor peserta) → application id"""


@dataclass(frozen=True)
class RankingRunOutcome:
    run: RankingRun
    identical_to: int | None
    notes: tuple[str, ...]


def ranking_inputs(*, selection: Selection, stage: Stage) -> RankingInputs:
    """The engine's inputs from the database, in a fixed number of queries."""
    return _stage_inputs(selection, stage, _formations(selection, stage))


def _stage_inputs(selection: Selection, stage: Stage, formations: list[Formation]) -> RankingInputs:
    """`ranking_inputs` once the formations are read and checked."""
    if stage is Stage.PPPK:
        return _pppk_inputs(selection, formations)
    if stage is Stage.MITRA:
        return _mitra_inputs(selection, formations)
    applications: dict[str, int] = {}
    skd: dict[str, SkdScore] = {}
    incomplete: list[Refusal] = []
    present = Score.Attendance.PRESENT
    for application_id, number, code, attendance, twk, tiu, tkp in (
        Score.objects.filter(selection=selection, stage=Score.Stage.SKD)
        .values_list(
            "application_id",
            "application__number",
            "application__formation__code",
            "attendance",
            "twk",
            "tiu",
            "tkp",
        )
        .order_by("application__number")
    ):
        applications[number] = application_id
        if attendance != present:
            skd[number] = SkdScore(number, code, False)
        elif twk is None or tiu is None or tkp is None:
            incomplete.append(refusal(InputProblem.INCOMPLETE_SKD, participant=number))
        else:
            skd[number] = SkdScore(number, code, True, twk, tiu, tkp)
    _own_test(
        selection,
        "skd",
        skd,
        applications,
        absent=lambda number, code: SkdScore(number, code, False),
        errors=incomplete,
    )
    if incomplete:
        raise RankingInputError(incomplete)
    if stage is Stage.SKD:
        if not skd:
            raise RankingInputError([_no_scores(selection, "SKD")])
        return RankingInputs(formations, list(skd.values()), applications)

    skb_rows = (
        Score.objects.filter(selection=selection, stage=Score.Stage.SKB)
        .values(
            "application_id",
            "application__number",
            "application__formation__code",
            "attendance",
            "skb",
            "application__applicant__birth_date",
        )
        .annotate(best_ipk=Max("application__applicant__educations__ipk"))
        .order_by("application__number")
    )
    errors: list[Refusal] = []
    final_scores: list[FinalScore] = []
    final_applications: dict[str, int] = {}
    for entry in skb_rows:
        number = entry["application__number"]
        final_applications[number] = entry["application_id"]
        code = entry["application__formation__code"]
        if entry["attendance"] != Score.Attendance.PRESENT:
            final_scores.append(FinalScore(number, code, False))
            continue
        skd_row = skd.get(number)
        if skd_row is None or not skd_row.present:
            errors.append(refusal(InputProblem.SKB_WITHOUT_SKD, participant=number))
            continue
        skb, ipk = entry["skb"], entry["best_ipk"]
        if skb is None:
            errors.append(refusal(InputProblem.SKB_MISSING, participant=number))
            continue
        final_scores.append(
            FinalScore(
                number,
                code,
                True,
                skd_row.twk,
                skd_row.tiu,
                skd_row.tkp,
                Fraction(skb),
                None if ipk is None else Fraction(ipk),
                entry["application__applicant__birth_date"],
            )
        )
    by_number = {score.participant: score for score in final_scores}
    _own_test(
        selection,
        "skb",
        by_number,
        final_applications,
        absent=lambda number, code: FinalScore(number, code, False),
        errors=errors,
    )
    final_scores = list(by_number.values())
    if not final_applications:
        errors.append(_no_scores(selection, "SKB"))
    if errors:
        raise RankingInputError(errors)
    return RankingInputs(formations, final_scores, final_applications)


@transaction.atomic
def ranking_run(
    *,
    selection: Selection,
    stage: Stage | str,
    policy_code: str | None = None,
    actor: Any,
    request_id: int | None = None,
) -> RankingRunOutcome:
    """Rank the selection's stored scores of `stage` and store the run, its rows and one audit
    event. Raises RankingInputError when there is nothing to rank or the data is inconsistent,
    RankingPolicyError (a LookupError) for an unknown policy or one without the stage; the
    stage and the policy are checked, and the engine chosen, by `engine` as for rank-file."""
    stage = ranking_stage(stage)
    policy = ranking_policy_for(
        stage, policy_code or selection.ranking_policy_code(PROCUREMENT_TYPES[stage])
    )
    formations = _formations(selection, stage)
    qualifies = qualification_check(selection) if stage is Stage.FINAL else None
    # polars comes with the first ranking, not with every process that loads this module
    from . import ranking_frames

    ranked = ranking_frames.ranked_stage(
        selection=selection,
        stage=stage,
        policy=policy,
        formations=formations,
        qualifies=qualifies,
    )
    ranking = (
        _object_ranking(selection, stage, policy, formations, qualifies)
        if ranked is None
        else _columnar_ranking(stage, ranked)
    )
    fingerprint, counts, row_count = ranking.fingerprint, ranking.counts, ranking.row_count
    identical_to = (
        RankingRun.objects.filter(selection=selection, stage=stage, fingerprint=fingerprint)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    run = RankingRun.objects.create(
        selection=selection,
        stage=stage.value,
        policy_code=policy.code,
        policy_version=policy.version,
        fingerprint=fingerprint,
        created_at=timezone.now(),
        row_count=row_count,
        counts=counts,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    ranking.write(run.pk)
    audit_record(
        actor=actor,
        action="ranking.run",
        subject=selection,
        rule_version=f"{policy.code} v{policy.version}",
        details={
            "stage": stage.value,
            "run": run.pk,
            "fingerprint": fingerprint,
            "rows": row_count,
            "counts": counts,
            "identical_to": identical_to,
        }
        # the committee's background request this run answers (`tasks.ranking_request`)
        | ({"request": request_id} if request_id is not None else {}),
    )
    return RankingRunOutcome(run, identical_to, ranking.notes)


@dataclass(frozen=True)
class _Ranking:
    """A ranked stage, from either path, ready to be stored: `write(run_id)` inserts its rows."""

    fingerprint: str
    counts: dict[str, int]
    row_count: int
    notes: tuple[str, ...]
    write: Callable[[int], object]


def _columnar_ranking(stage: Stage, ranked: "RankedFrame") -> _Ranking:
    """The rows go in by application, not in their `order`: the table's two indexes are the
    key (run, order) and the unique (application, run), and one of them is written at random
    places whichever order the rows come in; by application it is the narrower one (a million
    rows on PostgreSQL: 3.0 s against 3.3 s). Readers order by `order`."""
    from seleksi.rules import ranking_columns

    from . import ranking_frames

    return _Ranking(
        ranked.fingerprint,
        ranked.counts(),
        ranked.results.height,
        tuple(_notes(ranking_columns.note_results(stage, ranked.results))),
        lambda run_id: frame_insert(
            RankingRow,
            ranking_frames.row_frame(stage, run_id, ranked).sort("application_id"),
            batch_size=BATCH_SIZE,
        ),
    )


def _object_ranking(
    selection: Selection,
    stage: Stage,
    policy: RankingPolicy,
    formations: list[Formation],
    qualifies: Callable[[str, str], bool] | None,
) -> _Ranking:
    """The reference path: score objects, the `Fraction` engines, a tuple per row."""
    inputs = _stage_inputs(selection, stage, formations)
    try:
        results = rank_stage(policy, stage, inputs.formations, inputs.scores, qualifies=qualifies)
    except (ValueError, LookupError) as error:
        raise RankingInputError([engine_refusal(error)]) from error
    tally = Counter(str(result.outcome) for result in results)

    def write(run_id: int) -> None:
        _write_rows(
            _row_values(run_id, order, inputs.applications[result.participant], result)
            for order, result in enumerate(results, start=1)
        )

    return _Ranking(
        run_fingerprint(policy, stage, inputs.formations, inputs.scores),
        {code.value: tally[code.value] for code in Outcome if tally[code.value]},
        len(results),
        tuple(_notes(results)),
        write,
    )


def _notes(results: Sequence[Result]) -> list[str]:
    """Optimalisasi placements first, then ties at the quota, worded as the run's page does."""
    placements = [
        placement_note(number=r.participant, formation=r.formation, placed=r.placed_formation)
        for r in results
        if isinstance(r, FinalResult) and r.placed_formation
    ]
    ties = [
        tie_note(
            number=r.participant,
            formation=r.formation,
            rank="–" if r.rank is None else r.rank,
            code=str(r.outcome),
        )
        for r in results
        if not isinstance(r, SkdResult) and r.tied_at_cut
    ]
    return placements + ties


def _own_test[S](
    selection: Selection,
    stage: str,
    scores: dict[str, S],
    applications: dict[str, int],
    *,
    absent: Callable[[str, str], S],
    errors: list[Refusal],
) -> None:
    """Attendance from the selection's own test of `stage`, when it runs one (see the module
    docstring): `scores` and `applications` (by participant number) are changed in place."""
    seated = exams_selectors.attendance(selection=selection, stage=stage)
    if seated is None:
        return
    label = stage.upper()
    open_sessions = sorted({seat.session for seat in seated.values() if not seat.attendance})
    errors.extend(refusal(InputProblem.SESSION_OPEN, session=s, stage=label) for s in open_sessions)
    for number, seat in sorted(seated.items()):
        if seat.attendance == "TH":
            scores[number] = absent(number, seat.formation)
            applications[number] = seat.application
        elif seat.attendance == "H" and number not in scores:
            errors.append(
                refusal(InputProblem.PRESENT_WITHOUT_SCORE, participant=number, stage=label)
            )


def _no_scores(selection: Selection, stage: str) -> Refusal:
    return refusal(InputProblem.NO_SCORES, selection=selection.code, stage=stage)


def _pppk_inputs(selection: Selection, formations: list[Formation]) -> RankingInputs:
    applications: dict[str, int] = {}
    scores: list[PppkScore] = []
    for row in (
        Score.objects.filter(selection=selection, stage=Score.Stage.PPPK)
        .values(
            "application_id",
            "application__number",
            "application__formation__code",
            "round",
            "attendance",
            "teknis",
            "manajerial_sosiokultural",
            "wawancara",
            *AFFIRMATION_FIELDS.values(),
        )
        .order_by("application__number", "round")
    ):
        number, code = row["application__number"], row["application__formation__code"]
        applications[number] = row["application_id"]
        if row["attendance"] != Score.Attendance.PRESENT:
            scores.append(PppkScore(number, code, row["round"], False))
            continue
        grounds = frozenset(ground for ground, name in AFFIRMATION_FIELDS.items() if row[name])
        scores.append(
            PppkScore(
                number,
                code,
                row["round"],
                True,
                row["teknis"],
                row["manajerial_sosiokultural"],
                row["wawancara"],
                grounds,
            )
        )
    rounds: dict[str, list[PppkScore]] = {}
    for score in scores:
        rounds.setdefault(score.participant, []).append(score)
    errors: list[Refusal] = []
    _own_test(
        selection,
        "pppk",
        rounds,
        applications,
        absent=lambda number, code: [PppkScore(number, code, 1, False)],
        errors=errors,
    )
    if errors:
        raise RankingInputError(errors)
    scores = [score for group in rounds.values() for score in group]
    if not scores:
        raise RankingInputError([_no_scores(selection, "PPPK")])
    return RankingInputs(formations, scores, applications)


def qualification_check(selection: Selection) -> Callable[[str, str], bool]:
    """(participant number, formation code) → whether one of the participant's educations is
    one the formation lists, as the selection's eligibility policy writes them. Two queries,
    made when first asked."""
    cache: dict[str, Any] = {}

    def load() -> None:
        policy = load_policy(selection.policy_code)
        qualifications = {
            code: tuple(q.strip() for q in text.split(QUALIFICATION_SEPARATOR) if q.strip())
            for code, text in FormationRecord.objects.filter(selection=selection).values_list(
                "code", "qualifications_text"
            )
        }
        educations: dict[str, list[EducationFact]] = {}
        for row in Education.objects.filter(user__applications__selection=selection).values(
            "user__applications__number",
            "level_id",
            "study_programme",
            "accreditation",
            "graduated_on",
            "ipk",
            "is_exact_science",
        ):
            educations.setdefault(row["user__applications__number"], []).append(
                EducationFact(
                    level=row["level_id"],
                    programme=row["study_programme"],
                    accreditation=row["accreditation"],
                    graduated_on=row["graduated_on"],
                    ipk=row["ipk"],
                    exact_science=row["is_exact_science"],
                )
            )
        cache.update(policy=policy, qualifications=qualifications, educations=educations)

    def qualifies(participant: str, formation_code: str) -> bool:
        if not cache:
            load()
        wanted = cache["qualifications"].get(formation_code, ())
        found = match_education(cache["policy"], cache["educations"].get(participant, ()), wanted)
        return found is not None

    return qualifies


def _mitra_inputs(selection: Selection, formations: list[Formation]) -> RankingInputs:
    """Test score and past rating from the imported scores; the preferences (diutamakan) the
    applicant met when submitting, as the eligibility check recorded them."""
    applications: dict[str, int] = {}
    scores: list[MitraScore] = []
    errors: list[Refusal] = []
    for row in (
        Score.objects.filter(selection=selection, stage=Score.Stage.MITRA)
        .values(
            "application_id",
            "application__number",
            "application__formation__code",
            "application__eligibility",
            "attendance",
            "test_score",
            "performance_rating",
        )
        .order_by("application__number")
    ):
        number, code = row["application__number"], row["application__formation__code"]
        applications[number] = row["application_id"]
        if row["attendance"] != Score.Attendance.PRESENT:
            scores.append(MitraScore(number, code, False))
            continue
        met = (row["application__eligibility"] or {}).get("preferences_met", [])
        test, rating = row["test_score"], row["performance_rating"]
        if test is None:
            errors.append(refusal(InputProblem.TEST_MISSING, participant=number))
            continue
        scores.append(
            MitraScore(
                number,
                code,
                True,
                Fraction(test),
                frozenset(str(criterion) for criterion in met),
                None if rating is None else Fraction(rating),
            )
        )
    by_number = {score.participant: score for score in scores}
    _own_test(
        selection,
        "mitra",
        by_number,
        applications,
        absent=lambda number, code: MitraScore(number, code, False),
        errors=errors,
    )
    scores = list(by_number.values())
    if not applications:
        errors.append(_no_scores(selection, "mitra"))
    if errors:
        raise RankingInputError(errors)
    return RankingInputs(formations, scores, applications)


def _formations(selection: Selection, stage: Stage) -> list[Formation]:
    rows = (
        FormationRecord.objects.filter(
            selection=selection, procurement_type=PROCUREMENT_TYPES[stage]
        )
        .values_list(
            "code", "position", "placement_unit", "formation_type", "quota", "teknis_pass_mark"
        )
        .order_by("code")
    )
    formations: list[Formation] = []
    errors: list[Refusal] = []
    for code, position, unit, kind, quota, pass_mark in rows:
        if quota is None and stage is Stage.MITRA:
            errors.append(refusal(InputProblem.NO_MITRA_QUOTA, formation=code))
            continue
        if quota is None:
            errors.append(refusal(InputProblem.NO_QUOTA, formation=code))
            continue
        if stage is Stage.PPPK and pass_mark is None:
            errors.append(refusal(RankingProblem.NO_TEKNIS_THRESHOLD, formation=code))
            continue
        formations.append(Formation(code, position, unit, kind, quota, pass_mark))
    if errors:
        raise RankingInputError(errors)
    return formations


def _displayed(value: Fraction | None) -> Decimal | None:
    """The figure as the engine displays it: three decimals, rounded half up."""
    return None if value is None else Decimal(format_score(value))


type RowValues = tuple[Any, ...]


def _row_values(run_id: int, order: int, application_id: int, result: Result) -> RowValues:
    """One RankingRow as a tuple in RANKING_ROW_COLUMNS order: building a million model instances
    costs more than ranking them."""
    start = (run_id, order, application_id, result.formation)
    outcome = str(result.outcome)
    if isinstance(result, SkdResult):
        if not result.present:
            return (*start, "", None, None, None, None, *(None,) * 7, result.rank, outcome, False)
        skd = (result.twk, result.tiu, result.tkp, result.total)
        return (*start, "", *skd, *(None,) * 7, result.rank, outcome, False)
    figures: tuple[Decimal | int | None, ...]
    if isinstance(result, MitraResult):
        figures = (
            None,
            None,
            _displayed(result.total),
            None,
            None,
            _displayed(result.test_score),
            _displayed(result.preference_points),
        )
    elif isinstance(result, PppkResult):
        figures = (
            None,
            None,
            _displayed(result.total),
            result.round,
            _displayed(result.teknis_affirmed),
            None,
            None,
        )
    else:
        figures = (
            _displayed(result.skd_score),
            _displayed(result.skb_score),
            _displayed(result.final_score),
            None,
            None,
            None,
            None,
        )
    placed = result.placed_formation or "" if isinstance(result, FinalResult) else ""
    return (
        *start,
        placed,
        None,
        None,
        None,
        None,
        *figures,
        result.rank,
        outcome,
        result.tied_at_cut,
    )


def _write_rows(rows: Iterable[RowValues]) -> None:
    """Insert the rows in bulk: COPY on PostgreSQL, `bulk_create` in batches elsewhere."""
    rows_insert(RankingRow, RANKING_ROW_COLUMNS, rows, batch_size=BATCH_SIZE)
