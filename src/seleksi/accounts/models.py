from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person who signs in: an applicant (pelamar), agency staff, or a superuser.

    Staff roles are not stored here: they are memberships of an agency (see
    `seleksi.agencies.models.Membership`), so one person can serve several agencies.
    """

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
