"""Writes for accounts: registration, activation, sign-in throttling, recovery, e-mail change,
personal data. Every change an applicant can see is audited; no NIK or KK ever goes into an
audit event, a log line, an e-mail or a URL."""

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from seleksi.audit.services import audit_record
from seleksi.outbox.services import email_queue

from .crypto import encrypt_text, lookup_hash
from .models import SECURITY_QUESTIONS, LoginAttempt, Profile, SecurityAnswer, User
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


def nik_taken(nik: str) -> bool:
    return User.objects.filter(nik_hash=lookup_hash(nik)).exists()


def email_taken(email: str) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exists()


def _set_identity(user: User, *, nik: str, kk: str) -> None:
    user.nik_cipher, user.nik_hash = encrypt_text(nik), lookup_hash(nik)
    user.kk_cipher, user.kk_hash = encrypt_text(kk), lookup_hash(kk)


def _set_answers(user: User, questions: tuple[tuple[str, str], ...]) -> None:
    user.security_answers.all().delete()
    for position, (question, answer) in enumerate(questions, start=1):
        SecurityAnswer.objects.create(
            user=user,
            position=position,
            question=question,
            answer_hash=make_password(normalise_answer(answer)),
        )


@transaction.atomic
def applicant_register(
    *, registration: Registration, site_url: str, send_activation: bool = True
) -> User:
    user = User(
        username=f"p{secrets.token_hex(8)}",
        email=registration.email.strip(),
        full_name=registration.full_name.strip(),
        phone=registration.phone.strip(),
        birth_date=registration.birth_date,
        sex=registration.sex,
    )
    user.set_password(registration.password)
    if registration.nik:
        _set_identity(user, nik=registration.nik, kk=registration.kk)
    if registration.registry_checked:
        user.registry_status = User.RegistryStatus.MATCH
        user.registry_checked_at = timezone.now()
    user.save()
    Profile.objects.create(user=user)
    _set_answers(user, registration.questions)
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


def registration_with_known_email(*, email: str, site_url: str) -> None:
    """Someone registered with an address that already has an account: tell the owner of
    the address, instead of telling the person at the keyboard."""
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        return
    _send(
        user=user,
        to=user.email,
        template="already_registered",
        context={
            "login_link": site_url + reverse("accounts:login"),
            "reset_link": site_url + reverse("accounts:password_reset"),
        },
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


# --- sign-in throttling ----------------------------------------------------------------


def _key(value: str) -> str:
    return lookup_hash("attempt:" + value.strip().lower())


@dataclass(frozen=True)
class Lock:
    until: datetime | None

    @property
    def locked(self) -> bool:
        return self.until is not None


def attempt_lock(*, kind: str, identifier: str, address: str) -> Lock:
    """Locked when this identifier, or this address, failed too often in the lock window.
    Unknown identifiers lock exactly like real ones, so a lock reveals nothing."""
    window = timedelta(minutes=settings.SELEKSI_LOGIN_LOCK_MINUTES)
    since = timezone.now() - window
    recent = LoginAttempt.objects.filter(kind=kind, at__gte=since, succeeded=False)
    for field, value, limit in (
        ("identifier_hash", _key(identifier), settings.SELEKSI_LOGIN_MAX_FAILURES),
        ("address_hash", _key(address), settings.SELEKSI_LOGIN_MAX_FAILURES_PER_ADDRESS),
    ):
        failures = list(
            recent.filter(**{field: value}).order_by("-at").values_list("at", flat=True)[:limit]
        )
        if len(failures) >= limit:
            return Lock(until=failures[-1] + window)
    return Lock(until=None)


def attempt_record(
    *, kind: str, identifier: str, address: str, succeeded: bool, user: User | None
) -> Lock:
    LoginAttempt.objects.create(
        kind=kind,
        identifier_hash=_key(identifier),
        address_hash=_key(address),
        succeeded=succeeded,
    )
    if succeeded:
        return Lock(until=None)
    lock = attempt_lock(kind=kind, identifier=identifier, address=address)
    if lock.locked:
        logger.warning(
            "%s locked until %s for account %s",
            kind,
            lock.until.isoformat() if lock.until else "",
            user.pk if user else "(unknown)",
        )
        if user is not None:
            audit_record(
                actor=None,
                action=f"account.{kind}_locked",
                subject=user,
                reason=f"{settings.SELEKSI_LOGIN_MAX_FAILURES} failed attempts",
            )
    return lock


def address_over_limit(*, kind: str, address: str, limit: int) -> bool:
    """Counts one more use of `kind` from this address and says whether the address went past
    `limit` within the lock window. Used where no account is involved (the NIK check)."""
    since = timezone.now() - timedelta(minutes=settings.SELEKSI_LOGIN_LOCK_MINUTES)
    address_hash = _key(address)
    used = LoginAttempt.objects.filter(kind=kind, address_hash=address_hash, at__gte=since).count()
    LoginAttempt.objects.create(
        kind=kind, identifier_hash="", address_hash=address_hash, succeeded=False
    )
    return used >= limit


# --- recovery by security answers --------------------------------------------------------


def security_questions_for(user: User | None, identifier: str) -> list[tuple[str, str]]:
    """The two questions to ask. For an unknown identifier, two stable questions derived from
    it, so that the page looks the same whether or not the account exists."""
    labels = dict(SECURITY_QUESTIONS)
    if user is not None:
        answers = list(user.security_answers.order_by("position"))
        if len(answers) == 2:
            return [(a.question, str(labels[a.question])) for a in answers]
    digest = hmac.new(b"questions", _key(identifier).encode(), hashlib.sha256).digest()
    first = digest[0] % len(SECURITY_QUESTIONS)
    second = (first + 1 + digest[1] % (len(SECURITY_QUESTIONS) - 1)) % len(SECURITY_QUESTIONS)
    return [(SECURITY_QUESTIONS[i][0], str(SECURITY_QUESTIONS[i][1])) for i in (first, second)]


def security_answers_match(user: User | None, answers: list[str]) -> bool:
    stored = list(user.security_answers.order_by("position")) if user else []
    if len(stored) != 2:
        make_password("spend the same time")
        return False
    results = [
        check_password(normalise_answer(given), kept.answer_hash)
        for given, kept in zip(answers, stored, strict=True)
    ]
    return all(results)


@transaction.atomic
def password_reset_by_answers(*, user: User, password: str) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=user, action="account.password_reset", subject=user, reason="answers")


@transaction.atomic
def password_changed(*, user: User, how: str) -> None:
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
    _set_answers(user, questions)
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


@transaction.atomic
def email_change_confirm(*, user: User, new_email: str) -> None:
    old = user.email
    user.email = new_email
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email", "email_verified_at"])
    audit_record(actor=user, action="account.email_changed", subject=user)
    _send(user=user, to=old, template="email_changed_notice", context={})


# --- identity added later (mitra accounts) -----------------------------------------------


@transaction.atomic
def identity_add(
    *, user: User, nik: str, kk: str, full_name: str, birth_date: date, sex: str
) -> None:
    _set_identity(user, nik=nik, kk=kk)
    user.full_name, user.birth_date, user.sex = full_name, birth_date, sex
    user.registry_status = User.RegistryStatus.MATCH
    user.registry_checked_at = timezone.now()
    user.save()
    audit_record(actor=user, action="account.identity_added", subject=user)


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
