"""What a ranking refusal or note says to the committee, in the reader's language.

Refusals travel as `Refusal`s (a code and its values) until they are shown: a ranking that
fails on the task worker is stored in the audit trail as codes, so the runs page words it in
the language of whoever reads it, not the worker's. Codes come from the engines
(`rules.problems.RankingProblem`) or from reading the database (`InputProblem`).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from seleksi.rules.problems import RankingDataError, RankingProblem


class InputProblem(StrEnum):
    """What the stored data lacks for a ranking; the values each message needs in brackets."""

    NO_SCORES = "no_scores"  # selection, stage
    INCOMPLETE_SKD = "incomplete_skd"  # participant
    SKB_WITHOUT_SKD = "skb_without_skd"  # participant
    SKB_MISSING = "skb_missing"  # participant
    TEST_MISSING = "test_missing"  # participant
    NO_QUOTA = "no_quota"  # formation
    NO_MITRA_QUOTA = "no_mitra_quota"  # formation
    STAGE_UNAVAILABLE = "stage_unavailable"
    UNKNOWN_POLICY = "unknown_policy"  # policy, policies
    POLICY_WITHOUT_STAGE = "policy_without_stage"  # policy, stage, stages
    ENGINE = "engine"  # detail: a refusal the engine gave without a code


MESSAGES: dict[str, Promise] = {
    InputProblem.NO_SCORES: gettext_lazy(
        "The selection %(selection)s has no %(stage)s scores yet."
    ),
    InputProblem.INCOMPLETE_SKD: gettext_lazy(
        "Participant %(participant)s was present at the SKD but their scores are incomplete."
    ),
    InputProblem.SKB_WITHOUT_SKD: gettext_lazy(
        "Participant %(participant)s has an SKB score but no SKD score."
    ),
    InputProblem.SKB_MISSING: gettext_lazy(
        "Participant %(participant)s was present at the SKB but has no SKB score."
    ),
    InputProblem.TEST_MISSING: gettext_lazy(
        "Participant %(participant)s was present at the test but has no test score."
    ),
    InputProblem.NO_QUOTA: gettext_lazy("Formation %(formation)s has no quota."),
    InputProblem.NO_MITRA_QUOTA: gettext_lazy(
        "Formation %(formation)s has no quota: set the number of partners to accept as the "
        "formation's quota before ranking."
    ),
    InputProblem.STAGE_UNAVAILABLE: gettext_lazy(
        "Ranking this stage on stored scores is not available yet."
    ),
    InputProblem.UNKNOWN_POLICY: gettext_lazy(
        "There is no ranking policy “%(policy)s”; the policies are: %(policies)s"
    ),
    InputProblem.POLICY_WITHOUT_STAGE: gettext_lazy(
        "The policy %(policy)s has no stage %(stage)s; it has: %(stages)s"
    ),
    InputProblem.ENGINE: gettext_lazy("The ranking engine refused the data: %(detail)s"),
    RankingProblem.SCORE_OUT_OF_RANGE: gettext_lazy(
        "Participant %(participant)s: %(part)s %(value)s is outside 0..%(maximum)s."
    ),
    RankingProblem.SCORE_NOT_EXACT: gettext_lazy(
        "Participant %(participant)s: %(part)s %(value)s is not an exact figure."
    ),
    RankingProblem.ROUND_OUT_OF_RANGE: gettext_lazy(
        "Participant %(participant)s: round %(round)s is outside 1..%(rounds)s."
    ),
    RankingProblem.NO_SKD_THRESHOLD: gettext_lazy(
        "The ranking policy has no SKD pass mark for the formation type “%(formation_type)s”."
    ),
    RankingProblem.NO_TEKNIS_THRESHOLD: gettext_lazy(
        "Formation %(formation)s has no technical pass mark (column ambang_teknis)."
    ),
    RankingProblem.TWO_FORMATIONS: gettext_lazy(
        "Participant %(participant)s has scores in two formations."
    ),
    RankingProblem.UNKNOWN_PREFERENCE: gettext_lazy(
        "Participant %(participant)s: unknown preference %(preferences)s."
    ),
    RankingProblem.DUPLICATE_FORMATION: gettext_lazy(
        "Formation %(formation)s appears twice in the ranking data."
    ),
    RankingProblem.NEGATIVE_QUOTA: gettext_lazy("Formation %(formation)s has a negative quota."),
    RankingProblem.UNKNOWN_FORMATION: gettext_lazy(
        "Formation %(formation)s is not among the formations of this ranking."
    ),
    RankingProblem.DUPLICATE_PARTICIPANT: gettext_lazy(
        "Participant %(participant)s appears twice in the ranking data."
    ),
    RankingProblem.NOTE_REQUIRED: gettext_lazy(
        "Write a note on the withdrawal of participant %(participant)s."
    ),
    RankingProblem.NOT_IN_RESULTS: gettext_lazy(
        "Participant number %(participant)s is not in this ranking."
    ),
    RankingProblem.ALREADY_LEFT: gettext_lazy(
        "Participant %(participant)s has already been recorded as leaving (%(reason)s)."
    ),
    RankingProblem.FORMATIONS_NEEDED: gettext_lazy(
        "Optimalisasi needs the formations this ranking was made with."
    ),
    RankingProblem.NOT_FINAL_CODE: gettext_lazy(
        "Participant %(participant)s has the code %(outcome)s, which is not a final-stage code."
    ),
    RankingProblem.PLACEMENT_MISSING: gettext_lazy(
        "Participant %(participant)s is coded L-2 without the formation they fill."
    ),
    RankingProblem.NO_SCORES_FOR_OPTIMALISASI: gettext_lazy(
        "Participant %(participant)s has no stored scores for optimalisasi."
    ),
    RankingProblem.OVER_QUOTA: gettext_lazy(
        "Formation %(formation)s has %(count)s passes for a quota of %(quota)s; "
        "check the quota against this ranking."
    ),
}


@dataclass(frozen=True)
class Refusal:
    """One reason a ranking or a replacement cannot go ahead, worded when shown."""

    code: str
    values: Mapping[str, str] = field(default_factory=dict)

    @property
    def message(self) -> str:
        template = MESSAGES.get(self.code)
        if template is None:
            return _("The ranking cannot go ahead (%(code)s).") % {"code": self.code}
        return str(template) % dict(self.values) if self.values else str(template)

    def as_data(self) -> dict[str, Any]:
        """For the audit trail's JSON details."""
        return {"code": str(self.code), "values": dict(self.values)}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> "Refusal":
        return cls(
            str(data.get("code", "")), {k: str(v) for k, v in data.get("values", {}).items()}
        )


def refusal(code: str, **values: object) -> Refusal:
    return Refusal(code, {name: str(value) for name, value in values.items()})


def engine_refusal(error: Exception) -> Refusal:
    """The engine's refusal with its code; an error without one keeps its text as the detail."""
    if isinstance(error, RankingDataError):
        return Refusal(error.code, error.values)
    return refusal(InputProblem.ENGINE, detail=error)


def placement_note(*, number: str, formation: str, placed: str) -> str:
    return _("Optimalisasi: %(number)s (%(formation)s) fills formation %(placed)s.") % {
        "number": number,
        "formation": formation,
        "placed": placed,
    }


def tie_note(*, number: str, formation: str, rank: object, code: str) -> str:
    return _(
        "Tie at the quota: %(number)s (%(formation)s), rank %(rank)s; code %(code)s "
        "must be confirmed by the committee."
    ) % {"number": number, "formation": formation, "rank": rank, "code": code}
