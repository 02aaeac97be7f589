"""The review page as a verifier uses it: the last decision's marks when the application is
reopened, a refused checklist marked on the field that needs attention, and the full NIK and
KK shown only on request, to the verifier holding the application, and audited."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from seleksi.applications.models import Application
from seleksi.audit.models import AuditEvent
from seleksi.verification import services
from seleksi.verification.models import Review, ReviewItem
from tests.accounts.helpers import CommitClient
from tests.verification.conftest import Scene


def signed_in(user: object, language: str = "id") -> Client:
    client = CommitClient()
    client.force_login(user)  # type: ignore[arg-type]
    client.cookies["django_language"] = language
    return client


def url(application: Application) -> str:
    return f"/panitia/lamaran/{application.number}/periksa/"


def form(application: Application, tms: dict[str, str] | None = None) -> dict[str, str]:
    """Every requirement MS, except those in `tms` (item → reason code, "" for none)."""
    tms = tms or {}
    fields: dict[str, str] = {}
    for code, _label in services.checklist(application):
        fields[f"mark_{code}"] = "TMS" if code in tms else "MS"
        if code in tms:
            fields[f"reason_{code}"] = tms[code]
    return fields


def decided_with_a_tms(scene: Scene) -> Application:
    application = scene.applications[0]
    client = signed_in(scene.verifier)
    client.post(url(application), {"action": "claim"})
    fields = form(application, {"ijazah": "ijazah-tidak-sesuai"})
    fields["note_ijazah"] = "Program studi berbeda"
    client.post(url(application), fields)
    decided = Application.objects.get(pk=application.pk)
    assert (decided.admin_stage, decided.admin_result) == ("checked", "TMS")
    return decided


def checked_radio(html: str, code: str) -> str | None:
    match = re.search(rf'<input type="radio" name="mark_{code}" value="(MS|TMS)" checked', html)
    return match.group(1) if match else None


def test_a_decided_application_shows_its_marks_reasons_and_notes_read_only(
    scene: Scene,
) -> None:
    application = decided_with_a_tms(scene)
    html = signed_in(scene.second_verifier).get(url(application)).content.decode()
    assert 'name="mark_' not in html  # not held: nothing to change
    ijazah = html[html.index('id="item-ijazah"') :]
    ijazah = ijazah[: ijazah.index("</fieldset>")]
    assert "<strong>TMS</strong>" in ijazah
    assert "Ijazah tidak sesuai kualifikasi pendidikan formasi" in ijazah
    assert "Program studi berbeda" in ijazah
    ktp = html[html.index('id="item-ktp"') :]
    assert "<strong>MS</strong>" in ktp[: ktp.index("</fieldset>")]


def test_retaking_a_decided_application_preselects_the_last_marks(scene: Scene) -> None:
    application = decided_with_a_tms(scene)
    client = signed_in(scene.verifier)
    client.post(url(application), {"action": "claim"})
    html = client.get(url(application)).content.decode()
    assert checked_radio(html, "ijazah") == "TMS"
    for code, _label in services.checklist(application):
        if code != "ijazah":
            assert checked_radio(html, code) == "MS", code
    assert '<option value="ijazah-tidak-sesuai" selected>' in html
    assert 'name="note_ijazah" id="note_ijazah" maxlength="500" value="Program studi berbeda"' in (
        html
    )


def test_a_tms_without_a_reason_is_marked_on_its_field_and_keeps_every_other_mark(
    scene: Scene,
) -> None:
    application = scene.applications[0]
    client = signed_in(scene.verifier, "en")
    client.post(url(application), {"action": "claim"})
    fields = form(application, {"ijazah": "", "ktp": "dokumen-tidak-terbaca"})
    fields["note_ktp"] = "Buram"
    response = client.post(url(application), fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(
        r'<select name="reason_ijazah" id="reason_ijazah" aria-invalid="true" '
        r'aria-describedby="error-reason_ijazah">',
        html,
    )
    assert re.search(
        r'id="error-reason_ijazah">Choose the reason for this TMS from the list\.<', html
    )
    assert html.count('aria-invalid="true"') == 1  # only the field that needs attention
    assert checked_radio(html, "ijazah") == "TMS" and checked_radio(html, "ktp") == "TMS"
    assert checked_radio(html, "pas-foto") == "MS"
    assert '<option value="dokumen-tidak-terbaca" selected>' in html
    assert 'value="Buram"' in html
    assert 'href="#reason_ijazah"' in html  # the summary leads to the field
    assert Application.objects.get(pk=application.pk).admin_result == ""
    assert not ReviewItem.objects.exists()
    assert not AuditEvent.objects.filter(action="verification.decided").exists()


def test_an_unmarked_requirement_is_marked_on_its_item(scene: Scene) -> None:
    application = scene.applications[0]
    client = signed_in(scene.verifier, "en")
    client.post(url(application), {"action": "claim"})
    fields = form(application)
    del fields["mark_ktp"]
    response = client.post(url(application), fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-mark_ktp">Mark this requirement MS or TMS.<' in html
    assert 'aria-describedby="error-mark_ktp"' in html
    assert checked_radio(html, "ijazah") == "MS"
    assert not ReviewItem.objects.exists()


# --- the full NIK and KK --------------------------------------------------------------------


def test_the_full_nik_and_kk_appear_only_after_the_reveal_and_the_viewing_is_audited(
    scene: Scene,
) -> None:
    application = scene.applications[0]
    applicant = application.applicant
    client = signed_in(scene.verifier)
    client.post(url(application), {"action": "claim"})
    before = client.get(url(application)).content.decode()
    assert applicant.nik not in before and applicant.kk not in before
    assert applicant.nik_masked in before and 'id="reveal-identity"' in before
    shown = client.post(url(application), {"action": "reveal_identity"})
    html = shown.content.decode()
    assert shown.status_code == 200 and shown["Cache-Control"] == "private, no-store"
    assert f'id="nik">{applicant.nik}<' in html and f'id="kk">{applicant.kk}<' in html
    event = AuditEvent.objects.get(action="application.identity_viewed")
    assert event.actor_id == scene.verifier.pk and event.actor_role == "verifier"
    assert event.subject_id == str(application.pk) and event.reason == "pemeriksaan administrasi"
    recorded = f"{event.reason} {event.subject_label} {event.details}"
    assert applicant.nik not in recorded and applicant.kk not in recorded
    again = client.get(url(application)).content.decode()
    assert applicant.nik not in again  # shown for that one viewing only
    client.post(url(application), {"action": "reveal_identity"})
    assert AuditEvent.objects.filter(action="application.identity_viewed").count() == 2


def test_a_verifier_who_does_not_hold_the_application_is_refused_the_full_nik(
    scene: Scene,
) -> None:
    application = scene.applications[0]
    signed_in(scene.verifier).post(url(application), {"action": "claim"})
    for user in (scene.second_verifier, scene.committee, scene.admin):
        client = signed_in(user)
        assert 'id="reveal-identity"' not in client.get(url(application)).content.decode()
        response = client.post(url(application), {"action": "reveal_identity"}, follow=True)
        assert application.applicant.nik not in response.content.decode()
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not AuditEvent.objects.filter(action="application.identity_viewed").exists()


def test_another_agencys_verifier_and_the_applicant_are_refused_the_full_nik(
    scene: Scene,
) -> None:
    application = scene.applications[0]
    for user in (scene.other_verifier, scene.other_committee, application.applicant):
        response = signed_in(user).post(url(application), {"action": "reveal_identity"})
        assert response.status_code == 404
        assert application.applicant.nik not in response.content.decode()
    assert Client().post(url(application), {"action": "reveal_identity"}).status_code == 302
    assert not AuditEvent.objects.filter(action="application.identity_viewed").exists()


def test_the_reveal_takes_nothing(scene: Scene) -> None:
    application = scene.applications[0]
    signed_in(scene.verifier).post(url(application), {"action": "reveal_identity"})
    assert not Review.objects.exists()


def test_the_reveal_service_refuses_without_ones_own_live_claim(scene: Scene) -> None:
    application = scene.applications[0]
    with pytest.raises(services.VerificationRefused) as refused:
        services.application_identity_reveal(application=application, verifier=scene.verifier)
    assert refused.value.code == "identity_claim_required"
    services.application_claim(application=application, verifier=scene.verifier)
    with (
        mock.patch.object(
            timezone,
            "now",
            return_value=timezone.now() + timedelta(minutes=services.CLAIM_MINUTES + 1),
        ),
        pytest.raises(services.VerificationRefused),
    ):
        services.application_identity_reveal(application=application, verifier=scene.verifier)
    assert not AuditEvent.objects.filter(action="application.identity_viewed").exists()
