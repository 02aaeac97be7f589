"""Published announcements made straight in the tables, as publishing leaves them: a row per
application in printed order (formation, rank, number), `formations` with where each
formation's rows start, counts per code. The public pages only read them."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from seleksi.accounts.models import User
from seleksi.announcements.models import Announcement, AnnouncementRow, Kind
from seleksi.applications.models import Application
from seleksi.core.privacy import masked_name
from seleksi.selections.models import Formation, Selection

SKD_COLUMNS = ["twk", "tiu", "tkp", "skd_score"]


@dataclass(frozen=True)
class Line:
    formation: str
    number: str
    name: str
    code: str = "P/L"
    rank: int | None = None
    figures: list[str] = field(default_factory=list)
    total: str = ""
    note: str = ""


def applications_for(selection: Selection, lines: list[Line]) -> dict[str, Application]:
    """The selection's application of each line's number, made (with its applicant) if new."""
    formations = {f.code: f for f in Formation.objects.filter(selection=selection)}
    existing = {
        a.number: a
        for a in Application.objects.filter(
            selection=selection, number__in=[x.number for x in lines]
        )
    }
    missing = [line for line in lines if line.number not in existing]
    if missing:
        password = make_password(None)
        User.objects.bulk_create(
            User(username=f"peserta-{line.number.lower()}", password=password, full_name=line.name)
            for line in missing
        )
        users = {
            u.username: u
            for u in User.objects.filter(
                username__in=[f"peserta-{line.number.lower()}" for line in missing]
            )
        }
        now = timezone.now()
        Application.objects.bulk_create(
            Application(
                applicant=users[f"peserta-{line.number.lower()}"],
                selection=selection,
                formation=formations[line.formation],
                number=line.number,
                status=Application.Status.SUBMITTED,
                submitted_at=now,
            )
            for line in missing
        )
        existing = {
            a.number: a
            for a in Application.objects.filter(
                selection=selection, number__in=[x.number for x in lines]
            )
        }
    return existing


def make_announcement(
    selection: Selection,
    lines: list[Line],
    *,
    actor: User,
    number: str = "800/001/BKPSDM/2026",
    title: str = "Hasil Seleksi Kompetensi Dasar",
    kind: str = Kind.SKD,
    columns: list[str] | None = None,
    published: bool = True,
    corrects: Announcement | None = None,
    correction_reason: str = "",
    dated_on: date = date(2026, 4, 1),
    **fields: Any,
) -> Announcement:
    """An announcement of `lines`, in printed order; published unless told otherwise."""
    applications = applications_for(selection, lines)
    labels = {f.code: f"{f.position} · {f.placement_unit}" for f in selection.formations.all()}
    formation_order = sorted({line.formation for line in lines})
    printed = sorted(
        lines,
        key=lambda x: (
            formation_order.index(x.formation),
            x.rank is None,
            x.rank or 0,
            x.number,
        ),
    )
    formations = []
    order = 1
    for code in formation_order:
        mine = [line for line in printed if line.formation == code]
        formations.append(
            [code, labels.get(code, ""), order, len(mine), dict(Counter(x.code for x in mine))]
        )
        order += len(mine)
    announcement = Announcement.objects.create(
        selection=selection,
        kind=kind,
        number=number,
        dated_on=dated_on,
        title=title,
        body=fields.pop("body", "Berdasarkan hasil seleksi,\n\nDemikian untuk diketahui."),
        signatory_name=fields.pop("signatory_name", "Kepala BKPSDM"),
        signatory_title=fields.pop("signatory_title", "Ketua Panitia Seleksi"),
        signatory_nip=fields.pop("signatory_nip", "197001011990031001"),
        corrects=corrects,
        correction_reason=correction_reason,
        columns=SKD_COLUMNS if columns is None else columns,
        formations=formations,
        counts=dict(Counter(line.code for line in lines)),
        row_count=len(lines),
        created_by=actor,
        **fields,
    )
    AnnouncementRow.objects.bulk_create(
        AnnouncementRow(
            announcement=announcement,
            order=place,
            application=applications[line.number],
            formation_code=line.formation,
            number=line.number,
            name=masked_name(line.name),
            figures=line.figures,
            total=line.total,
            rank=line.rank,
            code=line.code,
            note=line.note,
        )
        for place, line in enumerate(printed, start=1)
    )
    if published:
        Announcement.objects.filter(pk=announcement.pk).update(
            published_at=timezone.now(), published_by=actor
        )
        announcement.refresh_from_db()
    return announcement


def skd_lines(formation: str, count: int, prefix: str) -> list[Line]:
    """`count` ranked SKD lines of one formation: the first third P/L, the rest P."""
    lines = []
    for rank in range(1, count + 1):
        twk, tiu, tkp = 120 - rank % 50, 110 - rank % 40, 200 - rank % 30
        lines.append(
            Line(
                formation=formation,
                number=f"{prefix}{rank:05d}",
                name=f"Peserta Nomor {rank}",
                code="P/L" if rank * 3 <= count else "P",
                rank=rank,
                figures=[str(twk), str(tiu), str(tkp), f"{twk + tiu + tkp}.000"],
                total=f"{twk + tiu + tkp}.000",
            )
        )
    return lines
