import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from django.conf import settings as django_settings
from django.contrib.auth.hashers import make_password

import seleksi.settings as project_settings
from seleksi.accounts.models import User
from tests.accounts.helpers import make_applicant

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_hashers(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    return settings


def parameters(encoded: str):  # type: ignore[no-untyped-def]
    algorithm, rest = encoded.split("$", 1)
    assert algorithm == "argon2"
    return extract_parameters("$" + rest)


def test_production_hashes_passwords_and_answers_with_argon2(production_hashers) -> None:  # type: ignore[no-untyped-def]
    assert project_settings.PASSWORD_HASHERS[0] == "seleksi.accounts.hashers.Argon2Hasher"
    user = make_applicant()
    assert user.password.startswith("argon2$")
    assert all(a.answer_hash.startswith("argon2$") for a in user.security_answers.all())
    assert "Siti" not in "".join(a.answer_hash for a in user.security_answers.all())
    assert django_settings.PASSWORD_HASHERS == project_settings.PASSWORD_HASHERS


def test_a_new_hash_is_argon2id_at_owasp_s_baseline(production_hashers) -> None:  # type: ignore[no-untyped-def]
    kept = parameters(make_password("kata-sandi-panjang"))
    assert (kept.type, kept.memory_cost, kept.time_cost, kept.parallelism) == (
        Type.ID,
        19456,
        2,
        1,
    )


def test_the_parameters_come_from_the_settings(production_hashers) -> None:  # type: ignore[no-untyped-def]
    production_hashers.SELEKSI_ARGON2_MEMORY_KIB = 47104
    production_hashers.SELEKSI_ARGON2_TIME_COST = 1
    kept = parameters(make_password("kata-sandi-panjang"))
    assert (kept.memory_cost, kept.time_cost, kept.parallelism) == (47104, 1, 1)


def test_a_hash_made_at_django_s_default_still_signs_in_and_is_rehashed(production_hashers) -> None:  # type: ignore[no-untyped-def]
    user = make_applicant()
    heavier = PasswordHasher(time_cost=2, memory_cost=102400, parallelism=8, type=Type.ID)
    User.objects.filter(pk=user.pk).update(password="argon2" + heavier.hash("kata-sandi-lama"))
    user.refresh_from_db()
    assert parameters(user.password).memory_cost == 102400

    assert user.check_password("kata-sandi-lama")
    user.refresh_from_db()
    assert parameters(user.password).memory_cost == 19456
    assert user.check_password("kata-sandi-lama")
    assert not user.check_password("kata-sandi-salah")
