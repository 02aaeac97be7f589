"""A selection with stored, confirmed results of every stage, made through the services that
make them in production (publication of the administrative result, ranking runs, their
confirmation, withdrawals), for the announcements to publish."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from seleksi.accounts.models import User
from seleksi.agencies.models import Role
from seleksi.announcements import services
from seleksi.announcements.models import Announcement
from seleksi.applications.models import Application
from seleksi.scoring.confirmation import ranking_run_confirm
from seleksi.scoring.models import RankingRun
from seleksi.scoring.ranking_runs import ranking_run
from seleksi.scoring.replacements import withdrawal_confirm, withdrawal_record
from seleksi.selections.models import Selection
from seleksi.verification import services as verification
from seleksi.verification.models import Objection
from tests.factories import import_rows, make_agency, make_selection, make_staff
from tests.scoring.ranked import FORMATIONS, SKD, add_applications, add_skb

# A03 and B02 fail the administrative check; the others meet it.
TMS = {"A03", "B02"}
NAMES = {"A01": "Budi Santoso", "A02": "=Siti Aminah", "A05": "Dewi Lestari"}


@dataclass
class World:
    selection: Selection
    committee: User
    other_committee: User
    verifier: User

    def rank(self, stage: str, *, confirm: bool = True) -> RankingRun:
        run = ranking_run(selection=self.selection, stage=stage, actor=self.committee).run
        if confirm:
            run = ranking_run_confirm(run=run, actor=self.committee, note="Sudah diperiksa panitia")
        return run

    def publish_administrative(self) -> None:
        applications = Application.objects.filter(selection=self.selection)
        applications.update(admin_stage="checked", admin_result="MS")
        applications.filter(number__in=TMS).update(admin_result="TMS")
        verification.result_publish(selection=self.selection, actor=self.committee)

    def publish_after_objections(self) -> None:
        """A03's objection is accepted: MS after objections; the window closed long ago."""
        applications = Application.objects.filter(selection=self.selection)
        applications.update(published_at=timezone.now() - timedelta(days=60))
        a03 = applications.get(number="A03")
        Objection.objects.create(
            application=a03,
            reason="Ijazah saya sesuai kualifikasi formasi ini.",
            answer_due_on=timezone.localdate(),
            status=Objection.Status.ACCEPTED,
            answer="Diterima.",
        )
        applications.filter(pk=a03.pk).update(admin_stage="answered", admin_result="MS")
        verification.result_publish_after_objections(selection=self.selection, actor=self.committee)

    def final(self) -> RankingRun:
        """SKD and final ranked and confirmed: F-A A03 L, A01 TL, A02 L-2 in F-B."""
        self.rank("skd")
        add_skb(self.selection)
        return self.rank("akhir")

    def withdraw(self, run: RankingRun, number: str, reason: str = "APS") -> None:
        withdrawal = withdrawal_record(
            run=run,
            participant=number,
            reason=reason,
            note="Surat pengunduran diri tertanggal 1 Desember",
            actor=self.committee,
        )
        withdrawal_confirm(withdrawal=withdrawal, actor=self.committee, note="Sesuai berita acara")

    def draft(self, kind: str, number: str = "800/12/PANSEL/2026", **fields: Any) -> Announcement:
        values: dict[str, Any] = {
            "selection": self.selection,
            "kind": kind,
            "actor": self.committee,
            "number": number,
            "dated_on": date(2026, 12, 3),
            "signatory_name": "Ketua Panitia Contoh",
            "signatory_title": "Ketua Panitia Seleksi",
        }
        return services.announcement_draft(**{**values, **fields})

    def publish(self, announcement: Announcement) -> Announcement:
        return services.announcement_publish(
            announcement=announcement, actor=self.committee, confirm_number=announcement.number
        )


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Refusals are matched on their English source text."""
    with translation.override("en"):
        yield


@pytest.fixture
def world(db: None) -> World:
    return make_world()


def make_world() -> World:
    """The selection of tests.scoring.ranked (F-A, F-B; eight applicants), its committee and
    verifier, and the committee of another agency."""
    agency = make_agency(name="Pemerintah Kabupaten Contoh")
    selection = make_selection(agency, "umum-2026", title="Seleksi CPNS Kabupaten Contoh 2026")
    import_rows(selection, FORMATIONS)
    add_applications(selection, SKD)
    for number, name in NAMES.items():
        User.objects.filter(applications__number=number).update(full_name=name)
    other = make_agency("pemkab-lain")
    return World(
        selection=selection,
        committee=make_staff("panitia", agency, Role.COMMITTEE),
        other_committee=make_staff("panitia-lain", other, Role.COMMITTEE),
        verifier=make_staff("verifikator", agency, Role.VERIFIER),
    )
