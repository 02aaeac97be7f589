"""Writes for the test stage: sites and sessions, booking windows, seats, moves, check-in and
closing a session.

Decisions worth knowing:

- A seat is taken by one compare-and-swap UPDATE on the room's counter (`taken < capacity`
  in the statement), then the booking row is inserted, in one transaction. The database
  serialises the writers of one room, so no read before the write can let two people into
  the last seat; the unique (application, stage) constraint keeps anyone from holding two
  seats, and a refused insert rolls the counter back with it.
- A booking is final for the applicant (Magetan B.5: no rescheduling). Only the committee
  moves a participant, with a written reason that is audited and e-mailed.
- Closing a session marks everyone booked and not checked in as absent (TH) with one audit
  event each; from then on the ranking reads their attendance from here.
- Refusals are `ExamsRefused` with a message from REFUSALS; nothing is changed by a refusal.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from seleksi.accounts.models import User
from seleksi.agencies.permissions import Capability, user_can
from seleksi.applications.models import Application
from seleksi.audit.services import AuditSubject, audit_record, audit_record_many
from seleksi.core import metrics
from seleksi.core.errors import ServiceRefused
from seleksi.core.public_cache import public_content_changed
from seleksi.notices.services import RECIPIENT_FIELDS, localized, notify, notify_many
from seleksi.rules import exams as rules
from seleksi.rules.exams import SELF_BOOKED, SessionDraft, TestStage
from seleksi.rules.verification import Mark
from seleksi.rules.verification import Stage as AdminStage
from seleksi.selections.models import Selection

from . import selectors
from .models import (
    Accommodation,
    Booking,
    BookingWindow,
    CardBatch,
    Room,
    SessionRoom,
    TestSession,
    TestSite,
)
from .tasks import card_batch_make

MOVE_REASON_MIN_CHARACTERS = 10
TEMPLATES = {"booked": "seat_booked", "moved": "seat_moved"}
"""The notice each change of a seat sends (seleksi.notices, data/templates)."""

REFUSALS = {
    "forbidden": _("You may not do this for this agency."),
    "not_yours": _("This application is not yours."),
    "no_window": _("Booking for this stage has not been announced yet."),
    "not_open_yet": _("Booking opens on %s."),
    "closed": _("Booking closed on %s."),
    "assigned_stage": _("The committee assigns the seats of this stage; there is nothing to book."),
    "not_admitted": _(
        "Only applicants whose final administrative result is MS (memenuhi syarat) may book."
    ),
    "already_booked": _(
        "You already hold a seat for this stage. A booking is final; only the committee can "
        "move it."
    ),
    "full": _("This session is full (penuh). Choose one of the sessions that still has seats."),
    "reserved": _("This session is reserved for other participants; choose another one."),
    "unknown_session": _("That session does not exist in this stage."),
    "session_closed": _("This session has been closed."),
    "session_started": _("This session has already started."),
    "not_ended": _("The session ends at %s; close it after that."),
    "already_closed": _("This session has already been closed."),
    "reason_required": _("Write the reason for the move (at least 10 characters)."),
    "same_session": _("The participant is already in that session."),
    "not_booked": _("Participant %s holds no seat in this stage."),
    "wrong_session": _("Participant %(number)s is booked for session %(session)s, not this one."),
    "already_checked_in": _("Participant %(number)s was already checked in at %(time)s."),
    "window_mode": _("The seats of SKB and the interview are assigned by the committee."),
    "window_dates": _("Booking must close after it opens."),
    "sessions": _("Nothing was saved: %s problems. Correct them and try again."),
    "plan_changed": _(
        "The participants or the seats changed since the preview; look at the new preview "
        "and confirm again."
    ),
    "nothing_to_assign": _("Nobody is waiting for a seat in this stage."),
    "seats_below_capacity": _(
        "Room %(room)s cannot have %(seats)d seats: session %(session)s offers %(capacity)d "
        "seats in it. Keep at least %(capacity)d seats."
    ),
    "no_seat_for_anyone": _(
        "None of the participants waiting can be seated: add sessions or seats for their "
        "formations and test locations, then look at the preview again."
    ),
    "choice_closed": _(
        "A test location can be chosen only while the committee's booking window of a test "
        "stage is open."
    ),
    "choice_not_admitted": _(
        "Only applicants whose final administrative result is MS (memenuhi syarat) may choose "
        "a test location."
    ),
    "unknown_site": _(
        "That test location does not belong to this selection; choose one from the list."
    ),
    "no_bookings": _(
        "Nobody holds a seat in this stage yet, so there is no exam card to print. Seat the "
        "participants first."
    ),
}


class ExamsRefused(ServiceRefused):
    messages = REFUSALS

    def __init__(
        self,
        code: str,
        params: Any = None,
        *,
        problems: Sequence[rules.Problem] = (),
        alternatives: Sequence[TestSession] = (),
    ) -> None:
        super().__init__(code, params=params)
        self.problems = list(problems)
        self.alternatives = list(alternatives)


def _require(actor: Any, capability: Capability, selection: Selection) -> None:
    if not user_can(actor, capability, selection.agency_id):
        raise ExamsRefused("forbidden")


def _moment(selection: Selection, moment: datetime) -> str:
    local = timezone.localtime(moment, ZoneInfo(selection.agency.time_zone))
    return date_format(local, "j F Y, H:i")


def has_final_ms(application: Application) -> bool:
    """Whether the administrative selection admitted the applicant for good: the result after
    the objection period is published and it is MS."""
    return application.admin_stage == AdminStage.FINAL and application.published_result == Mark.MS


# --- sites and sessions -----------------------------------------------------------------


@dataclass(frozen=True)
class RoomDraft:
    code: str
    name: str
    seats: int
    ground_floor: bool = False


@transaction.atomic
def site_save(
    *,
    selection: Selection,
    actor: Any,
    code: str,
    name: str,
    address: str = "",
    map_url: str = "",
    rooms: Sequence[RoomDraft] = (),
) -> TestSite:
    """Create the site `code` or update it; rooms are added or updated by code, never
    removed (a session may use them). A room keeps at least the seats a stored session offers
    in it."""
    _require(actor, Capability.MANAGE_TESTS, selection)
    in_use = selectors.rooms_in_use(selection)
    for draft in rooms:
        need = in_use.get((code, draft.code))
        if need is not None and draft.seats < need.capacity:
            raise ExamsRefused(
                "seats_below_capacity",
                {
                    "room": draft.code,
                    "seats": draft.seats,
                    "session": need.session,
                    "capacity": need.capacity,
                },
            )
    site, created = TestSite.objects.update_or_create(
        selection=selection,
        code=code,
        defaults={"name": name, "address": address, "map_url": map_url},
    )
    for draft in rooms:
        Room.objects.update_or_create(
            site=site,
            code=draft.code,
            defaults={"name": draft.name, "seats": draft.seats, "ground_floor": draft.ground_floor},
        )
    audit_record(
        actor=actor,
        action="exams.site_created" if created else "exams.site_updated",
        subject=site,
        agency_id=selection.agency_id,
        selection_id=selection.pk,
        details={"rooms": {r.code: r.seats for r in rooms}},
    )
    return site


def _stage_windows(selection: Selection) -> dict[str, tuple[Any, Any]]:
    lines = {stage.kind: (stage.starts_on, stage.ends_on) for stage in selection.stages.all()}
    return {
        stage.value: lines.get(kind, (None, None)) for stage, kind in rules.SCHEDULE_KINDS.items()
    }


def sessions_problems(
    *, selection: Selection, drafts: Sequence[SessionDraft]
) -> list[rules.Problem]:
    """What `sessions_create` would refuse in `drafts`, against the selection's stored sites,
    sessions, formations and schedule; it changes nothing. An import reports these with the
    problems of the rows it could not read."""
    rooms: dict[str, dict[str, int]] = {}
    for site_code, room_code, seats in Room.objects.filter(site__selection=selection).values_list(
        "site__code", "code", "seats"
    ):
        rooms.setdefault(site_code, {})[room_code] = seats
    for site_code in TestSite.objects.filter(selection=selection).values_list("code", flat=True):
        rooms.setdefault(site_code, {})
    existing = [
        rules.RoomUse(code, site, room, starts_at, starts_at + timedelta(minutes=duration))
        for code, site, room, starts_at, duration in SessionRoom.objects.filter(
            session__selection=selection
        ).values_list(
            "session__code",
            "room__site__code",
            "room__code",
            "session__starts_at",
            "session__duration_minutes",
        )
    ]
    zone = ZoneInfo(selection.agency.time_zone)
    return rules.session_problems(
        drafts,
        rooms=rooms,
        formations=frozenset(selection.formations.values_list("code", flat=True)),
        windows=_stage_windows(selection),
        existing=existing,
        taken_codes=frozenset(
            TestSession.objects.filter(selection=selection).values_list("code", flat=True)
        ),
        day_of=lambda moment: timezone.localdate(moment, zone),
    )


@transaction.atomic
def sessions_create(
    *, selection: Selection, actor: Any, drafts: Sequence[SessionDraft]
) -> list[TestSession]:
    """Create every session of `drafts`, or none: any problem raises ExamsRefused("sessions")
    with the problems of every row. Two saves for one selection take turns (a lock on its
    row), so two files cannot both pass the overlap check for one room."""
    _require(actor, Capability.MANAGE_TESTS, selection)
    Selection.objects.select_for_update().filter(pk=selection.pk).first()
    problems = sessions_problems(selection=selection, drafts=drafts)
    if problems:
        raise ExamsRefused("sessions", len(problems), problems=problems)
    sites = dict(TestSite.objects.filter(selection=selection).values_list("code", "pk"))
    room_ids = {
        (site, room): pk
        for site, room, pk in Room.objects.filter(site__selection=selection).values_list(
            "site__code", "code", "pk"
        )
    }
    formations = dict(selection.formations.values_list("code", "pk"))
    created: list[TestSession] = []
    for draft in drafts:
        session = TestSession.objects.create(
            selection=selection,
            stage=draft.stage,
            code=draft.code,
            site_id=sites[draft.site],
            starts_at=draft.starts_at,
            duration_minutes=draft.duration_minutes,
            accommodation_only=draft.accommodation_only,
        )
        SessionRoom.objects.bulk_create(
            SessionRoom(
                session=session,
                room_id=room_ids[draft.site, room],
                order=order,
                capacity=capacity,
            )
            for order, (room, capacity) in enumerate(draft.rooms)
        )
        if draft.formations:
            session.formations.set([formations[code] for code in draft.formations])
        created.append(session)
    audit_record_many(
        actor=actor,
        action="exams.session_created",
        model=TestSession,
        subjects=(
            AuditSubject(
                s.pk,
                s.code,
                {
                    "stage": s.stage,
                    "starts_at": s.starts_at.isoformat(),
                    "minutes": s.duration_minutes,
                    "capacity": sum(c for _, c in d.rooms),
                },
            )
            for s, d in zip(created, drafts, strict=True)
        ),
        agency_id=selection.agency_id,
        selection_id=selection.pk,
    )
    return created


@transaction.atomic
def window_set(
    *,
    selection: Selection,
    actor: Any,
    stage: str,
    mode: str,
    opens_at: datetime,
    closes_at: datetime,
) -> BookingWindow:
    """Announce (or change) when a stage's seats can be booked."""
    _require(actor, Capability.MANAGE_TESTS, selection)
    if closes_at <= opens_at:
        raise ExamsRefused("window_dates")
    if mode == BookingWindow.Mode.SELF and TestStage(stage) not in SELF_BOOKED:
        raise ExamsRefused("window_mode")
    window, created = BookingWindow.objects.update_or_create(
        selection=selection,
        stage=stage,
        defaults={"mode": mode, "opens_at": opens_at, "closes_at": closes_at, "created_by": actor},
    )
    audit_record(
        actor=actor,
        action="exams.window_set",
        subject=window,
        agency_id=selection.agency_id,
        selection_id=selection.pk,
        details={
            "stage": stage,
            "mode": mode,
            "opens_at": opens_at.isoformat(),
            "closes_at": closes_at.isoformat(),
            "first": created,
        },
    )
    public_content_changed()
    return window


@transaction.atomic
def accommodation_record(
    *, application: Application, actor: Any, note: str, extra_minutes: int = 0
) -> Accommodation:
    _require(actor, Capability.MANAGE_TESTS, application.selection)
    accommodation, _created = Accommodation.objects.update_or_create(
        application=application,
        defaults={"note": note, "extra_minutes": extra_minutes, "recorded_by": actor},
    )
    audit_record(
        actor=actor,
        action="exams.accommodation_recorded",
        subject=application,
        reason=note,
        details={"extra_minutes": extra_minutes},
    )
    return accommodation


# --- seats ----------------------------------------------------------------------------------


def _take_seat(session: TestSession) -> SessionRoom | None:
    """One seat of `session` by compare-and-swap in the first room that looks free (rooms in
    order); when another writer took its last seat meanwhile, the next one. None when full."""
    while True:
        room = (
            SessionRoom.objects.filter(session=session, taken__lt=F("capacity"))
            .order_by("order", "pk")
            .first()
        )
        if room is None:
            return None
        if SessionRoom.objects.filter(pk=room.pk, taken__lt=F("capacity")).update(
            taken=F("taken") + 1
        ):
            return room


def _looks_full(session: TestSession) -> bool:
    """A read before any lock: a session already full is answered at once, without the write
    lock a booking takes (SQLite takes it for the whole database). Never the last word: the
    compare-and-swap decides."""
    return not SessionRoom.objects.filter(session=session, taken__lt=F("capacity")).exists()


def _full(application: Application, session: TestSession) -> ExamsRefused:
    return ExamsRefused(
        "full",
        alternatives=selectors.sessions_with_seats(
            application=application, stage=session.stage, limit=3
        ),
    )


def _free_seat(session_room_id: int) -> None:
    SessionRoom.objects.filter(pk=session_room_id, taken__gt=0).update(taken=F("taken") - 1)


def _admits(session: TestSession, application: Application) -> bool:
    reserved = {pk for pk in session.formations.values_list("pk", flat=True)}
    if reserved and application.formation_id not in reserved:
        return False
    if session.accommodation_only:
        return Accommodation.objects.filter(application=application).exists()
    return True


def booking_make(
    *, application: Application, session_id: int, actor: Any, site_url: str = ""
) -> Booking:
    """The applicant books a seat in the session `session_id` of its stage. Refuses, changing
    nothing: another person's application, no window or outside it, a stage the committee
    assigns, no final MS, a session of another selection or stage, one that is reserved,
    closed, started or full (with the next free sessions as alternatives), a second booking."""
    if actor is None or application.applicant_id != getattr(actor, "pk", None):
        raise ExamsRefused("not_yours")
    session = (
        TestSession.objects.filter(pk=session_id, selection_id=application.selection_id)
        .select_related("selection__agency", "site")
        .first()
    )
    if session is None:
        raise ExamsRefused("unknown_session")
    selection = session.selection
    now = timezone.now()
    window = BookingWindow.objects.filter(selection=selection, stage=session.stage).first()
    if window is None:
        raise ExamsRefused("no_window")
    if window.mode != BookingWindow.Mode.SELF:
        raise ExamsRefused("assigned_stage")
    if now < window.opens_at:
        raise ExamsRefused("not_open_yet", _moment(selection, window.opens_at))
    if now >= window.closes_at:
        raise ExamsRefused("closed", _moment(selection, window.closes_at))
    if not has_final_ms(application):
        raise ExamsRefused("not_admitted")
    if Booking.objects.filter(application=application, stage=session.stage).exists():
        raise ExamsRefused("already_booked")
    if session.closed_at is not None:
        raise ExamsRefused("session_closed")
    if session.starts_at <= now:
        raise ExamsRefused("session_started")
    if not _admits(session, application):
        raise ExamsRefused("reserved")
    if _looks_full(session):
        raise _full(application, session)
    try:
        with transaction.atomic():
            room = _take_seat(session)
            if room is None:
                raise ExamsRefused("full")
            booking = Booking.objects.create(
                selection=selection,
                application=application,
                stage=session.stage,
                session=session,
                session_room=room,
                booked_at=now,
                booked_by=actor,
            )
            audit_record(
                actor=actor,
                action="exams.booked",
                subject=application,
                details={"stage": session.stage, "session": session.code, "room": room.pk},
            )
            _notify(booking, "booked", site_url)
    except IntegrityError as error:
        raise ExamsRefused("already_booked") from error
    except ExamsRefused as error:
        if error.code == "full":
            raise _full(application, session) from error
        raise
    transaction.on_commit(metrics.booking_made)
    return booking


@transaction.atomic
def booking_move(
    *, booking: Booking, session_id: int, actor: Any, reason: str, site_url: str = ""
) -> Booking:
    """The committee moves a participant to another session of the same stage, with a reason
    the participant reads in the e-mail. The target's capacity holds as for a booking."""
    selection = booking.selection
    _require(actor, Capability.MANAGE_TESTS, selection)
    reason = reason.strip()
    if len(reason) < MOVE_REASON_MIN_CHARACTERS:
        raise ExamsRefused("reason_required")
    locked = Booking.objects.select_for_update().get(pk=booking.pk)
    target = TestSession.objects.filter(
        pk=session_id, selection=selection, stage=locked.stage
    ).first()
    if target is None:
        raise ExamsRefused("unknown_session")
    if target.pk == locked.session_id:
        raise ExamsRefused("same_session")
    if target.closed_at is not None or locked.session.closed_at is not None:
        raise ExamsRefused("session_closed")
    room = _take_seat(target)
    if room is None:
        raise ExamsRefused("full")
    before = locked.session
    _free_seat(locked.session_room_id)
    Booking.objects.filter(pk=locked.pk).update(session=target, session_room=room)
    locked.refresh_from_db()
    moved = audit_record(
        actor=actor,
        action="exams.moved",
        subject=locked.application,
        reason=reason,
        details={"stage": locked.stage, "from": before.code, "to": target.code},
    )
    _notify(locked, "moved", site_url, key=str(moved.pk), reason=reason, previous=before)
    return locked


def _starts_at(session: TestSession) -> str:
    zone = ZoneInfo(session.selection.agency.time_zone)
    return date_format(timezone.localtime(session.starts_at, zone), "l, j F Y, H:i")


def seat_facts(selection: Selection, session: TestSession, room: str) -> dict[str, Any]:
    """What the notices about a seat say of it, in the agency's time zone; the words that
    depend on the language are written in the recipient's."""
    site = session.site.name + (f", {session.site.address}" if session.site.address else "")
    return {
        "selection": selection.title,
        "stage": localized(session.get_stage_display),
        "session": session.code,
        "starts_at": localized(_starts_at, session),
        "zone": localized(selection.agency.get_time_zone_display),
        "site": site,
        "room": room,
    }


def _notify(booking: Booking, template: str, site_url: str, key: str = "", **extra: Any) -> None:
    """Tell the participant about their seat: an inbox notice and an e-mail, after the
    commit. The booking is one event; each move another (`key`: its audit event)."""
    application = booking.application
    event = f"exams.{template}:{booking.pk}" + (f":{key}" if key else "")
    if "previous" in extra:
        extra["previous"] = extra["previous"].code
    notify(
        user=application.applicant,
        event=event,
        template=TEMPLATES[template],
        context={
            "number": application.number,
            **seat_facts(booking.selection, booking.session, booking.session_room.room.name),
            **extra,
        },
        url=reverse("applicant:detail", args=[application.number]),
        selection=booking.selection,
        site_url=site_url,
    )


# --- the day ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckIn:
    booking: Booking
    checked_in_at: datetime


def booking_for_check_in(*, session: TestSession, actor: Any, key: str) -> Booking:
    """The booking a card's QR token or a typed participant number names, for the staff to
    compare the photo and name before they check the participant in. Refuses a participant of
    another session (naming it) or one without a seat in the stage."""
    _require(actor, Capability.CHECK_IN, session.selection)
    key = key.strip()
    booking = (
        Booking.objects.filter(selection_id=session.selection_id, stage=session.stage)
        .filter(Q(token=key) | Q(application__number=key.upper()))
        .select_related("application__applicant", "session", "session_room__room")
        .first()
    )
    if booking is None:
        raise ExamsRefused("not_booked", key[:40])
    if booking.session_id != session.pk:
        raise ExamsRefused(
            "wrong_session", {"number": booking.application.number, "session": booking.session}
        )
    return booking


@transaction.atomic
def check_in(*, session: TestSession, actor: Any, key: str) -> CheckIn:
    """Mark the participant present, once: a second check-in is refused with the time of
    the first."""
    booking = booking_for_check_in(session=session, actor=actor, key=key)
    if session.closed_at is not None:
        raise ExamsRefused("session_closed")
    now = timezone.now()
    changed = Booking.objects.filter(pk=booking.pk, attendance=Booking.Attendance.BOOKED).update(
        attendance=Booking.Attendance.PRESENT, checked_in_at=now, checked_in_by=actor
    )
    if not changed:
        booking.refresh_from_db()
        when = booking.checked_in_at or now
        raise ExamsRefused(
            "already_checked_in",
            {
                "number": booking.application.number,
                "time": _moment(session.selection, when),
            },
        )
    booking.refresh_from_db()
    audit_record(
        actor=actor,
        action="exams.checked_in",
        subject=booking.application,
        details={"stage": booking.stage, "session": session.code},
    )
    return CheckIn(booking, now)


@transaction.atomic
def session_close(*, session: TestSession, actor: Any, site_url: str = "") -> int:
    """After the session's end, everyone booked and not checked in is absent (TH) and leaves
    the selection: one audit event and one e-mail each. Returns how many were absent."""
    selection = session.selection
    _require(actor, Capability.MANAGE_TESTS, selection)
    now = timezone.now()
    if now < session.ends_at:
        raise ExamsRefused("not_ended", _moment(selection, session.ends_at))
    if not TestSession.objects.filter(pk=session.pk, closed_at=None).update(
        closed_at=now, closed_by=actor
    ):
        raise ExamsRefused("already_closed")
    absent = list(
        Booking.objects.select_for_update(of=("self",))
        .filter(session=session, attendance=Booking.Attendance.BOOKED)
        .values_list("pk", "application_id", "application__number", "application__applicant_id")
    )
    Booking.objects.filter(pk__in=[row[0] for row in absent]).update(
        attendance=Booking.Attendance.ABSENT
    )
    audit_record_many(
        actor=actor,
        action="exams.absent",
        model=Application,
        subjects=(
            AuditSubject(application_id, number, {"stage": session.stage, "session": session.code})
            for _, application_id, number, _ in absent
        ),
        agency_id=selection.agency_id,
        selection_id=selection.pk,
    )
    audit_record(
        actor=actor,
        action="exams.session_closed",
        subject=session,
        agency_id=selection.agency_id,
        selection_id=selection.pk,
        details={"absent": len(absent), "stage": session.stage},
    )
    _notify_absent(
        session,
        ((application_id, user_id, number) for _, application_id, number, user_id in absent),
        site_url,
    )
    return len(absent)


def _notify_absent(
    session: TestSession, recipients: Iterable[tuple[int, int, str]], site_url: str
) -> int:
    """Tell each (application id, applicant id, number) recorded absent from `session`."""
    rows = list(recipients)
    users = User.objects.only(*RECIPIENT_FIELDS).in_bulk({user_id for _, user_id, _ in rows})
    facts = seat_facts(session.selection, session, "")
    return notify_many(
        recipients=(
            (
                users[user_id],
                f"exams.absent:{application_id}:{session.pk}",
                {"number": number, **facts},
                reverse("applicant:detail", args=[number]),
            )
            for application_id, user_id, number in rows
        ),
        template="absent",
        selection=session.selection,
        site_url=site_url,
    )


# --- exam cards -------------------------------------------------------------------------------


@transaction.atomic
def card_batch_request(*, selection: Selection, stage: str, actor: Any) -> CardBatch:
    """The committee asks for every exam card of a stage as one ZIP: a CardBatch made by the
    task worker once the request commits (`tasks.card_batch_make`). Refused when nobody holds
    a seat in the stage."""
    _require(actor, Capability.MANAGE_TESTS, selection)
    total = Booking.objects.filter(selection=selection, stage=stage).count()
    if not total:
        raise ExamsRefused("no_bookings")
    batch = CardBatch.objects.create(
        selection=selection, stage=stage, total=total, requested_by=actor
    )
    audit_record(
        actor=actor,
        action="exams.cards_requested",
        subject=selection,
        details={"stage": stage, "batch": batch.pk, "cards": total},
    )
    transaction.on_commit(lambda: card_batch_make.enqueue(batch_id=batch.pk))
    return batch
