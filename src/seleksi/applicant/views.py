"""The applicant's application pages: the openings they may apply to, the application with
its documents, statements, submission, administrative result and objection, the documents
themselves and the printed resume and account card (PDF)."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.messages.storage.base import Message
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from seleksi.accounts.models import User
from seleksi.accounts.selectors import profile_missing
from seleksi.agencies.permissions import Capability, user_can
from seleksi.applications import services
from seleksi.applications.models import Application, Document
from seleksi.applications.storage import FileNotStored, private_file_response
from seleksi.exams import selectors as exams_selectors
from seleksi.public.forms import FormationFilterForm
from seleksi.rules.verification import Mark, Stage
from seleksi.scoring.replacements import application_replacements
from seleksi.selections import selectors as selection_selectors
from seleksi.selections.models import Formation
from seleksi.sittings import paper
from seleksi.verification import selectors as verification_selectors
from seleksi.verification import services as verification_services
from seleksi.verification.models import Objection
from seleksi.verification.services import evidence_limit_kb, window_for

from . import cards
from .file_messages import describe_problem, describe_warnings, warning_texts
from .forms import ApplyForm, SubmitForm, UploadForm
from .preferences import PreferenceSummary, preference_summary
from .reasons import STATEMENTS, describe_reason

SLOT_MESSAGE = "slot:"  # a message's tag naming the document slot it is about


def _own_application(request: HttpRequest, number: str) -> Application:
    application = get_object_or_404(
        Application.objects.select_related("selection__agency", "formation"), number=number
    )
    if application.applicant_id != request.user.pk:
        raise Http404("no such application")
    return application


def _refusal(request: HttpRequest, error: services.ApplicationRefused) -> None:
    messages.error(request, error.message)
    if error.eligibility is not None:
        for reason in error.eligibility.reasons:
            messages.error(request, describe_reason(reason))


def _back_after(
    request: HttpRequest, error: services.ApplicationRefused, application: Application
) -> HttpResponse:
    """Back to the application, or to its selection when a concurrent request withdrew it."""
    _refusal(request, error)
    if error.code == "withdrawn":
        return redirect("selections:detail", code=application.selection.code)
    return redirect("applicant:detail", number=application.number)


@dataclass(frozen=True)
class StartFix:
    """Something the account lacks before it can apply, and the page where it is added."""

    code: str
    message: str
    url: str
    link: str  # follows the message
    button: str  # stands alone, in place of "apply"


def _start_fixes(request: HttpRequest, user: User) -> list[StartFix]:
    """The refusals `application_start` would give for the account itself, each with a link
    that brings the applicant back to this page once it is fixed."""
    fixes = []
    for code in services.start_blockers(user):
        if code == "nik_missing":
            back = urlencode({"next": request.get_full_path()})
            url = f"{reverse('accounts:identity_add')}?{back}"
            link, button = _("Add them now"), _("Add my NIK and family card number")
        else:
            url = reverse("accounts:activation_resend")
            link = button = _("Send the activation link again")
        fixes.append(StartFix(code, str(services.REFUSALS[code]), url, link, button))
    return fixes


def _start_refused(request: HttpRequest, user: User, error: services.ApplicationRefused) -> None:
    """The refusal, with the link to fix it when the account lacks something."""
    fix = next((f for f in _start_fixes(request, user) if f.code == error.code), None)
    if fix is None:
        _refusal(request, error)
    else:
        messages.error(
            request, format_html('{} <a href="{}">{}</a>', fix.message, fix.url, fix.link)
        )


@login_required
def choose(request: HttpRequest, code: str) -> HttpResponse:
    """The openings with, for each, whether this person qualifies and why not."""
    selection = selection_selectors.selection_published_get(code=code)
    if selection is None:
        raise Http404("selection not found")
    user: User = request.user  # type: ignore[assignment]
    existing = Application.objects.filter(applicant=user, selection=selection).first()
    if existing is not None:
        return redirect("applicant:detail", number=existing.number)
    options = selection_selectors.formation_filter_options(selection=selection)
    form = FormationFilterForm(request.GET or None, options=options)
    queryset = selection_selectors.formations_filtered(
        selection=selection, filters=form.to_filter()
    )
    only_eligible = request.GET.get("memenuhi") == "1"
    rows = services.eligibility_table(user=user, selection=selection, formations=queryset)
    eligible_count = sum(1 for _formation, result in rows if result.eligible)
    if only_eligible:
        rows = [row for row in rows if row[1].eligible]
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    policy = services.policy_for(selection.policy_code)
    described = [
        (
            formation,
            result,
            [describe_reason(reason) for reason in result.reasons],
            preference_summary(policy, result.preferences_met) if result.eligible else None,
        )
        for formation, result in page.object_list
    ]
    fixes = _start_fixes(request, user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "applications/choose.html",
        {
            "selection": selection,
            "status": selection.status(),
            "form": form,
            "page": page,
            "rows": described,
            "eligible_count": eligible_count,
            "only_eligible": only_eligible,
            "active_filters": form.active_count() + only_eligible,
            "query": query.urlencode(),
            "start_fixes": fixes,
            "profile_missing": [] if fixes else profile_missing(user),
        },
    )


@login_required
@never_cache
def apply(request: HttpRequest, code: str, formation_code: str) -> HttpResponse:
    formation = get_object_or_404(
        Formation.objects.select_related("selection"),
        selection__code=code,
        selection__is_published=True,
        code=formation_code,
    )
    user: User = request.user  # type: ignore[assignment]
    policy = services.policy_for(formation.selection.policy_code)
    is_pppk_guru = formation.procurement_type == "PPPK" and formation.position_category == "guru"
    form = ApplyForm(
        request.POST or None,
        statements=policy.statements,
        pppk_groups=policy.pppk_guru_groups if is_pppk_guru else (),
    )
    eligibility = services.eligibility_for(user=user, formation=formation)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_start(
                user=user,
                formation=formation,
                statements=form.statements(),
                pppk_guru_group=form.cleaned_data.get("pppk_guru_group", ""),
            )
        except services.ApplicationRefused as error:
            _start_refused(request, user, error)
            existing = Application.objects.filter(
                applicant=user, selection=formation.selection
            ).first()
            if existing is not None:
                return redirect("applicant:detail", number=existing.number)
        else:
            messages.success(request, _("Your application has been started; upload the documents."))
            return redirect("applicant:detail", number=application.number)
    return render(
        request,
        "applications/apply.html",
        {
            "formation": formation,
            "selection": formation.selection,
            "form": form,
            "eligibility": eligibility,
            "reasons": [describe_reason(reason) for reason in eligibility.reasons],
            "start_fixes": _start_fixes(request, user),
            "preferences": preference_summary(policy, eligibility.preferences_met),
        },
        status=400 if request.method == "POST" else 200,
    )


def _messages_by_slot(request: HttpRequest) -> tuple[list[Message], dict[str, list[Message]]]:
    """The page's messages, and those about one document slot, shown inside that slot: on a
    phone the slot is far below the top of the page, where the answer to an upload is read."""
    page: list[Message] = []
    slots: dict[str, list[Message]] = {}
    for message in messages.get_messages(request):
        if message.extra_tags.startswith(SLOT_MESSAGE):
            slots.setdefault(message.extra_tags.removeprefix(SLOT_MESSAGE), []).append(message)
        else:
            page.append(message)
    return page, slots


@login_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    application = _own_application(request, number)
    page_messages, slot_messages = _messages_by_slot(request)
    documents = {document.rule_id: document for document in application.documents.all()}
    slots = [
        (rule, documents.get(rule.pk), [w for w in _warning_texts(documents.get(rule.pk))])
        for rule in application.selection.document_rules.all()
    ]
    eligibility = services.eligibility_for(
        user=application.applicant,
        formation=application.formation,
        statements=application.statements,
        pppk_guru_group=application.pppk_guru_group or None,
    )
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "slots": slots,
            "messages": page_messages,
            "slot_messages": slot_messages,
            "missing": services.missing_documents(application),
            "eligibility": eligibility,
            "reasons": [describe_reason(reason) for reason in eligibility.reasons],
            "preferences": _preferences_of(application, eligibility.preferences_met),
            "submit_form": SubmitForm(),
            "statement_texts": _statement_texts(application),
            **_administrative_result(application),
            "status": application.selection.status(),
        },
    )


def _preferences_of(application: Application, current: tuple[str, ...]) -> PreferenceSummary | None:
    """The preferred criteria as they count: as recorded at submission once submitted (the
    ranking reads that record), from the current profile while still a draft."""
    recorded = (application.eligibility or {}).get("preferences_met", [])
    met = recorded if application.is_submitted else current
    return preference_summary(services.policy_for(application.selection.policy_code), met)


def _administrative_result(application: Application) -> dict[str, object]:
    """What the applicant sees of the administrative selection: the published result with
    every reason, the objection (window, form, answer, and once answered the outcome still to
    be published: "accepted" or "rejected") and the timeline of the application."""
    objection = Objection.objects.filter(application=application).first()
    window = window_for(application)
    can_object = (
        objection is None
        and application.published_result == Mark.TMS
        and application.admin_stage == Stage.PUBLISHED
        and window is not None
        and window.contains(application.selection.agency.today())
    )
    pending_outcome = ""
    if objection is not None and application.admin_stage == Stage.ANSWERED:
        # Answered, but the result after the objection period is not published yet.
        pending_outcome = str(objection.status)
    return {
        "result_reasons": verification_selectors.published_reasons(application),
        "objection": objection,
        "pending_outcome": pending_outcome,
        "objection_window": window,
        "can_object": can_object,
        "timeline": paper.timeline(application),
        "test_seats": exams_selectors.stage_seats(application) if application.is_submitted else [],
        "replacements": application_replacements(application),
        "evidence_limit_kb": evidence_limit_kb(application.selection) if can_object else None,
    }


def _warning_texts(document: Document | None) -> list[str]:
    if document is None:
        return []
    params = {k: v for w in document.warnings for k, v in w.get("params", {}).items()}
    return warning_texts([w["code"] for w in document.warnings], params)


@login_required
@require_POST
def upload(request: HttpRequest, number: str, slot: str) -> HttpResponse:
    application = _own_application(request, number)
    rule = get_object_or_404(application.selection.document_rules, code=slot)
    form = UploadForm(request.POST, request.FILES)
    slot_tag = SLOT_MESSAGE + slot
    back = reverse("applicant:detail", args=[number]) + f"#slot-{slot}"
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."), extra_tags=slot_tag)
        return redirect(back)
    try:
        outcome = services.document_upload(
            application=application,
            rule=rule,
            upload=form.cleaned_data["file"],
            user=request.user,  # type: ignore[arg-type]
        )
    except services.ApplicationRefused as error:
        return _back_after(request, error, application)
    except FileNotStored as error:
        messages.error(request, f"{rule.name}: {error.message}", extra_tags=slot_tag)
        return redirect(back)
    if outcome.document is None:
        messages.error(
            request,
            _("%(document)s was not saved: %(problem)s")
            % {"document": rule.name, "problem": describe_problem(outcome.check)},
            extra_tags=slot_tag,
        )
    else:
        messages.success(
            request,
            _("%(document)s has been uploaded.") % {"document": rule.name},
            extra_tags=slot_tag,
        )
        for warning in describe_warnings(outcome.check):
            messages.warning(request, warning, extra_tags=slot_tag)
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, number: str) -> HttpResponse:
    """Withdrawing a draft deletes it and its uploads: the first request (a link or a form
    without `confirmed=1`) only shows what will be deleted and asks to confirm."""
    application = _own_application(request, number)
    if application.is_submitted:
        messages.error(request, services.ApplicationRefused("already_submitted").message)
        return redirect("applicant:detail", number=number)
    if request.method != "POST" or request.POST.get("confirmed") != "1":
        documents = list(application.documents.select_related("rule").order_by("rule__order"))
        return render(
            request,
            "applications/cancel_confirm.html",
            {"application": application, "documents": documents},
        )
    try:
        services.application_cancel(application=application, user=request.user)  # type: ignore[arg-type]
    except services.ApplicationRefused as error:
        return _back_after(request, error, application)
    messages.success(request, _("Your draft application has been withdrawn."))
    return redirect("selections:detail", code=application.selection.code)


@login_required
@require_POST
def submit(request: HttpRequest, number: str) -> HttpResponse:
    application = _own_application(request, number)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the confirmation before submitting."))
        return redirect("applicant:detail", number=number)
    try:
        services.application_submit(
            application=application,
            user=request.user,  # type: ignore[arg-type]
            site_url=f"{request.scheme}://{request.get_host()}",
        )
    except services.ApplicationRefused as error:
        return _back_after(request, error, application)
    messages.success(request, _("Your application has been submitted. Print the resume below."))
    return redirect("applicant:detail", number=number)


@login_required
@never_cache
@xframe_options_sameorigin
def document_file(request: HttpRequest, pk: int) -> FileResponse:
    """Served to the owner and to staff of the selection's agency only; never a public URL."""
    document = get_object_or_404(
        Document.objects.select_related("application__selection", "rule"), pk=pk
    )
    application = document.application
    allowed = (
        application.applicant_id == request.user.pk
        or user_can(request.user, Capability.VERIFY_APPLICATIONS, application.selection.agency_id)
        or user_can(request.user, Capability.MANAGE_SELECTIONS, application.selection.agency_id)
    )
    if not allowed:
        raise Http404("no such document")
    # Previewed inside the verification page (same origin only); uploads carry no scripts.
    return private_file_response(
        document.file,
        is_pdf=document.rule.file_format == "pdf",
        filename=f"{application.number}-{document.rule.code}",
        framed_by_self=True,
    )


def _statement_texts(application: Application) -> list[str]:
    return [str(STATEMENTS.get(code, code)) for code in application.statements]


@login_required
def resume_pdf(request: HttpRequest, number: str) -> HttpResponse:
    application = _own_application(request, number)
    if not application.is_submitted:
        messages.error(request, _("The resume can be printed after you submit."))
        return redirect("applicant:detail", number=number)
    url = cards.verification_url(request, application.verification_token)
    pdf = cards.render_pdf(
        request,
        "applications/pdf/resume.html",
        {
            "application": application,
            "applicant": application.applicant,
            "educations": application.applicant.educations.select_related("level"),
            "documents": application.documents.select_related("rule"),
            "statements": _statement_texts(application),
            "preferences": _preferences_of(application, ()),
            "photo": cards.photo_data_uri(application),
            "qr": cards.qr_svg(url),
            "verify_url": url,
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="resume-{application.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def account_card_pdf(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    url = cards.verification_url(request, cards.account_card_token(user.pk))
    pdf = cards.render_pdf(
        request,
        "applications/pdf/account_card.html",
        {
            "applicant": user,
            "applications": user.applications.select_related("selection"),
            "qr": cards.qr_svg(url),
            "verify_url": url,
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="kartu-informasi-akun.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def object_to_result(request: HttpRequest, number: str) -> HttpResponse:
    application = get_object_or_404(Application, number=number)
    if application.applicant_id != request.user.pk:
        raise Http404("no such application")
    try:
        verification_services.objection_file(
            application=application,
            user=request.user,
            reason=request.POST.get("reason", ""),
            files=request.FILES.getlist("evidence"),
        )
    except verification_services.VerificationRefused as error:
        messages.error(request, error.message)
    except FileNotStored as error:
        messages.error(request, f"{_('Your objection was not filed.')} {error.message}")
    else:
        messages.success(request, _("Your objection has been filed."))
    return redirect("applicant:detail", number=number)
