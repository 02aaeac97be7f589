"""The verification pages: who may open them, and what each person sees."""

from datetime import timedelta
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from seleksi.applications.models import Application
from seleksi.audit.models import AuditEvent
from seleksi.verification import services
from seleksi.verification.models import Objection, RejectionReason, Review
from tests.accounts.helpers import CommitClient
from tests.applications.test_files import letter_pdf
from tests.verification.conftest import Scene

ACEH = "aceh-tengah-casn-2021"


def signed_in(user: object) -> Client:
    client = CommitClient()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def published_with_diploma_refused(scene: Scene) -> Application:
    """The scene's first application refused (TMS) on its diploma and the others accepted,
    with the administrative result published: its objection window is open."""
    application = scene.applications[0]
    services.application_claim(application=application, verifier=scene.verifier)
    services.application_decide(
        application=application,
        verifier=scene.verifier,
        marks=[
            services.MarkInput(
                item=code,
                mark="TMS" if code == "ijazah" else "MS",
                reason_code="ijazah-tidak-sesuai" if code == "ijazah" else "",
            )
            for code, _label in services.checklist(application)
        ],
    )
    Application.objects.exclude(pk=application.pk).filter(selection=scene.selection).update(
        admin_stage="checked", admin_result="MS"
    )
    services.result_publish(selection=scene.selection, actor=scene.committee)
    return application


def marks_form(application: Application, tms_item: str | None = None) -> dict[str, str]:
    form: dict[str, str] = {}
    for code, _label in services.checklist(application):
        form[f"mark_{code}"] = "TMS" if code == tms_item else "MS"
        if code == tms_item:
            form[f"reason_{code}"] = "ijazah-tidak-sesuai"
            form[f"note_{code}"] = "Program studi berbeda"
    return form


def test_the_queue_is_for_the_agencys_staff_only(scene: Scene) -> None:
    url = f"/panitia/{ACEH}/verifikasi/"
    assert signed_in(scene.verifier).get(url).status_code == 200
    assert signed_in(scene.committee).get(url).status_code == 200
    assert signed_in(scene.other_verifier).get(url).status_code == 404
    assert signed_in(scene.applications[0].applicant).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_the_queue_filters_and_counts(scene: Scene) -> None:
    client = signed_in(scene.committee)
    page = client.get(f"/panitia/{ACEH}/verifikasi/", {"tahap": "waiting"})
    assert page.context["counts"]["waiting"] == len(scene.applications)
    code = scene.applications[0].formation.code
    one = client.get(f"/panitia/{ACEH}/verifikasi/", {"formasi": code})
    assert [a.number for a in one.context["page"].object_list] == [scene.applications[0].number]


def test_opening_the_review_page_takes_nothing_and_writes_nothing(scene: Scene) -> None:
    application = scene.applications[0]
    url = f"/panitia/lamaran/{application.number}/periksa/"
    page = signed_in(scene.verifier).get(url)
    assert page.status_code == 200
    assert page.context["held"] is None and page.context["claim"] is None
    assert page.context["can_claim"] is True
    html = page.content.decode()
    assert 'id="take"' in html and 'id="checklist"' not in html and 'name="mark_' not in html
    assert not Review.objects.exists()  # no claim from a page view
    assert not RejectionReason.objects.filter(selection=scene.selection).exists()
    assert application.applicant.nik not in html  # masked for staff


def test_a_verifier_takes_the_application_then_decides_with_reasons(scene: Scene) -> None:
    application = scene.applications[0]
    url = f"/panitia/lamaran/{application.number}/periksa/"
    client = signed_in(scene.verifier)
    taken = client.post(url, {"action": "claim"})
    assert taken.status_code == 302 and taken["Location"] == url
    page = client.get(url)
    assert page.context["held"] is not None and 'id="checklist"' in page.content.decode()
    assert len(page.context["reasons"]) == len(services.default_reasons("casn"))
    missing_reason = marks_form(application, "ijazah")
    missing_reason.pop("reason_ijazah")
    client.post(url, missing_reason)
    assert Application.objects.get(pk=application.pk).admin_result == ""
    client.post(url, marks_form(application, "ijazah"))
    decided = Application.objects.get(pk=application.pk)
    assert (decided.admin_stage, decided.admin_result) == ("checked", "TMS")
    event = AuditEvent.objects.get(action="verification.decided")
    assert "Ijazah tidak sesuai" in event.reason and event.actor_role == "verifier"


def test_another_verifier_cannot_take_a_held_application_until_the_hold_expires(
    scene: Scene,
) -> None:
    application = scene.applications[0]
    url = f"/panitia/lamaran/{application.number}/periksa/"
    signed_in(scene.verifier).post(url, {"action": "claim"})
    other = signed_in(scene.second_verifier)
    page = other.get(url)
    assert page.context["held"] is None and page.context["can_claim"] is False
    assert "verifikator.acehtengah" in page.content.decode()  # who holds it, read-only
    refused = other.post(url, {"action": "claim"}, follow=True)
    assert [m.level_tag for m in refused.context["messages"]] == ["error"]
    assert other.post(url, marks_form(application)).status_code == 302
    review = Review.objects.get(application=application)
    assert review.verifier_id == scene.verifier.pk  # neither the claim nor a decision moved
    assert Application.objects.get(pk=application.pk).admin_result == ""
    expired = timezone.now() + timedelta(minutes=services.CLAIM_MINUTES + 1)
    with mock.patch.object(timezone, "now", return_value=expired):
        other.post(url, {"action": "claim"})
        assert Review.objects.get(application=application).verifier_id == scene.second_verifier.pk


def test_save_and_next_takes_the_next_application_explicitly(scene: Scene) -> None:
    first, second = scene.applications[0], scene.applications[1]
    client = signed_in(scene.verifier)
    url = f"/panitia/lamaran/{first.number}/periksa/"
    client.post(url, {"action": "claim"})
    response = client.post(url, {**marks_form(first), "next": "1"})
    assert response["Location"] == f"/panitia/lamaran/{second.number}/periksa/"
    assert Review.objects.get(application=second, finished_at=None).verifier == scene.verifier


def test_applicants_cannot_take_an_application(scene: Scene) -> None:
    application = scene.applications[0]
    url = f"/panitia/lamaran/{application.number}/periksa/"
    assert signed_in(application.applicant).post(url, {"action": "claim"}).status_code == 404
    assert signed_in(scene.other_verifier).post(url, {"action": "claim"}).status_code == 404
    assert not Review.objects.exists()


def test_staff_of_another_agency_and_applicants_cannot_open_an_application(scene: Scene) -> None:
    url = f"/panitia/lamaran/{scene.applications[0].number}/periksa/"
    assert signed_in(scene.other_verifier).get(url).status_code == 404
    assert signed_in(scene.other_committee).get(url).status_code == 404
    assert signed_in(scene.applications[1].applicant).get(url).status_code == 404


def test_a_verifier_cannot_publish_or_assign(scene: Scene) -> None:
    client = signed_in(scene.verifier)
    for action in ("publish", "assign_evenly", "publish_after_objections"):
        response = client.post(f"/panitia/{ACEH}/verifikasi/aksi/", {"action": action}, follow=True)
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not AuditEvent.objects.filter(action="verification.assigned").exists()
    assert not Application.objects.exclude(published_at=None).exists()


def test_only_the_owner_objects_and_only_inside_the_window(
    scene: Scene, django_capture_on_commit_callbacks: object
) -> None:
    application = scene.applications[0]
    for index, candidate in enumerate(scene.applications):
        services.application_claim(application=candidate, verifier=scene.verifier)
        services.application_decide(
            application=candidate,
            verifier=scene.verifier,
            marks=[
                services.MarkInput(
                    item=code,
                    mark="TMS" if index == 0 and code == "ijazah" else "MS",
                    reason_code="ijazah-tidak-sesuai" if index == 0 and code == "ijazah" else "",
                )
                for code, _label in services.checklist(candidate)
            ],
        )
    services.result_publish(selection=scene.selection, actor=scene.committee)
    reason = {"reason": "Ijazah saya sesuai; lihat lampiran akreditasi program studi."}
    stranger = signed_in(scene.applications[1].applicant)
    assert stranger.post(f"/lamaran/{application.number}/sanggah/", reason).status_code == 404
    owner = signed_in(application.applicant)
    page = owner.get(f"/lamaran/{application.number}/").content.decode()
    assert 'id="objection-form"' in page and "Ijazah tidak sesuai" in page
    Application.objects.filter(pk=application.pk).update(
        published_at=timezone.now() - timedelta(days=5)
    )
    late = owner.post(f"/lamaran/{application.number}/sanggah/", reason, follow=True)
    assert "bukan masa sanggah" in late.content.decode().lower()
    assert 'id="objection-form"' not in late.content.decode()
    assert not Objection.objects.exists()


def test_the_public_results_list_ms_numbers_and_counts_but_no_tms_numbers(
    scene: Scene,
) -> None:
    for index, candidate in enumerate(scene.applications):
        services.application_claim(application=candidate, verifier=scene.verifier)
        services.application_decide(
            application=candidate,
            verifier=scene.verifier,
            marks=[
                services.MarkInput(
                    item=code,
                    mark="TMS" if index == 0 and code == "ijazah" else "MS",
                    reason_code="ijazah-tidak-sesuai" if index == 0 and code == "ijazah" else "",
                )
                for code, _label in services.checklist(candidate)
            ],
        )
    before = Client().get(f"/seleksi/{ACEH}/hasil-administrasi/")
    assert before.context["rows"] == []
    services.result_publish(selection=scene.selection, actor=scene.committee)
    html = Client().get(f"/seleksi/{ACEH}/hasil-administrasi/").content.decode()
    assert scene.applications[1].number in html
    assert scene.applications[0].number not in html
    assert scene.applications[0].applicant.full_name not in html


def test_the_committee_assigns_ticked_applications_to_a_verifier(scene: Scene) -> None:
    numbers = [a.number for a in scene.applications[:2]]
    signed_in(scene.committee).post(
        f"/panitia/{ACEH}/verifikasi/aksi/",
        {"action": "assign", "verifier": scene.second_verifier.pk, "number": numbers},
    )
    assigned = Application.objects.filter(assigned_to=scene.second_verifier)
    assert sorted(a.number for a in assigned) == sorted(numbers)
    assert AuditEvent.objects.filter(action="verification.assigned").count() == 2
    foreign = signed_in(scene.committee).post(
        f"/panitia/{ACEH}/verifikasi/aksi/",
        {"action": "assign", "verifier": scene.other_verifier.pk, "number": numbers},
    )
    assert foreign.status_code == 404  # not a verifier of this agency


def test_the_committee_opens_the_evidence_of_an_objection_and_nobody_else_does(
    scene: Scene,
) -> None:
    application = published_with_diploma_refused(scene)
    evidence = SimpleUploadedFile("akreditasi.pdf", letter_pdf(), "application/pdf")
    signed_in(application.applicant).post(
        f"/lamaran/{application.number}/sanggah/",
        {"reason": "Ijazah saya sesuai; lihat lampiran akreditasi.", "evidence": evidence},
    )
    objection = Objection.objects.get(application=application)
    stored = objection.evidence.get()

    page = signed_in(scene.committee).get(f"/panitia/sanggah/{objection.pk}/").content.decode()
    assert f'href="/panitia/sanggah/bukti/{stored.pk}/"' in page
    response = signed_in(scene.committee).get(f"/panitia/sanggah/bukti/{stored.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == letter_pdf()  # type: ignore[attr-defined]
    assert "no-store" in response["Cache-Control"]
    for outsider in (scene.other_committee, scene.applications[1].applicant):
        denied = signed_in(outsider).get(f"/panitia/sanggah/bukti/{stored.pk}/")
        assert denied.status_code == 404
    anonymous = CommitClient().get(f"/panitia/sanggah/bukti/{stored.pk}/")
    assert anonymous.status_code == 302 and "/akun/masuk/" in anonymous["Location"]
