"""A whole number in Indonesian words (terbilang), as contracts and receipts write amounts of
money beside their figures: 3,250,000 is "tiga juta dua ratus lima puluh ribu".

Decisions worth knowing:

- The words follow the usage of official documents: "se-" for one of a unit below a million
  (sebelas, seratus, seribu: "seribu" only when the thousands are exactly one, so 1,000 is
  "seribu" but 21,000 is "dua puluh satu ribu"), "satu" before juta and larger (satu juta),
  and "nol" for zero. Words are lower case, separated by one space; a caller capitalises for
  a sentence.
- The scales are ribu (10^3), juta (10^6), miliar (10^9), triliun (10^12) and kuadriliun
  (10^15); numbers from 10^18 on and negative numbers are refused (a ValueError): no amount of
  rupiah an office pays comes near, and a wrong word is worse than none.
"""

ONES = (
    "nol",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
)
SCALES = ("", "ribu", "juta", "miliar", "triliun", "kuadriliun")
LIMIT = 1000 ** len(SCALES)
"""The first number not said: 10^18."""


def _below_thousand(number: int) -> list[str]:
    """The words of 1..999."""
    words: list[str] = []
    hundreds, rest = divmod(number, 100)
    if hundreds == 1:
        words.append("seratus")
    elif hundreds:
        words += [ONES[hundreds], "ratus"]
    tens, ones = divmod(rest, 10)
    if tens == 1:
        if ones == 0:
            words.append("sepuluh")
        elif ones == 1:
            words.append("sebelas")
        else:
            words += [ONES[ones], "belas"]
    else:
        if tens:
            words += [ONES[tens], "puluh"]
        if ones:
            words.append(ONES[ones])
    return words


def terbilang(number: int) -> str:
    """`number` (0 <= number < 10^18) in Indonesian words."""
    if isinstance(number, bool) or not isinstance(number, int):
        raise TypeError("terbilang says whole numbers only")
    if number < 0 or number >= LIMIT:
        raise ValueError(f"terbilang says 0 to {LIMIT - 1}, not {number}")
    if number == 0:
        return ONES[0]
    groups: list[int] = []
    while number:
        number, group = divmod(number, 1000)
        groups.append(group)
    words: list[str] = []
    for scale in range(len(groups) - 1, -1, -1):
        group = groups[scale]
        if not group:
            continue
        if scale == 1 and group == 1:
            words.append("seribu")
            continue
        words += _below_thousand(group)
        if scale:
            words.append(SCALES[scale])
    return " ".join(words)


def rupiah_words(amount: int) -> str:
    """An amount of rupiah in words, as a contract writes it beside the figures:
    "tiga juta dua ratus lima puluh ribu rupiah"."""
    return f"{terbilang(amount)} rupiah"
