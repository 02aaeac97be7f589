"""Masking personal data for lists and printed checks."""


def masked_name(name: str) -> str:
    """Enough for a person to recognise their own name or a committee member an applicant,
    not enough to harvest names from a list: the first two letters of each word."""
    return " ".join(word[:2] + "*" * max(len(word) - 2, 1) for word in name.split()) or "–"
