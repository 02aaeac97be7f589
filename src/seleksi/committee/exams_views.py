"""The committee's test desk (meja ujian, `/panitia/<code>/ujian/`): per stage the booking
window and the sessions with their seats and attendance; test sites and sessions added by
hand or from a file; the booking window set; one session's participants, a participant moved
with a reason, and the session closed after its end.

Decisions worth knowing:

- Every page needs MANAGE_TESTS in the selection's agency; anyone else gets a 404, as on the
  other committee pages.
- Each form has its own page, so a refused upload or form comes back with what the person
  typed and nothing else on the page is lost.
- Times are read and shown in the agency's time zone: each view runs under
  `timezone.override` of that zone, so forms parse and templates print local times.
- Closing a session cannot be undone: the first POST only says what will happen (how many
  booked and not checked in become TH), the second, with confirmed=1, closes it.
"""

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from seleksi.agencies.permissions import Capability, user_can
from seleksi.core.client import site_url
from seleksi.core.privacy import masked_name
from seleksi.exams import selectors
from seleksi.exams.imports import sessions_import, sites_import
from seleksi.exams.messages import describe_session_problem
from seleksi.exams.models import STAGES, Booking, BookingWindow, SessionRoom, TestSession
from seleksi.exams.services import (
    ExamsRefused,
    booking_move,
    session_close,
    sessions_create,
    site_save,
    window_set,
)
from seleksi.rules.exam_files import SESSION_ALL_COLUMNS, SITE_ALL_COLUMNS
from seleksi.selections.models import Selection
from seleksi.selections.tables import TableFileError

from .desks import selection_for
from .exams_forms import (
    MoveForm,
    RoomFormSet,
    SessionForm,
    SessionRoomFormSet,
    SiteForm,
    TableUploadForm,
    WindowForm,
    move_prefix,
    room_choices,
)

PARTICIPANTS_PER_PAGE = 50
TABLES = {"lokasi": sites_import, "sesi": sessions_import}
"""The two tables a file may hold, by the form prefix that uploads them."""


def _zone(selection: Selection) -> ZoneInfo:
    return ZoneInfo(selection.agency.time_zone)


def _desk_session(request: HttpRequest, pk: int) -> TestSession:
    session = get_object_or_404(
        TestSession.objects.select_related("selection__agency", "site", "closed_by"), pk=pk
    )
    if not user_can(request.user, Capability.MANAGE_TESTS, session.selection.agency_id):
        raise Http404("no such session")
    return session


# --- the desk ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageDesk:
    stage: str
    label: str
    window: BookingWindow | None
    sessions: list[Any]
    """`stage_sessions` rows, each with `room_list`: (room name, capacity, taken)"""

    @property
    def self_booked(self) -> bool:
        return self.window is not None and self.window.mode == BookingWindow.Mode.SELF


def _stage_desks(selection: Selection) -> list[StageDesk]:
    sessions: list[Any] = list(selectors.stage_sessions(selection=selection))
    rooms: dict[int, list[tuple[str, int, int]]] = {}
    for session_id, name, capacity, taken in (
        SessionRoom.objects.filter(session__selection=selection)
        .order_by("session_id", "order", "pk")
        .values_list("session_id", "room__name", "capacity", "taken")
    ):
        rooms.setdefault(session_id, []).append((name, capacity, taken))
    for session in sessions:
        session.room_list = rooms.get(session.pk, [])
    windows = {window.stage: window for window in selectors.windows(selection)}
    return [
        StageDesk(
            stage,
            str(label),
            windows.get(stage),
            [session for session in sessions if session.stage == stage],
        )
        for stage, label in STAGES
        if stage in windows or any(session.stage == stage for session in sessions)
    ]


@login_required
@require_GET
def exams(request: HttpRequest, code: str) -> HttpResponse:
    selection = selection_for(request, code, Capability.MANAGE_TESTS)
    with timezone.override(_zone(selection)):
        return render(
            request,
            "exams/desk/index.html",
            {
                "selection": selection,
                "stages": _stage_desks(selection),
                "sites": selectors.sites_with_rooms(selection),
                "zone": selection.agency.get_time_zone_display(),
            },
        )


# --- sites and sessions by hand ---------------------------------------------------------------


def _site_initial(selection: Selection, code: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The stored site `code` and its rooms, to edit them (empty for a new site)."""
    site = next((s for s in selectors.sites_with_rooms(selection) if s.code == code), None)
    if site is None:
        return {}, []
    return (
        {"code": site.code, "name": site.name, "address": site.address, "map_url": site.map_url},
        [
            {
                "code": room.code,
                "name": room.name,
                "seats": room.seats,
                "ground_floor": room.ground_floor,
            }
            for room in site.rooms.all()
        ],
    )


@login_required
@require_http_methods(["GET", "POST"])
def exam_site_add(request: HttpRequest, code: str) -> HttpResponse:
    """A test site with its rooms; the code of a stored site updates it (`?lokasi=` fills the
    form with it)."""
    selection = selection_for(request, code, Capability.MANAGE_TESTS)
    status = 200
    if request.method == "POST":
        form = SiteForm(request.POST)
        rooms = RoomFormSet(request.POST, prefix="ruang")
        if form.is_valid() and rooms.is_valid():
            data = form.cleaned_data
            try:
                site = site_save(
                    selection=selection,
                    actor=request.user,
                    code=data["code"],
                    name=data["name"],
                    address=data["address"],
                    map_url=data["map_url"],
                    rooms=[room.draft() for room in rooms.filled()],  # type: ignore[attr-defined]
                )
            except ExamsRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(
                    request, _("Test site %(site)s is saved with its rooms.") % {"site": site.name}
                )
                return redirect(reverse("committee:exams", args=[selection.code]) + "#sites")
        status = 400
    else:
        initial, room_rows = _site_initial(selection, request.GET.get("lokasi", ""))
        form = SiteForm(initial=initial)
        rooms = RoomFormSet(initial=room_rows, prefix="ruang")
    return render(
        request,
        "exams/desk/site_form.html",
        {"selection": selection, "form": form, "rooms": rooms},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def exam_session_add(request: HttpRequest, code: str) -> HttpResponse:
    selection = selection_for(request, code, Capability.MANAGE_TESTS)
    sites = selectors.sites_with_rooms(selection)
    data = request.POST if request.method == "POST" else None
    form = SessionForm(
        data,
        sites=sites,
        zone=selection.agency.time_zone,
        zone_label=selection.agency.get_time_zone_display(),
    )
    rooms = SessionRoomFormSet(data, prefix="ruang", form_kwargs={"rooms": room_choices(sites)})
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid() and rooms.is_valid():
            chosen = rooms.filled()  # type: ignore[attr-defined]
            site = form.cleaned_data["site"]
            elsewhere = [room for room_site, room, _capacity in chosen if room_site != site]
            if elsewhere:
                problems = [
                    _(
                        "Room %(room)s is not at the session's test site %(site)s; choose "
                        "rooms of that site."
                    )
                    % {"room": room, "site": site}
                    for room in elsewhere
                ]
            else:
                problems = _session_create(
                    request,
                    selection,
                    form.draft([(room, capacity) for _site, room, capacity in chosen]),
                )
                if not problems:
                    return redirect(reverse("committee:exams", args=[selection.code]))
        status = 400
    return render(
        request,
        "exams/desk/session_form.html",
        {
            "selection": selection,
            "form": form,
            "rooms": rooms,
            "problems": problems,
            "has_sites": bool(sites),
        },
        status=status,
    )


def _session_create(request: HttpRequest, selection: Selection, draft: Any) -> list[str]:
    """Create the session of `draft`; its problems as messages (none when it was saved)."""
    try:
        created = sessions_create(selection=selection, actor=request.user, drafts=[draft])
    except ExamsRefused as refusal:
        if refusal.code == "sessions":
            return [describe_session_problem(problem) for problem in refusal.problems]
        return [refusal.message]
    messages.success(request, _("Session %(code)s is saved.") % {"code": created[0].code})
    return []


# --- files ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def exam_import(request: HttpRequest, code: str) -> HttpResponse:
    """Upload a sites (lokasi) or sessions (sesi) table: every row's problems listed, nothing
    saved while there is one."""
    selection = selection_for(request, code, Capability.MANAGE_TESTS)
    forms = {table: TableUploadForm(prefix=table) for table in TABLES}
    problems: dict[str, list[str]] = {}
    status = 200
    table = request.POST.get("table", "")
    if request.method == "POST" and table in TABLES:
        form = forms[table] = TableUploadForm(request.POST, request.FILES, prefix=table)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                outcome = TABLES[table](
                    selection=selection,
                    actor=request.user,
                    filename=upload.name,
                    content=upload.read(),
                )
            except TableFileError as error:
                form.add_error("file", error.message)
            else:
                if outcome.ok:
                    messages.success(request, _import_summary(table, outcome.saved, outcome.rooms))
                    return redirect(reverse("committee:exams", args=[selection.code]))
                problems[table] = outcome.lines
        status = 400
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "exams/desk/import.html",
        {
            "selection": selection,
            "sites_form": forms["lokasi"],
            "sessions_form": forms["sesi"],
            "site_problems": problems.get("lokasi", []),
            "session_problems": problems.get("sesi", []),
            "site_columns": ", ".join(SITE_ALL_COLUMNS),
            "session_columns": ", ".join(SESSION_ALL_COLUMNS),
            "zone": selection.agency.get_time_zone_display(),
        },
        status=status,
    )


def _import_summary(table: str, saved: int, rooms: int) -> str:
    if table == "lokasi":
        return ngettext(
            "%(sites)d test site saved with %(rooms)d rooms.",
            "%(sites)d test sites saved with %(rooms)d rooms.",
            saved,
        ) % {"sites": saved, "rooms": rooms}
    return ngettext(
        "%(sessions)d session created in %(rooms)d rooms.",
        "%(sessions)d sessions created in %(rooms)d rooms.",
        saved,
    ) % {"sessions": saved, "rooms": rooms}


# --- the booking window -----------------------------------------------------------------------

WINDOW_FIELDS = {"window_mode": "mode", "window_dates": "closes_at"}


@login_required
@require_http_methods(["GET", "POST"])
def exam_window(request: HttpRequest, code: str) -> HttpResponse:
    selection = selection_for(request, code, Capability.MANAGE_TESTS)
    zone_label = selection.agency.get_time_zone_display()
    with timezone.override(_zone(selection)):
        status = 200
        if request.method == "POST":
            form = WindowForm(request.POST, zone=zone_label)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    window_set(
                        selection=selection,
                        actor=request.user,
                        stage=data["stage"],
                        mode=data["mode"],
                        opens_at=data["opens_at"],
                        closes_at=data["closes_at"],
                    )
                except ExamsRefused as refusal:
                    form.add_error(WINDOW_FIELDS.get(refusal.code), refusal.message)
                else:
                    messages.success(request, _("The booking window is saved."))
                    return redirect(reverse("committee:exams", args=[selection.code]))
            status = 400
        else:
            window = selectors.window_for(selection=selection, stage=request.GET.get("tahap", ""))
            initial: dict[str, Any] = {"stage": request.GET.get("tahap", "")}
            if window is not None:
                initial |= {
                    "mode": window.mode,
                    "opens_at": window.opens_at,
                    "closes_at": window.closes_at,
                }
            form = WindowForm(initial=initial, zone=zone_label)
        return render(
            request,
            "exams/desk/window.html",
            {"selection": selection, "form": form, "windows": selectors.windows(selection)},
            status=status,
        )


# --- one session ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantRow:
    booking: Booking
    name: str
    """masked"""
    move_form: MoveForm | None


def _move_targets(session: TestSession) -> list[Any]:
    """The stage's other sessions a participant can be moved to: not closed, not over, with
    a seat left."""
    now = timezone.now()
    return [
        other
        for other in selectors.stage_sessions(selection=session.selection, stage=session.stage)
        if other.pk != session.pk
        and other.closed_at is None
        and other.ends_at > now
        and (other.seats_left or 0) > 0
    ]


def _session_page(
    request: HttpRequest,
    session: TestSession,
    *,
    page_number: Any = None,
    moving: int | None = None,
    move_form: MoveForm | None = None,
    confirm_text: str = "",
    status: int = 200,
) -> HttpResponse:
    bookings = (
        Booking.objects.filter(session=session)
        .select_related("application__applicant", "application__formation", "session_room__room")
        .order_by("application__number")
    )
    page = Paginator(bookings, PARTICIPANTS_PER_PAGE).get_page(page_number)
    targets = _move_targets(session) if session.closed_at is None else []
    rows = []
    for booking in page.object_list:
        form = None
        if moving == booking.pk:
            form = move_form
        elif targets and booking.attendance == Booking.Attendance.BOOKED:
            form = MoveForm(targets=targets, prefix=move_prefix(booking.pk))
        rows.append(
            ParticipantRow(booking, masked_name(booking.application.applicant.full_name), form)
        )
    counts = {
        row["attendance"]: row["count"]
        for row in Booking.objects.filter(session=session)
        .values("attendance")
        .order_by()
        .annotate(count=Count("pk"))
    }
    rooms = list(session.rooms.select_related("room").order_by("order", "pk"))
    return render(
        request,
        "exams/desk/session.html",
        {
            "selection": session.selection,
            "session": session,
            "rooms": rooms,
            "capacity": sum(room.capacity for room in rooms),
            "booked": sum(counts.values()),
            "present": counts.get(Booking.Attendance.PRESENT, 0),
            "absent": counts.get(Booking.Attendance.ABSENT, 0),
            "waiting": counts.get(Booking.Attendance.BOOKED, 0),
            "ended": timezone.now() >= session.ends_at,
            "page": page,
            "rows": rows,
            "has_targets": bool(targets),
            "confirm_text": confirm_text,
            "zone": session.selection.agency.get_time_zone_display(),
        },
        status=status,
    )


@login_required
@require_GET
def exam_session(request: HttpRequest, pk: int) -> HttpResponse:
    session = _desk_session(request, pk)
    with timezone.override(_zone(session.selection)):
        return _session_page(request, session, page_number=request.GET.get("page"))


@login_required
@require_POST
def exam_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move one participant (booking `pk`) to another session of the stage, with a reason."""
    booking = get_object_or_404(
        Booking.objects.select_related("selection__agency", "session", "application"), pk=pk
    )
    if not user_can(request.user, Capability.MANAGE_TESTS, booking.selection.agency_id):
        raise Http404("no such booking")
    session = _desk_session(request, booking.session_id)
    with timezone.override(_zone(session.selection)):
        form = MoveForm(request.POST, targets=_move_targets(session), prefix=move_prefix(pk))
        if form.is_valid():
            try:
                moved = booking_move(
                    booking=booking,
                    session_id=int(form.cleaned_data["session"]),
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    site_url=site_url(request),
                )
            except ExamsRefused as refusal:
                field = "reason" if refusal.code == "reason_required" else None
                form.add_error(field, refusal.message)
            else:
                messages.success(
                    request,
                    _(
                        "Participant %(number)s is moved to session %(session)s and told so "
                        "by e-mail."
                    )
                    % {"number": booking.application.number, "session": moved.session.code},
                )
                return redirect("committee:exam_session", pk=session.pk)
        return _session_page(
            request,
            session,
            page_number=request.POST.get("page"),
            moving=booking.pk,
            move_form=form,
            status=400,
        )


@login_required
@require_POST
def exam_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the session after its end: a first POST says what will happen, the second
    (confirmed=1) closes it."""
    session = _desk_session(request, pk)
    selection = session.selection
    with timezone.override(_zone(selection)):
        if session.closed_at is not None:
            messages.error(request, ExamsRefused("already_closed").message)
            return redirect("committee:exam_session", pk=session.pk)
        if timezone.now() < session.ends_at:
            ends = date_format(timezone.localtime(session.ends_at), "j F Y, H:i")
            messages.error(request, ExamsRefused("not_ended", ends).message)
            return redirect("committee:exam_session", pk=session.pk)
        if request.POST.get("confirmed") != "1":
            waiting = Booking.objects.filter(
                session=session, attendance=Booking.Attendance.BOOKED
            ).count()
            return _session_page(request, session, confirm_text=_close_text(session, waiting))
        try:
            absent = session_close(session=session, actor=request.user, site_url=site_url(request))
        except ExamsRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request,
                ngettext(
                    "Session %(session)s is closed: %(count)d participant is absent (TH).",
                    "Session %(session)s is closed: %(count)d participants are absent (TH).",
                    absent,
                )
                % {"session": session.code, "count": absent},
            )
        return redirect("committee:exam_session", pk=session.pk)


def _close_text(session: TestSession, waiting: int) -> str:
    return " ".join(
        [
            ngettext(
                "Closing session %(session)s marks %(count)d participant who is booked and "
                "not checked in as absent (TH): they leave the selection and are told by "
                "e-mail.",
                "Closing session %(session)s marks %(count)d participants who are booked and "
                "not checked in as absent (TH): they leave the selection and are each told "
                "by e-mail.",
                waiting,
            )
            % {"session": session.code, "count": waiting},
            _("Nobody can be checked in afterwards, and closing cannot be undone."),
        ]
    )
