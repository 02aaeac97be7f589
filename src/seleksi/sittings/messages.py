"""The wording of question-bank problems, in the reader's language when shown."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from seleksi.rules.cat import QuestionProblem
from seleksi.rules.question_files import BankIssue, BankProblem

BANK_MESSAGES: dict[str, Promise] = {
    BankIssue.MISSING_COLUMN: _("The column “%(column)s” is missing from the header."),
    BankIssue.NO_ROWS: _("The file has no question."),
    BankIssue.TOO_MANY_ROWS: _("A file may hold at most %(limit)d questions; split it."),
    BankIssue.REQUIRED: _("“%(column)s” is empty: fill it in."),
    BankIssue.TOO_LONG: _("“%(column)s” is longer than %(limit)d characters."),
    BankIssue.UNKNOWN_COMPONENT: _(
        "“%(value)s” is not a component of this test; write one of: %(components)s."
    ),
    BankIssue.NOT_POINTS: _("“%(column)s” must be a whole number of points, not “%(value)s”."),
    BankIssue.EXTRA_OPTION: _(
        "Component %(component)s has %(options)d options: leave “%(column)s” empty."
    ),
    BankIssue.SAME_OPTION_TEXT: _(
        "Option %(option)s reads the same as option %(same_as)s; a participant could not "
        "tell them apart."
    ),
    BankIssue.NO_IMAGES: _(
        "The picture “%(value)s” is named, but no ZIP of pictures came with the table."
    ),
    BankIssue.IMAGE_NOT_FOUND: _("The ZIP of pictures has no file “%(value)s”."),
    BankIssue.NOT_AN_IMAGE: _(
        "“%(value)s” is not a PNG, JPEG or WebP picture, or it is damaged. Save it again "
        "as PNG or JPEG."
    ),
    BankIssue.IMAGE_TOO_LARGE: _(
        "The picture “%(value)s” has %(size_kb)d KB; a picture may have at most %(limit_kb)d KB."
    ),
    BankIssue.IMAGE_TOO_MANY_PIXELS: _(
        "The picture “%(value)s” has more than %(megapixels)d million pixels; make it smaller."
    ),
}
QUESTION_MESSAGES: dict[str, Promise] = {
    QuestionProblem.OPTION_COUNT: _("The question needs %(expected)d options, not %(found)d."),
    QuestionProblem.DUPLICATE_OPTION: _("Option %(option)s appears twice."),
    QuestionProblem.NOT_ONE_KEY: _(
        "Exactly one option must carry the points of a right answer; %(keyed)d do."
    ),
    QuestionProblem.WRONG_POINTS: _(
        "Option %(option)s has %(points)d points; a right/wrong question allows %(allowed)s."
    ),
    QuestionProblem.OUT_OF_RANGE: _(
        "Option %(option)s has %(points)d points; this component allows %(lowest)d to %(highest)d."
    ),
}


def describe_problem(problem: BankProblem) -> str:
    """The problem in the active language, without its row: for a field of the console's
    question form, where the field says where."""
    values: dict[str, object] = {"column": problem.column, **problem.values}
    if problem.issue is BankIssue.QUESTION:
        return str(QUESTION_MESSAGES[str(values["problem"])]) % values
    return str(BANK_MESSAGES[problem.issue]) % values


def describe_bank_problem(problem: BankProblem) -> str:
    """ "Baris N: …" in the active language."""
    text = describe_problem(problem)
    return str(_("Row %(row)d: %(message)s") % {"row": problem.line, "message": text})
