"""The mitra's path through the pages: an e-mail-first account is told on the openings page
that it needs its NIK, and where to add it; the NIK form takes its pre-filled birth date as
it is; the Magetan application has the announcement's document slots and TMS reasons; the
preference points are explained criterion by criterion."""

import re
from io import BytesIO
from urllib.parse import quote

import pytest
from django.test import Client
from pypdf import PdfReader

from seleksi.accounts.models import Profile, User
from seleksi.applications.models import Application
from seleksi.selections.models import Formation, Selection
from seleksi.verification import services as verification_services
from seleksi.verification.models import RejectionReason
from tests.accounts.helpers import signed_in
from tests.applications.test_files import ktp_scan, pas_foto

pytestmark = pytest.mark.usefixtures("demo")

MAGETAN = "bps-magetan-mitra-2024"
POOL = "MGT24-MITRA"
OPENINGS = f"/seleksi/{MAGETAN}/melamar/"
APPLY = f"{OPENINGS}{POOL}/"
MITRA = "pelamar.mitra@demo.seleksi.invalid"
NIK_MISSING = "Tambahkan NIK dan nomor Kartu Keluarga (KK) Anda sebelum melamar."


def mitra() -> User:
    return User.objects.get(email=MITRA)


def without_nik() -> tuple[User, dict[str, str]]:
    """The demo mitra as an e-mail-first account that has not added its NIK yet; returns the
    numbers it will type."""
    user = mitra()
    numbers = {"nik": user.nik, "kk": user.kk}
    User.objects.filter(pk=user.pk).update(nik_cipher="", nik_hash="", kk_cipher="", kk_hash="")
    user.refresh_from_db()
    return user, numbers


def identity_link(back: str) -> str:
    return f"/akun/profil/identitas/?next={quote(back, safe='')}"


def started(client: Client) -> Application:
    response = client.post(APPLY, {"statement_not_asn": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Application.objects.get(formation__code=POOL)


def submitted(client: Client) -> Application:
    application = started(client)
    for slot, content in (("ktp", ktp_scan()), ("foto", pas_foto()), ("ijazah", ktp_scan())):
        client.post(
            f"/lamaran/{application.number}/dokumen/{slot}/",
            {"file": _file(f"{slot}.jpg", content)},
        )
    client.post(f"/lamaran/{application.number}/akhiri/", {"confirm": "on"})
    application.refresh_from_db()
    assert application.is_submitted
    return application


def _file(name: str, content: bytes):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


# The openings page and the start agree -------------------------------------------------------


def test_it_tells_a_mitra_without_nik_on_the_openings_page_and_links_to_where_it_is_added() -> None:
    user, _numbers = without_nik()
    page = signed_in(user).get(OPENINGS)
    html = page.content.decode()
    assert page.status_code == 200
    box = html.split('id="start-fixes"')[1].split("</div>")[0]
    assert NIK_MISSING in box
    assert f'href="{identity_link(OPENINGS)}"' in box
    assert html.index('id="start-fixes"') < html.index(f'id="formasi-{POOL}"')
    assert f'href="{APPLY}"' not in html  # no "apply" that the start would refuse
    assert f'href="{identity_link(OPENINGS)}"' in html.split(f'id="formasi-{POOL}"')[1]


def test_the_apply_page_offers_no_start_without_nik_but_the_way_to_add_it() -> None:
    user, _numbers = without_nik()
    html = signed_in(user).get(APPLY).content.decode()
    assert 'id="start-fixes"' in html and f'href="{identity_link(APPLY)}"' in html
    assert 'type="submit"' not in html.split('id="start-fixes"')[1].split("</main>")[0]


def test_a_start_refused_for_the_missing_nik_says_where_to_add_it() -> None:
    user, _numbers = without_nik()
    refused = signed_in(user).post(APPLY, {"statement_not_asn": "on"})
    assert refused.status_code == 400
    messages = [str(message) for message in refused.context["messages"]]
    assert any(
        NIK_MISSING in text and f'<a href="{identity_link(APPLY)}">' in text for text in messages
    )
    assert f'<a href="{identity_link(APPLY)}">' in refused.content.decode()
    assert not Application.objects.filter(applicant=user).exists()


def test_an_account_not_activated_is_told_so_with_the_way_to_a_new_link() -> None:
    user = mitra()
    User.objects.filter(pk=user.pk).update(email_verified_at=None)
    html = signed_in(user).get(OPENINGS).content.decode()
    box = html.split('id="start-fixes"')[1].split("</div>")[0]
    assert 'href="/akun/aktivasi/kirim-ulang/"' in box
    assert f'href="{APPLY}"' not in html


def test_an_account_with_its_nik_is_offered_the_start_and_no_warning() -> None:
    html = signed_in(mitra()).get(OPENINGS).content.decode()
    assert 'id="start-fixes"' not in html and f'href="{APPLY}"' in html


def test_an_incomplete_profile_is_listed_on_the_openings_page() -> None:
    user = mitra()
    Profile.objects.filter(user=user).update(address="")
    page = signed_in(user).get(OPENINGS)
    assert page.context["profile_missing"] == ["Tempat lahir, alamat, dan kabupaten/kota domisili."]
    assert 'id="profile-missing"' in page.content.decode()


# The NIK form and the way back ---------------------------------------------------------------


def test_adding_the_nik_with_the_prefilled_birth_date_unchanged_returns_to_the_openings() -> None:
    user, numbers = without_nik()
    client = signed_in(user)
    form_page = client.get(identity_link(OPENINGS))
    html = form_page.content.decode()
    birth_input = re.search(r'<input type="date" name="birth_date" value="([^"]*)"', html)
    assert birth_input and birth_input.group(1) == user.birth_date.isoformat()
    as_shown = {
        "full_name": re.search(r'name="full_name" value="([^"]*)"', html).group(1),  # type: ignore[union-attr]
        "birth_date": birth_input.group(1),
        "sex": re.search(r'name="sex" value="(\w)"[^>]*checked', html).group(1),  # type: ignore[union-attr]
        **numbers,
    }
    added = client.post(identity_link(OPENINGS), as_shown)
    assert added.status_code == 302 and added["Location"] == OPENINGS
    user.refresh_from_db()
    assert user.nik == numbers["nik"]
    assert 'id="start-fixes"' not in client.get(OPENINGS).content.decode()


@pytest.mark.parametrize("elsewhere", ["https://evil.invalid/", "//evil.invalid/x", "javascript:x"])
def test_the_nik_form_never_sends_anyone_to_another_site(elsewhere: str) -> None:
    user, numbers = without_nik()
    form = {
        "full_name": user.full_name,
        "birth_date": user.birth_date.isoformat(),
        "sex": user.sex,
        **numbers,
    }
    added = signed_in(user).post(f"/akun/profil/identitas/?next={quote(elsewhere)}", form)
    assert added.status_code == 302 and added["Location"] == "/akun/profil/"


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_date_picker_of_the_profile_is_filled_in_iso(language: str) -> None:
    user = mitra()
    Profile.objects.filter(user=user).update(str_number="123", str_valid_until="2030-01-31")
    client = signed_in(user)
    client.cookies["django_language"] = language
    education = user.educations.get()
    pages = {
        "/akun/profil/ubah/": 'name="str_valid_until" value="2030-01-31"',
        f"/akun/profil/pendidikan/{education.pk}/": 'name="graduated_on" value="2008-06-14"',
    }
    for url, expected in pages.items():
        page = client.get(url)
        chosen = page.wsgi_request.LANGUAGE_CODE
        assert chosen == language
        assert expected in page.content.decode(), url


# Document slots and TMS reasons from the announcement --------------------------------------


def test_the_magetan_application_has_the_slots_its_announcement_asks_for() -> None:
    client = signed_in(mitra())
    application = started(client)
    slots = list(application.selection.document_rules.values_list("code", "file_format"))
    assert slots == [("ktp", "jpeg"), ("foto", "jpeg"), ("ijazah", "jpeg")]
    html = client.get(f"/lamaran/{application.number}/").content.decode()
    for name in ("KTP", "Foto terbaru", "Ijazah pendidikan terakhir"):
        assert name in html
    refused = client.post(f"/lamaran/{application.number}/akhiri/", {"confirm": "on"})
    assert refused.status_code == 302
    application.refresh_from_db()
    assert not application.is_submitted  # not without the three documents


def test_the_verifier_checks_the_magetan_documents_against_mitra_reasons() -> None:
    application = submitted(signed_in(mitra()))
    items = [code for code, _name in verification_services.checklist(application)]
    assert items == ["data", "ktp", "foto", "ijazah"]
    verifier = signed_in(User.objects.get(username="verifikator.magetan"))
    url = f"/panitia/lamaran/{application.number}/periksa/"
    assert verifier.post(url, {"action": "claim"}).status_code == 302
    page = verifier.get(url)
    codes = {reason.code for reason in page.context["reasons"]}
    assert codes == {code for code, _text in verification_services.default_reasons("mitra")}
    assert {"ktp-tidak-sesuai", "foto-tidak-sesuai", "asn"} <= codes
    assert not codes & {"str-tidak-berlaku", "ipk", "tidak-bermeterai", "pas-foto", "akreditasi"}
    html = page.content.decode()
    for _code, text in verification_services.default_reasons("casn"):
        if text not in dict(verification_services.default_reasons("mitra")).values():
            assert text not in html
    assert "KTP tidak terbaca atau tidak sesuai dengan data pendaftar" in html


def test_the_verifier_sees_what_the_mitra_declared_and_no_str() -> None:
    application = submitted(signed_in(mitra()))
    verifier = signed_in(User.objects.get(username="verifikator.magetan"))
    verifier.cookies["django_language"] = "en"
    html = verifier.get(f"/panitia/lamaran/{application.number}/periksa/").content.decode()
    identity = html[html.index('id="identity"') : html.index("</dl>", html.index('id="identity"'))]
    assert "Pencacah Sensus Pertanian 2023, BPS Kabupaten Magetan" in identity
    assert 'id="devices">smartphone, motor vehicle</dd>' in identity
    assert "<dt>STR</dt>" not in identity  # a health workers' registration, not asked of a mitra


def test_the_civil_servant_selection_keeps_the_casn_reasons() -> None:
    aceh = Selection.objects.get(code="aceh-tengah-casn-2021")
    verification_services.reasons_ensure(aceh)
    codes = list(RejectionReason.objects.filter(selection=aceh).values_list("code", flat=True))
    assert codes == [code for code, _text in verification_services.default_reasons("casn")]
    assert {"str-tidak-berlaku", "ipk", "tidak-bermeterai", "pas-foto"} <= set(codes)


def test_every_kind_of_selection_has_its_own_reasons_without_preferred_criteria() -> None:
    for kind in Selection.Kind.values:
        assert verification_services.default_reasons(kind)
    mitra_texts = " ".join(t for _c, t in verification_services.default_reasons("mitra"))
    # education, domicile and age are preferred (diutamakan) in the announcement, never TMS
    for preferred in ("domisili", "Magetan", "umur", "usia", "SMA"):
        assert preferred.lower() not in mitra_texts.lower()


def test_the_resume_lists_the_documents_and_the_preferred_criteria() -> None:
    client = signed_in(mitra())
    application = submitted(client)
    pdf = client.get(f"/lamaran/{application.number}/resume.pdf")
    pages = PdfReader(BytesIO(pdf.content)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    for name in ("KTP", "Foto terbaru", "Ijazah pendidikan terakhir"):
        assert name in text
    assert "Kabupaten Magetan: 10/10" in text and "50" in text


# The preference points, explained ------------------------------------------------------------


EXPECTED_POINTS = {
    "education_min": ("SMA/SMK/sederajat", 10),
    "domicile": ("Kabupaten Magetan", 10),
    "age_band": ("18", 10),
    "devices": ("", 5),
    "vehicle": ("", 5),
    "experience": ("", 10),
}


def rows_of(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-preference="(\w+)">(.*?)</tr>', html, flags=re.S))


def test_the_application_explains_each_preferred_criterion_and_its_points() -> None:
    user = mitra()
    client = signed_in(user)
    application = started(client)
    Profile.objects.filter(user=user).update(has_motorcycle=False)  # loses 5 points
    html = client.get(f"/lamaran/{application.number}/").content.decode()
    rows = rows_of(html)
    assert set(rows) == set(EXPECTED_POINTS)
    for code, (words, points) in EXPECTED_POINTS.items():
        assert words in rows[code] and f'<td class="num">{points}</td>' in rows[code]
    assert "status-closed" in rows["vehicle"] and "status-open" in rows["domicile"]
    assert re.search(r'class="num preference-total">45<', html)  # a draft counts the profile now


def test_a_submitted_application_shows_the_points_it_was_ranked_on() -> None:
    user = mitra()
    client = signed_in(user)
    application = submitted(client)
    Profile.objects.filter(user=user).update(has_motorcycle=False, has_smartphone=False)
    html = client.get(f"/lamaran/{application.number}/").content.decode()
    assert application.preference_points == 50
    assert re.search(r'class="num preference-total">50<', html)
    assert "status-closed" not in "".join(rows_of(html).values())


def test_the_openings_page_explains_the_points_before_applying() -> None:
    page = signed_in(mitra()).get(OPENINGS)
    rows = rows_of(page.content.decode())
    assert set(rows) == set(EXPECTED_POINTS)
    assert re.search(r'class="num preference-total">50<', page.content.decode())


def test_a_civil_servant_opening_shows_no_preference_points() -> None:
    client = signed_in(User.objects.get(email="pelamar.teknis@demo.seleksi.invalid"))
    html = client.get("/seleksi/aceh-tengah-casn-2021/melamar/").content.decode()
    assert "preference-total" not in html
    assert Formation.objects.filter(selection__code="aceh-tengah-casn-2021").exists()
