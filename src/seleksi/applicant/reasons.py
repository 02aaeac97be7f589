"""What each eligibility reason says to the applicant, in their language."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from seleksi.rules.eligibility import Reason

STATEMENTS = {
    "not_asn": gettext_lazy(
        "I am not a civil servant (CPNS, PNS, PPPK), soldier or police officer."
    ),
    "no_conviction": gettext_lazy(
        "I have never been sentenced to prison for two years or more by a final court ruling."
    ),
    "not_in_party": gettext_lazy(
        "I am not a member or official of a political party and not involved in practical politics."
    ),
    "healthy": gettext_lazy("I am physically and mentally healthy for the position."),
    "willing_10_years": gettext_lazy(
        "I am willing to serve in the region for at least ten years, wherever I am placed."
    ),
}
PPPK_GROUPS = {
    "thk2": gettext_lazy("Former honorary staff THK-II in the BKN database"),
    "honorer_negeri": gettext_lazy("Honorary teacher at a state school, registered in Dapodik"),
    "guru_swasta": gettext_lazy("Teacher at a private school, registered in Dapodik"),
    "ppg": gettext_lazy("Teacher professional education (PPG) graduate, not yet teaching"),
}


class _Params(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def _date(value: str) -> str:
    try:
        return date_format(date.fromisoformat(value), "j F Y")
    except ValueError:
        return value


def _number(value: str) -> str:
    """A decimal with the separator of the interface language: IPK 3,41 in Indonesian."""
    try:
        return number_format(Decimal(value))
    except InvalidOperation:
        return value


def describe_reason(reason: Reason) -> str:
    params: Mapping[str, str] = _Params(reason.params)
    values = _Params(params)
    for key in ("reference_date", "valid_until"):
        if key in params:
            values[key] = _date(params[key])
    if reason.code in ("ipk_missing", "ipk_below_minimum"):
        for key in ("ipk", "minimum"):
            if key in params:
                values[key] = _number(params[key])
    if "statement" in params:
        values["statement"] = str(STATEMENTS.get(params["statement"], params["statement"]))
    messages = {
        "birth_date_missing": _("Your date of birth is missing from your account."),
        "education_missing": _("Add your education history to your profile first."),
        "age_below_minimum": _(
            "Age %(years)s years %(months)s months on %(reference_date)s; the minimum is "
            "%(limit)s years."
        ),
        "age_above_maximum": _(
            "Age %(years)s years %(months)s months on %(reference_date)s; the limit is "
            "%(limit)s years."
        ),
        "qualification_not_matched": _(
            "Your education (%(held)s) is not among the qualifications of this opening: "
            "%(required)s."
        ),
        "not_accredited": _(
            "Your study programme (%(qualification)s) was not accredited when you graduated."
        ),
        "ipk_below_minimum": _("Your IPK %(ipk)s is below the minimum %(minimum)s."),
        "ipk_missing": _(
            "This opening requires an IPK of at least %(minimum)s; enter your IPK in your "
            "education history."
        ),
        "birth_date_after_reference_date": _(
            "Your date of birth is after %(reference_date)s; check it in your account."
        ),
        "str_missing": _("Health positions require a valid STR; add your STR to your profile."),
        "str_validity_missing": _(
            "Enter how long your STR is valid (its expiry date, or that it is valid for life)."
        ),
        "str_expired": _(
            "Your STR was valid until %(valid_until)s; it must be valid on %(reference_date)s."
        ),
        "disability_not_declared": _(
            "This opening is for applicants with a disability; declare the kind and degree of "
            "your disability in your profile."
        ),
        "pppk_group_missing": _(
            "Choose the group that entitles you to apply for PPPK teacher openings."
        ),
        "pppk_group_not_allowed": _(
            "The group you chose may not apply for this opening; allowed: %(allowed)s."
        ),
        "civil_servant": _("Civil servants, soldiers and police officers cannot apply."),
        "statement_missing": _("The statement is required: “%(statement)s”"),
    }
    template = messages.get(reason.code)
    if template is None:
        return reason.code
    return template % values
