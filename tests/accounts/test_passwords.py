import pytest
from django.conf import settings as django_settings

import seleksi.settings as project_settings
from tests.accounts.helpers import make_applicant

pytestmark = pytest.mark.django_db


def test_production_hashes_passwords_and_answers_with_argon2(settings) -> None:  # type: ignore[no-untyped-def]
    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = make_applicant()
    assert user.password.startswith("argon2$")
    assert all(a.answer_hash.startswith("argon2$") for a in user.security_answers.all())
    assert "Siti" not in "".join(a.answer_hash for a in user.security_answers.all())
    assert django_settings.PASSWORD_HASHERS == project_settings.PASSWORD_HASHERS
