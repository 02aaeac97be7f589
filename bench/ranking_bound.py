"""The columnar bound of `bench/ranking.py`: one stage of `seleksi rank-file` (SKD, final or
PPPK) done with polars, as a program of its own, so that its time and peak memory are those of a
whole process (interpreter start and the polars import included), as rank-file's are.

    .venv/bin/python bench/ranking_bound.py STAGE FORMASI.csv NILAI.csv OUT.csv [--policy CODE]

It writes the same OUT.csv as rank-file, byte for byte: the columns of
`rank_files.OUTPUT_COLUMNS`, the same row order, figures as `ranking.format_score` prints them.

Decisions worth knowing:

- Every figure that ranks people is an integer: the final score in units of 1/L, L the least
  common multiple of the weights' denominators times the SKD maximum and of the SKB decimals;
  PPPK teknis and total in units of the affirmation shares' common denominator. Decimals are
  read as text and scaled, never through a float. Weights, marks, maxima, the cut multiplier
  and the shares come from the policy (`load_ranking_policy`).
- Competition ranks come from one sort per stage (formation, group, the stage's keys,
  participant number) and "key changed" flags carried forward, not from a rank over groups.
  PPPK's best round is one more sort, by participant, then met, total and round.
- It checks what is cheap in columns (attendance, ranges, known formation codes, repeated
  participants or rounds, one formation per participant, Y/N cells) and refuses the files with
  one line, where rank-file names every problem.
- It writes no fingerprint and no committee notes, and does no optimalisasi: it refuses a final
  stage in which two formations share a position (jabatan), the only case where optimalisasi
  could place anyone.
"""

import argparse
import sys
from fractions import Fraction
from math import lcm
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from seleksi.rules.rank_files import (
    FORMATION_COLUMNS,
    IPK_MAXIMUM,
    OUTPUT_COLUMNS,
    SCORE_COLUMNS,
    TEKNIS_THRESHOLD_COLUMN,
)
from seleksi.rules.ranking import Affirmation, RankingPolicy, Stage, load_ranking_policy

DEFAULT_POLICIES = {Stage.SKD: "cpns-2021", Stage.FINAL: "cpns-2021", Stage.PPPK: "pppk-guru-2021"}
INDEX = pl.int_range(pl.len(), dtype=pl.Int64)
GROUP = pl.col("group")  # 0 ranked, 1 present but failed the marks, 2 absent


def refuse(reason: str) -> SystemExit:
    return SystemExit(f"ranking_bound: {reason}")


def read_formations(path: Path, pppk: bool) -> pl.DataFrame:
    """FORMASI.csv sorted by code, with `formation`, its index in that order."""
    extra = [TEKNIS_THRESHOLD_COLUMN] if pppk else []
    frame = pl.read_csv(
        path,
        columns=[*FORMATION_COLUMNS, *extra],
        infer_schema=False,
        schema_overrides=dict.fromkeys(["kuota", *extra], pl.Int32),
    )
    if frame.height == 0 or frame.select(pl.any_horizontal(pl.all().is_null()).any()).item():
        raise refuse(f"{path.name}: no formation, or an empty cell")
    if frame["kode_formasi"].n_unique() != frame.height or (frame["kuota"] < 0).any():
        raise refuse(f"{path.name}: a formation code repeats or a quota is negative")
    return frame.sort("kode_formasi").with_row_index("formation")


def read_scores(path: Path, stage: Stage, whole: tuple[str, ...]) -> pl.DataFrame:
    """NILAI.csv's columns of `stage`, `whole` as 32-bit integers (scaled figures are made
    64-bit where they are computed); refuses an attendance other than H or TH."""
    frame = pl.read_csv(
        path,
        columns=list(SCORE_COLUMNS[stage]),
        infer_schema=False,
        schema_overrides=dict.fromkeys(whole, pl.Int32),
    )
    if not frame["kehadiran"].is_in(["H", "TH"]).all():
        raise refuse(f"{path.name}: kehadiran other than H or TH")
    return frame.with_columns(present=pl.col("kehadiran") == "H")


def with_formations(
    scores: pl.DataFrame, formations: pl.DataFrame, columns: tuple[str, ...] = ()
) -> pl.DataFrame:
    """The scores with their formation's index, quota and `columns`."""
    needed = formations.select("kode_formasi", "formation", "kuota", *columns)
    joined = scores.join(needed, on="kode_formasi", how="left")
    if joined["formation"].null_count():
        raise refuse("NILAI.csv: an unknown formation code")
    return joined


def check_range(frame: pl.DataFrame, column: str, high: int, required: pl.Expr) -> None:
    """`column` within 0..high wherever it is given, and given wherever `required` holds."""
    value = pl.col(column)
    wrong = (value.is_null() & required) | (value < 0) | (value > high)
    if frame.select(wrong.any()).item():
        raise refuse(f"NILAI.csv: {column} missing or outside 0..{high}")


def decimal(frame: pl.DataFrame, column: str) -> tuple[pl.Series, int]:
    """A decimal column as integers in units of 10**-places, and its places (the most
    decimals any cell has)."""
    text = frame[column]
    if (text.str.starts_with("-") | text.str.starts_with(".")).any():
        raise refuse(f"NILAI.csv: {column} below 0 or not a number")
    parts = text.str.split_exact(".", 1).struct.unnest()
    fraction = parts["field_1"]
    places = int(fraction.str.len_bytes().max() or 0)
    units = parts["field_0"].cast(pl.Int64) * 10**places
    return units + fraction.str.pad_end(places, "0").cast(pl.Int64).fill_null(0), places


def figure(units: pl.Expr, denominator: int) -> pl.Expr:
    """units / denominator as `format_score` prints it: three decimals, half up."""
    thousandths = (units * 2000 + denominator) // (2 * denominator)
    return pl.concat_str(
        (thousandths // 1000).cast(pl.String),
        pl.lit("."),
        (thousandths % 1000).cast(pl.String).str.zfill(3),
    )


def ranked(frame: pl.DataFrame, keys: list[str], keep: list[str]) -> pl.DataFrame:
    """The sort columns, kode_formasi, kuota and `keep`, sorted by formation, group, `keys`
    (ascending; zero outside group 0) and participant number, with `position` in the formation
    (from 0) and the competition `rank` of group 0. Only the columns needed afterwards are
    sorted."""
    order = ["formation", "group", *keys]
    frame = frame.select(*order, "nomor_peserta", "kode_formasi", "kuota", *keep)
    words = packed(frame, order)
    frame = frame.with_columns(**words).sort([*words, "nomor_peserta"]).drop(*words)
    first = INDEX == 0
    new_formation = first | (pl.col("formation") != pl.col("formation").shift(1))
    new_key = new_formation
    for key in ("group", *keys):
        new_key = new_key | (pl.col(key) != pl.col(key).shift(1))
    start = pl.when(new_formation).then(INDEX).forward_fill()
    key_start = pl.when(new_key).then(INDEX).forward_fill()
    return frame.with_columns(
        position=INDEX - start,
        rank=pl.when(GROUP == 0).then(key_start - start + 1),
    )


def packed(frame: pl.DataFrame, columns: list[str]) -> dict[str, pl.Expr]:
    """The integer sort columns packed into as few Int64 words as their ranges allow, so that
    the sort compares one or two words and the participant number, not every column."""
    lows = frame.select(pl.col(columns).min()).row(0)
    highs = frame.select(pl.col(columns).max()).row(0)
    words: dict[str, pl.Expr] = {}
    word: pl.Expr | None = None
    used = 0
    for column, low, high in zip(columns, lows, highs, strict=True):
        bits = max(int(high - low).bit_length(), 1)
        if word is not None and used + bits > 62:
            words[f"word_{len(words)}"] = word
            word, used = None, 0
        value = pl.col(column).cast(pl.Int64) - low
        word = value if word is None else word * (1 << bits) + value
        used += bits
    if word is not None:
        words[f"word_{len(words)}"] = word
    return words


def quota_outcome() -> pl.Expr:
    """Final and PPPK: the first quota of the ranked pass (L), the others do not (TL)."""
    return (
        pl.when(GROUP == 2)
        .then(pl.lit("TH"))
        .when((GROUP == 0) & (pl.col("position") < pl.col("kuota")))
        .then(pl.lit("L"))
        .otherwise(pl.lit("TL"))
    )


def keys(values: dict[str, pl.Expr]) -> dict[str, pl.Expr]:
    """Sort keys named key_<name>, zero outside group 0 so that the participant number orders
    the unranked rows."""
    return {
        f"key_{name}": pl.when(GROUP == 0).then(value).otherwise(0)
        for name, value in values.items()
    }


def rank_skd(policy: RankingPolicy, formations_path: Path, scores_path: Path) -> pl.DataFrame:
    rules = policy.skd_rules()
    marks = pl.DataFrame(
        {
            "jenis_formasi": [kind for kind, _ in rules.pass_marks],
            "mark_twk": [mark.twk or 0 for _, mark in rules.pass_marks],
            "mark_tiu": [mark.tiu or 0 for _, mark in rules.pass_marks],
            "mark_tkp": [mark.tkp or 0 for _, mark in rules.pass_marks],
            "mark_total": [mark.total for _, mark in rules.pass_marks],
        }
    )
    formations = read_formations(formations_path, pppk=False).join(
        marks, on="jenis_formasi", how="left"
    )
    if formations["mark_total"].null_count():
        raise refuse(f"{formations_path.name}: a formation type without SKD pass marks")
    subtests = {"twk": rules.twk_maximum, "tiu": rules.tiu_maximum, "tkp": rules.tkp_maximum}
    scores = with_formations(
        read_scores(scores_path, Stage.SKD, tuple(subtests)),
        formations,
        ("mark_twk", "mark_tiu", "mark_tkp", "mark_total"),
    )
    if scores["nomor_peserta"].n_unique() != scores.height:
        raise refuse(f"{scores_path.name}: a participant appears twice")
    present = pl.col("present")
    for column, maximum in subtests.items():
        check_range(scores, column, maximum, present)
    twk, tiu, tkp = (pl.when(present).then(pl.col(name)) for name in subtests)
    scores = scores.with_columns(twk=twk, tiu=tiu, tkp=tkp).with_columns(
        total=pl.col("twk") + pl.col("tiu") + pl.col("tkp")
    )
    met = pl.all_horizontal(
        pl.col(name) >= pl.col(f"mark_{name}") for name in ("twk", "tiu", "tkp", "total")
    )
    scores = scores.with_columns(
        group=pl.when(~present).then(2).when(met).then(0).otherwise(1)
    ).with_columns(**keys({name: -pl.col(name) for name in ("total", "tkp", "tiu", "twk")}))
    result = ranked(
        scores, ["key_total", "key_tkp", "key_tiu", "key_twk"], ["twk", "tiu", "tkp", "total"]
    )
    outcome = (
        pl.when(GROUP == 0)
        .then(
            pl.when(pl.col("rank") <= rules.cut_multiplier * pl.col("kuota"))
            .then(pl.lit("P/L"))
            .otherwise(pl.lit("P"))
        )
        .when(GROUP == 1)
        .then(pl.lit("T/L"))
        .otherwise(pl.lit("TH"))
    )
    return result.select(
        "nomor_peserta",
        "kode_formasi",
        "twk",
        "tiu",
        "tkp",
        "total",
        peringkat="rank",
        kode=outcome,
    )


def rank_final(policy: RankingPolicy, formations_path: Path, scores_path: Path) -> pl.DataFrame:
    """Final score = skd_weight x total / maximum x 100 + skb_weight x skb, in units of 1/L."""
    skd, rules = policy.skd_rules(), policy.final_rules()
    formations = read_formations(formations_path, pppk=False)
    position = pl.col("jabatan").str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()
    if rules.optimalisasi and formations.select(position.n_unique()).item() != formations.height:
        raise refuse(f"{formations_path.name}: two formations share a jabatan (optimalisasi)")
    subtests = {"twk": skd.twk_maximum, "tiu": skd.tiu_maximum, "tkp": skd.tkp_maximum}
    scores = with_formations(read_scores(scores_path, Stage.FINAL, tuple(subtests)), formations)
    if scores["nomor_peserta"].n_unique() != scores.height:
        raise refuse(f"{scores_path.name}: a participant appears twice")
    present = pl.col("present")
    skb, skb_places = decimal(scores, "skb")
    ipk, ipk_places = decimal(scores, "ipk")
    scores = scores.with_columns(
        skb=skb,
        ipk=ipk,
        born=pl.col("tanggal_lahir").str.to_date("%Y-%m-%d").cast(pl.Int32),
    )
    for column, maximum in subtests.items():
        check_range(scores, column, maximum, present)
    check_range(scores, "skb", rules.skb_maximum * 10**skb_places, present)
    check_range(scores, "ipk", IPK_MAXIMUM * 10**ipk_places, pl.lit(False))
    if scores.select((pl.col("born").is_null() & present).any()).item():
        raise refuse(f"{scores_path.name}: tanggal_lahir missing")

    maximum, skb_scale = skd.total_maximum, 10**skb_places
    skd_weight, skb_weight = Fraction(rules.skd_weight), Fraction(rules.skb_weight)
    denominator = lcm(skd_weight.denominator * maximum, skb_weight.denominator * skb_scale)
    per_total = skd_weight.numerator * 100 * denominator // (skd_weight.denominator * maximum)
    per_skb = skb_weight.numerator * denominator // (skb_weight.denominator * skb_scale)
    total = pl.col("twk") + pl.col("tiu") + pl.col("tkp")
    scores = scores.with_columns(
        group=pl.when(present).then(0).otherwise(2),
        total=total,
        final=total.cast(pl.Int64) * per_total + pl.col("skb") * per_skb,
    ).with_columns(
        **keys(
            {
                "final": -pl.col("final"),
                "total": -pl.col("total"),
                "tkp": -pl.col("tkp"),
                "tiu": -pl.col("tiu"),
                "twk": -pl.col("twk"),
                "ipk": pl.when(pl.col("ipk").is_null()).then(1).otherwise(-pl.col("ipk")),
                "born": pl.col("born").fill_null(2**31 - 1),
            }
        )
    )
    order = ["key_final", "key_total", "key_tkp", "key_tiu", "key_twk", "key_ipk", "key_born"]
    result = ranked(scores, order, ["total", "skb", "final"])
    shown = GROUP == 0
    return result.select(
        "nomor_peserta",
        "kode_formasi",
        nilai_skd=pl.when(shown).then(figure(pl.col("total") * 100, maximum)),
        nilai_skb=pl.when(shown).then(figure(pl.col("skb"), skb_scale)),
        nilai_akhir=pl.when(shown).then(figure(pl.col("final"), denominator)),
        peringkat="rank",
        kode=quota_outcome(),
    )


def rank_pppk(policy: RankingPolicy, formations_path: Path, scores_path: Path) -> pl.DataFrame:
    """Affirmed teknis = min(max, teknis + max x the shares of the grounds met), in units of
    1/D, D the shares' common denominator; the best round of each participant is ranked."""
    rules = policy.pppk_rules()
    formations = read_formations(formations_path, pppk=True)
    parts = {
        "teknis": rules.teknis_maximum,
        "manajerial_sosiokultural": rules.manajerial_sosiokultural_maximum,
        "wawancara": rules.wawancara_maximum,
    }
    scores = with_formations(
        read_scores(scores_path, Stage.PPPK, ("tahap", *parts)),
        formations,
        (TEKNIS_THRESHOLD_COLUMN,),
    )
    present = pl.col("present")
    grounds = [ground.value for ground in Affirmation]
    if not scores.select(pl.all_horizontal(pl.col(grounds).is_in(["Y", "N"])).all()).item():
        raise refuse(f"{scores_path.name}: an affirmation cell other than Y or N")
    check_range(scores, "tahap", rules.rounds, pl.lit(True))
    if (scores["tahap"] < 1).any():
        raise refuse(f"{scores_path.name}: tahap below 1")
    for column, maximum in parts.items():
        check_range(scores, column, maximum, present)
    shares = dict(rules.affirmations)
    unit = lcm(*(share.denominator for share in shares.values()), 1)
    bonus = pl.sum_horizontal(
        pl.when(pl.col(ground.value) == "Y").then(share.numerator * unit // share.denominator)
        for ground, share in shares.items()
    ).cast(pl.Int64)
    teknis = pl.min_horizontal(
        pl.lit(rules.teknis_maximum * unit),
        pl.col("teknis").cast(pl.Int64) * unit + rules.teknis_maximum * bonus,
    )
    met = (  # on the affirmed teknis
        (pl.col("teknis") >= pl.col(TEKNIS_THRESHOLD_COLUMN).cast(pl.Int64) * unit)
        & (pl.col("manajerial_sosiokultural") >= rules.manajerial_sosiokultural_pass)
        & (pl.col("wawancara") >= rules.wawancara_pass)
    )
    social = pl.col("manajerial_sosiokultural") + pl.col("wawancara")
    attempts = (
        scores.select(
            "nomor_peserta",
            "kode_formasi",
            "formation",
            "kuota",
            "tahap",
            "present",
            "manajerial_sosiokultural",
            "wawancara",
            TEKNIS_THRESHOLD_COLUMN,
            pl.when(present).then(teknis).alias("teknis"),
        )
        .with_columns(
            total=pl.col("teknis") + social.cast(pl.Int64) * unit,
            met=pl.when(present).then(met),
        )
        .sort(
            ["nomor_peserta", "present", "met", "total", "tahap"],
            descending=[False, True, True, True, False],
            nulls_last=True,
        )
    )
    first = (INDEX == 0) | (pl.col("nomor_peserta") != pl.col("nomor_peserta").shift(1))
    participant = first.cum_sum().cast(pl.Int64)
    if attempts.select(
        (~first & (pl.col("formation") != pl.col("formation").shift(1))).any()
    ).item():
        raise refuse(f"{scores_path.name}: a participant appears in two formations")
    rounds = participant * (rules.rounds + 1) + pl.col("tahap")
    if attempts.select(rounds.n_unique()).item() != attempts.height:
        raise refuse(f"{scores_path.name}: a participant appears twice in one round")
    best = attempts.filter(first).with_columns(
        group=pl.when(~present).then(2).when(pl.col("met")).then(0).otherwise(1)
    )
    candidates = best.with_columns(
        **keys(
            {
                "total": -pl.col("total"),
                "teknis": -pl.col("teknis"),
                "social": -pl.col("manajerial_sosiokultural"),
                "interview": -pl.col("wawancara"),
            }
        )
    )
    order = ["key_total", "key_teknis", "key_social", "key_interview"]
    result = ranked(candidates, order, ["total", "teknis"])
    shown = GROUP != 2
    return result.select(
        "nomor_peserta",
        "kode_formasi",
        teknis_afirmasi=pl.when(shown).then(figure(pl.col("teknis"), unit)),
        total=pl.when(shown).then(figure(pl.col("total"), unit)),
        peringkat="rank",
        kode=quota_outcome(),
    )


RANKERS = {Stage.SKD: rank_skd, Stage.FINAL: rank_final, Stage.PPPK: rank_pppk}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("stage", choices=[stage.value for stage in RANKERS])
    parser.add_argument("formations", type=Path, help="FORMASI.csv")
    parser.add_argument("scores", type=Path, help="NILAI.csv")
    parser.add_argument("output", type=Path, help="OUT.csv")
    parser.add_argument("--policy", help="ranking policy; cpns-2021 or pppk-guru-2021 if left out")
    options = parser.parse_args()
    stage = Stage(options.stage)
    policy = load_ranking_policy(options.policy or DEFAULT_POLICIES[stage])
    result = RANKERS[stage](policy, options.formations, options.scores)
    if result.columns != list(OUTPUT_COLUMNS[stage]):
        raise refuse(f"columns {result.columns}, rank-file writes {OUTPUT_COLUMNS[stage]}")
    result.write_csv(options.output)


if __name__ == "__main__":
    main()
