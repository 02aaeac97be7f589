"""The committee's administrative-selection pages: the verification queue with its
assignment and publication, the review of one application, and the answer to an objection."""

from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from seleksi.agencies.models import Membership, Role
from seleksi.agencies.permissions import Capability, user_can
from seleksi.applications.models import Application
from seleksi.applications.storage import private_file_response
from seleksi.rules.verification import Mark, Stage
from seleksi.selections.models import Selection
from seleksi.verification import selectors, services
from seleksi.verification.models import Objection, ObjectionEvidence

from .desks import selection_for


@login_required
def queue(request: HttpRequest, code: str) -> HttpResponse:
    selection = selection_for(request, code, Capability.VIEW_AGENCY_DATA)
    stage = request.GET.get("tahap", "")
    formation = request.GET.get("formasi", "")
    verifier = request.GET.get("verifikator", "")
    applications = selectors.queue(
        selection=selection, stage=stage, formation=formation, verifier=verifier
    )
    page = Paginator(applications, 50).get_page(request.GET.get("page"))
    verifiers = [
        m.user
        for m in Membership.objects.filter(agency=selection.agency, role=Role.VERIFIER)
        .select_related("user")
        .order_by("user__username")
    ]
    publication = selectors.administrative_publication(selection)
    return render(
        request,
        "verification/queue.html",
        {
            "selection": selection,
            "page": page,
            "counts": selectors.stage_counts(selection),
            "administrative_publication": publication,
            "final_published": publication is not None
            and selectors.is_published(selection, after_objections=True),
            "to_check": None
            if publication
            else selectors.to_check_before_publication(selection).count(),
            "labels": selectors.STAGE_LABELS,
            "verifiers": verifiers,
            "filters": {"tahap": stage, "formasi": formation, "verifikator": verifier},
            "can_decide": user_can(request.user, Capability.DECIDE_RESULTS, selection.agency_id),
            "can_verify": user_can(
                request.user, Capability.VERIFY_APPLICATIONS, selection.agency_id
            ),
            "objections": Objection.objects.filter(application__selection=selection)
            .select_related("application")
            .order_by("status", "answer_due_on")[:200],
            "overdue": set(services.overdue_objections(selection).values_list("pk", flat=True)),
        },
    )


PUBLISH_ACTIONS = ("publish", "publish_after_objections")


def published_message(counts: dict[str, int], after_objections: bool) -> str:
    """The outcome of a publication as a sentence: "Hasil seleksi administrasi diumumkan
    untuk 2 lamaran: 1 MS, 1 TMS." """
    ms, tms = int(counts.get(Mark.MS, 0)), int(counts.get(Mark.TMS, 0))
    values = {"total": ms + tms, "ms": ms, "tms": tms}
    if after_objections:
        return (
            ngettext(
                "Result after the objection period published for %(total)d application: "
                "%(ms)d MS, %(tms)d TMS.",
                "Result after the objection period published for %(total)d applications: "
                "%(ms)d MS, %(tms)d TMS.",
                ms + tms,
            )
            % values
        )
    return (
        ngettext(
            "Administrative selection result published for %(total)d application: "
            "%(ms)d MS, %(tms)d TMS.",
            "Administrative selection result published for %(total)d applications: "
            "%(ms)d MS, %(tms)d TMS.",
            ms + tms,
        )
        % values
    )


def _publish_confirmation(
    request: HttpRequest, selection: Selection, action: str, counts: dict[str, int]
) -> HttpResponse:
    """The first step of a publication: what will happen, and a second button that posts
    again with `confirmed=1`. Nothing is written until then."""
    return render(
        request,
        "verification/publish_confirm.html",
        {
            "selection": selection,
            "action": action,
            "after_objections": action == "publish_after_objections",
            "counts": counts,
        },
    )


@login_required
@require_POST
def queue_action(request: HttpRequest, code: str) -> HttpResponse:
    selection = selection_for(request, code, Capability.VIEW_AGENCY_DATA)
    action = request.POST.get("action")
    site_url = f"{request.scheme}://{request.get_host()}"
    try:
        if action == "assign_evenly":
            verifiers = [
                m.user
                for m in Membership.objects.filter(
                    agency=selection.agency, role=Role.VERIFIER
                ).select_related("user")
            ]
            handed = services.application_assign_evenly(
                selection=selection, verifiers=verifiers, actor=request.user
            )
            messages.success(
                request, _("%(n)d applications assigned.") % {"n": sum(handed.values())}
            )
        elif action == "assign":
            verifier = get_object_or_404(
                Membership.objects.select_related("user"),
                agency=selection.agency,
                role=Role.VERIFIER,
                user_id=request.POST.get("verifier"),
            ).user
            chosen = Application.objects.filter(
                selection=selection, number__in=request.POST.getlist("number")
            ).select_related("selection")
            count = services.application_assign(
                applications=chosen, verifier=verifier, actor=request.user
            )
            messages.success(request, _("%(n)d applications assigned.") % {"n": count})
        elif action in PUBLISH_ACTIONS:
            after_objections = action == "publish_after_objections"
            if request.POST.get("confirmed") != "1":
                counts = services.publication_preview(
                    selection=selection, actor=request.user, after_objections=after_objections
                )
                return _publish_confirmation(request, selection, action, counts)
            publish = (
                services.result_publish_after_objections
                if after_objections
                else services.result_publish
            )
            publication = publish(selection=selection, actor=request.user, site_url=site_url)
            messages.success(request, published_message(publication.counts, after_objections))
    except services.VerificationRefused as error:
        messages.error(request, error.message)
    return redirect("committee:queue", code=selection.code)


def _next_number(application: Application, user: Any) -> str | None:
    following = (
        Application.objects.filter(
            selection=application.selection,
            status=Application.Status.SUBMITTED,
            admin_stage__in=[Stage.WAITING, Stage.DECIDED],
            pk__gt=application.pk,
        )
        .filter(Q(assigned_to=user) | Q(assigned_to=None))
        .order_by("pk")
        .values_list("number", flat=True)
        .first()
    )
    return following


def _claim_next(application: Application, user: Any) -> str | None:
    """After "save and next": the following application, taken to check when nobody holds
    it (the page says who does otherwise)."""
    following = _next_number(application, user)
    if following is not None:
        candidate = Application.objects.select_related("selection").get(number=following)
        with suppress(services.VerificationRefused):
            services.application_claim(application=candidate, verifier=user)
    return following


PROBLEM_MESSAGES = {
    "unmarked": gettext_lazy("Mark this requirement MS or TMS."),
    "tms_without_reason": gettext_lazy("Choose the reason for this TMS from the list."),
    "unknown_reason": gettext_lazy("Choose a reason from the list."),
}


@dataclass
class ChecklistRow:
    """One requirement as the review page shows it: what is marked (entered now, or the
    last decision's), and what needs the verifier's attention."""

    code: str
    label: str
    document: Any
    mark: str = ""
    reason: str = ""
    reason_text: str = ""
    note: str = ""
    mark_error: Any = None
    reason_error: Any = None


def _rows(
    application: Application, entered: dict[str, dict[str, str]] | None = None
) -> list[ChecklistRow]:
    documents = {d.rule.code: d for d in application.documents.select_related("rule")}
    previous = selectors.latest_marks(application)
    rows = []
    for code, label in services.checklist(application):
        row = ChecklistRow(code, label, documents.get(code))
        if entered is not None:
            row.mark = entered[code]["mark"]
            row.reason = entered[code]["reason"]
            row.note = entered[code]["note"]
        elif code in previous:
            item = previous[code]
            row.mark = item.mark
            row.reason = item.reason.code if item.reason else ""
            row.reason_text = item.reason.text if item.reason else ""
            row.note = item.note
        rows.append(row)
    return rows


def _review_page(
    request: HttpRequest,
    application: Application,
    *,
    rows: list[ChecklistRow] | None = None,
    refusal: services.VerificationRefused | None = None,
    identity: services.Identity | None = None,
) -> HttpResponse:
    selection = application.selection
    claim = selectors.live_claim(application)
    held = claim if claim is not None and claim.verifier_id == request.user.pk else None
    can_claim = (
        held is None
        and claim is None
        and Stage(application.admin_stage) in services.CLAIMABLE_STAGES
        and application.status == Application.Status.SUBMITTED
        and user_can(request.user, Capability.VERIFY_APPLICATIONS, selection.agency_id)
    )
    profile = getattr(application.applicant, "profile", None)
    response = render(
        request,
        "verification/review.html",
        {
            "application": application,
            "applicant": application.applicant,
            "profile": profile,
            "devices": profile.devices() if profile is not None else [],
            "educations": application.applicant.educations.select_related("level"),
            "rows": rows if rows is not None else _rows(application),
            "reasons": list(selectors.reasons(selection)) if held else [],
            "claim": claim,
            "held": held,
            "can_claim": can_claim,
            "identity": identity,
            "refusal": refusal,
            "stage_label": selectors.STAGE_LABELS.get(Stage(application.admin_stage)),
        },
        status=400 if refusal is not None else 200,
    )
    if identity is not None:
        response["Cache-Control"] = "private, no-store"
    return response


def _entered(request: HttpRequest, application: Application) -> dict[str, dict[str, str]]:
    return {
        code: {
            "mark": request.POST.get(f"mark_{code}", ""),
            "reason": request.POST.get(f"reason_{code}", ""),
            "note": request.POST.get(f"note_{code}", "").strip(),
        }
        for code, _label in services.checklist(application)
    }


def _refused_checklist(
    request: HttpRequest, application: Application, error: services.VerificationRefused
) -> HttpResponse:
    """The page again with what was entered, each problem beside its requirement."""
    rows = _rows(application, _entered(request, application))
    by_code = {row.code: row for row in rows}
    for problem, code in error.problems:
        row = by_code.get(code)
        if row is None:
            continue
        message = PROBLEM_MESSAGES.get(problem, error.message)
        if problem == "unmarked":
            row.mark_error = message
        else:
            row.reason_error = message
    return _review_page(request, application, rows=rows, refusal=error)


@login_required
def review(request: HttpRequest, number: str) -> HttpResponse:
    """Read-only on GET, with who holds the application and the last decision's marks;
    "take to check" is a POST, and so is saving the checklist, which needs one's own live
    claim, and so is showing the full NIK and KK, which is audited."""
    application = get_object_or_404(
        Application.objects.select_related("selection", "formation", "applicant"), number=number
    )
    selection = application.selection
    if not user_can(request.user, Capability.VIEW_AGENCY_DATA, selection.agency_id):
        raise Http404("no such application")
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "claim":
        try:
            services.application_claim(application=application, verifier=request.user)  # type: ignore[arg-type]
        except services.VerificationRefused as error:
            messages.error(request, error.message)
        return redirect("committee:review", number=number)
    if action == "reveal_identity":
        try:
            identity = services.application_identity_reveal(
                application=application,
                verifier=request.user,  # type: ignore[arg-type]
            )
        except services.VerificationRefused as error:
            messages.error(request, error.message)
            return redirect("committee:review", number=number)
        return _review_page(request, application, identity=identity)
    if request.method == "POST":
        marks = [
            services.MarkInput(
                item=code,
                mark=request.POST.get(f"mark_{code}", ""),
                reason_code=request.POST.get(f"reason_{code}", ""),
                note=request.POST.get(f"note_{code}", "").strip(),
            )
            for code, _label in services.checklist(application)
            if request.POST.get(f"mark_{code}") in {Mark.MS, Mark.TMS}
        ]
        try:
            services.application_decide(
                application=application,
                verifier=request.user,  # type: ignore[arg-type]
                marks=marks,
                claimed_result=request.POST.get("result") or None,
                note=request.POST.get("note", ""),
            )
        except services.VerificationRefused as error:
            if error.problems:
                return _refused_checklist(request, application, error)
            messages.error(request, error.message)
        else:
            messages.success(request, _("Saved %(number)s.") % {"number": number})
            if request.POST.get("next"):
                following = _claim_next(application, request.user)
                if following:
                    return redirect("committee:review", number=following)
            return redirect("committee:queue", code=selection.code)
        return redirect("committee:review", number=number)
    return _review_page(request, application)


@login_required
def objection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(Objection.objects.select_related("application__selection"), pk=pk)
    selection = objection.application.selection
    if not user_can(request.user, Capability.VIEW_AGENCY_DATA, selection.agency_id):
        raise Http404("no such objection")
    if request.method == "POST":
        try:
            services.objection_answer(
                objection=objection,
                actor=request.user,
                accepted=request.POST.get("decision") == "accept",
                answer=request.POST.get("answer", ""),
                site_url=f"{request.scheme}://{request.get_host()}",
            )
        except services.VerificationRefused as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The answer has been recorded."))
            return redirect("committee:queue", code=selection.code)
    return render(
        request,
        "verification/objection_answer.html",
        {
            "objection": objection,
            "application": objection.application,
            "reasons": selectors.published_reasons(objection.application),
        },
    )


@login_required
@never_cache
def objection_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """A file an applicant attached to an objection, for the staff who read the objection;
    never a public URL. Stored with the extension of its checked content (PDF or JPEG)."""
    evidence = get_object_or_404(
        ObjectionEvidence.objects.select_related("objection__application__selection"), pk=pk
    )
    application = evidence.objection.application
    if not user_can(request.user, Capability.VIEW_AGENCY_DATA, application.selection.agency_id):
        raise Http404("no such evidence")
    return private_file_response(
        evidence.file,
        is_pdf=(evidence.file.name or "").endswith(".pdf"),
        filename=f"{application.number}-sanggah-{evidence.pk}",
    )
