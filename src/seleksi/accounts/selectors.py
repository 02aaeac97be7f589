from django.utils.translation import gettext_lazy as _

from .models import Profile, User


def profile_missing(user: User) -> list[str]:
    """What the applicant still has to fill in before applying, in their language."""
    profile = Profile.objects.filter(user=user).first()
    missing = []
    if not user.is_activated:
        missing.append(_("Activate your account from the link in your e-mail."))
    if not user.nik_cipher:
        missing.append(_("Add your NIK and family card number."))
    if not (user.full_name and user.birth_date and user.sex and user.phone):
        missing.append(_("Full name, date of birth, sex and phone number."))
    if profile is None or not (
        profile.place_of_birth and profile.address and profile.domicile_regency_id
    ):
        missing.append(_("Place of birth, address and regency of domicile."))
    if not user.educations.exists():
        missing.append(_("At least one education (your highest)."))
    return [str(item) for item in missing]
