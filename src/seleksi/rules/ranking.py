"""Ranking (pemeringkatan): who goes to SKB, who passes the final selection (kelulusan akhir),
who passes PPPK and which mitra statistik are proposed, formation by formation.

Four stages, each a pure function from a `RankingPolicy`, the formations and the scores to one
result row per participant: `rank_skd`, `rank_final`, `rank_pppk` and `rank_mitra`. Policies
are data (`policies/ranking/<code>.json`), named after the regulation they come from;
`load_ranking_policy` reads them. Every figure that ranks people is a `Fraction`; `format_score`
rounds half up to three decimals for display only. `seleksi.rules.fingerprint.run_fingerprint`
hashes the policy version and the inputs, independent of their order, so that a re-run can be
shown to be the same run.

Decisions worth knowing:

- Ranks are competition ranks (1, 2, 2, 4): participants equal on the score and on every
  tie-break share a rank. Rows are returned per formation code, then rank, then participant
  number (nomor peserta); unranked rows (failed marks, then absent) come last.
- SKD: a shared rank within `cut_multiplier` x quota is P/L for everyone who shares it, so more
  than 3 x quota may go to SKB.
- Final, PPPK and mitra never pass more than the quota. Participants still equal after every
  tie-break who straddle the quota are given the seats in participant-number order and flagged
  `tied_at_cut`, for the committee to confirm.
- A missing IPK ranks below every IPK; a missing birth date below every birth date.
- Optimalisasi (final stage, when the policy allows it): formations are visited in code order
  and each empty seat is filled, one at a time, by the best not-yet-passed present applicant of
  another formation with the same position (jabatan, compared after `normalise_position`) who
  met the pass marks named by `optimalisasi_pass_marks` (umum). "Best" is the final ranking
  order across formations (score, then the same tie-breaks, then participant number). With
  `special_from_umum` off, a special formation only takes applicants from formations of its own
  type. The row keeps its own formation and rank, is coded L-2 and names `placed_formation`.
  The database mode also passes `qualifies` (participant, seat formation) so that only an
  applicant whose education qualifies for the seat is placed; file mode compares positions only.
  `optimalisasi_placements` is that rule on plain codes, shared by every engine; it orders the
  candidates once and never rescans them seat by seat, so it takes O(n log n), not O(n x seats).
- PPPK: the best round is the one that met every pass mark, then has the higher total, then
  the earlier round. Ranking ties are broken by teknis (with affirmation), then manajerial +
  sosio-kultural, then wawancara (a house choice, stated in the policy note).
- Mitra: total = nilai tes kompetensi + the points of every preferred ("diutamakan") criterion
  met + `rating_points` x rating / `rating_maximum` for the rating of earlier survey work (no
  rating earns nothing). Criterion codes are the eligibility `PreferenceCode`s; a criterion the
  policy does not list earns nothing. Present participants who meet the optional test pass mark
  are ranked by total, ties by test score, then share a rank; the order after that is the
  participant number (registration order). The top quota are L, the others TL; the committee
  confirms the list.
"""

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import cache
from typing import NoReturn

from seleksi.rules.eligibility import PreferenceCode
from seleksi.rules.policy_files import read_policy, shipped_codes
from seleksi.rules.problems import RankingDataError, RankingLookupError, RankingProblem

POLICY_PACKAGE = "seleksi.rules.policies.ranking"
UMUM = "umum"
PREFERENCE_CODES: frozenset[str] = frozenset(PreferenceCode)


class Stage(StrEnum):
    SKD = "skd"
    FINAL = "akhir"
    PPPK = "pppk"
    MITRA = "mitra"


class Outcome(StrEnum):
    """Kode hasil: P/L passed the marks within the SKB cut; P passed outside it; T/L failed the
    marks; TH absent (tidak hadir); L passed (lulus); L-2 passed by optimalisasi; TL did not
    pass (tidak lulus)."""

    WITHIN_CUT = "P/L"
    OUTSIDE_CUT = "P"
    FAILED_MARKS = "T/L"
    ABSENT = "TH"
    PASSED = "L"
    PASSED_OPTIMALISASI = "L-2"
    NOT_PASSED = "TL"


class Affirmation(StrEnum):
    """PPPK Guru affirmation (afirmasi) grounds, as the NILAI.csv columns name them."""

    SERDIK_LINIER = "serdik_linier"
    AGE_35_ACTIVE_3_YEARS = "usia_35_aktif_3_tahun"
    DISABILITY = "disabilitas"
    THK2_ACTIVE_3_YEARS = "thk2_aktif_3_tahun"


# Policies ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PassMark:
    """Nilai ambang batas SKD; None means the subtest has no mark of its own."""

    twk: int | None
    tiu: int | None
    tkp: int | None
    total: int

    def met_by(self, twk: int, tiu: int, tkp: int) -> bool:
        return (
            (self.twk is None or twk >= self.twk)
            and (self.tiu is None or tiu >= self.tiu)
            and (self.tkp is None or tkp >= self.tkp)
            and twk + tiu + tkp >= self.total
        )


@dataclass(frozen=True)
class SkdRules:
    twk_maximum: int
    tiu_maximum: int
    tkp_maximum: int
    pass_marks: tuple[tuple[str, PassMark], ...]
    cut_multiplier: int

    def __post_init__(self) -> None:
        if self.cut_multiplier < 1:
            raise ValueError("cut_multiplier must be at least 1")
        types = [kind for kind, _ in self.pass_marks]
        if len(set(types)) != len(types):
            raise ValueError("two pass marks for one formation type")

    @property
    def total_maximum(self) -> int:
        return self.twk_maximum + self.tiu_maximum + self.tkp_maximum

    @property
    def formation_types(self) -> tuple[str, ...]:
        return tuple(kind for kind, _ in self.pass_marks)

    def pass_mark(self, formation_type: str) -> PassMark:
        for kind, mark in self.pass_marks:
            if kind == formation_type:
                return mark
        raise RankingLookupError(
            RankingProblem.NO_SKD_THRESHOLD,
            f"no SKD pass mark for formation type {formation_type!r}",
            formation_type=formation_type,
        )


@dataclass(frozen=True)
class FinalRules:
    """Nilai akhir = skd_weight x (SKD total / SKD maximum x 100) + skb_weight x SKB."""

    skd_weight: Fraction
    skb_weight: Fraction
    skb_maximum: int
    optimalisasi: bool
    optimalisasi_pass_marks: str
    special_from_umum: bool

    def __post_init__(self) -> None:
        if self.skd_weight < 0 or self.skb_weight < 0 or self.skd_weight + self.skb_weight != 1:
            raise ValueError("the SKD and SKB weights must be shares adding up to 1")


@dataclass(frozen=True)
class PppkRules:
    teknis_maximum: int
    manajerial_sosiokultural_maximum: int
    manajerial_sosiokultural_pass: int
    wawancara_maximum: int
    wawancara_pass: int
    rounds: int
    affirmations: tuple[tuple[Affirmation, Fraction], ...]

    def affirmed_teknis(self, teknis: int, grounds: Iterable[Affirmation]) -> Fraction:
        """Teknis plus each ground's share of the teknis maximum, capped at the maximum."""
        shares = dict(self.affirmations)
        bonus = sum((shares.get(ground, Fraction(0)) for ground in set(grounds)), Fraction(0))
        return min(Fraction(self.teknis_maximum), teknis + self.teknis_maximum * bonus)


@dataclass(frozen=True)
class MitraRules:
    """Mitra statistik: nilai tes kompetensi (0..`test_maximum`, optionally at least
    `test_pass_mark`), plus the points of each preferred criterion met, plus `rating_points` for
    a perfect rating of earlier survey work: a rating r earns rating_points x r / rating_maximum.
    """

    test_maximum: int
    test_pass_mark: int | None
    preference_points: tuple[tuple[PreferenceCode, int], ...]
    rating_maximum: int
    rating_points: int

    def passes(self, test_score: Fraction | int) -> bool:
        """Whether a test score meets the pass mark (always, when the policy has none)."""
        return self.test_pass_mark is None or test_score >= self.test_pass_mark

    def __post_init__(self) -> None:
        if self.test_maximum < 1:
            raise ValueError("the test maximum must be at least 1")
        if self.test_pass_mark is not None and not 0 <= self.test_pass_mark <= self.test_maximum:
            raise ValueError(f"the test pass mark is outside 0..{self.test_maximum}")
        codes = [code for code, _ in self.preference_points]
        if len(set(codes)) != len(codes):
            raise ValueError("two point figures for one preference criterion")
        for code, points in self.preference_points:
            if code not in PREFERENCE_CODES:
                raise ValueError(f"unknown preference criterion {code!r}")
            if points < 0:
                raise ValueError(f"preference criterion {code} has negative points")
        if self.rating_maximum < 1:
            raise ValueError("the rating maximum must be at least 1")
        if self.rating_points < 0:
            raise ValueError("the rating points must not be negative")

    def criterion_points(self, preferences: Iterable[str]) -> int:
        """The points of the criteria met; a criterion the policy does not list earns none."""
        points = dict(self.preference_points)
        return sum(points.get(PreferenceCode(code), 0) for code in set(preferences))

    def rating_share(self, rating: Fraction | None) -> Fraction:
        """rating_points x rating / rating_maximum, exactly; no rating earns nothing."""
        if rating is None:
            return Fraction(0)
        return Fraction(self.rating_points) * Fraction(rating) / self.rating_maximum


@dataclass(frozen=True)
class RankingPolicy:
    code: str
    version: int
    source: str
    note: str
    skd: SkdRules | None
    final: FinalRules | None
    pppk: PppkRules | None
    mitra: MitraRules | None = None

    def __post_init__(self) -> None:
        if self.final is not None and self.skd is None:
            raise ValueError(f"policy {self.code}: the final stage needs the SKD rules")
        if self.final is not None and self.skd is not None:
            self.skd.pass_mark(self.final.optimalisasi_pass_marks)

    @property
    def stages(self) -> tuple[Stage, ...]:
        present = (
            self.skd is not None,
            self.final is not None,
            self.pppk is not None,
            self.mitra is not None,
        )
        return tuple(stage for stage, has in zip(Stage, present, strict=True) if has)

    def skd_rules(self) -> SkdRules:
        if self.skd is None:
            raise LookupError(f"policy {self.code} has no SKD stage")
        return self.skd

    def final_rules(self) -> FinalRules:
        if self.final is None:
            raise LookupError(f"policy {self.code} has no final stage")
        return self.final

    def pppk_rules(self) -> PppkRules:
        if self.pppk is None:
            raise LookupError(f"policy {self.code} has no PPPK stage")
        return self.pppk

    def mitra_rules(self) -> MitraRules:
        if self.mitra is None:
            raise LookupError(f"policy {self.code} has no mitra stage")
        return self.mitra


# Inputs and results --------------------------------------------------------------------------


@dataclass(frozen=True)
class Formation:
    """One formasi; `teknis_pass_mark` (ambang teknis) only for PPPK."""

    code: str
    position: str
    placement_unit: str
    formation_type: str
    quota: int
    teknis_pass_mark: int | None = None


@dataclass(frozen=True, slots=True)
class SkdScore:
    """An absent participant's scores are ignored."""

    participant: str
    formation: str
    present: bool
    twk: int = 0
    tiu: int = 0
    tkp: int = 0


@dataclass(frozen=True, slots=True)
class FinalScore:
    """SKD subtests, SKB on a 0-100 scale, IPK and birth date of one SKB participant."""

    participant: str
    formation: str
    present: bool
    twk: int = 0
    tiu: int = 0
    tkp: int = 0
    skb: Fraction = Fraction(0)
    ipk: Fraction | None = None
    birth_date: date | None = None


@dataclass(frozen=True, slots=True)
class PppkScore:
    participant: str
    formation: str
    round: int
    present: bool
    teknis: int = 0
    manajerial_sosiokultural: int = 0
    wawancara: int = 0
    affirmations: frozenset[Affirmation] = frozenset()


@dataclass(frozen=True, slots=True)
class MitraScore:
    """One mitra applicant: the competence test score, the codes of the preferred criteria met
    (eligibility `PreferenceCode`s) and the rating of earlier survey work, None when there is
    none. An absent participant's scores are ignored."""

    participant: str
    formation: str
    present: bool
    test_score: Fraction = Fraction(0)
    preferences: frozenset[str] = frozenset()
    rating: Fraction | None = None


@dataclass(frozen=True, slots=True)
class SkdResult:
    participant: str
    formation: str
    present: bool
    twk: int
    tiu: int
    tkp: int
    total: int
    rank: int | None
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class FinalResult:
    participant: str
    formation: str
    present: bool
    skd_score: Fraction | None
    skb_score: Fraction | None
    final_score: Fraction | None
    rank: int | None
    outcome: Outcome
    placed_formation: str | None = None
    tied_at_cut: bool = False


@dataclass(frozen=True, slots=True)
class PppkResult:
    participant: str
    formation: str
    present: bool
    round: int | None
    teknis_affirmed: Fraction | None
    total: Fraction | None
    rank: int | None
    outcome: Outcome
    tied_at_cut: bool = False


@dataclass(frozen=True, slots=True)
class MitraResult:
    """`preference_points` are every point added to the test score (criteria and rating), so
    total = test_score + preference_points; `rating_points` is the rating's part of them."""

    participant: str
    formation: str
    present: bool
    test_score: Fraction | None
    preference_points: Fraction | None
    total: Fraction | None
    rank: int | None
    outcome: Outcome
    tied_at_cut: bool = False
    rating_points: Fraction | None = None


# Stages --------------------------------------------------------------------------------------


def rank_skd(
    policy: RankingPolicy, formations: Sequence[Formation], scores: Sequence[SkdScore]
) -> tuple[SkdResult, ...]:
    """Pass marks per formation type, rank by total then TKP, TIU, TWK, cut at 3 x quota."""
    rules = policy.skd_rules()
    by_code = _formations(formations)
    _unique(score.participant for score in scores)
    twk_maximum, tiu_maximum, tkp_maximum = rules.twk_maximum, rules.tiu_maximum, rules.tkp_maximum
    for score in scores:
        if score.formation not in by_code:
            _known(by_code, score.formation, score.participant)
        if score.present and not (
            0 <= score.twk <= twk_maximum
            and 0 <= score.tiu <= tiu_maximum
            and 0 <= score.tkp <= tkp_maximum
        ):
            for subtest, value, maximum in (
                ("twk", score.twk, twk_maximum),
                ("tiu", score.tiu, tiu_maximum),
                ("tkp", score.tkp, tkp_maximum),
            ):
                if not 0 <= value <= maximum:
                    _out_of_range(score.participant, subtest, value, maximum)
    results: list[SkdResult] = []
    for code, group in _grouped(scores, lambda s: s.formation):
        formation = by_code[code]
        mark = rules.pass_mark(formation.formation_type)
        qualified: list[SkdScore] = []
        failed: list[SkdScore] = []
        absent: list[SkdScore] = []
        for score in group:
            if not score.present:
                absent.append(score)
            elif mark.met_by(score.twk, score.tiu, score.tkp):
                qualified.append(score)
            else:
                failed.append(score)
        cut = rules.cut_multiplier * formation.quota
        ranks = _competition_ranks(
            qualified, lambda s: (-(s.twk + s.tiu + s.tkp), -s.tkp, -s.tiu, -s.twk)
        )
        for score, rank in ranks:
            outcome = Outcome.WITHIN_CUT if rank <= cut else Outcome.OUTSIDE_CUT
            results.append(_skd_result(score, rank, outcome))
        results += [_skd_result(s, None, Outcome.FAILED_MARKS) for s in _by_number(failed)]
        results += [_skd_result(s, None, Outcome.ABSENT) for s in _by_number(absent)]
    return tuple(results)


def rank_final(
    policy: RankingPolicy,
    formations: Sequence[Formation],
    scores: Sequence[FinalScore],
    *,
    qualifies: Callable[[str, str], bool] | None = None,
) -> tuple[FinalResult, ...]:
    """Nilai akhir, the top quota per formation pass (L), then optimalisasi (L-2). With
    `qualifies` (participant, seat formation code), an optimalisasi candidate must also hold a
    qualification of the seat's formation."""
    skd_rules, rules = policy.skd_rules(), policy.final_rules()
    by_code = _formations(formations)
    _unique(score.participant for score in scores)
    for score in scores:
        _known(by_code, score.formation, score.participant)
        if score.present and not 0 <= score.skb <= rules.skb_maximum:
            _out_of_range(score.participant, "skb", score.skb, rules.skb_maximum)

    def skd_score(score: FinalScore) -> Fraction:
        return Fraction(score.twk + score.tiu + score.tkp, skd_rules.total_maximum) * 100

    def final_score(score: FinalScore) -> Fraction:
        return rules.skd_weight * skd_score(score) + rules.skb_weight * score.skb

    def order(score: FinalScore) -> tuple[object, ...]:
        return (
            -final_score(score),
            -(score.twk + score.tiu + score.tkp),
            -score.tkp,
            -score.tiu,
            -score.twk,
            -(score.ipk if score.ipk is not None else Fraction(-1)),
            score.birth_date or date.max,
        )

    rows: dict[str, FinalResult] = {}
    ranked: dict[str, tuple[tuple[object, ...], FinalScore]] = {}
    for code, group in _grouped(scores, lambda s: s.formation):
        present = [s for s in group if s.present]
        for score in present:
            ranked[score.participant] = (order(score), score)
        ranks = _competition_ranks(present, lambda s: ranked[s.participant][0])
        tied = _tied_at_cut(ranks, by_code[code].quota)
        for position, (score, rank) in enumerate(ranks):
            passed = position < by_code[code].quota
            rows[score.participant] = FinalResult(
                participant=score.participant,
                formation=score.formation,
                present=True,
                skd_score=skd_score(score),
                skb_score=score.skb,
                final_score=final_score(score),
                rank=rank,
                outcome=Outcome.PASSED if passed else Outcome.NOT_PASSED,
                tied_at_cut=rank in tied,
            )
        for score in _by_number([s for s in group if not s.present]):
            rows[score.participant] = FinalResult(
                score.participant, score.formation, False, None, None, None, None, Outcome.ABSENT
            )
    if rules.optimalisasi:
        mark = skd_rules.pass_mark(rules.optimalisasi_pass_marks)
        filled: dict[str, int] = {}
        for row in rows.values():
            if row.outcome is Outcome.PASSED:
                filled[row.formation] = filled.get(row.formation, 0) + 1
        candidates = sorted(
            (
                (key, participant, score.formation)
                for participant, (key, score) in ranked.items()
                if rows[participant].outcome is Outcome.NOT_PASSED
                and mark.met_by(score.twk, score.tiu, score.tkp)
            ),
            key=_first_two,
        )
        for participant, code in optimalisasi_placements(
            rules, by_code, filled, ((p, f) for _, p, f in candidates), qualifies
        ):
            rows[participant] = replace(
                rows[participant], outcome=Outcome.PASSED_OPTIMALISASI, placed_formation=code
            )
    return tuple(rows.values())


def optimalisasi_placements(
    rules: FinalRules,
    by_code: Mapping[str, Formation],
    filled: Mapping[str, int],
    candidates: Iterable[tuple[str, str]],
    qualifies: Callable[[str, str], bool] | None,
) -> list[tuple[str, str]]:
    """(participant, seat formation code) in placement order. `candidates` are (participant,
    own formation code) of every present, ranked, not-passed (TL) participant who met the
    optimalisasi pass marks, best first (the final ranking order across formations, then
    participant number); `filled` counts the passes (L) per formation code.

    Formations are visited in code order and each empty seat (quota - filled) is taken by the
    best candidate not yet placed whom `OptimalisasiPool.best` allows; a seat nobody may take
    ends its formation. Both the object engine (`rank_final`) and the columnar one call this,
    so they cannot place differently."""
    placed: set[str] = set()
    pool = OptimalisasiPool(
        rules, by_code, candidates, qualifies, lambda participant: participant not in placed
    )
    placements: list[tuple[str, str]] = []
    for code in sorted(by_code):
        for _ in range(by_code[code].quota - filled.get(code, 0)):
            chosen = pool.best(code)
            if chosen is None:
                break
            participant = pool.candidates[chosen][0]
            placed.add(participant)
            placements.append((participant, code))
    return placements


class OptimalisasiPool:
    """Optimalisasi candidates, best first, searched seat by seat without rescanning everyone.

    `may_fill` looks only at the normalised position and the formation types, so candidates
    are grouped by the (normalised position, formation type) of their own formation, each group
    best first, and a seat draws from the heads of the groups it may fill from. A candidate
    who is no longer `available` (placed, passed, withdrawn) is passed over for good by every
    seat (next pointers with path compression); one of the seat's own formation or refused
    by `qualifies` is passed over for that seat's formation only, whose next search resumes
    where the last one stopped. Both rest on what holds for the ranking rules: a candidate who
    stops being available never becomes available again, and `qualifies` gives the same answer
    for the same pair. `qualifies` is asked in best-first order, so it is asked about the
    winner and never about anyone after them."""

    def __init__(
        self,
        rules: FinalRules,
        by_code: Mapping[str, Formation],
        candidates: Iterable[tuple[str, str]],
        qualifies: Callable[[str, str], bool] | None,
        available: Callable[[str], bool],
    ) -> None:
        self.candidates = list(candidates)
        self._rules = rules
        self._by_code = by_code
        self._qualifies = qualifies
        self._available = available
        group_of: dict[str, tuple[str, str]] = {}
        groups: dict[tuple[str, str], list[int]] = {}
        for index, (participant, code) in enumerate(self.candidates):
            key = group_of.get(code)
            if key is None:
                formation = _known(by_code, code, participant)
                key = (normalise_position(formation.position), formation.formation_type)
                group_of[code] = key
            groups.setdefault(key, []).append(index)
        self._members = list(groups.values())
        self._next = [list(range(len(members) + 1)) for members in self._members]
        self._groups_at: dict[str, list[tuple[int, Formation]]] = {}
        for group, (key, members) in enumerate(groups.items()):
            source = by_code[self.candidates[members[0]][1]]
            self._groups_at.setdefault(key[0], []).append((group, source))
        self._resume: dict[str, dict[int, int]] = {}

    def best(self, seat: str, before: int | None = None) -> int | None:
        """The index in `candidates` of the best available candidate of another formation
        whom `may_fill` and `qualifies` allow in a seat of formation `seat`, among the first
        `before` candidates (all when None); None when there is nobody."""
        resume = self._resume.get(seat)
        if resume is None:
            formation = self._by_code[seat]
            resume = {
                group: 0
                for group, source in self._groups_at.get(normalise_position(formation.position), [])
                if may_fill(self._rules, formation, source)
            }
            self._resume[seat] = resume
        limit = len(self.candidates) if before is None else before
        while True:
            chosen_group, chosen = -1, limit
            for group, start in resume.items():
                position = self._skip(group, start, seat)
                resume[group] = position
                members = self._members[group]
                if position < len(members) and members[position] < chosen:
                    chosen_group, chosen = group, members[position]
            if chosen_group < 0:
                return None
            if self._qualifies is None or self._qualifies(self.candidates[chosen][0], seat):
                return chosen
            resume[chosen_group] += 1

    def _skip(self, group: int, position: int, seat: str) -> int:
        """The first position from `position` on in `group` of an available candidate who is
        not of formation `seat` (the group's length when there is none)."""
        members = self._members[group]
        position = self._next_available(group, position)
        while position < len(members) and self.candidates[members[position]][1] == seat:
            position = self._next_available(group, position + 1)
        return position

    def _next_available(self, group: int, position: int) -> int:
        members, parent = self._members[group], self._next[group]
        root = position
        while True:
            while parent[root] != root:
                root = parent[root]
            if root == len(members) or self._available(self.candidates[members[root]][0]):
                break
            parent[root] = root + 1
        while position != root:
            following = parent[position]
            parent[position] = root
            position = following
        return root


def may_fill(rules: FinalRules, seat: Formation, source: Formation) -> bool:
    if normalise_position(seat.position) != normalise_position(source.position):
        return False
    if seat.formation_type == UMUM or seat.formation_type == source.formation_type:
        return True
    return rules.special_from_umum and source.formation_type == UMUM


def rank_pppk(
    policy: RankingPolicy, formations: Sequence[Formation], scores: Sequence[PppkScore]
) -> tuple[PppkResult, ...]:
    """Affirmation, pass marks, the best of up to three rounds, the top quota pass."""
    rules = policy.pppk_rules()
    by_code = _formations(formations)
    _unique(f"{score.participant}\x00{score.round}" for score in scores)
    formation_of: dict[str, str] = {}
    for score in scores:
        formation = _known(by_code, score.formation, score.participant)
        if formation.teknis_pass_mark is None:
            raise RankingDataError(
                RankingProblem.NO_TEKNIS_THRESHOLD,
                f"formation {formation.code} has no teknis pass mark",
                formation=formation.code,
            )
        if formation_of.setdefault(score.participant, score.formation) != score.formation:
            raise RankingDataError(
                RankingProblem.TWO_FORMATIONS,
                f"{score.participant} appears in two formations",
                participant=score.participant,
            )
        if not 1 <= score.round <= rules.rounds:
            raise RankingDataError(
                RankingProblem.ROUND_OUT_OF_RANGE,
                f"{score.participant}: round {score.round} outside 1..{rules.rounds}",
                participant=score.participant,
                round=score.round,
                rounds=rules.rounds,
            )
        for part, value, maximum in (
            ("teknis", score.teknis, rules.teknis_maximum),
            (
                "manajerial_sosiokultural",
                score.manajerial_sosiokultural,
                rules.manajerial_sosiokultural_maximum,
            ),
            ("wawancara", score.wawancara, rules.wawancara_maximum),
        ):
            if score.present and not 0 <= value <= maximum:
                _out_of_range(score.participant, part, value, maximum)

    @dataclass(frozen=True)
    class Attempt:
        score: PppkScore
        teknis: Fraction
        total: Fraction
        met: bool

    def attempt(score: PppkScore) -> Attempt:
        teknis = rules.affirmed_teknis(score.teknis, score.affirmations)
        pass_mark = by_code[score.formation].teknis_pass_mark or 0
        met = (
            teknis >= pass_mark
            and score.manajerial_sosiokultural >= rules.manajerial_sosiokultural_pass
            and score.wawancara >= rules.wawancara_pass
        )
        total = teknis + score.manajerial_sosiokultural + score.wawancara
        return Attempt(score, teknis, total, met)

    def row(best: Attempt, rank: int | None, outcome: Outcome, tied: bool) -> PppkResult:
        s = best.score
        return PppkResult(
            s.participant, s.formation, True, s.round, best.teknis, best.total, rank, outcome, tied
        )

    results: list[PppkResult] = []
    for code, group in _grouped(scores, lambda s: s.formation):
        best: list[Attempt] = []
        absent: list[PppkScore] = []
        for _, rounds in _grouped(group, lambda s: s.participant):
            attempts = [attempt(s) for s in rounds if s.present]
            if attempts:
                best.append(min(attempts, key=lambda a: (not a.met, -a.total, a.score.round)))
            else:
                absent.append(min(rounds, key=lambda s: s.round))
        qualified = [a for a in best if a.met]
        ranks = _competition_ranks(
            qualified,
            lambda a: (-a.total, -a.teknis, -a.score.manajerial_sosiokultural, -a.score.wawancara),
        )
        tied = _tied_at_cut(ranks, by_code[code].quota)
        for position, (chosen, rank) in enumerate(ranks):
            outcome = Outcome.PASSED if position < by_code[code].quota else Outcome.NOT_PASSED
            results.append(row(chosen, rank, outcome, rank in tied))
        failed = sorted((a for a in best if not a.met), key=lambda a: a.score.participant)
        results += [row(a, None, Outcome.NOT_PASSED, False) for a in failed]
        results += [
            PppkResult(s.participant, s.formation, False, None, None, None, None, Outcome.ABSENT)
            for s in _by_number(absent)
        ]
    return tuple(results)


def rank_mitra(
    policy: RankingPolicy, formations: Sequence[Formation], scores: Sequence[MitraScore]
) -> tuple[MitraResult, ...]:
    """Test score plus preference and rating points; the top quota per formation are L."""
    rules = policy.mitra_rules()
    by_code = _formations(formations)
    _unique(score.participant for score in scores)
    for score in scores:
        _known(by_code, score.formation, score.participant)
        unknown = sorted(str(code) for code in score.preferences if code not in PREFERENCE_CODES)
        if unknown:
            raise RankingDataError(
                RankingProblem.UNKNOWN_PREFERENCE,
                f"{score.participant}: unknown preference {', '.join(unknown)}",
                participant=score.participant,
                preferences=", ".join(unknown),
            )
        if not score.present:
            continue
        for part, value, maximum in (
            ("test score", score.test_score, rules.test_maximum),
            ("rating", score.rating, rules.rating_maximum),
        ):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | Fraction):
                raise RankingDataError(
                    RankingProblem.SCORE_NOT_EXACT,
                    f"{score.participant}: {part} {value!r} is not exact",
                    participant=score.participant,
                    part=part,
                    value=repr(value),
                )
            if not 0 <= value <= maximum:
                _out_of_range(score.participant, part, value, maximum)

    def points(score: MitraScore) -> tuple[Fraction, Fraction]:
        """Every point added to the test score, and the rating's part of them."""
        rating = rules.rating_share(score.rating)
        return rules.criterion_points(score.preferences) + rating, rating

    def row(score: MitraScore, rank: int | None, outcome: Outcome, tied: bool) -> MitraResult:
        (added, rating), test = points(score), Fraction(score.test_score)
        return MitraResult(
            score.participant,
            score.formation,
            True,
            test,
            added,
            test + added,
            rank,
            outcome,
            tied,
            rating,
        )

    def order(score: MitraScore) -> tuple[object, ...]:
        return (-(score.test_score + points(score)[0]), -score.test_score)

    results: list[MitraResult] = []
    for code, group in _grouped(scores, lambda s: s.formation):
        present = [s for s in group if s.present]
        qualified = [s for s in present if rules.passes(s.test_score)]
        ranks = _competition_ranks(qualified, order)
        quota = by_code[code].quota
        tied = _tied_at_cut(ranks, quota)
        for position, (score, rank) in enumerate(ranks):
            outcome = Outcome.PASSED if position < quota else Outcome.NOT_PASSED
            results.append(row(score, rank, outcome, rank in tied))
        ranked = {score.participant for score in qualified}
        failed = [s for s in present if s.participant not in ranked]
        results += [row(s, None, Outcome.NOT_PASSED, False) for s in _by_number(failed)]
        results += [
            MitraResult(s.participant, s.formation, False, None, None, None, None, Outcome.ABSENT)
            for s in _by_number([s for s in group if not s.present])
        ]
    return tuple(results)


def committee_notes(
    results: Iterable[SkdResult | FinalResult | PppkResult | MitraResult],
) -> list[str]:
    """What the committee must look at, in Bahasa Indonesia, as both `seleksi rank-file` and
    `seleksi rank` print it: optimalisasi placements first, then ties at the quota."""
    results = list(results)
    placements = [
        f"optimalisasi: {result.participant} ({result.formation}) "
        f"mengisi formasi {result.placed_formation}"
        for result in results
        if isinstance(result, FinalResult) and result.placed_formation
    ]
    ties = [
        f"perhatian: {result.participant} ({result.formation}) seri pada batas kuota, "
        f"peringkat {result.rank}; kode {result.outcome} perlu dikonfirmasi panitia"
        for result in results
        if not isinstance(result, SkdResult) and result.tied_at_cut
    ]
    return placements + ties


# Helpers -------------------------------------------------------------------------------------


def normalise_position(position: str) -> str:
    """Jabatan as optimalisasi compares it: case and runs of spaces do not matter."""
    return re.sub(r"\s+", " ", position).strip().casefold()


def format_score(value: Fraction | int) -> str:
    """Three decimals, rounded half up (away from zero) on the exact value."""
    value = Fraction(value)
    sign = "-" if value < 0 else ""
    thousandths = (abs(value) * 1000 + Fraction(1, 2)).__floor__()
    return f"{sign}{thousandths // 1000}.{thousandths % 1000:03d}"


def _formations(formations: Sequence[Formation]) -> dict[str, Formation]:
    by_code: dict[str, Formation] = {}
    for formation in formations:
        if formation.code in by_code:
            raise RankingDataError(
                RankingProblem.DUPLICATE_FORMATION,
                f"formation {formation.code} appears twice",
                formation=formation.code,
            )
        if formation.quota < 0:
            raise RankingDataError(
                RankingProblem.NEGATIVE_QUOTA,
                f"formation {formation.code} has a negative quota",
                formation=formation.code,
            )
        by_code[formation.code] = formation
    return by_code


def _known(by_code: Mapping[str, Formation], code: str, participant: str) -> Formation:
    if code not in by_code:
        raise RankingDataError(
            RankingProblem.UNKNOWN_FORMATION,
            f"{participant}: unknown formation {code}",
            participant=participant,
            formation=code,
        )
    return by_code[code]


def _unique(keys: Iterable[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            participant, _, round_ = key.partition("\x00")
            raise RankingDataError(
                RankingProblem.DUPLICATE_PARTICIPANT,
                f"participant {key.replace(chr(0), ' round ')} appears twice",
                participant=participant,
                round=round_,
            )
        seen.add(key)


def _out_of_range(participant: str, part: str, value: object, maximum: object) -> NoReturn:
    raise RankingDataError(
        RankingProblem.SCORE_OUT_OF_RANGE,
        f"{participant}: {part} {value} outside 0..{maximum}",
        participant=participant,
        part=part,
        value=value,
        maximum=maximum,
    )


def _grouped[T](items: Iterable[T], key: Callable[[T], str]) -> list[tuple[str, list[T]]]:
    groups: dict[str, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return sorted(groups.items())


def _by_number[T: SkdScore | FinalScore | PppkScore | MitraScore](items: list[T]) -> list[T]:
    return sorted(items, key=lambda item: item.participant)


def _competition_ranks[T](
    items: Sequence[T], order: Callable[[T], tuple[object, ...]]
) -> list[tuple[T, int]]:
    """Sorted by `order`, then participant number; equal keys share the first position's rank."""
    keyed = sorted(((order(item), _participant(item), item) for item in items), key=_first_two)
    ranks: list[tuple[T, int]] = []
    previous: tuple[object, ...] | None = None
    rank = 0
    for position, (key, _, item) in enumerate(keyed, start=1):
        if key != previous:
            rank, previous = position, key
        ranks.append((item, rank))
    return ranks


def _first_two(entry: tuple[tuple[object, ...], str, object]) -> tuple[object, ...]:
    return (entry[0], entry[1])


def _participant(item: object) -> str:
    score = getattr(item, "score", item)
    participant = getattr(score, "participant", "")
    return str(participant)


def _tied_at_cut[T](ranks: Sequence[tuple[T, int]], quota: int) -> set[int]:
    """The rank shared across the quota boundary, if any."""
    if 0 < quota < len(ranks) and ranks[quota - 1][1] == ranks[quota][1]:
        return {ranks[quota][1]}
    return set()


def _skd_result(score: SkdScore, rank: int | None, outcome: Outcome) -> SkdResult:
    if not score.present:
        return SkdResult(score.participant, score.formation, False, 0, 0, 0, 0, None, outcome)
    total = score.twk + score.tiu + score.tkp
    return SkdResult(
        score.participant,
        score.formation,
        True,
        score.twk,
        score.tiu,
        score.tkp,
        total,
        rank,
        outcome,
    )


# Policies as data ----------------------------------------------------------------------------


def ranking_policy_codes() -> tuple[str, ...]:
    """The codes of the policies shipped in `policies/ranking/`, sorted."""
    return shipped_codes(POLICY_PACKAGE)


@cache
def load_ranking_policy(code: str) -> RankingPolicy:
    """The shipped policy `policies/ranking/<code>.json`; a LookupError for a code not shipped."""
    policy = ranking_policy_from_dict(read_policy(POLICY_PACKAGE, code, "ranking"))
    if policy.code != code:
        raise ValueError(f"{code}.json holds the policy {policy.code!r}")
    return policy


def ranking_policy_from_dict(data: object) -> RankingPolicy:
    """Read a policy from JSON data; shares are decimals written as text ("0.15"). Anything
    unexpected is a ValueError that says where it is."""
    fields = _object(
        data, "policy", ("code", "version", "source"), ("note", "skd", "final", "pppk", "mitra")
    )
    skd = _skd(fields["skd"]) if "skd" in fields else None
    final = _final(fields["final"]) if "final" in fields else None
    pppk = _pppk(fields["pppk"]) if "pppk" in fields else None
    mitra = _mitra(fields["mitra"]) if "mitra" in fields else None
    return RankingPolicy(
        code=_text(fields["code"], "code"),
        version=_whole(fields["version"], "version"),
        source=_text(fields["source"], "source"),
        note=_text(fields.get("note", ""), "note"),
        skd=skd,
        final=final,
        pppk=pppk,
        mitra=mitra,
    )


def _skd(value: object) -> SkdRules:
    fields = _object(value, "skd", ("maxima", "pass_marks", "cut_multiplier"))
    maxima = _object(fields["maxima"], "skd.maxima", ("twk", "tiu", "tkp"))
    marks = _object(fields["pass_marks"], "skd.pass_marks")
    pass_marks = []
    for kind, mark in marks.items():
        where = f"skd.pass_marks.{kind}"
        parts = _object(mark, where, ("total",), ("twk", "tiu", "tkp"))
        subtests = [
            _whole(parts[name], f"{where}.{name}") if name in parts else None
            for name in ("twk", "tiu", "tkp")
        ]
        total = _whole(parts["total"], f"{where}.total")
        pass_marks.append((kind, PassMark(subtests[0], subtests[1], subtests[2], total)))
    return SkdRules(
        twk_maximum=_whole(maxima["twk"], "skd.maxima.twk"),
        tiu_maximum=_whole(maxima["tiu"], "skd.maxima.tiu"),
        tkp_maximum=_whole(maxima["tkp"], "skd.maxima.tkp"),
        pass_marks=tuple(pass_marks),
        cut_multiplier=_whole(fields["cut_multiplier"], "skd.cut_multiplier"),
    )


def _final(value: object) -> FinalRules:
    keys = (
        "skd_weight",
        "skb_weight",
        "skb_maximum",
        "optimalisasi",
        "optimalisasi_pass_marks",
        "special_from_umum",
    )
    fields = _object(value, "final", keys)
    return FinalRules(
        skd_weight=_share(fields["skd_weight"], "final.skd_weight"),
        skb_weight=_share(fields["skb_weight"], "final.skb_weight"),
        skb_maximum=_whole(fields["skb_maximum"], "final.skb_maximum"),
        optimalisasi=_flag(fields["optimalisasi"], "final.optimalisasi"),
        optimalisasi_pass_marks=_text(
            fields["optimalisasi_pass_marks"], "final.optimalisasi_pass_marks"
        ),
        special_from_umum=_flag(fields["special_from_umum"], "final.special_from_umum"),
    )


def _pppk(value: object) -> PppkRules:
    keys = (
        "teknis_maximum",
        "manajerial_sosiokultural_maximum",
        "manajerial_sosiokultural_pass",
        "wawancara_maximum",
        "wawancara_pass",
        "rounds",
        "affirmations",
    )
    fields = _object(value, "pppk", keys)
    shares = _object(fields["affirmations"], "pppk.affirmations")
    affirmations = []
    for ground, share in shares.items():
        if ground not in Affirmation.__members__.values():
            raise ValueError(f"pppk.affirmations: unknown ground {ground!r}")
        affirmations.append((Affirmation(ground), _share(share, f"pppk.affirmations.{ground}")))
    whole = {key: _whole(fields[key], f"pppk.{key}") for key in keys[:-1]}
    return PppkRules(**whole, affirmations=tuple(affirmations))


def _mitra(value: object) -> MitraRules:
    fields = _object(
        value,
        "mitra",
        ("test_maximum", "preference_points", "rating_maximum", "rating_points"),
        ("test_pass_mark",),
    )
    points = _object(fields["preference_points"], "mitra.preference_points")
    preference_points = []
    for code, figure in points.items():
        if code not in PREFERENCE_CODES:
            known = ", ".join(PreferenceCode)
            raise ValueError(f"mitra.preference_points: unknown criterion {code!r}; known: {known}")
        preference_points.append(
            (PreferenceCode(code), _whole(figure, f"mitra.preference_points.{code}"))
        )
    test_maximum = _whole(fields["test_maximum"], "mitra.test_maximum")
    test_pass_mark = (
        _whole(fields["test_pass_mark"], "mitra.test_pass_mark")
        if "test_pass_mark" in fields
        else None
    )
    rating_maximum = _whole(fields["rating_maximum"], "mitra.rating_maximum")
    rating_points = _whole(fields["rating_points"], "mitra.rating_points")
    try:
        return MitraRules(
            test_maximum, test_pass_mark, tuple(preference_points), rating_maximum, rating_points
        )
    except ValueError as error:
        raise ValueError(f"mitra: {error}") from error


def _object(
    value: object, where: str, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()
) -> Mapping[str, object]:
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise ValueError(f"{where}: expected an object")
    if required or optional:
        missing = [key for key in required if key not in value]
        unknown = sorted(set(value) - set(required) - set(optional))
        if missing:
            raise ValueError(f"{where}: missing {', '.join(missing)}")
        if unknown:
            raise ValueError(f"{where}: unknown {', '.join(unknown)}")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{where}: expected text")
    return value


def _whole(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{where}: expected a whole number")
    return value


def _flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{where}: expected true or false")
    return value


def _share(value: object, where: str) -> Fraction:
    if not isinstance(value, str):
        raise ValueError(f'{where}: expected a decimal written as text, e.g. "0.15"')
    try:
        share = Fraction(Decimal(value))
    except (ArithmeticError, ValueError) as error:
        raise ValueError(f"{where}: {value!r} is not a decimal") from error
    if not 0 <= share <= 1:
        raise ValueError(f"{where}: {value} is not a share between 0 and 1")
    return share
