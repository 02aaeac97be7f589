import pytest

from seleksi.rules.phone import PhoneProblem, parse_phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0812-3456-7890", "081234567890"),
        ("0812 3456 7890", "081234567890"),
        ("+62 812 3456 7890", "081234567890"),
        ("+62 (0)812 3456 7890", "081234567890"),
        ("6281234567890", "081234567890"),
        ("0062 812 3456 7890", "081234567890"),
        ("(0274) 123456", "0274123456"),
        ("021-5550123", "0215550123"),
        (" 0812.3456.789 ", "08123456789"),
        ("0356 12345", "035612345"),
    ],
)
def test_it_accepts_what_people_write_and_keeps_one_national_form(typed: str, stored: str) -> None:
    check = parse_phone(typed)
    assert (check.number, check.problem) == (stored, None)


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("0812 3456 789O", PhoneProblem.NOT_DIGITS),
        ("nomor saya 0812", PhoneProblem.NOT_DIGITS),
        ("", PhoneProblem.NOT_DIGITS),
        ("+", PhoneProblem.NOT_DIGITS),
        ("0812+3456", PhoneProblem.NOT_DIGITS),
        ("+65 6123 4567", PhoneProblem.NOT_INDONESIAN),
        ("0065 6123 4567", PhoneProblem.NOT_INDONESIAN),
        ("812 3456 7890", PhoneProblem.NOT_INDONESIAN),
        ("0812 345", PhoneProblem.WRONG_LENGTH),
        ("0812 3456 7890 123", PhoneProblem.WRONG_LENGTH),
        ("+62", PhoneProblem.WRONG_LENGTH),
    ],
)
def test_it_refuses_letters_foreign_numbers_and_wrong_lengths(
    typed: str, problem: PhoneProblem
) -> None:
    check = parse_phone(typed)
    assert (check.number, check.problem) == (None, problem)
