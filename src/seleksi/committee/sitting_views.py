"""The committee watching the computer-assisted test of a session (pemantauan CAT,
`/panitia/ujian/sesi/<id>/cat/`): every booked participant with their sitting's state; one
sitting's timing, scores and event log (`/panitia/ujian/cat/<id>/`), the log as a CSV file for a
dispute, and the form that gives one participant more time for a recorded reason.

Decisions worth knowing:

- The proctors in the room (site staff, CHECK_IN) and the committee and administrators
  (MANAGE_TESTS) of the agency read the pages; only MANAGE_TESTS extends a sitting or takes
  the log away as a file. Anyone else gets a 404, as on the other committee pages. A site
  staff member who posts the form anyway gets the service's refusal, with a 403.
- The pages show what the participant saw: question numbers in their own order and option
  letters as shown (`sittings.monitor`), never a question's text, an option's points or the
  NIK, and names masked.
- Times are the agency's: each view runs under `timezone.override` of its zone, and the CSV
  writes them as ISO 8601 with the offset, to the millisecond, server and browser side by side.
- The log is paged (EVENTS_PER_PAGE); the file holds all of it. Like the ranking's CSV, the
  file is sent with the headers of a private file and is not audited: nothing in it is an
  identity number, and the extension itself is audited by the service.
- The list has no live updates: a reload (or the refresh link) shows the state on the
  server's clock.
"""

import csv
import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from seleksi.agencies.permissions import Capability, user_can
from seleksi.applications.storage import keep_private
from seleksi.core.privacy import masked_name
from seleksi.exams.models import TestSession
from seleksi.rules.cat import load_blueprint
from seleksi.rules.cells import neutralise_row
from seleksi.selections.tables import CSV_CONTENT_TYPE
from seleksi.sittings import monitor
from seleksi.sittings.models import Sitting, SittingEvent
from seleksi.sittings.sittings import EXTENSION_MINUTES_MAX, SittingRefused, sitting_extend

PARTICIPANTS_PER_PAGE = 100
EVENTS_PER_PAGE = 500
REASON_MAX_LENGTH = 500
LOG_COLUMNS = (
    "no",
    "server_time",
    "browser_time",
    "event",
    "event_label",
    "question",
    "option",
    "sequence",
    "note",
)


def _may_watch(user: Any, agency_id: int) -> bool:
    return user_can(user, Capability.MANAGE_TESTS, agency_id) or user_can(
        user, Capability.CHECK_IN, agency_id
    )


def _zone(sitting_or_session: Sitting | TestSession) -> ZoneInfo:
    return ZoneInfo(sitting_or_session.selection.agency.time_zone)


def _watched_session(request: HttpRequest, session_id: int) -> TestSession:
    session = get_object_or_404(
        TestSession.objects.select_related("selection__agency", "site"), pk=session_id
    )
    if not _may_watch(request.user, session.selection.agency_id):
        raise Http404("no such session")
    return session


def _watched_sitting(request: HttpRequest, sitting_id: int) -> Sitting:
    sitting = monitor.sitting_for_committee(sitting_id=sitting_id)
    if sitting is None or not _may_watch(request.user, sitting.selection.agency_id):
        raise Http404("no such sitting")
    return sitting


# --- the session's sittings -------------------------------------------------------------------


@login_required
@require_GET
def sitting_monitor(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _watched_session(request, session_id)
    blueprint_code = monitor.session_blueprint(session=session)
    has_test = blueprint_code is not None or monitor.session_has_sittings(session=session)
    now = timezone.now()
    page = Paginator(monitor.session_bookings(session=session), PARTICIPANTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    with timezone.override(_zone(session)):
        return render(
            request,
            "sittings/monitor_session.html",
            {
                "selection": session.selection,
                "session": session,
                "has_test": has_test,
                "blueprint": load_blueprint(blueprint_code) if blueprint_code else None,
                "progress": monitor.session_progress(session=session, now=now) if has_test else {},
                "page": page,
                "rows": (
                    monitor.monitor_rows(bookings=list(page.object_list), now=now)
                    if has_test
                    else []
                ),
                "can_manage": user_can(
                    request.user, Capability.MANAGE_TESTS, session.selection.agency_id
                ),
                "now": now,
                "zone": session.selection.agency.get_time_zone_display(),
            },
        )


# --- one sitting ------------------------------------------------------------------------------


class ExtendForm(forms.Form):
    minutes = forms.IntegerField(
        label=gettext_lazy("Extra minutes"),
        widget=forms.NumberInput(attrs={"min": 1, "max": EXTENSION_MINUTES_MAX, "step": 1}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy(
            "Kept in the sitting's log and the audit trail, for example: power cut in room 1 "
            "from 09:40 to 09:52."
        ),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        minutes = SittingRefused("minutes", params=EXTENSION_MINUTES_MAX).message
        self.fields["minutes"].error_messages.update({"required": minutes, "invalid": minutes})
        self.fields["minutes"].help_text = minutes
        self.fields["reason"].error_messages["required"] = SittingRefused("reason").message


REFUSAL_FIELDS = {"minutes": "minutes", "reason": "reason"}


def _local(moment: datetime, zone: ZoneInfo, pattern: str = "j F Y, H:i") -> str:
    return date_format(timezone.localtime(moment, zone), pattern)


def _event_note(row: monitor.EventRow, zone: ZoneInfo) -> str:
    """What the log's row says beyond its kind, question and option."""
    details = row.details
    if row.kind == SittingEvent.Kind.EXTENDED:
        return _("%(minutes)s extra minutes: %(reason)s") % {
            "minutes": details.get("minutes", "?"),
            "reason": details.get("reason", ""),
        }
    if row.kind == SittingEvent.Kind.FINISHED:
        closed_by = details.get("closed_by", "")
        label = (
            Sitting.ClosedBy(closed_by).label if closed_by in Sitting.ClosedBy.values else closed_by
        )
        return _("%(closed_by)s; total %(total)s") % {
            "closed_by": label,
            "total": details.get("total", "–"),
        }
    if row.kind == SittingEvent.Kind.STARTED and "ends_at" in details:
        ends_at = monitor.parse_moment(details["ends_at"])
        if ends_at is not None:
            return _("ends at %(time)s") % {"time": _local(ends_at, zone, "H:i:s")}
    if row.kind == SittingEvent.Kind.MARKED and "marked" in details:
        return _("marked for review") if details["marked"] else _("mark removed")
    return ""


def _sitting_page(
    request: HttpRequest,
    sitting: Sitting,
    *,
    form: ExtendForm | None = None,
    status: int = 200,
) -> HttpResponse:
    agency_id = sitting.selection.agency_id
    can_manage = user_can(request.user, Capability.MANAGE_TESTS, agency_id)
    now = timezone.now()
    state = monitor.sitting_state(sitting, now)
    zone = _zone(sitting)
    page = Paginator(monitor.sitting_events(sitting=sitting), EVENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = monitor.event_rows(sitting=sitting, events=page.object_list)
    if form is None and can_manage and sitting.status == Sitting.Status.OPEN:
        form = ExtendForm()
    blueprint = load_blueprint(sitting.blueprint)
    booking = sitting.booking
    return render(
        request,
        "sittings/monitor_sitting.html",
        {
            "selection": sitting.selection,
            "sitting": sitting,
            "booking": booking,
            "session": booking.session,
            "name": masked_name(booking.application.applicant.full_name),
            "blueprint": blueprint,
            "questions": monitor.question_count(blueprint),
            "answered": monitor.sitting_answered(sitting=sitting),
            "state": str(state),
            "minutes_left": (
                monitor.minutes_left(sitting, now)
                if state == monitor.SittingState.IN_PROGRESS
                else None
            ),
            "extensions": monitor.sitting_extensions(sitting=sitting),
            "scores": monitor.sitting_scores(sitting=sitting),
            "page": page,
            "events": [(row, _event_note(row, zone)) for row in rows],
            "form": form,
            "can_manage": can_manage,
            "zone": sitting.selection.agency.get_time_zone_display(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def sitting_detail(request: HttpRequest, sitting_id: int) -> HttpResponse:
    """One sitting; a POST gives it more time (`sittings.sitting_extend`)."""
    sitting = _watched_sitting(request, sitting_id)
    zone = _zone(sitting)
    with timezone.override(zone):
        if request.method != "POST":
            return _sitting_page(request, sitting)
        form = ExtendForm(request.POST)
        if not form.is_valid():
            return _sitting_page(request, sitting, form=form, status=400)
        try:
            extended = sitting_extend(
                sitting=sitting,
                actor=request.user,
                minutes=form.cleaned_data["minutes"],
                reason=form.cleaned_data["reason"],
            )
        except SittingRefused as refusal:
            form.add_error(REFUSAL_FIELDS.get(refusal.code), refusal.message)
            status = 403 if refusal.code == "forbidden" else 400
            return _sitting_page(request, sitting, form=form, status=status)
        messages.success(
            request,
            _(
                "Participant %(number)s has %(minutes)d more minutes: the sitting now ends at "
                "%(time)s, %(zone)s."
            )
            % {
                "number": sitting.booking.application.number,
                "minutes": form.cleaned_data["minutes"],
                "time": _local(extended.ends_at, zone),
                "zone": sitting.selection.agency.get_time_zone_display(),
            },
        )
        return redirect("committee:sitting", sitting_id=sitting.pk)


def _iso(moment: datetime | None, zone: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(zone).isoformat(timespec="milliseconds")


@login_required
@require_GET
def sitting_log_csv(request: HttpRequest, sitting_id: int) -> HttpResponse:
    """The whole event log of the sitting, for a dispute (MANAGE_TESTS only)."""
    sitting = _watched_sitting(request, sitting_id)
    if not user_can(request.user, Capability.MANAGE_TESTS, sitting.selection.agency_id):
        raise Http404("no such sitting")
    zone = _zone(sitting)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(LOG_COLUMNS)
    events = monitor.sitting_events(sitting=sitting).iterator(chunk_size=2000)
    for number, row in enumerate(monitor.event_rows(sitting=sitting, events=events), start=1):
        writer.writerow(
            neutralise_row(
                [
                    number,
                    _iso(row.at, zone),
                    _iso(row.client_at, zone),
                    row.kind,
                    row.label,
                    row.number if row.number is not None else "",
                    row.letter,
                    row.sequence if row.sequence is not None else "",
                    _event_note(row, zone),
                ]
            )
        )
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type=CSV_CONTENT_TYPE)
    filename = f"log-cat-{sitting.booking.application.number}-{sitting.pk}.csv"
    return keep_private(response, disposition=f'attachment; filename="{filename}"')
