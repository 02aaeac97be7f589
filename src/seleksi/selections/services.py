"""Writes for selections and their formations. Each write records its audit event in the
same transaction."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from seleksi.audit.services import audit_record
from seleksi.core.public_cache import public_content_changed
from seleksi.rules.formations import FormationRow, ParseResult, RowIssue, parse_formation_table

from .models import Formation, FormationQualification, Selection
from .tables import read_table


@dataclass(frozen=True)
class ImportOutcome:
    issues: tuple[RowIssue, ...]
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    total_quota: int = 0

    @property
    def ok(self) -> bool:
        return not self.issues


def formations_parse_file(*, filename: str, content: bytes) -> ParseResult:
    """Read and validate an uploaded allocation file. Raises TableFileError for an unreadable
    file; returns the parse result with row issues otherwise."""
    header, rows = read_table(filename, content)
    return parse_formation_table(header, rows)


def _formation_fields(row: FormationRow) -> dict[str, Any]:
    return {
        "procurement_type": row.procurement_type.value,
        "formation_type": row.formation_type.value,
        "position_category": row.position_category.value if row.position_category else "",
        "position": row.position,
        "qualifications_text": "; ".join(row.qualifications),
        "placement_unit": row.placement_unit,
        "quota": row.quota,
        "teknis_pass_mark": row.teknis_pass_mark,
    }


@transaction.atomic
def formations_import(
    *, selection: Selection, parsed: ParseResult, actor: Any, source: str = ""
) -> ImportOutcome:
    """Replace the selection's allocation with `parsed`: rows are matched by formation code,
    new codes are added, changed rows updated, and codes absent from the file removed.
    Nothing is written when the file has any issue."""
    if not parsed.ok:
        return ImportOutcome(issues=parsed.issues)
    existing = {
        f.code: f for f in Formation.objects.select_for_update().filter(selection=selection)
    }
    incoming_codes = {row.code for row in parsed.rows}
    to_delete = [f.pk for code, f in existing.items() if code not in incoming_codes]
    Formation.objects.filter(pk__in=to_delete).delete()

    new_formations: list[Formation] = []
    changed: list[tuple[Formation, FormationRow]] = []
    unchanged = 0
    for row in parsed.rows:
        fields = _formation_fields(row)
        formation = existing.get(row.code)
        if formation is None:
            new_formations.append(Formation(selection=selection, code=row.code, **fields))
        elif any(getattr(formation, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(formation, name, value)
            changed.append((formation, row))
        else:
            unchanged += 1
    Formation.objects.bulk_create(new_formations, batch_size=500)
    if changed:
        Formation.objects.bulk_update(
            [formation for formation, _ in changed],
            list(_formation_fields(changed[0][1])),
            batch_size=500,
        )
        FormationQualification.objects.filter(
            formation__in=[formation for formation, _ in changed]
        ).delete()
    rows_by_code = {row.code: row for row in parsed.rows}
    FormationQualification.objects.bulk_create(
        (
            FormationQualification(formation=formation, selection=selection, name=name, order=index)
            for formation in [*new_formations, *(f for f, _ in changed)]
            for index, name in enumerate(rows_by_code[formation.code].qualifications)
        ),
        batch_size=1000,
    )
    created, updated = len(new_formations), len(changed)
    total_quota = sum(row.quota or 0 for row in parsed.rows)
    outcome = ImportOutcome(
        issues=(),
        created=created,
        updated=updated,
        deleted=len(to_delete),
        unchanged=unchanged,
        total_quota=total_quota,
    )
    audit_record(
        actor=actor,
        action="formations.imported",
        subject=selection,
        agency_id=selection.agency_id,
        selection_id=selection.pk,
        details={
            "source": source,
            "rows": len(parsed.rows),
            "created": created,
            "updated": updated,
            "deleted": len(to_delete),
            "unchanged": unchanged,
            "total_quota": total_quota,
        },
    )
    public_content_changed()
    return outcome


def formation_save(*, formation: Formation, row: FormationRow) -> Formation:
    """Save one formation edited by hand, keeping its qualification rows in step."""
    for name, value in _formation_fields(row).items():
        setattr(formation, name, value)
    formation.save()
    formation.qualifications.all().delete()
    FormationQualification.objects.bulk_create(
        FormationQualification(
            formation=formation, selection_id=formation.selection_id, name=name, order=index
        )
        for index, name in enumerate(row.qualifications)
    )
    public_content_changed()
    return formation
