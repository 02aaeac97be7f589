"""The participant's computer-assisted test in the browser (ujian CAT): the start screen, the
test page, the answers endpoint its script talks to, the confirmation before finishing, the
result, and the questions' images.

Decisions worth knowing:

- The clock is the server's. The page embeds the seconds left when it is drawn, and every
  answer request returns them again; the browser only counts down between two answers. No
  page reads a start time from the browser.
- The test page needs JavaScript (one small file, no library): it shows one question at a
  time from the JSON the page embeds, and keeps every answer, with its sequence number, in
  the browser's storage until the server has answered for it. Without JavaScript the page
  says so.
- The answers endpoint takes a batch (`MAX_ANSWERS` answers and `MAX_EVENTS` browser events
  at most, `MAX_BODY_BYTES` in all) and answers for each answer: "saved", "stale" (the server
  already holds this or a newer answer: the browser forgets it either way), "late" or
  "refused" with the reason in the participant's language. A malformed body is a 400, never a
  partial save.
- Only the applicant who owns the application reaches any of these pages: anyone else gets a
  404, as for an application that does not exist. A finished sitting sends every page but
  the images to the result.
- A question's image is served only to a participant whose own sitting drew the question,
  with the headers of a private file.
"""

import json
import mimetypes
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from seleksi.applications.models import Application
from seleksi.applications.storage import keep_private
from seleksi.exams.models import Booking
from seleksi.rules.cat import Blueprint, DrawShortfall
from seleksi.rules.exams import STAGE_VALUES
from seleksi.sittings import paper
from seleksi.sittings.models import Sitting
from seleksi.sittings.sittings import (
    ClientEvent,
    Saved,
    SittingRefused,
    answer_save,
    events_record,
    sitting_finish,
    sitting_start,
)

MAX_ANSWERS = 200
MAX_EVENTS = 200
MAX_BODY_BYTES = 64 * 1024
MAX_SEQUENCE = 2_147_483_647
MAX_OPTION_LENGTH = 8
CLIENT_TIME_LIMIT_MS = 253_402_300_799_000  # 9999-12-31, the last moment a datetime holds
WAIT_REFRESH_SECONDS = 5
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


@dataclass(frozen=True)
class Place:
    application: Application
    stage: str
    booking: Booking | None
    blueprint: Blueprint


def _place(request: HttpRequest, number: str, stage: str) -> Place:
    """The applicant's own application and seat in a stage sat on Seleksi; 404 otherwise."""
    if stage not in STAGE_VALUES:
        raise Http404("no such stage")
    application = get_object_or_404(
        Application.objects.select_related("selection__agency", "formation"),
        number=number,
        applicant_id=request.user.pk,
    )
    booking = paper.booking_of(application=application, stage=stage)
    blueprint = paper.blueprint_of(application=application, stage=stage, booking=booking)
    if blueprint is None:
        raise Http404("this stage is not sat on Seleksi")
    return Place(application, stage, booking, blueprint)


def _own_sitting(request: HttpRequest, number: str, stage: str) -> Sitting | None:
    if stage not in STAGE_VALUES:
        raise Http404("no such stage")
    return paper.sitting_of(applicant_id=request.user.pk, number=number, stage=stage)


def _to(name: str, number: str, stage: str) -> str:
    return reverse(f"applicant:{name}", args=[number, stage])


def _start_page(request: HttpRequest, place: Place, refusal: Any = "") -> HttpResponse:
    booking = place.booking
    sitting = paper.sitting_or_none(booking) if booking is not None else None
    facts = paper.start_facts(booking=booking, blueprint=place.blueprint) if booking else None
    if booking is None:
        refusal = refusal or _("You hold no seat for this test.")
    elif facts is not None and facts.refusal:
        refusal = refusal or facts.refusal
    return render(
        request,
        "sittings/start.html",
        {
            "application": place.application,
            "stage": place.stage,
            "booking": booking,
            "facts": facts,
            "sitting": sitting,
            "remaining_minutes": (paper.remaining_seconds(sitting) + 59) // 60 if sitting else 0,
            "refusal": refusal,
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def cat_start(request: HttpRequest, number: str, stage: str) -> HttpResponse:
    """The start screen; its POST starts the sitting (or resumes it) and opens the test."""
    place = _place(request, number, stage)
    sitting = paper.sitting_or_none(place.booking) if place.booking is not None else None
    if sitting is not None and sitting.status == Sitting.Status.FINISHED:
        return redirect(_to("cat_result", number, stage))
    if request.method == "GET":
        return _start_page(request, place)
    if place.booking is None:
        return _start_page(request, place)
    try:
        sitting_start(booking=place.booking, actor=request.user)
    except SittingRefused as error:
        return _start_page(request, place, error.message)
    except DrawShortfall:
        return _start_page(
            request, place, _("The test is not ready yet: tell the staff in the room.")
        )
    return redirect(_to("cat_test", number, stage))


def _texts() -> dict[str, str]:
    """What the test page's script writes, in the participant's language."""
    return {
        "position": _("Question %(n)s of %(total)s"),
        "image": _("Picture for question %(n)s"),
        "answered": _("answered"),
        "unanswered": _("not answered"),
        "marked": _("marked for review"),
        "grid_item": _("Question %(n)s: %(state)s"),
        "offline": _(
            "Connection lost — your answers are kept on this device and sent automatically "
            "when the connection returns."
        ),
        "online": _("The connection is back; your answers are being sent."),
        "saved": _("Every answer is saved on the server."),
        "saving": _("Saving…"),
        "pending": _("Answers waiting to be sent: %(count)s"),
        "time_up": _("Time is up. Your last answers are being sent; your result follows."),
        "warning": _("Minutes left: %(minutes)s."),
        "signed_out": _(
            "You are no longer signed in. Sign in again in this browser: your answers stay on "
            "this device until then."
        ),
        "broken": _("The page is out of date. Reload it: your answers stay on this device."),
        "not_saved_item": _("Question %(n)s: %(message)s"),
        "finish_pending": _(
            "Some answers have not reached the server yet. Wait for the connection before "
            "finishing."
        ),
        "finishing": _("Sending your last answers…"),
    }


@login_required
@never_cache
@require_GET
def cat_test(request: HttpRequest, number: str, stage: str) -> HttpResponse:
    """The test: one question at a time, drawn by the script from the embedded JSON."""
    place = _place(request, number, stage)
    sitting = paper.sitting_or_none(place.booking) if place.booking is not None else None
    if sitting is None:
        return redirect(_to("cat_start", number, stage))
    if sitting.status == Sitting.Status.FINISHED:
        return redirect(_to("cat_result", number, stage))
    held = paper.held_answers(sitting=sitting)
    questions = paper.paper_questions(sitting=sitting)
    for question in questions:
        question["image"] = (
            reverse("applicant:cat_image", args=[number, stage, question["id"]])
            if question["image"]
            else None
        )
    data = {
        "sitting": sitting.pk,
        "questions": questions,
        "components": {c.code: c.name for c in place.blueprint.components},
        "answers": {str(q): a for q, a in held.answers.items()},
        "sequence": held.sequence,
        "remaining": paper.remaining_seconds(sitting),
        "ends_at": sitting.ends_at.isoformat(),
        "urls": {
            "answers": _to("cat_answers", number, stage),
            "finish": _to("cat_finish", number, stage),
            "result": _to("cat_result", number, stage),
        },
        "texts": _texts(),
    }
    return render(
        request,
        "sittings/test.html",
        {
            "application": place.application,
            "stage": stage,
            "sitting": sitting,
            "blueprint": place.blueprint,
            "paper": data,
        },
    )


# --- the answers endpoint --------------------------------------------------------------------


class _Malformed(ValueError):
    pass


def _whole(value: object, least: int, most: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        raise _Malformed
    return value


def _answers_in(items: object) -> list[tuple[int, str, bool, int]]:
    if not isinstance(items, list) or len(items) > MAX_ANSWERS:
        raise _Malformed
    answers = []
    for item in items:
        if not isinstance(item, dict):
            raise _Malformed
        option = item.get("o", "")
        marked = item.get("m", False)
        if not isinstance(option, str) or len(option) > MAX_OPTION_LENGTH:
            raise _Malformed
        if not isinstance(marked, bool):
            raise _Malformed
        question = _whole(item.get("q"), 1, MAX_SEQUENCE)
        sequence = _whole(item.get("s"), 1, MAX_SEQUENCE)
        answers.append((question, option, marked, sequence))
    return answers


def _events_in(items: object) -> list[ClientEvent]:
    if not isinstance(items, list) or len(items) > MAX_EVENTS:
        raise _Malformed
    events = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("k"), str):
            raise _Malformed
        question = item.get("q")
        if question is not None:
            question = _whole(question, 1, MAX_SEQUENCE)
        at = item.get("t")
        client_at = None
        if at is not None:
            moment = _whole(at, 0, CLIENT_TIME_LIMIT_MS)
            client_at = datetime.fromtimestamp(moment / 1000, tz=UTC)
        events.append(ClientEvent(kind=item["k"], client_at=client_at, question=question))
    return events


def _bad(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


RESULT_MESSAGES = {Saved.SAVED: gettext_lazy("Saved."), Saved.STALE: gettext_lazy("Already saved.")}


def _save(
    sitting: Sitting, actor: Any, given: list[tuple[int, str, bool, int]], events: list[ClientEvent]
) -> list[dict[str, Any]]:
    """Each answer's fate, in the order given, and the browser's events: one transaction."""
    results: list[dict[str, Any]] = []
    with transaction.atomic():
        for question, option, marked, sequence in given:
            try:
                outcome = answer_save(
                    sitting=sitting,
                    actor=actor,
                    question=question,
                    option=option,
                    sequence=sequence,
                    marked=marked,
                )
            except SittingRefused as error:
                fate = "late" if error.code == "late" else "refused"
                results.append({"q": question, "s": sequence, "r": fate, "message": error.message})
                continue
            results.append(
                {
                    "q": question,
                    "s": sequence,
                    "r": str(outcome.result),
                    "held": outcome.sequence,
                    "message": str(RESULT_MESSAGES[outcome.result]),
                }
            )
        if events:
            events_record(sitting=sitting, actor=actor, events=events)
    return results


@login_required
@never_cache
@require_POST
def cat_answers(request: HttpRequest, number: str, stage: str) -> JsonResponse:
    """Save a batch of answers and browser events; returns each answer's fate and the
    server's clock (see the module docstring for the contract)."""
    sitting = _own_sitting(request, number, stage)
    if sitting is None:
        raise Http404("no such sitting")
    too_big = _("The request is too large; send fewer answers at once.")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return _bad(too_big, 413)
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return _bad(too_big, 413)
    try:
        payload = json.loads(body)
        if not isinstance(payload, dict):
            raise _Malformed
        given = _answers_in(payload.get("answers", []))
        events = _events_in(payload.get("events", []))
    except (ValueError, UnicodeDecodeError):
        return _bad(_("The answers could not be read. Reload the page: they stay on this device."))
    results = _save(sitting, request.user, given, events) if given or events else []
    finished = sitting.status == Sitting.Status.FINISHED
    return JsonResponse(
        {
            "results": results,
            "remaining": 0 if finished else paper.remaining_seconds(sitting),
            "status": sitting.status,
            "ends_at": sitting.ends_at.isoformat(),
        }
    )


# --- finishing and the result ----------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def cat_finish(request: HttpRequest, number: str, stage: str) -> HttpResponse:
    """The confirmation (what the server holds: answered, unanswered, marked), and its POST."""
    place = _place(request, number, stage)
    sitting = paper.sitting_or_none(place.booking) if place.booking is not None else None
    if sitting is None:
        return redirect(_to("cat_start", number, stage))
    if sitting.status == Sitting.Status.FINISHED:
        return redirect(_to("cat_result", number, stage))
    if request.method == "POST":
        sitting_finish(sitting=sitting, actor=request.user)
        return redirect(_to("cat_result", number, stage))
    return render(
        request,
        "sittings/finish.html",
        {
            "application": place.application,
            "stage": stage,
            "sitting": sitting,
            "counts": paper.paper_counts(sitting=sitting),
            "remaining_minutes": (paper.remaining_seconds(sitting) + 59) // 60,
        },
    )


@login_required
@never_cache
@require_GET
def cat_result(request: HttpRequest, number: str, stage: str) -> HttpResponse:
    """The scores of a finished sitting; while the server has not closed one whose time is
    up, a page that says so and looks again every few seconds."""
    place = _place(request, number, stage)
    sitting = paper.sitting_or_none(place.booking) if place.booking is not None else None
    if sitting is None:
        return redirect(_to("cat_start", number, stage))
    scores = paper.paper_result(sitting=sitting)
    running = sitting.status == Sitting.Status.OPEN and paper.remaining_seconds(sitting) > 0
    response = render(
        request,
        "sittings/result.html",
        {
            "application": place.application,
            "stage": stage,
            "sitting": sitting,
            "result": scores,
            "running": running,
        },
    )
    if scores is None and not running:
        response["Refresh"] = str(WAIT_REFRESH_SECONDS)
    return response


@login_required
@require_GET
def cat_image(request: HttpRequest, number: str, stage: str, question: int) -> FileResponse:
    """A question's image, for the participant whose sitting drew it (open or finished)."""
    sitting = _own_sitting(request, number, stage)
    found = paper.question_image(sitting=sitting, question=question) if sitting else None
    if found is None:
        raise Http404("no such image")
    content_type = mimetypes.guess_type(found.name or "")[0] or ""
    if content_type not in IMAGE_TYPES:
        raise Http404("not an image")
    return keep_private(
        FileResponse(found.open("rb"), content_type=content_type),
        disposition=f'inline; filename="soal-{question}{mimetypes.guess_extension(content_type)}"',
    )
