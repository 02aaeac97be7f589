"""`seleksi rank` on the columnar path (`seleksi.rules.ranking_columns`): a selection's stored
scores read set-wise straight into a scores frame, ranked and fingerprinted on frames, and the
run's rows built as columns, so that a national stage makes no Python object per participant.

Decisions worth knowing:

- Faithful or nothing. `ranked_stage` returns None whenever the object path
  (`ranking_runs.ranking_inputs` and the reference engines) would refuse, word a problem, or
  read the attendance from elsewhere: no scores, an incomplete SKD score, an SKB score without
  a present SKD score or without its figure, a mitra test score missing, preferences that are
  not known codes, a selection that runs its own test of the stage (its check-in decides the
  attendance), and whatever `rank_columns` or `fingerprint_columns` declines. The caller then
  ranks on the object path, which words the refusals as before. Either way the same data gives
  the same rows and the same fingerprint.
- One query per score stage (the final stage also reads its SKD scores and the IPKs of the
  applicants' educations, and joins them in polars), the same on both databases: the database
  writes each row as a CSV line and joins the lines into one text (`StringAgg`), which polars
  reads with an explicit schema. So no Python object is made per row on either database
  (COPY TO STDOUT would hand each row to Python as one message, which costs more than ranking
  them). A database value holds at most 1 GB, so a stage of more than `READ_PIECE` scores is
  read in pieces of that many, in primary-key order. Decimals are selected as their text and
  read exactly as integer counts of 1/`ranking_columns.SCALE`; dates as ISO text and flags
  as 0/1, so that both databases hand over the same cells.
- The fingerprint is computed in a second thread while the stage is ranked: both spend
  most of their time in polars and hashlib, which let go of the interpreter lock, so with
  cores to spare the pair takes little more than the longer of the two (a million SKD rows:
  about 0.6 s ranking, 0.45 s hashing). On two cores each slows the other and the gain is
  0.2 s at most. The thread touches no database.
- The participant → application map rides along as a column and is joined back onto the
  results, whose rows (`row_frame`) go in with `core.bulk.frame_insert`.
"""

import json
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db.models import (
    Expression,
    F,
    Func,
    IntegerField,
    QuerySet,
    StringAgg,
    TextField,
    Value,
)
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast, Coalesce, Replace

from seleksi.accounts.models import Education
from seleksi.exams import selectors as exams_selectors
from seleksi.rules.ranking import PREFERENCE_CODES, Formation, Outcome, RankingPolicy, Stage
from seleksi.rules.ranking_columns import (
    AFFIRMATIONS,
    PREFERENCES,
    by_distinct_value,
    decimal_units,
    fingerprint_columns,
    rank_columns,
    score_schema,
)
from seleksi.selections.models import Selection

from .models import RANKING_ROW_COLUMNS, Score
from .services import AFFIRMATION_FIELDS

OWN_TESTS: dict[Stage, tuple[str, ...]] = {
    Stage.SKD: ("skd",),
    Stage.FINAL: ("skd", "skb"),
    Stage.PPPK: ("pppk",),
    Stage.MITRA: ("mitra",),
}
"""The test stages whose check-in the object path reads for a ranking stage."""

PRESENT = Score.Attendance.PRESENT.value
_WHOLE, _TEXT = pl.Int64(), pl.String()
type _Columns = dict[str, tuple[str | Expression, pl.DataType]]
_START: _Columns = {
    "application_id": ("application_id", _WHOLE),
    "participant": ("application__number", _TEXT),
    "formation": ("application__formation__code", _TEXT),
}
_SUBTESTS = ("twk", "tiu", "tkp")


@dataclass(frozen=True)
class RankedFrame:
    """A stage ranked on frames: the results (`ranking_columns.result_schema`), participant →
    application (one row per participant) and the run's fingerprint."""

    results: pl.DataFrame
    applications: pl.DataFrame
    fingerprint: str

    def counts(self) -> dict[str, int]:
        """Rows per outcome code, in the order of `Outcome`, as a run stores them."""
        tally: dict[str, int] = dict(self.results.group_by("outcome").len().iter_rows())
        return {code.value: tally[code.value] for code in Outcome if tally.get(code.value)}


def ranked_stage(
    *,
    selection: Selection,
    stage: Stage,
    policy: RankingPolicy,
    formations: Sequence[Formation],
    qualifies: Callable[[str, str], bool] | None = None,
) -> RankedFrame | None:
    """The stage ranked on the columnar path, or None when the object path must rank it (see
    the module docstring). `formations` are the ones `ranking_runs` read and checked."""
    read = score_frame(selection=selection, stage=stage)
    if read is None:
        return None
    scores, applications = read
    with ThreadPoolExecutor(max_workers=1) as beside:
        fingerprinting = beside.submit(fingerprint_columns, policy, stage, formations, scores)
        results = rank_columns(policy, stage, formations, scores, qualifies=qualifies)
        fingerprint = fingerprinting.result()
    if fingerprint is None or results is None:
        return None
    return RankedFrame(results, applications, fingerprint)


def score_frame(*, selection: Selection, stage: Stage) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """The stage's scores frame (`ranking_columns.score_schema`) and participant → application,
    or None when the object path must read them."""
    if any(exams_selectors.runs_own_test(selection=selection, stage=s) for s in OWN_TESTS[stage]):
        return None
    if stage is Stage.SKD:
        frame = _skd_frame(selection)
    elif stage is Stage.FINAL:
        frame = _final_frame(selection)
    elif stage is Stage.PPPK:
        frame = _pppk_frame(selection)
    else:
        frame = _mitra_frame(selection)
    if frame is None or frame.is_empty():
        return None
    applications = frame.select("participant", "application_id").unique(
        subset="participant", keep="first", maintain_order=True
    )
    return frame.select(list(score_schema(stage))), applications


# Reading -----------------------------------------------------------------------------------


def _read(queryset: QuerySet[Any], columns: _Columns) -> pl.DataFrame | None:
    """The queryset's rows as a frame, one column per entry of `columns` (a field path or an
    expression of the queryset's model, read as the given type); None when a cell does not
    read as its type. The database writes the rows as CSV lines, text quoted and NULL an
    empty cell, and joins them into one text (`StringAgg`): one query and one value for up to
    `READ_PIECE` rows, then one per piece of that many."""
    schema = {name: dtype for name, (_, dtype) in columns.items()}
    cells: list[Expression] = []
    for source, dtype in columns.values():
        text: Expression = Cast(
            F(source) if isinstance(source, str) else source, output_field=TextField()
        )
        if dtype == _TEXT:
            doubled = Replace(text, _text_value('"'), _text_value('""'))
            text = _joined(_text_value('"'), doubled, _text_value('"'))
        cells += [Coalesce(text, _text_value("")), _text_value(",")]
    line = _joined(*cells[:-1])
    frames = []
    for content in _texts(queryset, line):
        if not content:
            continue
        try:
            frames.append(
                pl.read_csv(content.encode(), has_header=False, schema=schema, quote_char='"')
            )
        except pl.exceptions.PolarsError:
            return None
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)


READ_PIECE = 2_000_000
"""Rows joined into one text at most: a database value holds at most 1 GB, and a score's line
is well under 200 bytes."""


def _texts(queryset: QuerySet[Any], line: Func) -> Iterator[str]:
    """The rows' lines joined, in one text when there are at most READ_PIECE rows; otherwise
    a text per READ_PIECE rows in primary-key order, each piece ending at the key its last
    row has (found by one OFFSET query per piece)."""

    def joined(piece: QuerySet[Any]) -> str:
        text: str = piece.order_by().aggregate(
            csv=StringAgg(line, _text_value("\n"), default=_text_value(""))
        )["csv"]
        return text

    if queryset.count() <= READ_PIECE:
        yield joined(queryset)
        return
    last: Any = None
    while True:
        rest = queryset if last is None else queryset.filter(pk__gt=last)
        ends = list(rest.order_by("pk").values_list("pk", flat=True)[READ_PIECE - 1 : READ_PIECE])
        yield joined(rest if not ends else rest.filter(pk__lte=ends[0]))
        if not ends:
            return
        last = ends[0]


def _text_value(text: str) -> Value:
    return Value(text, output_field=TextField())


def _joined(*parts: Expression) -> Func:
    """The parts' texts joined by `||`: null when one is null (unlike `Concat`), and flat,
    as the SQLite parser wants for a line of many cells."""
    return Func(*parts, template="(%(expressions)s)", arg_joiner=" || ", output_field=TextField())


def _scores(selection: Selection, stage: str) -> QuerySet[Score]:
    return Score.objects.filter(selection=selection, stage=stage).order_by()


def _flag(field: str) -> Cast:
    """A Boolean field as 0 or 1 (PostgreSQL writes true and false as text)."""
    return Cast(field, output_field=IntegerField())


def _with_units(frame: pl.DataFrame, columns: dict[str, str]) -> pl.DataFrame | None:
    """The frame with each decimal text column (key) read as a count of 1/SCALE into a new
    column (value), as `rank-file` reads its cells (`ranking_columns.decimal_units`); None
    when a value is not a plain decimal of at most DECIMAL_PLACES places."""
    units = {}
    for text, name in columns.items():
        read = by_distinct_value(frame, text, decimal_units, pl.Int64())
        if read is None:
            return None
        units[name] = read
    return frame.with_columns(**units)


def _skd_raw(selection: Selection) -> pl.DataFrame | None:
    """The selection's SKD scores, or None when one is present but incomplete."""
    frame = _read(
        _scores(selection, Score.Stage.SKD),
        _START
        | {
            "attendance": ("attendance", _TEXT),
            "twk": ("twk", _WHOLE),
            "tiu": ("tiu", _WHOLE),
            "tkp": ("tkp", _WHOLE),
        },
    )
    if frame is None:
        return None
    subtests = pl.col("twk", "tiu", "tkp")
    present = pl.col("attendance") == PRESENT
    incomplete = frame.select((present & pl.any_horizontal(subtests.is_null())).any()).item()
    return None if incomplete else frame.with_columns(present=present)


def _skd_frame(selection: Selection) -> pl.DataFrame | None:
    frame = _skd_raw(selection)
    if frame is None:
        return None
    present = pl.col("present")
    return frame.select(
        "application_id",
        "participant",
        "formation",
        "present",
        *(pl.when(present).then(pl.col(name)).otherwise(0).alias(name) for name in _SUBTESTS),
    )


def _final_frame(selection: Selection) -> pl.DataFrame | None:
    """SKB scores with the SKD subtests (by participant), the highest IPK over the applicant's
    educations and the birth date; None when an SKB score is present without a present SKD
    score or without its figure, or a participant repeats."""
    skd = _skd_raw(selection)
    skb = _read(
        _scores(selection, Score.Stage.SKB),
        _START
        | {
            "attendance": ("attendance", _TEXT),
            "skb": ("skb", _TEXT),
            "birth_date": ("application__applicant__birth_date", _TEXT),
        },
    )
    educations = _read(
        Education.objects.filter(
            user__applications__selection=selection, ipk__isnull=False
        ).order_by(),
        {
            "participant": ("user__applications__number", _TEXT),
            "ipk_text": ("ipk", _TEXT),
        },
    )
    if skd is None or skb is None or educations is None:
        return None
    skb = _with_units(skb, {"skb": "skb_units"})
    educations = _with_units(educations, {"ipk_text": "ipk"})
    if skb is None or educations is None or _repeats(skd) or _repeats(skb):
        return None
    ipk = educations.group_by("participant").agg(best_ipk=pl.col("ipk").max())
    subtests = skd.select(
        "participant",
        pl.col("present").alias("skd_present"),
        *(pl.col(name).alias(f"skd_{name}") for name in _SUBTESTS),
    )
    frame = (
        skb.join(subtests, on="participant", how="left", maintain_order="left")
        .join(ipk, on="participant", how="left", maintain_order="left")
        .with_columns(
            present=pl.col("attendance") == PRESENT,
            birth=pl.col("birth_date").str.to_date("%Y-%m-%d", strict=False),
        )
    )
    present = pl.col("present")
    refused = present & (
        ~pl.col("skd_present").fill_null(False)
        | pl.col("skb").is_null()
        | (pl.col("birth_date").is_not_null() & pl.col("birth").is_null())
    )
    if frame.select(refused.any()).item():
        return None
    return frame.select(
        "application_id",
        "participant",
        "formation",
        "present",
        *(
            pl.when(present).then(pl.col(f"skd_{name}")).otherwise(0).alias(name)
            for name in _SUBTESTS
        ),
        pl.when(present).then(pl.col("skb_units")).otherwise(0).alias("skb"),
        pl.when(present).then(pl.col("best_ipk")).alias("ipk"),
        pl.when(present).then(pl.col("birth")).alias("birth_date"),
    )


def _repeats(frame: pl.DataFrame) -> bool:
    return bool(frame.get_column("participant").n_unique() != frame.height)


def _pppk_frame(selection: Selection) -> pl.DataFrame | None:
    fields = {ground.value: name for ground, name in AFFIRMATION_FIELDS.items()}
    parts = ("teknis", "manajerial_sosiokultural", "wawancara")
    frame = _read(
        _scores(selection, Score.Stage.PPPK),
        _START
        | {"round": ("round", _WHOLE), "attendance": ("attendance", _TEXT)}
        | {name: (name, _WHOLE) for name in parts}
        | {ground: (_flag(fields[ground]), _WHOLE) for ground in AFFIRMATIONS},
    )
    if frame is None:
        return None
    present = pl.col("attendance") == PRESENT
    return frame.select(
        "application_id",
        "participant",
        "formation",
        "round",
        present.alias("present"),
        *(pl.when(present).then(pl.col(name)).otherwise(0).alias(name) for name in parts),
        *((present & (pl.col(ground) == 1)).alias(ground) for ground in AFFIRMATIONS),
    )


def _mitra_frame(selection: Selection) -> pl.DataFrame | None:
    """Test scores and ratings, and the preferences the applicant met when submitting
    (`eligibility["preferences_met"]`, selected as JSON text and decoded once per distinct
    text); None when a present score has no test score or its preferences are not a list of
    known codes."""
    preferences = KeyTransform("preferences_met", "application__eligibility")
    frame = _read(
        _scores(selection, Score.Stage.MITRA),
        _START
        | {
            "attendance": ("attendance", _TEXT),
            "test_text": ("test_score", _TEXT),
            "rating_text": ("performance_rating", _TEXT),
            "met": (preferences, _TEXT),
        },
    )
    if frame is not None:
        frame = _with_units(frame, {"test_text": "test_units", "rating_text": "rating_units"})
    if frame is None:
        return None
    present = pl.col("attendance") == PRESENT
    frame = frame.with_columns(present=present)
    if frame.select((present & pl.col("test_text").is_null()).any()).item():
        return None
    texts = frame.filter(present).get_column("met").drop_nulls().unique().to_list()
    flags: dict[str, list[object]] = {"met": [], **{code: [] for code in PREFERENCES}}
    for text in texts:
        met = _preferences(text)
        if met is None:
            return None
        flags["met"].append(text)
        for code in PREFERENCES:
            flags[code].append(code in met)
    table = pl.DataFrame(
        flags, schema={"met": _TEXT} | {code: pl.Boolean() for code in PREFERENCES}
    )
    frame = frame.join(table, on="met", how="left", maintain_order="left")
    return frame.select(
        "application_id",
        "participant",
        "formation",
        "present",
        pl.when(present).then(pl.col("test_units")).otherwise(0).alias("test_score"),
        *((present & pl.col(code).fill_null(False)).alias(code) for code in PREFERENCES),
        pl.when(present).then(pl.col("rating_units")).alias("rating"),
    )


def _preferences(text: str) -> frozenset[str] | None:
    """The codes of one `preferences_met` JSON text, or None unless it is a list of known
    codes (the object path reads anything else, and refuses or fails on it)."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        return None
    met = frozenset(value)
    return met if met <= PREFERENCE_CODES else None


# Writing -----------------------------------------------------------------------------------

_FIGURES: dict[Stage, dict[str, str]] = {
    Stage.SKD: {},
    Stage.FINAL: {
        "skd_score": "skd_score",
        "skb_score": "skb_score",
        "final_score": "final_score",
    },
    Stage.PPPK: {"final_score": "total", "teknis_score": "teknis_affirmed"},
    Stage.MITRA: {
        "final_score": "total",
        "test_score": "test_score",
        "preference_points": "preference_points",
    },
}
"""RankingRow decimal column → the results frame's figure (text of three decimals)."""
_DECIMAL_COLUMNS = (
    "skd_score",
    "skb_score",
    "final_score",
    "teknis_score",
    "test_score",
    "preference_points",
)
_DECIMAL_FIGURE = pl.Decimal(7, 3)


def row_frame(stage: Stage, run_id: int, ranked: RankedFrame) -> pl.DataFrame:
    """The run's `RankingRow`s as a frame of RANKING_ROW_COLUMNS, in the results' order."""
    results = ranked.results.join(
        ranked.applications, on="participant", how="left", maintain_order="left"
    )
    whole, null_whole = pl.Int64(), pl.lit(None, pl.Int64())
    present = pl.col("present")
    columns: dict[str, pl.Expr] = {
        "run_id": pl.lit(run_id, whole),
        "order": pl.int_range(1, pl.len() + 1, dtype=whole),
        "application_id": pl.col("application_id"),
        "formation_code": pl.col("formation"),
        "placed_formation_code": pl.lit(""),
        "twk": null_whole,
        "tiu": null_whole,
        "tkp": null_whole,
        "skd_total": null_whole,
        "test_round": null_whole,
        "rank": pl.col("rank"),
        "outcome": pl.col("outcome"),
        "tied_at_cut": pl.lit(False),
    }
    figures = _FIGURES[stage]
    for name in _DECIMAL_COLUMNS:
        figure = figures.get(name)
        columns[name] = (
            pl.lit(None, _DECIMAL_FIGURE)
            if figure is None
            else pl.col(figure).cast(_DECIMAL_FIGURE)
        )
    if stage is Stage.SKD:
        columns |= {name: pl.when(present).then(pl.col(name)) for name in _SUBTESTS}
        columns["skd_total"] = pl.when(present).then(pl.col("total"))
    else:
        columns["tied_at_cut"] = pl.col("tied_at_cut")
    if stage is Stage.FINAL:
        columns["placed_formation_code"] = pl.col("placed_formation").fill_null("")
    if stage is Stage.PPPK:
        columns["test_round"] = pl.col("round")
    return results.select(columns[name].alias(name) for name in RANKING_ROW_COLUMNS)
