"""What a log line carries: the request it belongs to, and never a personal number.

Decisions worth knowing:

- Every request has an id, kept in a context variable from its arrival until its response is
  closed, so every record logged on its behalf (by any logger, in any module) carries it
  without being handed it. `RequestContextFilter` sits on the handler: a filter on a logger
  would miss the records that propagate to the handler from the loggers below it.
- The id a client sends is a free-text header anyone can write, so an incoming X-Request-ID
  is kept only when the peer is a trusted proxy (which made it, or passed on its own) and it
  looks like an id: letters, digits, `.`, `_`, `-`, 8 to 64 of them, and holds no 16-digit
  run (a NIK's shape). Otherwise a new one.
- `MaskNumbersFilter` is a safety net, not the rule: code never logs a NIK, a password, a
  token, a session id, a query string or a form body. Should one slip through, any run of
  exactly 16 digits (a NIK's or a KK's shape) in the message or its arguments becomes
  `****************` before any handler writes it.
- `JsonFormatter` writes one JSON object per line (SELEKSI_LOG_FORMAT=json): time in UTC,
  level, logger, message, the request's id, method, path (never its query string) and view,
  and for the one line per request also its status and duration in milliseconds.
"""

import contextvars
import json
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest

from seleksi.core.client import from_trusted_proxy

NUMBER_16 = re.compile(r"(?<!\d)\d{16}(?!\d)")
MASK = "*" * 16
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")
HEADER = "X-Request-ID"


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    method: str
    path: str
    view: str = ""


current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "seleksi_request", default=None
)


def request_id_for(request: HttpRequest) -> str:
    """The trusted proxy's well-formed X-Request-ID, or a new random one."""
    offered = request.headers.get(HEADER, "")
    well_formed = REQUEST_ID.fullmatch(offered) and not NUMBER_16.search(offered)
    if well_formed and from_trusted_proxy(request):
        return offered
    return uuid.uuid4().hex


def mask(text: str) -> str:
    return NUMBER_16.sub(MASK, text)


class MaskNumbersFilter(logging.Filter):
    """Replaces every run of exactly 16 digits in a record's message, its arguments merged in
    (so `%d` and `%(nik)s` are covered alike); a record with none is left as it was."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True  # the handler reports the broken format itself
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class RequestContextFilter(logging.Filter):
    """Puts the current request's id, method and path on every record ("-" outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = current.get()
        record.request_id = context.request_id if context else "-"
        record.method = context.method if context else "-"
        record.path = context.path if context else "-"
        if not hasattr(record, "view"):
            record.view = context.view if context and context.view else "-"
        return True


class TextFormatter(logging.Formatter):
    """The human format; a traceback's 16-digit numbers are masked like the message's."""

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    EXTRA = ("status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask(record.getMessage()),
        }
        context = current.get()
        entry["request_id"] = getattr(record, "request_id", context and context.request_id)
        entry["method"] = getattr(record, "method", context and context.method)
        entry["path"] = getattr(record, "path", context and context.path)
        entry["view"] = getattr(record, "view", context and context.view)
        for name in self.EXTRA:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = mask(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)
