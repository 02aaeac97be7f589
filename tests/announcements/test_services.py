"""Drafting, previewing and publishing announcements of every kind from the stored results."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from seleksi.accounts.models import User
from seleksi.agencies.models import Role
from seleksi.announcements import selectors, services
from seleksi.announcements.models import Announcement, AnnouncementRow, Kind
from seleksi.announcements.services import AnnouncementRefused
from seleksi.applications.models import Application
from seleksi.audit.models import AppendOnlyError, AuditEvent
from seleksi.notices.models import Notice
from seleksi.scoring.models import RankingRun
from tests.announcements.conftest import World
from tests.factories import import_rows, make_agency, make_selection, make_staff
from tests.scoring.conftest import make_application


def table(announcement: Announcement) -> list[tuple[object, ...]]:
    return [
        (
            row.order,
            row.formation_code,
            row.number,
            row.name,
            row.figures,
            row.total,
            row.rank,
            row.code,
            row.note,
        )
        for row in announcement.rows.order_by("order")
    ]


def refused(code: str, call: object) -> AnnouncementRefused:
    with pytest.raises(AnnouncementRefused) as caught:
        call()  # type: ignore[operator]
    assert caught.value.code == code, caught.value.message
    return caught.value


# Rows of each kind ------------------------------------------------------------------------------


def test_the_administrative_announcement_lists_ms_and_counts_tms_per_formation(
    world: World,
) -> None:
    world.publish_administrative()
    announcement = world.publish(world.draft(Kind.ADMINISTRATIVE))

    assert [(r[1], r[2], r[7]) for r in table(announcement)] == [
        ("F-A", "A01", "MS"),
        ("F-A", "A02", "MS"),
        ("F-A", "A04", "MS"),
        ("F-A", "A05", "MS"),
        ("F-A", "A06", "MS"),
        ("F-B", "B01", "MS"),
    ]
    assert table(announcement)[0][3] == "Bu** Sa*****"  # masked
    assert announcement.counts == {"MS": 6, "TMS": 2}
    assert announcement.formations == [
        ["F-A", "Analis Kebijakan · Dinas A", 1, 5, {"MS": 5, "TMS": 1}],
        ["F-B", "Analis Kebijakan · Dinas B", 6, 1, {"MS": 1, "TMS": 1}],
    ]
    assert announcement.columns == [] and announcement.row_count == 6


def test_after_objections_the_accepted_objection_is_listed(world: World) -> None:
    world.publish_administrative()
    world.publish_after_objections()
    refused("superseded_by_objections", lambda: world.draft(Kind.ADMINISTRATIVE))

    announcement = world.publish(world.draft(Kind.POST_OBJECTION))
    assert "A03" in [row[2] for row in table(announcement)]
    assert announcement.counts == {"MS": 7, "TMS": 1}
    assert announcement.publication.kind == "post_objection"


def test_the_skd_announcement_copies_the_runs_figures_in_its_order(world: World) -> None:
    run = world.rank("skd")
    announcement = world.publish(world.draft(Kind.SKD))

    assert announcement.columns == ["twk", "tiu", "tkp"]
    assert announcement.run == run and announcement.rule_version == "cpns-2021 v1"
    ranked = list(run.rows.select_related("application").order_by("order"))
    rows = table(announcement)
    assert [(r[2], r[6], r[7]) for r in rows] == [
        (row.application.number, row.rank, row.outcome) for row in ranked
    ]
    first = rows[0]
    assert first[2] == "A01" and first[4] == ["100", "120", "200"] and first[5] == "420"
    absent = next(r for r in rows if r[2] == "A06")
    assert absent[4] == ["", "", ""] and absent[5] == "" and absent[7] == "TH"
    assert announcement.counts == run.counts


def test_the_final_announcement_notes_the_optimalisasi_placement(world: World) -> None:
    run = world.final()
    announcement = world.publish(world.draft(Kind.FINAL))

    rows = {r[2]: r for r in table(announcement)}
    assert announcement.columns == ["skd_score", "skb_score"]
    a02 = rows["A02"]
    assert a02[7] == "L-2" and "F-B" in a02[8]
    assert rows["A03"][7] == "L" and rows["A03"][8] == ""
    assert all(re.fullmatch(r"\d+\.\d{3}", figure) for figure in [*a02[4], a02[5]])
    assert Decimal(a02[5]) == run.rows.get(application__number="A02").final_score
    assert rows["B01"][7] == "TH"


def test_the_replacement_announcement_lists_who_left_and_who_took_the_seat(world: World) -> None:
    run = world.final()
    refused("no_replacements", lambda: world.draft(Kind.REPLACEMENT))
    world.withdraw(run, "A03")
    row = run.rows.get(application__number="A01")
    announcement = world.publish(world.draft(Kind.REPLACEMENT))

    rows = table(announcement)
    # in the run's order (A03 first in F-A, A01 third after A02); the rest are not listed
    assert [(r[1], r[2], r[6], r[7]) for r in rows] == [
        ("F-A", "A03", 1, "APS"),
        ("F-A", "A01", 3, "L"),
    ]
    assert rows[0][8] == "" and "A03" in rows[1][8]
    assert rows[1][4] == [f"{row.skd_score:.3f}", f"{row.skb_score:.3f}"] == [
        str(row.skd_score),
        str(row.skb_score),
    ] and rows[1][5] == str(row.final_score)
    assert announcement.counts == {"APS": 1, "L": 1}
    assert announcement.run == run
    refused("nothing_new", lambda: world.draft(Kind.REPLACEMENT, number="801/2026"))


# Refusals ---------------------------------------------------------------------------------------


def test_an_unpublished_administrative_result_cannot_be_announced(world: World) -> None:
    error = refused("not_published_yet", lambda: world.draft(Kind.ADMINISTRATIVE))
    assert "publish it on the verification page first" in error.message


def test_an_unconfirmed_run_cannot_be_announced(world: World) -> None:
    refused("no_run", lambda: world.draft(Kind.SKD))
    run = world.rank("skd", confirm=False)
    error = refused("run_not_confirmed", lambda: world.draft(Kind.SKD))
    assert f"#{run.pk}" in error.message


def test_an_outdated_run_cannot_be_announced_even_from_a_draft(world: World) -> None:
    world.rank("skd")
    draft = world.draft(Kind.SKD)
    newer = world.rank("skd", confirm=False)
    refused("run_not_confirmed", lambda: world.draft(Kind.SKD, number="2/2026"))
    refused("run_not_confirmed", lambda: world.publish(draft))
    assert not draft.rows.exists()
    ranking_confirmed = world.rank("skd")
    error = refused("source_changed", lambda: world.publish(draft))
    assert f"#{ranking_confirmed.pk}" in error.message and newer.pk != ranking_confirmed.pk


def test_publishing_twice_publishes_once(world: World) -> None:
    world.rank("skd")
    draft = world.draft(Kind.SKD)
    stale = Announcement.objects.get(pk=draft.pk)
    world.publish(draft)
    refused("already_published", lambda: world.publish(stale))
    assert AnnouncementRow.objects.filter(announcement=draft).count() == 8
    assert AuditEvent.objects.filter(action="announcement.published").count() == 1


def test_the_number_must_be_typed_again_to_publish(world: World) -> None:
    world.rank("skd")
    draft = world.draft(Kind.SKD)
    refused(
        "number_mismatch",
        lambda: services.announcement_publish(
            announcement=draft, actor=world.committee, confirm_number="800/12"
        ),
    )
    published = services.announcement_publish(
        announcement=draft, actor=world.committee, confirm_number=" 800/12/pansel/2026 "
    )
    assert published.is_published


def test_a_second_announcement_of_the_same_result_must_be_a_correction(world: World) -> None:
    world.rank("skd")
    first = world.publish(world.draft(Kind.SKD))
    error = refused("already_announced", lambda: world.draft(Kind.SKD, number="2/2026"))
    assert first.number in error.message
    refused("number_taken", lambda: world.draft(Kind.SKD, corrects=first, correction_reason="x"))
    refused("reason_required", lambda: world.draft(Kind.SKD, number="2/2026", corrects=first))

    correction = world.publish(
        world.draft(
            Kind.SKD, number="2/2026", corrects=first, correction_reason="Nama peserta salah"
        )
    )
    assert correction.corrects == first and first.corrections.get() == correction
    listed = list(selectors.published_for(world.selection))
    assert listed == [first, correction]
    assert [a.is_corrected for a in listed] == [True, False]
    a01 = first.rows.get(number="A01").application
    assert [(a, a.is_corrected) for a, _row in selectors.applicant_rows(a01)] == [
        (first, True),
        (correction, False),
    ]
    assert selectors.corrected_ids(world.selection) == {first.pk}
    error = refused(
        "already_corrected",
        lambda: world.draft(Kind.SKD, number="3/2026", corrects=first, correction_reason="lagi"),
    )
    assert "2/2026" in error.message
    # a correction of the correction is allowed
    world.draft(Kind.SKD, number="3/2026", corrects=correction, correction_reason="Tanggal salah")


def test_a_correction_names_an_announcement_of_the_same_kind(world: World) -> None:
    world.rank("skd")
    draft = world.draft(Kind.SKD)
    refused(
        "correction_of_draft",
        lambda: world.draft(Kind.SKD, number="2/2026", corrects=draft, correction_reason="x"),
    )
    skd = world.publish(draft)
    world.publish_administrative()
    refused(
        "correction_mismatch",
        lambda: world.draft(
            Kind.ADMINISTRATIVE, number="2/2026", corrects=skd, correction_reason="x"
        ),
    )


def test_only_the_agencys_committee_drafts_and_publishes(world: World) -> None:
    world.rank("skd")
    refused("forbidden", lambda: world.draft(Kind.SKD, actor=world.other_committee))
    refused("forbidden", lambda: world.draft(Kind.SKD, actor=world.verifier))
    draft = world.draft(Kind.SKD)
    refused(
        "forbidden",
        lambda: services.announcement_publish(
            announcement=draft, actor=world.other_committee, confirm_number=draft.number
        ),
    )
    refused(
        "forbidden",
        lambda: services.announcement_update(
            announcement=draft, actor=world.other_committee, title="Lain"
        ),
    )
    assert not Announcement.objects.get(pk=draft.pk).is_published


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"number": "  "}, "number_required"),
        ({"number": "9" * 129}, "number_too_long"),
        ({"dated_on": None}, "date_required"),
        ({"signatory_name": ""}, "signatory_name_required"),
        ({"signatory_title": " "}, "signatory_title_required"),
        ({"signatory_nip": "1234"}, "nip_invalid"),
    ],
)
def test_a_draft_needs_a_number_a_date_and_a_signatory(
    world: World, fields: dict[str, object], code: str
) -> None:
    world.rank("skd")
    refused(code, lambda: world.draft(Kind.SKD, **fields))
    assert not Announcement.objects.exists()


# Drafts, bodies, audit --------------------------------------------------------------------------


def test_the_body_comes_from_the_agencys_template_and_is_filled_when_published(
    world: World,
) -> None:
    world.rank("skd")
    services.announcement_template_save(
        agency=world.selection.agency,
        kind=Kind.SKD,
        body="$agency mengumumkan $stage ($number, $date): $passed dari $participants lulus.",
        actor=world.committee,
    )
    draft = world.draft(Kind.SKD)
    assert draft.body.startswith("$agency mengumumkan")
    assert draft.title.endswith(" Seleksi CPNS Kabupaten Contoh 2026")
    draft = services.announcement_update(
        announcement=draft,
        actor=world.committee,
        number="  900/1/2026 ",
        dated_on=date(2026, 12, 4),
    )
    preview = services.announcement_preview(announcement=draft)
    published = world.publish(draft)
    assert published.body == preview.body
    assert published.body.startswith("Pemerintah Kabupaten Contoh mengumumkan")
    assert "(900/1/2026, 4 Desember 2026)" in published.body
    passed = published.counts.get("P/L", 0)
    assert f"{passed} dari 8 lulus" in published.body
    event = AuditEvent.objects.get(action="announcement.template_saved")
    assert event.details["kind"] == "skd"


def test_unknown_placeholders_are_refused(world: World) -> None:
    error = refused(
        "placeholder_unknown",
        lambda: services.announcement_template_save(
            agency=world.selection.agency,
            kind=Kind.SKD,
            body="$agensi $selection",
            actor=world.committee,
        ),
    )
    assert "$agensi" in error.message
    refused(
        "placeholder_invalid",
        lambda: services.announcement_template_save(
            agency=world.selection.agency, kind=Kind.SKD, body="Rp 5$ saja", actor=world.committee
        ),
    )


def test_the_shipped_bodies_use_known_placeholders_only() -> None:
    for kind in Kind.values:
        services._check_body(selectors.default_body(kind))


def test_publishing_is_audited_with_the_source_and_the_fingerprint(world: World) -> None:
    run = world.rank("skd")
    announcement = world.publish(world.draft(Kind.SKD))
    event = AuditEvent.objects.get(action="announcement.published")
    assert event.actor == world.committee and event.selection_id == world.selection.pk
    assert event.subject_id == str(announcement.pk)
    assert event.rule_version == "cpns-2021 v1"
    assert event.details | {} == {
        "kind": "skd",
        "number": announcement.number,
        "run": run.pk,
        "publication": None,
        "rows": 8,
        "counts": run.counts,
        "fingerprint": announcement.fingerprint,
        "corrects": None,
    }


def test_the_preview_writes_nothing_and_matches_the_published_table(world: World) -> None:
    world.rank("skd")
    draft = world.draft(Kind.SKD)
    preview = services.announcement_preview(announcement=draft)
    assert not AnnouncementRow.objects.exists()
    assert preview.row_count == 8 and len(preview.rows) == 8
    published = world.publish(draft)
    assert preview.fingerprint == published.fingerprint
    assert preview.formations == published.formations and preview.counts == published.counts
    assert [(order, row.number) for order, row in preview.rows] == [
        (row.order, row.number) for row in published.rows.order_by("order")
    ]


def test_the_fingerprint_is_stable_for_the_same_result(world: World) -> None:
    world.rank("skd")
    first = world.publish(world.draft(Kind.SKD))
    second = world.publish(
        world.draft(Kind.SKD, number="2/2026", corrects=first, correction_reason="Tanda tangan")
    )
    assert len(first.fingerprint) == 64 and first.fingerprint == second.fingerprint


def test_a_published_announcement_never_changes(world: World) -> None:
    world.rank("skd")
    published = world.publish(world.draft(Kind.SKD))
    refused(
        "already_published",
        lambda: services.announcement_update(
            announcement=published, actor=world.committee, title="X"
        ),
    )
    published.title = "Lain"
    with pytest.raises(AppendOnlyError):
        published.save()
    with pytest.raises(AppendOnlyError):
        Announcement.objects.filter(pk=published.pk).update(title="Lain")
    with pytest.raises(AppendOnlyError):
        AnnouncementRow.objects.filter(announcement=published).update(code="L")
    with pytest.raises(AppendOnlyError):
        AnnouncementRow.objects.filter(announcement=published).delete()
    assert Announcement.objects.get(pk=published.pk).title != "Lain"


def test_the_applicant_sees_their_rows_in_published_announcements(world: World) -> None:
    world.rank("skd")
    draft = world.draft(Kind.SKD)
    a01 = RankingRun.objects.get().rows.get(application__number="A01").application
    assert selectors.applicant_rows(a01) == []
    published = world.publish(draft)
    [(announcement, row)] = selectors.applicant_rows(a01)
    assert announcement == published and row.number == "A01" and row.code == "P/L"


def test_the_pppk_announcement_shows_the_technical_score_and_total(
    db: None, tmp_path: Path
) -> None:
    from tests.scoring.test_rank_pppk import PASS_MARKS, allocation, import_pppk

    agency = make_agency()
    selection = make_selection(agency, "pppk-2026")
    import_rows(selection, allocation(PASS_MARKS))
    for number, code in (
        ("P1", "G1"),
        ("P2", "G1"),
        ("P3", "G1"),
        ("P4", "G1"),
        ("P5", "G2"),
        ("P6", "G2"),
    ):
        make_application(selection, code, number)
    import_pppk(selection, tmp_path)
    committee = make_staff("panitia", agency, Role.COMMITTEE)
    world = World(selection, committee, committee, committee)
    run = world.rank("pppk")

    announcement = world.publish(world.draft(Kind.PPPK))
    assert announcement.columns == ["teknis_score"]
    rows = {r[2]: r for r in table(announcement)}
    stored = run.rows.get(application__number="P2")
    assert rows["P2"][4] == [f"{stored.teknis_score:.3f}"]
    assert rows["P2"][5] == f"{stored.final_score:.3f}" and rows["P2"][7] == "L"
    assert rows["P4"][7] == "TH" and rows["P4"][4] == [""]
    assert [r[2] for r in table(announcement)] == [
        row.application.number for row in run.rows.select_related("application").order_by("order")
    ]


def test_the_mitra_announcement_shows_the_test_score_and_added_points(
    db: None, tmp_path: Path
) -> None:
    from tests.scoring.test_rank_mitra import POOL, PREFERENCES, import_scores

    agency = make_agency()
    selection = make_selection(agency, "mitra-2026", kind="mitra")
    import_rows(selection, [POOL])
    for number, met in PREFERENCES.items():
        application = make_application(selection, "MITRA-1", number)
        Application.objects.filter(pk=application.pk).update(
            eligibility={"eligible": True, "preferences_met": met}
        )
    import_scores(selection, tmp_path)
    committee = make_staff("panitia", agency, Role.COMMITTEE)
    world = World(selection, committee, committee, committee)
    world.rank("mitra")

    announcement = world.publish(world.draft(Kind.MITRA))
    assert announcement.columns == ["test_score", "preference_points"]
    assert [(r[2], r[4], r[5], r[6], r[7]) for r in table(announcement)] == [
        ("M2", ["90.000", "37.000"], "127.000", 1, "L"),
        ("M1", ["70.000", "50.000"], "120.000", 2, "L"),
        ("M3", ["70.000", "50.000"], "120.000", 2, "TL"),
        ("M4", ["100.000", "0.000"], "100.000", 4, "TL"),
        ("M5", ["", ""], "", None, "TH"),
    ]
    assert announcement.formations == [
        ["MITRA-1", "Mitra Statistik · BPS Kabupaten", 1, 5, {"L": 2, "TL": 2, "TH": 1}]
    ]


def test_everyone_listed_is_told_once_with_their_own_code(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    world.final()
    for user in User.objects.filter(applications__selection=world.selection):
        user.email = f"peserta{user.pk}@contoh.invalid"
        user.save(update_fields=["email"])
    draft = world.draft(Kind.FINAL)
    stale = Announcement.objects.get(pk=draft.pk)
    with django_capture_on_commit_callbacks(execute=True):
        announcement = world.publish(draft)
    refused("already_published", lambda: world.publish(stale))

    notices = Notice.objects.filter(template="announcement_published")
    listed = dict(announcement.rows.values_list("application__applicant_id", "code"))
    assert sorted(notices.values_list("user_id", flat=True)) == sorted(listed)
    for notice in notices:
        assert f"dengan kode {listed[notice.user_id]}" in notice.body
        assert notice.url == reverse("applicant:dashboard")
    sent = sorted(message.to[0] for message in mail.outbox)
    assert sent == sorted(User.objects.filter(pk__in=listed).values_list("email", flat=True))
