"""Indonesian telephone numbers as people write them.

Decisions worth knowing:

- A number is kept in its national form, digits only, with the trunk prefix 0
  (`081234567890`, `0274123456`): what applicants type and read on their own phones, what a
  committee dials from an Indonesian phone, and one spelling per number, so two ways of
  writing it compare equal. Turning it into +62 form (for a messaging link, say) is a
  mechanical swap of the leading 0.
- Spaces, dashes, dots and brackets are separators, whatever their place:
  `0812-3456-7890`, `(0274) 123456` and `+62 812 3456 7890` are all accepted.
- `+62`, `62` and `0062` are the country code; a trunk 0 written after it (`+62 (0)812…`)
  is dropped. Another country code is refused: the number is stored in national form.
- A national number has 9 to 13 digits with its leading 0: fixed lines in small towns have
  a 4-digit area code and 5-digit subscriber number (9), mobile numbers reach 13.
"""

from dataclasses import dataclass
from enum import StrEnum

MIN_DIGITS = 9
MAX_DIGITS = 13
SEPARATORS = frozenset(" -.()/\u00a0")
ASCII_DIGITS = frozenset("0123456789")
COUNTRY_CODE = "62"


class PhoneProblem(StrEnum):
    NOT_DIGITS = "not_digits"
    NOT_INDONESIAN = "not_indonesian"
    WRONG_LENGTH = "wrong_length"


@dataclass(frozen=True)
class PhoneCheck:
    number: str | None
    problem: PhoneProblem | None


def parse_phone(text: str) -> PhoneCheck:
    """The national form of `text`, or the first problem that stops it."""
    written = text.strip()
    plus = written.startswith("+")
    body = written[1:] if plus else written
    if not body or any(c not in ASCII_DIGITS and c not in SEPARATORS for c in body):
        return PhoneCheck(None, PhoneProblem.NOT_DIGITS)
    digits = "".join(c for c in body if c in ASCII_DIGITS)
    if not plus and digits.startswith("00"):
        digits, plus = digits[2:], True
    if plus or digits.startswith(COUNTRY_CODE):
        if not digits.startswith(COUNTRY_CODE):
            return PhoneCheck(None, PhoneProblem.NOT_INDONESIAN)
        digits = "0" + digits[len(COUNTRY_CODE) :].removeprefix("0")
    if not digits.startswith("0") or digits.startswith("00"):
        return PhoneCheck(None, PhoneProblem.NOT_INDONESIAN)
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        return PhoneCheck(None, PhoneProblem.WRONG_LENGTH)
    return PhoneCheck(digits, None)
