"""What each problem in an uploaded formation table (`rules.formations`) says to the person
who uploaded it, in their language. Score files are worded by the stage that reads them
(`seleksi.scoring.messages.describe_score_problem`)."""

from django.utils.translation import gettext as _

from seleksi.rules.formations import IssueCode, RowIssue


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
