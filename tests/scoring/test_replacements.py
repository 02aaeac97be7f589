"""Withdrawals (APS/DIS) and replacements on a confirmed final ranking: the committee records,
the engine proposes, the committee confirms or cancels; audited and never above the quota."""

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from seleksi.agencies.models import Role
from seleksi.audit.models import AuditEvent
from seleksi.scoring.models import RankingRun, Score, Withdrawal
from seleksi.scoring.ranking_runs import ranking_run
from seleksi.scoring.replacements import (
    ReplacementRefused,
    application_replacements,
    run_standings,
    withdrawal_cancel,
    withdrawal_confirm,
    withdrawal_record,
)
from seleksi.selections.models import Selection
from tests.factories import make_agency, make_staff
from tests.scoring.ranked import Ranked, add_skb

NOTE = "Surat pengunduran diri tertanggal 1 Desember"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The refusals are matched on their English source text."""
    with translation.override("en"):
        yield


@pytest.fixture
def final_run(ranked: Ranked) -> RankingRun:
    """F-A: A03 L, A01 TL, A02 L-2 in F-B (whose only applicant B01 was absent)."""
    add_skb(ranked.selection)
    run = ranking_run(selection=ranked.selection, stage="akhir", actor=None).run
    return confirmed(run)


def confirmed(run: RankingRun) -> RankingRun:
    RankingRun.objects.filter(pk=run.pk).update(confirmed_at=timezone.now())
    run.refresh_from_db()
    return run


def committee(selection: Selection, name: str = "panitia") -> object:
    return make_staff(name, selection.agency, Role.COMMITTEE)


def codes(run: RankingRun) -> dict[str, str]:
    """Everyone's current code: the run's own, changed by the confirmed withdrawals."""
    standings = run_standings(run)
    return {
        row.application.number: standings[row.application_id].code
        if row.application_id in standings
        else row.outcome
        for row in run.rows.select_related("application")
    }


def seats(run: RankingRun) -> dict[str, int]:
    filled: dict[str, int] = {}
    rows = {r.application.number: r for r in run.rows.select_related("application")}
    standings = run_standings(run)
    for number, code in codes(run).items():
        row = rows[number]
        standing = standings.get(row.application_id)
        if code == "L":
            seat = standing.seat if standing and standing.seat else row.formation_code
        elif code == "L-2":
            seat = standing.seat if standing else row.placed_formation_code
        else:
            continue
        filled[seat] = filled.get(seat, 0) + 1
    return filled


def test_a_withdrawal_chain_proposes_the_next_in_rank_then_nobody(final_run: RankingRun) -> None:
    actor = committee(final_run.selection)

    first = withdrawal_record(
        run=final_run, participant="A03", reason="APS", note=NOTE, actor=actor
    )
    assert (first.seat_code, first.replacement.number, first.replacement_code) == (
        "F-A",
        "A01",
        "L",
    )
    assert codes(final_run)["A03"] == "L"  # nothing changes before confirmation
    withdrawal_confirm(withdrawal=first, actor=actor, note="Sesuai berita acara panitia")
    assert codes(final_run) | {} == {"A01": "L", "A02": "L-2", "A03": "APS", "B01": "TH"}

    second = withdrawal_record(
        run=final_run,
        participant="A01",
        reason="DIS",
        note="Ijazah terbukti tidak sah",
        actor=actor,
    )
    # F-A has nobody left, F-B's only applicant was absent and A02 already holds a seat
    assert (second.seat_code, second.replacement, second.replacement_code) == ("F-A", None, "")
    withdrawal_confirm(withdrawal=second, actor=actor, note="Sesuai berita acara panitia")
    assert codes(final_run) == {"A01": "DIS", "A02": "L-2", "A03": "APS", "B01": "TH"}
    assert seats(final_run) == {"F-B": 1}
    assert [w.sequence for w in final_run.withdrawals.order_by("sequence")] == [1, 2]


def test_a_freed_optimalisasi_seat_goes_to_the_next_qualifying_applicant(
    final_run: RankingRun,
) -> None:
    actor = committee(final_run.selection)
    proposal = withdrawal_record(
        run=final_run, participant="A02", reason="APS", note=NOTE, actor=actor
    )
    assert (proposal.seat_code, proposal.replacement.number) == ("F-B", "A01")
    assert proposal.replacement_code == "L-2"
    withdrawal_confirm(withdrawal=proposal, actor=actor, note="Sesuai berita acara panitia")
    assert seats(final_run) == {"F-A": 1, "F-B": 1}
    assert run_standings(final_run)[proposal.replacement_id].replaces == "A02"


def test_confirmation_is_audited_on_the_selection_and_both_applications(
    final_run: RankingRun,
) -> None:
    actor = committee(final_run.selection)
    proposal = withdrawal_record(
        run=final_run, participant="A03", reason="APS", note=NOTE, actor=actor
    )
    withdrawal_confirm(withdrawal=proposal, actor=actor, note="Sesuai berita acara panitia")

    events = AuditEvent.objects.filter(action__startswith="ranking.").exclude(action="ranking.run")
    by_action = {event.action: event for event in events}
    assert set(by_action) == {
        "ranking.withdrawal_recorded",
        "ranking.replacement_confirmed",
        "ranking.withdrawn",
        "ranking.replaced_in",
    }
    assert by_action["ranking.withdrawn"].subject_id == str(proposal.application_id)
    assert by_action["ranking.withdrawn"].reason == NOTE
    assert by_action["ranking.replaced_in"].subject_id == str(proposal.replacement_id)
    assert by_action["ranking.replacement_confirmed"].rule_version == "cpns-2021 v1"
    assert by_action["ranking.replacement_confirmed"].details["replacement"] == "A01"
    assert application_replacements(proposal.replacement) == [proposal]
    assert application_replacements(proposal.application) == [proposal]


def test_one_proposal_at_a_time_and_a_cancelled_one_can_be_recorded_again(
    final_run: RankingRun,
) -> None:
    actor = committee(final_run.selection)
    pending = withdrawal_record(
        run=final_run, participant="A03", reason="APS", note=NOTE, actor=actor
    )
    with pytest.raises(ReplacementRefused, match="waiting for confirmation"):
        withdrawal_record(run=final_run, participant="A02", reason="APS", note=NOTE, actor=actor)

    withdrawal_cancel(withdrawal=pending, actor=actor, note="Salah memilih peserta")
    with pytest.raises(ReplacementRefused, match="already been decided"):
        withdrawal_confirm(withdrawal=pending, actor=actor, note="terlambat")
    again = withdrawal_record(
        run=final_run, participant="A03", reason="DIS", note=NOTE, actor=actor
    )
    assert again.sequence == 2 and again.reason == "DIS"
    assert Withdrawal.objects.filter(cancelled_at__isnull=False).count() == 1


def test_double_confirmation_is_refused(final_run: RankingRun) -> None:
    actor = committee(final_run.selection)
    proposal = withdrawal_record(
        run=final_run, participant="A03", reason="APS", note=NOTE, actor=actor
    )
    withdrawal_confirm(withdrawal=proposal, actor=actor, note="Sesuai berita acara")
    with pytest.raises(ReplacementRefused, match="already been decided"):
        withdrawal_confirm(withdrawal=proposal, actor=actor, note="Sesuai berita acara")
    assert AuditEvent.objects.filter(action="ranking.replacement_confirmed").count() == 1


@pytest.mark.parametrize(
    ("participant", "reason", "note", "message"),
    [
        ("A03", "APS", "pendek", "at least 10 characters"),
        ("A03", "XYZ", NOTE, "APS"),
        ("Z99", "APS", NOTE, "not in this ranking"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_recorded(
    final_run: RankingRun, participant: str, reason: str, note: str, message: str
) -> None:
    actor = committee(final_run.selection)
    with pytest.raises(ReplacementRefused, match=message):
        withdrawal_record(
            run=final_run, participant=participant, reason=reason, note=note, actor=actor
        )
    assert not Withdrawal.objects.exists()


def test_a_participant_who_already_left_cannot_leave_again(final_run: RankingRun) -> None:
    actor = committee(final_run.selection)
    proposal = withdrawal_record(
        run=final_run, participant="A03", reason="APS", note=NOTE, actor=actor
    )
    withdrawal_confirm(withdrawal=proposal, actor=actor, note="Sesuai berita acara")
    with pytest.raises(ReplacementRefused, match="already been recorded"):
        withdrawal_record(run=final_run, participant="A03", reason="DIS", note=NOTE, actor=actor)


def test_only_the_committee_of_the_agency_may_record(final_run: RankingRun) -> None:
    verifier = make_staff("verifikator", final_run.selection.agency, Role.VERIFIER)
    stranger = make_staff("panitia-lain", make_agency("pemkab-lain"), Role.COMMITTEE)
    for actor in (verifier, stranger):
        with pytest.raises(ReplacementRefused, match="Only the selection committee"):
            withdrawal_record(
                run=final_run, participant="A03", reason="APS", note=NOTE, actor=actor
            )
    assert not Withdrawal.objects.exists()


def test_an_unconfirmed_an_skd_or_an_outdated_run_takes_no_withdrawals(ranked: Ranked) -> None:
    add_skb(ranked.selection)
    actor = committee(ranked.selection)
    skd = confirmed(ranking_run(selection=ranked.selection, stage="skd", actor=None).run)
    older = ranking_run(selection=ranked.selection, stage="akhir", actor=None).run

    with pytest.raises(ReplacementRefused, match="not on SKD"):
        withdrawal_record(run=skd, participant="A03", reason="APS", note=NOTE, actor=actor)
    with pytest.raises(ReplacementRefused, match="Confirm this ranking"):
        withdrawal_record(run=older, participant="A03", reason="APS", note=NOTE, actor=actor)
    confirmed(older)
    confirmed(ranking_run(selection=ranked.selection, stage="akhir", actor=None).run)
    with pytest.raises(ReplacementRefused, match="newer ranking"):
        withdrawal_record(run=older, participant="A03", reason="APS", note=NOTE, actor=actor)


def test_changed_scores_stop_the_optimalisasi_fallback(final_run: RankingRun) -> None:
    Score.objects.filter(application__number="A01", stage=Score.Stage.SKB).update(skb=Decimal("71"))
    with pytest.raises(ReplacementRefused, match="scores have changed"):
        withdrawal_record(
            run=final_run,
            participant="A03",
            reason="APS",
            note=NOTE,
            actor=committee(final_run.selection),
        )


def test_both_applicants_are_told_of_a_confirmed_replacement(final_run: RankingRun) -> None:
    from seleksi.notices.models import Notice

    actor = committee(final_run.selection)
    proposal = withdrawal_record(
        run=final_run, participant="A03", reason="APS", note=NOTE, actor=actor
    )
    assert not Notice.objects.exists()  # a proposal changes nothing for applicants
    withdrawal_confirm(withdrawal=proposal, actor=actor, note="Sesuai berita acara panitia")
    left = Notice.objects.get(template="withdrawal_confirmed")
    replaced = Notice.objects.get(template="replacement_confirmed")
    assert left.user_id == proposal.application.applicant_id
    assert "A03" in left.body and "APS" in left.subject and NOTE not in left.body
    assert replaced.user_id == proposal.replacement.applicant_id
    assert "A01" in replaced.body and proposal.replacement_code in replaced.subject
