"""The agency console: what each role may see and change, and that changes are audited."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from seleksi.agencies.models import Role
from seleksi.audit.models import AuditEvent
from seleksi.selections.models import Formation, Selection
from seleksi.selections.tables import write_csv
from tests.factories import (
    PASSWORD,
    formation_rows,
    import_rows,
    make_agency,
    make_selection,
    make_staff,
    make_superuser,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, object]:
    aceh, magetan = make_agency("aceh"), make_agency("magetan")
    aceh_selection = make_selection(aceh, "aceh-2026")
    magetan_selection = make_selection(magetan, "magetan-2026")
    import_rows(aceh_selection, formation_rows(3, "A"))
    import_rows(magetan_selection, formation_rows(3, "M"))
    return {
        "aceh": aceh,
        "aceh_selection": aceh_selection,
        "magetan_selection": magetan_selection,
        "admin": make_staff("admin.aceh", aceh, Role.ADMIN),
        "verifier": make_staff("verif.aceh", aceh, Role.VERIFIER),
        "other_admin": make_staff("admin.magetan", magetan, Role.ADMIN),
    }


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def import_url(selection: Selection) -> str:
    return f"/kelola/selections/selection/{selection.pk}/formasi/impor/"


def upload(rows: list[list[str]], name: str = "formasi.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, write_csv([tuple(r) for r in rows]), "text/csv")


def selection_change_form(selection: Selection, *, title: str, change_reason: str) -> dict:
    """The console's change form of `selection` with a new title, its stages sent back as
    they are and no other inline rows."""
    form: dict = {
        "agency": selection.agency_id,
        "code": selection.code,
        "kind": selection.kind,
        "title": title,
        "is_published": "on",
        "objection_days": 3,
        "change_reason": change_reason,
    }
    for prefix in ("stages", "requirements", "document_rules", "contacts", "rejection_reasons"):
        form |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    stages = list(selection.stages.all())
    form["stages-TOTAL_FORMS"] = form["stages-INITIAL_FORMS"] = len(stages)
    for index, stage in enumerate(stages):
        form |= {
            f"stages-{index}-id": stage.pk,
            f"stages-{index}-selection": selection.pk,
            f"stages-{index}-order": stage.order,
            f"stages-{index}-kind": stage.kind,
            f"stages-{index}-name": stage.name,
            f"stages-{index}-starts_on": stage.starts_on.isoformat() if stage.starts_on else "",
            f"stages-{index}-ends_on": stage.ends_on.isoformat() if stage.ends_on else "",
        }
    return form


def test_an_agency_admin_sees_only_their_agency_selections(world: dict) -> None:
    client = signed_in("admin.aceh")
    listing = client.get("/kelola/selections/selection/").content.decode()
    assert "aceh-2026" in listing and "magetan-2026" not in listing
    other = world["magetan_selection"]
    assert client.get(f"/kelola/selections/selection/{other.pk}/change/").status_code in {302, 404}
    assert client.get(import_url(other)).status_code == 404
    formations = client.get("/kelola/selections/formation/", {"q": "M-0001"})
    assert formations.context["cl"].result_count == 0
    assert "magetan-2026" not in formations.content.decode()


def test_an_agency_admin_imports_their_allocation_and_it_is_audited(world: dict) -> None:
    client = signed_in("admin.aceh")
    selection = world["aceh_selection"]
    response = client.post(import_url(selection), {"file": upload(formation_rows(5, "A"))})
    assert response.status_code == 302
    assert Formation.objects.filter(selection=selection).count() == 5
    event = AuditEvent.objects.get(action="formations.imported", actor=world["admin"])
    assert event.actor_role == "admin"
    assert event.details["created"] == 2 and event.details["source"] == "console:formasi.csv"


def test_a_bad_upload_shows_each_error_and_keeps_the_old_allocation(world: dict) -> None:
    client = signed_in("admin.aceh")
    selection = world["aceh_selection"]
    rows = formation_rows(5, "A")
    rows[3][6] = "0"
    response = client.post(import_url(selection), {"file": upload(rows)})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="import-issues"' in html
    assert "<td>5</td><td>kuota</td>" in html
    assert Formation.objects.filter(selection=selection).count() == 3


def test_an_unreadable_upload_is_refused_next_to_the_field(world: dict, tmp_path: Path) -> None:
    client = signed_in("admin.aceh")
    bad = SimpleUploadedFile("formasi.xlsx", b"not a workbook", "application/octet-stream")
    response = client.post(import_url(world["aceh_selection"]), {"file": bad})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert Formation.objects.filter(selection=world["aceh_selection"]).count() == 3


def test_a_verifier_may_look_but_not_import_or_edit(world: dict) -> None:
    client = signed_in("verif.aceh")
    selection = world["aceh_selection"]
    assert client.get("/kelola/selections/selection/").status_code == 200
    assert client.get(import_url(selection)).status_code == 403
    response = client.post(import_url(selection), {"file": upload(formation_rows(5, "A"))})
    assert response.status_code == 403
    assert Formation.objects.filter(selection=selection).count() == 3
    change = client.post(
        f"/kelola/selections/selection/{selection.pk}/change/",
        {"title": "diubah", "change_reason": "coba"},
    )
    assert change.status_code == 403
    assert Selection.objects.get(pk=selection.pk).title != "diubah"


def test_applicants_and_strangers_are_kept_out_of_the_console(world: dict) -> None:
    make_user("pelamar")
    applicant = signed_in("pelamar")
    assert applicant.get("/kelola/selections/selection/").status_code == 302
    assert applicant.get(import_url(world["aceh_selection"])).status_code == 302
    anonymous = Client().get(import_url(world["aceh_selection"]))
    assert anonymous.status_code == 302 and "/kelola/login/" in anonymous["Location"]


def test_only_a_superuser_manages_agencies_and_staff(world: dict) -> None:
    admin = signed_in("admin.aceh")
    assert admin.get("/kelola/agencies/agency/").status_code == 403
    assert admin.get("/kelola/accounts/user/").status_code == 403
    make_superuser()
    root = signed_in("root")
    assert root.get("/kelola/agencies/agency/").status_code == 200
    listing = root.get("/kelola/selections/selection/").content.decode()
    assert "aceh-2026" in listing and "magetan-2026" in listing


def test_changing_a_selection_needs_a_reason_that_is_audited(world: dict) -> None:
    client = signed_in("admin.aceh")
    selection = world["aceh_selection"]
    url = f"/kelola/selections/selection/{selection.pk}/change/"
    # the stages inline already holds two rows: they are sent back unchanged
    form = selection_change_form(selection, title="Judul baru", change_reason="")
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["change_reason"]
    assert Selection.objects.get(pk=selection.pk).title != "Judul baru"

    form["change_reason"] = "Salah ketik pada judul"
    assert client.post(url, form).status_code == 302
    assert Selection.objects.get(pk=selection.pk).title == "Judul baru"
    event = AuditEvent.objects.get(action="selection.updated")
    assert event.reason == "Salah ketik pada judul"
    assert event.actor_id == world["admin"].pk
    assert "Title" in str(event.details["changes"])


def test_an_admin_cannot_create_a_selection_for_another_agency(world: dict) -> None:
    client = signed_in("admin.aceh")
    form = {
        "agency": world["other_admin"].memberships.get().agency_id,
        "code": "curang",
        "kind": "casn",
        "title": "Curang",
        "objection_days": 3,
    }
    for prefix in ("stages", "requirements", "document_rules", "contacts", "rejection_reasons"):
        form |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    response = client.post("/kelola/selections/selection/add/", form)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["agency"]
    assert not Selection.objects.filter(code="curang").exists()


def test_the_audit_trail_is_visible_only_within_the_agency(world: dict) -> None:
    signed_in("admin.aceh").post(
        import_url(world["aceh_selection"]), {"file": upload(formation_rows(4, "A"))}
    )
    mine = signed_in("admin.aceh").get("/kelola/audit/auditevent/").content.decode()
    theirs = signed_in("admin.magetan").get("/kelola/audit/auditevent/").content.decode()
    assert "formations.imported" in mine
    assert "aceh-2026" not in theirs and "Seleksi aceh-2026" not in theirs


def test_the_console_exports_the_allocation_as_csv(world: dict) -> None:
    client = signed_in("verif.aceh")
    selection = world["aceh_selection"]
    response = client.get(f"/kelola/selections/selection/{selection.pk}/formasi/ekspor.csv")
    assert response.status_code == 200
    assert response.content.decode().count("\nA-") == 3
    other = world["magetan_selection"]
    assert (
        client.get(f"/kelola/selections/selection/{other.pk}/formasi/ekspor.csv").status_code == 404
    )


def test_editing_one_opening_uses_the_import_rules_and_keeps_filters_true(world: dict) -> None:
    client = signed_in("admin.aceh")
    formation = Formation.objects.get(code="A-0001")
    url = f"/kelola/selections/formation/{formation.pk}/change/"
    form = {
        "procurement_type": "CPNS",
        "formation_type": "umum",
        "position_category": "teknis",
        "position": "Analis Baru",
        "qualifications_text": "S-1 Hukum; S-1 Hukum",
        "placement_unit": "Inspektorat",
        "quota": "0",
    }
    refused = client.post(url, form)
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert "qualifications_text" in errors and "quota" in errors
    form |= {"qualifications_text": "S-1 Hukum; S-1 Ilmu Pemerintahan", "quota": "2"}
    assert client.post(url, form).status_code == 302
    formation.refresh_from_db()
    assert formation.quota == 2
    names = list(formation.qualifications.values_list("name", flat=True))
    assert names == ["S-1 Hukum", "S-1 Ilmu Pemerintahan"]
    public = Client().get("/seleksi/aceh-2026/formasi/", {"kualifikasi": "S-1 Hukum"})
    assert [f.code for f in public.context["page"].object_list] == ["A-0001"]
    assert AuditEvent.objects.filter(action="formation.updated", actor=world["admin"]).exists()
    other = Formation.objects.get(code="M-0001")
    stolen = client.post(f"/kelola/selections/formation/{other.pk}/change/", form)
    assert stolen.status_code in {302, 403, 404}
    other.refresh_from_db()
    assert other.position != "Analis Baru"


def test_the_formation_list_is_for_changing_to_an_admin_and_for_viewing_to_a_verifier(
    world: dict,
) -> None:
    formations = "/kelola/selections/formation/"
    admin_page = signed_in("admin.aceh").get(formations)
    verifier_page = signed_in("verif.aceh").get(formations)

    assert admin_page.context["cl"].title == "Pilih formasi untuk diubah"
    assert verifier_page.context["cl"].title == "Pilih formasi untuk melihat"
    assert f"{formations}add/" not in admin_page.content.decode()  # openings come by import
