"""The committee's ranking pages: who may open them, starting a run, one run's rows, the
confirmation and the CSV export."""

import csv
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from seleksi.accounts.crypto import encrypt_text, lookup_hash
from seleksi.accounts.models import User
from seleksi.agencies.models import Role
from seleksi.applications.models import Application
from seleksi.audit.models import AuditEvent
from seleksi.committee import ranking_views
from seleksi.scoring.models import RankingRow, RankingRun
from seleksi.scoring.ranking_runs import ranking_run
from seleksi.selections.models import Selection
from tests.accounts.helpers import CommitClient
from tests.factories import import_rows, make_agency, make_selection, make_staff
from tests.scoring.conftest import make_application
from tests.scoring.ranked import FORMATIONS, SKD, Ranked, add_applications
from tests.scoring.test_rank import cell, rank_file
from tests.scoring.test_rank_mitra import POOL, PREFERENCES, import_scores

CODE = "peringkat-2026"
NIK = "3520050211930004"
MITRA_HEADER = "nomor_peserta,kode_formasi,nilai_tes,poin_preferensi,total,peringkat,kode"


@dataclass
class Scene:
    selection: Selection
    committee: User
    verifier: User
    admin: User
    other_committee: User
    applicant: User
    tmp_path: Path

    @property
    def runs_url(self) -> str:
        return f"/panitia/{CODE}/peringkat/"


@pytest.fixture
def scene(db: None, tmp_path: Path) -> Scene:
    """The SKD data of test_rank (F-A and F-B, eight participants) in one agency, its staff,
    and the committee of another agency. A01 has a name and a NIK on record."""
    agency = make_agency()
    other = make_agency("pemkab-lain")
    selection = make_selection(agency, CODE)
    import_rows(selection, FORMATIONS)
    add_applications(selection, SKD)
    applicant = Application.objects.get(selection=selection, number="A01").applicant
    applicant.full_name = "Siti Rahmawati"
    applicant.nik_cipher, applicant.nik_hash = encrypt_text(NIK), lookup_hash(NIK)
    applicant.save()
    return Scene(
        selection=selection,
        committee=make_staff("panitia.contoh", agency, Role.COMMITTEE),
        verifier=make_staff("verifikator.contoh", agency, Role.VERIFIER),
        admin=make_staff("admin.contoh", agency, Role.ADMIN),
        other_committee=make_staff("panitia.lain", other, Role.COMMITTEE),
        applicant=applicant,
        tmp_path=tmp_path,
    )


def signed_in(user: User, language: str = "en") -> Client:
    client = CommitClient()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def run_url(run: RankingRun) -> str:
    return f"/panitia/peringkat/{run.pk}/"


def stored_run(scene: Scene, stage: str, rows: list[dict[str, Any]]) -> RankingRun:
    """A run written straight into the tables, for stages and cases the engine test data does
    not produce; rows are in order and name the participant by `number`."""
    run = RankingRun.objects.create(
        selection=scene.selection,
        stage=stage,
        policy_code="contoh-2026",
        policy_version=3,
        fingerprint="ab" * 32,
        created_at=timezone.now(),
        row_count=len(rows),
        counts=dict(Counter(row["outcome"] for row in rows)),
        created_by=scene.committee,
    )
    applications = {a.number: a for a in Application.objects.filter(selection=scene.selection)}
    RankingRow.objects.bulk_create(
        RankingRow(
            run=run,
            order=order,
            application=applications[row["number"]],
            **{key: value for key, value in row.items() if key != "number"},
        )
        for order, row in enumerate(rows, start=1)
    )
    return run


FINAL_ROWS: list[dict[str, Any]] = [
    {
        "number": "A01",
        "formation_code": "F-A",
        "skd_score": Decimal("80.000"),
        "skb_score": Decimal("70.000"),
        "final_score": Decimal("73.000"),
        "rank": 1,
        "outcome": "L",
    },
    {
        "number": "A02",
        "formation_code": "F-A",
        "placed_formation_code": "F-B",
        "skd_score": Decimal("66.364"),
        "skb_score": Decimal("80.000"),
        "final_score": Decimal("74.909"),
        "rank": 2,
        "outcome": "L-2",
    },
    {
        "number": "A03",
        "formation_code": "F-A",
        "skd_score": Decimal("66.364"),
        "skb_score": Decimal("80.000"),
        "final_score": Decimal("74.909"),
        "rank": 2,
        "outcome": "TL",
        "tied_at_cut": True,
    },
    {"number": "B01", "formation_code": "F-B", "outcome": "TH"},
]


# Who may open the pages


def test_the_pages_are_for_the_agencys_staff_only(scene: Scene) -> None:
    run = ranking_run(selection=scene.selection, stage="skd", actor=scene.committee).run
    for url in (scene.runs_url, run_url(run), f"/panitia/peringkat/{run.pk}.csv"):
        for user in (scene.committee, scene.verifier, scene.admin):
            assert signed_in(user).get(url).status_code == 200, (url, user)
        assert signed_in(scene.other_committee).get(url).status_code == 404
        assert signed_in(scene.applicant).get(url).status_code == 404
        anonymous = Client().get(url)
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith(reverse("accounts:login"))


def test_unknown_selections_and_runs_are_404(scene: Scene) -> None:
    client = signed_in(scene.committee)
    assert client.get("/panitia/tidak-ada/peringkat/").status_code == 404
    assert client.get("/panitia/peringkat/999999/").status_code == 404
    assert client.get("/panitia/peringkat/999999.csv").status_code == 404


def test_the_verification_queue_links_to_the_runs(scene: Scene) -> None:
    html = signed_in(scene.verifier).get(f"/panitia/{CODE}/verifikasi/").content.decode()
    assert f'href="{scene.runs_url}"' in html


# Starting a run


def test_the_committee_starts_a_run_and_lands_on_it(scene: Scene) -> None:
    client = signed_in(scene.committee)
    form = client.get(scene.runs_url).content.decode()
    assert 'id="start-run"' in form
    assert '<option value="skd">' in form and '<option value="akhir">' in form

    response = client.post(scene.runs_url, {"stage": "skd"})

    run = RankingRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run_url(run)
    assert (run.stage, run.created_by, run.row_count) == ("skd", scene.committee, 8)
    assert AuditEvent.objects.get(action="ranking.run").details["run"] == run.pk
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == [f"Run #{run.pk} stored with 8 rows."]


def test_sending_the_start_form_twice_stores_two_runs_the_second_identical(scene: Scene) -> None:
    client = signed_in(scene.committee)
    first = client.post(scene.runs_url, {"stage": "skd"})
    second = client.post(scene.runs_url, {"stage": "skd"}, follow=True)

    older, newer = RankingRun.objects.order_by("pk")
    assert first["Location"] == run_url(older)
    assert second.redirect_chain == [(run_url(newer), 302)]
    assert f"It is identical to run #{older.pk}" in second.content.decode()
    listing = client.get(scene.runs_url).content.decode()
    assert f"identical to run #{older.pk}" in listing
    assert f"superseded by run #{newer.pk}" in listing
    assert listing.index(f'id="run-{newer.pk}"') < listing.index(f'id="run-{older.pk}"')


def test_ranking_input_errors_are_shown_and_nothing_is_stored(scene: Scene) -> None:
    response = signed_in(scene.committee).post(scene.runs_url, {"stage": "akhir"})

    assert response.status_code == 200
    html = response.content.decode()
    errors = html.split('id="run-errors"', 1)[1].split("</div>", 1)[0]
    assert f"The selection {CODE} has no SKB scores yet." in errors
    assert "Nothing was ranked and nothing was stored" in errors
    assert '<option value="akhir" selected>' in html
    assert not RankingRun.objects.exists()
    assert not AuditEvent.objects.filter(action="ranking.run").exists()


def test_a_stage_the_selection_cannot_be_ranked_in_is_refused(scene: Scene) -> None:
    response = signed_in(scene.committee).post(scene.runs_url, {"stage": "mitra"})

    assert response.status_code == 200
    assert response.context["form"].errors["stage"]
    assert not RankingRun.objects.exists()


def test_a_verifier_and_an_administrator_cannot_start_a_run(scene: Scene) -> None:
    for user in (scene.verifier, scene.admin):
        client = signed_in(user)
        assert 'id="start-run"' not in client.get(scene.runs_url).content.decode()
        response = client.post(scene.runs_url, {"stage": "skd"}, follow=True)
        assert response.redirect_chain == [(scene.runs_url, 302)]
        assert [(m.level_tag, str(m)) for m in response.context["messages"]] == [
            ("error", "Only the committee of this agency may start a ranking.")
        ]
    assert not RankingRun.objects.exists()


def test_another_agencys_committee_cannot_start_or_confirm(scene: Scene) -> None:
    run = ranking_run(selection=scene.selection, stage="skd", actor=scene.committee).run
    client = signed_in(scene.other_committee)
    assert client.post(scene.runs_url, {"stage": "skd"}).status_code == 404
    assert client.post(run_url(run), {"note": "Sudah diperiksa."}).status_code == 404
    assert RankingRun.objects.count() == 1
    assert RankingRun.objects.get().confirmed_at is None


# The list of runs


def test_the_list_shows_stage_policy_author_counts_fingerprint_and_confirmation(
    scene: Scene,
) -> None:
    run = ranking_run(selection=scene.selection, stage="skd", actor=scene.committee).run
    final = stored_run(scene, "akhir", FINAL_ROWS)
    RankingRun.objects.filter(pk=final.pk).update(
        confirmed_at=timezone.now(), confirmed_by=scene.committee
    )

    html = signed_in(scene.verifier).get(scene.runs_url).content.decode()

    skd_row = html.split(f'id="run-{run.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "SKD ranking" in skd_row and "cpns-2021 v1" in skd_row
    assert "panitia.contoh" in skd_row
    assert f'title="{run.fingerprint}">{run.fingerprint[:12]}…</code>' in skd_row
    counts = [part.split("</span>")[0] for part in skd_row.split('<span class="tag">')[1:]]
    assert counts == ["P/L", "P", "T/L", "TH"]
    assert '<span class="tag">P/L</span> 4' in skd_row
    assert "not confirmed" in skd_row
    final_row = html.split(f'id="run-{final.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "Final ranking" in final_row and "contoh-2026 v3" in final_row
    assert ">confirmed</span> by panitia.contoh on" in final_row
    assert "superseded" not in final_row


# One run


def test_an_skd_run_shows_its_columns_and_masked_names_never_the_nik(scene: Scene) -> None:
    run = ranking_run(selection=scene.selection, stage="skd", actor=scene.committee).run

    html = signed_in(scene.verifier).get(run_url(run)).content.decode()

    table = html.split('id="ranking-rows"', 1)[1]
    head = table.split("</thead>", 1)[0]
    for column in ("TWK", "TIU", "TKP", "Total", "Rank", "Code"):
        assert f">{column}</th>" in head
    assert "SKB score" not in head
    a01 = table.split(">A01</td>", 1)[1].split("</tr>", 1)[0]
    assert "<td>Si** Ra*******</td>" in a01
    assert '<td class="num">420</td>' in a01
    assert "Siti Rahmawati" not in html and NIK not in html
    assert run.fingerprint in html
    assert 'id="confirm-form"' not in html  # a verifier reads, the committee confirms


def test_the_rows_are_filtered_by_formation_and_paginated(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = ranking_run(selection=scene.selection, stage="skd", actor=scene.committee).run
    client = signed_in(scene.committee)

    only_b = client.get(run_url(run), {"formasi": "F-B"})
    assert [e.row.application.number for e in only_b.context["rows"]] == ["B01", "B02"]
    assert '<option value="F-B" selected>' in only_b.content.decode()

    monkeypatch.setattr(ranking_views, "ROWS_PER_PAGE", 3)
    pages = [client.get(run_url(run), {"page": n}).context["rows"] for n in (1, 2, 3)]
    numbers = [[e.row.application.number for e in rows] for rows in pages]
    assert numbers == [
        list(run.rows.order_by("order").values_list("application__number", flat=True))[i : i + 3]
        for i in (0, 3, 6)
    ]
    assert 'href="?page=2"' in client.get(run_url(run)).content.decode()


def test_htmx_gets_only_the_rows(scene: Scene) -> None:
    run = ranking_run(selection=scene.selection, stage="skd", actor=scene.committee).run

    partial = signed_in(scene.committee).get(
        run_url(run), {"formasi": "F-A"}, HTTP_HX_REQUEST="true"
    )

    html = partial.content.decode()
    assert "<html" not in html and 'id="ranking-rows"' in html
    assert ">A01</td>" in html and ">B01</td>" not in html


def test_a_final_run_shows_three_decimals_placements_and_ties(scene: Scene) -> None:
    run = stored_run(scene, "akhir", FINAL_ROWS)

    html = signed_in(scene.committee, language="id").get(run_url(run)).content.decode()

    table = html.split('id="ranking-rows"', 1)[1]
    a01 = table.split(">A01</td>", 1)[1].split("</tr>", 1)[0]
    assert [cell.split("<")[0] for cell in a01.split('<td class="num">')[1:4]] == [
        "80,000",
        "70,000",
        "73,000",
    ]
    a02 = table.split(">A02</td>", 1)[1].split("</tr>", 1)[0]
    assert ">74,909<" in a02 and "<td>F-B</td>" in a02
    assert "74.909" not in html
    tied_rows = [part for part in table.split("<tr")[1:] if 'class="tied"' in part]
    assert len(tied_rows) == 1 and ">A03</td>" in tied_rows[0]


def test_a_final_run_explains_its_notes(scene: Scene) -> None:
    run = stored_run(scene, "akhir", FINAL_ROWS)

    page = signed_in(scene.committee).get(run_url(run))

    notes = page.context["notes"]
    assert notes.placements == ["Optimalisasi: A02 (F-A) fills formation F-B."]
    assert notes.ties == [
        "Tie at the quota: A03 (F-A), rank 2; code TL must be confirmed by the committee."
    ]
    section = page.content.decode().split('id="notes"', 1)[1].split("</section>", 1)[0]
    assert "the committee must confirm it" in section
    assert "A03 (F-A)" in section and "fills formation F-B" in section


def test_filtering_a_formation_shows_who_is_placed_in_it(scene: Scene) -> None:
    rows = [dict(row) for row in FINAL_ROWS]
    rows[1]["placed_formation_code"] = "F-C"  # a formation no one applied to
    run = stored_run(scene, "akhir", rows)
    client = signed_in(scene.committee)

    page = client.get(run_url(run), {"formasi": "F-C"})

    assert page.context["formations"] == ["F-A", "F-B", "F-C"]
    assert [e.row.application.number for e in page.context["rows"]] == ["A02"]


def test_pppk_and_mitra_runs_show_their_own_columns(scene: Scene) -> None:
    pppk = stored_run(
        scene,
        "pppk",
        [
            {
                "number": "A01",
                "formation_code": "F-A",
                "test_round": 2,
                "teknis_score": Decimal("130.000"),
                "final_score": Decimal("390.500"),
                "rank": 1,
                "outcome": "L",
            }
        ],
    )
    client = signed_in(scene.committee)
    html = client.get(run_url(pppk)).content.decode()
    row = html.split(">A01</td>", 1)[1].split("</tr>", 1)[0]
    assert ">Round</th>" in html and ">Technical score with affirmation</th>" in html
    assert '<td class="num">2</td><td class="num">130.000</td><td class="num">390.500</td>' in row

    mitra = stored_run(
        scene,
        "mitra",
        [
            {
                "number": "A01",
                "formation_code": "F-A",
                "test_score": Decimal("82.500"),
                "preference_points": Decimal("7.250"),
                "final_score": Decimal("89.750"),
                "rank": 1,
                "outcome": "L",
            }
        ],
    )
    html = client.get(run_url(mitra)).content.decode()
    row = html.split(">A01</td>", 1)[1].split("</tr>", 1)[0]
    assert ">Test score</th>" in html and ">Added points</th>" in html
    assert 'id="added-points"' in html  # the criteria and the past rating, not the criteria alone
    assert '<td class="num">82.500</td><td class="num">7.250</td><td class="num">89.750</td>' in row
    assert ">TWK</th>" not in html


def test_the_committee_ranks_a_mitra_pool_from_the_page(db: None, tmp_path: Path) -> None:
    agency = make_agency()
    selection = make_selection(agency, "mitra-2026")
    import_rows(selection, [POOL])
    for number, met in PREFERENCES.items():
        application = make_application(selection, "MITRA-1", number)
        Application.objects.filter(pk=application.pk).update(
            eligibility={"eligible": True, "preferences_met": met}
        )
    import_scores(selection, tmp_path)
    client = signed_in(make_staff("panitia.mitra", agency, Role.COMMITTEE))
    form = client.get("/panitia/mitra-2026/peringkat/").content.decode()
    assert '<option value="mitra">' in form and '<option value="skd">' not in form

    response = client.post("/panitia/mitra-2026/peringkat/", {"stage": "mitra"}, follow=True)

    run = RankingRun.objects.get(selection=selection)
    assert response.redirect_chain == [(run_url(run), 302)]
    rows = {e.row.application.number: e.row for e in response.context["rows"]}
    assert rows["M2"].test_score == Decimal("90.000")  # the figures below are not all empty
    html = response.content.decode()
    for number, row in rows.items():
        figures = html.split(f">{number}</td>", 1)[1].split("</tr>", 1)[0]
        for value in (row.test_score, row.preference_points, row.final_score):
            if value is not None:
                assert f'<td class="num">{value:.3f}</td>' in figures
    header, csv_rows = read_csv(client, run)
    assert ",".join(header) == MITRA_HEADER
    assert [r["nomor_peserta"] for r in csv_rows] == list(rows)
    assert [r["kode"] for r in csv_rows] == [row.outcome for row in rows.values()]


# Confirmation from the page


def test_the_committee_confirms_the_latest_run_with_a_note(scene: Scene) -> None:
    run = ranking_run(selection=scene.selection, stage="skd", actor=scene.committee).run
    client = signed_in(scene.committee)
    assert 'id="confirm-form"' in client.get(run_url(run)).content.decode()

    response = client.post(
        run_url(run), {"note": "Dicek bersama; tidak ada seri.", "confirmed": "1"}, follow=True
    )

    assert response.redirect_chain == [(run_url(run), 302)]
    run.refresh_from_db()
    assert run.confirmed_by == scene.committee and run.confirmed_at is not None
    assert run.confirmation_note == "Dicek bersama; tidak ada seri."
    html = response.content.decode()
    assert "The ranking run has been confirmed." in html
    assert "Confirmed by panitia.contoh on" in html and 'id="confirm-form"' not in html
    event = AuditEvent.objects.get(action="ranking.confirmed")
    assert event.details["run"] == run.pk and event.actor_role == "committee"
    listing = client.get(scene.runs_url).content.decode()
    assert ">confirmed</span> by panitia.contoh" in listing


def test_an_empty_note_is_refused_next_to_the_field(scene: Scene) -> None:
    run = ranking_run(selection=scene.selection, stage="skd", actor=scene.committee).run

    response = signed_in(scene.committee).post(run_url(run), {"note": "   "})

    assert response.status_code == 200
    field = response.content.decode().split('id="errors-note"', 1)[1].split("</div>", 1)[0]
    assert "Write a note on what the committee checked before confirming." in field
    run.refresh_from_db()
    assert run.confirmed_at is None
    assert not AuditEvent.objects.filter(action="ranking.confirmed").exists()


def test_an_outdated_run_cannot_be_confirmed(scene: Scene) -> None:
    older = ranking_run(selection=scene.selection, stage="skd", actor=scene.committee).run
    newer = ranking_run(selection=scene.selection, stage="skd", actor=scene.committee).run
    client = signed_in(scene.committee)
    page = client.get(run_url(older)).content.decode()
    assert 'id="confirm-form"' not in page and 'id="outdated"' in page

    response = client.post(run_url(older), {"note": "Sudah diperiksa."}, follow=True)

    assert response.redirect_chain == [(run_url(older), 302)]
    [message] = response.context["messages"]
    assert message.level_tag == "error"
    assert f"A newer run of this stage exists (run #{newer.pk})" in str(message)
    older.refresh_from_db()
    assert older.confirmed_at is None


def test_a_second_confirmation_is_refused_politely(scene: Scene) -> None:
    run = ranking_run(selection=scene.selection, stage="skd", actor=scene.committee).run
    client = signed_in(scene.committee)
    client.post(run_url(run), {"note": "Pertama.", "confirmed": "1"})

    again = client.post(run_url(run), {"note": "Kedua.", "confirmed": "1"}, follow=True)

    assert again.status_code == 200  # the first answer was never read, as after a double click
    first, second = again.context["messages"]
    assert first.level_tag == "success"
    assert second.level_tag == "error"
    assert "already confirmed by panitia.contoh" in str(second)
    run.refresh_from_db()
    assert run.confirmation_note == "Pertama."
    assert AuditEvent.objects.filter(action="ranking.confirmed").count() == 1


def test_a_verifier_cannot_confirm(scene: Scene) -> None:
    run = ranking_run(selection=scene.selection, stage="skd", actor=scene.committee).run

    response = signed_in(scene.verifier).post(run_url(run), {"note": "Oke."}, follow=True)

    assert response.redirect_chain == [(run_url(run), 302)]
    assert [(m.level_tag, str(m)) for m in response.context["messages"]] == [
        ("error", "Only the committee of this agency may confirm a ranking.")
    ]
    run.refresh_from_db()
    assert run.confirmed_at is None


# CSV


def read_csv(client: Client, run: RankingRun) -> tuple[list[str], list[dict[str, str]]]:
    response = client.get(f"/panitia/peringkat/{run.pk}.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        f'filename="peringkat-{run.selection.code}-{run.stage}-{run.pk}.csv"'
        in response["Content-Disposition"]
    )
    reader = csv.DictReader(StringIO(response.content.decode("utf-8")))
    return list(reader.fieldnames or []), list(reader)


def test_the_skd_csv_is_what_rank_file_writes(scene: Scene) -> None:
    run = ranking_run(selection=scene.selection, stage="skd", actor=scene.committee).run
    nilai = "nomor_peserta,kode_formasi,kehadiran,twk,tiu,tkp\n" + "".join(
        f"{number},{code},{attendance},{cell(twk)},{cell(tiu)},{cell(tkp)}\n"
        for number, code, attendance, twk, tiu, tkp in SKD
    )
    expected, _fingerprint = rank_file(Ranked(scene.selection, scene.tmp_path), "skd", nilai)

    header, rows = read_csv(signed_in(scene.verifier), run)

    assert ",".join(header) == "nomor_peserta,kode_formasi,twk,tiu,tkp,total,peringkat,kode"
    assert rows == list(expected.values())
    assert "Siti" not in str(rows) and NIK not in str(rows)


def test_the_final_csv_adds_the_placed_formation_last(scene: Scene) -> None:
    run = stored_run(scene, "akhir", FINAL_ROWS)

    header, rows = read_csv(signed_in(scene.committee), run)

    assert header == [
        "nomor_peserta",
        "kode_formasi",
        "nilai_skd",
        "nilai_skb",
        "nilai_akhir",
        "peringkat",
        "kode",
        "kode_formasi_penempatan",
    ]
    assert [list(row.values()) for row in rows] == [
        ["A01", "F-A", "80.000", "70.000", "73.000", "1", "L", ""],
        ["A02", "F-A", "66.364", "80.000", "74.909", "2", "L-2", "F-B"],
        ["A03", "F-A", "66.364", "80.000", "74.909", "2", "TL", ""],
        ["B01", "F-B", "", "", "", "", "TH", ""],
    ]


def test_the_pppk_and_mitra_csv_columns(scene: Scene) -> None:
    figures = {"teknis_score": Decimal("130.000"), "final_score": Decimal("390.500")}
    pppk = stored_run(
        scene,
        "pppk",
        [{"number": "A01", "formation_code": "F-A", "rank": 1, "outcome": "L", **figures}],
    )
    mitra = stored_run(
        scene,
        "mitra",
        [
            {
                "number": "A01",
                "formation_code": "F-A",
                "test_score": Decimal("82.500"),
                "preference_points": Decimal("7.250"),
                "final_score": Decimal("89.750"),
                "rank": 1,
                "outcome": "L",
            }
        ],
    )
    client = signed_in(scene.committee)

    assert read_csv(client, pppk) == (
        ["nomor_peserta", "kode_formasi", "teknis_afirmasi", "total", "peringkat", "kode"],
        [
            {
                "nomor_peserta": "A01",
                "kode_formasi": "F-A",
                "teknis_afirmasi": "130.000",
                "total": "390.500",
                "peringkat": "1",
                "kode": "L",
            }
        ],
    )
    header, rows = read_csv(client, mitra)
    assert ",".join(header) == MITRA_HEADER
    assert [list(row.values()) for row in rows] == [
        ["A01", "F-A", "82.500", "7.250", "89.750", "1", "L"]
    ]
