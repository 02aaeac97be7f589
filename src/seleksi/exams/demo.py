"""Demo only (`seleksi demo-test-stage`): the test stage of both demo selections, dated from
today, so that booking, exam cards and check-in can be tried.

Decisions worth knowing:

- Aceh Tengah sits its SKD at the place its announcement names (IAIN Takengon); the rooms and
  their seats are demo values, not from the announcement. The committee assigns its seats.
- Magetan's competence test is online, sessions chosen by the applicants (B.4-B.6): its
  "site" is the online test with one virtual room whose seats bound a session.
- Sessions start a week from today in the agency's time zone; the booking window opens now
  and closes after `days_open` days. A second run adds nothing it already has; it moves the
  window and the sessions that have no booking yet to the new dates.
- Audited (`exams.demo_prepared`), like the other demo commands.
"""

import json
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from seleksi.audit.services import audit_record
from seleksi.selections.models import Selection

from .models import BookingWindow, Room, SessionRoom, TestSession, TestSite

DATA_FILE = Path(__file__).parent / "data" / "demo_tests.json"


@transaction.atomic
def demo_test_stage() -> list[str]:
    """Prepare both demo selections' test stage; returns one line per selection."""
    plans: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    lines = []
    for selection in Selection.objects.filter(code__in=plans).select_related("agency"):
        plan = plans[selection.code]
        zone = ZoneInfo(selection.agency.time_zone)
        today = selection.agency.today()
        rooms: dict[tuple[str, str], Room] = {}
        sites: dict[str, TestSite] = {}
        for site_plan in plan["sites"]:
            site, _ = TestSite.objects.update_or_create(
                selection=selection,
                code=site_plan["code"],
                defaults={"name": site_plan["name"], "address": site_plan["address"]},
            )
            sites[site.code] = site
            for room_plan in site_plan["rooms"]:
                room, _ = Room.objects.update_or_create(
                    site=site,
                    code=room_plan["code"],
                    defaults={
                        "name": room_plan["name"],
                        "seats": room_plan["seats"],
                        "ground_floor": room_plan.get("ground_floor", False),
                    },
                )
                rooms[site.code, room.code] = room
        site_code = plan["sites"][0]["code"]
        for entry in plan["sessions"]:
            hour, minute = (int(part) for part in entry["start"].split(":"))
            starts_at = datetime.combine(
                today + timedelta(days=entry["day"]), time(hour, minute), tzinfo=zone
            )
            session, created = TestSession.objects.get_or_create(
                selection=selection,
                code=entry["code"],
                defaults={
                    "stage": entry["stage"],
                    "site": sites[site_code],
                    "starts_at": starts_at,
                    "duration_minutes": entry["minutes"],
                    "accommodation_only": entry.get("accommodation_only", False),
                },
            )
            if created:
                SessionRoom.objects.bulk_create(
                    SessionRoom(
                        session=session,
                        room=rooms[site_code, room_code],
                        order=order,
                        capacity=capacity,
                    )
                    for order, (room_code, capacity) in enumerate(entry["rooms"])
                )
            elif not session.bookings.exists() and session.closed_at is None:
                TestSession.objects.filter(pk=session.pk).update(starts_at=starts_at)
        window_plan = plan["window"]
        now = timezone.now()
        closes_at = datetime.combine(
            today + timedelta(days=window_plan["days_open"]), time(23, 59), tzinfo=zone
        )
        BookingWindow.objects.update_or_create(
            selection=selection,
            stage=window_plan["stage"],
            defaults={"mode": window_plan["mode"], "opens_at": now, "closes_at": closes_at},
        )
        audit_record(
            actor=None,
            action="exams.demo_prepared",
            subject=selection,
            reason="demo: test sites, sessions and the booking window dated from today",
            details={"stage": window_plan["stage"], "sessions": len(plan["sessions"])},
        )
        lines.append(
            f"{selection.code}: {len(plan['sessions'])} {window_plan['stage']} sessions from "
            f"{today + timedelta(days=7)}, booking ({window_plan['mode']}) open until "
            f"{timezone.localtime(closes_at, zone):%Y-%m-%d %H:%M}"
        )
    return lines
