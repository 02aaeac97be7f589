"""Turns database rows into the frozen facts the eligibility engine reads."""

from collections.abc import Iterable
from datetime import date

from seleksi.accounts.models import Profile, User
from seleksi.rules.eligibility import ApplicantFacts, EducationFact, FormationFacts
from seleksi.selections.models import Formation, Selection


def applicant_facts(
    user: User, *, statements: Iterable[str] = (), pppk_guru_group: str | None = None
) -> ApplicantFacts:
    profile = Profile.objects.filter(user=user).first() or Profile(user=user)
    return ApplicantFacts(
        birth_date=user.birth_date,
        educations=tuple(
            EducationFact(
                level=education.level_id,
                programme=education.study_programme,
                accreditation=education.accreditation,
                graduated_on=education.graduated_on,
                ipk=education.ipk,
                exact_science=education.is_exact_science,
            )
            for education in user.educations.all()
        ),
        str_number=profile.str_number,
        str_valid_until=profile.str_valid_until,
        str_lifetime=profile.str_lifetime,
        has_disability=bool(profile.disability_type),
        is_civil_servant=profile.is_civil_servant,
        domicile_regency=profile.domicile_regency_id or "",
        has_smartphone=profile.has_smartphone,
        has_computer=profile.has_computer,
        has_tablet=profile.has_tablet,
        has_motorcycle=profile.has_motorcycle,
        has_survey_experience=bool(profile.survey_experience.strip()),
        statements=frozenset(statements),
        pppk_guru_group=pppk_guru_group or None,
    )


def formation_facts(formation: Formation) -> FormationFacts:
    return FormationFacts(
        code=formation.code,
        procurement_type=formation.procurement_type,
        formation_type=formation.formation_type,
        position_category=formation.position_category,
        position=formation.position,
        qualifications=tuple(formation.qualification_list),
    )


def reference_date(selection: Selection) -> date | None:
    """Ages and STR validity are judged on the first day of registration."""
    stage = selection.registration_stage()
    return stage.starts_on if stage else None
