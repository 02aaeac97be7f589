"""Forms of the committee's test desk (meja ujian): a site with its rooms, a session with its
rooms, the booking window, the two table uploads and a participant's move.

The forms check what a person can fix in the field itself (a code's characters, a number, a
date); what depends on stored data (a room in use, a date outside the schedule, a session
code taken) is judged by the services in `seleksi.exams`, whose messages the views show."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from seleksi.exams.models import STAGES, BookingWindow, TestSession, TestSite
from seleksi.exams.services import MOVE_REASON_MIN_CHARACTERS, REFUSALS, RoomDraft
from seleksi.rules.exam_files import FORMATION_SEPARATOR, MAX_SEATS
from seleksi.rules.exams import MAX_DURATION_MINUTES, SessionDraft
from seleksi.selections.tables import MAX_FILE_BYTES, MEGABYTE

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
TIME_FORMATS = ["%H:%M", "%H.%M"]
LOCAL_MOMENT_FORMAT = "%Y-%m-%dT%H:%M"
ROOM_ROWS = 4
"""Empty room rows offered on the site and session forms (more after saving)."""


def _code_field(label: Any, help_text: Any = "") -> forms.SlugField:
    return forms.SlugField(
        label=label,
        max_length=64,
        help_text=help_text,
        error_messages={
            "invalid": _("Use letters, digits, - and _ only, without spaces."),
        },
    )


class SiteForm(forms.Form):
    code = _code_field(
        _("Site code"),
        _(
            "The code the sessions file uses (kode_lokasi). Saving the code of an existing "
            "site updates it and adds or updates its rooms."
        ),
    )
    name = forms.CharField(label=_("Site name"), max_length=255)
    address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    map_url = forms.URLField(
        label=_("Map link"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("Optional: a link to the site on a map, shown to participants."),
    )


class _RoomRow(forms.Form):
    """A row of a table of rooms, whose cells are labelled by the column headings only: each
    input carries its label for screen readers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", str(field.label))


class RoomForm(_RoomRow):
    code = _code_field(_("Room code"))
    name = forms.CharField(label=_("Room name"), max_length=255)
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=MAX_SEATS)
    ground_floor = forms.BooleanField(label=_("Ground floor / step-free"), required=False)

    def draft(self) -> RoomDraft:
        data = self.cleaned_data
        return RoomDraft(data["code"], data["name"], data["seats"], data["ground_floor"])


class _RoomRows(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        if any(self.errors):
            return
        codes: set[str] = set()
        for form in self.filled():
            code = form.cleaned_data.get("code")
            if not code:
                continue
            if code in codes:
                raise forms.ValidationError(
                    _("Room %(room)s is given twice; list each room once."),
                    params={"room": code},
                )
            codes.add(code)
        if not codes:
            raise forms.ValidationError(_("Give at least one room with its seats."))

    def filled(self) -> list[forms.Form]:
        """The rows with a room: a stored room shown again, or an empty row filled in (an
        empty row left alone is not validated and has no cleaned data)."""
        return [form for form in self.forms if form.cleaned_data]


RoomFormSet = forms.formset_factory(
    RoomForm, formset=_RoomRows, extra=ROOM_ROWS, max_num=100, absolute_max=100
)


class SessionForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=STAGES)
    code = _code_field(_("Session code"), _("For example skd-1-pagi; unique in the selection."))
    site = forms.ChoiceField(label=_("Test site"))
    day = forms.DateField(
        label=_("Date"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    start = forms.TimeField(
        label=_("Start time"),
        input_formats=TIME_FORMATS,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    duration = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=MAX_DURATION_MINUTES
    )
    formations = forms.CharField(
        label=_("Reserved for formations"),
        required=False,
        max_length=2000,
        help_text=_(
            "Formation codes separated by ;. Leave empty to open the session to every formation."
        ),
    )
    accommodation_only = forms.BooleanField(
        label=_("Only for participants needing an accommodation"), required=False
    )

    def __init__(
        self, *args: Any, sites: Sequence[TestSite], zone: str, zone_label: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["site"].choices = [("", "")] + [  # type: ignore[attr-defined]
            (site.code, f"{site.name} ({site.code})") for site in sites
        ]
        self.fields["start"].help_text = _("In the agency's time zone (%(zone)s).") % {
            "zone": zone_label
        }

    def draft(self, rooms: Sequence[tuple[str, int]]) -> SessionDraft:
        data = self.cleaned_data
        return SessionDraft(
            row=0,
            code=data["code"],
            stage=data["stage"],
            site=data["site"],
            starts_at=datetime.combine(data["day"], data["start"], tzinfo=ZoneInfo(self.zone)),
            duration_minutes=data["duration"],
            rooms=tuple(rooms),
            formations=tuple(
                dict.fromkeys(
                    code.strip()
                    for code in data["formations"].split(FORMATION_SEPARATOR)
                    if code.strip()
                )
            ),
            accommodation_only=data["accommodation_only"],
        )


ROOM_SEPARATOR = "/"


def room_choices(sites: Sequence[TestSite]) -> list[tuple[str, Any]]:
    """Rooms grouped by site, each valued "site/room" so a room of another site is told."""
    choices: list[tuple[str, Any]] = [("", "")]
    for site in sites:
        choices.append(
            (
                site.name,
                [
                    (
                        f"{site.code}{ROOM_SEPARATOR}{room.code}",
                        _("%(room)s (%(code)s, %(seats)d seats)")
                        % {"room": room.name, "code": room.code, "seats": room.seats},
                    )
                    for room in site.rooms.all()
                ],
            )
        )
    return choices


class SessionRoomForm(_RoomRow):
    room = forms.ChoiceField(label=_("Room"))
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=MAX_SEATS)

    def __init__(self, *args: Any, rooms: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["room"].choices = rooms  # type: ignore[attr-defined]


class _SessionRoomRows(forms.BaseFormSet):  # type: ignore[type-arg]
    def filled(self) -> list[tuple[str, str, int]]:
        """(site code, room code, capacity) of each filled row."""
        rows = []
        for form in self.forms:
            if form.cleaned_data:
                site, _separator, room = form.cleaned_data["room"].partition(ROOM_SEPARATOR)
                rows.append((site, room, form.cleaned_data["capacity"]))
        return rows


SessionRoomFormSet = forms.formset_factory(
    SessionRoomForm, formset=_SessionRoomRows, extra=ROOM_ROWS, max_num=100, absolute_max=100
)


class WindowForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=STAGES)
    mode = forms.ChoiceField(
        label=_("Who chooses the session"),
        choices=BookingWindow.Mode.choices,
        widget=forms.RadioSelect,
        initial=BookingWindow.Mode.SELF,
        help_text=_(
            "Applicants may choose their own session only for the SKD, the PPPK competence "
            "test and the mitra competence test. The seats of the SKB and of the interview "
            "are always assigned by the committee."
        ),
    )
    opens_at = forms.DateTimeField(
        label=_("Booking opens at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MOMENT_FORMAT),
    )
    closes_at = forms.DateTimeField(
        label=_("Booking closes at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MOMENT_FORMAT),
    )

    def __init__(self, *args: Any, zone: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if zone:
            for name in ("opens_at", "closes_at"):
                self.fields[name].help_text = _("In the agency's time zone (%(zone)s).") % {
                    "zone": zone
                }


class TableUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File (.csv or .xlsx)"),
        allow_empty_file=True,
        error_messages={"required": _("Choose the file to upload.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,text/csv"

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB."),
                code="too_large",
                params={"limit": MAX_FILE_BYTES // MEGABYTE},
            )
        return upload


def move_prefix(booking_id: int) -> str:
    """One move form per participant on the page, each with its own field names."""
    return f"m{booking_id}"


class MoveForm(forms.Form):
    session = forms.ChoiceField(label=_("Move to session"))
    reason = forms.CharField(
        label=_("Reason for the move"),
        min_length=MOVE_REASON_MIN_CHARACTERS,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The participant reads it in the e-mail; it is kept in the audit trail."),
        error_messages={
            "required": REFUSALS["reason_required"],
            "min_length": REFUSALS["reason_required"],
        },
    )

    def __init__(self, *args: Any, targets: Sequence[TestSession], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [  # type: ignore[attr-defined]
            (str(session.pk), label) for session, label in _target_labels(targets)
        ]


def _target_labels(targets: Sequence[TestSession]) -> list[tuple[TestSession, str]]:
    """Each target as its code, start (in the active time zone), site and seats left."""
    return [
        (
            session,
            _("%(code)s · %(when)s · %(site)s · %(left)d seats left")
            % {
                "code": session.code,
                "when": date_format(timezone.localtime(session.starts_at), "j M Y H:i"),
                "site": session.site.name,
                "left": getattr(session, "seats_left", 0),
            },
        )
        for session in targets
    ]
