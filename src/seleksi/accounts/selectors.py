import time
from itertools import permutations

from django.db.models import Count, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from .models import SECURITY_QUESTIONS, Profile, SecurityAnswer, User

PAIRS_SECONDS = 3600
_pairs: tuple[float, list[tuple[tuple[str, str], int]]] | None = None


def profile_missing(user: User) -> list[str]:
    """What the applicant still has to fill in before applying, in their language."""
    profile = Profile.objects.filter(user=user).first()
    missing = []
    if not user.is_activated:
        missing.append(_("Activate your account from the link in your e-mail."))
    if not user.nik_cipher:
        missing.append(_("Add your NIK and family card number."))
    if not (user.full_name and user.birth_date and user.sex and user.phone):
        missing.append(_("Full name, date of birth, sex and phone number."))
    if profile is None or not (
        profile.place_of_birth and profile.address and profile.domicile_regency_id
    ):
        missing.append(_("Place of birth, address and regency of domicile."))
    if not user.educations.exists():
        missing.append(_("At least one education (your highest)."))
    return [str(item) for item in missing]


def security_question_pairs() -> list[tuple[tuple[str, str], int]]:
    """How many accounts chose each ordered pair of security questions, in a fixed order;
    every possible pair once each while no account has chosen any. Counted at most once an
    hour per process, so a lookup costs the same whether or not the account exists."""
    global _pairs
    now = time.monotonic()
    if _pairs is not None and now - _pairs[0] < PAIRS_SECONDS:
        return _pairs[1]
    second = SecurityAnswer.objects.filter(user=OuterRef("user"), position=2).values("question")
    rows = (
        SecurityAnswer.objects.filter(position=1)
        .annotate(second=Subquery(second[:1]))
        .exclude(second=None)
        .values_list("question", "second")
        .annotate(accounts=Count("id"))
        .order_by("question", "second")
    )
    counted = [((first, other), accounts) for first, other, accounts in rows]
    if not counted:
        codes = [code for code, _label in SECURITY_QUESTIONS]
        counted = [(pair, 1) for pair in permutations(codes, 2)]
    _pairs = (now, counted)
    return counted


def security_question_pairs_forget() -> None:
    """Count again on the next lookup (tests, after adding accounts)."""
    global _pairs
    _pairs = None
