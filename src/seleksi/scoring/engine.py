"""The ranking engine behind a stage code, for every way of ranking: `seleksi rank` and the
committee's runs page (through `ranking_runs`) and `seleksi rank-file`.

One place says which stage codes there are (skd, akhir, pppk, mitra), whether a policy ranks a
stage, and which engine of `seleksi.rules.ranking` ranks it, with one set of refusals
(`messages.InputProblem`), so the database and the files are ranked and refused alike.
"""

from collections.abc import Callable, Sequence

from seleksi.core.errors import ServiceRefused
from seleksi.rules.ranking import (
    FinalResult,
    FinalScore,
    Formation,
    MitraResult,
    MitraScore,
    PppkResult,
    PppkScore,
    RankingPolicy,
    SkdResult,
    SkdScore,
    Stage,
    load_ranking_policy,
    rank_final,
    rank_mitra,
    rank_pppk,
    rank_skd,
    ranking_policy_codes,
)

from .messages import InputProblem, Refusal, refusal

type Score = SkdScore | FinalScore | PppkScore | MitraScore
type Result = SkdResult | FinalResult | PppkResult | MitraResult


class RankingInputError(ServiceRefused):
    """The data cannot be ranked as it stands. `refusals` say why as codes (one per problem
    found, often many); `texts` word them in the active language, for the committee, and
    `message` joins them, as every service refusal's message is shown."""

    def __init__(self, refusals: Sequence[Refusal]) -> None:
        super().__init__("ranking_input")
        self.refusals = tuple(refusals)

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(refusal.message for refusal in self.refusals)

    @property
    def message(self) -> str:
        return "; ".join(self.texts)


class RankingPolicyError(RankingInputError, LookupError):
    """There is no such ranking policy, or it cannot rank the stage."""


def ranking_stage(code: Stage | str) -> Stage:
    """The stage a code names; a RankingInputError when no engine ranks it."""
    try:
        return Stage(code)
    except ValueError as error:
        raise RankingInputError([refusal(InputProblem.STAGE_UNAVAILABLE)]) from error


def ranking_policy_for(stage: Stage, code: str) -> RankingPolicy:
    """The shipped policy `code`; a RankingPolicyError (a LookupError) when there is none or it
    cannot rank `stage`."""
    try:
        policy = load_ranking_policy(code)
    except LookupError as error:
        raise RankingPolicyError(
            [
                refusal(
                    InputProblem.UNKNOWN_POLICY,
                    policy=code,
                    policies=", ".join(ranking_policy_codes()),
                )
            ]
        ) from error
    if stage not in policy.stages:
        raise RankingPolicyError(
            [
                refusal(
                    InputProblem.POLICY_WITHOUT_STAGE,
                    policy=policy.code,
                    stage=stage,
                    stages=", ".join(policy.stages),
                )
            ]
        )
    return policy


def rank_stage(
    policy: RankingPolicy,
    stage: Stage,
    formations: Sequence[Formation],
    scores: Sequence[Score],
    *,
    qualifies: Callable[[str, str], bool] | None = None,
) -> Sequence[Result]:
    """The stage's engine on the inputs. `qualifies` (participant, seat formation code) is the
    final stage's qualification check for optimalisasi; file mode has none. The engines raise
    ValueError or LookupError on data they refuse."""
    if stage is Stage.SKD:
        return rank_skd(policy, formations, [s for s in scores if isinstance(s, SkdScore)])
    if stage is Stage.FINAL:
        final_scores = [s for s in scores if isinstance(s, FinalScore)]
        return rank_final(policy, formations, final_scores, qualifies=qualifies)
    if stage is Stage.PPPK:
        return rank_pppk(policy, formations, [s for s in scores if isinstance(s, PppkScore)])
    return rank_mitra(policy, formations, [s for s in scores if isinstance(s, MitraScore)])
