"""The staff workspace (`/panitia/`), the staff menu in the header, and where staff land when
they sign in: each person sees their own agency's selections and what waits for them there,
by role, and nothing of another agency."""

from datetime import date

from django.test import Client
from django.utils import timezone

from seleksi.accounts.models import User
from seleksi.applications.models import Application
from seleksi.rules.verification import Stage
from seleksi.scoring.models import RankingRun
from seleksi.selections.demo import DEMO_PASSWORD
from seleksi.selections.models import Formation, Selection
from seleksi.verification import services
from seleksi.verification.models import Objection
from tests.accounts.helpers import CommitClient
from tests.factories import make_superuser
from tests.verification.conftest import ACEH, MAGETAN, Scene


def signed_in(user: User, language: str = "id") -> Client:
    client = CommitClient()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def workspace(user: User) -> tuple[str, dict[str, object]]:
    page = signed_in(user).get("/panitia/")
    assert page.status_code == 200
    work = {item.desk.selection.code: item for item in page.context["work"]}
    return page.content.decode(), work


def stored_run(selection: Selection, stage: str, *, confirmed: bool = False) -> RankingRun:
    return RankingRun.objects.create(
        selection=selection,
        stage=stage,
        policy_code="cpns-2021",
        policy_version=1,
        fingerprint="ab" * 32,
        created_at=timezone.now(),
        row_count=0,
        counts={},
        confirmed_at=timezone.now() if confirmed else None,
    )


def objection(application: Application, due: date) -> Objection:
    Application.objects.filter(pk=application.pk).update(
        admin_stage=Stage.OBJECTED, admin_result="TMS", published_result="TMS"
    )
    return Objection.objects.create(
        application=application, reason="Ijazah saya sesuai.", answer_due_on=due
    )


def test_it_sends_anonymous_visitors_to_sign_in(scene: Scene) -> None:
    page = Client().get("/panitia/")
    assert page.status_code == 302 and page["Location"].startswith("/akun/masuk/?next=/panitia/")


def test_it_refuses_an_applicant(scene: Scene) -> None:
    assert signed_in(scene.applications[0].applicant).get("/panitia/").status_code == 404


def test_each_person_sees_only_the_selections_of_their_agency(scene: Scene) -> None:
    for user in (scene.verifier, scene.committee, scene.admin):
        html, work = workspace(user)
        assert list(work) == [ACEH]
        assert scene.other_selection.title not in html
        assert f"/panitia/{MAGETAN}/" not in html
    html, work = workspace(scene.other_verifier)
    assert list(work) == [MAGETAN]
    assert scene.selection.title not in html and f"/panitia/{ACEH}/" not in html
    _html, work = workspace(make_superuser())
    assert {ACEH, MAGETAN} <= set(work)


def test_the_verifiers_counts_match_the_queue_they_link_to(scene: Scene) -> None:
    mine = Application.objects.filter(pk__in=[a.pk for a in scene.applications[:2]])
    services.application_assign(applications=mine, verifier=scene.verifier, actor=scene.committee)
    theirs = Application.objects.filter(pk=scene.applications[2].pk)
    services.application_assign(
        applications=theirs, verifier=scene.second_verifier, actor=scene.committee
    )
    html, work = workspace(scene.verifier)
    queue = work[ACEH].queue
    assert (queue.waiting, queue.waiting_mine, queue.waiting_unassigned) == (
        len(scene.applications),
        2,
        len(scene.applications) - 3,
    )
    client = signed_in(scene.verifier)
    for query, expected in (
        (f"tahap=waiting&verifikator={scene.verifier.pk}", queue.waiting_mine),
        ("tahap=waiting&verifikator=none", queue.waiting_unassigned),
    ):
        assert f"/panitia/{ACEH}/verifikasi/?{query.replace('&', '&amp;')}" in html
        listed = client.get(f"/panitia/{ACEH}/verifikasi/?{query}").context["page"]
        assert listed.paginator.count == expected
    assert "lamaran menunggu verifikasi" in html


def test_the_committee_sees_objections_with_their_deadlines_written_the_indonesian_way(
    scene: Scene,
) -> None:
    objection(scene.applications[0], date(2026, 12, 4))
    objection(scene.applications[1], date(2020, 1, 10))
    html, work = workspace(scene.committee)
    queue = work[ACEH].queue
    assert queue.objections_open == 2 and queue.objections_overdue == 1
    assert [o.application.number for o in queue.objections_next] == [
        scene.applications[1].number,
        scene.applications[0].number,
    ]
    assert "4 Desember 2026" in html and "2026-12-04" not in html
    assert "2 sanggahan harus dijawab" in html
    verifier_html, _work = workspace(scene.verifier)
    assert "4 Desember 2026" not in verifier_html
    assert "/panitia/sanggah/" not in verifier_html


def test_the_committee_sees_the_runs_it_can_still_confirm_and_where_to_replace(
    scene: Scene,
) -> None:
    outdated = stored_run(scene.selection, RankingRun.Stage.SKD)
    latest = stored_run(scene.selection, RankingRun.Stage.SKD)
    final = stored_run(scene.selection, RankingRun.Stage.FINAL, confirmed=True)
    html, work = workspace(scene.committee)
    ranking = work[ACEH].ranking
    assert ranking.to_confirm == [latest] and ranking.replacements == [final]
    assert f"/panitia/peringkat/{latest.pk}/" in html
    assert f'href="/panitia/peringkat/{outdated.pk}/"' not in html
    assert f"/panitia/peringkat/{final.pk}/penggantian/" in html
    verifier_html, _work = workspace(scene.verifier)
    assert f"/panitia/peringkat/{latest.pk}/" not in verifier_html
    assert f"/panitia/{ACEH}/peringkat/" not in verifier_html


def test_the_staff_menu_shows_each_role_only_what_it_can_use(scene: Scene) -> None:
    selection = scene.selection
    queue = f"/panitia/{ACEH}/verifikasi/"
    ranking = f'href="/panitia/{ACEH}/peringkat/"'
    edit = f"/kelola/selections/selection/{selection.pk}/change/"
    formations = f"/kelola/selections/formation/?selection__id__exact={selection.pk}"
    audit = f"/kelola/audit/auditevent/?selection_id={selection.pk}"

    def menu(user: User) -> str:
        html = signed_in(user).get(queue).content.decode()
        start = html.index('id="staff-menu"')
        return html[start : html.index("</details>", start)]

    verifier = menu(scene.verifier)
    assert queue in verifier and 'href="/panitia/"' in verifier and 'href="/kelola/"' in verifier
    assert ranking not in verifier and "#objections" not in verifier and edit not in verifier
    committee = menu(scene.committee)
    assert ranking in committee and "#objections" in committee and formations not in committee
    admin = menu(scene.admin)
    assert edit in admin and formations in admin and audit in admin
    assert "#objections" not in admin
    assert f"/panitia/{MAGETAN}/" not in admin + committee + verifier
    applicant = signed_in(scene.applications[0].applicant).get("/").content.decode()
    assert 'id="staff-menu"' not in applicant


def test_the_pages_behind_hidden_items_refuse_the_verifier(scene: Scene) -> None:
    run = stored_run(scene.selection, RankingRun.Stage.SKD)
    client = signed_in(scene.verifier)
    client.post(f"/panitia/peringkat/{run.pk}/", {"note": "Diperiksa."})
    assert RankingRun.objects.get(pk=run.pk).confirmed_at is None
    client.post(f"/panitia/{ACEH}/peringkat/", {"stage": "skd"})
    assert RankingRun.objects.filter(selection=scene.selection).count() == 1
    formation = Formation.objects.filter(selection=scene.selection).first()
    assert formation is not None
    change = client.post(f"/kelola/selections/formation/{formation.pk}/change/", {"quota": 99})
    assert change.status_code == 403
    assert Formation.objects.get(pk=formation.pk).quota == formation.quota
    assert client.get(
        f"/kelola/selections/selection/{scene.other_selection.pk}/change/"
    ).status_code in (302, 403, 404)


def test_staff_signing_in_on_the_portal_land_on_the_workspace(scene: Scene) -> None:
    scene.verifier.set_password(DEMO_PASSWORD)
    scene.verifier.save()
    client = CommitClient()
    answer = client.post(
        "/akun/masuk/", {"identifier": scene.verifier.username, "password": DEMO_PASSWORD}
    )
    assert answer.status_code == 302 and answer["Location"] == "/panitia/"
    home = client.get("/panitia/")
    assert 'href="/panitia/">Akun saya</a>' in home.content.decode()
    elsewhere = CommitClient().post(
        f"/akun/masuk/?next=/panitia/{ACEH}/verifikasi/",
        {"identifier": scene.verifier.username, "password": DEMO_PASSWORD},
    )
    assert elsewhere["Location"] == f"/panitia/{ACEH}/verifikasi/"


def test_staff_opening_the_applicant_profile_are_sent_to_the_workspace(scene: Scene) -> None:
    answer = signed_in(scene.committee).get("/akun/profil/", follow=True)
    assert answer.redirect_chain == [("/panitia/", 302)]
    html = answer.content.decode()
    assert "NIK" not in html.split('id="main"')[1]
    applicant = signed_in(scene.applications[0].applicant).get("/akun/profil/")
    assert applicant.status_code == 200


def test_the_console_home_links_to_the_workspace_and_the_agencys_selections(
    scene: Scene,
) -> None:
    html = signed_in(scene.admin).get("/kelola/").content.decode()
    assert 'id="workspace-link"' in html and 'href="/panitia/"' in html
    assert f"/panitia/{ACEH}/verifikasi/" in html and f"/panitia/{ACEH}/peringkat/" in html
    assert f"/panitia/{MAGETAN}/" not in html
    audit = signed_in(scene.admin).get("/kelola/audit/auditevent/").content.decode()
    assert 'id="workspace-link"' in audit and "Ruang kerja panitia" in audit


def test_the_committee_is_told_which_publication_comes_next_with_the_queue_counts(
    scene: Scene,
) -> None:
    from tests.verification.test_services import check, check_all

    check(scene.applications[0], scene.verifier)
    html, work = workspace(scene.committee)
    queue = work[ACEH].queue
    assert queue.next_publication == "administrative"
    assert (queue.checked, queue.to_check) == (1, len(scene.applications) - 1)
    assert "Hasil seleksi administrasi belum diumumkan" in html
    queue_page = signed_in(scene.committee).get(f"/panitia/{ACEH}/verifikasi/")
    assert queue_page.context["to_check"] == queue.to_check

    check_all(scene)
    services.result_publish(selection=scene.selection, actor=scene.committee)
    html, work = workspace(scene.committee)
    assert work[ACEH].queue.next_publication == "after_objections"
    assert "Hasil setelah masa sanggah belum diumumkan" in html
    assert "belum diumumkan" not in workspace(scene.verifier)[0]  # the committee's act
