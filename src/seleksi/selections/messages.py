"""What each problem in an uploaded table says to the person who uploaded it, in their
language: the formation table (`rules.formations`) and the score files (`rules.score_files`)
read by `seleksi import-scores` and `seleksi rank-file`."""

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from seleksi.rules.formations import IssueCode, RowIssue
from seleksi.rules.score_files import FileProblem, Problem

SHOWN_VALUE_LENGTH = 40


def describe_issue(issue: RowIssue) -> str:
    value, limit = issue.value, issue.limit
    messages = {
        IssueCode.MISSING_COLUMN: _("The header has no column named “%(column)s”."),
        IssueCode.DUPLICATE_COLUMN: _("The column “%(column)s” appears twice in the header."),
        IssueCode.NO_ROWS: _("The file has a header but no formation rows."),
        IssueCode.TOO_MANY_ROWS: _("A file may hold at most %(limit)s formation rows."),
        IssueCode.REQUIRED: _("This cell is empty; fill it in."),
        IssueCode.TOO_LONG: _("“%(value)s…” is longer than %(limit)s characters."),
        IssueCode.BAD_CODE: _(
            "“%(value)s” is not a valid formation code: use letters, digits and . _ / - only."
        ),
        IssueCode.DUPLICATE_CODE: _(
            "The formation code “%(value)s” is already used on line %(limit)s."
        ),
        IssueCode.UNKNOWN_PROCUREMENT_TYPE: _(
            "“%(value)s” is not a procurement type; use one of: %(limit)s."
        ),
        IssueCode.UNKNOWN_FORMATION_TYPE: _(
            "“%(value)s” is not a formation type; use one of: %(limit)s."
        ),
        IssueCode.UNKNOWN_POSITION_CATEGORY: _(
            "“%(value)s” is not a position category; use one of: %(limit)s, or leave it empty."
        ),
        IssueCode.DUPLICATE_QUALIFICATION: _("The qualification “%(value)s” is listed twice."),
        IssueCode.NOT_WHOLE_NUMBER: _(
            "“%(value)s” is not a whole number; write the quota as 1, 2, 3…"
        ),
        IssueCode.QUOTA_TOO_SMALL: _("The quota is %(value)s; it must be at least 1."),
        IssueCode.QUOTA_TOO_LARGE: _("The quota %(value)s is larger than %(limit)s."),
        IssueCode.THRESHOLD_NOT_PPPK: _(
            "A technical pass mark (%(value)s) belongs only to PPPK openings; leave it empty."
        ),
        IssueCode.THRESHOLD_TOO_LARGE: _(
            "The technical pass mark %(value)s is larger than %(limit)s."
        ),
        IssueCode.QUOTA_REQUIRED: _("The quota is empty; only MITRA pool rows may leave it empty."),
        IssueCode.CONTROL_CHARACTER: _(
            "This cell holds an invisible control character; retype its text without it."
        ),
    }
    return messages[issue.code] % {"column": issue.column or "", "value": value, "limit": limit}


SCORE_PROBLEMS: dict[Problem, Promise] = {
    Problem.UNREADABLE: gettext_lazy("cannot be read: %(reason)s"),
    Problem.NOT_UTF8: gettext_lazy("is not UTF-8 text; save it as “CSV UTF-8” and try again"),
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
