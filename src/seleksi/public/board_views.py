"""The live score board of a test session (papan skor): a page for the screen in the room,
open to anyone, and the part of it that changes, which the page fetches every few seconds
(`static/board/board.js`) and swaps in. Without JavaScript the page reloads itself.
What the board shows and why is in `seleksi.sittings.board`."""

from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from seleksi.agencies.models import Agency
from seleksi.sittings.board import Board, board_read

POLL_SECONDS = 5
RELOAD_SECONDS = 15
"""without JavaScript: a whole page, so less often"""


def _board_or_404(session_id: int) -> Board:
    board = board_read(session_id=session_id)
    if board is None:
        raise Http404("no score board for this session")
    return board


def _render(request: HttpRequest, template: str, board: Board) -> HttpResponse:
    agency = board.session.selection.agency
    with timezone.override(ZoneInfo(agency.time_zone)):
        return render(
            request,
            template,
            {
                "board": board,
                "session": board.session,
                "selection": board.session.selection,
                "zone": Agency.TimeZone(agency.time_zone).name,
                "poll_seconds": POLL_SECONDS,
                "reload_seconds": RELOAD_SECONDS,
            },
        )


@require_GET
@never_cache
def board(request: HttpRequest, session_id: int) -> HttpResponse:
    return _render(request, "board/board.html", _board_or_404(session_id))


@require_GET
@never_cache
def board_rows(request: HttpRequest, session_id: int) -> HttpResponse:
    """The counts and the rows, as the page swaps them in."""
    return _render(request, "board/_live.html", _board_or_404(session_id))
