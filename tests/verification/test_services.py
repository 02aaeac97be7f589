"""The administrative selection and the objection period, one service at a time: who may take
each step, in which stage, what it writes, whom it tells and what the audit trail keeps."""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from seleksi.accounts.models import User
from seleksi.applications.models import Application
from seleksi.audit.models import AuditEvent
from seleksi.outbox.delivery import messages_deliver
from seleksi.selections.models import Stage
from seleksi.verification import services
from seleksi.verification.models import (
    Objection,
    ObjectionEvidence,
    Publication,
    RejectionReason,
    Review,
    ReviewItem,
)
from seleksi.verification.services import MarkInput, VerificationRefused
from tests.applications.test_files import letter_pdf, png
from tests.verification.conftest import Scene

CaptureOnCommit = Callable[..., Any]
REASON = "Ijazah saya S-1 Teknik Informatika, sesuai kualifikasi formasi ini."
IJAZAH_TMS = {"ijazah": "ijazah-tidak-sesuai"}


@contextmanager
def refused(code: str) -> Iterator[pytest.ExceptionInfo[VerificationRefused]]:
    with pytest.raises(VerificationRefused) as info:
        yield info
    assert info.value.code == code, info.value.detail


@contextmanager
def later(**delta: float) -> Iterator[None]:
    """The clock moved forward (claims expire, objection windows close)."""
    moment = timezone.now() + timedelta(**delta)
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


def marks(application: Application, tms: dict[str, str] | None = None) -> list[MarkInput]:
    tms = tms or {}
    return [
        MarkInput(item, "TMS", tms[item]) if item in tms else MarkInput(item, "MS")
        for item, _label in services.checklist(application)
    ]


def check(
    application: Application, verifier: User, tms: dict[str, str] | None = None
) -> Application:
    services.application_claim(application=application, verifier=verifier)
    return services.application_decide(
        application=application, verifier=verifier, marks=marks(application, tms)
    )


def check_all(scene: Scene, tms: tuple[int, ...] = (0,)) -> None:
    for index, application in enumerate(scene.applications):
        check(application, scene.verifier, IJAZAH_TMS if index in tms else None)


def publish(scene: Scene, capture: CaptureOnCommit, tms: tuple[int, ...] = (0,)) -> Publication:
    check_all(scene, tms)
    with capture(execute=True):
        return services.result_publish(
            selection=scene.selection, actor=scene.committee, site_url="https://seleksi.test"
        )


def object_to(
    application: Application, reason: str = REASON, files: tuple[SimpleUploadedFile, ...] = ()
) -> Objection:
    return services.objection_file(
        application=application, user=application.applicant, reason=reason, files=list(files)
    )


def answer(scene: Scene, objection: Objection, *, accepted: bool) -> Objection:
    return services.objection_answer(
        objection=objection,
        actor=scene.committee,
        accepted=accepted,
        answer="Ijazah sesuai kualifikasi." if accepted else "Ijazah tidak sesuai kualifikasi.",
    )


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- assignment --------------------------------------------------------------------------


def test_the_committee_assigns_applications_by_hand_to_a_verifier(scene: Scene) -> None:
    count = services.application_assign(
        applications=scene.applications[:2], verifier=scene.verifier, actor=scene.committee
    )
    assert count == 2
    assigned = Application.objects.filter(assigned_to=scene.verifier)
    assert set(assigned) == set(scene.applications[:2])


@pytest.mark.parametrize("target", ["admin", "other_verifier"])
def test_only_a_verifier_of_the_agency_can_be_assigned(scene: Scene, target: str) -> None:
    with refused("not_a_verifier"):
        services.application_assign(
            applications=scene.applications[:1],
            verifier=getattr(scene, target),
            actor=scene.committee,
        )
    assert not Application.objects.exclude(assigned_to=None).exists()


@pytest.mark.parametrize("actor", ["verifier", "admin", "other_committee"])
def test_only_the_agencys_committee_assigns(scene: Scene, actor: str) -> None:
    with refused("forbidden"):
        services.application_assign(
            applications=scene.applications[:1],
            verifier=scene.verifier,
            actor=getattr(scene, actor),
        )
    with refused("forbidden"):
        services.application_assign_evenly(
            selection=scene.selection,
            verifiers=[scene.verifier, scene.second_verifier],
            actor=getattr(scene, actor),
        )
    assert not Application.objects.exclude(assigned_to=None).exists()


def test_assigning_evenly_spreads_seven_applications_four_and_three(scene: Scene) -> None:
    verifiers = [scene.verifier, scene.second_verifier]
    handed = services.application_assign_evenly(
        selection=scene.selection, verifiers=verifiers, actor=scene.committee
    )
    assert sorted(handed.values()) == [3, 4]
    for verifier in verifiers:
        assert Application.objects.filter(assigned_to=verifier).count() == handed[verifier.pk]
    event = events("verification.assigned")[0]
    assert event.details == {"handed": {str(pk): count for pk, count in handed.items()}}


def test_assigning_evenly_skips_applications_already_assigned(scene: Scene) -> None:
    services.application_assign(
        applications=scene.applications[:1], verifier=scene.verifier, actor=scene.committee
    )
    handed = services.application_assign_evenly(
        selection=scene.selection,
        verifiers=[scene.verifier, scene.second_verifier],
        actor=scene.committee,
    )
    assert sum(handed.values()) == 6
    assert scene.refreshed(0).assigned_to == scene.verifier
    totals = [
        Application.objects.filter(assigned_to=verifier).count()
        for verifier in (scene.verifier, scene.second_verifier)
    ]
    assert sorted(totals) == [3, 4]
    again = services.application_assign_evenly(
        selection=scene.selection, verifiers=[scene.second_verifier], actor=scene.committee
    )
    assert sum(again.values()) == 0


def test_assigning_evenly_needs_verifiers_of_the_agency(scene: Scene) -> None:
    with refused("no_verifiers"):
        services.application_assign_evenly(
            selection=scene.selection, verifiers=[], actor=scene.committee
        )
    with refused("not_a_verifier"):
        services.application_assign_evenly(
            selection=scene.selection,
            verifiers=[scene.verifier, scene.other_verifier],
            actor=scene.committee,
        )


def test_assigning_by_hand_is_audited_like_assigning_evenly(scene: Scene) -> None:
    services.application_assign(
        applications=scene.applications[:2], verifier=scene.verifier, actor=scene.committee
    )
    assert AuditEvent.objects.filter(action__startswith="verification.assign").exists()


# --- claims ------------------------------------------------------------------------------


def test_a_verifier_claims_an_application_for_thirty_minutes(scene: Scene) -> None:
    before = timezone.now()
    review = services.application_claim(application=scene.applications[0], verifier=scene.verifier)
    assert (review.round, review.verifier, review.result) == (1, scene.verifier, "")
    assert before + timedelta(minutes=30) <= review.claimed_until
    assert review.claimed_until <= timezone.now() + timedelta(minutes=30)


def test_claiming_again_renews_the_own_claim(scene: Scene) -> None:
    first = services.application_claim(application=scene.applications[0], verifier=scene.verifier)
    with later(minutes=20):
        renewed = services.application_claim(
            application=scene.applications[0], verifier=scene.verifier
        )
    assert renewed.pk == first.pk and renewed.claimed_until > first.claimed_until


def test_another_verifier_is_refused_while_the_claim_is_live(scene: Scene) -> None:
    services.application_claim(application=scene.applications[0], verifier=scene.verifier)
    with later(minutes=29), refused("claimed_by_another"):
        services.application_claim(
            application=scene.applications[0], verifier=scene.second_verifier
        )


def test_another_verifier_takes_over_an_expired_claim(scene: Scene) -> None:
    services.application_claim(application=scene.applications[0], verifier=scene.verifier)
    with later(minutes=31):
        review = services.application_claim(
            application=scene.applications[0], verifier=scene.second_verifier
        )
        assert review.verifier == scene.second_verifier
        with refused("claim_required"):
            services.application_decide(
                application=scene.applications[0],
                verifier=scene.verifier,
                marks=marks(scene.applications[0]),
            )
    assert Review.objects.get().verifier == scene.second_verifier


def test_a_verifier_of_another_agency_cannot_claim(scene: Scene) -> None:
    with refused("forbidden"):
        services.application_claim(application=scene.applications[0], verifier=scene.other_verifier)
    assert not Review.objects.exists()


def test_an_applicant_cannot_claim(scene: Scene) -> None:
    application = scene.applications[0]
    with refused("forbidden"):
        services.application_claim(application=application, verifier=application.applicant)
    assert not Review.objects.exists()


def test_a_draft_cannot_be_claimed(scene: Scene) -> None:
    Application.objects.filter(pk=scene.applications[0].pk).update(status="draft")
    with refused("not_submitted"):
        services.application_claim(application=scene.applications[0], verifier=scene.verifier)


# --- decisions ---------------------------------------------------------------------------


def test_deciding_without_a_claim_is_refused(scene: Scene) -> None:
    application = scene.applications[0]
    with refused("claim_required"):
        services.application_decide(
            application=application, verifier=scene.verifier, marks=marks(application)
        )
    assert scene.refreshed(0).admin_stage == "waiting"


def test_deciding_on_an_expired_claim_is_refused(scene: Scene) -> None:
    application = scene.applications[0]
    services.application_claim(application=application, verifier=scene.verifier)
    with later(minutes=31), refused("claim_required"):
        services.application_decide(
            application=application, verifier=scene.verifier, marks=marks(application)
        )


def test_every_checklist_item_must_be_marked(scene: Scene) -> None:
    application = scene.applications[0]
    services.application_claim(application=application, verifier=scene.verifier)
    with refused("checklist") as info:
        services.application_decide(
            application=application, verifier=scene.verifier, marks=marks(application)[:-1]
        )
    assert info.value.detail == "unmarked:pas-foto"
    assert scene.refreshed(0).admin_stage == "waiting" and not ReviewItem.objects.exists()


def test_a_tms_without_a_reason_is_refused(scene: Scene) -> None:
    application = scene.applications[0]
    services.application_claim(application=application, verifier=scene.verifier)
    with refused("checklist") as info:
        services.application_decide(
            application=application,
            verifier=scene.verifier,
            marks=marks(application, {"ijazah": ""}),
        )
    assert info.value.detail == "tms_without_reason:ijazah"


def test_a_reason_outside_the_selections_list_is_refused(scene: Scene) -> None:
    application = scene.applications[0]
    services.application_claim(application=application, verifier=scene.verifier)
    with refused("unknown_reason") as info:
        services.application_decide(
            application=application,
            verifier=scene.verifier,
            marks=marks(application, {"ijazah": "tidak-ada-di-daftar"}),
        )
    assert info.value.detail == "tidak-ada-di-daftar"
    # The claim made the selection's list; a reason taken out of use is refused too.
    RejectionReason.objects.filter(selection=scene.selection, code="ipk").update(is_active=False)
    with refused("unknown_reason"):
        services.application_decide(
            application=application,
            verifier=scene.verifier,
            marks=marks(application, {"transkrip": "ipk"}),
        )


def test_claiming_ms_while_marking_a_tms_is_refused_as_a_contradiction(scene: Scene) -> None:
    application = scene.applications[0]
    services.application_claim(application=application, verifier=scene.verifier)
    with refused("checklist") as info:
        services.application_decide(
            application=application,
            verifier=scene.verifier,
            marks=marks(application, IJAZAH_TMS),
            claimed_result="MS",
        )
    assert info.value.detail == "contradiction:MS"


def test_an_all_ms_checklist_makes_the_application_checked_and_ms(scene: Scene) -> None:
    application = check(scene.applications[0], scene.verifier)
    assert (application.admin_stage, application.admin_result) == ("checked", "MS")
    assert application.published_result == ""
    review = Review.objects.get(application=application)
    assert (review.round, review.result) == (1, "MS") and review.finished_at is not None
    assert review.items.count() == 7 and not review.items.exclude(mark="MS").exists()
    event = events("verification.decided")[0]
    assert event.actor == scene.verifier and event.reason == ""
    assert event.details["result"] == "MS" and event.rule_version == "casn-2021"


def test_a_tms_records_the_reason_text_in_the_audit_event_and_the_review_items(
    scene: Scene,
) -> None:
    application = scene.applications[0]
    services.application_claim(application=application, verifier=scene.verifier)
    given = marks(application)
    given[3] = MarkInput("ijazah", "TMS", "ijazah-tidak-sesuai", note="S-1 Matematika")
    given[1] = MarkInput("ktp", "MS", "lainnya")  # a reason on an MS mark is not kept
    decided = services.application_decide(
        application=application, verifier=scene.verifier, marks=given, claimed_result="TMS"
    )
    assert (decided.admin_stage, decided.admin_result) == ("checked", "TMS")
    event = events("verification.decided")[0]
    assert event.reason == (  # the requirement's label, never its code
        "Ijazah, sertifikat akreditasi, STR/SERDIK (satu file): "
        "Ijazah tidak sesuai kualifikasi pendidikan formasi (S-1 Matematika)"
    )
    assert event.details["marks"]["ijazah"] == "TMS" and event.details["result"] == "TMS"
    tms = ReviewItem.objects.get(mark="TMS")
    assert tms.item == "ijazah" and tms.note == "S-1 Matematika"
    assert tms.reason is not None and tms.reason.code == "ijazah-tidak-sesuai"
    assert ReviewItem.objects.get(item="ktp").reason is None


def test_a_decision_can_be_revised_before_publication_and_is_audited_again(
    scene: Scene,
) -> None:
    check(scene.applications[0], scene.verifier)
    revised = check(scene.applications[0], scene.verifier, IJAZAH_TMS)
    assert (revised.admin_stage, revised.admin_result) == ("checked", "TMS")
    # The first decision stays on record next to the revision.
    assert Review.objects.count() == 2 and ReviewItem.objects.count() == 14
    assert [e.details["result"] for e in events("verification.decided")] == ["MS", "TMS"]


def test_a_committee_member_may_also_check(scene: Scene) -> None:
    checked = check(scene.applications[0], scene.committee)
    assert checked.admin_stage == "checked"


# --- second check ------------------------------------------------------------------------


@pytest.fixture
def second_check(scene: Scene) -> Scene:
    type(scene.selection).objects.filter(pk=scene.selection.pk).update(require_second_check=True)
    return scene


def test_with_a_second_check_the_first_round_only_decides(second_check: Scene) -> None:
    decided = check(second_check.applications[0], second_check.verifier, IJAZAH_TMS)
    assert (decided.admin_stage, decided.admin_result) == ("decided", "TMS")


def test_the_first_verifier_cannot_do_the_second_check(second_check: Scene) -> None:
    check(second_check.applications[0], second_check.verifier)
    with refused("second_check_by_another"):
        services.application_claim(
            application=second_check.applications[0], verifier=second_check.verifier
        )


def test_a_second_verifier_who_agrees_makes_it_checked(second_check: Scene) -> None:
    scene = second_check
    check(scene.applications[0], scene.verifier, IJAZAH_TMS)
    confirmed = check(scene.applications[0], scene.second_verifier, IJAZAH_TMS)
    assert (confirmed.admin_stage, confirmed.admin_result) == ("checked", "TMS")
    rounds = Review.objects.filter(application=confirmed).values_list("round", "verifier", "result")
    assert list(rounds) == [(1, scene.verifier.pk, "TMS"), (2, scene.second_verifier.pk, "TMS")]
    assert len(events("verification.second_check_agreed")) == 1


def test_a_second_verifier_who_disagrees_becomes_the_decision_to_confirm(
    second_check: Scene,
) -> None:
    scene = second_check
    check(scene.applications[0], scene.verifier, IJAZAH_TMS)
    back = check(scene.applications[0], scene.second_verifier)
    assert (back.admin_stage, back.admin_result) == ("decided", "MS")
    # Both views stay on record: the reviews and the audit trail.
    rounds = Review.objects.filter(application=back).values_list("round", "kind", "result")
    assert list(rounds) == [(1, "decision", "TMS"), (2, "confirmation", "MS")]
    first = events("verification.decided")
    second = events("verification.second_check_disagreed")
    assert first[0].details["result"] == "TMS" and second[0].details["result"] == "MS"
    with refused("second_check_by_another"):
        services.application_claim(application=back, verifier=scene.second_verifier)


def test_after_a_disagreement_the_application_can_be_checked_again(second_check: Scene) -> None:
    scene = second_check
    check(scene.applications[0], scene.verifier, IJAZAH_TMS)
    check(scene.applications[0], scene.second_verifier)  # disagrees: MS awaits confirmation
    again = check(scene.applications[0], scene.verifier)  # the first verifier now agrees
    assert (again.admin_stage, again.admin_result) == ("checked", "MS")
    assert Review.objects.filter(application=again).count() == 3


def test_an_application_awaiting_its_second_check_blocks_publication(
    second_check: Scene,
) -> None:
    for application in second_check.applications:
        check(application, second_check.verifier)
    with refused("undecided") as info:
        services.result_publish(selection=second_check.selection, actor=second_check.committee)
    assert info.value.detail == "7"


# --- publication -------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["verifier", "admin", "other_committee"])
def test_only_the_agencys_committee_publishes(scene: Scene, actor: str) -> None:
    check_all(scene)
    with refused("forbidden"):
        services.result_publish(selection=scene.selection, actor=getattr(scene, actor))
    assert not Publication.objects.exists()


def test_publishing_is_refused_while_any_application_is_not_checked(scene: Scene) -> None:
    for application in scene.applications[:5]:
        check(application, scene.verifier)
    with refused("undecided") as info:
        services.result_publish(selection=scene.selection, actor=scene.committee)
    assert info.value.detail == "2"
    assert not Application.objects.exclude(published_result="").exists()


MONTHS = {
    "id": "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember",
    "en": "January February March April May June July August September October November December",
}


def long_date(day: date, language: str) -> str:
    """How a date is written to a reader: "4 Desember 2026" / "4 December 2026", never ISO."""
    return f"{day.day} {MONTHS[language].split()[day.month - 1]} {day.year}"


def test_publishing_waits_for_the_scheduled_administrative_stage(scene: Scene) -> None:
    check_all(scene)
    stage = Stage.objects.filter(selection=scene.selection, kind=Stage.Kind.ADMINISTRATIVE)
    starts_on = timezone.localdate() + timedelta(days=5)
    stage.update(starts_on=starts_on, ends_on=starts_on + timedelta(days=10))
    with refused("before_schedule") as info:
        services.result_publish(selection=scene.selection, actor=scene.committee)
    assert info.value.detail == services.LongDate(starts_on)
    with translation.override("id"):
        expected = f"Sesuai jadwal, hasil ini diumumkan pada {long_date(starts_on, 'id')}."
        assert info.value.message == expected
    with translation.override("en"):
        expected = f"The schedule publishes this result on {long_date(starts_on, 'en')}."
        assert info.value.message == expected
    stage.update(starts_on=timezone.localdate())
    assert services.result_publish(selection=scene.selection, actor=scene.committee)


def test_publishing_announces_every_result_and_mails_every_applicant(
    scene: Scene,
    django_capture_on_commit_callbacks: CaptureOnCommit,
    mailoutbox: list[Any],
) -> None:
    # e-mails are written in each applicant's language
    User.objects.filter(pk__in=[a.applicant_id for a in scene.applications]).update(language="en")
    draft = Application.objects.create(
        applicant=User.objects.get(email="pelamar.mitra@demo.seleksi.invalid"),
        selection=scene.selection,
        formation=scene.applications[0].formation,
        number="draft-1",
    )
    publication = publish(scene, django_capture_on_commit_callbacks, tms=(0, 1))
    assert publication.kind == "administrative" and publication.published_by == scene.committee
    assert publication.counts == {"TMS": 2, "MS": 5}
    published = Application.objects.filter(selection=scene.selection).exclude(pk=draft.pk)
    assert {(a.admin_stage, a.published_result) for a in published} == {
        ("published", "TMS"),
        ("published", "MS"),
    }
    assert not published.filter(published_at=None).exists()
    assert Application.objects.get(pk=draft.pk).admin_stage == "waiting"
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        a.applicant.email for a in scene.applications
    )
    first = next(m for m in mailoutbox if m.to == [scene.applications[0].applicant.email])
    assert first.subject == "The administrative selection result has been announced"
    assert f"https://seleksi.test/lamaran/{scene.applications[0].number}/" in first.body
    assert len(events("verification.published")) == 7


def test_publishing_twice_is_refused(
    scene: Scene, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    publish(scene, django_capture_on_commit_callbacks)
    with refused("already_published"):
        services.result_publish(selection=scene.selection, actor=scene.committee)
    assert Publication.objects.count() == 1


def test_a_published_result_cannot_be_changed_without_an_objection(
    scene: Scene, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    publish(scene, django_capture_on_commit_callbacks)
    application = scene.applications[0]
    with refused("not_allowed_now"):
        services.application_claim(application=application, verifier=scene.second_verifier)
    # The verifier's own claim is still live, yet the decision cannot be changed.
    with refused("not_allowed_now"):
        services.application_decide(
            application=application, verifier=scene.verifier, marks=marks(application)
        )
    application = scene.refreshed(0)
    assert (application.admin_stage, application.admin_result) == ("published", "TMS")
    assert ReviewItem.objects.filter(review__application=application, mark="TMS").exists()


# --- objections --------------------------------------------------------------------------


@pytest.fixture
def published(scene: Scene, django_capture_on_commit_callbacks: CaptureOnCommit) -> Scene:
    """Applications 0, 1 and 2 were found TMS, the others MS, and the result is out."""
    publish(scene, django_capture_on_commit_callbacks, tms=(0, 1, 2))
    return scene


def test_an_applicant_objects_on_the_day_of_publication_with_evidence(
    published: Scene,
) -> None:
    application = published.refreshed(0)
    objection = object_to(application, files=(SimpleUploadedFile("ijazah.pdf", letter_pdf()),))
    assert objection.status == "filed" and objection.reason == REASON
    published_on = timezone.localdate(application.published_at)
    assert objection.answer_due_on == published_on + timedelta(days=2 + 7)
    assert published.refreshed(0).admin_stage == "objected"
    evidence = ObjectionEvidence.objects.get(objection=objection)
    assert evidence.original_name == "ijazah.pdf" and evidence.size == len(letter_pdf())
    stored_name = evidence.file.name or ""
    assert stored_name.startswith(f"sanggah/{published.selection.pk}/")
    assert "ijazah" not in stored_name and default_storage.exists(stored_name)
    event = events("objection.filed")[0]
    assert event.actor == application.applicant and event.actor_role == "applicant"
    assert event.reason == REASON and event.details == {"evidence": 1}


def test_an_objection_on_the_last_day_of_the_window_is_accepted(published: Scene) -> None:
    with later(days=2):
        object_to(published.refreshed(0))
    assert published.refreshed(0).admin_stage == "objected"


def test_an_objection_the_day_after_the_window_is_refused(published: Scene) -> None:
    with later(days=3), refused("window_closed"):
        object_to(published.refreshed(0))
    assert not Objection.objects.exists()


def test_the_selection_may_allow_more_days_to_object(published: Scene) -> None:
    type(published.selection).objects.filter(pk=published.selection.pk).update(objection_days=5)
    with later(days=4):
        objection = object_to(published.refreshed(0))
    published_on = timezone.localdate(published.refreshed(0).published_at)
    assert objection.answer_due_on == published_on + timedelta(days=4 + 7)


def test_a_dated_objection_stage_in_the_schedule_sets_the_window(published: Scene) -> None:
    opens_on = timezone.localdate() + timedelta(days=5)
    Stage.objects.create(
        selection=published.selection,
        order=99,
        kind=Stage.Kind.OBJECTION,
        name="Masa sanggah",
        starts_on=opens_on,
        ends_on=opens_on + timedelta(days=1),
    )
    with refused("window_closed"):
        object_to(published.refreshed(0))
    with later(days=5):
        objection = object_to(published.refreshed(0))
    assert objection.answer_due_on == opens_on + timedelta(days=1 + 7)


def test_only_the_owner_objects(published: Scene) -> None:
    application = published.refreshed(0)
    for someone in (published.applications[1].applicant, published.committee):
        with refused("forbidden"):
            services.objection_file(application=application, user=someone, reason=REASON, files=[])
    assert not Objection.objects.exists()


def test_an_ms_applicant_cannot_object(published: Scene) -> None:
    with refused("not_allowed_now"):
        object_to(published.refreshed(5))


def test_nobody_objects_before_the_result_is_published(scene: Scene) -> None:
    check_all(scene)
    with refused("not_allowed_now"):
        object_to(scene.refreshed(0))


def test_an_application_is_objected_to_once(published: Scene) -> None:
    object_to(published.refreshed(0))
    with refused("already_objected"):
        object_to(published.refreshed(0), reason=REASON + " Sekali lagi.")
    assert Objection.objects.count() == 1


def test_an_objection_needs_a_real_reason(published: Scene) -> None:
    with refused("reason_too_short"):
        object_to(published.refreshed(0), reason="   Ijazah sesuai.      ")
    assert published.refreshed(0).admin_stage == "published"


def test_evidence_that_is_not_what_its_name_says_is_refused_and_nothing_is_stored(
    published: Scene, tmp_path: Path
) -> None:
    files = (
        SimpleUploadedFile("ijazah.pdf", letter_pdf()),
        SimpleUploadedFile("foto.pdf", png()),
    )
    with refused("bad_evidence") as info:
        object_to(published.refreshed(0), files=files)
    assert info.value.detail == {"file": "foto.pdf", "limit": 800}
    assert not Objection.objects.exists() and not ObjectionEvidence.objects.exists()
    assert not [path for path in (tmp_path / "media").rglob("*") if path.is_file()]
    assert published.refreshed(0).admin_stage == "published"


def test_the_evidence_refusal_names_the_file_and_limit_in_the_readers_language() -> None:
    error = VerificationRefused("bad_evidence", {"file": "foto.pdf", "limit": 800})
    with translation.override("en"):
        assert error.message == (
            "The evidence file foto.pdf is not a valid PDF or JPEG of at most 800 KB; "
            "nothing was saved."
        )
    with translation.override("id"):
        assert "foto.pdf" in error.message and "paling besar 800 KB" in error.message


def test_evidence_over_the_size_limit_is_refused(published: Scene) -> None:
    limit_kb = services.evidence_limit_kb(published.selection)
    too_big = b"%PDF-1.4\n" + b"0" * (limit_kb * 1024)
    with refused("bad_evidence"):
        object_to(published.refreshed(0), files=(SimpleUploadedFile("besar.pdf", too_big),))


def test_the_evidence_limit_follows_the_selections_document_rules(published: Scene) -> None:
    assert services.evidence_limit_kb(published.selection) == 800  # the seed's largest slot
    published.selection.document_rules.update(max_size_kb=300)
    assert services.evidence_limit_kb(published.selection) == 300
    published.selection.document_rules.all().delete()
    assert services.evidence_limit_kb(published.selection) == services.DEFAULT_EVIDENCE_LIMIT_KB


# --- answers -----------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["verifier", "admin", "other_committee"])
def test_only_the_agencys_committee_answers(published: Scene, actor: str) -> None:
    objection = object_to(published.refreshed(0))
    with refused("forbidden"):
        services.objection_answer(
            objection=objection, actor=getattr(published, actor), accepted=True, answer="Ya."
        )
    assert Objection.objects.get().status == "filed"


def test_an_answer_needs_a_text(published: Scene) -> None:
    objection = object_to(published.refreshed(0))
    with refused("answer_required"):
        services.objection_answer(
            objection=objection, actor=published.committee, accepted=False, answer="  \n"
        )
    assert published.refreshed(0).admin_stage == "objected"


def test_an_accepted_objection_makes_the_decision_ms(published: Scene) -> None:
    objection = answer(published, object_to(published.refreshed(0)), accepted=True)
    stored = Objection.objects.get(pk=objection.pk)
    assert stored.status == "accepted" and stored.answered_by == published.committee
    assert stored.answer == "Ijazah sesuai kualifikasi." and stored.answered_at is not None
    application = published.refreshed(0)
    assert (application.admin_stage, application.admin_result) == ("answered", "MS")
    assert application.published_result == "TMS"  # until the post-objection publication
    event = events("objection.accepted")[0]
    assert event.actor == published.committee and event.reason == "Ijazah sesuai kualifikasi."


def test_a_rejected_objection_keeps_tms(published: Scene) -> None:
    answer(published, object_to(published.refreshed(0)), accepted=False)
    assert Objection.objects.get().status == "rejected"
    application = published.refreshed(0)
    assert (application.admin_stage, application.admin_result) == ("answered", "TMS")
    assert len(events("objection.rejected")) == 1


def test_an_objection_is_answered_once(published: Scene) -> None:
    objection = answer(published, object_to(published.refreshed(0)), accepted=False)
    with refused("already_answered"):
        answer(published, objection, accepted=True)
    with refused("already_answered"):
        answer(published, Objection.objects.get(pk=objection.pk), accepted=True)
    assert published.refreshed(0).admin_result == "TMS"


def test_overdue_objections_are_the_filed_ones_past_their_answer_date(published: Scene) -> None:
    late = object_to(published.refreshed(0))
    answered = answer(published, object_to(published.refreshed(1)), accepted=False)
    assert list(services.overdue_objections(published.selection)) == []
    with later(days=9):
        assert list(services.overdue_objections(published.selection)) == []
    with later(days=10):
        overdue = list(services.overdue_objections(published.selection))
    assert overdue == [late] and answered not in overdue


# --- the result after the objection period -----------------------------------------------


def test_the_result_after_objections_needs_the_administrative_publication(scene: Scene) -> None:
    check_all(scene)
    with refused("not_published_yet"):
        services.result_publish_after_objections(selection=scene.selection, actor=scene.committee)


def test_the_result_after_objections_waits_for_every_answer(published: Scene) -> None:
    object_to(published.refreshed(0))
    answer(published, object_to(published.refreshed(1)), accepted=True)
    with later(days=4), refused("objections_pending") as info:
        services.result_publish_after_objections(
            selection=published.selection, actor=published.committee
        )
    assert info.value.detail == "1"
    assert not Application.objects.filter(admin_stage="final").exists()


@pytest.mark.parametrize("actor", ["verifier", "other_committee"])
def test_only_the_agencys_committee_publishes_after_objections(
    published: Scene, actor: str
) -> None:
    with later(days=4), refused("forbidden"):
        services.result_publish_after_objections(
            selection=published.selection, actor=getattr(published, actor)
        )


def test_the_result_after_objections_is_final_and_flips_accepted_objections(
    published: Scene,
    django_capture_on_commit_callbacks: CaptureOnCommit,
    mailoutbox: list[Any],
) -> None:
    User.objects.filter(pk__in=[a.applicant_id for a in published.applications]).update(
        language="en"
    )
    answer(published, object_to(published.refreshed(0)), accepted=True)
    answer(published, object_to(published.refreshed(1)), accepted=False)
    first_published_at = published.refreshed(2).published_at
    assert messages_deliver().sent == 2  # the worker sends the answers' notices
    mail.outbox.clear()
    with later(days=4), django_capture_on_commit_callbacks(execute=True):
        publication = services.result_publish_after_objections(
            selection=published.selection, actor=published.committee, site_url="https://s.test"
        )
    assert publication.kind == "post_objection" and publication.counts == {"MS": 5, "TMS": 2}
    stages = Application.objects.filter(selection=published.selection)
    assert set(stages.values_list("admin_stage", flat=True)) == {"final"}
    results = [published.refreshed(i).published_result for i in range(7)]
    assert results == ["MS", "TMS", "TMS", "MS", "MS", "MS", "MS"]
    assert published.refreshed(0).published_at != first_published_at
    assert published.refreshed(2).published_at == first_published_at
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        published.applications[i].applicant.email for i in (0, 1)
    )
    assert all(m.subject == "The answer to your objection has been announced" for m in mailoutbox)
    changed = {
        e.subject_id: e.details["changed"] for e in events("verification.published_after_objection")
    }
    assert changed == {
        str(published.applications[0].pk): True,
        str(published.applications[1].pk): False,
    }
    with refused("not_allowed_now"):
        object_to(published.refreshed(2))


def test_the_result_after_objections_is_published_once(published: Scene) -> None:
    with later(days=4):
        services.result_publish_after_objections(
            selection=published.selection, actor=published.committee
        )
        with refused("already_published"):
            services.result_publish_after_objections(
                selection=published.selection, actor=published.committee
            )
    assert Publication.objects.filter(kind="post_objection").count() == 1


def test_the_result_after_objections_waits_for_the_objection_window_to_close(
    published: Scene,
) -> None:
    with later(days=1), pytest.raises(VerificationRefused):
        services.result_publish_after_objections(
            selection=published.selection, actor=published.committee
        )
    with later(days=2):
        object_to(published.refreshed(0))


# --- the audit trail of a whole administrative selection ---------------------------------


@pytest.fixture
def journey(scene: Scene, django_capture_on_commit_callbacks: CaptureOnCommit) -> Scene:
    """Assign, check, publish, object, answer and publish again, each step by its role."""
    services.application_assign_evenly(
        selection=scene.selection,
        verifiers=[scene.verifier, scene.second_verifier],
        actor=scene.committee,
    )
    for application in Application.objects.filter(selection=scene.selection):
        assert application.assigned_to is not None
        tms = IJAZAH_TMS if application.pk == scene.applications[0].pk else None
        check(application, application.assigned_to, tms)
    with django_capture_on_commit_callbacks(execute=True):
        services.result_publish(selection=scene.selection, actor=scene.committee)
    answer(scene, object_to(scene.refreshed(0)), accepted=True)
    with later(days=4), django_capture_on_commit_callbacks(execute=True):
        services.result_publish_after_objections(selection=scene.selection, actor=scene.committee)
    return scene


ROLES = {
    "verification.assigned": "committee",
    "verification.decided": "verifier",
    "verification.published": "committee",
    "objection.filed": "applicant",
    "objection.accepted": "committee",
    "verification.published_after_objection": "committee",
}


def test_every_step_leaves_an_audit_event_by_its_actor(journey: Scene) -> None:
    actors = {
        "verification.assigned": {journey.committee},
        "verification.decided": {journey.verifier, journey.second_verifier},
        "verification.published": {journey.committee},
        "objection.filed": {journey.applications[0].applicant},
        "objection.accepted": {journey.committee},
        "verification.published_after_objection": {journey.committee},
    }
    counts = {action: len(events(action)) for action in actors}
    assert counts == {
        "verification.assigned": 1,
        "verification.decided": 7,
        "verification.published": 7,
        "objection.filed": 1,
        "objection.accepted": 1,
        "verification.published_after_objection": 1,
    }
    for action, expected in actors.items():
        assert {event.actor for event in events(action)} == expected, action
        assert all(event.selection_id == journey.selection.pk for event in events(action))


def test_audit_events_name_the_actors_role_and_the_agency(journey: Scene) -> None:
    for action, role in ROLES.items():
        for event in events(action):
            assert (event.actor_role, event.agency_id) == (role, journey.selection.agency_id), (
                action
            )


def test_no_audit_event_or_mail_contains_an_applicants_nik(
    journey: Scene, mailoutbox: list[Any]
) -> None:
    niks = {application.applicant.nik for application in journey.applications}
    assert len(niks) == 7 and all(len(nik) == 16 for nik in niks)
    recorded = [
        json.dumps([e.subject_label, e.reason, e.details, e.rule_version])
        for e in AuditEvent.objects.filter(selection_id=journey.selection.pk)
    ]
    assert len(recorded) >= 17
    assert len(mailoutbox) == 7 + 1 + 1  # results, the objection's answer and its publication
    written = recorded + [m.subject + m.body for m in mailoutbox]
    assert not [text for text in written for nik in niks if nik in text]


def test_the_applicant_is_told_of_the_answer_once(published: Scene) -> None:
    from seleksi.notices.models import Notice

    objection = answer(published, object_to(published.refreshed(0)), accepted=True)
    with refused("already_answered"):
        answer(published, objection, accepted=False)
    [notice] = Notice.objects.filter(template="objection_decided")
    application = published.refreshed(0)
    assert notice.user_id == application.applicant_id
    assert notice.event == f"objection.answered:{objection.pk}"
    assert "Ijazah sesuai kualifikasi." in notice.body and application.number in notice.body
    assert notice.url == f"/lamaran/{application.number}/"
