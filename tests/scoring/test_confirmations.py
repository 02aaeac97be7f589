"""Confirming a ranking and deciding on a replacement ask first: the first POST changes
nothing and shows what will happen; the same fields with confirmed=1 act."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from seleksi.accounts.models import User
from seleksi.agencies.models import Role
from seleksi.audit.models import AuditEvent
from seleksi.scoring.models import RankingRow, RankingRun, Withdrawal
from seleksi.scoring.ranking_runs import ranking_run
from tests.factories import make_staff
from tests.scoring.ranked import Ranked, add_skb

NOTE = "Nilai seri dan penempatan optimalisasi telah diperiksa."
WITHDRAWAL_NOTE = "Surat pengunduran diri tertanggal 1 Desember"


@pytest.fixture
def committee(ranked: Ranked) -> User:
    return make_staff("panitia.contoh", ranked.selection.agency, Role.COMMITTEE)


def signed_in(user: User, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def run_page(run: RankingRun) -> str:
    return reverse("committee:run", args=[run.pk])


def panel(response: object, panel_id: str) -> str:
    body = response.content.decode()  # type: ignore[attr-defined]
    assert f'id="{panel_id}"' in body, "no confirmation panel"
    return body.split(f'id="{panel_id}"')[1].split("</section>")[0]


def hidden_fields(section: str) -> dict[str, str]:
    pairs = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', section)
    return {name: html.unescape(value) for name, value in pairs}


# Confirming a ranking run ---------------------------------------------------------------------


def test_confirming_a_ranking_first_says_what_will_happen_and_changes_nothing(
    ranked: Ranked, committee: User
) -> None:
    run = ranking_run(selection=ranked.selection, stage="skd", actor=committee).run
    client = signed_in(committee)

    response = client.post(run_page(run), {"note": NOTE})

    assert response.status_code == 200
    section = panel(response, "confirm-ranking")
    passed = run.counts["P/L"]
    assert (
        f"Run #{run.pk} becomes the committee&#x27;s SKD result: {passed} of 8 participants go "
        f"on to the SKB (P/L) and {8 - passed} do not." in section
    )
    assert "cannot be undone" in section
    assert NOTE in section
    fields = hidden_fields(section)
    assert fields["note"] == NOTE and fields["confirmed"] == "1"
    assert 'id="confirm-form"' not in response.content.decode()
    run.refresh_from_db()
    assert run.confirmed_at is None
    assert not AuditEvent.objects.filter(action="ranking.confirmed").exists()


def test_the_second_button_confirms_the_ranking(ranked: Ranked, committee: User) -> None:
    run = ranking_run(selection=ranked.selection, stage="skd", actor=committee).run
    client = signed_in(committee)
    fields = hidden_fields(panel(client.post(run_page(run), {"note": NOTE}), "confirm-ranking"))

    response = client.post(run_page(run), fields, follow=True)

    assert response.redirect_chain == [(run_page(run), 302)]
    run.refresh_from_db()
    assert run.confirmed_by == committee and run.confirmation_note == NOTE
    assert AuditEvent.objects.filter(action="ranking.confirmed").count() == 1


def test_the_final_ranking_panel_counts_the_passes_and_the_ties(
    ranked: Ranked, committee: User
) -> None:
    add_skb(ranked.selection)
    run = ranking_run(selection=ranked.selection, stage="akhir", actor=committee).run
    passed = run.counts.get("L", 0) + run.counts.get("L-2", 0)
    assert passed and run.counts.get("L-2")
    RankingRow.objects.filter(run=run, application__number__in=["A02", "A03"]).update(
        tied_at_cut=True
    )

    section = panel(signed_in(committee).post(run_page(run), {"note": NOTE}), "confirm-ranking")

    others = run.row_count - passed
    assert f"{passed} of {run.row_count} participants pass (L or L-2) and {others} do" in section
    assert "Withdrawals and replacements are then recorded on this run." in section
    assert "2 participants are tied at the quota; their codes become final too." in section


def test_an_empty_note_shows_the_field_error_not_the_panel(ranked: Ranked, committee: User) -> None:
    run = ranking_run(selection=ranked.selection, stage="skd", actor=committee).run

    response = signed_in(committee).post(run_page(run), {"note": " "})

    body = response.content.decode()
    assert 'id="confirm-ranking"' not in body
    assert "Write a note on what the committee checked before confirming." in body


def test_the_panel_is_in_indonesian_in_the_indonesian_interface(
    ranked: Ranked, committee: User
) -> None:
    run = ranking_run(selection=ranked.selection, stage="skd", actor=committee).run

    response = signed_in(committee, "id").post(run_page(run), {"note": NOTE})

    section = panel(response, "confirm-ranking")
    assert f"Pemeringkatan #{run.pk} menjadi hasil SKD panitia" in section
    assert "tidak dapat dibatalkan" in section


def test_an_already_confirmed_run_is_refused_without_a_panel(
    ranked: Ranked, committee: User
) -> None:
    run = ranking_run(selection=ranked.selection, stage="skd", actor=committee).run
    client = signed_in(committee)
    client.post(run_page(run), {"note": NOTE, "confirmed": "1"})

    response = client.post(run_page(run), {"note": "Lagi."}, follow=True)

    assert 'id="confirm-ranking"' not in response.content.decode()
    assert "already confirmed" in str(list(response.context["messages"])[-1])
    run.refresh_from_db()
    assert run.confirmation_note == NOTE


# Confirming or cancelling a replacement ------------------------------------------------------


@pytest.fixture
def proposal(ranked: Ranked, committee: User) -> Withdrawal:
    add_skb(ranked.selection)
    run = ranking_run(selection=ranked.selection, stage="akhir", actor=None).run
    RankingRun.objects.filter(pk=run.pk).update(confirmed_at=timezone.now())
    response = signed_in(committee).post(
        replacements_page(run),
        {"action": "record", "participant": "A03", "reason": "APS", "note": WITHDRAWAL_NOTE},
    )
    assert response.status_code == 302
    return Withdrawal.objects.select_related("replacement").get()


def replacements_page(run: RankingRun) -> str:
    return reverse("committee:replacements", args=[run.pk])


def decide(client: Client, withdrawal: Withdrawal, action: str, **extra: str) -> object:
    return client.post(
        replacements_page(withdrawal.run),
        {"action": action, "withdrawal": withdrawal.pk, "note": "Sesuai berita acara", **extra},
    )


def test_confirming_a_replacement_first_says_who_leaves_and_who_takes_the_seat(
    proposal: Withdrawal, committee: User
) -> None:
    assert proposal.replacement is not None
    response = decide(signed_in(committee), proposal, "confirm")

    assert response.status_code == 200
    section = panel(response, "confirm-decision")
    assert (
        f"A03 leaves the seat in formation {proposal.seat_code} with code APS, and "
        f"{proposal.replacement.number} takes it with code {proposal.replacement_code}."
    ) in section
    assert "announced on the public page at once" in section
    fields = hidden_fields(section)
    assert fields["action"] == "confirm" and fields["confirmed"] == "1"
    assert fields["withdrawal"] == str(proposal.pk)
    proposal.refresh_from_db()
    assert proposal.is_pending
    assert not AuditEvent.objects.filter(action="ranking.replacement_confirmed").exists()


def test_the_second_button_confirms_the_replacement(proposal: Withdrawal, committee: User) -> None:
    client = signed_in(committee)
    fields = hidden_fields(panel(decide(client, proposal, "confirm"), "confirm-decision"))

    response = client.post(replacements_page(proposal.run), fields)

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.confirmed_at is not None and proposal.confirmed_by == committee


def test_cancelling_a_proposal_first_says_nothing_is_announced(
    proposal: Withdrawal, committee: User
) -> None:
    client = signed_in(committee)

    section = panel(decide(client, proposal, "cancel"), "confirm-decision")

    assert "The proposal for A03 is cancelled: A03 keeps their code, nothing is announced" in (
        html.unescape(section)
    )
    proposal.refresh_from_db()
    assert proposal.is_pending

    response = decide(client, proposal, "cancel", confirmed="1")

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.cancelled_at is not None


def test_a_decided_proposal_is_refused_without_a_panel(
    proposal: Withdrawal, committee: User
) -> None:
    client = signed_in(committee)
    decide(client, proposal, "cancel", confirmed="1")

    response = decide(client, proposal, "confirm")

    assert 'id="confirm-decision"' not in response.content.decode()
    assert "This withdrawal has already been decided." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.confirmed_at is None


def test_a_verifier_gets_no_panel_and_changes_nothing(proposal: Withdrawal) -> None:
    verifier = make_staff("verifikator.contoh", proposal.run.selection.agency, Role.VERIFIER)

    response = decide(signed_in(verifier), proposal, "confirm", confirmed="1")

    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.is_pending
