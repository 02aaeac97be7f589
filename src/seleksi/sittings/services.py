"""Writes of the computer-assisted test stage: the question bank (imported, edited, deleted)
and the stage's test blueprint.

Decisions worth knowing:

- An import is all or nothing: a file with any problem saves no question, and every problem
  is returned as "Baris N: …" in the reader's language. File-level problems (not CSV, damaged
  workbook, too large) are `TableFileError`s, as for the other imports.
- Each question keeps the file it came from (name, SHA-256, line), and the import is one
  audit event with the counts per component; the text of the questions never goes into the
  audit trail or a log.
- Only the agency's committee and administrators (MANAGE_TESTS) import and read the bank.
- Pictures come as a ZIP next to the table (`question_images`); a row's `gambar` names one.
  Each question gets its own copy under a name Seleksi makes (`soal/<selection>/<random>`),
  written before the transaction and removed again if it does not commit
  (`applications.storage.stored_files`), so an import with pictures is still all or nothing.
- A question that some sitting has drawn is locked entirely, its text and picture included:
  its points make that sitting's score, and its text and picture are what the participant
  read, which a dispute needs as they were. A correction is a new question (the drawn one can
  no longer be drawn by anyone once it is deleted, which is refused too; the committee adds
  the corrected one and the draws that follow take their pick from the bank as it is).
- An edit or a deletion is audited with the question's id and the columns that changed
  (`soal`, `opsi_b`, `nilai_b`, `gambar`, …), never their text.
- A stage's blueprint is chosen among those made for that stage (`Blueprint.stage`), so a
  finished sitting always has a stage score to give.
"""

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from seleksi.agencies.permissions import Capability, user_can
from seleksi.applications.storage import stored_files
from seleksi.audit.services import audit_record
from seleksi.core.errors import ServiceRefused
from seleksi.rules.cat import load_blueprint
from seleksi.rules.question_files import (
    IMAGE_COLUMN,
    OPTION_KEYS,
    BankProblem,
    ImageFinding,
    OptionDraft,
    parse_question,
    parse_question_table,
)
from seleksi.selections.models import Selection
from seleksi.selections.tables import read_table

from .bank_selectors import question_drawn
from .messages import describe_bank_problem
from .models import BankQuestion, Sitting, StageTest
from .question_images import ImageArchive, image_check, stored_image_name

REFUSALS = {
    "forbidden": _("You may not do this for this agency."),
    "unknown_blueprint": _("There is no test blueprint %s."),
    "sittings_started": _(
        "Sittings of this stage have started; its test blueprint can no longer change."
    ),
    "other_stage": _("The blueprint %(blueprint)s is made for another stage (%(stage)s)."),
    "question_drawn": _(
        "This question has been drawn in a participant's sitting, so it can no longer change "
        "or be deleted: that sitting's score and record must stay as they were. Add a "
        "corrected question instead."
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


Store = Callable[[str, bytes], str]


def _no_files(name: str, content: bytes) -> str:
    raise RuntimeError("no file is written in this transaction")


@contextmanager
def _bank_writes(*, files: bool) -> Iterator[Store]:
    """The transaction of a bank write. With files, a durable one whose `store` removes what
    it wrote if the block fails (`stored_files`); without, an ordinary one, which a caller's
    own transaction may hold (the demo's)."""
    if files:
        with stored_files() as store:
            yield store
    else:
        with transaction.atomic():
            yield _no_files


def questions_import(
    *,
    selection: Selection,
    actor: Any,
    blueprint_code: str,
    filename: str,
    content: bytes,
    images: bytes | None = None,
) -> BankImport:
    """Add the questions of a bank table to the selection's bank for `blueprint_code`, with
    the pictures its `gambar` column names from the ZIP `images` (`ImagesRefused` when the
    ZIP itself cannot be used)."""
    if not user_can(actor, Capability.MANAGE_TESTS, selection.agency_id):
        raise SittingsRefused("forbidden")
    try:
        blueprint = load_blueprint(blueprint_code)
    except LookupError as error:
        raise SittingsRefused("unknown_blueprint", params=blueprint_code[:64]) from error
    header, rows = read_table(filename, content)
    archive = ImageArchive(images) if images is not None else None
    try:
        parsed = parse_question_table(header, rows, blueprint, images=archive)
        if parsed.problems:
            return BankImport(problems=tuple(describe_bank_problem(p) for p in parsed.problems))
        now = timezone.now()
        digest = hashlib.sha256(content).hexdigest()
        name = filename.rsplit("/", 1)[-1][:255]
        pictured = [draft for draft in parsed.questions if draft.image]
        with _bank_writes(files=bool(pictured)) as store:
            stored: dict[int, str] = {}
            for draft in pictured:
                if archive is None:
                    raise RuntimeError("a row names a picture without a ZIP")
                picture, kind = archive.read(draft.image)
                stored[draft.line] = store(stored_image_name(selection.pk, kind), picture)
            BankQuestion.objects.bulk_create(
                (
                    BankQuestion(
                        selection=selection,
                        blueprint=blueprint.code,
                        component=draft.component,
                        topic=draft.topic,
                        difficulty=draft.difficulty,
                        text=draft.text,
                        image=stored.get(draft.line, ""),
                        options=_options(draft.options),
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
                    "images": len(stored),
                    "file": name,
                    "sha256": digest,
                },
            )
    finally:
        if archive is not None:
            archive.close()
    return BankImport(saved=len(parsed.questions), per_component=counts)


def _options(options: Sequence[OptionDraft]) -> list[dict[str, Any]]:
    return [{"key": option.key, "text": option.text, "points": option.points} for option in options]


@dataclass(frozen=True)
class QuestionEdit:
    """What became of an edit: the problems that kept it from being saved (each with the
    column it is about, "" for the question as a whole), or the columns that changed."""

    problems: tuple[BankProblem, ...] = ()
    changed: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def _locked(question: BankQuestion, actor: Any) -> BankQuestion:
    """The question, locked for the rest of the transaction, if `actor` may change it."""
    if not user_can(actor, Capability.MANAGE_TESTS, question.selection.agency_id):
        raise SittingsRefused("forbidden")
    locked = BankQuestion.objects.select_for_update().get(pk=question.pk)
    if question_drawn(question=locked):
        raise SittingsRefused("question_drawn")
    return locked


def question_update(
    *,
    question: BankQuestion,
    actor: Any,
    text: str,
    topic: str,
    difficulty: str,
    options: Sequence[OptionDraft],
    image: bytes | None = None,
    image_name: str = "",
    image_remove: bool = False,
) -> QuestionEdit:
    """Change a question that no sitting has drawn: its text, topic, difficulty, options and
    their points, checked as the import checks a row of its component; and its picture,
    replaced by `image` or removed. Nothing is saved when anything is wrong."""
    if not user_can(actor, Capability.MANAGE_TESTS, question.selection.agency_id):
        raise SittingsRefused("forbidden")
    blueprint = load_blueprint(question.blueprint)
    cells = {"komponen": question.component, "soal": text, "topik": topic, "tingkat": difficulty}
    for option in options:
        cells[f"opsi_{option.key}"] = option.text
        cells[f"nilai_{option.key}"] = str(option.points)
    checked = image_check(image) if image is not None else None
    findings: dict[str, ImageFinding] | None = None
    if checked is not None:
        cells[IMAGE_COLUMN] = image_name.strip()[:80] or "gambar"
        findings = {cells[IMAGE_COLUMN]: checked.finding}
    with _bank_writes(files=checked is not None and checked.ok) as store:
        locked = _locked(question, actor)
        parsed = parse_question(cells, blueprint, images=findings)
        if parsed.problems:
            return QuestionEdit(problems=parsed.problems)
        (draft,) = parsed.questions
        new_options = _options(draft.options)
        changed = [
            column
            for column, before, after in (
                ("soal", locked.text, draft.text),
                ("topik", locked.topic, draft.topic),
                ("tingkat", locked.difficulty, draft.difficulty),
            )
            if before != after
        ]
        changed += _option_changes(locked.options, new_options)
        old_image = locked.image.name or ""
        if image is not None and checked is not None and checked.ok:
            locked.image.name = store(stored_image_name(locked.selection_id, checked.kind), image)
            changed.append(IMAGE_COLUMN)
        elif image_remove and old_image:
            locked.image.name = ""
            changed.append(IMAGE_COLUMN)
        if not changed:
            return QuestionEdit()
        locked.text, locked.topic, locked.difficulty = draft.text, draft.topic, draft.difficulty
        locked.options = new_options
        locked.save(update_fields=["text", "topic", "difficulty", "options", "image"])
        if old_image and locked.image.name != old_image:
            transaction.on_commit(lambda: default_storage.delete(old_image))
        audit_record(
            actor=actor,
            action="sittings.question_updated",
            subject=locked,
            rule_version=f"{blueprint.code} v{blueprint.version}",
            details={"question": locked.pk, "component": locked.component, "changed": changed},
        )
    question.refresh_from_db()
    return QuestionEdit(changed=tuple(changed))


def _option_changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[str]:
    """The option columns whose text or points differ (`opsi_b`, `nilai_b`, …)."""
    old = {option["key"]: option for option in before}
    new = {option["key"]: option for option in after}
    changed = []
    for key in OPTION_KEYS:
        if key not in old and key not in new:
            continue
        was, now = old.get(key, {}), new.get(key, {})
        if was.get("text") != now.get("text"):
            changed.append(f"opsi_{key}")
        if was.get("points") != now.get("points"):
            changed.append(f"nilai_{key}")
    return changed


def question_delete(*, question: BankQuestion, actor: Any) -> None:
    """Remove a question that no sitting has drawn, and its picture once that commits."""
    with transaction.atomic():
        locked = _locked(question, actor)
        image = locked.image.name or ""
        audit_record(
            actor=actor,
            action="sittings.question_deleted",
            subject=locked,
            rule_version=locked.blueprint,
            details={
                "question": locked.pk,
                "blueprint": locked.blueprint,
                "component": locked.component,
                "image": bool(image),
            },
        )
        locked.delete()
        if image:
            transaction.on_commit(lambda: default_storage.delete(image))


@transaction.atomic
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
        raise SittingsRefused("unknown_blueprint", params=blueprint_code[:64]) from error
    if blueprint.stage and blueprint.stage != stage:
        raise SittingsRefused(
            "other_stage", params={"blueprint": blueprint.code, "stage": blueprint.stage}
        )
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


@transaction.atomic
def stage_test_clear(*, selection: Selection, actor: Any, stage: str) -> bool:
    """Take `stage` off Seleksi's test (its scores then come from an outside CAT's file),
    while no sitting of it has started. False when it was not on Seleksi. Audited."""
    if not user_can(actor, Capability.MANAGE_TESTS, selection.agency_id):
        raise SittingsRefused("forbidden")
    if Sitting.objects.filter(selection=selection, booking__stage=stage).exists():
        raise SittingsRefused("sittings_started")
    stage_test = StageTest.objects.filter(selection=selection, stage=stage).first()
    if stage_test is None:
        return False
    audit_record(
        actor=actor,
        action="sittings.stage_test_cleared",
        subject=selection,
        details={"stage": stage, "blueprint": stage_test.blueprint},
    )
    stage_test.delete()
    return True
