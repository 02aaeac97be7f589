"""The live score board of a test session (papan skor): what the screen in the room shows
while participants sit a test on Seleksi, read in two queries and kept for a moment.

Decisions worth knowing:

- Only a session of a stage sat on Seleksi (`StageTest`) of a published selection has a
  board; any other id is "not found", whoever asks.
- A row is a checked-in participant (hadir) or anyone with a sitting, shown by participant
  number only (nomor peserta, the application's number). The national CAT's screen also
  shows names; Seleksi's public lists (administrative results, replacements) name nobody,
  and a participant knows their number from the exam card, so the board does the same.
  Absent participants (TH) and seats not yet checked in are counted, not listed.
- Scores appear only once a sitting is finished, by the participant or by the server;
  a sitting in progress shows its state and nothing else.
- Whether the pass marks are met (nilai ambang batas) is the ranking's own rule on the
  stage's score fields (`rules.cat.stage_values`): SKD by `PassMark.met_by` for the
  application's formation type in the selection's ranking policy, a mitra test by
  `MitraRules.passes`. Where the stage or policy has no pass mark (a mitra policy
  without one, PPPK, whose teknis mark depends on affirmation grounds kept elsewhere) the
  board has no such column; where one row's mark cannot be found it says so ("–").
- Finished rows come first by total, highest first (ties by participant number: the board
  is not the ranking), then sittings in progress, then those not started.
- The board is cached per session for `BOARD_CACHE_SECONDS`, so a room of phones polling it
  costs the database two queries every two seconds at most.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.core.cache import cache
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from seleksi.exams.models import Booking, TestSession
from seleksi.rules.cat import Blueprint, SittingScore, load_blueprint, stage_values
from seleksi.rules.problems import RankingLookupError
from seleksi.rules.ranking import RankingPolicy
from seleksi.scoring.services import PROCUREMENT_TYPES, score_policy

from .models import Sitting, StageTest

BOARD_CACHE_SECONDS = 2
CACHE_KEY = "seleksi:board:{session_id}"


class RowState(StrEnum):
    WAITING = "waiting"
    """checked in, not started (belum mulai)"""
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"
    """finished by the participant"""
    CLOSED = "closed"
    """closed by the server when time ran out"""


@dataclass(frozen=True, slots=True)
class BoardColumn:
    code: str
    name: str
    maximum: int


@dataclass(frozen=True, slots=True)
class BoardRow:
    number: str
    state: RowState
    scores: tuple[int | None, ...] = ()
    """per column, only for a finished sitting; None where the sitting has no such score"""
    total: int | None = None
    passed: bool | None = None
    """None: not finished, no pass marks, or the mark cannot be determined"""

    @property
    def finished(self) -> bool:
        return self.state in (RowState.FINISHED, RowState.CLOSED)


@dataclass(frozen=True)
class Board:
    session: TestSession
    """with its selection, agency and site"""
    blueprint: Blueprint
    has_pass_marks: bool
    rows: tuple[BoardRow, ...]
    checked_in: int
    in_progress: int
    finished: int
    absent: int
    read_at: datetime

    @property
    def columns(self) -> tuple[BoardColumn, ...]:
        return tuple(BoardColumn(c.code, c.name, c.maximum) for c in self.blueprint.components)

    @property
    def waiting(self) -> int:
        return sum(1 for row in self.rows if row.state is RowState.WAITING)

    @property
    def live(self) -> bool:
        """Whether the board can still change: the session is open or a sitting runs."""
        return self.session.closed_at is None or self.in_progress > 0


PassCheck = Callable[[str, Mapping[str, int]], bool | None]
"""(formation type, the stage's score fields) → whether the pass marks are met"""


def _pass_check(session: TestSession, blueprint: Blueprint) -> PassCheck | None:
    """The stage's pass-mark rule from the selection's ranking policy, or None when the stage
    has no pass mark for the board to show."""
    stage = session.stage
    if blueprint.stage != stage or stage not in PROCUREMENT_TYPES:
        return None
    try:
        policy: RankingPolicy = score_policy(session.selection, stage)
    except (LookupError, ValueError):
        return lambda formation_type, values: None
    if stage == "skd" and policy.skd is not None:
        rules = policy.skd

        def skd(formation_type: str, values: Mapping[str, int]) -> bool | None:
            try:
                mark = rules.pass_mark(formation_type)
                return mark.met_by(values["twk"], values["tiu"], values["tkp"])
            except (RankingLookupError, KeyError):
                return None

        return skd
    if stage == "mitra" and policy.mitra is not None and policy.mitra.test_pass_mark is not None:
        mitra_rules = policy.mitra

        def mitra(formation_type: str, values: Mapping[str, int]) -> bool | None:
            return mitra_rules.passes(values["test_score"]) if "test_score" in values else None

        return mitra
    return None


def board_session(*, session_id: int) -> tuple[TestSession, str] | None:
    """The session and its stage's blueprint code, in one query; None when it has no board."""
    blueprint = StageTest.objects.filter(
        selection=OuterRef("selection"), stage=OuterRef("stage")
    ).values("blueprint")[:1]
    session = (
        TestSession.objects.filter(pk=session_id, selection__is_published=True)
        .select_related("selection__agency", "site")
        .annotate(board_blueprint=Subquery(blueprint))
        .first()
    )
    if session is None or not session.board_blueprint:
        return None
    return session, session.board_blueprint


def _row(entry: tuple[Any, ...], blueprint: Blueprint, check: PassCheck | None) -> BoardRow | None:
    number, formation_type, attendance, status, closed_by, scores, total, sat_with = entry
    if status is None:
        if attendance != Booking.Attendance.PRESENT:
            return None
        return BoardRow(number, RowState.WAITING)
    if status != Sitting.Status.FINISHED:
        return BoardRow(number, RowState.IN_PROGRESS)
    state = RowState.CLOSED if closed_by == Sitting.ClosedBy.SERVER else RowState.FINISHED
    scores = scores or {}
    cells = tuple(scores.get(component.code) for component in blueprint.components)
    passed = None
    if check is not None and sat_with == blueprint.code and None not in cells:
        result = SittingScore(
            tuple(
                (component.code, int(scores[component.code])) for component in blueprint.components
            )
        )
        passed = check(formation_type, stage_values(blueprint, result))
    return BoardRow(number, state, cells, total, passed)


def _order(row: BoardRow) -> tuple[int, int, str]:
    if row.finished:
        return (0, -(row.total or 0), row.number)
    return (1 if row.state is RowState.IN_PROGRESS else 2, 0, row.number)


def board_build(*, session: TestSession, blueprint_code: str) -> Board:
    """The board of `session` as it stands, in one query for every booking."""
    blueprint = load_blueprint(blueprint_code)
    check = _pass_check(session, blueprint)
    entries = Booking.objects.filter(session_id=session.pk).values_list(
        "application__number",
        "application__formation__formation_type",
        "attendance",
        "sitting__status",
        "sitting__closed_by",
        "sitting__scores",
        "sitting__total",
        "sitting__blueprint",
    )
    rows: list[BoardRow] = []
    checked_in = absent = 0
    for entry in entries:
        attendance = entry[2]
        checked_in += attendance == Booking.Attendance.PRESENT
        absent += attendance == Booking.Attendance.ABSENT
        row = _row(entry, blueprint, check)
        if row is not None:
            rows.append(row)
    rows.sort(key=_order)
    return Board(
        session=session,
        blueprint=blueprint,
        has_pass_marks=check is not None,
        rows=tuple(rows),
        checked_in=checked_in,
        in_progress=sum(1 for row in rows if row.state is RowState.IN_PROGRESS),
        finished=sum(1 for row in rows if row.finished),
        absent=absent,
        read_at=timezone.now(),
    )


def board_read(*, session_id: int) -> Board | None:
    """The session's board, from the cache when it was read in the last
    `BOARD_CACHE_SECONDS`; None when the session has no board."""
    key = CACHE_KEY.format(session_id=session_id)
    board: Board | None = cache.get(key)
    if board is not None:
        return board
    found = board_session(session_id=session_id)
    if found is None:
        return None
    try:
        board = board_build(session=found[0], blueprint_code=found[1])
    except LookupError:  # a blueprint no longer shipped: no board rather than an error
        return None
    cache.set(key, board, BOARD_CACHE_SECONDS)
    return board
