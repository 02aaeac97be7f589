"""The committee's announcement pages: drafting, previewing and publishing by clicking, the
template page, the form errors, and who may open them."""

import html
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from seleksi.accounts.models import User
from seleksi.announcements.models import Announcement, AnnouncementTemplate, Kind
from seleksi.audit.models import AuditEvent
from seleksi.committee.announcement_views import public_url
from seleksi.core.privacy import masked_name
from tests.accounts.helpers import CommitClient
from tests.announcements.conftest import World, make_world
from tests.factories import make_user

LIST = "/panitia/umum-2026/pengumuman/"


@pytest.fixture
def world(db: None) -> World:
    return make_world()


def signed_in(user: User, language: str = "en") -> Client:
    client = CommitClient()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def field_errors(response: Any, name: str) -> list[str]:
    """The errors shown next to field `name`, as the page rendered them (in its language)."""
    block = re.search(rf'id="errors-{name}"[^>]*>(.*?)</div>', response.content.decode(), re.DOTALL)
    assert block is not None, f"no field {name} on the page"
    return [html.unescape(text) for text in re.findall(r"<li>(.*?)</li>", block.group(1))]


def draft_fields(**fields: str) -> dict[str, str]:
    return {
        "number": "800/12/PANSEL/2026",
        "dated_on": "2026-12-03",
        "signatory_name": "Ketua Panitia Contoh",
        "signatory_title": "Ketua Panitia Seleksi",
        "signatory_nip": "",
        **fields,
    }


def test_the_committee_drafts_previews_and_publishes_the_final_result(world: World) -> None:
    run = world.final()
    client = signed_in(world.committee)

    home = client.get("/panitia/").content.decode()
    assert LIST in home
    runs = client.get("/panitia/umum-2026/peringkat/").content.decode()
    assert LIST in runs
    listing = client.get(LIST).content.decode()
    new_url = "/panitia/umum-2026/pengumuman/baru/?jenis=akhir"
    assert new_url in listing
    assert "is not published yet" in listing  # the administrative result

    assert f"ranking run #{run.pk}" in client.get(new_url).content.decode()
    response = client.post(new_url, draft_fields())
    assert response.status_code == 302
    draft = Announcement.objects.get()
    assert response["Location"] == f"/panitia/pengumuman/{draft.pk}/"

    page = client.get(response["Location"])
    text = page.content.decode()
    assert "Preview" in text and "Nothing is public yet" in text
    assert masked_name("=Siti Aminah") in text and "Aminah" not in text
    assert "Seleksi CPNS Kabupaten Contoh 2026" in text
    fingerprint = page.context["preview"].fingerprint
    assert not draft.rows.exists()

    wrong = client.post(
        response["Location"],
        {"action": "publish", "confirm_number": "800/12", "fingerprint": fingerprint},
    )
    assert wrong.status_code == 400
    assert "Type the announcement&#x27;s number exactly as shown" in wrong.content.decode()
    assert not Announcement.objects.get().is_published

    published = client.post(
        response["Location"],
        {"action": "publish", "confirm_number": draft.number, "fingerprint": fingerprint},
        follow=True,
    )
    text = published.content.decode()
    assert "is published: 4 rows" in text
    draft.refresh_from_db()
    assert draft.is_published and draft.fingerprint == fingerprint and draft.rows.count() == 4
    assert f'id="public-link" href="{public_url(draft)}"' in text
    assert public_url(draft).endswith(f"/umum-2026/pengumuman/{draft.pk}/")
    assert AuditEvent.objects.filter(action="announcement.published").count() == 1

    again = client.post(
        response["Location"],
        {"action": "publish", "confirm_number": draft.number, "fingerprint": fingerprint},
    )
    assert again.status_code == 302
    assert AuditEvent.objects.filter(action="announcement.published").count() == 1
    listing = client.get(LIST).content.decode()
    assert "Correct 800/12/PANSEL/2026" in listing


def test_form_errors_say_what_to_fix_in_the_readers_language(world: World) -> None:
    world.rank("skd")
    url = "/panitia/umum-2026/pengumuman/baru/?jenis=skd"
    english = signed_in(world.committee).post(
        url, draft_fields(number="", dated_on="3 Desember", signatory_nip="123")
    )
    assert english.status_code == 400
    assert field_errors(english, "number") == [
        "Give the announcement's number, as on the signed letter."
    ]
    assert field_errors(english, "dated_on") == [
        "Give the date as year-month-day, for example 2026-12-03."
    ]
    indonesian = signed_in(world.committee, "id").post(url, draft_fields(number=""))
    with translation.override("id"):
        expected = gettext("Give the announcement's number, as on the signed letter.")
    assert field_errors(indonesian, "number") == [expected]
    nip = signed_in(world.committee).post(url, draft_fields(signatory_nip="123"))
    assert field_errors(nip, "signatory_nip") == [
        "A NIP has 18 digits; leave it empty if the signatory has none."
    ]
    assert not Announcement.objects.exists()


def test_editing_a_draft_keeps_what_was_typed_when_it_is_refused(world: World) -> None:
    world.rank("skd")
    draft = world.draft(Kind.SKD)
    client = signed_in(world.committee)
    url = f"/panitia/pengumuman/{draft.pk}/"
    response = client.post(
        url,
        {
            "action": "save",
            **draft_fields(number="9/2026"),
            "title": "Pengumuman SKD",
            "body": "Hasil $tahap untuk $selection",
        },
    )
    assert response.status_code == 400
    form = response.context["edit_form"]
    assert field_errors(response, "body") == [
        "Unknown placeholder: $tahap. Use only the placeholders listed under the text."
    ]
    assert form["number"].value() == "9/2026"
    draft.refresh_from_db()
    assert draft.number == "800/12/PANSEL/2026"


def test_the_template_page_saves_the_agencys_text(world: World) -> None:
    client = signed_in(world.committee)
    url = "/panitia/umum-2026/pengumuman/templat/akhir/"
    page = client.get(url).content.decode()
    assert "$participants" in page and "The shipped text is in use" in page
    bad = client.post(url, {"body": "Rp 100$"})
    assert bad.status_code == 400 and "write $$ for a dollar sign" in bad.content.decode()
    saved = client.post(url, {"body": "Hasil akhir $selection."})
    assert saved.status_code == 302
    assert AnnouncementTemplate.objects.get(kind="akhir").body == "Hasil akhir $selection."
    assert AuditEvent.objects.filter(action="announcement.template_saved").count() == 1
    assert client.get("/panitia/umum-2026/pengumuman/templat/tidak-ada/").status_code == 404


def test_other_agencies_and_applicants_get_a_404(world: World) -> None:
    world.rank("skd")
    draft = world.draft(Kind.SKD)
    urls = [
        LIST,
        "/panitia/umum-2026/pengumuman/baru/?jenis=skd",
        f"/panitia/pengumuman/{draft.pk}/",
        "/panitia/umum-2026/pengumuman/templat/skd/",
    ]
    for user in (world.other_committee, make_user("pelamar-tamu")):
        client = signed_in(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        response = client.post(
            f"/panitia/pengumuman/{draft.pk}/",
            {"action": "publish", "confirm_number": draft.number},
        )
        assert response.status_code == 404
    assert not Announcement.objects.get().is_published
    anonymous = Client().get(LIST)
    assert anonymous.status_code == 302 and "next=" in anonymous["Location"]


def test_a_verifier_reads_but_cannot_draft_or_publish(world: World) -> None:
    world.rank("skd")
    draft = world.draft(Kind.SKD)
    client = signed_in(world.verifier)
    listing = client.get(LIST)
    assert listing.status_code == 200
    assert "New announcement" not in listing.content.decode()
    assert client.get("/panitia/umum-2026/pengumuman/baru/?jenis=skd").status_code == 404
    detail = client.get(f"/panitia/pengumuman/{draft.pk}/").content.decode()
    assert "publish-form" not in detail
    response = client.post(
        f"/panitia/pengumuman/{draft.pk}/", {"action": "publish", "confirm_number": draft.number}
    )
    assert response.status_code == 404
    assert not Announcement.objects.get().is_published


def test_a_correction_is_drafted_from_the_list(world: World) -> None:
    world.rank("skd")
    first = world.publish(world.draft(Kind.SKD))
    client = signed_in(world.committee)
    url = f"/panitia/umum-2026/pengumuman/baru/?jenis=skd&koreksi={first.pk}"
    assert f"koreksi={first.pk}" in client.get(LIST).content.decode()
    missing_reason = client.post(url, draft_fields(number="2/2026"))
    assert field_errors(missing_reason, "correction_reason") == [
        "Say what the correction changes and why."
    ]
    response = client.post(url, draft_fields(number="2/2026", correction_reason="Nama salah"))
    assert response.status_code == 302
    correction = Announcement.objects.get(number="2/2026")
    assert correction.corrects == first
    assert (
        client.get(
            f"/panitia/umum-2026/pengumuman/baru/?jenis=akhir&koreksi={first.pk}"
        ).status_code
        == 404
    )
    assert re.search(r"corrects\s+800/12/PANSEL/2026", client.get(LIST).content.decode())
