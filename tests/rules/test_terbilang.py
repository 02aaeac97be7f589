import pytest
from hypothesis import given
from hypothesis import strategies as st

from seleksi.rules.terbilang import LIMIT, rupiah_words, terbilang

NUMBERS = st.integers(min_value=0, max_value=LIMIT - 1)

DIGITS = {
    "nol": 0,
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
}
NINES = (
    " ".join(
        f"sembilan ratus sembilan puluh sembilan {scale}"
        for scale in ("kuadriliun", "triliun", "miliar", "juta", "ribu")
    )
    + " sembilan ratus sembilan puluh sembilan"
)
SMALL = {"sepuluh": 10, "sebelas": 11, "seratus": 100}
SCALES = {
    "ribu": 10**3,
    "juta": 10**6,
    "miliar": 10**9,
    "triliun": 10**12,
    "kuadriliun": 10**15,
}


def read_back(words: str) -> int:
    """The number Indonesian words say, read independently of the writer: a group below a
    thousand is built up word by word and closed by its scale word."""
    total = group = 0
    pending: int | None = None
    for word in words.split():
        if word in DIGITS:
            if pending is not None:
                group += pending
            pending = DIGITS[word]
        elif word in SMALL:
            group += SMALL[word]
        elif word == "seribu":
            total += 1000
        elif word == "belas":
            group += 10 + (pending or 0)
            pending = None
        elif word == "puluh":
            group += 10 * (pending or 0)
            pending = None
        elif word == "ratus":
            group += 100 * (pending or 0)
            pending = None
        elif word in SCALES:
            total += (group + (pending or 0)) * SCALES[word]
            group, pending = 0, None
        else:
            raise ValueError(word)
    return total + group + (pending or 0)


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "nol"),
        (1, "satu"),
        (10, "sepuluh"),
        (11, "sebelas"),
        (12, "dua belas"),
        (19, "sembilan belas"),
        (20, "dua puluh"),
        (21, "dua puluh satu"),
        (100, "seratus"),
        (101, "seratus satu"),
        (111, "seratus sebelas"),
        (250, "dua ratus lima puluh"),
        (999, "sembilan ratus sembilan puluh sembilan"),
        (1_000, "seribu"),
        (1_001, "seribu satu"),
        (1_100, "seribu seratus"),
        (2_000, "dua ribu"),
        (11_000, "sebelas ribu"),
        (21_000, "dua puluh satu ribu"),
        (100_000, "seratus ribu"),
        (101_000, "seratus satu ribu"),
        (1_000_000, "satu juta"),
        (1_001_000, "satu juta seribu"),
        (3_250_000, "tiga juta dua ratus lima puluh ribu"),
        (12_500_750, "dua belas juta lima ratus ribu tujuh ratus lima puluh"),
        (1_000_000_000, "satu miliar"),
        (2_000_000_000_001, "dua triliun satu"),
        (LIMIT - 1, NINES),
    ],
)
def test_it_says_numbers_as_official_documents_do(number: int, words: str) -> None:
    assert terbilang(number) == words


def test_an_amount_of_rupiah_ends_in_rupiah() -> None:
    assert rupiah_words(3_250_000) == "tiga juta dua ratus lima puluh ribu rupiah"
    assert rupiah_words(0) == "nol rupiah"


@pytest.mark.parametrize("number", [-1, LIMIT, LIMIT * 10])
def test_it_refuses_numbers_it_cannot_say(number: int) -> None:
    with pytest.raises(ValueError, match="terbilang says"):
        terbilang(number)


@pytest.mark.parametrize("value", [True, 1.0, "1"])
def test_it_refuses_what_is_not_a_whole_number(value: object) -> None:
    with pytest.raises(TypeError):
        terbilang(value)  # type: ignore[arg-type]


@given(NUMBERS)
def test_the_words_read_back_as_the_number(number: int) -> None:
    assert read_back(terbilang(number)) == number


@given(NUMBERS)
def test_the_words_are_single_spaced_lower_case_and_never_say_one_hundred_or_one_thousand(
    number: int,
) -> None:
    words = terbilang(number)
    assert words == words.strip() and "  " not in words and words == words.lower()
    assert "satu ratus" not in words and "satu puluh" not in words
    assert ("nol" in words) == (number == 0)


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=2, max_value=5))
def test_a_group_times_a_scale_is_the_group_s_words_and_the_scale(group: int, scale: int) -> None:
    scale_word = ("", "ribu", "juta", "miliar", "triliun", "kuadriliun")[scale]
    assert terbilang(group * 1000**scale) == f"{terbilang(group)} {scale_word}"


@given(st.integers(min_value=1, max_value=999))
def test_thousands_say_se_only_for_exactly_one(group: int) -> None:
    expected = "seribu" if group == 1 else f"{terbilang(group)} ribu"
    assert terbilang(group * 1000) == expected
