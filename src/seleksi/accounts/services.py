"""Writes for accounts: registration, activation, recovery, e-mail change, personal data.
Every change an applicant can see is audited; no NIK or KK ever goes into an audit event, a
log line, an e-mail or a URL. Limits on guessing live in `throttle`.

Decisions worth knowing:

- Registering with an e-mail address or a NIK that already has an account creates nothing
  and tells that account's owner by e-mail; the page answers exactly as for a new account,
  so it never says whether a NIK is registered. The unique constraints decide, so the same
  form sent twice at once takes this path too instead of failing.
- Both answers are hashed before the account is written, so a taken NIK or address costs
  the same password-hash work as a new account.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _lazy

from seleksi.audit.services import audit_record
from seleksi.core.errors import ServiceRefused
from seleksi.outbox.services import email_queue

from . import throttle
from .crypto import encrypt_text, lookup_hash
from .models import SECURITY_QUESTIONS, Profile, SecurityAnswer, User
from .selectors import security_question_pairs
from .tokens import LinkCheck, check_link_token, make_link_token

logger = logging.getLogger("seleksi.accounts")

ACTIVATION = "activation"
EMAIL_CHANGE = "email-change"
ANSWER_RESET = "answer-reset"


def normalise_answer(answer: str) -> str:
    """Answers are compared without case, spacing or punctuation differences."""
    kept = "".join(ch for ch in answer.casefold() if ch.isalnum() or ch.isspace())
    return " ".join(kept.split())


@dataclass(frozen=True)
class Registration:
    email: str
    password: str
    full_name: str
    phone: str
    birth_date: date | None
    sex: str
    nik: str
    kk: str
    questions: tuple[tuple[str, str], tuple[str, str]]  # (question code, answer) x 2
    registry_checked: bool
    language: str = ""
    """the language the person registered in; their notices are written in it"""


def _known_language(code: str) -> str:
    return code if code in {c for c, _name in settings.LANGUAGES} else settings.LANGUAGE_CODE


def user_language_set(*, user: User, language: str) -> bool:
    """Remember the language a signed-in person chose, for the notices they receive. Returns
    whether it changed; an unknown code changes nothing."""
    if language not in {c for c, _name in settings.LANGUAGES}:
        return False
    return bool(
        User.objects.filter(pk=user.pk).exclude(language=language).update(language=language)
    )


def email_taken(email: str) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exists()


def _set_identity(user: User, *, nik: str, kk: str) -> None:
    user.nik_cipher, user.nik_hash = encrypt_text(nik), lookup_hash(nik)
    user.kk_cipher, user.kk_hash = encrypt_text(kk), lookup_hash(kk)


def _hash_answers(questions: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    return [(question, make_password(normalise_answer(answer))) for question, answer in questions]


def _set_answers(user: User, hashed: list[tuple[str, str]]) -> None:
    user.security_answers.all().delete()
    for position, (question, answer_hash) in enumerate(hashed, start=1):
        SecurityAnswer.objects.create(
            user=user, position=position, question=question, answer_hash=answer_hash
        )


class AlreadyRegistered(ServiceRefused):
    """The e-mail address or the NIK of a registration already has an account. The pages
    never show it as such: registration answers both cases the same way."""

    def __init__(self) -> None:
        super().__init__(
            "already_registered", _lazy("This e-mail address or NIK already has an account.")
        )


def registration_submit(*, registration: Registration, site_url: str) -> User | None:
    """Creates the account; or, when its e-mail address or NIK already has one, tells that
    account's owner by e-mail and returns None. The caller answers both the same way."""
    try:
        return applicant_register(registration=registration, site_url=site_url)
    except AlreadyRegistered:
        pass
    owners: dict[int, tuple[User, str]] = {}
    if registration.nik:
        for user in User.objects.filter(nik_hash=lookup_hash(registration.nik)):
            owners[user.pk] = (user, "nik")
    for user in User.objects.filter(email__iexact=registration.email.strip()):
        owners.setdefault(user.pk, (user, "email"))
    for user, matched in owners.values():
        _registration_repeated(user=user, matched=matched, site_url=site_url)
    return None


@transaction.atomic
def _registration_repeated(*, user: User, matched: str, site_url: str) -> None:
    audit_record(
        actor=None,
        action="account.registration_repeated",
        subject=user,
        details={"matched": matched},
    )
    _send(
        user=user,
        to=user.email,
        template="already_registered" if matched == "email" else "identity_used",
        context={
            "login_link": site_url + reverse("accounts:login"),
            "reset_link": site_url + reverse("accounts:password_reset"),
        },
    )


def applicant_register(
    *, registration: Registration, site_url: str, send_activation: bool = True
) -> User:
    """Raises AlreadyRegistered when the e-mail address or the NIK has an account."""
    answers = _hash_answers(registration.questions)
    try:
        with transaction.atomic():
            return _applicant_create(
                registration=registration,
                answers=answers,
                site_url=site_url,
                send_activation=send_activation,
            )
    except IntegrityError as error:
        raise AlreadyRegistered from error


def _applicant_create(
    *,
    registration: Registration,
    answers: list[tuple[str, str]],
    site_url: str,
    send_activation: bool,
) -> User:
    user = User(
        username=f"p{secrets.token_hex(8)}",
        email=registration.email.strip(),
        full_name=registration.full_name.strip(),
        phone=registration.phone.strip(),
        birth_date=registration.birth_date,
        sex=registration.sex,
        language=_known_language(registration.language),
    )
    user.set_password(registration.password)
    if registration.nik:
        _set_identity(user, nik=registration.nik, kk=registration.kk)
    if registration.registry_checked:
        user.registry_status = User.RegistryStatus.MATCH
        user.registry_checked_at = timezone.now()
    user.save()
    Profile.objects.create(user=user)
    _set_answers(user, answers)
    audit_record(
        actor=user,
        action="account.registered",
        subject=user,
        details={"with_nik": bool(registration.nik), "registry": user.registry_status},
    )
    if send_activation:
        activation_send(user=user, site_url=site_url)
    return user


def _activation_state(user: User) -> str:
    return f"{user.email.lower()}|{user.is_activated}"


def _send(*, user: User, to: str, template: str, context: dict[str, Any]) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"accounts/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"accounts/email/{template}.txt", {"user": user, **context})
    email_queue(to=to, subject=subject, body=body)


def activation_send(*, user: User, site_url: str) -> None:
    token = make_link_token(purpose=ACTIVATION, user=user, state=_activation_state(user))
    link = site_url + reverse("accounts:activate", args=[token])
    _send(
        user=user,
        to=user.email,
        template="activation",
        context={"link": link, "hours": settings.SELEKSI_ACTIVATION_HOURS},
    )


def activation_resend(*, email: str, site_url: str) -> None:
    """Sends a new link when the address belongs to an account not yet activated; says
    nothing either way (the caller shows the same message)."""
    user = User.objects.filter(email__iexact=email.strip(), email_verified_at=None).first()
    if user is not None and user.is_active:
        activation_send(user=user, site_url=site_url)


def activation_check(token: str) -> LinkCheck:
    return check_link_token(
        purpose=ACTIVATION,
        token=token,
        max_age_seconds=settings.SELEKSI_ACTIVATION_HOURS * 3600,
        current_state=_activation_state,
    )


@transaction.atomic
def account_activate(*, user: User) -> None:
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    audit_record(actor=user, action="account.activated", subject=user)


# --- recovery by security answers --------------------------------------------------------


def security_questions_for(user: User | None, bucket: str) -> list[tuple[str, str]]:
    """The two questions to ask. An identifier that matches no account (or an account without
    answers) gets a decoy pair drawn, stably for that identifier, from the pairs accounts
    actually chose, in the same proportions: the page looks the same whether the account
    exists or not, one identifier at a time or over many."""
    labels = dict(SECURITY_QUESTIONS)
    if user is not None:
        chosen = list(user.security_answers.order_by("position").values_list("question", flat=True))
        if len(chosen) == 2:
            return [(code, str(labels[code])) for code in chosen]
    pairs = security_question_pairs()
    total = sum(count for _pair, count in pairs)
    point = throttle.decoy_point(bucket) * total
    for (first, second), count in pairs:
        if point < count:
            return [(first, str(labels[first])), (second, str(labels[second]))]
        point -= count
    first, second = pairs[-1][0]
    return [(first, str(labels[first])), (second, str(labels[second]))]


_DECOY_HASHES: dict[str, str] = {}


def _decoy_hash() -> str:
    """A hash made by the current hasher, to check wrong answers against when there is no
    account: the same work as checking a real account's two answers."""
    algorithm = str(get_hasher().algorithm)
    if algorithm not in _DECOY_HASHES:
        _DECOY_HASHES[algorithm] = make_password(secrets.token_urlsafe(16))
    return _DECOY_HASHES[algorithm]


def security_answers_match(user: User | None, answers: list[str]) -> bool:
    """Whether both answers match; always two password-hash checks, account or not."""
    stored = (
        list(user.security_answers.order_by("position").values_list("answer_hash", flat=True))
        if user is not None
        else []
    )
    real = len(stored) == 2
    if not real:
        stored = [_decoy_hash(), _decoy_hash()]
    results = [
        check_password(normalise_answer(given), kept)
        for given, kept in zip(answers, stored, strict=True)
    ]
    return real and all(results)


@transaction.atomic
def password_reset_by_answers(*, user: User, password: str) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])
    throttle.account_unlock(user)
    audit_record(actor=user, action="account.password_reset", subject=user, reason="answers")


@transaction.atomic
def password_changed(*, user: User, how: str) -> None:
    throttle.account_unlock(user)
    audit_record(actor=user, action="account.password_reset", subject=user, reason=how)


# --- security answers reset by e-mail ----------------------------------------------------


def _answers_state(user: User) -> str:
    return "|".join(
        user.security_answers.order_by("position").values_list("answer_hash", flat=True)
    )


def answer_reset_send(*, email: str, site_url: str) -> None:
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None or not user.is_activated:
        return
    token = make_link_token(purpose=ANSWER_RESET, user=user, state=_answers_state(user))
    _send(
        user=user,
        to=user.email,
        template="answer_reset",
        context={"link": site_url + reverse("accounts:answers_reset", args=[token])},
    )


def answer_reset_check(token: str) -> LinkCheck:
    return check_link_token(
        purpose=ANSWER_RESET, token=token, max_age_seconds=24 * 3600, current_state=_answers_state
    )


@transaction.atomic
def security_answers_set(*, user: User, questions: tuple[tuple[str, str], ...], how: str) -> None:
    _set_answers(user, _hash_answers(questions))
    audit_record(actor=user, action="account.security_answers_changed", subject=user, reason=how)


# --- e-mail change -----------------------------------------------------------------------


def _email_state(user: User) -> str:
    return user.email.lower()


def email_change_request(*, user: User, new_email: str, site_url: str) -> None:
    token = make_link_token(
        purpose=EMAIL_CHANGE, user=user, state=_email_state(user), new=new_email.strip()
    )
    _send(
        user=user,
        to=new_email.strip(),
        template="email_change",
        context={"link": site_url + reverse("accounts:email_confirm", args=[token])},
    )


def email_change_check(token: str) -> LinkCheck:
    return check_link_token(
        purpose=EMAIL_CHANGE, token=token, max_age_seconds=24 * 3600, current_state=_email_state
    )


def email_change_confirm(*, user: User, new_email: str, old_email: str) -> bool:
    """Changes the address the link was sent for. False, changing nothing, when the account's
    address is no longer `old_email` (the link was used meanwhile, perhaps by the same click
    sent twice) or when another account holds `new_email` by now."""
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=user.pk)
        if account.email.lower() != old_email.lower():
            return False
        account.email = new_email
        account.email_verified_at = timezone.now()
        try:
            with transaction.atomic():
                account.save(update_fields=["email", "email_verified_at"])
        except IntegrityError:
            return False
        audit_record(actor=account, action="account.email_changed", subject=account)
        _send(user=account, to=old_email, template="email_changed_notice", context={})
    return True


# --- identity added later (mitra accounts) -----------------------------------------------


def identity_add(
    *, user: User, nik: str, kk: str, full_name: str, birth_date: date, sex: str, site_url: str
) -> None:
    """Raises AlreadyRegistered, changing nothing, when another account holds the NIK; the
    owner of that account is told by e-mail."""
    try:
        with transaction.atomic():
            _set_identity(user, nik=nik, kk=kk)
            user.full_name, user.birth_date, user.sex = full_name, birth_date, sex
            user.registry_status = User.RegistryStatus.MATCH
            user.registry_checked_at = timezone.now()
            user.save()
            audit_record(actor=user, action="account.identity_added", subject=user)
            return
    except IntegrityError:
        user.refresh_from_db()
    for owner in User.objects.filter(nik_hash=lookup_hash(nik)).exclude(pk=user.pk):
        _registration_repeated(user=owner, matched="nik", site_url=site_url)
    raise AlreadyRegistered


# --- personal data -----------------------------------------------------------------------


def personal_data(user: User) -> dict[str, Any]:
    """Everything Seleksi holds about the person, for their own download."""
    profile = Profile.objects.filter(user=user).select_related("domicile_regency").first()
    return {
        "account": {
            "full_name": user.full_name,
            "nik": user.nik,
            "kk": user.kk,
            "date_of_birth": user.birth_date.isoformat() if user.birth_date else None,
            "sex": user.sex,
            "email": user.email,
            "phone": user.phone,
            "registered_at": user.date_joined.isoformat(),
            "email_confirmed_at": user.email_verified_at.isoformat()
            if user.email_verified_at
            else None,
            "population_registry": user.registry_status,
            "language": user.language,
            "security_questions": [
                a.get_question_display() for a in user.security_answers.order_by("position")
            ],
        },
        "profile": {
            "place_of_birth": profile.place_of_birth,
            "address": profile.address,
            "regency_of_domicile": profile.domicile_regency.name
            if profile.domicile_regency
            else None,
            "disability_type": profile.disability_type,
            "disability_degree": profile.disability_degree,
            "is_civil_servant": profile.is_civil_servant,
            "government_ties": profile.government_ties,
            "str_number": profile.str_number,
            "str_valid_until": profile.str_valid_until.isoformat()
            if profile.str_valid_until
            else None,
            "str_lifetime": profile.str_lifetime,
            "teaching_certificate_number": profile.teaching_certificate_number,
            "survey_experience": profile.survey_experience,
            "devices": {
                "smartphone": profile.has_smartphone,
                "computer": profile.has_computer,
                "tablet": profile.has_tablet,
                "motor_vehicle": profile.has_motorcycle,
            },
        }
        if profile
        else None,
        "education": [
            {
                "level": e.level.name,
                "institution": e.institution,
                "study_programme": e.study_programme,
                "accreditation": e.get_accreditation_display(),
                "graduated_on": e.graduated_on.isoformat(),
                "ipk": str(e.ipk) if e.ipk is not None else None,
                "exact_science": e.is_exact_science,
            }
            for e in user.educations.select_related("level")
        ],
        "history": [
            {"at": event.occurred_at.isoformat(), "action": event.action}
            for event in _own_events(user)
        ],
    }


def _own_events(user: User) -> Any:
    from seleksi.audit.models import AuditEvent

    return AuditEvent.objects.filter(
        subject_type=user._meta.label_lower, subject_id=str(user.pk)
    ).order_by("occurred_at", "id")


def account_has_applied(user: User) -> bool:
    """Whether any selection holds an application of this person (draft or submitted)."""
    return user.applications.exists()


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete an account that never applied: the person, their profile and answers go; the
    audit trail keeps only that an account was deleted."""
    if account_has_applied(user):
        raise ValueError("an account that applied is anonymised, not deleted")
    audit_record(actor=None, action="account.deleted", subject=user, reason="owner's request")
    user.delete()


@transaction.atomic
def account_anonymise(*, user: User) -> None:
    """Remove what identifies the person and keep the row (and any results that point at it).
    Used when an account that applied reaches the end of its retention period."""
    user.full_name = ""
    user.first_name = user.last_name = ""
    user.email = ""
    user.phone = ""
    user.nik_cipher = user.kk_cipher = user.kk_hash = ""
    user.nik_hash = ""
    user.birth_date = None
    user.is_active = False
    user.set_unusable_password()
    user.anonymised_at = timezone.now()
    user.save()
    Profile.objects.filter(user=user).delete()
    user.educations.all().delete()
    user.security_answers.all().delete()
    audit_record(actor=None, action="account.anonymised", subject=user, reason="retention ended")
