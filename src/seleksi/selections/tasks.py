"""Background work for the allocation import.

Decisions worth knowing:

- A large upload in the console is never parsed in the web request: the request stores the
  file under a name Seleksi makes (never the uploader's), records `formations.import_requested`
  and hands the stored name to the task worker once the request commits. The task takes ids
  and that name, never the content.
- The worker imports exactly as the console does in the request: the outcome is the same
  `formations.imported` event, or `formations.import_failed` holding what was wrong as codes
  and values, so the console says it in the language of whoever reads it.
- The stored file is deleted when the task ends; running the task again after that does
  nothing.
- `seleksi import-formations` stays synchronous: its caller waits for the answer.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.tasks import task

from seleksi.audit.models import AuditEvent
from seleksi.audit.services import audit_record
from seleksi.rules.formations import IssueCode, RowIssue

from .messages import describe_issue
from .models import Selection
from .services import formations_import, formations_parse_file
from .tables import TableFileError

IMPORT_FOLDER = "imports/formations"
AUDITED_ISSUES = 100
"""Issues of a failed import kept in its audit event; the rest are counted."""
STATE_ACTIONS = ("formations.import_requested", "formations.imported", "formations.import_failed")


def formations_import_request(
    *, selection: Selection, filename: str, content: bytes, actor: Any
) -> None:
    """Store the upload and hand it to the task worker when the transaction commits."""
    stored_name = default_storage.save(
        f"{IMPORT_FOLDER}/{uuid.uuid4().hex}.upload", ContentFile(content)
    )
    source = f"console:{filename}"
    try:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="formations.import_requested",
                subject=selection,
                details={"source": source, "bytes": len(content)},
            )
            actor_id = getattr(actor, "pk", None)
            transaction.on_commit(
                lambda: import_in_background.enqueue(
                    selection_id=selection.pk,
                    stored_name=stored_name,
                    filename=filename,
                    actor_id=actor_id,
                )
            )
    except BaseException:
        default_storage.delete(stored_name)
        raise


@task()
def import_in_background(
    *, selection_id: int, stored_name: str, filename: str, actor_id: int | None
) -> bool:
    """Import the stored file into the selection's allocation; True when it was imported."""
    if not default_storage.exists(stored_name):
        return False
    try:
        selection = Selection.objects.filter(pk=selection_id).first()
        if selection is None:
            return False
        actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
        source = f"console:{filename}"
        with default_storage.open(stored_name, "rb") as stored:
            content = stored.read()
        try:
            parsed = formations_parse_file(filename=filename, content=content)
        except TableFileError as error:
            _record_failure(
                selection,
                actor,
                {"source": source, "file_error": {"code": error.code, "values": error.values}},
            )
            return False
        outcome = formations_import(selection=selection, parsed=parsed, actor=actor, source=source)
        if not outcome.ok:
            issues = [
                {
                    "row": issue.row,
                    "column": issue.column,
                    "code": str(issue.code),
                    "value": issue.value,
                    "limit": issue.limit,
                }
                for issue in outcome.issues[:AUDITED_ISSUES]
            ]
            more = max(len(outcome.issues) - AUDITED_ISSUES, 0)
            _record_failure(selection, actor, {"source": source, "issues": issues, "more": more})
            return False
        return True
    finally:
        default_storage.delete(stored_name)


def _record_failure(selection: Selection, actor: Any, details: dict[str, Any]) -> None:
    audit_record(actor=actor, action="formations.import_failed", subject=selection, details=details)


@dataclass(frozen=True)
class ImportState:
    """The newest import of a selection's allocation, as the console shows it."""

    action: str
    occurred_at: datetime
    source: str
    file_error: str
    issues: tuple[dict[str, Any], ...]
    more: int
    counts: dict[str, int]

    @property
    def waiting(self) -> bool:
        return self.action == "formations.import_requested"

    @property
    def failed(self) -> bool:
        return self.action == "formations.import_failed"


def import_state(selection: Selection) -> ImportState | None:
    """The newest import request, import or failed import of the selection, with what was
    wrong said in the active language; None when there was none."""
    event = (
        AuditEvent.objects.filter(selection_id=selection.pk, action__in=STATE_ACTIONS)
        .order_by("-occurred_at", "-id")
        .first()
    )
    if event is None:
        return None
    details = event.details
    file_error = ""
    if isinstance(details.get("file_error"), dict):
        error = details["file_error"]
        file_error = TableFileError(str(error.get("code", "")), **error.get("values", {})).message
    issues = tuple(
        {"row": issue.row, "column": issue.column or "", "message": describe_issue(issue)}
        for issue in _row_issues(details.get("issues", []))
    )
    counts = {
        name: int(details.get(name, 0))
        for name in ("created", "updated", "deleted", "unchanged", "total_quota")
        if isinstance(details.get(name), int)
    }
    return ImportState(
        action=event.action,
        occurred_at=event.occurred_at,
        source=str(details.get("source", "")),
        file_error=file_error,
        issues=issues,
        more=int(details.get("more", 0) or 0),
        counts=counts,
    )


def _row_issues(stored: object) -> list[RowIssue]:
    issues: list[RowIssue] = []
    for item in stored if isinstance(stored, list) else []:
        try:
            code = IssueCode(item["code"])
        except (KeyError, TypeError, ValueError):
            continue
        issues.append(
            RowIssue(
                int(item.get("row", 0)),
                item.get("column"),
                code,
                str(item.get("value", "")),
                str(item.get("limit", "")),
            )
        )
    return issues
