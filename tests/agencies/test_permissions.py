import pytest
from django.contrib.auth.models import AnonymousUser

from seleksi.agencies.models import Role
from seleksi.agencies.permissions import Capability, agency_ids_with, role_of, user_can
from tests.factories import make_agency, make_staff, make_superuser, make_user

pytestmark = pytest.mark.django_db


def test_each_role_holds_only_its_capabilities_in_its_own_agency() -> None:
    aceh, magetan = make_agency("aceh"), make_agency("magetan")
    admin = make_staff("admin", aceh, Role.ADMIN)
    committee = make_staff("panitia", aceh, Role.COMMITTEE)
    verifier = make_staff("verifikator", aceh, Role.VERIFIER)
    site_staff = make_staff("petugas", aceh, Role.SITE_STAFF)
    expected = {
        admin: {
            Capability.VIEW_AGENCY_DATA,
            Capability.MANAGE_SELECTIONS,
            Capability.IMPORT_FORMATIONS,
            Capability.MANAGE_TESTS,
        },
        committee: {
            Capability.VIEW_AGENCY_DATA,
            Capability.VERIFY_APPLICATIONS,
            Capability.DECIDE_RESULTS,
            Capability.MANAGE_TESTS,
            Capability.CHECK_IN,
        },
        verifier: {Capability.VIEW_AGENCY_DATA, Capability.VERIFY_APPLICATIONS},
        site_staff: {Capability.CHECK_IN},
    }
    for user, capabilities in expected.items():
        held = {c for c in Capability if user_can(user, c, aceh.pk)}
        assert held == capabilities, user.username
        assert not any(user_can(user, c, magetan.pk) for c in Capability)
        assert not any(user_can(user, c, None) for c in Capability)


def test_applicants_strangers_and_disabled_staff_hold_nothing() -> None:
    agency = make_agency()
    applicant = make_user("pelamar")
    disabled = make_staff("mantan", agency, Role.ADMIN)
    disabled.is_active = False
    disabled.save()
    for user in (applicant, AnonymousUser(), disabled, None):
        assert not any(user_can(user, c, agency.pk) for c in Capability)
        assert agency_ids_with(user, Capability.VIEW_AGENCY_DATA) == set()


def test_a_superuser_holds_everything_everywhere() -> None:
    root = make_superuser()
    agency = make_agency()
    assert all(user_can(root, c, agency.pk) for c in Capability)
    assert role_of(root, agency.pk) == "superuser"


def test_the_audited_role_is_the_strongest_one_held_in_that_agency() -> None:
    aceh, magetan = make_agency("aceh"), make_agency("magetan")
    person = make_staff("dua-peran", aceh, Role.VERIFIER)
    person.memberships.create(agency=aceh, role=Role.COMMITTEE)
    person.memberships.create(agency=magetan, role=Role.ADMIN)
    assert role_of(person, aceh.pk) == "committee"
    assert role_of(person, magetan.pk) == "admin"
    assert role_of(None, aceh.pk) == "system"
    assert role_of(make_user("pelamar"), aceh.pk) == "applicant"
