"""Importing the committee's test site (lokasi) and session (sesi) tables from CSV or XLSX.

Decisions worth knowing:

- Files are read by `selections.tables.read_table`, with its bounds and its translated file
  errors (`TableFileError`, raised to the caller: the page shows it beside the file field).
- Everything or nothing: while any row has a problem nothing is written, and every problem
  is returned as "Baris N: …" in the reader's language. A sessions file whose rows could not
  all be read is still checked against the stored sites, rooms, sessions and schedule for
  the sessions it could read, so one upload reports as much as it can.
- A problem the session rules find with one room (unknown, too small, in use) names the line
  where that room was written, not the session's first line.
"""

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from seleksi.agencies.permissions import Capability, user_can
from seleksi.audit.services import audit_record
from seleksi.rules.exam_files import (
    FileProblem,
    SessionFile,
    parse_session_table,
    parse_site_table,
)
from seleksi.rules.exams import Problem
from seleksi.selections.models import Selection
from seleksi.selections.tables import read_table

from . import selectors
from .messages import describe_file_problem, describe_session_problem, row_message
from .services import (
    ExamsRefused,
    RoomDraft,
    sessions_create,
    sessions_problems,
    site_save,
)


@dataclass(frozen=True)
class RowProblem:
    row: int
    message: str

    def __str__(self) -> str:
        return row_message(self.row, self.message)


@dataclass(frozen=True)
class ImportOutcome:
    problems: tuple[RowProblem, ...] = ()
    saved: int = 0
    """sites or sessions created or updated"""
    rooms: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def lines(self) -> list[str]:
        return [str(problem) for problem in self.problems]


def _file_problems(problems: tuple[FileProblem, ...]) -> list[RowProblem]:
    return [RowProblem(p.row, describe_file_problem(p)) for p in problems]


def _outcome(problems: list[RowProblem]) -> ImportOutcome:
    return ImportOutcome(tuple(sorted(problems, key=lambda p: p.row)))


def _require(actor: Any, selection: Selection) -> None:
    if not user_can(actor, Capability.MANAGE_TESTS, selection.agency_id):
        raise ExamsRefused("forbidden")


def sites_import(
    *, selection: Selection, actor: Any, filename: str, content: bytes
) -> ImportOutcome:
    """Create or update the sites and rooms of a lokasi table (`site_save` per site), all
    in one transaction. Raises TableFileError for a file that cannot be read."""
    _require(actor, selection)
    header, rows = read_table(filename, content)
    parsed = parse_site_table(header, rows)
    if not parsed.ok:
        return _outcome(_file_problems(parsed.problems))
    in_use = selectors.rooms_in_use(selection)
    problems = [
        RowProblem(
            room.row,
            ExamsRefused(
                "seats_below_capacity",
                {
                    "room": room.code,
                    "seats": room.seats,
                    "session": need.session,
                    "capacity": need.capacity,
                },
            ).message,
        )
        for site in parsed.sites
        for room in site.rooms
        if (need := in_use.get((site.code, room.code))) is not None and room.seats < need.capacity
    ]
    if problems:
        return _outcome(problems)
    with transaction.atomic():
        for site in parsed.sites:
            site_save(
                selection=selection,
                actor=actor,
                code=site.code,
                name=site.name,
                address=site.address,
                map_url=site.map_url,
                rooms=[
                    RoomDraft(room.code, room.name, room.seats, room.ground_floor)
                    for room in site.rooms
                ],
            )
        rooms = sum(len(site.rooms) for site in parsed.sites)
        audit_record(
            actor=actor,
            action="exams.sites_imported",
            subject=selection,
            agency_id=selection.agency_id,
            selection_id=selection.pk,
            details={"source": filename[:200], "sites": len(parsed.sites), "rooms": rooms},
        )
    return ImportOutcome(saved=len(parsed.sites), rooms=rooms)


def _session_problems(parsed: SessionFile, problems: list[Problem]) -> list[RowProblem]:
    codes = {draft.row: draft.code for draft in parsed.drafts}
    described: list[RowProblem] = []
    for problem in problems:
        room = problem.values.get("room")
        row = problem.row
        if isinstance(room, str) and problem.row in codes:
            row = parsed.row_of(codes[problem.row], room, problem.row)
        described.append(RowProblem(row, describe_session_problem(problem)))
    return described


def sessions_import(
    *, selection: Selection, actor: Any, filename: str, content: bytes
) -> ImportOutcome:
    """Create every session of a sesi table with `sessions_create`, or none. Raises
    TableFileError for a file that cannot be read."""
    _require(actor, selection)
    header, rows = read_table(filename, content)
    parsed = parse_session_table(header, rows, zone=ZoneInfo(selection.agency.time_zone))
    if not parsed.ok:
        checked = sessions_problems(selection=selection, drafts=parsed.drafts)
        return _outcome(_file_problems(parsed.problems) + _session_problems(parsed, checked))
    try:
        with transaction.atomic():
            created = sessions_create(selection=selection, actor=actor, drafts=parsed.drafts)
            rooms = sum(len(draft.rooms) for draft in parsed.drafts)
            audit_record(
                actor=actor,
                action="exams.sessions_imported",
                subject=selection,
                agency_id=selection.agency_id,
                selection_id=selection.pk,
                details={"source": filename[:200], "sessions": len(created), "rooms": rooms},
            )
    except ExamsRefused as refusal:
        if refusal.code != "sessions":
            raise
        return _outcome(_session_problems(parsed, refusal.problems))
    return ImportOutcome(saved=len(created), rooms=rooms)
