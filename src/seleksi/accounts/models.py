from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from seleksi.rules.nik import mask_number

from .crypto import decrypt_text


class Sex(models.TextChoices):
    MALE = "L", _("Male")
    FEMALE = "P", _("Female")


class User(AbstractUser):
    """A person who signs in: an applicant (pelamar), agency staff, or a superuser.

    Staff roles are not stored here: they are memberships of an agency (see
    `seleksi.agencies.models.Membership`), so one person can serve several agencies.
    Applicants sign in with their NIK or e-mail address; the NIK and KK numbers are kept
    encrypted (`*_cipher`) and found by keyed hash (`*_hash`), never in clear.
    """

    class RegistryStatus(models.TextChoices):
        UNCHECKED = "unchecked", _("Not checked")
        MATCH = "match", _("Matches the population registry")

    full_name = models.CharField(_("full name"), max_length=255, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    nik_cipher = models.TextField(editable=False, blank=True)
    nik_hash = models.CharField(max_length=64, editable=False, blank=True)
    kk_cipher = models.TextField(editable=False, blank=True)
    kk_hash = models.CharField(max_length=64, editable=False, blank=True, db_index=True)
    registry_status = models.CharField(
        _("population registry"),
        max_length=16,
        choices=RegistryStatus.choices,
        default=RegistryStatus.UNCHECKED,
    )
    registry_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    email_verified_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="id",
        help_text=_("The language of the notices and e-mails this person receives."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="user_unique_email_ci",
                violation_error_message=_("This e-mail address is already registered."),
            ),
            models.UniqueConstraint(
                fields=["nik_hash"],
                condition=~models.Q(nik_hash=""),
                name="user_unique_nik",
                violation_error_message=_("This NIK is already registered."),
            ),
        ]

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def is_activated(self) -> bool:
        return self.email_verified_at is not None

    @property
    def nik(self) -> str:
        """The clear NIK, for its owner's own pages only."""
        return decrypt_text(self.nik_cipher) if self.nik_cipher else ""

    @property
    def kk(self) -> str:
        return decrypt_text(self.kk_cipher) if self.kk_cipher else ""

    @property
    def nik_masked(self) -> str:
        return mask_number(self.nik) if self.nik_cipher else ""

    @property
    def kk_masked(self) -> str:
        return mask_number(self.kk) if self.kk_cipher else ""


SECURITY_QUESTIONS = [
    ("mother", _("What is your mother's maiden name?")),
    ("primary_school", _("What was the name of your first primary school?")),
    ("childhood_friend", _("What is the first name of your childhood best friend?")),
    ("birth_village", _("In which village or kelurahan was your father born?")),
    ("first_teacher", _("What was the name of your first teacher?")),
    ("favourite_food", _("What was your favourite food as a child?")),
]


class SecurityAnswer(models.Model):
    """One of the two security questions (pertanyaan pengaman) and its hashed answer."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security_answers"
    )
    position = models.PositiveSmallIntegerField()
    question = models.CharField(max_length=32, choices=SECURITY_QUESTIONS)
    answer_hash = models.CharField(max_length=255)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user", "position"]
        constraints = [
            models.UniqueConstraint(fields=["user", "position"], name="security_answer_position")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.position}"


class Throttle(models.Model):
    """One counter per key, as healthchecks keeps its token buckets: how many failures (or
    uses) the key had in its current window. The key is a keyed hash of what it counts (an
    account, an address, a NIK), so this table holds no NIK, e-mail or IP address in clear.
    Rows are updated in place, never added per attempt; `seleksi prune-attempts` removes the
    ones whose window has ended."""

    key = models.CharField(max_length=64, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_ends = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.count} until {self.window_ends:%Y-%m-%d %H:%M}"


class Profile(models.Model):
    """What later stages read about an applicant, beyond the account itself."""

    class DisabilityType(models.TextChoices):
        PHYSICAL = "physical", _("Physical")
        INTELLECTUAL = "intellectual", _("Intellectual")
        MENTAL = "mental", _("Mental")
        SENSORY_SIGHT = "sight", _("Sensory: sight")
        SENSORY_HEARING = "hearing", _("Sensory: hearing")
        SENSORY_SPEECH = "speech", _("Sensory: speech")

    class DisabilityDegree(models.TextChoices):
        MILD = "mild", _("Mild")
        MODERATE = "moderate", _("Moderate")
        SEVERE = "severe", _("Severe")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    place_of_birth = models.CharField(_("place of birth"), max_length=128, blank=True)
    address = models.TextField(_("address"), blank=True)
    domicile_regency = models.ForeignKey(
        "reference.Regency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("regency of domicile"),
    )
    disability_type = models.CharField(
        _("disability"), max_length=16, choices=DisabilityType.choices, blank=True
    )
    disability_degree = models.CharField(
        _("degree of disability"), max_length=16, choices=DisabilityDegree.choices, blank=True
    )
    is_civil_servant = models.BooleanField(
        _("I am a civil servant (PNS/PPPK), soldier or police officer"), default=False
    )
    government_ties = models.TextField(
        _("ties to other government bodies"),
        blank=True,
        help_text=_("e.g. a contract or honorary position; leave empty if none."),
    )
    str_number = models.CharField(_("STR number"), max_length=64, blank=True)
    str_valid_until = models.DateField(
        _("STR valid until"),
        null=True,
        blank=True,
        help_text=_("Leave empty for a lifetime STR."),
    )
    str_lifetime = models.BooleanField(_("STR valid for life"), default=False)
    teaching_certificate_number = models.CharField(
        _("teaching certificate (SERDIK) number"), max_length=64, blank=True
    )
    survey_experience = models.TextField(
        _("census and survey experience"),
        blank=True,
        help_text=_("Which census or survey activities, for which office, and when."),
    )
    has_smartphone = models.BooleanField(_("I own a smartphone"), default=False)
    has_computer = models.BooleanField(_("I own a computer or laptop"), default=False)
    has_tablet = models.BooleanField(_("I own a tablet"), default=False)
    has_motorcycle = models.BooleanField(_("I own a motor vehicle and can ride it"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"profile {self.user_id}"

    def devices(self) -> list[str]:
        """What the person declared owning, by name (a mitra's preferred criteria rest on it)."""
        owned = (
            (self.has_smartphone, _("smartphone")),
            (self.has_computer, _("computer or laptop")),
            (self.has_tablet, _("tablet")),
            (self.has_motorcycle, _("motor vehicle")),
        )
        return [str(name) for has, name in owned if has]


class Education(models.Model):
    """One completed education (riwayat pendidikan)."""

    class Accreditation(models.TextChoices):
        UNGGUL = "unggul", "Unggul"
        A = "A", "A"
        BAIK_SEKALI = "baik_sekali", "Baik Sekali"
        B = "B", "B"
        BAIK = "baik", "Baik"
        C = "C", "C"
        NONE = "none", _("Not accredited")
        FOREIGN = "foreign", _("Foreign degree with equivalence")
        NOT_APPLICABLE = "na", _("Not applicable (school)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="educations"
    )
    level = models.ForeignKey(
        "reference.EducationLevel",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("level"),
    )
    institution = models.CharField(_("institution"), max_length=255)
    study_programme = models.CharField(_("study programme"), max_length=255, blank=True)
    accreditation = models.CharField(
        _("accreditation at graduation"), max_length=16, choices=Accreditation.choices
    )
    graduated_on = models.DateField(_("date of graduation"))
    ipk = models.DecimalField(
        _("grade point average (IPK)"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00")), MaxValueValidator(Decimal("4.00"))],
    )
    is_exact_science = models.BooleanField(
        _("exact-science programme"),
        default=False,
        help_text=_("Mathematics, natural sciences, engineering and the like (IPK rule)."),
    )

    class Meta:
        verbose_name = _("education")
        verbose_name_plural = _("education history")
        ordering = ["user", "-graduated_on"]

    def __str__(self) -> str:
        return f"{self.level_id} {self.institution}"
