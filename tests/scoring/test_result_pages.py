"""Result codes are explained where they appear, scores are written with the reader's decimal
separator (the CSV keeps a point), and dates in ranking messages name the month."""

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from seleksi.accounts.models import User
from seleksi.agencies.models import Role
from seleksi.core.templatetags.results import RESULT_CODES
from seleksi.scoring.models import RankingRow, RankingRun, Withdrawal
from seleksi.scoring.ranking_runs import ranking_run
from seleksi.scoring.replacements import withdrawal_confirm, withdrawal_record
from tests.factories import make_staff
from tests.scoring.ranked import Ranked, add_skb

JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def committee(ranked: Ranked) -> User:
    return make_staff("panitia.contoh", ranked.selection.agency, Role.COMMITTEE)


@pytest.fixture
def final_run(ranked: Ranked, committee: User) -> RankingRun:
    add_skb(ranked.selection)
    return ranking_run(selection=ranked.selection, stage="akhir", actor=committee).run


def signed_in(user: User, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def legend(body: str) -> dict[str, str]:
    section = body.split('id="result-codes"')[1].split("</section>")[0]
    pairs = re.findall(r"<dt><strong>([^<]+)</strong></dt><dd>([^<]+)</dd>", section)
    return dict(pairs)


def rows_table(body: str) -> str:
    return body.split('id="ranking-rows"')[1].split("</table>")[0]


# Decimal separator ---------------------------------------------------------------------------


def test_scores_use_the_decimal_comma_in_indonesian_and_the_point_in_english(
    final_run: RankingRun, committee: User
) -> None:
    row = final_run.rows.order_by("order").first()
    assert row is not None
    RankingRow.objects.filter(pk=row.pk).update(final_score=Decimal("87.500"))
    page = reverse("committee:run", args=[final_run.pk])

    indonesian = rows_table(signed_in(committee, "id").get(page).content.decode())
    english = rows_table(signed_in(committee, "en").get(page).content.decode())

    assert ">87,500<" in indonesian and "87.500" not in indonesian
    assert ">87.500<" in english and "87,500" not in english


def test_every_score_on_the_indonesian_page_has_a_comma_and_three_places(
    final_run: RankingRun, committee: User
) -> None:
    body = rows_table(
        signed_in(committee, "id")
        .get(reverse("committee:run", args=[final_run.pk]))
        .content.decode()
    )

    figures = [
        value
        for row in final_run.rows.all()
        for value in (row.skd_score, row.skb_score, row.final_score)
        if value is not None
    ]
    assert any(value != value.to_integral_value() for value in figures)
    for value in figures:
        assert f">{value:.3f}<".replace(".", ",") in body
    assert not re.search(r">\d+\.\d+<", body)


def test_the_csv_keeps_the_point_and_three_places(final_run: RankingRun, committee: User) -> None:
    row = final_run.rows.order_by("order").first()
    assert row is not None
    RankingRow.objects.filter(pk=row.pk).update(final_score=Decimal("87.500"))

    response = signed_in(committee, "id").get(reverse("committee:run_csv", args=[final_run.pk]))

    text = response.content.decode()
    assert ",87.500," in text
    assert "87,500" not in text


# Legend ---------------------------------------------------------------------------------------


def test_the_run_page_explains_each_code_it_shows_and_no_other(
    final_run: RankingRun, committee: User
) -> None:
    body = signed_in(committee, "en").get(reverse("committee:run", args=[final_run.pk]))

    shown = legend(body.content.decode())

    assert set(shown) == set(final_run.counts)
    assert {"L", "L-2", "TL"} <= set(shown)
    assert shown["L-2"].startswith("passed by optimalisasi")
    assert "APS" not in shown


def test_the_skd_run_page_explains_the_skd_codes(ranked: Ranked, committee: User) -> None:
    run = ranking_run(selection=ranked.selection, stage="skd", actor=committee).run

    shown = legend(
        signed_in(committee, "en").get(reverse("committee:run", args=[run.pk])).content.decode()
    )

    assert set(shown) == set(run.counts)
    assert shown["TH"] == "absent from the test (tidak hadir)"
    assert shown["T/L"] == "did not reach the pass marks"


def test_the_legend_is_in_indonesian_in_the_indonesian_interface(
    final_run: RankingRun, committee: User
) -> None:
    body = signed_in(committee, "id").get(reverse("committee:run", args=[final_run.pk]))

    shown = legend(body.content.decode())

    assert shown["L"] == "lulus"
    assert shown["L-2"].startswith("lulus melalui optimalisasi")
    assert "Arti kode" in body.content.decode()


@pytest.fixture
def replaced(final_run: RankingRun, committee: User) -> Withdrawal:
    RankingRun.objects.filter(pk=final_run.pk).update(confirmed_at=timezone.now())
    final_run.refresh_from_db()
    withdrawal = withdrawal_record(
        run=final_run,
        participant="A03",
        reason="APS",
        note="Surat pengunduran diri",
        actor=committee,
    )
    return withdrawal_confirm(withdrawal=withdrawal, actor=committee, note="Sesuai berita acara")


def test_the_replacement_pages_explain_the_codes_they_show(
    replaced: Withdrawal, committee: User
) -> None:
    selection = replaced.run.selection
    committee_page = signed_in(committee, "en").get(
        reverse("committee:replacements", args=[replaced.run.pk])
    )
    public = Client()
    public.cookies["django_language"] = "en"
    public_page = public.get(reverse("public:replacements", args=[selection.code]))

    for response in (committee_page, public_page):
        body = response.content.decode()
        shown = legend(body)
        assert set(shown) == {"APS", "DIS", "L", "L-2"}
        with translation.override("en"):
            assert shown["APS"] == str(RESULT_CODES["APS"])
        assert replaced.replacement_code in shown
    indonesian = Client().get(reverse("public:replacements", args=[selection.code]))
    assert legend(indonesian.content.decode())["APS"] == "mengundurkan diri atas permintaan sendiri"


# Dates in messages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "written"),
    [("id", "4 Desember 2026 10:05"), ("en", "4 December 2026 10:05")],
)
def test_a_repeated_confirmation_names_the_day_with_the_month_written_out(
    ranked: Ranked, committee: User, language: str, written: str
) -> None:
    run = ranking_run(selection=ranked.selection, stage="skd", actor=committee).run
    RankingRun.objects.filter(pk=run.pk).update(
        confirmed_at=datetime(2026, 12, 4, 10, 5, tzinfo=JAKARTA),
        confirmed_by=committee,
        confirmation_note="Sudah diperiksa.",
    )

    response = signed_in(committee, language).post(
        reverse("committee:run", args=[run.pk]),
        {"note": "Lagi.", "confirmed": "1"},
        follow=True,
    )

    [message] = [str(m) for m in response.context["messages"]]
    assert written in message
    assert "2026-12-04" not in message and "Des." not in message
