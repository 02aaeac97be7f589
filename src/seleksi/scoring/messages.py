"""What a ranking refusal or note, or a problem in a score file, says to the committee, in the
reader's language.

Refusals travel as `Refusal`s (a code and its values) until they are shown: a ranking that
fails on the task worker is stored in the audit trail as codes, so the runs page words it in
the language of whoever reads it, not the worker's. Codes come from the engines
(`rules.problems.RankingProblem`) or from reading the database (`InputProblem`).

Score files (NILAI.csv, FORMASI.csv and the CAT exports, read by `rules.score_files` for
`seleksi import-scores` and `seleksi rank-file`) are worded by `describe_score_problem`, one
"line N, column X: what is wrong" per problem.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from seleksi.rules.problems import RankingDataError, RankingProblem
from seleksi.rules.score_files import FileProblem, Problem

SHOWN_VALUE_LENGTH = 40
WHEN_FORMAT = "j F Y H:i"
"""How a message writes a moment: the month by name, as the pages do ("4 Desember 2026 10:05"
in Indonesian), never the locale's abbreviated or ISO form."""


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
    SESSION_OPEN = "session_open"  # session, stage
    PRESENT_WITHOUT_SCORE = "present_without_score"  # participant, stage


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
    InputProblem.SESSION_OPEN: gettext_lazy(
        "Test session %(session)s (%(stage)s) is not closed yet: close it after the test, so "
        "that whoever did not come counts as absent (TH), then rank."
    ),
    InputProblem.PRESENT_WITHOUT_SCORE: gettext_lazy(
        "Participant %(participant)s was checked in at the %(stage)s but has no score yet: "
        "import the scores first."
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


def when(moment: datetime) -> str:
    """`moment` in the local time zone, written as the reader's language writes dates."""
    return date_format(timezone.localtime(moment), WHEN_FORMAT)


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


SCORE_PROBLEMS: dict[Problem, Promise] = {
    Problem.UNREADABLE: gettext_lazy("cannot be read: %(reason)s"),
    Problem.NOT_UTF8: gettext_lazy("is not UTF-8 text; save it as “CSV UTF-8” and try again"),
    Problem.MALFORMED: gettext_lazy(
        "cannot be split into cells: a quotation mark is not closed or a cell is far too long"
    ),
    Problem.EMPTY_FILE: gettext_lazy("the file is empty"),
    Problem.MISSING_COLUMN: gettext_lazy("the column is missing"),
    Problem.REQUIRED: gettext_lazy("must be filled in"),
    Problem.NOT_WHOLE_NUMBER: gettext_lazy("“%(value)s” is not a whole number"),
    Problem.OUT_OF_RANGE: gettext_lazy("%(value)s is outside the range %(low)s..%(high)s"),
    Problem.NOT_A_NUMBER: gettext_lazy("“%(value)s” is not a number (use a decimal point)"),
    Problem.TOO_MANY_DECIMALS: gettext_lazy(
        "“%(value)s” has more than %(places)s digits after the decimal point"
    ),
    Problem.NOT_ONE_OF: gettext_lazy("“%(value)s” is not one of %(allowed)s"),
    Problem.NOT_A_DATE: gettext_lazy("“%(value)s” is not a date (format YYYY-MM-DD)"),
    Problem.BAD_PARTICIPANT_NUMBER: gettext_lazy(
        "“%(value)s” is not a participant number: use 1 to 32 letters, digits and . _ / -, "
        "beginning with a letter or a digit"
    ),
    Problem.BAD_FORMATION_CODE: gettext_lazy(
        "“%(value)s” is not a formation code: use up to 50 letters, digits and . _ / -, "
        "beginning with a letter or a digit"
    ),
    Problem.DUPLICATE: gettext_lazy("“%(value)s” is already on line %(earlier)s"),
    Problem.DUPLICATE_IN_ROUND: gettext_lazy(
        "“%(value)s” is already on line %(earlier)s for round %(round)s"
    ),
    Problem.UNKNOWN_FORMATION: gettext_lazy("“%(value)s” is not in the formation file"),
    Problem.OTHER_FORMATION: gettext_lazy(
        "participant %(value)s is already listed under another formation"
    ),
    Problem.NO_FORMATION_ROWS: gettext_lazy("there are no formation rows"),
    Problem.NO_SCORE_ROWS: gettext_lazy("there are no score rows"),
    Problem.NOT_REGISTERED: gettext_lazy(
        "“%(value)s” is not registered in the selection %(selection)s"
    ),
    Problem.NOT_SUBMITTED: gettext_lazy("application “%(value)s” has not been submitted"),
    Problem.NOT_ADMITTED: gettext_lazy(
        "“%(value)s” did not pass the administrative selection (TMS): only those who passed "
        "take the tests"
    ),
    Problem.WRONG_PROCUREMENT: gettext_lazy(
        "“%(value)s” applied for a %(applied)s formation; %(stage)s scores are only for "
        "%(expected)s formations"
    ),
    Problem.WRONG_FORMATION: gettext_lazy(
        "“%(value)s” is not the formation of participant %(participant)s (%(formation)s)"
    ),
}


def describe_score_problem(problem: FileProblem) -> str:
    """The problem in the active language, as "line N, column X: what is wrong"."""
    values = dict(problem.values)
    if "value" in values:
        values["value"] = _shown(values["value"])
    message = (
        str(SCORE_PROBLEMS[problem.code]) % values if values else str(SCORE_PROBLEMS[problem.code])
    )
    if problem.line and problem.column:
        return _("line %(line)d, column %(column)s: %(message)s") % {
            "line": problem.line,
            "column": problem.column,
            "message": message,
        }
    if problem.line:
        return _("line %(line)d: %(message)s") % {"line": problem.line, "message": message}
    return message


def _shown(value: str) -> str:
    """A cell's text as short as a message line can show it."""
    if len(value) > SHOWN_VALUE_LENGTH:
        return value[:SHOWN_VALUE_LENGTH] + "…"
    return value
