"""Where each of an applicant's applications stands (perjalanan lamaran): the current stage in
plain words, the timeline, the deadlines still ahead, what can be printed and the published
results with the pass marks met or missed. The dashboard reads it; any page may.

Decisions worth knowing:

- The current stage is the latest of three, by when each happened: the newest published
  announcement of a test stage's result, the latest test seat (booked, sat, absent), and
  the administrative selection (submitted, result, objection); a draft is a draft. An
  administrative announcement says no more than the administrative stage itself (which also
  knows the objection window), so it is listed as a result but never names the stage. Only
  what the applicant may already see counts: the published administrative result
  (`published_result`), never a verifier's unpublished decision, and only published
  announcements.
- Rows are read for all the applicant's applications at once (documents, objections,
  bookings, booking windows, announcement rows); the timeline and the objection window are
  the application page's own reads (`paper.timeline`, `window_for`), a few queries per
  application, so the two pages cannot disagree.
- Dates are the agency's calendar days (its time zone), and "today", "tomorrow" and
  "in N days" count those days. A deadline whose day has passed is not listed; a test
  session is listed until its day is over.
- A booking window is a deadline only for an applicant the booking service would admit
  (final MS) who holds no seat in that stage and may choose one (mode "self").
- Pass marks are the ranking policy's, for the policy and version the announced run was
  ranked with: SKD marks per formation type (umum, cumlaude, disabilitas, papua…, as
  `SkdRules.pass_mark` finds them, the way the score board does), the mitra test mark
  (`MitraRules.test_pass_mark`, when the policy has one), and the PPPK formation's teknis
  mark against the teknis score with affirmation. When the shipped policy has another
  version than the run, or a figure is not a number (an absent participant), no pass mark
  is shown rather than a guessed one.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from seleksi.accounts.models import User
from seleksi.announcements import selectors as announcement_selectors
from seleksi.announcements.models import Announcement, AnnouncementRow, Kind
from seleksi.applications.models import Application, Document
from seleksi.core.templatetags.results import RESULT_CODES
from seleksi.exams.models import STAGES, Booking, BookingWindow
from seleksi.exams.services import has_final_ms
from seleksi.rules.problems import RankingLookupError
from seleksi.rules.ranking import RankingPolicy
from seleksi.rules.ranking import Stage as RankingStage
from seleksi.rules.schedule import SelectionStatus
from seleksi.rules.verification import Mark, Window
from seleksi.rules.verification import Stage as AdminStage
from seleksi.scoring.engine import ranking_policy_for
from seleksi.selections.models import DocumentRule
from seleksi.selections.models import Stage as ScheduleStage
from seleksi.sittings import paper
from seleksi.sittings.models import Sitting
from seleksi.verification.models import Objection
from seleksi.verification.selectors import TimelineEntry
from seleksi.verification.services import window_for

TEST_STAGE_LABELS: dict[str, Any] = dict(STAGES)
FIGURE_LABELS: dict[str, Any] = {
    "twk": "TWK",
    "tiu": "TIU",
    "tkp": "TKP",
    "skd_total": gettext_lazy("SKD total"),
    "skd_score": gettext_lazy("SKD score"),
    "skb_score": gettext_lazy("SKB score"),
    "final_score": gettext_lazy("Final score"),
    "teknis_score": gettext_lazy("Technical score (with affirmation)"),
    "test_score": gettext_lazy("Test score"),
    "preference_points": gettext_lazy("Preference points"),
}


class Tone:
    """The status badge's colour class; the words always say the same without it."""

    GOOD = "status-open"
    WAITING = "status-upcoming"
    BAD = "status-closed"
    DONE = "status-finished"


@dataclass(frozen=True)
class CurrentStage:
    code: str
    """draft, submitted, result, objection_filed, objection_answered, booked, sat, absent,
    announced"""
    headline: str
    detail: str
    tone: str


@dataclass(frozen=True)
class Deadline:
    label: str
    day: date
    """in the agency's calendar"""
    moment: datetime | None
    """the exact time, when there is one (booking window, test session)"""
    days_left: int
    url: str

    @property
    def when(self) -> str:
        if self.days_left == 0:
            return _("today")
        if self.days_left == 1:
            return _("tomorrow")
        return ngettext("in %(days)d day", "in %(days)d days", self.days_left) % {
            "days": self.days_left
        }


@dataclass(frozen=True)
class Printable:
    label: str
    url: str
    key: str
    """resume or exam-card-<stage>, for the page's element ids"""


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: str


@dataclass(frozen=True)
class PassMarkCheck:
    label: str
    score: str
    mark: str
    met: bool


@dataclass(frozen=True)
class Result:
    announcement: Announcement
    url: str
    code: str
    meaning: str
    figures: tuple[Figure, ...]
    total: str
    rank: int | None
    note: str
    pass_marks: tuple[PassMarkCheck, ...]

    @property
    def all_marks_met(self) -> bool | None:
        if not self.pass_marks:
            return None
        return all(check.met for check in self.pass_marks)


@dataclass(frozen=True)
class Journey:
    application: Application
    stage: CurrentStage
    timeline: tuple[TimelineEntry, ...]
    """oldest first"""
    deadlines: tuple[Deadline, ...]
    """soonest first"""
    prints: tuple[Printable, ...]
    results: tuple[Result, ...]
    """newest announcement first"""

    @property
    def recent(self) -> tuple[TimelineEntry, ...]:
        """The latest few steps, newest first."""
        return tuple(reversed(self.timeline[-RECENT_STEPS:]))

    @property
    def earlier(self) -> tuple[TimelineEntry, ...]:
        """The steps before those, newest first."""
        return tuple(reversed(self.timeline[:-RECENT_STEPS]))


RECENT_STEPS = 3


# --- reading every application of one applicant ----------------------------------------------


@dataclass(frozen=True)
class _Rows:
    """What one applicant's applications hold in the later stages, read once for them all."""

    uploaded: dict[int, set[int]]
    objections: dict[int, Objection]
    bookings: dict[int, list[Booking]]
    windows: dict[int, list[BookingWindow]]
    announced: dict[int, list[AnnouncementRow]]


def applications_of(user: User) -> list[Application]:
    """The applicant's applications, newest first, with their selection, agency, schedule,
    document slots and formation."""
    return list(
        Application.objects.filter(applicant=user)
        .select_related("selection__agency", "formation")
        .prefetch_related(
            Prefetch("selection__stages", queryset=ScheduleStage.objects.order_by("order", "id")),
            Prefetch("selection__document_rules", queryset=DocumentRule.objects.all()),
        )
        .order_by("-created_at", "-pk")
    )


def _rows(applications: Sequence[Application]) -> _Rows:
    ids = [application.pk for application in applications]
    uploaded: dict[int, set[int]] = defaultdict(set)
    for application_id, rule_id in Document.objects.filter(application_id__in=ids).values_list(
        "application_id", "rule_id"
    ):
        uploaded[application_id].add(rule_id)
    bookings: dict[int, list[Booking]] = defaultdict(list)
    for booking in (
        Booking.objects.filter(application_id__in=ids)
        .select_related("session__site", "session_room__room", "sitting")
        .order_by("session__starts_at")
    ):
        bookings[booking.application_id].append(booking)
    windows: dict[int, list[BookingWindow]] = defaultdict(list)
    for window in BookingWindow.objects.filter(
        selection_id__in={application.selection_id for application in applications}
    ).order_by("opens_at"):
        windows[window.selection_id].append(window)
    announced: dict[int, list[AnnouncementRow]] = defaultdict(list)
    for row in announcement_selectors.applications_rows(ids):
        announced[row.application_id].append(row)
    return _Rows(
        uploaded=uploaded,
        objections={o.application_id: o for o in Objection.objects.filter(application_id__in=ids)},
        bookings=bookings,
        windows=windows,
        announced=announced,
    )


def journeys(user: User, *, now: datetime | None = None) -> list[Journey]:
    """Every application of `user`, newest first, with where it stands."""
    applications = applications_of(user)
    if not applications:
        return []
    rows = _rows(applications)
    moment = now or timezone.now()
    policies: dict[tuple[str, int, str], RankingPolicy | None] = {}
    return [_journey(application, rows, moment, policies) for application in applications]


def _journey(
    application: Application,
    rows: _Rows,
    now: datetime,
    policies: dict[tuple[str, int, str], RankingPolicy | None],
) -> Journey:
    agency = application.selection.agency
    today = agency.date_of(now)
    missing = [
        rule.name
        for rule in application.selection.document_rules.all()
        if rule.is_required and rule.pk not in rows.uploaded.get(application.pk, set())
    ]
    objection = rows.objections.get(application.pk)
    bookings = rows.bookings.get(application.pk, [])
    announced = rows.announced.get(application.pk, [])
    results = tuple(_result(row, application, policies) for row in announced)
    may_object = _objection_window_open(application, objection, today)
    return Journey(
        application=application,
        stage=_current_stage(
            application, missing, objection, may_object, bookings, results, today, now
        ),
        timeline=tuple(paper.timeline(application)),
        deadlines=_deadlines(
            application,
            may_object,
            bookings,
            rows.windows.get(application.selection_id, []),
            now,
        ),
        prints=_prints(application, bookings),
        results=results,
    )


def _objection_window_open(
    application: Application, objection: Objection | None, today: date
) -> Window | None:
    """The objection window, while it is open to this applicant: TMS published, no objection
    filed yet (the application page's own rule)."""
    if (
        application.published_result != Mark.TMS
        or application.admin_stage != AdminStage.PUBLISHED
        or objection is not None
    ):
        return None
    window = window_for(application)
    return window if window is not None and window.contains(today) else None


# --- the current stage -----------------------------------------------------------------------


def _day(value: date | datetime, application: Application) -> str:
    if isinstance(value, datetime):
        value = application.selection.agency.date_of(value)
    return formats.date_format(value, "j F Y")


def _local_time(moment: datetime, application: Application) -> str:
    local = timezone.localtime(moment, timezone=ZoneInfo(application.selection.agency.time_zone))
    return formats.date_format(local, "j F Y H:i")


ADMINISTRATIVE_KINDS = frozenset({Kind.ADMINISTRATIVE, Kind.POST_OBJECTION})


def _current_stage(
    application: Application,
    missing: list[str],
    objection: Objection | None,
    may_object: Window | None,
    bookings: list[Booking],
    results: tuple[Result, ...],
    today: date,
    now: datetime,
) -> CurrentStage:
    """The latest of: the newest result announcement of a test stage, the latest test seat,
    and the administrative selection (whose own announcements say no more than it does)."""
    if not application.is_submitted:
        return _draft(application, missing, today)
    found: list[tuple[datetime, int, CurrentStage]] = []
    moments = [application.submitted_at, application.published_at]
    if objection is not None:
        moments += [objection.filed_at, objection.answered_at]
    administrative = max(moment for moment in moments if moment is not None)
    found.append((administrative, 0, _administrative(application, objection, may_object)))
    if bookings:
        booking = bookings[-1]
        moment = max(booking.booked_at, booking.checked_in_at or booking.booked_at)
        found.append((moment, 1, _test_stage(application, booking, now)))
    tested = [r for r in results if r.announcement.kind not in ADMINISTRATIVE_KINDS]
    if tested and tested[0].announcement.published_at is not None:
        found.append((tested[0].announcement.published_at, 2, _announced(tested[0])))
    return max(found, key=lambda entry: (entry[0], entry[1]))[2]


def _announced(result: Result) -> CurrentStage:
    code = result.code
    tone = {
        "P/L": Tone.GOOD,
        "L": Tone.GOOD,
        "L-2": Tone.GOOD,
        "MS": Tone.GOOD,
        "P": Tone.DONE,
    }.get(code, Tone.BAD)
    detail = result.meaning
    if result.rank is not None:
        detail = _("%(meaning)s · rank %(rank)s") % {"meaning": detail, "rank": result.rank}
    return CurrentStage(
        "announced",
        _("%(announcement)s: %(code)s")
        % {"announcement": result.announcement.get_kind_display(), "code": code},
        detail,
        tone,
    )


def _test_stage(application: Application, booking: Booking, now: datetime) -> CurrentStage:
    stage = TEST_STAGE_LABELS.get(booking.stage, booking.stage)
    session = booking.session
    if booking.attendance == Booking.Attendance.ABSENT:
        return CurrentStage(
            "absent",
            _("Absent from the test (TH)"),
            _("%(stage)s, %(day)s: you can no longer continue in this selection.")
            % {"stage": stage, "day": _day(session.starts_at, application)},
            Tone.BAD,
        )
    sitting = paper.sitting_or_none(booking)
    finished = sitting is not None and sitting.status == Sitting.Status.FINISHED
    if finished or (booking.attendance == Booking.Attendance.PRESENT and session.ends_at <= now):
        return CurrentStage(
            "sat",
            _("Test taken: %(stage)s") % {"stage": stage},
            _("%(day)s. The result is announced by the committee.")
            % {"day": _day(session.starts_at, application)},
            Tone.DONE,
        )
    return CurrentStage(
        "booked",
        _("Booked for the test: %(stage)s") % {"stage": stage},
        _("%(moment)s, %(site)s, %(room)s")
        % {
            "moment": _local_time(session.starts_at, application),
            "site": session.site.name,
            "room": booking.session_room.room.name,
        },
        Tone.WAITING,
    )


def _draft(application: Application, missing: list[str], today: date) -> CurrentStage:
    if application.selection.status(today) != SelectionStatus.OPEN:
        detail = _("Registration is closed; the application can no longer be submitted.")
    elif missing:
        detail = _("Still missing: %(documents)s.") % {"documents": "; ".join(missing)}
    else:
        detail = _("Every required document is uploaded: check the statements and submit.")
    return CurrentStage("draft", _("Draft: not submitted yet"), detail, Tone.WAITING)


def _administrative(
    application: Application, objection: Objection | None, may_object: Window | None
) -> CurrentStage:
    stage = application.admin_stage
    result = application.published_result
    if stage == AdminStage.OBJECTED and objection is not None:
        return CurrentStage(
            "objection_filed",
            _("Objection filed"),
            _("Filed on %(filed)s; the committee answers by %(due)s at the latest.")
            % {
                "filed": _day(objection.filed_at, application),
                "due": _day(objection.answer_due_on, application),
            },
            Tone.WAITING,
        )
    if stage == AdminStage.ANSWERED and objection is not None:
        outcome = (
            _("Your objection was accepted: your result will change to MS.")
            if objection.status == Objection.Status.ACCEPTED
            else _("Your objection was rejected: your result stays TMS.")
        )
        return CurrentStage(
            "objection_answered",
            _("Objection answered"),
            _("%(outcome)s The result after the objection period is published by %(due)s.")
            % {"outcome": outcome, "due": _day(objection.answer_due_on, application)},
            Tone.WAITING,
        )
    if stage in (AdminStage.PUBLISHED, AdminStage.FINAL) and result:
        final = stage == AdminStage.FINAL
        headline = (
            _("Result after objections: %(result)s")
            if final
            else _("Administrative result: %(result)s")
        ) % {"result": result}
        detail = _sentence(RESULT_CODES[result])
        if may_object is not None:
            detail = _("%(meaning)s. You may file an objection until %(until)s.") % {
                "meaning": detail,
                "until": _day(may_object.closes_on, application),
            }
        elif result == Mark.MS and final:
            detail = _("%(meaning)s. You go on to the tests.") % {"meaning": detail}
        return CurrentStage(
            "result", headline, detail, Tone.GOOD if result == Mark.MS else Tone.BAD
        )
    return CurrentStage(
        "submitted",
        _("Submitted: waiting for the administrative verification"),
        _("Submitted on %(day)s. The result is published for everyone on the same day.")
        % {"day": _day(application.submitted_at or application.created_at, application)},
        Tone.WAITING,
    )


# --- deadlines -------------------------------------------------------------------------------


def _deadlines(
    application: Application,
    may_object: Window | None,
    bookings: list[Booking],
    windows: list[BookingWindow],
    now: datetime,
) -> tuple[Deadline, ...]:
    agency = application.selection.agency
    today = agency.date_of(now)
    detail = reverse("applicant:detail", args=[application.number])
    found: list[Deadline] = []

    def add(label: str, day: date, moment: datetime | None, url: str) -> None:
        if day >= today:
            found.append(Deadline(label, day, moment, (day - today).days, url))

    if not application.is_submitted:
        registration = application.selection.registration_stage()
        if registration is not None and registration.ends_on is not None:
            add(_("Submit the application"), registration.ends_on, None, detail)
    if may_object is not None:
        add(_("File an objection"), may_object.closes_on, None, detail + "#administrative-result")
    booked = {booking.stage for booking in bookings}
    if has_final_ms(application):
        for booking_window in windows:
            if booking_window.stage in booked or booking_window.mode != BookingWindow.Mode.SELF:
                continue
            stage = TEST_STAGE_LABELS.get(booking_window.stage, booking_window.stage)
            url = reverse("applicant:booking", args=[application.number, booking_window.stage])
            if now < booking_window.opens_at:
                label = _("Test seat booking opens: %(stage)s") % {"stage": stage}
                add(label, agency.date_of(booking_window.opens_at), booking_window.opens_at, url)
            elif now < booking_window.closes_at:
                label = _("Book a test seat: %(stage)s") % {"stage": stage}
                add(label, agency.date_of(booking_window.closes_at), booking_window.closes_at, url)
    for booking in bookings:
        if booking.attendance:
            continue
        stage = TEST_STAGE_LABELS.get(booking.stage, booking.stage)
        label = _("Test: %(stage)s, session %(session)s at %(site)s") % {
            "stage": stage,
            "session": booking.session.code,
            "site": booking.session.site.name,
        }
        url = reverse("applicant:booking", args=[application.number, booking.stage])
        starts = booking.session.starts_at
        add(label, agency.date_of(starts), starts, url)
    return tuple(sorted(found, key=lambda d: (d.day, d.moment or now)))


# --- what to print ---------------------------------------------------------------------------


def _prints(application: Application, bookings: list[Booking]) -> tuple[Printable, ...]:
    if not application.is_submitted:
        return ()
    prints = [
        Printable(
            _("Application resume (PDF)"),
            reverse("applicant:resume_pdf", args=[application.number]),
            "resume",
        )
    ]
    for booking in bookings:
        if booking.attendance == Booking.Attendance.ABSENT:
            continue
        stage = TEST_STAGE_LABELS.get(booking.stage, booking.stage)
        prints.append(
            Printable(
                _("Exam card: %(stage)s (PDF)") % {"stage": stage},
                reverse("applicant:exam_card", args=[application.number, booking.stage]),
                f"exam-card-{booking.stage}",
            )
        )
    return tuple(prints)


# --- results ---------------------------------------------------------------------------------


def announcement_url(announcement: Announcement) -> str:
    """The public page of a published announcement."""
    code = announcement.selection.code
    try:
        return reverse("public:announcement", kwargs={"code": code, "pk": announcement.pk})
    except NoReverseMatch:
        return f"/seleksi/{code}/pengumuman/{announcement.pk}/"


def _number(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _plain(value: Decimal | int) -> str:
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


def _sentence(text: Any) -> str:
    """The text with its first letter capitalised, the rest as written (SKD stays SKD)."""
    words = str(text)
    return words[:1].upper() + words[1:]


def _policy(
    run: Any, stage: RankingStage, policies: dict[tuple[str, int, str], RankingPolicy | None]
) -> RankingPolicy | None:
    key = (run.policy_code, run.policy_version, stage.value)
    if key not in policies:
        try:
            policy: RankingPolicy | None = ranking_policy_for(stage, run.policy_code)
        except (LookupError, ValueError):
            policy = None
        if policy is not None and policy.version != run.policy_version:
            policy = None
        policies[key] = policy
    return policies[key]


def _checks(
    marks: Iterable[tuple[str, str, int | Decimal | None]], values: dict[str, Decimal | None]
) -> tuple[PassMarkCheck, ...]:
    checks = []
    for key, label, mark in marks:
        value = values.get(key)
        if mark is None or value is None:
            continue
        checks.append(PassMarkCheck(label, _plain(value), _plain(mark), value >= mark))
    return tuple(checks)


def pass_mark_checks(
    row: AnnouncementRow,
    application: Application,
    policies: dict[tuple[str, int, str], RankingPolicy | None] | None = None,
) -> tuple[PassMarkCheck, ...]:
    """The pass marks of the row's stage, each with the applicant's figure and whether it is
    met; empty when the stage has none or they cannot be read for certain."""
    announcement = row.announcement
    run = announcement.run
    if run is None or row.code == "TH":
        return ()
    policies = {} if policies is None else policies
    pairs = zip(announcement.columns, row.figures, strict=False)
    values = {key: _number(value) for key, value in pairs}
    if run.stage == RankingStage.SKD:
        policy = _policy(run, RankingStage.SKD, policies)
        if policy is None or policy.skd is None:
            return ()
        try:
            mark = policy.skd.pass_mark(application.formation.formation_type)
        except RankingLookupError:
            return ()
        subtests = [values.get("twk"), values.get("tiu"), values.get("tkp")]
        if "skd_total" not in values and all(value is not None for value in subtests):
            values["skd_total"] = sum((v for v in subtests if v is not None), Decimal(0))
        return _checks(
            (
                ("twk", "TWK", mark.twk),
                ("tiu", "TIU", mark.tiu),
                ("tkp", "TKP", mark.tkp),
                ("skd_total", _("SKD total"), mark.total),
            ),
            values,
        )
    if run.stage == RankingStage.MITRA:
        policy = _policy(run, RankingStage.MITRA, policies)
        if policy is None or policy.mitra is None:
            return ()
        return _checks(
            (("test_score", _("Test score"), policy.mitra.test_pass_mark),),
            values,
        )
    if run.stage == RankingStage.PPPK:
        return _checks(
            (
                (
                    "teknis_score",
                    _("Technical score (with affirmation)"),
                    application.formation.teknis_pass_mark,
                ),
            ),
            values,
        )
    return ()


def _result(
    row: AnnouncementRow,
    application: Application,
    policies: dict[tuple[str, int, str], RankingPolicy | None],
) -> Result:
    announcement = row.announcement
    figures = tuple(
        Figure(key, str(FIGURE_LABELS.get(key, key)), str(value))
        for key, value in zip(announcement.columns, row.figures, strict=False)
    )
    meaning = RESULT_CODES.get(row.code)
    return Result(
        announcement=announcement,
        url=announcement_url(announcement),
        code=row.code,
        meaning=_sentence(meaning) if meaning is not None else row.code,
        figures=figures,
        total=row.total,
        rank=row.rank,
        note=row.note,
        pass_marks=pass_mark_checks(row, application, policies),
    )
