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

import hashlib
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import reduce

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
SCALE = 10**DECIMAL_PLACES
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


def _formations_frame(
    formations: Sequence[Formation], marks: Mapping[str, PassMark]
) -> pl.DataFrame | None:
    """One row per formation: its place in code order, quota, teknis pass mark and the SKD
    pass marks of its type (m_twk, m_tiu, m_tkp, m_total; 0 where the type has no mark of its
    own, null when `marks` has none for the type)."""
    codes = [formation.code for formation in formations]
    if len(set(codes)) != len(codes) or any(f.quota < 0 for f in formations):
        return None
    index = {code: number for number, code in enumerate(sorted(codes))}
    of = [marks.get(f.formation_type) for f in formations]
    whole = pl.Int64()
    return pl.DataFrame(
        {
            "formation": codes,
            "formation_index": [index[code] for code in codes],
            "formation_type": [f.formation_type for f in formations],
            "quota": [f.quota for f in formations],
            "teknis_pass_mark": [f.teknis_pass_mark for f in formations],
            "m_twk": [None if m is None else m.twk or 0 for m in of],
            "m_tiu": [None if m is None else m.tiu or 0 for m in of],
            "m_tkp": [None if m is None else m.tkp or 0 for m in of],
            "m_total": [None if m is None else m.total for m in of],
        },
        schema={
            "formation": pl.String(),
            "formation_index": whole,
            "formation_type": pl.String(),
            "quota": whole,
            "teknis_pass_mark": whole,
            "m_twk": whole,
            "m_tiu": whole,
            "m_tkp": whole,
            "m_total": whole,
        },
    )


def _valid(frame: pl.DataFrame, stage: Stage, checks: pl.Expr) -> bool:
    """The frame has the stage's columns, no null where a value is required, and every row
    passes `checks`."""
    schema = score_schema(stage)
    if dict(frame.select(list(schema)).schema) != schema or frame.is_empty():
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
    carried = frame if keep_keys else frame.drop(*(key for key in keys if key not in block))
    ordered = carried[order]
    compared = values.select(*block, *keys)[order]
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
    if not columns:
        return []
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
    return (ranked & (rank == shared.max().over("formation"))).fill_null(False)


def _not_written(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    return frame.with_columns(*(pl.lit(None, dtype=pl.String).alias(c) for c in columns))


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
    marks = dict(policy.skd_rules().pass_marks) if stage is Stage.SKD else {}
    forms = _formations_frame(formations, marks)
    if forms is None:
        return None
    joined = scores.join(forms, on="formation", how="left")
    if joined.get_column("quota").null_count():
        return None
    if stage is Stage.SKD:
        return _rank_skd(policy, joined)
    if stage is Stage.FINAL:
        return _rank_final(policy, formations, joined, qualifies)
    if stage is Stage.PPPK:
        return _rank_pppk(policy, joined)
    return _rank_mitra(policy, joined)


def _unique_participants(frame: pl.DataFrame) -> bool:
    participants = frame.get_column("participant")
    if participants.is_sorted():
        return not bool((participants == participants.shift(1)).any())
    return bool(participants.n_unique() == frame.height)


def _met(prefix: str = "m_") -> pl.Expr:
    twk, tiu, tkp = pl.col("twk"), pl.col("tiu"), pl.col("tkp")
    return (
        (twk >= pl.col(f"{prefix}twk"))
        & (tiu >= pl.col(f"{prefix}tiu"))
        & (tkp >= pl.col(f"{prefix}tkp"))
        & (twk + tiu + tkp >= pl.col(f"{prefix}total"))
    )


def _skd_checks(policy: RankingPolicy) -> pl.Expr:
    rules = policy.skd_rules()
    return ~pl.col("present") | (
        _in_range("twk", rules.twk_maximum)
        & _in_range("tiu", rules.tiu_maximum)
        & _in_range("tkp", rules.tkp_maximum)
    )


def _rank_skd(policy: RankingPolicy, frame: pl.DataFrame) -> pl.DataFrame | None:
    rules = policy.skd_rules()
    if not _valid(frame, Stage.SKD, _skd_checks(policy)):
        return None
    if not _unique_participants(frame):
        return None
    if frame.get_column("m_total").null_count():
        return None
    marked = frame
    absent_rows = marked.filter(~pl.col("present"))
    marked = marked.filter(pl.col("present"))
    total = pl.col("twk") + pl.col("tiu") + pl.col("tkp")
    group = pl.when(_met()).then(0).otherwise(1)
    keys = ("k_total", "k_tkp", "k_tiu", "k_twk")
    ranked = marked.with_columns(total=total, group=group).with_columns(
        *(
            pl.when(pl.col("group") == 0).then(-column).otherwise(0).alias(key)
            for key, column in zip(
                keys, (pl.col("total"), *map(pl.col, ("tkp", "tiu", "twk"))), strict=True
            )
        )
    )
    absent = absent_rows.with_columns(
        twk=pl.lit(0, pl.Int64),
        tiu=pl.lit(0, pl.Int64),
        tkp=pl.lit(0, pl.Int64),
        total=pl.lit(0, pl.Int64),
        group=pl.lit(2, pl.Int32),
        **{key: pl.lit(0, pl.Int64) for key in keys},
    )
    columns = [
        "participant",
        "formation",
        "formation_index",
        "quota",
        "twk",
        "tiu",
        "tkp",
        "total",
        "group",
        *keys,
    ]
    rows = pl.concat([ranked.select(columns), absent.select(columns)], how="vertical_relaxed")
    rows = _ordered(rows, ["formation_index", "group"], keys)
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


def _rank_final(
    policy: RankingPolicy,
    formations: Sequence[Formation],
    frame: pl.DataFrame,
    qualifies: Callable[[str, str], bool] | None,
) -> pl.DataFrame | None:
    skd_rules, rules = policy.skd_rules(), policy.final_rules()
    if not _valid(frame, Stage.FINAL, _final_checks(policy)):
        return None
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
    present_rows = frame.filter(pl.col("present"))
    ipk_high = present_rows.get_column("ipk").max()
    ipk_bound = abs(ipk_high) if isinstance(ipk_high, int) else 0
    if not _fits(
        final.bound({"total": total_maximum, "skb": rules.skb_maximum * SCALE}),
        100 * total_maximum,
        rules.skb_maximum * SCALE,
        ipk_bound,
    ):
        return None
    keys = ("k_final", "k_total", "k_tkp", "k_tiu", "k_twk", "k_ipk", "k_birth")
    present = present_rows.with_columns(total=pl.col("twk") + pl.col("tiu") + pl.col("tkp"))
    present = present.with_columns(final=final.expression())
    present = present.with_columns(
        group=pl.lit(0, pl.Int32),
        k_final=-pl.col("final"),
        k_total=-pl.col("total"),
        k_tkp=-pl.col("tkp"),
        k_tiu=-pl.col("tiu"),
        k_twk=-pl.col("twk"),
        k_ipk=-pl.col("ipk").fill_null(-1),
        k_birth=pl.col("birth_date").fill_null(date.max).cast(pl.Int64),
    )
    absent = frame.filter(~pl.col("present")).with_columns(
        total=pl.lit(0, pl.Int64),
        final=pl.lit(0, pl.Int64),
        group=pl.lit(1, pl.Int32),
        k_final=pl.lit(0, pl.Int64),
        k_total=pl.lit(0, pl.Int64),
        k_tkp=pl.lit(0, pl.Int64),
        k_tiu=pl.lit(0, pl.Int64),
        k_twk=pl.lit(0, pl.Int64),
        k_ipk=pl.lit(0, pl.Int64),
        k_birth=pl.lit(0, pl.Int64),
    )
    columns = [
        "participant",
        "formation",
        "formation_index",
        "quota",
        "twk",
        "tiu",
        "tkp",
        "skb",
        "total",
        "final",
        "group",
        *keys,
    ]
    rows = pl.concat([present.select(columns), absent.select(columns)], how="vertical_relaxed")
    rows = _ordered(rows, ["formation_index", "group"], keys, keep_keys=True)
    is_present = pl.col("group") == 0
    passed = pl.col("position") < pl.col("quota")
    rows = rows.with_columns(
        present=is_present,
        outcome=pl.when(~is_present)
        .then(pl.lit(Outcome.ABSENT.value))
        .when(passed)
        .then(pl.lit(Outcome.PASSED.value))
        .otherwise(pl.lit(Outcome.NOT_PASSED.value)),
        tied_at_cut=_tied_at_cut(),
        skd_score=_displayed(pl.col("total") * 100, total_maximum),
        skb_score=_displayed(pl.col("skb"), SCALE),
        final_score=_displayed(pl.col("final"), final.scale),
        placed_formation=pl.lit(None, dtype=pl.String),
    )
    if rules.optimalisasi:
        rows = _optimalisasi(policy, formations, rows, qualifies)
    figures = ("skd_score", "skb_score", "final_score")
    return rows.select(
        "participant",
        "formation",
        "present",
        *(pl.when(is_present).then(pl.col(name)).alias(name) for name in figures),
        pl.when(is_present).then(pl.col("rank")).alias("rank"),
        "outcome",
        "placed_formation",
        "tied_at_cut",
    )


def _optimalisasi(
    policy: RankingPolicy,
    formations: Sequence[Formation],
    rows: pl.DataFrame,
    qualifies: Callable[[str, str], bool] | None,
) -> pl.DataFrame:
    """L-2 placements by `ranking.optimalisasi_placements`, from the candidates of the
    positions that have an empty seat, in the cross-formation order."""
    rules = policy.final_rules()
    by_code = {formation.code: formation for formation in formations}
    filled = dict(
        rows.filter(pl.col("outcome") == Outcome.PASSED.value)
        .group_by("formation")
        .len()
        .iter_rows()
    )
    wanted = {normalise_position(f.position) for f in formations if f.quota > filled.get(f.code, 0)}
    if not wanted:
        return rows
    positions = pl.DataFrame(
        {
            "formation": list(by_code),
            "normalised": [normalise_position(f.position) for f in by_code.values()],
        },
        schema={"formation": pl.String(), "normalised": pl.String()},
    )
    mark = policy.skd_rules().pass_mark(rules.optimalisasi_pass_marks)
    met = (
        (pl.col("twk") >= (mark.twk or 0))
        & (pl.col("tiu") >= (mark.tiu or 0))
        & (pl.col("tkp") >= (mark.tkp or 0))
        & (pl.col("total") >= mark.total)
    )
    candidates = (
        rows.filter((pl.col("outcome") == Outcome.NOT_PASSED.value) & met)
        .join(positions, on="formation", how="left")
        .filter(pl.col("normalised").is_in(sorted(wanted)))
        .pipe(_ordered, [], ["k_final", "k_total", "k_tkp", "k_tiu", "k_twk", "k_ipk", "k_birth"])
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


def _rank_pppk(policy: RankingPolicy, frame: pl.DataFrame) -> pl.DataFrame | None:
    rules = policy.pppk_rules()
    if not _valid(frame, Stage.PPPK, _pppk_checks(policy)):
        return None
    if frame.get_column("teknis_pass_mark").null_count():
        return None
    if frame.select(pl.struct("participant", "round").n_unique()).item() != frame.height:
        return None
    formations_of = frame.group_by("participant").agg(pl.col("formation").n_unique())
    if formations_of.get_column("formation").max() != 1:
        return None
    shares = dict(rules.affirmations)
    coefficients = {ground: shares.get(Affirmation(ground), Fraction(0)) for ground in AFFIRMATIONS}
    scale = reduce(math.lcm, (share.denominator for share in coefficients.values()), 1)
    teknis_maximum = rules.teknis_maximum
    others = rules.manajerial_sosiokultural_maximum + rules.wawancara_maximum
    if not _fits(teknis_maximum * scale + others * scale, 1 + teknis_maximum * scale * 5):
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
    attempts = frame.filter(pl.col("present")).with_columns(teknis_scaled=teknis)
    attempts = attempts.with_columns(
        met=(pl.col("teknis_scaled") >= pl.col("teknis_pass_mark") * scale)
        & (pl.col("manajerial_sosiokultural") >= rules.manajerial_sosiokultural_pass)
        & (pl.col("wawancara") >= rules.wawancara_pass),
        total_scaled=pl.col("teknis_scaled")
        + (pl.col("manajerial_sosiokultural") + pl.col("wawancara")) * scale,
    )
    best = attempts.sort(
        ["participant", "met", "total_scaled", "round"], descending=[False, True, True, False]
    ).unique(subset="participant", keep="first", maintain_order=True)
    attended = best.select("participant")
    absent = (
        frame.join(attended, on="participant", how="anti")
        .unique(subset="participant", keep="any")
        .select("participant", "formation", "formation_index", "quota")
    )
    keys = ("k_total", "k_teknis", "k_social", "k_interview")
    best = best.with_columns(group=pl.when(pl.col("met")).then(0).otherwise(1).cast(pl.Int32))
    ranked_key = pl.col("group") == 0
    best = best.with_columns(
        k_total=pl.when(ranked_key).then(-pl.col("total_scaled")).otherwise(0),
        k_teknis=pl.when(ranked_key).then(-pl.col("teknis_scaled")).otherwise(0),
        k_social=pl.when(ranked_key).then(-pl.col("manajerial_sosiokultural")).otherwise(0),
        k_interview=pl.when(ranked_key).then(-pl.col("wawancara")).otherwise(0),
    )
    absent = absent.with_columns(
        round=pl.lit(None, pl.Int64),
        teknis_scaled=pl.lit(None, pl.Int64),
        total_scaled=pl.lit(None, pl.Int64),
        group=pl.lit(2, pl.Int32),
        **{key: pl.lit(0, pl.Int64) for key in keys},
    )
    columns = [
        "participant",
        "formation",
        "formation_index",
        "quota",
        "round",
        "teknis_scaled",
        "total_scaled",
        "group",
        *keys,
    ]
    rows = pl.concat([best.select(columns), absent.select(columns)], how="vertical_relaxed")
    rows = _ordered(rows, ["formation_index", "group"], keys)
    ranked = pl.col("group") == 0
    return rows.select(
        "participant",
        "formation",
        (pl.col("group") != 2).alias("present"),
        "round",
        _displayed(pl.col("teknis_scaled"), scale).alias("teknis_affirmed"),
        _displayed(pl.col("total_scaled"), scale).alias("total"),
        pl.when(ranked).then(pl.col("rank")).alias("rank"),
        pl.when(ranked & (pl.col("position") < pl.col("quota")))
        .then(pl.lit(Outcome.PASSED.value))
        .when(pl.col("group") == 2)
        .then(pl.lit(Outcome.ABSENT.value))
        .otherwise(pl.lit(Outcome.NOT_PASSED.value))
        .alias("outcome"),
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
    if not _valid(frame, Stage.MITRA, _mitra_checks(policy)):
        return None
    if not _unique_participants(frame):
        return None
    points = dict(rules.preference_points)
    criteria = reduce(
        lambda a, b: a + b,
        (pl.col(code).cast(pl.Int64) * points.get(code, 0) for code in PREFERENCES),  # type: ignore[call-overload]
        pl.lit(0, dtype=pl.Int64),
    )
    rating_share = Fraction(rules.rating_points, rules.rating_maximum * SCALE)
    scale = math.lcm(SCALE, rating_share.denominator)
    test_factor, rating_factor = scale // SCALE, int(rating_share * scale)
    criteria_maximum = sum(points.values())
    if not _fits(
        rules.test_maximum * SCALE * test_factor
        + criteria_maximum * scale
        + rules.rating_maximum * SCALE * rating_factor
    ):
        return None
    present = frame.filter(pl.col("present")).with_columns(
        rating_scaled=pl.col("rating").fill_null(0) * rating_factor,
        test_scaled=pl.col("test_score") * test_factor,
    )
    present = present.with_columns(
        points_scaled=criteria * scale + pl.col("rating_scaled"),
    ).with_columns(total_scaled=pl.col("test_scaled") + pl.col("points_scaled"))
    if rules.test_pass_mark is None:
        qualified = pl.lit(True)
    else:
        qualified = pl.col("test_score") >= rules.test_pass_mark * SCALE
    keys = ("k_total", "k_test")
    present = present.with_columns(group=pl.when(qualified).then(0).otherwise(1).cast(pl.Int32))
    in_rank = pl.col("group") == 0
    present = present.with_columns(
        k_total=pl.when(in_rank).then(-pl.col("total_scaled")).otherwise(0),
        k_test=pl.when(in_rank).then(-pl.col("test_scaled")).otherwise(0),
    )
    absent = frame.filter(~pl.col("present")).with_columns(
        test_scaled=pl.lit(None, pl.Int64),
        points_scaled=pl.lit(None, pl.Int64),
        total_scaled=pl.lit(None, pl.Int64),
        rating_scaled=pl.lit(None, pl.Int64),
        group=pl.lit(2, pl.Int32),
        k_total=pl.lit(0, pl.Int64),
        k_test=pl.lit(0, pl.Int64),
    )
    columns = [
        "participant",
        "formation",
        "formation_index",
        "quota",
        "test_scaled",
        "points_scaled",
        "total_scaled",
        "rating_scaled",
        "group",
        *keys,
    ]
    rows = pl.concat([present.select(columns), absent.select(columns)], how="vertical_relaxed")
    rows = _ordered(rows, ["formation_index", "group"], keys)
    ranked = pl.col("group") == 0
    return rows.select(
        "participant",
        "formation",
        (pl.col("group") != 2).alias("present"),
        _displayed(pl.col("test_scaled"), scale).alias("test_score"),
        _displayed(pl.col("points_scaled"), scale).alias("preference_points"),
        _displayed(pl.col("total_scaled"), scale).alias("total"),
        pl.when(ranked).then(pl.col("rank")).alias("rank"),
        pl.when(ranked & (pl.col("position") < pl.col("quota")))
        .then(pl.lit(Outcome.PASSED.value))
        .when(pl.col("group") == 2)
        .then(pl.lit(Outcome.ABSENT.value))
        .otherwise(pl.lit(Outcome.NOT_PASSED.value))
        .alias("outcome"),
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
    rows = ordered.select(_canonical_row(stage).alias("row")).get_column("row")
    return run_fingerprint_of_rows(policy, stage, formations, SCORE_CLASSES[stage], _joined(rows))


def _joined(rows: pl.Series, piece: int = 100_000) -> Iterator[str]:
    """The rows joined by commas, a piece at a time, so the text is never whole in memory."""
    for start in range(0, rows.len(), piece):
        text = rows.slice(start, piece).str.join(",").item()
        yield text if start == 0 else f",{text}"


def _quoted(column: str) -> pl.Expr:
    return pl.concat_str(pl.lit('"'), pl.col(column), pl.lit('"'))


def _flag(expression: pl.Expr) -> pl.Expr:
    return pl.when(expression).then(pl.lit("true")).otherwise(pl.lit("false"))


def _number(expression: pl.Expr) -> pl.Expr:
    return expression.cast(pl.String)


def _fraction(scaled: pl.Expr) -> pl.Expr:
    """`"numerator/denominator"` of scaled / SCALE, reduced (as `Fraction` writes it); null for
    null. SCALE is 2^6 x 5^6, so the common factor is a power of 2 times a power of 5."""
    twos = reduce(
        lambda a, b: a + b,
        ((scaled % 2**k == 0).cast(pl.Int64) for k in range(1, DECIMAL_PLACES + 1)),
    )
    fives = reduce(
        lambda a, b: a + b,
        ((scaled % 5**k == 0).cast(pl.Int64) for k in range(1, DECIMAL_PLACES + 1)),
    )
    common = pl.lit(2, pl.Int64).pow(twos) * pl.lit(5, pl.Int64).pow(fives)
    return pl.concat_str(
        pl.lit('"'),
        (scaled // common).cast(pl.String),
        pl.lit("/"),
        (pl.lit(SCALE, pl.Int64) // common).cast(pl.String),
        pl.lit('"'),
    )


def _or_null(expression: pl.Expr, column: str) -> pl.Expr:
    return pl.when(pl.col(column).is_null()).then(pl.lit("null")).otherwise(expression)


def _members(names: Sequence[str]) -> pl.Expr:
    """A JSON array of the names whose Boolean column is true, in the order given (sorted)."""
    inner = pl.concat_str(
        *(pl.when(pl.col(name)).then(pl.lit(f'"{name}"')) for name in names),
        separator=",",
        ignore_nulls=True,
    )
    return pl.concat_str(pl.lit("["), inner.fill_null(""), pl.lit("]"))


def _canonical_row(stage: Stage) -> pl.Expr:
    """One score's row of the canonical form (`fingerprint._rows`) as the JSON encoder writes
    it; absent scores hold the score class's defaults, as the frame does."""
    start = [_quoted("participant"), _quoted("formation")]
    if stage is Stage.SKD:
        cells = [
            *start,
            _flag(pl.col("present")),
            *(_number(pl.col(c)) for c in ("twk", "tiu", "tkp")),
        ]
    elif stage is Stage.FINAL:
        birth = pl.concat_str(
            pl.lit('"'), pl.col("birth_date").dt.to_string("%Y-%m-%d"), pl.lit('"')
        )
        cells = [
            *start,
            _flag(pl.col("present")),
            *(_number(pl.col(c)) for c in ("twk", "tiu", "tkp")),
            _fraction(pl.col("skb")),
            _or_null(_fraction(pl.col("ipk")), "ipk"),
            _or_null(birth, "birth_date"),
        ]
    elif stage is Stage.PPPK:
        cells = [
            *start,
            _number(pl.col("round")),
            _flag(pl.col("present")),
            *(_number(pl.col(c)) for c in ("teknis", "manajerial_sosiokultural", "wawancara")),
            _members(sorted(AFFIRMATIONS)),
        ]
    else:
        cells = [
            *start,
            _flag(pl.col("present")),
            _fraction(pl.col("test_score")),
            _members(PREFERENCES),
            _or_null(_fraction(pl.col("rating")), "rating"),
        ]
    return pl.concat_str(pl.lit("["), pl.concat_str(*cells, separator=","), pl.lit("]"))


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
