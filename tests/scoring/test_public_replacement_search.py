"""The public announcement of replacements: linked from the selection once a replacement is
confirmed, searchable by registration number, paged."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from seleksi.agencies.models import Role
from seleksi.public import views
from seleksi.scoring.models import RankingRun, Withdrawal
from seleksi.scoring.ranking_runs import ranking_run
from seleksi.scoring.replacements import withdrawal_confirm, withdrawal_record
from tests.factories import make_staff
from tests.scoring.ranked import Ranked, add_skb

NOTE = "Surat pengunduran diri tertanggal 1 Desember"


@pytest.fixture
def run(ranked: Ranked) -> RankingRun:
    add_skb(ranked.selection)
    run = ranking_run(selection=ranked.selection, stage="akhir", actor=None).run
    RankingRun.objects.filter(pk=run.pk).update(confirmed_at=timezone.now())
    run.refresh_from_db()
    return run


def withdraw(run: RankingRun, participant: str, *, confirm: bool = True) -> Withdrawal:
    committee = make_staff(f"panitia-{participant.lower()}", run.selection.agency, Role.COMMITTEE)
    withdrawal = withdrawal_record(
        run=run, participant=participant, reason="APS", note=NOTE, actor=committee
    )
    if confirm:
        withdrawal = withdrawal_confirm(
            withdrawal=withdrawal, actor=committee, note="Sesuai berita acara"
        )
    return withdrawal


def answer(html: str) -> str:
    return html.split('id="search-answer"')[1].split("</div>")[0]


def test_the_selection_page_links_replacements_only_once_one_is_confirmed(
    run: RankingRun,
) -> None:
    code = run.selection.code
    url = reverse("public:replacements", args=[code])
    withdraw(run, "A03", confirm=False)
    pending = Client().get(reverse("selections:detail", args=[code])).content.decode()
    assert 'id="link-replacements"' not in pending
    assert 'Pengumuman penggantian: <span class="muted">belum diumumkan' in pending
    assert "tercantum" not in Client().get(url, {"nomor": "A03"}).content.decode()

    withdrawal_confirm(
        withdrawal=Withdrawal.objects.get(),
        actor=make_staff("panitia", run.selection.agency, Role.COMMITTEE),
        note="Sesuai berita acara",
    )
    confirmed = Client().get(reverse("selections:detail", args=[code])).content.decode()
    assert f'href="{url}" id="link-replacements"' in confirmed
    assert url in Client().get("/").content.decode()


def test_a_search_says_whether_a_number_left_or_took_the_seat(run: RankingRun) -> None:
    withdraw(run, "A03")
    url = reverse("public:replacements", args=[run.selection.code])
    client = Client()
    assert "Nomor A03 tercantum: keluar (APS), formasi F-A." in answer(
        client.get(url, {"nomor": "a03"}).content.decode()
    )
    assert "Nomor A01 tercantum: pengganti di formasi F-A, menggantikan A03." in answer(
        client.get(url, {"nomor": "A01"}).content.decode()
    )
    assert "Nomor A02 tidak tercantum dalam pengumuman penggantian." in answer(
        client.get(url, {"nomor": "A02"}).content.decode()
    )
    hostile = client.get(url, {"nomor": "<img src=x onerror=alert(1)>"}).content.decode()
    assert "hanya berisi huruf, angka" in hostile.split('id="nomor-error"')[1]
    assert "<img src=x" not in hostile


def test_the_announcement_is_paged(run: RankingRun, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "PUBLIC_REPLACEMENTS_PER_PAGE", 1)
    withdraw(run, "A03")
    withdraw(run, "A01")
    url = reverse("public:replacements", args=[run.selection.code])
    first = Client().get(url)
    assert first.context["page"].paginator.num_pages == 2
    assert [w.application.number for w in first.context["withdrawals"]] == ["A03"]
    second = Client().get(url, {"page": 2})
    assert [w.application.number for w in second.context["withdrawals"]] == ["A01"]
    assert 'rel="prev"' in second.content.decode()
