"""Demo scores (`seleksi demo-scores`): participants, SKD and SKB results and the two ranking
runs for a few openings of the demo CASN selection, so that the committee's ranking,
confirmation and replacement pages have something to show on the embedded portal.

Everything here is demo data, made deterministically from a fixed seed: participants are
named "Peserta Demo 001" and so on, have no NIK and cannot sign in. The scores go through the
same import service as a CAT export and the runs through the same ranking service as
`seleksi rank`; the runs are left unconfirmed for the committee. The disabilitas opening's
applicants all miss its SKD pass marks, so the final ranking shows optimalisasi filling it
from umum.

Decisions worth knowing:
- Two participants can sign in, so that a person can see a result from their own side: the
  first one the final ranking passes (L) and the first one it does not (TL), as
  `peserta.lulus@demo.seleksi.invalid` and `peserta.tidak-lulus@demo.seleksi.invalid` with the
  demo password. The others cannot sign in.
- The participants' submitted applications are written directly: they stand in for
  registrations, which the demo cannot make without identities, documents and an open window.
- Their administrative check is not: it goes through the verification services with their
  audit events. The demo committee member (`load-demo`) hands them to the demo verifier, who
  takes each one and marks every requirement MS (the stand-ins have no documents to look
  at); the committee member gives the second check when the selection requires one. They
  are left checked and not published, so the committee publishes the administrative result
  from the queue page, for them and for anyone who applied meanwhile. Ranking reads scores,
  not the publication.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from seleksi.accounts.models import Education, User
from seleksi.agencies.permissions import Capability, user_can
from seleksi.applications.models import Application
from seleksi.rules.eligibility import load_policy
from seleksi.rules.verification import Mark, Stage
from seleksi.selections.demo import DEMO_PASSWORD
from seleksi.selections.models import Formation, Selection
from seleksi.verification.services import (
    MarkInput,
    application_assign,
    application_claim,
    application_decide,
    checklist,
)

from .models import RankingRun, Score
from .ranking_runs import ranking_run
from .services import scores_import

DEMO_SELECTION = "aceh-tengah-casn-2021"
SEED = 2021
# formation code → participants: every opening for "Statistisi Ahli Pertama" (one position)
OPENINGS = {"AT21-CPNS-T-0053": 25, "AT21-CPNS-T-0054": 12, "AT21-CPNS-D-0006": 3}
DISABILITY_OPENING = "AT21-CPNS-D-0006"
USERNAME = "peserta-demo-{:03d}"
VERIFIER = "verifikator.acehtengah"
COMMITTEE = "panitia.acehtengah"
SIGN_IN = {
    "L": "peserta.lulus@demo.seleksi.invalid",
    "TL": "peserta.tidak-lulus@demo.seleksi.invalid",
}
"""outcome in the final ranking → the e-mail address its first participant signs in with"""
CHECK_NOTE = "Data demo: diperiksa otomatis oleh seleksi demo-scores"


class _Draws:
    """Deterministic draws from sha256(seed, counter): the same demo data every time."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.count = 0

    def between(self, low: int, high: int) -> int:
        """A whole number from low up to, not including, high."""
        self.count += 1
        digest = hashlib.sha256(f"{self.seed}:{self.count}".encode()).digest()
        return low + int.from_bytes(digest[:8]) % (high - low)

    def percent(self, share: int) -> bool:
        return self.between(0, 100) < share

    def choice(self, items: Sequence[str]) -> str:
        return items[self.between(0, len(items))]


@dataclass(frozen=True)
class DemoScores:
    participants: int
    runs: tuple[int, ...]
    skipped: str = ""
    refused: bool = False
    """Nothing was done because something the demo needs is missing (not merely done before)."""


def demo_scores_load() -> DemoScores:
    """Create the demo participants, import their scores and rank them; nothing when the demo
    selection is missing or already has scores."""
    selection = Selection.objects.filter(code=DEMO_SELECTION).first()
    if selection is None:
        return DemoScores(0, (), f"seleksi {DEMO_SELECTION} belum dimuat (seleksi load-demo)")
    if Score.objects.filter(selection=selection).exists():
        return DemoScores(0, (), f"seleksi {DEMO_SELECTION} sudah punya nilai")
    formations = {
        f.code: f for f in Formation.objects.filter(selection=selection, code__in=OPENINGS)
    }
    missing = sorted(set(OPENINGS) - set(formations))
    if missing:
        return DemoScores(0, (), f"formasi demo tidak ada: {', '.join(missing)}")
    staff = _demo_staff(selection)
    if isinstance(staff, str):
        return DemoScores(0, (), staff, refused=True)
    committee, verifier = staff
    draws = _Draws(SEED)
    with transaction.atomic():
        numbers = _participants(selection, formations, draws)
        _verify(selection, list(numbers), committee=committee, verifier=verifier)
        _import(selection, "skd", "NILAI-SKD-DEMO.csv", _skd_file(numbers, draws))
        skd = ranking_run(selection=selection, stage="skd", actor=None).run
        within_cut = list(
            skd.rows.filter(outcome="P/L")
            .order_by("order")
            .values_list("application__number", flat=True)
        )
        _import(selection, "skb", "NILAI-SKB-DEMO.csv", _skb_file(within_cut, draws))
        final = ranking_run(selection=selection, stage="akhir", actor=None).run
        _open_sign_in(final)
    return DemoScores(len(numbers), (skd.pk, final.pk))


def _participants(
    selection: Selection, formations: dict[str, Formation], draws: _Draws
) -> dict[str, str]:
    """participant number → formation code; each with an S-1 the formation lists."""
    policy = load_policy(selection.policy_code)
    now = timezone.now()
    numbers: dict[str, str] = {}
    serial = 0
    for code, count in OPENINGS.items():
        formation = formations[code]
        for _ in range(count):
            serial += 1
            qualification = draws.choice(formation.qualification_list)
            level, programme = _level_and_programme(policy.level_prefixes, qualification)
            user = User.objects.create(
                username=USERNAME.format(serial),
                full_name=f"Peserta Demo {serial:03d}",
                email=f"{USERNAME.format(serial)}@demo.seleksi.invalid",
                birth_date=date(1992, 1, 1) + timedelta(days=draws.between(0, 3000)),
                is_active=False,
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
            Education.objects.create(
                user=user,
                level_id=level,
                institution="Universitas Demo",
                study_programme=programme,
                accreditation=Education.Accreditation.B,
                graduated_on=date(2015, 8, 1) + timedelta(days=draws.between(0, 1500)),
                ipk=Decimal(draws.between(275, 391)) / 100,
            )
            application = Application.objects.create(
                applicant=user,
                selection=selection,
                formation=formation,
                number=f"demo-{serial}",
                status=Application.Status.SUBMITTED,
                submitted_at=now,
            )
            application.number = f"{selection.pk:03d}{application.pk:07d}"
            application.save(update_fields=["number"])
            numbers[application.number] = code
    return numbers


def _open_sign_in(final: RankingRun) -> None:
    """Let the first passed and the first failed participant of the final ranking sign in."""
    rows = final.rows.order_by("order").select_related("application__applicant")
    for outcome, email in SIGN_IN.items():
        row = rows.filter(outcome=outcome).first()
        if row is None:
            raise ValueError(f"the demo final ranking has no {outcome} row")
        user = row.application.applicant
        user.email = email
        user.is_active = True
        user.email_verified_at = timezone.now()
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["email", "is_active", "email_verified_at", "password"])


def _demo_staff(selection: Selection) -> tuple[User, User] | str:
    """The demo committee member and verifier of the selection's agency, or why not."""
    users = {
        user.username: user for user in User.objects.filter(username__in=(COMMITTEE, VERIFIER))
    }
    committee, verifier = users.get(COMMITTEE), users.get(VERIFIER)
    missing = [
        name
        for name, user, capability in (
            (COMMITTEE, committee, Capability.DECIDE_RESULTS),
            (VERIFIER, verifier, Capability.VERIFY_APPLICATIONS),
        )
        if not user_can(user, capability, selection.agency_id)
    ]
    if missing or committee is None or verifier is None:
        return (
            f"staf demo {', '.join(missing)} tidak ada atau tidak berwenang di instansi "
            f"seleksi {DEMO_SELECTION} (jalankan seleksi load-demo)"
        )
    return committee, verifier


def _verify(selection: Selection, numbers: list[str], *, committee: User, verifier: User) -> None:
    """Hand the participants to the verifier, who marks every requirement MS; with a second
    check required, the committee member confirms. Leaves them checked, not published."""
    applications = list(
        Application.objects.filter(selection=selection, number__in=numbers)
        .select_related("selection")
        .order_by("pk")
    )
    application_assign(applications=applications, verifier=verifier, actor=committee)
    for application in applications:
        marks = [MarkInput(item=code, mark=Mark.MS) for code, _label in checklist(application)]
        for checker in (verifier, committee):
            application_claim(application=application, verifier=checker)
            decided = application_decide(
                application=application,
                verifier=checker,
                marks=marks,
                claimed_result=Mark.MS,
                note=CHECK_NOTE,
            )
            if decided.admin_stage == Stage.CHECKED:
                break
        else:
            raise ValueError(f"demo application {application.number} was not checked")


def _level_and_programme(
    prefixes: tuple[tuple[str, str], ...], qualification: str
) -> tuple[str, str]:
    for level, prefix in prefixes:
        if qualification.startswith(prefix + " "):
            return level, qualification.removeprefix(prefix + " ")
    raise ValueError(f"no education level is written like {qualification!r}")


def _skd_file(numbers: dict[str, str], draws: _Draws) -> bytes:
    """Disabilitas applicants all miss its TIU mark of 60; about one in twenty is absent."""
    lines = ["nomor_peserta,kehadiran,twk,tiu,tkp"]
    for number, code in numbers.items():
        if draws.percent(5):
            lines.append(f"{number},TH,,,")
            continue
        tiu = 5 * draws.between(6, 11) if code == DISABILITY_OPENING else 5 * draws.between(12, 34)
        lines.append(f"{number},H,{5 * draws.between(10, 29)},{tiu},{draws.between(140, 216)}")
    return ("\n".join(lines) + "\n").encode()


def _skb_file(numbers: list[str], draws: _Draws) -> bytes:
    lines = ["nomor_peserta,kehadiran,skb"]
    for index, number in enumerate(numbers):
        if index == len(numbers) - 1:
            lines.append(f"{number},TH,")
            continue
        lines.append(f"{number},H,{Decimal(draws.between(45000, 95001)) / 1000}")
    return ("\n".join(lines) + "\n").encode()


def _import(selection: Selection, stage: str, name: str, content: bytes) -> None:
    outcome = scores_import(
        selection=selection, stage=stage, source_name=name, content=content, actor=None
    )
    if not outcome.ok:
        raise ValueError("; ".join(outcome.errors))
