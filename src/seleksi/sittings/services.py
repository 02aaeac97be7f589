"""Writes of the computer-assisted test stage: importing a question bank.

Decisions worth knowing:

- An import is all or nothing: a file with any problem saves no question, and every problem
  is returned as "Baris N: …" in the reader's language. File-level problems (not CSV, damaged
  workbook, too large) are `TableFileError`s, as for the other imports.
- Each question keeps the file it came from (name, SHA-256, line), and the import is one
  audit event with the counts per component; the text of the questions never goes into the
  audit trail or a log.
- Only the agency's committee and administrators (MANAGE_TESTS) import and read the bank.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from seleksi.agencies.permissions import Capability, user_can
from seleksi.audit.services import audit_record
from seleksi.core.errors import ServiceRefused
from seleksi.rules.cat import load_blueprint
from seleksi.rules.question_files import parse_question_table
from seleksi.selections.models import Selection
from seleksi.selections.tables import read_table

from .messages import describe_bank_problem
from .models import BankQuestion, Sitting, StageTest

REFUSALS = {
    "forbidden": _("You may not do this for this agency."),
    "unknown_blueprint": _("There is no test blueprint %s."),
    "sittings_started": _(
        "Sittings of this stage have started; its test blueprint can no longer change."
    ),
}


class SittingsRefused(ServiceRefused):
    messages = REFUSALS


@dataclass(frozen=True)
class BankImport:
    saved: int = 0
    problems: tuple[str, ...] = ()
    per_component: tuple[tuple[str, int], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@transaction.atomic
def questions_import(
    *, selection: Selection, actor: Any, blueprint_code: str, filename: str, content: bytes
) -> BankImport:
    """Add the questions of a bank table to the selection's bank for `blueprint_code`."""
    if not user_can(actor, Capability.MANAGE_TESTS, selection.agency_id):
        raise SittingsRefused("forbidden")
    try:
        blueprint = load_blueprint(blueprint_code)
    except LookupError as error:
        raise SittingsRefused("unknown_blueprint", blueprint_code[:64]) from error
    header, rows = read_table(filename, content)
    parsed = parse_question_table(header, rows, blueprint)
    if parsed.problems:
        return BankImport(problems=tuple(describe_bank_problem(p) for p in parsed.problems))
    now = timezone.now()
    digest = hashlib.sha256(content).hexdigest()
    name = filename.rsplit("/", 1)[-1][:255]
    BankQuestion.objects.bulk_create(
        (
            BankQuestion(
                selection=selection,
                blueprint=blueprint.code,
                component=draft.component,
                topic=draft.topic,
                difficulty=draft.difficulty,
                text=draft.text,
                options=[
                    {"key": option.key, "text": option.text, "points": option.points}
                    for option in draft.options
                ],
                source_name=name,
                source_sha256=digest,
                source_line=draft.line,
                imported_at=now,
                imported_by=actor,
            )
            for draft in parsed.questions
        ),
        batch_size=1000,
    )
    per_component = Counter(draft.component for draft in parsed.questions)
    counts = tuple((c.code, per_component[c.code]) for c in blueprint.components)
    audit_record(
        actor=actor,
        action="sittings.questions_imported",
        subject=selection,
        rule_version=f"{blueprint.code} v{blueprint.version}",
        details={
            "blueprint": blueprint.code,
            "questions": len(parsed.questions),
            "per_component": dict(counts),
            "file": name,
            "sha256": digest,
        },
    )
    return BankImport(saved=len(parsed.questions), per_component=counts)


def stage_test_set(
    *, selection: Selection, actor: Any, stage: str, blueprint_code: str
) -> StageTest:
    """Say that `stage` of the selection is sat on Seleksi with `blueprint_code` (or change
    the blueprint while no sitting of the stage has started). Audited."""
    if not user_can(actor, Capability.MANAGE_TESTS, selection.agency_id):
        raise SittingsRefused("forbidden")
    try:
        blueprint = load_blueprint(blueprint_code)
    except LookupError as error:
        raise SittingsRefused("unknown_blueprint", blueprint_code[:64]) from error
    if Sitting.objects.filter(selection=selection, booking__stage=stage).exists():
        raise SittingsRefused("sittings_started")
    stage_test, _created = StageTest.objects.update_or_create(
        selection=selection,
        stage=stage,
        defaults={"blueprint": blueprint.code, "set_at": timezone.now(), "set_by": actor},
    )
    audit_record(
        actor=actor,
        action="sittings.stage_test_set",
        subject=selection,
        rule_version=f"{blueprint.code} v{blueprint.version}",
        details={"stage": stage, "blueprint": blueprint.code},
    )
    return stage_test
