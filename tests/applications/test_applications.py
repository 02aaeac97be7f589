"""Applying: choosing an opening with reasons, one application per selection, uploads,
submission, printed cards and who may see the documents."""

from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from seleksi.accounts.models import User
from seleksi.applications import services
from seleksi.applications.models import Application, Document
from seleksi.audit.models import AuditEvent
from seleksi.selections.models import Formation, Selection
from tests.accounts.helpers import signed_in
from tests.applications.test_files import diploma_scan_pdf, ktp_scan, letter_pdf, pas_foto, png

pytestmark = pytest.mark.usefixtures("demo")

ACEH = "aceh-tengah-casn-2021"
TEKNIS = "pelamar.teknis@demo.seleksi.invalid"
STATEMENTS = {
    "statement_not_asn": "on",
    "statement_no_conviction": "on",
    "statement_not_in_party": "on",
    "statement_willing_10_years": "on",
}


def person(email: str = TEKNIS) -> User:
    return User.objects.get(email=email)


def formation(position: str, selection: str = ACEH) -> Formation:
    matching = Formation.objects.filter(
        selection__code=selection, position=position, formation_type="umum"
    )
    return matching.order_by("code")[0]


def start(client: Client, target: Formation) -> Application:
    response = client.post(f"/seleksi/{ACEH}/melamar/{target.code}/", STATEMENTS)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Application.objects.get(formation=target)


def upload(client: Client, application: Application, slot: str, content: bytes, name: str) -> None:
    client.post(
        f"/lamaran/{application.number}/dokumen/{slot}/",
        {"file": SimpleUploadedFile(name, content)},
    )


def upload_everything(client: Client, application: Application) -> None:
    files = {
        "ktp": (ktp_scan(), "ktp.jpg"),
        "pas-foto": (pas_foto(), "foto.jpg"),
        "surat-lamaran": (letter_pdf(), "lamaran.pdf"),
        "ijazah": (diploma_scan_pdf(), "ijazah.pdf"),
        "transkrip": (letter_pdf(), "transkrip.pdf"),
        "dokumen-pendukung": (letter_pdf(), "pendukung.pdf"),
    }
    for slot, (content, name) in files.items():
        upload(client, application, slot, content, name)


def test_the_list_shows_where_i_qualify_and_why_not_elsewhere() -> None:
    client = signed_in(person())
    page = client.get(f"/seleksi/{ACEH}/melamar/", {"jabatan": "Pranata Komputer Ahli Pertama"})
    assert page.status_code == 200
    assert page.context["eligible_count"] >= 1
    nurse = client.get(f"/seleksi/{ACEH}/melamar/", {"jabatan": "Perawat Terampil"})
    html = nurse.content.decode()
    assert "D-III Keperawatan" in html and "tidak termasuk kualifikasi" in html
    assert nurse.context["eligible_count"] == 0


def test_strangers_are_sent_to_sign_in_first(client: Client) -> None:
    response = client.get(f"/seleksi/{ACEH}/melamar/")
    assert response.status_code == 302 and response["Location"].startswith("/akun/masuk/")


def test_an_eligible_person_applies_once_and_only_once() -> None:
    client = signed_in(person())
    target = formation("Pranata Komputer Ahli Pertama")
    application = start(client, target)
    assert application.status == "draft" and application.number.startswith(
        f"{target.selection_id:03d}"
    )
    assert application.eligibility["eligible"] is True
    assert application.eligibility["policy"] == "casn-2021"
    assert AuditEvent.objects.filter(action="application.started").count() == 1
    other = formation("Statistisi Ahli Pertama")
    second = client.post(f"/seleksi/{ACEH}/melamar/{other.code}/", STATEMENTS, follow=True)
    assert "sudah memiliki lamaran" in second.content.decode()
    assert Application.objects.filter(applicant=person()).count() == 1


def test_two_requests_at_the_same_instant_still_make_one_application() -> None:
    user = person()
    target = formation("Pranata Komputer Ahli Pertama")
    statements = ["not_asn", "no_conviction", "not_in_party", "willing_10_years"]
    with mock.patch.object(services, "already_applied", return_value=False):
        services.application_start(user=user, formation=target, statements=statements)
        with pytest.raises(services.ApplicationRefused) as refused:
            services.application_start(user=user, formation=target, statements=statements)
    assert refused.value.code == "already_applied"
    assert Application.objects.filter(applicant=user).count() == 1


def test_an_opening_i_do_not_qualify_for_is_refused_with_its_reasons() -> None:
    client = signed_in(person())
    nurse = formation("Perawat Terampil")
    page = client.get(f"/seleksi/{ACEH}/melamar/{nurse.code}/")
    assert "tidak termasuk kualifikasi" in page.content.decode()
    refused = client.post(f"/seleksi/{ACEH}/melamar/{nurse.code}/", STATEMENTS)
    assert refused.status_code == 400
    assert not Application.objects.exists()


def test_statements_are_required() -> None:
    client = signed_in(person())
    target = formation("Pranata Komputer Ahli Pertama")
    response = client.post(f"/seleksi/{ACEH}/melamar/{target.code}/", {"statement_not_asn": "on"})
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_applying_needs_an_open_window_an_activated_account_and_a_nik() -> None:
    target = formation("Pranata Komputer Ahli Pertama")
    statements = ["not_asn", "no_conviction", "not_in_party", "willing_10_years"]
    Selection.objects.filter(code=ACEH).first().stages.filter(kind="registration").update(  # type: ignore[union-attr]
        starts_on="2021-06-30", ends_on="2021-07-21"
    )
    with pytest.raises(services.ApplicationRefused) as closed:
        services.application_start(user=person(), formation=target, statements=statements)
    assert closed.value.code == "registration_closed"
    inactive = person()
    User.objects.filter(pk=inactive.pk).update(email_verified_at=None)
    with pytest.raises(services.ApplicationRefused) as not_active:
        services.application_start(user=person(), formation=target, statements=statements)
    assert not_active.value.code == "not_activated"
    User.objects.filter(pk=inactive.pk).update(nik_cipher="", nik_hash="")
    assert not Application.objects.exists()


def test_uploads_are_judged_by_content_and_replace_until_submission() -> None:
    client = signed_in(person())
    application = start(client, formation("Pranata Komputer Ahli Pertama"))
    response = client.post(
        f"/lamaran/{application.number}/dokumen/pas-foto/",
        {"file": SimpleUploadedFile("foto.jpg", png())},
        follow=True,
    )
    assert "PNG" in response.content.decode()
    assert not Document.objects.exists()
    upload(client, application, "pas-foto", pas_foto(), "foto.jpg")
    first = Document.objects.get()
    first_name = first.file.name
    assert default_storage.exists(first_name)
    assert "foto" not in first_name and str(person().nik) not in first_name
    upload(client, application, "pas-foto", pas_foto(), "foto-baru.jpg")
    replaced = Document.objects.get()
    assert replaced.original_name == "foto-baru.jpg"
    assert not default_storage.exists(first_name)  # the old file is gone
    too_big = SimpleUploadedFile("ijazah.pdf", b"%PDF-1.4" + b"0" * (801 * 1024))
    big = client.post(
        f"/lamaran/{application.number}/dokumen/ijazah/", {"file": too_big}, follow=True
    )
    assert "802 KB" in big.content.decode() and "800 KB" in big.content.decode()
    assert Document.objects.count() == 1


def test_a_photo_that_is_not_4x6_red_is_accepted_with_a_visible_warning() -> None:
    from tests.applications.test_files import square_blue_photo

    client = signed_in(person())
    application = start(client, formation("Pranata Komputer Ahli Pertama"))
    upload(client, application, "pas-foto", square_blue_photo(), "biru.jpg")
    page = client.get(f"/lamaran/{application.number}/").content.decode()
    assert Document.objects.get().warnings
    assert "4×6" in page and "merah" in page


def test_submission_needs_every_document_then_freezes_everything() -> None:
    client = signed_in(person())
    application = start(client, formation("Pranata Komputer Ahli Pertama"))
    early = client.post(f"/lamaran/{application.number}/akhiri/", {"confirm": "on"}, follow=True)
    assert "Unggah semua dokumen" in early.content.decode()
    upload_everything(client, application)
    assert Document.objects.count() == 6
    client.post(f"/lamaran/{application.number}/akhiri/", {"confirm": "on"})
    application.refresh_from_db()
    assert application.status == "submitted" and application.submitted_at is not None
    event = AuditEvent.objects.get(action="application.submitted")
    assert event.rule_version == "casn-2021"
    upload(client, application, "pas-foto", pas_foto(), "lagi.jpg")
    assert not Document.objects.filter(original_name="lagi.jpg").exists()
    client.post(f"/lamaran/{application.number}/batalkan/")
    assert Application.objects.filter(pk=application.pk).exists()
    again = client.post(f"/lamaran/{application.number}/akhiri/", {"confirm": "on"})
    assert again.status_code == 302
    assert AuditEvent.objects.filter(action="application.submitted").count() == 1


def test_documents_are_served_only_to_the_owner_and_that_agencys_staff() -> None:
    client = signed_in(person())
    application = start(client, formation("Pranata Komputer Ahli Pertama"))
    upload(client, application, "ktp", ktp_scan(), "ktp.jpg")
    url = f"/dokumen/{Document.objects.get().pk}/"
    owner = client.get(url)
    assert owner.status_code == 200 and owner["Content-Type"] == "image/jpeg"
    assert "private" in owner["Cache-Control"] and "no-store" in owner["Cache-Control"]
    other = signed_in(person("pelamar.guru@demo.seleksi.invalid"))
    assert other.get(url).status_code == 404
    verifier = signed_in(User.objects.get(username="verifikator.acehtengah"))
    assert verifier.get(url).status_code == 200
    foreign = signed_in(User.objects.get(username="admin.magetan"))
    assert foreign.get(url).status_code == 404
    assert Client().get(url).status_code == 302
    assert other.get(f"/lamaran/{application.number}/").status_code == 404


def test_the_resume_pdf_carries_a_qr_code_that_verifies() -> None:
    client = signed_in(person())
    application = start(client, formation("Pranata Komputer Ahli Pertama"))
    early = client.get(f"/lamaran/{application.number}/resume.pdf")
    assert early.status_code == 302
    upload_everything(client, application)
    client.post(f"/lamaran/{application.number}/akhiri/", {"confirm": "on"})
    pdf = client.get(f"/lamaran/{application.number}/resume.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    assert application.number in text and "/verifikasi/" in text
    assert person().nik not in text  # masked on paper
    application.refresh_from_db()
    public = Client().get(f"/verifikasi/{application.verification_token}")
    assert public.status_code == 200 and "Asli" in public.content.decode()
    assert "Pelamar Demo Teknis" not in public.content.decode()  # the name is masked
    assert Client().get("/verifikasi/palsu").status_code == 404


def test_the_account_card_pdf_verifies_too() -> None:
    client = signed_in(person())
    pdf = client.get("/akun/kartu-informasi-akun.pdf")
    assert pdf.content.startswith(b"%PDF-")
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    token = text.split("/verifikasi/")[1].split()[0]
    assert Client().get(f"/verifikasi/{token}").status_code == 200
    assert Client().get(f"/verifikasi/{token[:-2]}xx").status_code == 404


def test_a_mitra_applies_to_the_activity_and_earns_preference_points() -> None:
    client = signed_in(person("pelamar.mitra@demo.seleksi.invalid"))
    pool = Formation.objects.get(code="MGT24-MITRA")
    response = client.post(
        f"/seleksi/bps-magetan-mitra-2024/melamar/{pool.code}/", {"statement_not_asn": "on"}
    )
    assert response.status_code == 302
    application = Application.objects.get(formation=pool)
    assert application.preference_points == 50
    assert set(application.eligibility["preferences_met"]) == {
        "education_min",
        "domicile",
        "age_band",
        "devices",
        "vehicle",
        "experience",
    }
    client.post(f"/lamaran/{application.number}/akhiri/", {"confirm": "on"})
    application.refresh_from_db()
    assert application.status == "draft"  # the announcement asks for KTP, photo and ijazah
    for slot, content in (("ktp", ktp_scan()), ("foto", pas_foto()), ("ijazah", ktp_scan())):
        upload(client, application, slot, content, f"{slot}.jpg")
    client.post(f"/lamaran/{application.number}/akhiri/", {"confirm": "on"})
    application.refresh_from_db()
    assert application.status == "submitted"


def test_an_account_that_applied_cannot_be_deleted() -> None:
    user = person()
    client = signed_in(user)
    start(client, formation("Pranata Komputer Ahli Pertama"))
    page = client.post("/akun/hapus-akun/", {"password": "seleksi-demo"})
    assert page.context["applied"] and User.objects.filter(pk=user.pk).exists()


def test_printing_a_card_does_not_weaken_the_upload_checks() -> None:
    from PIL import ImageFile

    from seleksi.applications.files import FileProblem, check_upload

    signed_in(person()).get("/akun/kartu-informasi-akun.pdf")  # imports WeasyPrint
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    photo = pas_foto()
    check = check_upload(photo[: len(photo) // 2], expected="jpeg", max_bytes=200 * 1024)
    assert check.problem == FileProblem.TRUNCATED


def test_an_upload_without_a_file_or_to_an_unknown_slot_changes_nothing() -> None:
    client = signed_in(person())
    application = start(client, formation("Pranata Komputer Ahli Pertama"))
    empty = client.post(f"/lamaran/{application.number}/dokumen/ktp/", {}, follow=True)
    assert [m.level_tag for m in empty.context["slot_messages"]["ktp"]] == ["error"]
    unknown = client.post(
        f"/lamaran/{application.number}/dokumen/tidak-ada/",
        {"file": SimpleUploadedFile("x.jpg", ktp_scan())},
    )
    assert unknown.status_code == 404
    stranger = signed_in(person("pelamar.guru@demo.seleksi.invalid"))
    foreign = stranger.post(
        f"/lamaran/{application.number}/dokumen/ktp/",
        {"file": SimpleUploadedFile("x.jpg", ktp_scan())},
    )
    assert foreign.status_code == 404
    assert not Document.objects.exists()


def slot_html(html: str, slot: str) -> str:
    return html.split(f'id="slot-{slot}"')[1].split("</li>")[0]


def test_the_answer_to_an_upload_is_shown_inside_its_slot_not_at_the_top() -> None:
    client = signed_in(person())
    application = start(client, formation("Pranata Komputer Ahli Pertama"))
    refused = client.post(
        f"/lamaran/{application.number}/dokumen/ktp/",
        {"file": SimpleUploadedFile("ktp.jpg", letter_pdf())},
        follow=True,
    )
    html = refused.content.decode()
    assert refused.redirect_chain[-1][0].endswith("#slot-ktp")
    assert 'role="alert"' in slot_html(html, "ktp") and "tidak tersimpan" in slot_html(html, "ktp")
    assert "tidak tersimpan" not in html.split('class="slots"')[0]  # not at the top
    assert "tidak tersimpan" not in slot_html(html, "pas-foto")

    accepted = client.post(
        f"/lamaran/{application.number}/dokumen/pas-foto/",
        {"file": SimpleUploadedFile("foto.jpg", pas_foto())},
        follow=True,
    )
    assert "berhasil diunggah" in slot_html(accepted.content.decode(), "pas-foto")
    assert "tidak tersimpan" not in accepted.content.decode()  # shown once, then gone
