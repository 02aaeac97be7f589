"""The committee's withdrawal page, the public announcement and the applicant's view of a
confirmed replacement; with the denial paths."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from seleksi.agencies.models import Role
from seleksi.applications.models import Application
from seleksi.scoring.models import RankingRun, Withdrawal
from seleksi.scoring.ranking_runs import ranking_run
from tests.factories import make_agency, make_staff
from tests.scoring.ranked import Ranked, add_skb

NOTE = "Surat pengunduran diri tertanggal 1 Desember"


@pytest.fixture
def run(ranked: Ranked) -> RankingRun:
    add_skb(ranked.selection)
    run = ranking_run(selection=ranked.selection, stage="akhir", actor=None).run
    RankingRun.objects.filter(pk=run.pk).update(confirmed_at=timezone.now())
    run.refresh_from_db()
    return run


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def page(run: RankingRun) -> str:
    return reverse("committee:replacements", args=[run.pk])


def test_the_committee_records_confirms_and_the_change_is_announced(run: RankingRun) -> None:
    client = signed_in(make_staff("panitia", run.selection.agency, Role.COMMITTEE))

    response = client.post(
        page(run), {"action": "record", "participant": "A03", "reason": "APS", "note": NOTE}
    )
    assert response.status_code == 302
    body = client.get(page(run)).content.decode()
    proposal = body.split('id="withdrawal-1"')[1].split("</tr>")[0]
    assert "A03" in proposal and "A01" in proposal
    assert 'id="decide-form"' in body and 'id="record-form"' not in body
    withdrawal = Withdrawal.objects.get()

    response = client.post(
        page(run),
        {
            "action": "confirm",
            "withdrawal": withdrawal.pk,
            "note": "Sesuai berita acara",
            "confirmed": "1",
        },
    )
    assert response.status_code == 302
    withdrawal.refresh_from_db()
    assert withdrawal.confirmed_at is not None

    public = Client().get(reverse("public:replacements", args=[run.selection.code]))
    table = public.content.decode().split('id="replacements"')[1]
    assert "A03" in table and "A01" in table and "APS" in table
    assert "Pelamar" not in table  # numbers only, no names

    replacement = Application.objects.get(number="A01")
    detail = signed_in(replacement.applicant).get(reverse("applicant:detail", args=["A01"]))
    assert 'id="final-result-changes"' in detail.content.decode()
    withdrawn = signed_in(Application.objects.get(number="A03").applicant).get(
        reverse("applicant:detail", args=["A03"])
    )
    assert NOTE in withdrawn.content.decode()


def test_a_refused_record_keeps_what_was_typed(run: RankingRun) -> None:
    client = signed_in(make_staff("panitia", run.selection.agency, Role.COMMITTEE))
    response = client.post(
        page(run), {"action": "record", "participant": "Z99", "reason": "DIS", "note": NOTE}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Z99" in body and NOTE in body
    assert not Withdrawal.objects.exists()


def test_an_empty_decision_note_is_refused(run: RankingRun) -> None:
    client = signed_in(make_staff("panitia", run.selection.agency, Role.COMMITTEE))
    client.post(
        page(run), {"action": "record", "participant": "A03", "reason": "APS", "note": NOTE}
    )
    withdrawal = Withdrawal.objects.get()
    response = client.post(
        page(run), {"action": "confirm", "withdrawal": withdrawal.pk, "note": ""}
    )
    assert response.status_code == 400
    withdrawal.refresh_from_db()
    assert withdrawal.confirmed_at is None


def test_a_verifier_sees_but_cannot_act(run: RankingRun) -> None:
    client = signed_in(make_staff("verifikator", run.selection.agency, Role.VERIFIER))
    response = client.get(page(run))
    assert response.status_code == 200
    assert 'id="record-form"' not in response.content.decode()
    response = client.post(
        page(run), {"action": "record", "participant": "A03", "reason": "APS", "note": NOTE}
    )
    assert response.status_code == 404
    assert not Withdrawal.objects.exists()


def test_other_agencies_applicants_and_anonymous_are_kept_out(run: RankingRun) -> None:
    stranger = signed_in(make_staff("panitia-lain", make_agency("pemkab-lain"), Role.COMMITTEE))
    assert stranger.get(page(run)).status_code == 404
    applicant = signed_in(Application.objects.get(number="A03").applicant)
    assert applicant.get(page(run)).status_code == 404
    anonymous = Client().get(page(run))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))


def test_an_unknown_action_or_another_run_s_withdrawal_changes_nothing(run: RankingRun) -> None:
    client = signed_in(make_staff("panitia", run.selection.agency, Role.COMMITTEE))
    client.post(
        page(run), {"action": "record", "participant": "A03", "reason": "APS", "note": NOTE}
    )
    withdrawal = Withdrawal.objects.get()

    response = client.post(page(run), {"action": "hapus", "withdrawal": withdrawal.pk})
    assert response.status_code == 400

    other = ranking_run(selection=run.selection, stage="akhir", actor=None).run
    response = client.post(
        page(other), {"action": "confirm", "withdrawal": withdrawal.pk, "note": "Sesuai"}
    )
    assert response.status_code == 404
    withdrawal.refresh_from_db()
    assert withdrawal.is_pending
