"""The preferred criteria (diutamakan) of a selection, as the applicant reads them: each
criterion of the policy with its points and whether this person meets it, and the total.

A bare "preference points 50" tells nobody which criteria count or what they are worth;
the policy is the source, so the list always matches what the ranking adds."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from seleksi.reference.models import EducationLevel, Regency
from seleksi.rules.eligibility import EligibilityPolicy, Preference, PreferenceCode


@dataclass(frozen=True)
class PreferenceRow:
    code: str
    text: str
    points: int
    met: bool


@dataclass(frozen=True)
class PreferenceSummary:
    rows: tuple[PreferenceRow, ...]
    total: int
    maximum: int


def _describe(preference: Preference) -> str:
    match preference.code:
        case PreferenceCode.EDUCATION_MIN:
            code = preference.param("level")
            level = EducationLevel.objects.filter(code=code).first()
            return _("Education at least %(level)s") % {"level": level.name if level else code}
        case PreferenceCode.DOMICILE:
            code = preference.param("regency")
            regency = Regency.objects.filter(code=code).first()
            return _("Domicile in %(regency)s") % {"regency": regency.name if regency else code}
        case PreferenceCode.AGE_BAND:
            return _("Aged %(minimum)s to %(maximum)s years on the registration date") % {
                "minimum": preference.param("minimum"),
                "maximum": preference.param("maximum"),
            }
        case PreferenceCode.DEVICES:
            return _("Has and can use a computer, tablet or smartphone")
        case PreferenceCode.VEHICLE:
            return _("Has and can ride a motor vehicle")
        case PreferenceCode.EXPERIENCE:
            return _("Experience in BPS census or survey work")
    return preference.code


def preference_summary(policy: EligibilityPolicy, met: Iterable[str]) -> PreferenceSummary | None:
    """Every preferred criterion of `policy`, marked met when its code is in `met`; None when
    the policy prefers nothing (then there are no points to explain)."""
    if not policy.preferences:
        return None
    met_codes = set(met)
    rows = tuple(
        PreferenceRow(
            code=preference.code,
            text=_describe(preference),
            points=preference.points,
            met=preference.code in met_codes,
        )
        for preference in policy.preferences
    )
    return PreferenceSummary(
        rows=rows,
        total=sum(row.points for row in rows if row.met),
        maximum=sum(row.points for row in rows),
    )
