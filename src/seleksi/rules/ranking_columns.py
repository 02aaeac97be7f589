"""The columnar ranking path: the four stages of `ranking` (SKD, final, PPPK, mitra) on polars
frames, a million results in about a second, with exactly the reference's rows.

`rank_columns` takes the formations and one frame of scores (`score_schema`) and returns one
frame of results in the reference's row order (`result_schema`); `fingerprint_columns` is
`fingerprint.run_fingerprint` of the same inputs. `seleksi rank-file` reads its NILAI.csv
straight into such a frame (`rank_files.read_score_frame`) and `seleksi rank` reads the
database into one, so neither makes a Python object per participant.

Decisions worth knowing:

- The `Fraction` engines of `ranking` stay the definition. This path takes only inputs it can
  rank exactly and the reference would accept: anything else (an unknown formation, a repeated
  participant, a score out of range, a figure that would not fit 63 bits) makes `rank_columns`
  return None, and the caller ranks with the reference, which words the refusal. Hypothesis
  tests run both on random inputs and require identical rows and fingerprints.
- Exact: a decimal score is held as an integer count of 10^-`DECIMAL_PLACES`. Every figure that
  ranks people is then a sum of integer columns times rational coefficients from the policy
  (the 40/60 weights over the SKD maximum, affirmation shares, rating points over the rating
  maximum); times the least common multiple of the coefficients' denominators (`_Linear`) it is
  an integer, compared and rounded for display (half up, three decimals, as `format_score`)
  with integer arithmetic only. No float ever orders two people.
- Order is the reference's: formation codes and participant numbers compare as Python compares
  text (code points, which is the UTF-8 byte order polars sorts by); competition ranks (1, 2,
  2, 4) come from one sort and the first row of each run of equal keys.
- Optimalisasi uses `ranking.optimalisasi_placements`, the reference's own, on the candidates
  taken from the frame in the cross-formation order.
"""

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import reduce
from typing import Any

import polars as pl

from .fingerprint import run_fingerprint_of_rows
from .ranking import (
    PREFERENCE_CODES,
    Affirmation,
    FinalResult,
    FinalScore,
    Formation,
    MitraResult,
    MitraScore,
    Outcome,
    PassMark,
    PppkResult,
    PppkScore,
    RankingPolicy,
    SkdScore,
    Stage,
    normalise_position,
    optimalisasi_placements,
)

DECIMAL_PLACES = 6
SCALE: int = 10**DECIMAL_PLACES
"""A decimal score (SKB, IPK, mitra test score and rating) is an Int64 count of 1/SCALE."""
LIMIT = 2**62
"""The largest integer a scaled figure may reach; beyond it the reference ranks."""
PREFERENCES: tuple[str, ...] = tuple(sorted(PREFERENCE_CODES))
AFFIRMATIONS: tuple[str, ...] = tuple(ground.value for ground in Affirmation)

type ScoreClass = type[SkdScore] | type[FinalScore] | type[PppkScore] | type[MitraScore]
SCORE_CLASSES: dict[Stage, ScoreClass] = {
    Stage.SKD: SkdScore,
    Stage.FINAL: FinalScore,
    Stage.PPPK: PppkScore,
    Stage.MITRA: MitraScore,
}


def score_schema(stage: Stage) -> dict[str, pl.DataType]:
    """The columns of a scores frame. An absent participant's figures are 0 (nulls where the
    score class has None), as the score classes hold them; decimals are counts of 1/SCALE."""
    start: dict[str, pl.DataType] = {"participant": pl.String(), "formation": pl.String()}
    whole = pl.Int64()
    if stage is Stage.SKD:
        return start | {"present": pl.Boolean(), "twk": whole, "tiu": whole, "tkp": whole}
    if stage is Stage.FINAL:
        return start | {
            "present": pl.Boolean(),
            "twk": whole,
            "tiu": whole,
            "tkp": whole,
            "skb": whole,
            "ipk": whole,
            "birth_date": pl.Date(),
        }
    if stage is Stage.PPPK:
        return (
            start
            | {
                "round": whole,
                "present": pl.Boolean(),
                "teknis": whole,
                "manajerial_sosiokultural": whole,
                "wawancara": whole,
            }
            | {ground: pl.Boolean() for ground in AFFIRMATIONS}
        )
    return (
        start
        | {"present": pl.Boolean(), "test_score": whole}
        | {code: pl.Boolean() for code in PREFERENCES}
        | {"rating": whole}
    )


RESULT_FIGURES: dict[Stage, tuple[str, ...]] = {
    Stage.SKD: (),
    Stage.FINAL: ("skd_score", "skb_score", "final_score"),
    Stage.PPPK: ("teknis_affirmed", "total"),
    Stage.MITRA: ("test_score", "preference_points", "total", "rating_points"),
}
"""The result fields that are Fractions in the reference; a results frame holds them as the
text `format_score` shows (three decimals, rounded half up), null where the reference has None."""


def result_schema(stage: Stage) -> dict[str, pl.DataType]:
    """The columns of a results frame: the fields of the stage's result class."""
    start: dict[str, pl.DataType] = {
        "participant": pl.String(),
        "formation": pl.String(),
        "present": pl.Boolean(),
    }
    figures: dict[str, pl.DataType] = {name: pl.String() for name in RESULT_FIGURES[stage]}
    end: dict[str, pl.DataType] = {"rank": pl.Int64(), "outcome": pl.String()}
    if stage is Stage.SKD:
        whole = pl.Int64()
        return start | {"twk": whole, "tiu": whole, "tkp": whole, "total": whole} | end
    if stage is Stage.FINAL:
        return (
            start | figures | end | {"placed_formation": pl.String(), "tied_at_cut": pl.Boolean()}
        )
    if stage is Stage.PPPK:
        return start | {"round": pl.Int64()} | figures | end | {"tied_at_cut": pl.Boolean()}
    main = {name: figures[name] for name in ("test_score", "preference_points", "total")}
    return start | main | end | {"tied_at_cut": pl.Boolean(), "rating_points": pl.String()}


# Objects and frames ---------------------------------------------------------------------------


_DECIMAL_TEXT = re.compile(rf"[0-9]{{1,9}}(\.[0-9]{{1,{DECIMAL_PLACES}}})?")


def decimal_units(text: str) -> int | None:
    """A decimal written plainly (digits, at most DECIMAL_PLACES after a point, no sign, no
    space) as a count of 1/SCALE; None for any other text."""
    if not _DECIMAL_TEXT.fullmatch(text):
        return None
    whole, _, fraction = text.partition(".")
    return int(whole) * SCALE + int(fraction.ljust(DECIMAL_PLACES, "0"))


def by_distinct_value(
    frame: pl.DataFrame, column: str, convert: Callable[[Any], object], dtype: pl.DataType
) -> pl.Expr | None:
    """The column converted by `convert`, each distinct value converted once, in Python: a
    million scores or birth dates hold a few thousand different ones, and the conversion is
    the reference's own code, not a second one in polars. Null stays null; None when
    `convert` refuses a value (returns None)."""
    values = frame.get_column(column).drop_nulls().unique().to_list()
    converted = [convert(value) for value in values]
    if any(value is None for value in converted):
        return None
    return pl.col(column).replace_strict(values, converted, default=None, return_dtype=dtype)


def scores_frame(
    stage: Stage, scores: Sequence[SkdScore | FinalScore | PppkScore | MitraScore]
) -> pl.DataFrame | None:
    """The score objects as a frame; None when a decimal has more than DECIMAL_PLACES places,
    a figure is not exact, or a mitra preference is not a known code."""
    columns: dict[str, list[object]] = {name: [] for name in score_schema(stage)}
    try:
        for score in scores:
            for name, value in _score_cells(stage, score).items():
                columns[name].append(value)
    except _NotColumnar:
        return None
    return pl.DataFrame(columns, schema=score_schema(stage))


class _NotColumnar(Exception):
    """Inside this module: the input is for the reference engine."""


def _scaled(value: object) -> int | None:
    """A decimal score as a count of 1/SCALE. Only a Fraction: the fingerprint writes an int
    otherwise than a Fraction of the same value."""
    if value is None:
        return None
    if not isinstance(value, Fraction):
        raise _NotColumnar
    scaled = value * SCALE
    if scaled.denominator != 1 or not -LIMIT < scaled < LIMIT:
        raise _NotColumnar
    return int(scaled)


def _whole(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not -LIMIT < value < LIMIT:
        raise _NotColumnar
    return value


def _day(value: date | None) -> date | None:
    if value is not None and type(value) is not date:
        raise _NotColumnar
    return value


def _score_cells(
    stage: Stage, score: SkdScore | FinalScore | PppkScore | MitraScore
) -> dict[str, object]:
    if not (
        type(score.participant) is str
        and type(score.formation) is str
        and type(score.present) is bool
    ):
        raise _NotColumnar
    start: dict[str, object] = {"participant": score.participant, "formation": score.formation}
    if isinstance(score, SkdScore) and stage is Stage.SKD:
        subtests: dict[str, object] = {
            name: _whole(getattr(score, name)) for name in ("twk", "tiu", "tkp")
        }
        return start | {"present": score.present} | subtests
    if isinstance(score, FinalScore) and stage is Stage.FINAL:
        subtests = {name: _whole(getattr(score, name)) for name in ("twk", "tiu", "tkp")}
        return (
            start
            | {"present": score.present}
            | subtests
            | {
                "skb": _scaled(score.skb),
                "ipk": _scaled(score.ipk),
                "birth_date": _day(score.birth_date),
            }
        )
    if isinstance(score, PppkScore) and stage is Stage.PPPK:
        parts = ("teknis", "manajerial_sosiokultural", "wawancara")
        return (
            start
            | {"round": _whole(score.round), "present": score.present}
            | {name: _whole(getattr(score, name)) for name in parts}
            | {ground: Affirmation(ground) in score.affirmations for ground in AFFIRMATIONS}
        )
    if isinstance(score, MitraScore) and stage is Stage.MITRA:
        if not set(score.preferences) <= PREFERENCE_CODES:
            raise _NotColumnar
        return (
            start
            | {"present": score.present, "test_score": _scaled(score.test_score)}
            | {code: code in score.preferences for code in PREFERENCES}
            | {"rating": _scaled(score.rating)}
        )
    raise _NotColumnar


def note_results(
    stage: Stage, results: pl.DataFrame
) -> list[FinalResult | PppkResult | MitraResult]:
    """The rows the committee must look at (optimalisasi placements, ties at the quota) as
    result objects for `ranking.committee_notes`; their figures are left out (None)."""
    if stage is Stage.SKD:
        return []
    wanted = pl.col("tied_at_cut")
    if stage is Stage.FINAL:
        wanted = wanted | pl.col("placed_formation").is_not_null()
    rows = results.filter(wanted)
    notes: list[FinalResult | PppkResult | MitraResult] = []
    for row in rows.iter_rows(named=True):
        common = (row["participant"], row["formation"], row["present"])
        outcome = Outcome(row["outcome"])
        if stage is Stage.FINAL:
            notes.append(
                FinalResult(
                    *common,
                    None,
                    None,
                    None,
                    row["rank"],
                    outcome,
                    row["placed_formation"],
                    row["tied_at_cut"],
                )
            )
        elif stage is Stage.PPPK:
            notes.append(
                PppkResult(*common, None, None, None, row["rank"], outcome, row["tied_at_cut"])
            )
        else:
            notes.append(
                MitraResult(*common, None, None, None, row["rank"], outcome, row["tied_at_cut"])
            )
    return notes


# Exact figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Linear:
    """A figure = sum of coefficient x column (+ constant x a 0/1 column): times `scale` every
    coefficient is an integer, so the figure times `scale` is an integer column."""

    terms: tuple[tuple[str, int], ...]
    scale: int

    @classmethod
    def of(cls, coefficients: Mapping[str, Fraction]) -> "_Linear":
        scale = reduce(math.lcm, (c.denominator for c in coefficients.values()), 1)
        terms = tuple((name, int(c * scale)) for name, c in coefficients.items())
        return cls(terms, scale)

    def expression(self) -> pl.Expr:
        parts = [pl.col(name).cast(pl.Int64) * factor for name, factor in self.terms]
        return reduce(lambda a, b: a + b, parts, pl.lit(0, dtype=pl.Int64))

    def bound(self, maxima: Mapping[str, int]) -> int:
        return sum(abs(factor) * maxima[name] for name, factor in self.terms)


def _displayed(scaled: pl.Expr, scale: int) -> pl.Expr:
    """`format_score` of scaled / scale for scaled >= 0: three decimals, rounded half up."""
    thousandths = (scaled * 2000 + scale) // (2 * scale)
    return pl.concat_str(
        (thousandths // 1000).cast(pl.String),
        pl.lit("."),
        (thousandths % 1000).cast(pl.String).str.zfill(3),
    )


def _fits(*bounds: int) -> bool:
    """Whether figures up to these bounds can be displayed (x 2000) within 63 bits."""
    return all(2000 * bound + bound < LIMIT for bound in bounds)


# Helpers over frames --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Formations:
    """The formations in code order, for columns gathered by each row's `formation_index` (its
    formation's place in that order), with no join of a million rows."""

    codes: tuple[str, ...]
    by_code: Mapping[str, Formation]

    @classmethod
    def of(cls, formations: Sequence[Formation]) -> "_Formations | None":
        by_code = {formation.code: formation for formation in formations}
        if len(by_code) != len(formations) or any(f.quota < 0 for f in formations):
            return None
        return cls(tuple(sorted(by_code)), by_code)

    def index(self) -> pl.Expr:
        """The row's `formation_index`; null for a code that is not a formation."""
        codes = pl.Enum(list(self.codes))
        return pl.col("formation").cast(pl.String).cast(codes, strict=False).to_physical()

    def column(self, values: Sequence[int | None]) -> pl.Expr:
        """Per row, the value of its formation (`values` in code order)."""
        return pl.lit(pl.Series(values, dtype=pl.Int64)).gather(pl.col("formation_index"))

    def attribute(self, read: Callable[[Formation], int | None]) -> pl.Expr:
        return self.column([read(self.by_code[code]) for code in self.codes])


def _valid(frame: pl.DataFrame, stage: Stage, checks: pl.Expr) -> bool:
    """The frame has the stage's columns, no null where a value is required, and every row
    passes `checks`."""
    schema = score_schema(stage)
    if frame.is_empty() or not set(schema) <= set(frame.columns):
        return False
    if dict(frame.select(list(schema)).schema) != schema:
        return False
    nullable = {"ipk", "birth_date", "rating"}
    required = [pl.col(name).is_not_null() for name in schema if name not in nullable]
    passed = frame.select(pl.all_horizontal(*required, checks).fill_null(False).all()).item()
    return bool(passed)


def _in_range(name: str, high: int) -> pl.Expr:
    return pl.col(name).is_between(0, high)


def _changed(columns: Sequence[str]) -> pl.Expr:
    return pl.any_horizontal(
        *(pl.col(name).ne_missing(pl.col(name).shift(1)) for name in columns)
    ).fill_null(True)


def _ordered(
    frame: pl.DataFrame, block: Sequence[str], keys: Sequence[str], *, keep_keys: bool = False
) -> pl.DataFrame:
    """The frame sorted by the `block` columns, then the `keys` (all ascending: a key that
    ranks high first is negated), then participant number, with competition ranks (1, 2, 2,
    4) within each block: `rank` is the position of the first row with the same keys, counted
    from the block's first row, and `position` the row's own place in its block, from 0. The
    key columns are dropped unless `keep_keys`.

    The participant numbers are replaced by their order (the row number, when the frame is
    already in participant order, as a file usually is), and every column is packed into as
    few Int64 words as the ranges allow (`_words`): the sort compares a word or two, no text."""
    if frame.is_empty():
        return frame.with_columns(rank=pl.lit(0, pl.Int64), position=pl.lit(0, pl.Int64))
    participants = frame.get_column("participant")
    if participants.is_sorted():
        turn = pl.int_range(pl.len(), dtype=pl.Int64)
    else:
        turn = pl.col("participant").rank("ordinal").cast(pl.Int64)
    values = frame.select(*block, *keys, turn.alias("participant turn"))
    packed = _words(values, [*block, *keys, "participant turn"])
    words = values.select(**dict(packed))
    order = words.select(pl.arg_sort_by(list(words.columns))).to_series()
    del words
    carried = frame if keep_keys else frame.drop(*(key for key in keys if key not in block))
    ordered = carried[order]
    compared = values.drop("participant turn")[order]
    del values
    index = pl.int_range(pl.len(), dtype=pl.Int64)
    block_start = (
        pl.when(_changed(block)).then(index).otherwise(0).cum_max()
        if block
        else pl.lit(0, pl.Int64)
    )
    key_start = pl.when(_changed([*block, *keys])).then(index).otherwise(0).cum_max()
    marks = compared.select(rank=key_start - block_start + 1, position=index - block_start)
    return ordered.with_columns(marks)


def _words(frame: pl.DataFrame, columns: Sequence[str]) -> list[tuple[str, pl.Expr]]:
    """The columns, most significant first, packed into Int64 words that order as the columns
    do: each column takes the bits of its range (from this frame's minimum and maximum)."""
    bounds = frame.select(
        *(pl.col(c).min().alias(f"{c} min") for c in columns),
        *(pl.col(c).max().alias(f"{c} max") for c in columns),
    ).row(0)
    lows, highs = bounds[: len(columns)], bounds[len(columns) :]
    groups: list[list[tuple[str, int, int]]] = [[]]
    used = 0
    for column, low, high in zip(columns, lows, highs, strict=True):
        bits = max(int(high - low).bit_length(), 1)
        if used + bits > 62 and groups[-1]:
            groups.append([])
            used = 0
        groups[-1].append((column, int(low), bits))
        used += bits
    words = []
    for number, group in enumerate(groups):
        word: pl.Expr = pl.lit(0, dtype=pl.Int64)
        for column, low, bits in group:
            word = word * (1 << bits) + (pl.col(column).cast(pl.Int64) - low)
        words.append((f"word {number}", word))
    return words


def _tied_at_cut() -> pl.Expr:
    """The rank shared across the quota boundary of each formation, flagged on every ranked
    row (group 0) holding it (`ranking._tied_at_cut`)."""
    rank, position, quota = pl.col("rank"), pl.col("position"), pl.col("quota")
    ranked = pl.col("group") == 0
    shared = pl.when(ranked & (position == quota) & (rank <= quota)).then(rank)
    return (ranked & (rank == shared.max().over("formation_index"))).fill_null(False)


def _passed_or_not(absent_group: int) -> pl.Expr:
    """L for the top quota of the ranked (group 0), TH for the absent group, TL otherwise."""
    ranked = pl.col("group") == 0
    return (
        pl.when(ranked & (pl.col("position") < pl.col("quota")))
        .then(pl.lit(Outcome.PASSED.value))
        .when(pl.col("group") == absent_group)
        .then(pl.lit(Outcome.ABSENT.value))
        .otherwise(pl.lit(Outcome.NOT_PASSED.value))
    )


def _negated_when(condition: pl.Expr, **columns: pl.Expr) -> dict[str, pl.Expr]:
    """Ranking keys: each figure negated (higher first) where `condition`, 0 elsewhere."""
    return {name: pl.when(condition).then(-value).otherwise(0) for name, value in columns.items()}


# Stages -------------------------------------------------------------------------------------


def rank_columns(
    policy: RankingPolicy,
    stage: Stage,
    formations: Sequence[Formation],
    scores: pl.DataFrame,
    *,
    qualifies: Callable[[str, str], bool] | None = None,
) -> pl.DataFrame | None:
    """The stage's results as a frame (`result_schema`), row for row the reference engine's;
    None when the inputs are for the reference engine (see the module docstring)."""
    table = _Formations.of(formations)
    checks = {
        Stage.SKD: _skd_checks,
        Stage.FINAL: _final_checks,
        Stage.PPPK: _pppk_checks,
        Stage.MITRA: _mitra_checks,
    }
    if table is None or not _valid(scores, stage, checks[stage](policy)):
        return None
    frame = scores.with_columns(formation_index=table.index())
    if frame.get_column("formation_index").null_count():
        return None
    frame = frame.with_columns(quota=table.attribute(lambda f: f.quota))
    if stage is Stage.SKD:
        return _rank_skd(policy, table, frame)
    if stage is Stage.FINAL:
        return _rank_final(policy, table, frame, qualifies)
    if stage is Stage.PPPK:
        return _rank_pppk(policy, table, frame)
    return _rank_mitra(policy, frame)


def _unique_participants(frame: pl.DataFrame) -> bool:
    participants = frame.get_column("participant")
    if participants.is_sorted():
        return not bool((participants == participants.shift(1)).any())
    return bool(participants.n_unique() == frame.height)


def _met(mark: Mapping[str, pl.Expr]) -> pl.Expr:
    twk, tiu, tkp = pl.col("twk"), pl.col("tiu"), pl.col("tkp")
    return (
        (twk >= mark["twk"])
        & (tiu >= mark["tiu"])
        & (tkp >= mark["tkp"])
        & (twk + tiu + tkp >= mark["total"])
    )


def _skd_checks(policy: RankingPolicy) -> pl.Expr:
    rules = policy.skd_rules()
    return ~pl.col("present") | (
        _in_range("twk", rules.twk_maximum)
        & _in_range("tiu", rules.tiu_maximum)
        & _in_range("tkp", rules.tkp_maximum)
    )


def _rank_skd(
    policy: RankingPolicy, table: _Formations, frame: pl.DataFrame
) -> pl.DataFrame | None:
    rules = policy.skd_rules()
    if not _unique_participants(frame):
        return None
    known = dict(rules.pass_marks)
    marks = {f.formation_type: known.get(f.formation_type) for f in table.by_code.values()}

    def mark(read: Callable[[PassMark], int | None]) -> pl.Expr:
        def value(formation: Formation) -> int | None:
            found = marks[formation.formation_type]
            return None if found is None else read(found) or 0

        return table.attribute(value)

    frame = frame.with_columns(m_total=mark(lambda m: m.total))
    if frame.get_column("m_total").null_count():
        return None
    present = pl.col("present")
    met = present & _met(
        {
            "twk": mark(lambda m: m.twk),
            "tiu": mark(lambda m: m.tiu),
            "tkp": mark(lambda m: m.tkp),
            "total": pl.col("m_total"),
        }
    )
    twk, tiu, tkp = pl.col("twk"), pl.col("tiu"), pl.col("tkp")
    total = twk + tiu + tkp
    keys = _negated_when(met, k_total=total, k_tkp=tkp, k_tiu=tiu, k_twk=twk)
    rows = frame.select(
        "participant",
        "formation",
        "formation_index",
        "quota",
        pl.when(met).then(0).when(present).then(1).otherwise(2).cast(pl.Int8).alias("group"),
        *(pl.when(present).then(pl.col(c)).otherwise(0).alias(c) for c in ("twk", "tiu", "tkp")),
        pl.when(present).then(total).otherwise(0).alias("total"),
        **keys,
    )
    rows = _ordered(rows, ["formation_index", "group"], list(keys))
    within = pl.col("rank") <= rules.cut_multiplier * pl.col("quota")
    outcome = (
        pl.when(pl.col("group") == 0)
        .then(
            pl.when(within)
            .then(pl.lit(Outcome.WITHIN_CUT.value))
            .otherwise(pl.lit(Outcome.OUTSIDE_CUT.value))
        )
        .when(pl.col("group") == 1)
        .then(pl.lit(Outcome.FAILED_MARKS.value))
        .otherwise(pl.lit(Outcome.ABSENT.value))
    )
    return rows.select(
        "participant",
        "formation",
        (pl.col("group") != 2).alias("present"),
        "twk",
        "tiu",
        "tkp",
        "total",
        pl.when(pl.col("group") == 0).then(pl.col("rank")).alias("rank"),
        outcome.alias("outcome"),
    )


def _final_checks(policy: RankingPolicy) -> pl.Expr:
    rules = policy.final_rules()
    return _skd_checks(policy) & (~pl.col("present") | _in_range("skb", rules.skb_maximum * SCALE))


FINAL_KEYS = ("k_final", "k_total", "k_tkp", "k_tiu", "k_twk", "k_ipk", "k_birth")


def _rank_final(
    policy: RankingPolicy,
    table: _Formations,
    frame: pl.DataFrame,
    qualifies: Callable[[str, str], bool] | None,
) -> pl.DataFrame | None:
    skd_rules, rules = policy.skd_rules(), policy.final_rules()
    if not _unique_participants(frame):
        return None
    total_maximum = skd_rules.total_maximum
    if total_maximum == 0:
        return None
    final = _Linear.of(
        {
            "total": rules.skd_weight * 100 / total_maximum,
            "skb": rules.skb_weight / SCALE,
        }
    )
    ipk_low, ipk_high = frame.select(
        pl.col("ipk").min().alias("low"), pl.col("ipk").max().alias("high")
    ).row(0)
    ipk_bound = max(abs(ipk_low or 0), abs(ipk_high or 0), SCALE)
    if not _fits(
        final.bound({"total": total_maximum, "skb": rules.skb_maximum * SCALE}),
        100 * total_maximum,
        rules.skb_maximum * SCALE,
        ipk_bound,
    ):
        return None
    present = pl.col("present")
    twk, tiu, tkp = pl.col("twk"), pl.col("tiu"), pl.col("tkp")
    total = twk + tiu + tkp
    keys = _negated_when(
        present,
        k_final=final.expression(),
        k_total=total,
        k_tkp=tkp,
        k_tiu=tiu,
        k_twk=twk,
        k_ipk=pl.col("ipk").fill_null(-SCALE),
    )
    born = pl.col("birth_date").fill_null(date.max).cast(pl.Int64)
    rows = frame.with_columns(total=total).select(
        "participant",
        "formation",
        "formation_index",
        "quota",
        pl.when(present).then(0).otherwise(1).cast(pl.Int8).alias("group"),
        "twk",
        "tiu",
        "tkp",
        "skb",
        "total",
        **keys,
        k_birth=pl.when(present).then(born).otherwise(0),
    )
    rows = _ordered(rows, ["formation_index", "group"], FINAL_KEYS, keep_keys=True)
    is_present = pl.col("group") == 0
    rows = rows.with_columns(
        outcome=_passed_or_not(absent_group=1),
        tied_at_cut=_tied_at_cut(),
        placed_formation=pl.lit(None, dtype=pl.String),
    )
    if rules.optimalisasi:
        rows = _optimalisasi(policy, table, rows, qualifies)
    return rows.select(
        "participant",
        "formation",
        is_present.alias("present"),
        pl.when(is_present)
        .then(_displayed(pl.col("total") * 100, total_maximum))
        .alias("skd_score"),
        pl.when(is_present).then(_displayed(pl.col("skb"), SCALE)).alias("skb_score"),
        pl.when(is_present).then(_displayed(-pl.col("k_final"), final.scale)).alias("final_score"),
        pl.when(is_present).then(pl.col("rank")).alias("rank"),
        "outcome",
        "placed_formation",
        "tied_at_cut",
    )


def _optimalisasi(
    policy: RankingPolicy,
    table: _Formations,
    rows: pl.DataFrame,
    qualifies: Callable[[str, str], bool] | None,
) -> pl.DataFrame:
    """L-2 placements by `ranking.optimalisasi_placements`, from the candidates of the
    positions that have an empty seat, in the cross-formation order."""
    rules = policy.final_rules()
    by_code = table.by_code
    filled = dict(
        rows.filter(pl.col("outcome") == Outcome.PASSED.value)
        .group_by("formation")
        .len()
        .iter_rows()
    )
    wanted = {
        normalise_position(f.position) for f in by_code.values() if f.quota > filled.get(f.code, 0)
    }
    if not wanted:
        return rows
    seeking = table.column(
        [int(normalise_position(by_code[code].position) in wanted) for code in table.codes]
    )
    mark = policy.skd_rules().pass_mark(rules.optimalisasi_pass_marks)
    met = _met(
        {
            "twk": pl.lit(mark.twk or 0),
            "tiu": pl.lit(mark.tiu or 0),
            "tkp": pl.lit(mark.tkp or 0),
            "total": pl.lit(mark.total),
        }
    )
    candidates = (
        rows.filter((pl.col("outcome") == Outcome.NOT_PASSED.value) & met & (seeking == 1))
        .select("participant", "formation", *FINAL_KEYS)
        .pipe(_ordered, [], FINAL_KEYS)
        .select("participant", "formation")
    )
    placements = optimalisasi_placements(rules, by_code, filled, candidates.iter_rows(), qualifies)
    if not placements:
        return rows
    placed = pl.DataFrame(
        {"participant": [p for p, _ in placements], "seat": [s for _, s in placements]},
        schema={"participant": pl.String(), "seat": pl.String()},
    )
    rows = rows.join(placed, on="participant", how="left", maintain_order="left")
    return rows.with_columns(
        outcome=pl.when(pl.col("seat").is_not_null())
        .then(pl.lit(Outcome.PASSED_OPTIMALISASI.value))
        .otherwise(pl.col("outcome")),
        placed_formation=pl.col("seat"),
    ).drop("seat")


def _pppk_checks(policy: RankingPolicy) -> pl.Expr:
    rules = policy.pppk_rules()
    return pl.col("round").is_between(1, rules.rounds) & (
        ~pl.col("present")
        | (
            _in_range("teknis", rules.teknis_maximum)
            & _in_range("manajerial_sosiokultural", rules.manajerial_sosiokultural_maximum)
            & _in_range("wawancara", rules.wawancara_maximum)
        )
    )


def _rank_pppk(
    policy: RankingPolicy, table: _Formations, frame: pl.DataFrame
) -> pl.DataFrame | None:
    """The best round of each participant (met every mark, then the higher total, then the
    earlier round) is found with one window over the participant, not a sort."""
    rules = policy.pppk_rules()
    frame = frame.with_columns(teknis_pass_mark=table.attribute(lambda f: f.teknis_pass_mark))
    if frame.get_column("teknis_pass_mark").null_count():
        return None
    repeats = frame.select(
        (pl.len().over("participant", "round") > 1).any(),
        (pl.col("formation_index").n_unique().over("participant") > 1).any(),
    ).row(0)
    if any(repeats):
        return None
    shares = dict(rules.affirmations)
    coefficients = {ground: shares.get(Affirmation(ground), Fraction(0)) for ground in AFFIRMATIONS}
    scale = reduce(math.lcm, (share.denominator for share in coefficients.values()), 1)
    teknis_maximum = rules.teknis_maximum
    others = rules.manajerial_sosiokultural_maximum + rules.wawancara_maximum
    if not _fits((teknis_maximum * 5 + others) * scale * (rules.rounds + 2) * 4):
        return None
    bonus = reduce(
        lambda a, b: a + b,
        (
            pl.col(ground).cast(pl.Int64) * int(teknis_maximum * share * scale)
            for ground, share in coefficients.items()
        ),
        pl.lit(0, dtype=pl.Int64),
    )
    teknis = pl.min_horizontal(pl.lit(teknis_maximum * scale), pl.col("teknis") * scale + bonus)
    social, interview = pl.col("manajerial_sosiokultural"), pl.col("wawancara")
    attempts = frame.with_columns(teknis_scaled=teknis).with_columns(
        met=(pl.col("teknis_scaled") >= pl.col("teknis_pass_mark") * scale)
        & (social >= rules.manajerial_sosiokultural_pass)
        & (interview >= rules.wawancara_pass),
        total_scaled=pl.col("teknis_scaled") + (social + interview) * scale,
    )
    # One figure per attempt that is smallest for the best round: absent rounds last, then
    # those that missed a mark, then the higher total, then the earlier round.
    total_span = (teknis_maximum + others) * scale + 1
    rounds = rules.rounds + 1
    choice = (
        pl.when(pl.col("present"))
        .then(
            (
                pl.when(pl.col("met")).then(0).otherwise(1) * total_span
                + (total_span - 1 - pl.col("total_scaled"))
            )
            * rounds
            + pl.col("round")
        )
        .otherwise(2 * total_span * rounds + pl.col("round"))
    )
    best = attempts.filter(choice == choice.min().over("participant"))
    best = best.with_columns(
        group=pl.when(pl.col("present"))
        .then(pl.when(pl.col("met")).then(0).otherwise(1))
        .otherwise(2)
        .cast(pl.Int8)
    )
    in_rank = pl.col("group") == 0
    keys = _negated_when(
        in_rank,
        k_total=pl.col("total_scaled"),
        k_teknis=pl.col("teknis_scaled"),
        k_social=social,
        k_interview=interview,
    )
    rows = best.select(
        "participant",
        "formation",
        "formation_index",
        "quota",
        "group",
        pl.when(pl.col("group") != 2).then(pl.col("round")).alias("round"),
        pl.when(pl.col("group") != 2).then(pl.col("teknis_scaled")).alias("teknis_scaled"),
        pl.when(pl.col("group") != 2).then(pl.col("total_scaled")).alias("total_scaled"),
        **keys,
    )
    rows = _ordered(rows, ["formation_index", "group"], list(keys))
    return rows.select(
        "participant",
        "formation",
        (pl.col("group") != 2).alias("present"),
        "round",
        _displayed(pl.col("teknis_scaled"), scale).alias("teknis_affirmed"),
        _displayed(pl.col("total_scaled"), scale).alias("total"),
        pl.when(in_rank).then(pl.col("rank")).alias("rank"),
        _passed_or_not(absent_group=2).alias("outcome"),
        _tied_at_cut().alias("tied_at_cut"),
    )


def _mitra_checks(policy: RankingPolicy) -> pl.Expr:
    rules = policy.mitra_rules()
    return ~pl.col("present") | (
        _in_range("test_score", rules.test_maximum * SCALE)
        & (pl.col("rating").is_null() | _in_range("rating", rules.rating_maximum * SCALE))
    )


def _rank_mitra(policy: RankingPolicy, frame: pl.DataFrame) -> pl.DataFrame | None:
    rules = policy.mitra_rules()
    if not _unique_participants(frame):
        return None
    points = {str(code): figure for code, figure in rules.preference_points}
    criteria = reduce(
        lambda a, b: a + b,
        (pl.col(code).cast(pl.Int64) * points.get(code, 0) for code in PREFERENCES),
        pl.lit(0, dtype=pl.Int64),
    )
    rating_share = Fraction(rules.rating_points, rules.rating_maximum * SCALE)
    scale = math.lcm(SCALE, rating_share.denominator)
    test_factor, rating_factor = scale // SCALE, int(rating_share * scale)
    if not _fits(
        rules.test_maximum * SCALE * test_factor
        + sum(points.values()) * scale
        + rules.rating_maximum * SCALE * rating_factor
    ):
        return None
    present = pl.col("present")
    rating = pl.col("rating").fill_null(0) * rating_factor
    test = pl.col("test_score") * test_factor
    added = criteria * scale + rating
    if rules.test_pass_mark is None:
        qualified = present
    else:
        qualified = present & (pl.col("test_score") >= rules.test_pass_mark * SCALE)
    keys = _negated_when(qualified, k_total=test + added, k_test=test)
    rows = frame.select(
        "participant",
        "formation",
        "formation_index",
        "quota",
        pl.when(qualified).then(0).when(present).then(1).otherwise(2).cast(pl.Int8).alias("group"),
        pl.when(present).then(test).alias("test_scaled"),
        pl.when(present).then(added).alias("points_scaled"),
        pl.when(present).then(test + added).alias("total_scaled"),
        pl.when(present).then(rating).alias("rating_scaled"),
        **keys,
    )
    rows = _ordered(rows, ["formation_index", "group"], list(keys))
    return rows.select(
        "participant",
        "formation",
        (pl.col("group") != 2).alias("present"),
        _displayed(pl.col("test_scaled"), scale).alias("test_score"),
        _displayed(pl.col("points_scaled"), scale).alias("preference_points"),
        _displayed(pl.col("total_scaled"), scale).alias("total"),
        pl.when(pl.col("group") == 0).then(pl.col("rank")).alias("rank"),
        _passed_or_not(absent_group=2).alias("outcome"),
        _tied_at_cut().alias("tied_at_cut"),
        _displayed(pl.col("rating_scaled"), scale).alias("rating_points"),
    )


# The fingerprint ----------------------------------------------------------------------------


def fingerprint_columns(
    policy: RankingPolicy, stage: Stage, formations: Sequence[Formation], scores: pl.DataFrame
) -> str | None:
    """`fingerprint.run_fingerprint` of the formations and the score objects the frame holds,
    without making them: each score's canonical row is written by polars as the JSON encoder
    writes it, the rows are put in the encoder's order, and only the joined text is hashed.
    None when a participant number or a formation code holds a character that JSON escapes or
    that sorts before the quotation mark (then the order of the encoded rows may differ from
    the participant order), or the participants repeat (rounds aside)."""
    if scores.is_empty():
        return None
    safe = r"^[^\x00-\x22\\]*$"
    texts = scores.select(
        pl.col("participant").str.contains(safe).all(),
        pl.col("formation").str.contains(safe).all(),
    ).row(0)
    if not all(texts):
        return None
    if stage is Stage.PPPK:
        turn = [pl.col("participant"), pl.col("round").cast(pl.String)]
        ordered = scores.sort(turn)
        repeated = ordered.select(
            pl.all_horizontal(*(key.eq_missing(key.shift(1)) for key in turn)).any()
        ).item()
        if repeated:
            return None
    elif _unique_participants(scores):
        participants = scores.get_column("participant")
        ordered = scores if participants.is_sorted() else scores.sort("participant")
    else:
        return None
    cells = ordered.select(
        cell.alias(f"cell {number}") for number, cell in enumerate(_canonical_cells(stage, ordered))
    )
    return run_fingerprint_of_rows(policy, stage, formations, SCORE_CLASSES[stage], _joined(cells))


def _joined(cells: pl.DataFrame, piece: int = 200_000) -> Iterator[bytes]:
    """The rows, each "[cell,cell,...]", joined by commas, written by polars' CSV writer (no
    quoting; a null is written as JSON's null) a piece at a time, so the text is never whole
    in memory."""
    for start in range(0, cells.height, piece):
        text = cells.slice(start, piece).write_csv(
            include_header=False, quote_style="never", null_value="null", line_terminator="],"
        )
        yield text.encode("utf-8") if start + piece < cells.height else text[:-1].encode("utf-8")


def _quoted(column: str) -> pl.Expr:
    return pl.concat_str(pl.lit('"'), pl.col(column), pl.lit('"'))


def _flag(expression: pl.Expr) -> pl.Expr:
    return pl.when(expression).then(pl.lit("true")).otherwise(pl.lit("false"))


def _fraction(frame: pl.DataFrame, column: str) -> pl.Expr:
    """`"numerator/denominator"` of each scaled / SCALE, reduced, as the canonical form writes
    a Fraction; null for null."""

    def write(value: int) -> str:
        exact = Fraction(value, SCALE)
        return f'"{exact.numerator}/{exact.denominator}"'

    return _distinct_texts(frame, column, write)


def _distinct_texts(frame: pl.DataFrame, column: str, write: Callable[[Any], str]) -> pl.Expr:
    """The column's values as `write` puts them, by the same code as the canonical form."""
    texts = by_distinct_value(frame, column, write, pl.String())
    if texts is None:
        raise ValueError(f"{column}: a value has no canonical text")
    return texts


def _members(names: Sequence[str]) -> pl.Expr:
    """A JSON array of the names whose Boolean column is true, in the order given (sorted)."""
    inner = pl.concat_str(
        *(pl.when(pl.col(name)).then(pl.lit(f'"{name}"')) for name in names),
        separator=",",
        ignore_nulls=True,
    )
    return pl.concat_str(pl.lit("["), inner.fill_null(""), pl.lit("]"))


def _canonical_cells(stage: Stage, frame: pl.DataFrame) -> list[pl.Expr]:
    """One score's row of the canonical form (`fingerprint._rows`) as the JSON encoder writes
    it, cell by cell, the first opening the array: text quoted, flags as true or false, whole
    numbers as they are, null for None; absent scores hold the score class's defaults, as the
    frame does."""
    participant = pl.concat_str(pl.lit('["'), pl.col("participant"), pl.lit('"'))
    start = [participant, _quoted("formation")]
    whole = [pl.col(c) for c in ("twk", "tiu", "tkp")]
    if stage is Stage.SKD:
        return [*start, _flag(pl.col("present")), *whole]
    if stage is Stage.FINAL:
        return [
            *start,
            _flag(pl.col("present")),
            *whole,
            _fraction(frame, "skb"),
            _fraction(frame, "ipk"),
            _distinct_texts(frame, "birth_date", lambda day: f'"{day.isoformat()}"'),
        ]
    if stage is Stage.PPPK:
        parts = [pl.col(c) for c in ("teknis", "manajerial_sosiokultural", "wawancara")]
        return [
            *start,
            pl.col("round"),
            _flag(pl.col("present")),
            *parts,
            _members(sorted(AFFIRMATIONS)),
        ]
    return [
        *start,
        _flag(pl.col("present")),
        _fraction(frame, "test_score"),
        _members(PREFERENCES),
        _fraction(frame, "rating"),
    ]
