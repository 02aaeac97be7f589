"""The applicant's account pages under `/akun/`: registration, activation, sign-in,
recovery, profile, their data and deletion."""

import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import (
    PasswordChangeView,
    PasswordResetCompleteView,
    PasswordResetConfirmView,
    PasswordResetDoneView,
    PasswordResetView,
)
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from seleksi.accounts import services, throttle
from seleksi.accounts.backends import user_by_identifier
from seleksi.accounts.models import Education, Profile, User
from seleksi.accounts.registry import RegistryOutcome, population_registry
from seleksi.accounts.selectors import profile_missing
from seleksi.agencies.permissions import user_is_staff_anywhere
from seleksi.audit.services import audit_record
from seleksi.core.client import client_address, site_url
from seleksi.notices import selectors as notice_selectors
from seleksi.rules.nik import normalise_number

from .account_forms import (
    NIK_TAKEN,
    EducationForm,
    EmailChangeForm,
    EmailForm,
    IdentityForm,
    LoginForm,
    NewPasswordForm,
    ProfileForm,
    QueuedPasswordResetForm,
    RecoveryAnswersForm,
    RecoveryStartForm,
    RegistrationForm,
    SecurityQuestionsForm,
    nik_errors,
)

# "Not found" and "does not match" get one answer: told apart, they would say which of
# several candidate numbers exists, the very digits a mask hides.
REGISTRY_MISMATCH = gettext_lazy(
    "Your NIK, family card number, name or date of birth do not match the population "
    "data (Dukcapil). Enter them exactly as on your e-KTP and family card. If they "
    "already match your documents, ask the civil registry office (Dinas Dukcapil) of "
    "your regency to update your data, then register again."
)
REGISTRY_MESSAGES = {
    RegistryOutcome.NOT_FOUND: REGISTRY_MISMATCH,
    RegistryOutcome.MISMATCH: REGISTRY_MISMATCH,
    RegistryOutcome.UNAVAILABLE: gettext_lazy(
        "The population data service cannot be reached right now. Nothing was saved; "
        "please try again in a few minutes."
    ),
}


def _address(request: HttpRequest) -> str:
    return client_address(request)


def _registry_problem(*, nik: str, kk: str, full_name: str, birth_date: Any) -> str | None:
    answer = population_registry().verify(
        nik=nik, kk=kk, full_name=full_name, birth_date=birth_date
    )
    if answer.outcome == RegistryOutcome.MATCH:
        return None
    return str(REGISTRY_MESSAGES[answer.outcome])


def _identity_confirmed(form: Any, address: str) -> tuple[bool, int, throttle.Challenge | None]:
    """Counts one try of the form's NIK (`throttle.identity_try`) and, if it may go on, asks
    the population registry. A refusal or a mismatch becomes the form's error. Returns whether
    the identity is confirmed, the status of the form shown again, and the challenge to keep."""
    data = form.cleaned_data
    token, answer = form.posted_challenge
    refusal = throttle.identity_try(
        address=address,
        nik=data["nik"],
        full_name=data["full_name"],
        birth_date=data["birth_date"],
        token=token,
        answer=answer,
    )
    if refusal is not None:
        form.add_error(None, refusal.message)
        return False, refusal.status, refusal.keep
    problem = _registry_problem(
        nik=data["nik"], kk=data["kk"], full_name=data["full_name"], birth_date=data["birth_date"]
    )
    if problem:
        form.add_error(None, problem)
    return not problem, 400, None


@never_cache
@sensitive_post_parameters(
    "password1", "password2", "nik", "kk", "answer_1", "answer_2", "challenge_answer"
)
def register(request: HttpRequest) -> HttpResponse:
    """Registration answers the same whether or not the NIK or e-mail address is taken (the
    owner of an existing account is told by e-mail instead), and tries that reach the
    population registry count against `throttle.identity_try`."""
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = RegistrationForm(request.POST or None)
    address = _address(request)
    status = 400 if request.method == "POST" else 200
    kept = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        confirmed = True
        if data["nik"]:
            confirmed, status, kept = _identity_confirmed(form, address)
        if confirmed:
            services.registration_submit(
                registration=services.Registration(
                    email=data["email"],
                    password=data["password1"],
                    full_name=data["full_name"],
                    phone=data["phone"],
                    birth_date=data["birth_date"],
                    sex=data["sex"],
                    nik=data["nik"],
                    kk=data["kk"],
                    questions=form.questions(),
                    registry_checked=bool(data["nik"]),
                    language=request.LANGUAGE_CODE,
                ),
                site_url=site_url(request),
            )
            return redirect("accounts:registered")
    form.show_challenge(kept or throttle.identity_challenge(address))
    return render(request, "accounts/register.html", {"form": form}, status=status)


@require_POST
@sensitive_post_parameters("nik")
def register_check_nik(request: HttpRequest) -> HttpResponse:
    """Checks the NIK as it is typed (htmx); the full check runs again on submit. It never says
    whether a NIK is registered; it is rate-limited per address all the same."""
    if throttle.nik_check_over_limit(_address(request)):
        errors = [_("Too many checks from this connection; submit the form to continue.")]
        return render(request, "accounts/_field_errors.html", {"errors": errors}, status=429)
    nik = normalise_number(str(request.POST.get("nik", "")))
    try:
        birth_date = forms.DateField(required=False).clean(request.POST.get("birth_date"))
    except forms.ValidationError:
        birth_date = None
    sex = str(request.POST.get("sex", ""))
    errors = nik_errors(nik, birth_date, sex if sex in {"L", "P"} else None) if nik else []
    return render(request, "accounts/_field_errors.html", {"errors": errors})


def registered(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/registered.html", {"hours": settings.SELEKSI_ACTIVATION_HOURS})


@never_cache
def activate(request: HttpRequest, token: str) -> HttpResponse:
    check = services.activation_check(token)
    if check.problem is None and check.user is not None:
        services.account_activate(user=check.user)
        return render(request, "accounts/activated.html", {})
    return render(
        request,
        "accounts/link_problem.html",
        {"problem": check.problem, "purpose": "activation", "form": EmailForm()},
        status=400,
    )


def _email_link_request(
    request: HttpRequest, *, send: Any, notice: str, title: str, button: str
) -> HttpResponse:
    """A form that takes an e-mail address and sends a link to it if, and only if, the
    address qualifies; the answer is the same either way."""
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        send(email=form.cleaned_data["email"], site_url=site_url(request))
        messages.info(request, notice)
        return redirect("accounts:login")
    return render(
        request, "accounts/email_request.html", {"form": form, "title": title, "button": button}
    )


@never_cache
def activation_resend(request: HttpRequest) -> HttpResponse:
    return _email_link_request(
        request,
        send=services.activation_resend,
        notice=_(
            "If that address belongs to an account that is not yet activated, a new "
            "activation link is on its way. Check your inbox and spam folder."
        ),
        title=_("Send the activation link again"),
        button=_("Send"),
    )


def _is_staff(user: Any) -> bool:
    """Staff land on their workspace: a staff account, or anyone holding an agency role
    (test-site staff made without the staff flag too)."""
    return bool(user.is_staff or user_is_staff_anywhere(user))


def _local_next(request: HttpRequest) -> str:
    """The `next` address of this site's own pages, or "" (never another host)."""
    target = request.GET.get("next", "")
    local = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if local and target.startswith("/") else ""


@never_cache
@sensitive_post_parameters("identifier", "password")
def sign_in(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    address = _address(request)
    status, kept = 200, None
    if request.method == "POST" and form.is_valid():
        token, answer = form.posted_challenge
        guess = throttle.sign_in_start(
            identifier=form.cleaned_data["identifier"], address=address, token=token, answer=answer
        )
        if guess.refusal is not None:
            form.add_error(None, guess.refusal.message)
            status, kept = guess.refusal.status, guess.refusal.keep
        else:
            user = authenticate(
                request,
                username=form.cleaned_data["identifier"],
                password=form.cleaned_data["password"],
            )
            if user is not None:
                throttle.guess_succeeded(guess)
                login(request, user)
                target = _local_next(request)
                if target:
                    return HttpResponseRedirect(target)
                return redirect("committee:home" if _is_staff(user) else "applicant:dashboard")
            locked = throttle.guess_failed(guess)
            if locked:
                form.add_error(None, locked)
                status = 429
            else:
                form.add_error(
                    None,
                    _("The NIK or e-mail address and password do not match an account."),
                )
                status = 400
    elif request.method == "POST":
        status = 400
    form.show_challenge(kept or throttle.login_challenge(address))
    return render(request, "accounts/login.html", {"form": form}, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("selections:home")


# --- recovery by security answers --------------------------------------------------------

RECOVERY_ACCOUNT = "seleksi_recovery_account"
RECOVERY_USER = "seleksi_recovery_user"
RECOVERY_SECONDS = 15 * 60


@never_cache
@sensitive_post_parameters("identifier")
def recovery_start(request: HttpRequest) -> HttpResponse:
    """Remembers which account (or which unknown identifier, hashed) the person means; the
    session never holds the NIK or address typed."""
    form = RecoveryStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"]
        user = user_by_identifier(identifier)
        request.session[RECOVERY_ACCOUNT] = {
            "user": user.pk if user else None,
            "bucket": throttle.account_bucket(user, identifier),
        }
        request.session.pop(RECOVERY_USER, None)
        return redirect("accounts:recovery_answers")
    return render(request, "accounts/recovery_start.html", {"form": form})


@never_cache
@sensitive_post_parameters("answer_1", "answer_2")
def recovery_answers(request: HttpRequest) -> HttpResponse:
    """An account's own questions, or a decoy pair for an unknown identifier; the same
    password-hash work, lock and address friction either way."""
    meant = request.session.get(RECOVERY_ACCOUNT)
    if not meant:
        return redirect("accounts:recovery")
    user = User.objects.filter(pk=meant["user"]).first() if meant["user"] else None
    questions = services.security_questions_for(user, meant["bucket"])
    form = RecoveryAnswersForm(request.POST or None)
    form.fields["answer_1"].label = questions[0][1]
    form.fields["answer_2"].label = questions[1][1]
    address = _address(request)
    status, kept = 200, None
    if request.method == "POST" and form.is_valid():
        token, answer = form.posted_challenge
        guess = throttle.guess_start(
            kind=throttle.RECOVERY,
            user=user,
            bucket=meant["bucket"],
            address=address,
            token=token,
            answer=answer,
        )
        answers = [form.cleaned_data["answer_1"], form.cleaned_data["answer_2"]]
        if guess.refusal is not None:
            form.add_error(None, guess.refusal.message)
            status, kept = guess.refusal.status, guess.refusal.keep
        elif services.security_answers_match(user, answers) and user and user.is_active:
            throttle.guess_succeeded(guess)
            request.session[RECOVERY_USER] = [user.pk, timezone.now().timestamp()]
            return redirect("accounts:recovery_password")
        else:
            locked = throttle.guess_failed(guess)
            if locked:
                form.add_error(None, locked)
                status = 429
            else:
                form.add_error(
                    None,
                    _(
                        "The answers do not match. Answers are not case-sensitive. You can "
                        "also recover your password by e-mail."
                    ),
                )
                status = 400
    elif request.method == "POST":
        status = 400
    form.show_challenge(kept or throttle.login_challenge(address))
    return render(request, "accounts/recovery_answers.html", {"form": form}, status=status)


@never_cache
@sensitive_post_parameters("password1", "password2")
def recovery_password(request: HttpRequest) -> HttpResponse:
    granted = request.session.get(RECOVERY_USER)
    if not granted or timezone.now().timestamp() - granted[1] > RECOVERY_SECONDS:
        request.session.pop(RECOVERY_USER, None)
        messages.error(request, _("The recovery took too long; answer the questions again."))
        return redirect("accounts:recovery")
    user = get_object_or_404(User, pk=granted[0], is_active=True)
    form = NewPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.password_reset_by_answers(user=user, password=form.cleaned_data["password1"])
        request.session.pop(RECOVERY_USER, None)
        request.session.pop(RECOVERY_ACCOUNT, None)
        messages.success(request, _("Your password has been changed. Sign in with it now."))
        return redirect("accounts:login")
    return render(request, "accounts/recovery_password.html", {"form": form})


# --- password reset by e-mail (Django's views, our templates) ----------------------------


class ResetView(PasswordResetView):
    form_class = QueuedPasswordResetForm
    template_name = "accounts/email_request.html"
    extra_context = {
        "title": gettext_lazy("Recover your password by e-mail"),
        "button": gettext_lazy("Send me a link"),
    }
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class ResetDoneView(PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class ResetConfirmView(PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(user=form.user, how="e-mail link")
        return response


class ResetCompleteView(PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class ChangePasswordView(PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(user=form.user, how="changed while signed in")
        messages.success(self.request, _("Your password has been changed."))
        return response


# --- security answers reset by e-mail ----------------------------------------------------


@never_cache
def answers_reset_request(request: HttpRequest) -> HttpResponse:
    return _email_link_request(
        request,
        send=services.answer_reset_send,
        notice=_(
            "If that address belongs to an activated account, a link to set new security "
            "questions is on its way."
        ),
        title=_("Set new security questions by e-mail"),
        button=_("Send me a link"),
    )


@never_cache
@sensitive_post_parameters("answer_1", "answer_2")
def answers_reset(request: HttpRequest, token: str) -> HttpResponse:
    check = services.answer_reset_check(token)
    if check.problem is not None or check.user is None:
        return render(
            request,
            "accounts/link_problem.html",
            {"problem": check.problem, "purpose": "answers"},
            status=400,
        )
    form = SecurityQuestionsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.security_answers_set(
            user=check.user, questions=form.questions(), how="e-mail link"
        )
        messages.success(request, _("Your security questions have been changed."))
        return redirect("accounts:login")
    return render(request, "accounts/security_questions.html", {"form": form, "by_link": True})


# --- signed-in pages ---------------------------------------------------------------------


@never_cache
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if _is_staff(user):
        messages.info(
            request,
            _("Staff accounts have no applicant profile: here is your workspace."),
        )
        return redirect("committee:home")
    profile_row, _created = Profile.objects.get_or_create(user=user)
    return render(
        request,
        "accounts/profile.html",
        {
            "account": user,
            "profile": profile_row,
            "educations": user.educations.select_related("level"),
            "missing": profile_missing(user),
        },
    )


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    profile_row, _created = Profile.objects.get_or_create(user=user)
    form = ProfileForm(request.POST or None, instance=profile_row)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            audit_record(
                actor=user,
                action="profile.updated",
                subject=user,
                details={"fields": sorted(form.changed_data)},
            )
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile_edit.html", {"form": form})


@login_required
def education_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    education = get_object_or_404(Education, pk=pk, user=user) if pk else Education(user=user)
    form = EducationForm(request.POST or None, instance=education)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            audit_record(
                actor=user,
                action="education.saved",
                subject=user,
                details={"education": saved.pk, "fields": sorted(form.changed_data)},
            )
        messages.success(request, _("Your education history has been saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/education_edit.html", {"form": form, "education": education})


@login_required
@require_POST
def education_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    education = get_object_or_404(Education, pk=pk, user=user)
    with transaction.atomic():
        audit_record(
            actor=user, action="education.deleted", subject=user, details={"education": pk}
        )
        education.delete()
    messages.success(request, _("The education entry has been removed."))
    return redirect("accounts:profile")


@login_required
@sensitive_post_parameters("password")
def email_change(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = EmailChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        new_email = form.cleaned_data["new_email"]
        if not services.email_taken(new_email):
            services.email_change_request(
                user=user, new_email=new_email, site_url=site_url(request)
            )
        messages.info(
            request,
            _(
                "We sent a confirmation link to the new address. Your e-mail address changes "
                "when you open it."
            ),
        )
        return redirect("accounts:profile")
    return render(request, "accounts/email_change.html", {"form": form})


@never_cache
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    check = services.email_change_check(token)
    new_email = str(check.payload.get("new", ""))
    if check.problem is not None or check.user is None or not new_email:
        return render(
            request,
            "accounts/link_problem.html",
            {"problem": check.problem, "purpose": "email"},
            status=400,
        )
    if not services.email_change_confirm(
        user=check.user, new_email=new_email, old_email=check.user.email
    ):
        return render(
            request,
            "accounts/link_problem.html",
            {"problem": "used", "purpose": "email"},
            status=400,
        )
    messages.success(request, _("Your e-mail address has been changed."))
    return redirect("accounts:profile" if request.user.is_authenticated else "accounts:login")


@login_required
@sensitive_post_parameters("answer_1", "answer_2", "password")
def security_questions(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = SecurityQuestionsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not user.check_password(request.POST.get("password", "")):
            form.add_error(None, _("The password is not correct."))
        else:
            services.security_answers_set(user=user, questions=form.questions(), how="profile")
            messages.success(request, _("Your security questions have been changed."))
            return redirect("accounts:profile")
    return render(request, "accounts/security_questions.html", {"form": form, "by_link": False})


@never_cache
@login_required
@sensitive_post_parameters("nik", "kk")
def identity_add(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    back = _local_next(request)
    if user.nik_cipher:
        return HttpResponseRedirect(back) if back else redirect("accounts:profile")
    initial = {"full_name": user.full_name, "birth_date": user.birth_date, "sex": user.sex}
    form = IdentityForm(request.POST or None, initial=initial)
    address = _address(request)
    status, kept = (400 if request.method == "POST" else 200), None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        confirmed, status, kept = _identity_confirmed(form, address)
        if confirmed:
            try:
                services.identity_add(
                    user=user,
                    nik=data["nik"],
                    kk=data["kk"],
                    full_name=data["full_name"],
                    birth_date=data["birth_date"],
                    sex=data["sex"],
                    site_url=site_url(request),
                )
            except services.AlreadyRegistered:
                form.add_error("nik", NIK_TAKEN)
            else:
                messages.success(request, _("Your NIK and family card number have been added."))
                return HttpResponseRedirect(back) if back else redirect("accounts:profile")
    form.show_challenge(kept or throttle.identity_challenge(address))
    return render(request, "accounts/identity_add.html", {"form": form}, status=status)


def _personal_data(user: Any) -> dict[str, Any]:
    """The account's data and the notices sent to the person (seleksi.notices)."""
    return {**services.personal_data(user), "notices": notice_selectors.personal(user)}


@never_cache
@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    data = _personal_data(request.user)
    return render(request, "accounts/my_data.html", {"data": data})


@never_cache
@login_required
def my_data_json(request: HttpRequest) -> HttpResponse:
    data = _personal_data(request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="data-saya-seleksi.json"'
    return response


@login_required
@sensitive_post_parameters("password")
def account_delete(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    blocked = user.is_staff or user.is_superuser or user.memberships.exists()
    applied = services.account_has_applied(user)
    if request.method == "POST" and not (blocked or applied):
        if user.check_password(request.POST.get("password", "")):
            logout(request)
            services.account_delete(user=user)
            messages.success(request, _("Your account and personal data have been deleted."))
            return redirect("selections:home")
        messages.error(request, _("The password is not correct; nothing was deleted."))
    return render(request, "accounts/account_delete.html", {"blocked": blocked, "applied": applied})
