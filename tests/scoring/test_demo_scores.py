"""`seleksi demo-scores`: demo participants, scores and two unconfirmed runs on the demo CASN
selection, through the real import and ranking services; once only."""

from io import StringIO

from django.core.management import call_command

from seleksi.accounts.models import User
from seleksi.audit.models import AuditEvent
from seleksi.scoring.demo import DISABILITY_OPENING, OPENINGS
from seleksi.scoring.models import RankingRun, Score
from seleksi.selections.demo import demo_load
from seleksi.selections.models import Formation


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
    assert not any(user.has_usable_password() for user in participants)
    assert not participants.exclude(nik_hash="").exists()

    assert "sudah punya nilai" in demo_scores()
    assert RankingRun.objects.count() == 2
