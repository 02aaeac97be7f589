"""Why the ranking and replacement engines refuse their input, as codes with values.

The rules speak no language: a `RankingDataError` carries a `RankingProblem` code and the
values it concerns, and its text (str) is a plain English description for logs and for
callers that print it as it is. The pages and commands word the code in the reader's language
(seleksi.scoring.messages), as they do the score files' problems.
"""

from enum import StrEnum


class RankingProblem(StrEnum):
    """What is wrong; the values each message needs are in brackets."""

    SCORE_OUT_OF_RANGE = "score_out_of_range"  # participant, part, value, maximum
    SCORE_NOT_EXACT = "score_not_exact"  # participant, part, value
    ROUND_OUT_OF_RANGE = "round_out_of_range"  # participant, round, rounds
    NO_SKD_THRESHOLD = "no_skd_threshold"  # formation_type
    NO_TEKNIS_THRESHOLD = "no_teknis_threshold"  # formation
    TWO_FORMATIONS = "two_formations"  # participant
    UNKNOWN_PREFERENCE = "unknown_preference"  # participant, preferences
    DUPLICATE_FORMATION = "duplicate_formation"  # formation
    NEGATIVE_QUOTA = "negative_quota"  # formation
    UNKNOWN_FORMATION = "unknown_formation"  # participant, formation
    DUPLICATE_PARTICIPANT = "duplicate_participant"  # participant, round (may be empty)
    NOTE_REQUIRED = "note_required"  # participant
    NOT_IN_RESULTS = "not_in_results"  # participant
    ALREADY_LEFT = "already_left"  # participant, reason
    FORMATIONS_NEEDED = "formations_needed"
    NOT_FINAL_CODE = "not_final_code"  # participant, outcome
    PLACEMENT_MISSING = "placement_missing"  # participant
    NO_SCORES_FOR_OPTIMALISASI = "no_scores_for_optimalisasi"  # participant
    OVER_QUOTA = "over_quota"  # formation, count, quota


class RankingDataError(ValueError):
    """Input the engines refuse; a ValueError, so callers that only need the text keep working."""

    def __init__(self, code: RankingProblem, text: str, /, **values: object) -> None:
        super().__init__(text)
        self.code = code
        self.values = {name: str(value) for name, value in values.items()}


class RankingLookupError(RankingDataError, LookupError):
    """Something asked for that the engines do not have (a pass mark, a participant); also a
    LookupError for the callers that expect one."""
