"""What each problem in a test site or session table (`rules.exam_files`) and in a session
the committee defines (`rules.exams.SessionProblem`) says to the committee, in their
language: what is wrong and what to change."""

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from seleksi.rules.exam_files import FileIssue, FileProblem
from seleksi.rules.exams import Problem, SessionProblem


def row_message(row: int, message: str) -> str:
    """ "Baris N: …" for a file's line; a form's problem (row 0) is the message alone."""
    if row <= 0:
        return message
    return _("Row %(row)d: %(message)s") % {"row": row, "message": message}


def describe_file_problem(problem: FileProblem) -> str:
    messages = {
        FileIssue.MISSING_COLUMN: _(
            "The header has no column named “%(column)s”; add it (see the example file)."
        ),
        FileIssue.DUPLICATE_COLUMN: _(
            "The column “%(column)s” appears twice in the header; keep one."
        ),
        FileIssue.NO_ROWS: _("The file has a header but no rows."),
        FileIssue.TOO_MANY_ROWS: _("A file may hold at most %(limit)s rows; split it."),
        FileIssue.REQUIRED: _("The cell “%(column)s” is empty; fill it in."),
        FileIssue.TOO_LONG: _(
            "“%(value)s…” in “%(column)s” is longer than %(limit)s characters; shorten it."
        ),
        FileIssue.BAD_CODE: _(
            "“%(value)s” in “%(column)s” is not a valid code: use letters, digits, - and _ "
            "only, without spaces."
        ),
        FileIssue.NOT_WHOLE_NUMBER: _(
            "“%(value)s” in “%(column)s” is not a whole number; write it as 1, 2, 3…"
        ),
        FileIssue.TOO_SMALL: _("“%(column)s” is %(value)s; it must be at least 1."),
        FileIssue.TOO_LARGE: _("“%(column)s” is %(value)s; it may be at most %(limit)s."),
        FileIssue.BAD_YES_NO: _(
            "“%(value)s” in “%(column)s” is not ya or tidak; write ya or tidak."
        ),
        FileIssue.BAD_URL: _(
            "“%(value)s” in “%(column)s” is not a web address; write an address beginning "
            "with https:// or leave the cell empty."
        ),
        FileIssue.BAD_DATE: _(
            "“%(value)s” in “%(column)s” is not a date; write it as YYYY-MM-DD (2026-05-04), "
            "DD-MM-YYYY or DD/MM/YYYY."
        ),
        FileIssue.BAD_TIME: _(
            "“%(value)s” in “%(column)s” is not a time of day; write it as HH:MM, for example "
            "07:30."
        ),
        FileIssue.UNKNOWN_STAGE: _(
            "“%(value)s” is not a test stage; write skd, skb, pppk, mitra or interview."
        ),
        FileIssue.DISAGREES: _(
            "“%(column)s” is “%(value)s” here but “%(first)s” on row %(first_row)s, the first "
            "row of %(code)s; write the same value on every row of %(code)s."
        ),
        FileIssue.ROOM_TWICE: _(
            "Room %(value)s of %(code)s is already on row %(first_row)s; list each room once."
        ),
        FileIssue.CONTROL_CHARACTER: _(
            "The cell “%(column)s” holds an invisible control character; retype its text "
            "without it."
        ),
    }
    return messages[problem.issue] % problem.values


def _day(value: object) -> object:
    return date_format(value, "j F Y") if isinstance(value, date) else value


def describe_session_problem(problem: Problem) -> str:
    messages = {
        SessionProblem.UNKNOWN_STAGE: _(
            "“%(stage)s” is not a test stage; choose skd, skb, pppk, mitra or interview."
        ),
        SessionProblem.UNKNOWN_SITE: _(
            "There is no test site %(site)s in this selection; add the site first (by hand "
            "or with the sites file) or correct the code."
        ),
        SessionProblem.UNKNOWN_ROOM: _(
            "Test site %(site)s has no room %(room)s; add the room to the site first or "
            "correct the code."
        ),
        SessionProblem.ROOM_TWICE: _("Room %(room)s is given twice; list each room once."),
        SessionProblem.NO_ROOM: _(
            "The session has no room; give at least one room with its seats."
        ),
        SessionProblem.OVER_SEATS: _(
            "The capacity %(capacity)s in room %(room)s is above the room's %(seats)s seats; "
            "lower the capacity or give the room more seats."
        ),
        SessionProblem.CAPACITY: _("The capacity in room %(room)s must be at least 1."),
        SessionProblem.DURATION: _(
            "A session of %(minutes)s minutes is not possible; write between 1 and 1440 minutes."
        ),
        SessionProblem.OUTSIDE_WINDOW: _(
            "%(day)s is outside this stage's dates in the schedule (%(first)s to %(last)s); "
            "choose a day within them or correct the schedule first."
        ),
        SessionProblem.OVERLAP: _(
            "Room %(room)s is already used at that time by session %(other)s; choose another "
            "time or another room."
        ),
        SessionProblem.UNKNOWN_FORMATION: _(
            "There is no formation %(formation)s in this selection; correct the code, or "
            "leave the formations empty to open the session to everyone."
        ),
        SessionProblem.DUPLICATE_CODE: _(
            "The session code %(code)s is given twice; give each session its own code."
        ),
        SessionProblem.CODE_TAKEN: _(
            "A session with the code %(code)s already exists; choose another code."
        ),
    }
    values = {name: _day(value) for name, value in problem.values.items()}
    return messages[problem.problem] % values
