"""`seleksi demo-scores`: demo participants, scores and two unconfirmed runs on the demo CASN
selection, through the real import and ranking services; once only. The participants are
checked through the verification services and left for the committee to publish."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.utils import timezone

from seleksi.accounts.models import User
from seleksi.applications.models import Application
from seleksi.audit.models import AuditEvent
from seleksi.scoring.confirmation import ranking_run_confirm
from seleksi.scoring.demo import DISABILITY_OPENING, OPENINGS, SIGN_IN
from seleksi.scoring.models import RankingRun, Score
from seleksi.selections.demo import DEMO_PASSWORD, demo_load
from seleksi.selections.models import Formation, Selection
from seleksi.verification import selectors, services
from seleksi.verification.models import Publication, Review


def demo_scores() -> str:
    stdout = StringIO()
    call_command("demo_scores", stdout=stdout)
    return stdout.getvalue()


def test_it_needs_the_demo_selection(db: None) -> None:
    assert "belum dimuat" in demo_scores()
    assert not Score.objects.exists()


def test_it_scores_and_ranks_the_demo_openings_once(db: None) -> None:
    demo_load()

    assert "40 peserta demo" in demo_scores()

    skd, final = RankingRun.objects.order_by("pk")
    assert (skd.stage, final.stage) == ("skd", "akhir")
    assert skd.confirmed_at is None and final.confirmed_at is None
    assert skd.row_count == sum(OPENINGS.values())
    quotas = dict(Formation.objects.filter(code__in=OPENINGS).values_list("code", "quota"))
    seats: dict[str, int] = {}
    for code, placed, outcome in final.rows.values_list(
        "formation_code", "placed_formation_code", "outcome"
    ):
        if outcome in {"L", "L-2"}:
            seats[placed or code] = seats.get(placed or code, 0) + 1
    assert seats == quotas  # the disabilitas seat is filled by optimalisasi from umum
    assert final.rows.filter(outcome="L-2", placed_formation_code=DISABILITY_OPENING).count() == 1
    assert final.rows.filter(outcome="TL").exists()  # someone is left for a replacement
    assert AuditEvent.objects.filter(action="scores.imported").count() == 2

    participants = User.objects.filter(username__startswith="peserta-demo-")
    assert participants.count() == 40
    others = participants.exclude(email__in=SIGN_IN.values())
    assert others.count() == 38
    assert not any(user.has_usable_password() for user in others)
    for outcome, email in SIGN_IN.items():
        user = authenticate(username=email, password=DEMO_PASSWORD)
        assert user is not None and user.is_activated
        assert final.rows.filter(application__applicant=user).get().outcome == outcome
    assert not participants.exclude(nik_hash="").exists()

    assert "sudah punya nilai" in demo_scores()
    assert RankingRun.objects.count() == 2


def test_it_leaves_the_participants_checked_ms_and_not_published(db: None) -> None:
    demo_load()
    demo_scores()

    applications = Application.objects.filter(applicant__username__startswith="peserta-demo-")
    assert applications.count() == 40
    assert set(applications.values_list("admin_stage", "admin_result", "published_result")) == {
        ("checked", "MS", "")
    }
    assert not applications.exclude(published_at=None).exists()
    verifier = User.objects.get(username="verifikator.acehtengah")
    assert set(applications.values_list("assigned_to", flat=True)) == {verifier.pk}
    decided = AuditEvent.objects.filter(action="verification.decided", actor=verifier)
    assert decided.count() == 40
    assert not Review.objects.filter(application__in=applications, finished_at=None).exists()
    assert not AuditEvent.objects.filter(action="verification.published").exists()
    assert not Publication.objects.exists()


def test_after_it_the_committee_publishes_the_administrative_result(db: None) -> None:
    demo_load()
    demo_scores()
    selection = Selection.objects.get(code="aceh-tengah-casn-2021")
    committee = User.objects.get(username="panitia.acehtengah")
    assert selectors.to_check_before_publication(selection).count() == 0

    publication = services.result_publish(selection=selection, actor=committee)

    assert publication.counts == {"MS": 40}
    participants = Application.objects.filter(applicant__username__startswith="peserta-demo-")
    assert set(participants.values_list("admin_stage", "published_result")) == {("published", "MS")}
    assert AuditEvent.objects.filter(action="verification.published").count() == 40


def test_its_ranking_runs_confirm_with_the_result_not_yet_published(db: None) -> None:
    demo_load()
    demo_scores()
    committee = User.objects.get(username="panitia.acehtengah")

    for run in RankingRun.objects.order_by("pk"):
        ranking_run_confirm(run=run, actor=committee, note="Sesuai berita acara")

    assert not RankingRun.objects.filter(confirmed_at=None).exists()
    assert not Application.objects.exclude(published_result="").exists()


def test_a_real_applicant_waiting_is_the_one_left_to_check(db: None) -> None:
    demo_load()
    demo_scores()
    selection = Selection.objects.get(code="aceh-tengah-casn-2021")
    applicant = User.objects.get(email="pelamar.teknis@demo.seleksi.invalid")
    Application.objects.create(
        applicant=applicant,
        selection=selection,
        formation=Formation.objects.get(selection=selection, code="AT21-CPNS-T-0053"),
        number="real-1",
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    committee = User.objects.get(username="panitia.acehtengah")

    with pytest.raises(services.VerificationRefused) as info:
        services.result_publish(selection=selection, actor=committee)

    assert (info.value.code, info.value.detail) == ("undecided", "1")
    assert selectors.to_check_before_publication(selection).get().number == "real-1"


def test_with_a_second_check_required_the_committee_member_confirms(db: None) -> None:
    demo_load()
    Selection.objects.filter(code="aceh-tengah-casn-2021").update(require_second_check=True)

    demo_scores()

    participants = Application.objects.filter(applicant__username__startswith="peserta-demo-")
    assert set(participants.values_list("admin_stage", "admin_result")) == {("checked", "MS")}
    agreed = AuditEvent.objects.filter(
        action="verification.second_check_agreed", actor__username="panitia.acehtengah"
    )
    assert agreed.count() == 40


def test_it_refuses_without_the_demo_verifier_and_writes_nothing(db: None) -> None:
    demo_load()
    User.objects.filter(username="verifikator.acehtengah").update(is_active=False)

    with pytest.raises(CommandError, match=r"verifikator\.acehtengah"):
        demo_scores()

    assert not Score.objects.exists()
    assert not User.objects.filter(username__startswith="peserta-demo-").exists()
