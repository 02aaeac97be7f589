"""Eligibility (syarat pelamar): whether an applicant may apply for an opening (formasi), and
exactly why not.

`evaluate` runs every gate of an `EligibilityPolicy` and returns all the failures at once, as
`Reason`s: a code and string parameters, never prose, so that the Django layer writes the
sentence in the applicant's language. Policies are data (`policies/<code>.json`), named after
the announcement they come from; `load_policy` reads them.

Decisions worth knowing:

- Age is counted in completed years and months (`age_on`). An anniversary that falls on a day
  the month lacks is reached on the 1st of the next month: someone born 29 February completes
  a year on 1 March in non-leap years, someone born 31 January a month on 1 March.
- Limits compare completed years, so "paling tinggi 35 tahun" admits 35 years 11 months.
- Reasons come in a fixed order: missing profile data, age, qualification, accreditation, IPK,
  STR, disability, PPPK Guru group, civil servant, statements. A gate that needs data the
  profile lacks reports the missing data and is skipped.
- Accreditation and IPK judge the education that matched the formation's qualifications (the
  most recent one if several match). Without a match they are skipped: the qualification
  reason already says why, and no other education could be the basis of the application.
- Codes (procurement type, formation type, category, level, statement) are compared exactly;
  human text (qualifications, positions, keywords) after `normalise_text`.
- A policy with no age window for a procurement type sets no age gate for it; an empty
  `pppk_guru_groups` sets no group gate.
- The civil-servant gate belongs to the "not_asn" statement: a policy that asks for that
  statement also turns away anyone whose profile says they are ASN.
- Preferences (diutamakan) only add points; they never make anyone ineligible. They are scored
  for every policy; a CASN policy simply has none.
"""

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from typing import Any

from seleksi.rules.formations import PositionCategory, ProcurementType
from seleksi.rules.policy_files import read_policy, shipped_codes

POLICY_PACKAGE = "seleksi.rules.policies"
LIST_SEPARATOR = "; "
NOT_ASN = "not_asn"

# accounts.Education.Accreditation codes that count as accredited at graduation: every BAN-PT
# or LAM grade, a foreign degree with its equivalence (penyetaraan), and a school ("na").
ACCREDITED: frozenset[str] = frozenset(
    {"unggul", "A", "baik_sekali", "B", "baik", "C", "foreign", "na"}
)

_HYPHENS = str.maketrans("", "", "-\u2010\u2011\u2012\u2013\u2014\u2212")
_DIGITS = re.compile(r"[0-9]+")


class ReasonCode(StrEnum):
    """In the order `evaluate` reports them. Parameters: age_* years, months, reference_date,
    limit; birth_date_after_reference_date birth_date, reference_date;
    qualification_not_matched required, held; not_accredited accreditation, qualification;
    ipk_missing minimum, kind; ipk_below_minimum ipk, minimum, kind; str_expired valid_until,
    reference_date; disability_not_declared formation_type; pppk_group_missing allowed;
    pppk_group_not_allowed group, allowed; statement_missing statement; the others none."""

    BIRTH_DATE_MISSING = "birth_date_missing"
    EDUCATION_MISSING = "education_missing"
    BIRTH_DATE_AFTER_REFERENCE_DATE = "birth_date_after_reference_date"
    AGE_BELOW_MINIMUM = "age_below_minimum"
    AGE_ABOVE_MAXIMUM = "age_above_maximum"
    QUALIFICATION_NOT_MATCHED = "qualification_not_matched"
    NOT_ACCREDITED = "not_accredited"
    IPK_MISSING = "ipk_missing"
    IPK_BELOW_MINIMUM = "ipk_below_minimum"
    STR_MISSING = "str_missing"
    STR_VALIDITY_MISSING = "str_validity_missing"
    STR_EXPIRED = "str_expired"
    DISABILITY_NOT_DECLARED = "disability_not_declared"
    PPPK_GROUP_MISSING = "pppk_group_missing"
    PPPK_GROUP_NOT_ALLOWED = "pppk_group_not_allowed"
    CIVIL_SERVANT = "civil_servant"
    STATEMENT_MISSING = "statement_missing"


class PreferenceCode(StrEnum):
    """The mitra criteria an announcement marks "diutamakan" (preferred)."""

    EDUCATION_MIN = "education_min"
    DOMICILE = "domicile"
    AGE_BAND = "age_band"
    DEVICES = "devices"
    VEHICLE = "vehicle"
    EXPERIENCE = "experience"


class IpkKind(StrEnum):
    EXACT = "exact"
    OTHER = "other"


PREFERENCE_PARAMS: Mapping[str, tuple[str, ...]] = {
    PreferenceCode.EDUCATION_MIN: ("level",),
    PreferenceCode.DOMICILE: ("regency",),
    PreferenceCode.AGE_BAND: ("minimum", "maximum"),
    PreferenceCode.DEVICES: (),
    PreferenceCode.VEHICLE: (),
    PreferenceCode.EXPERIENCE: (),
}


def _param(params: tuple[tuple[str, str], ...], name: str) -> str:
    for key, value in params:
        if key == name:
            return value
    raise KeyError(name)


@dataclass(frozen=True)
class EducationFact:
    """One education from the profile (riwayat pendidikan); `accreditation` holds the codes of
    accounts.Education.Accreditation."""

    level: str
    programme: str
    accreditation: str
    graduated_on: date
    ipk: Decimal | None
    exact_science: bool


@dataclass(frozen=True)
class ApplicantFacts:
    """What the profile says about the applicant (pelamar); `statements` holds the codes of the
    statements (surat pernyataan) they made, `pppk_guru_group` one of the PPPK Guru groups."""

    birth_date: date | None
    educations: tuple[EducationFact, ...]
    str_number: str
    str_valid_until: date | None
    str_lifetime: bool
    has_disability: bool
    is_civil_servant: bool
    domicile_regency: str
    has_smartphone: bool
    has_computer: bool
    has_tablet: bool
    has_motorcycle: bool
    has_survey_experience: bool
    statements: frozenset[str]
    pppk_guru_group: str | None


@dataclass(frozen=True)
class FormationFacts:
    code: str
    procurement_type: str
    formation_type: str
    position_category: str
    position: str
    qualifications: tuple[str, ...]


@dataclass(frozen=True)
class AgeException:
    """A higher age limit for positions whose name contains one of the keywords as whole
    words, compared after `normalise_text`."""

    position_keywords: tuple[str, ...]
    maximum: int
    note: str

    def __post_init__(self) -> None:
        if not any(normalise_text(keyword) for keyword in self.position_keywords):
            raise ValueError("an age exception needs at least one position keyword")


@dataclass(frozen=True)
class AgeWindow:
    """Batas usia in completed years; the first matching exception replaces the maximum."""

    minimum: int
    maximum: int
    exceptions: tuple[AgeException, ...] = ()

    def __post_init__(self) -> None:
        if not 0 <= self.minimum <= self.maximum:
            raise ValueError(f"age window {self.minimum}-{self.maximum} is not a range")
        for exception in self.exceptions:
            if exception.maximum < self.minimum:
                raise ValueError(f"age exception maximum {exception.maximum} is below minimum")

    def maximum_for(self, position: str) -> int:
        words = f" {normalise_text(position)} "
        for exception in self.exceptions:
            keywords = (normalise_text(keyword) for keyword in exception.position_keywords)
            if any(keyword and f" {keyword} " in words for keyword in keywords):
                return exception.maximum
        return self.maximum


@dataclass(frozen=True)
class IpkMinimum:
    """The lowest IPK for formations of these categories and education levels; an empty
    `procurement_types` means every procurement type. Exactly the minimum passes."""

    position_categories: tuple[str, ...]
    levels: tuple[str, ...]
    exact_sciences: Decimal
    others: Decimal
    procurement_types: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for minimum in (self.exact_sciences, self.others):
            if not isinstance(minimum, Decimal) or not minimum.is_finite() or minimum < 0:
                raise ValueError(f"IPK minimum {minimum!r} is not a non-negative Decimal")

    def applies_to(self, formation: FormationFacts, education: EducationFact) -> bool:
        return (
            formation.position_category in self.position_categories
            and education.level in self.levels
            and (not self.procurement_types or formation.procurement_type in self.procurement_types)
        )


@dataclass(frozen=True)
class Preference:
    """One "diutamakan" criterion and the points it is worth."""

    code: str
    points: int
    params: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.code not in PREFERENCE_PARAMS:
            raise ValueError(f"unknown preference {self.code!r}")
        if self.points < 0:
            raise ValueError(f"preference {self.code} has negative points")
        names = [name for name, _ in self.params]
        if len(set(names)) != len(names):
            raise ValueError(f"preference {self.code} repeats a parameter")
        if set(names) != set(PREFERENCE_PARAMS[self.code]):
            expected = ", ".join(PREFERENCE_PARAMS[self.code]) or "no parameters"
            raise ValueError(f"preference {self.code} takes {expected}")
        if self.code == PreferenceCode.AGE_BAND:
            low, high = self.param("minimum"), self.param("maximum")
            if not (_DIGITS.fullmatch(low) and _DIGITS.fullmatch(high) and int(low) <= int(high)):
                raise ValueError(f"age band {low}-{high} is not a range of whole years")

    def param(self, name: str) -> str:
        return _param(self.params, name)


@dataclass(frozen=True)
class EligibilityPolicy:
    """The gates of one selection, named after its announcement (`source`).

    `age` maps a procurement type (CPNS, PPPK, MITRA) to its window. `level_prefixes` says how
    a qualification of each education level is written ("S1" -> "S-1"); a level may appear
    more than once, and every spelling is tried, the first being the one shown. A level
    without a prefix is written with its code. `level_order` runs from lowest to highest.
    """

    code: str
    source: str
    age: tuple[tuple[str, AgeWindow], ...]
    require_accreditation: bool
    qualification_gate: bool
    ipk_minimums: tuple[IpkMinimum, ...]
    str_required_categories: tuple[str, ...]
    str_exempt_positions: tuple[str, ...]
    disability_formation_types: tuple[str, ...]
    pppk_guru_groups: tuple[str, ...]
    statements: tuple[str, ...]
    preferences: tuple[Preference, ...]
    level_prefixes: tuple[tuple[str, str], ...]
    level_order: tuple[str, ...]
    note: str = ""

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError("a policy needs a code")
        kinds = [kind for kind, _ in self.age]
        if len(set(kinds)) != len(kinds):
            raise ValueError(f"policy {self.code} has two age windows for one procurement type")
        if len(set(self.level_order)) != len(self.level_order):
            raise ValueError(f"policy {self.code} repeats a level in level_order")
        levels = set(self.level_order)
        named = {level for level, _ in self.level_prefixes}
        named |= {level for rule in self.ipk_minimums for level in rule.levels}
        named |= {
            p.param("level") for p in self.preferences if p.code == PreferenceCode.EDUCATION_MIN
        }
        if named - levels:
            unknown = ", ".join(sorted(named - levels))
            raise ValueError(f"policy {self.code} names levels not in level_order: {unknown}")

    def age_window(self, procurement_type: str) -> AgeWindow | None:
        return next((window for kind, window in self.age if kind == procurement_type), None)

    def prefixes(self, level: str) -> tuple[str, ...]:
        return tuple(prefix for code, prefix in self.level_prefixes if code == level) or (level,)

    def level_rank(self, level: str) -> int | None:
        return self.level_order.index(level) if level in self.level_order else None


@dataclass(frozen=True)
class Reason:
    """Why an applicant does not qualify: a `ReasonCode` value and its parameters, all text
    (dates in ISO form, lists joined with LIST_SEPARATOR)."""

    code: str
    params: tuple[tuple[str, str], ...] = ()

    def param(self, name: str) -> str:
        return _param(self.params, name)


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[Reason, ...]
    matched_education: EducationFact | None
    preference_points: int
    preferences_met: tuple[str, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)


def normalise_text(text: str) -> str:
    """Casefold, drop hyphens, collapse whitespace: "S-1  Teknik" and "s1 teknik" are equal."""
    return " ".join(text.casefold().translate(_HYPHENS).split())


def age_on(birth_date: date, on: date) -> tuple[int, int]:
    """Completed years and months on `on`. The birthday itself completes the year; a birthday
    the month lacks (29 February in a non-leap year) is reached on the 1st of the next month."""
    if on < birth_date:
        raise ValueError(f"{on.isoformat()} is before the birth date {birth_date.isoformat()}")
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month
    if on.day < birth_date.day:
        months -= 1
    return divmod(months, 12)


def written_qualifications(policy: EligibilityPolicy, education: EducationFact) -> tuple[str, ...]:
    """The education as a formation would list it ("S-1 Teknik Informatika"), every spelling."""
    return tuple(
        " ".join(f"{prefix} {education.programme}".split())
        for prefix in policy.prefixes(education.level)
    )


def match_education(
    policy: EligibilityPolicy,
    educations: Iterable[EducationFact],
    qualifications: Iterable[str],
) -> EducationFact | None:
    """The most recent education written like one of `qualifications`, if any."""
    wanted = {normalise_text(qualification) for qualification in qualifications}
    matching = [
        education
        for education in educations
        if any(normalise_text(w) in wanted for w in written_qualifications(policy, education))
    ]
    return max(matching, key=lambda education: education.graduated_on, default=None)


def str_required(policy: EligibilityPolicy, formation: FormationFacts) -> bool:
    """Health formations need an STR, unless the position is one of the exempt ones."""
    if formation.position_category not in policy.str_required_categories:
        return False
    words = f" {normalise_text(formation.position)} "
    exempt = (normalise_text(position) for position in policy.str_exempt_positions)
    return not any(position and f" {position} " in words for position in exempt)


def evaluate(
    policy: EligibilityPolicy,
    applicant: ApplicantFacts,
    formation: FormationFacts,
    *,
    reference_date: date,
) -> Eligibility:
    """Every gate `formation` sets under `policy` that `applicant` fails on `reference_date`
    (the registration date), in a stable order, with the preference points they earn."""
    window = policy.age_window(formation.procurement_type)
    needs_education = policy.qualification_gate
    reasons: list[Reason] = []
    if window is not None and applicant.birth_date is None:
        reasons.append(Reason(ReasonCode.BIRTH_DATE_MISSING))
    if needs_education and not applicant.educations:
        reasons.append(Reason(ReasonCode.EDUCATION_MISSING))

    if window is not None and applicant.birth_date is not None:
        reasons.extend(_age_reasons(window, applicant.birth_date, formation, reference_date))

    matched: EducationFact | None = None
    if needs_education and applicant.educations:
        matched = match_education(policy, applicant.educations, formation.qualifications)
        if matched is None:
            held = (written_qualifications(policy, e)[0] for e in applicant.educations)
            reasons.append(
                Reason(
                    ReasonCode.QUALIFICATION_NOT_MATCHED,
                    (
                        ("required", LIST_SEPARATOR.join(formation.qualifications)),
                        ("held", LIST_SEPARATOR.join(held)),
                    ),
                )
            )
    if matched is not None:
        reasons.extend(_education_reasons(policy, matched, formation))

    if str_required(policy, formation):
        reasons.extend(_str_reasons(applicant, reference_date))
    disability_formation = formation.formation_type in policy.disability_formation_types
    if disability_formation and not applicant.has_disability:
        formation_type = ("formation_type", formation.formation_type)
        reasons.append(Reason(ReasonCode.DISABILITY_NOT_DECLARED, (formation_type,)))
    reasons.extend(_pppk_group_reasons(policy, applicant, formation))
    if NOT_ASN in policy.statements and applicant.is_civil_servant:
        reasons.append(Reason(ReasonCode.CIVIL_SERVANT))
    reasons.extend(
        Reason(ReasonCode.STATEMENT_MISSING, (("statement", statement),))
        for statement in policy.statements
        if statement not in applicant.statements
    )

    points, met = score_preferences(policy, applicant, reference_date=reference_date)
    return Eligibility(
        eligible=not reasons,
        reasons=tuple(reasons),
        matched_education=matched,
        preference_points=points,
        preferences_met=met,
    )


def score_preferences(
    policy: EligibilityPolicy, applicant: ApplicantFacts, *, reference_date: date
) -> tuple[int, tuple[str, ...]]:
    """The points of every preference the applicant meets, and their codes in policy order."""
    met = tuple(
        preference
        for preference in policy.preferences
        if _meets(policy, preference, applicant, reference_date)
    )
    return sum(preference.points for preference in met), tuple(p.code for p in met)


def _age_reasons(
    window: AgeWindow, birth_date: date, formation: FormationFacts, reference_date: date
) -> list[Reason]:
    if reference_date < birth_date:
        return [
            Reason(
                ReasonCode.BIRTH_DATE_AFTER_REFERENCE_DATE,
                (
                    ("birth_date", birth_date.isoformat()),
                    ("reference_date", reference_date.isoformat()),
                ),
            )
        ]
    years, months = age_on(birth_date, reference_date)
    maximum = window.maximum_for(formation.position)
    if years < window.minimum:
        code, limit = ReasonCode.AGE_BELOW_MINIMUM, window.minimum
    elif years > maximum:
        code, limit = ReasonCode.AGE_ABOVE_MAXIMUM, maximum
    else:
        return []
    params = (
        ("years", str(years)),
        ("months", str(months)),
        ("reference_date", reference_date.isoformat()),
        ("limit", str(limit)),
    )
    return [Reason(code, params)]


def _education_reasons(
    policy: EligibilityPolicy, education: EducationFact, formation: FormationFacts
) -> list[Reason]:
    reasons: list[Reason] = []
    if policy.require_accreditation and education.accreditation not in ACCREDITED:
        written = written_qualifications(policy, education)[0]
        reasons.append(
            Reason(
                ReasonCode.NOT_ACCREDITED,
                (("accreditation", education.accreditation), ("qualification", written)),
            )
        )
    rule = next((r for r in policy.ipk_minimums if r.applies_to(formation, education)), None)
    if rule is None:
        return reasons
    kind = IpkKind.EXACT if education.exact_science else IpkKind.OTHER
    minimum = rule.exact_sciences if kind is IpkKind.EXACT else rule.others
    if education.ipk is None:
        reasons.append(
            Reason(ReasonCode.IPK_MISSING, (("minimum", str(minimum)), ("kind", kind.value)))
        )
    elif education.ipk < minimum:
        reasons.append(
            Reason(
                ReasonCode.IPK_BELOW_MINIMUM,
                (("ipk", str(education.ipk)), ("minimum", str(minimum)), ("kind", kind.value)),
            )
        )
    return reasons


def _str_reasons(applicant: ApplicantFacts, reference_date: date) -> list[Reason]:
    """Surat Tanda Registrasi, valid on the reference date itself; a lifetime STR (seumur
    hidup) never expires."""
    if not applicant.str_number.strip():
        return [Reason(ReasonCode.STR_MISSING)]
    if applicant.str_lifetime:
        return []
    if applicant.str_valid_until is None:
        return [Reason(ReasonCode.STR_VALIDITY_MISSING)]
    if applicant.str_valid_until < reference_date:
        params = (
            ("valid_until", applicant.str_valid_until.isoformat()),
            ("reference_date", reference_date.isoformat()),
        )
        return [Reason(ReasonCode.STR_EXPIRED, params)]
    return []


def _pppk_group_reasons(
    policy: EligibilityPolicy, applicant: ApplicantFacts, formation: FormationFacts
) -> list[Reason]:
    """PPPK Guru is open only to the groups the announcement lists (THK-II, honorary teachers
    at state or private schools in Dapodik, PPG graduates)."""
    is_pppk_guru = (
        formation.procurement_type == ProcurementType.PPPK
        and formation.position_category == PositionCategory.GURU
    )
    if not is_pppk_guru or not policy.pppk_guru_groups:
        return []
    allowed = ("allowed", LIST_SEPARATOR.join(policy.pppk_guru_groups))
    group = applicant.pppk_guru_group
    if not group:
        return [Reason(ReasonCode.PPPK_GROUP_MISSING, (allowed,))]
    if group not in policy.pppk_guru_groups:
        return [Reason(ReasonCode.PPPK_GROUP_NOT_ALLOWED, (("group", group), allowed))]
    return []


def _meets(
    policy: EligibilityPolicy, preference: Preference, applicant: ApplicantFacts, on: date
) -> bool:
    match preference.code:
        case PreferenceCode.EDUCATION_MIN:
            floor = policy.level_rank(preference.param("level"))
            ranks = (policy.level_rank(education.level) for education in applicant.educations)
            return floor is not None and any(r is not None and r >= floor for r in ranks)
        case PreferenceCode.DOMICILE:
            return applicant.domicile_regency == preference.param("regency")
        case PreferenceCode.AGE_BAND:
            born = applicant.birth_date
            if born is None or on < born:
                return False
            years, _ = age_on(born, on)
            return int(preference.param("minimum")) <= years <= int(preference.param("maximum"))
        case PreferenceCode.DEVICES:
            return applicant.has_smartphone or applicant.has_computer or applicant.has_tablet
        case PreferenceCode.VEHICLE:
            return applicant.has_motorcycle
        case PreferenceCode.EXPERIENCE:
            return applicant.has_survey_experience
    return False


# Policies as data -----------------------------------------------------------------------------


def policy_to_dict(policy: EligibilityPolicy) -> dict[str, Any]:
    """The policy as JSON-compatible data: Decimals as strings, tuples as lists, `age` and
    preference parameters as objects. `policy_from_dict` gives the same policy back."""
    return {
        "code": policy.code,
        "source": policy.source,
        "note": policy.note,
        "age": {
            kind: {
                "minimum": window.minimum,
                "maximum": window.maximum,
                "exceptions": [
                    {
                        "position_keywords": list(exception.position_keywords),
                        "maximum": exception.maximum,
                        "note": exception.note,
                    }
                    for exception in window.exceptions
                ],
            }
            for kind, window in policy.age
        },
        "require_accreditation": policy.require_accreditation,
        "qualification_gate": policy.qualification_gate,
        "ipk_minimums": [
            {
                "position_categories": list(rule.position_categories),
                "levels": list(rule.levels),
                "exact_sciences": str(rule.exact_sciences),
                "others": str(rule.others),
                "procurement_types": list(rule.procurement_types),
            }
            for rule in policy.ipk_minimums
        ],
        "str_required_categories": list(policy.str_required_categories),
        "str_exempt_positions": list(policy.str_exempt_positions),
        "disability_formation_types": list(policy.disability_formation_types),
        "pppk_guru_groups": list(policy.pppk_guru_groups),
        "statements": list(policy.statements),
        "preferences": [
            {"code": p.code, "points": p.points, "params": dict(p.params)}
            for p in policy.preferences
        ],
        "level_prefixes": [[level, prefix] for level, prefix in policy.level_prefixes],
        "level_order": list(policy.level_order),
    }


def policy_from_dict(data: Mapping[str, object]) -> EligibilityPolicy:
    """Read a policy written by `policy_to_dict`; keys with a default may be left out. Anything
    else (an unknown key, a float IPK, a string where a number belongs) is a ValueError that
    says where it is."""
    fields = _object(data, "policy", required=_POLICY_KEYS, optional=("note",))
    ages = _object(fields["age"], "age")
    age = tuple((kind, _window(value, f"age.{kind}")) for kind, value in ages.items())
    ipk_minimums = tuple(
        _ipk_minimum(item, f"ipk_minimums[{i}]")
        for i, item in enumerate(_items(fields["ipk_minimums"], "ipk_minimums"))
    )
    preferences = tuple(
        _preference(item, f"preferences[{i}]")
        for i, item in enumerate(_items(fields["preferences"], "preferences"))
    )
    level_prefixes = tuple(
        _pair(item, f"level_prefixes[{i}]")
        for i, item in enumerate(_items(fields["level_prefixes"], "level_prefixes"))
    )
    texts = {
        key: _texts(fields[key], key)
        for key in (
            "str_required_categories",
            "str_exempt_positions",
            "disability_formation_types",
            "pppk_guru_groups",
            "statements",
            "level_order",
        )
    }
    with _located("policy"):
        return EligibilityPolicy(
            code=_text(fields["code"], "code"),
            source=_text(fields["source"], "source"),
            age=age,
            require_accreditation=_flag(fields["require_accreditation"], "require_accreditation"),
            qualification_gate=_flag(fields["qualification_gate"], "qualification_gate"),
            ipk_minimums=ipk_minimums,
            str_required_categories=texts["str_required_categories"],
            str_exempt_positions=texts["str_exempt_positions"],
            disability_formation_types=texts["disability_formation_types"],
            pppk_guru_groups=texts["pppk_guru_groups"],
            statements=texts["statements"],
            preferences=preferences,
            level_prefixes=level_prefixes,
            level_order=texts["level_order"],
            note=_text(fields.get("note", ""), "note"),
        )


def policy_codes() -> tuple[str, ...]:
    """The codes of the policies shipped in `policies/`, sorted."""
    return shipped_codes(POLICY_PACKAGE)


@cache
def load_policy(code: str) -> EligibilityPolicy:
    """The shipped policy `policies/<code>.json`; a LookupError for a code not shipped."""
    policy = policy_from_dict(read_policy(POLICY_PACKAGE, code, "eligibility"))
    if policy.code != code:
        raise ValueError(f"{code}.json holds the policy {policy.code!r}")
    return policy


_POLICY_KEYS = (
    "code",
    "source",
    "age",
    "require_accreditation",
    "qualification_gate",
    "ipk_minimums",
    "str_required_categories",
    "str_exempt_positions",
    "disability_formation_types",
    "pppk_guru_groups",
    "statements",
    "preferences",
    "level_prefixes",
    "level_order",
)


@contextmanager
def _located(where: str) -> Iterator[None]:
    """Prefix a dataclass's own ValueError with where in the data it was built from."""
    try:
        yield
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from error


def _object(
    value: object, where: str, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()
) -> Mapping[str, object]:
    """A JSON object; when `required` or `optional` is given, with exactly those keys."""
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise ValueError(f"{where}: expected an object")
    if required or optional:
        missing = [key for key in required if key not in value]
        unknown = sorted(set(value) - set(required) - set(optional))
        if missing:
            raise ValueError(f"{where}: missing {', '.join(missing)}")
        if unknown:
            raise ValueError(f"{where}: unknown {', '.join(unknown)}")
    return value


def _items(value: object, where: str) -> list[object]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"{where}: expected a list")
    return list(value)


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{where}: expected text")
    return value


def _texts(value: object, where: str) -> tuple[str, ...]:
    return tuple(_text(item, f"{where}[{i}]") for i, item in enumerate(_items(value, where)))


def _whole(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{where}: expected a whole number")
    return value


def _flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{where}: expected true or false")
    return value


def _decimal(value: object, where: str) -> Decimal:
    if not isinstance(value, str):
        raise ValueError(f'{where}: expected a decimal written as text, e.g. "2.50"')
    try:
        return Decimal(value)
    except InvalidOperation as error:
        raise ValueError(f"{where}: {value!r} is not a decimal") from error


def _pair(value: object, where: str) -> tuple[str, str]:
    items = _items(value, where)
    if len(items) != 2:
        raise ValueError(f"{where}: expected [level, prefix]")
    return _text(items[0], f"{where}[0]"), _text(items[1], f"{where}[1]")


def _window(value: object, where: str) -> AgeWindow:
    fields = _object(value, where, required=("minimum", "maximum"), optional=("exceptions",))
    exceptions = tuple(
        _age_exception(item, f"{where}.exceptions[{i}]")
        for i, item in enumerate(_items(fields.get("exceptions", []), f"{where}.exceptions"))
    )
    minimum = _whole(fields["minimum"], f"{where}.minimum")
    maximum = _whole(fields["maximum"], f"{where}.maximum")
    with _located(where):
        return AgeWindow(minimum, maximum, exceptions)


def _age_exception(value: object, where: str) -> AgeException:
    fields = _object(value, where, required=("position_keywords", "maximum", "note"))
    keywords = _texts(fields["position_keywords"], f"{where}.position_keywords")
    maximum = _whole(fields["maximum"], f"{where}.maximum")
    note = _text(fields["note"], f"{where}.note")
    with _located(where):
        return AgeException(keywords, maximum, note)


def _ipk_minimum(value: object, where: str) -> IpkMinimum:
    fields = _object(
        value,
        where,
        required=("position_categories", "levels", "exact_sciences", "others"),
        optional=("procurement_types",),
    )
    categories = _texts(fields["position_categories"], f"{where}.position_categories")
    levels = _texts(fields["levels"], f"{where}.levels")
    exact_sciences = _decimal(fields["exact_sciences"], f"{where}.exact_sciences")
    others = _decimal(fields["others"], f"{where}.others")
    types = _texts(fields.get("procurement_types", []), f"{where}.procurement_types")
    with _located(where):
        return IpkMinimum(categories, levels, exact_sciences, others, types)


def _preference(value: object, where: str) -> Preference:
    fields = _object(value, where, required=("code", "points"), optional=("params",))
    params = _object(fields.get("params", {}), f"{where}.params")
    code = _text(fields["code"], f"{where}.code")
    points = _whole(fields["points"], f"{where}.points")
    pairs = tuple((name, _text(v, f"{where}.params.{name}")) for name, v in params.items())
    with _located(where):
        return Preference(code, points, pairs)
