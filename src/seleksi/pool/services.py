"""Writes of the mitra pool: loading the cap table of a year, filling the pool from a confirmed
mitra ranking run, defining activities, assigning pool members, recording monthly earnings and
rating enumerators.

Decisions worth knowing:
- Every write needs the actor to hold DECIDE_RESULTS in the agency (the committee) or in the
  office above it (`Agency.parent`, the province office): the same people who confirm the
  mitra ranking run the pool. A superuser may act anywhere.
- A mitra is assigned only by the office whose pool they are in (the office they registered
  with) or by its province office, and only to a role whose area is their regency of
  domicile. The province office's own activities take mitra from the pools of the offices
  below it; the cap is always read from the table of the mitra's own office, whoever assigns.
- The last places of a role: the role's row is locked (`select_for_update`) and its
  assignments counted inside the transaction, so two staff assigning at once never pass
  `needed`. The member's row is locked too, so two assignments of one mitra at once are
  checked against the cap one after the other.
- The cap: what the new assignment pays is its amount spread over the activity's months
  (`rules.honorarium.spread`); what the mitra already earns is, per assignment and month, the
  amount recorded by the office where there is one, else that assignment's own spread
  estimate, summed over all their assignments in every activity and office (read by
  `figures.earnings`, as every other page reads it). An activity
  running into two years is checked against the table of each year; a year without a table is
  refused. Over the cap is refused with code "over_cap" and the figures (`check`) unless the
  caller confirms with a reason; then the reason and the figures are stored on the assignment
  and audited as "pool.assigned_over_cap".
- A rating opens on the activity's last day (the supervisor rates as the work ends) and may
  name the PML of the same activity and regency who gave it.
- The pool's year when filled from a run: the year of the run's confirmation at the agency,
  unless the caller names one (a recruitment closing in December fills next year's pool).
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from seleksi.agencies.models import Agency
from seleksi.agencies.permissions import Capability, user_can
from seleksi.audit.services import AuditSubject, audit_record, audit_record_many
from seleksi.core.errors import ServiceRefused
from seleksi.pool.figures import earnings
from seleksi.pool.models import (
    Activity,
    ActivityRole,
    Assignment,
    CapTable,
    Earning,
    PayUnit,
    PerformanceRating,
    PoolMember,
    Role,
)
from seleksi.rules.honorarium import (
    CapCheck,
    HonorariumDataError,
    HonorariumProblem,
    MonthCheck,
    YearMonth,
    cap_check,
    cap_table_parse,
    spread,
)
from seleksi.rules.honorarium import (
    Role as RuleRole,
)
from seleksi.rules.ranking import Outcome
from seleksi.rules.ratings import Rating, RatingError, RatingProblem
from seleksi.scoring.models import RankingRun

PASSED_OUTCOMES = (Outcome.PASSED.value, Outcome.PASSED_OPTIMALISASI.value)

PROBLEM_MESSAGES: Mapping[HonorariumProblem, str | Promise] = {
    HonorariumProblem.EXPECTED_OBJECT: _("%(where)s: a table (JSON object) is expected."),
    HonorariumProblem.MISSING_FIELD: _("%(where)s: the field “%(field)s” is missing."),
    HonorariumProblem.UNKNOWN_FIELD: _("%(where)s: the field “%(field)s” is not known."),
    HonorariumProblem.EXPECTED_TEXT: _("%(where)s: text is expected."),
    HonorariumProblem.EXPECTED_WHOLE: _(
        "%(where)s: “%(value)s” is not a whole, non-negative number."
    ),
    HonorariumProblem.NEGATIVE_AMOUNT: _(
        "%(where)s: the amount %(value)s is negative; give zero or more rupiah."
    ),
    HonorariumProblem.UNKNOWN_ROLE: _(
        "%(where)s: the role “%(role)s” is not known; use one of %(known)s."
    ),
    HonorariumProblem.UNKNOWN_UNIT: _(
        "%(where)s: the pay unit “%(unit)s” is not known; use one of %(known)s."
    ),
    HonorariumProblem.NO_ROLES: _("%(where)s: give the caps of at least one role."),
    HonorariumProblem.MISSING_MONTH: _(
        "%(where)s: month %(month)s of role %(role)s is missing; give all twelve months."
    ),
    HonorariumProblem.UNKNOWN_MONTH: _(
        "%(where)s: “%(month)s” is not a month; months are 1 to 12."
    ),
    HonorariumProblem.NO_MONTHS: _("%(where)s: no month is given."),
    HonorariumProblem.BAD_MONTH: _("%(where)s: “%(month)s” is not a month."),
    HonorariumProblem.DUPLICATE_MONTH: _("%(where)s: the month %(month)s is given twice."),
    HonorariumProblem.OUTSIDE_YEAR: _("%(where)s: the month %(month)s is not in %(year)s."),
}


class PoolRefused(ServiceRefused):
    """A pool write the rules do not allow; nothing was changed. `check` holds the cap
    figures when the code is "over_cap"."""

    messages = {
        "forbidden": _("You may not manage the mitra pool of this agency."),
        "cap_table_invalid": _("The cap table cannot be loaded: %s"),
        "cap_table_exists": _(
            "The agency already has a cap table for %s; one table per year is kept."
        ),
        "run_not_mitra": _("Only a mitra ranking run fills the pool."),
        "run_not_confirmed": _("The ranking run is not confirmed yet; confirm it first."),
        "carry_not_earlier": _("Only members of a year before %s can be carried over."),
        "activity_no_name": _("Give the activity a name."),
        "activity_period": _("The activity cannot end before it starts."),
        "activity_no_roles": _("Give at least one role with the number needed."),
        "role_unknown": _("“%s” is not a role; use PPL or PML."),
        "unit_unknown": _(
            "“%s” is not a pay unit; use per document, per person-month or lump sum."
        ),
        "role_outside_area": _("The area %s of a role is not one of the activity's regencies."),
        "role_twice": _("The role %s is given twice for one area."),
        "role_needed": _("The number needed must be at least 1."),
        "role_rate": _("The rate must be a whole number of rupiah, zero or more."),
        "other_agency": _(
            "This mitra is in the pool of another office; only that office and its province "
            "office assign them."
        ),
        "outside_area": _(
            "This mitra lives outside the role's area (%s); choose a mitra who lives there."
        ),
        "already_in_activity": _(
            "This mitra already has a role in this activity; one role per activity."
        ),
        "activity_ended": _("The activity ended on %s; no one can be assigned to it any more."),
        "role_full": _("All %s places of this role are taken."),
        "quantity": _("The quantity must be a whole number of at least 1."),
        "no_cap_table": _(
            "The agency has no honorarium cap table for %s; load the table of that year first."
        ),
        "no_cap_table_office": _(
            "The office %(office)s has no honorarium cap table for %(year)s, so its mitra "
            "cannot be checked against the cap; that office loads the table of that year first."
        ),
        "over_cap": _(
            "This assignment takes the mitra over the honorarium cap in %s. Confirm it with a "
            "reason to assign anyway."
        ),
        "month_outside": _("The month %s is outside the activity's period."),
        "amount_negative": _("The amount must be a whole number of rupiah, zero or more."),
        "not_ended": _("The activity runs until %s; rate the work from that day on."),
        "not_enumerator": _("Only enumerators (PPL) are rated."),
        "already_rated": _("This work has already been rated."),
        "not_supervisor": _(
            "Only a supervisor (PML) of this activity in the same area can be named as the rater."
        ),
        "proposal_unknown": _(
            "The proposal names a role or a mitra this activity does not have; reload the page."
        ),
        "rating_not_whole": _("The mark for %(aspect)s must be a whole number."),
        "rating_out_of_range": _(
            "The mark for %(aspect)s is %(value)s; give a number from %(lowest)s to %(highest)s."
        ),
    }

    def __init__(
        self,
        code: str,
        message: str | Promise | None = None,
        params: Any = None,
        *,
        check: CapCheck | None = None,
    ) -> None:
        super().__init__(code, message, params)
        self.check = check


ASPECT_NAMES: Mapping[str, str | Promise] = {
    "attitude": _("attitude"),
    "quality": _("quality"),
    "timeliness": _("timeliness"),
}


def user_holds_in_pool(
    user: Any, agency: Agency, capability: Capability = Capability.DECIDE_RESULTS
) -> bool:
    """Whether `user` holds `capability` over the agency's mitra pool: in the agency itself,
    or in the office above it (the province office)."""
    return user_can(user, capability, agency.pk) or (
        agency.parent_id is not None and user_can(user, capability, agency.parent_id)
    )


def user_manages_pool(user: Any, agency: Agency) -> bool:
    """Whether `user` may run the agency's mitra pool: its committee, or the committee of the
    office above it."""
    return user_holds_in_pool(user, agency, Capability.DECIDE_RESULTS)


def _require(actor: Any, agency: Agency) -> None:
    if not user_manages_pool(actor, agency):
        raise PoolRefused("forbidden")


def problem_message(problem: Any) -> str:
    """One problem of the honorarium rules in the active language."""
    values = {"where": problem.where, **{k: str(v) for k, v in problem.values.items()}}
    return str(PROBLEM_MESSAGES[problem.problem]) % values


# Cap tables ----------------------------------------------------------------------------------


def cap_table_load(*, agency: Agency, data: object, actor: Any) -> CapTable:
    """Stores `data` as the agency's cap table of its year; every problem is listed in the
    refusal (code "cap_table_invalid") and nothing is stored."""
    _require(actor, agency)
    try:
        table = cap_table_parse(data)
    except HonorariumDataError as error:
        listed = " ".join(problem_message(problem) for problem in error.problems)
        raise PoolRefused("cap_table_invalid", params=listed) from error
    with transaction.atomic():
        if CapTable.objects.filter(agency=agency, year=table.year).exists():
            raise PoolRefused("cap_table_exists", params=table.year)
        stored = CapTable.objects.create(
            agency=agency,
            year=table.year,
            code=table.code,
            version=table.version,
            data=data,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="pool.cap_table_loaded",
            subject=stored,
            rule_version=f"{table.code} v{table.version}",
            details={"year": table.year},
        )
    return stored


# Filling the pool ----------------------------------------------------------------------------


def fill_year(run: RankingRun) -> int:
    """The pool year a confirmed run fills by default: the year of its confirmation at the
    agency."""
    if run.confirmed_at is None:
        raise PoolRefused("run_not_confirmed")
    return run.selection.agency.date_of(run.confirmed_at).year


def pool_fill(*, run: RankingRun, actor: Any, year: int | None = None) -> int:
    """Adds the passed mitra of a confirmed mitra ranking run to the agency's pool of `year`
    (default: the year the run was confirmed at the agency). Returns how many were added;
    running it again adds none."""
    agency = run.selection.agency
    _require(actor, agency)
    if run.stage != RankingRun.Stage.MITRA:
        raise PoolRefused("run_not_mitra")
    if run.confirmed_at is None:
        raise PoolRefused("run_not_confirmed")
    year = year if year is not None else fill_year(run)
    passed = run.rows.filter(outcome__in=PASSED_OUTCOMES).select_related(
        "application__applicant__profile"
    )
    with transaction.atomic():
        present = set(
            PoolMember.objects.filter(agency=agency, year=year).values_list("user_id", flat=True)
        )
        new = []
        for row in passed:
            applicant = row.application.applicant
            if applicant.pk in present:
                continue
            present.add(applicant.pk)
            profile = getattr(applicant, "profile", None)
            regency = (profile.domicile_regency_id or "") if profile is not None else ""
            new.append(
                PoolMember(
                    agency=agency,
                    user=applicant,
                    year=year,
                    source=PoolMember.Source.SELECTED,
                    ranking_run=run,
                    domicile_regency=regency,
                )
            )
        PoolMember.objects.bulk_create(new)
        if new:
            audit_record(
                actor=actor,
                action="pool.filled",
                subject=run,
                agency_id=agency.pk,
                details={"year": year, "added": len(new)},
            )
    return len(new)


def pool_carry_over(*, agency: Agency, members: Iterable[PoolMember], year: int, actor: Any) -> int:
    """Carries members of the agency's pool of earlier years into the pool of `year`, with
    their regency of domicile as their profile now gives it. Returns how many were added;
    members already in that year's pool are skipped."""
    _require(actor, agency)
    members = list(members)
    for member in members:
        if member.agency_id != agency.pk:
            raise PoolRefused("other_agency")
        if member.year >= year:
            raise PoolRefused("carry_not_earlier", params=year)
    with transaction.atomic():
        present = set(
            PoolMember.objects.filter(agency=agency, year=year).values_list("user_id", flat=True)
        )
        new = []
        for member in members:
            if member.user_id in present:
                continue
            present.add(member.user_id)
            profile = getattr(member.user, "profile", None)
            regency = profile.domicile_regency_id if profile is not None else None
            new.append(
                PoolMember(
                    agency=agency,
                    user_id=member.user_id,
                    year=year,
                    source=PoolMember.Source.CARRIED_OVER,
                    domicile_regency=regency or member.domicile_regency,
                )
            )
        PoolMember.objects.bulk_create(new)
        audit_record_many(
            actor=actor,
            action="pool.carried_over",
            model=PoolMember,
            subjects=(AuditSubject(added.pk, str(added), {"year": year}) for added in new),
            agency_id=agency.pk,
            selection_id=None,
        )
    return len(new)


# Activities ----------------------------------------------------------------------------------


def activity_create(
    *,
    agency: Agency,
    actor: Any,
    name: str,
    starts_on: date,
    ends_on: date,
    regencies: Sequence[str],
    roles: Iterable[tuple[str, str, int, str, int]],
) -> Activity:
    """A survey activity with its roles, each (role, regency, needed, unit, rate)."""
    _require(actor, agency)
    name = name.strip()
    if not name:
        raise PoolRefused("activity_no_name")
    if ends_on < starts_on:
        raise PoolRefused("activity_period")
    areas = list(dict.fromkeys(regencies))
    roles = list(roles)
    if not roles:
        raise PoolRefused("activity_no_roles")
    seen = set()
    for role, regency, needed, unit, rate in roles:
        if role not in Role.values:
            raise PoolRefused("role_unknown", params=role)
        if unit not in PayUnit.values:
            raise PoolRefused("unit_unknown", params=unit)
        if regency not in areas:
            raise PoolRefused("role_outside_area", params=regency)
        if (role, regency) in seen:
            raise PoolRefused("role_twice", params=f"{role} {regency}")
        seen.add((role, regency))
        if isinstance(needed, bool) or not isinstance(needed, int) or needed < 1:
            raise PoolRefused("role_needed")
        if isinstance(rate, bool) or not isinstance(rate, int) or rate < 0:
            raise PoolRefused("role_rate")
    with transaction.atomic():
        activity = Activity.objects.create(
            agency=agency,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            regencies=areas,
            created_by=actor,
        )
        ActivityRole.objects.bulk_create(
            ActivityRole(
                activity=activity, role=role, regency=regency, needed=needed, unit=unit, rate=rate
            )
            for role, regency, needed, unit, rate in roles
        )
        audit_record(
            actor=actor,
            action="pool.activity_created",
            subject=activity,
            details={"roles": len(roles)},
        )
    return activity


# Assignments ---------------------------------------------------------------------------------


def existing_earnings(*, user_id: int, excluding: int | None = None) -> dict[YearMonth, int]:
    """What the mitra earns per month over all their assignments, in every office: the
    recorded amount where the office recorded one, else the assignment's spread estimate
    (`figures.earnings` of this one mitra, every month)."""
    return earnings(user_ids=[user_id], excluding=excluding).get(user_id, {})


def check_cap(
    *, agency: Agency, role: str, user_id: int, added: Mapping[YearMonth, int]
) -> CapCheck:
    """The cap check of `added` for the mitra, against the agency's table of each year."""
    existing = existing_earnings(user_id=user_id)
    rows: list[MonthCheck] = []
    for year in sorted({month[0] for month in added}):
        stored = CapTable.objects.filter(agency=agency, year=year).first()
        if stored is None:
            raise PoolRefused("no_cap_table", params=year)
        of_year = {month: amount for month, amount in added.items() if month[0] == year}
        rows += cap_check(table=stored.table(), role=role, existing=existing, added=of_year).months
    return CapCheck(RuleRole(role), tuple(rows))


def figures(check: CapCheck) -> list[dict[str, int]]:
    """The figures of a cap check as JSON rows."""
    return [
        {
            "year": row.month[0],
            "month": row.month[1],
            "cap": row.cap,
            "existing": row.existing,
            "added": row.added,
            "total": row.total,
            "over_by": row.over_by,
        }
        for row in check.months
    ]


def assignment_add(
    *,
    activity_role: ActivityRole,
    member: PoolMember,
    actor: Any,
    quantity: int,
    confirm_over_cap: bool = False,
    reason: str = "",
) -> Assignment:
    """Assigns a pool member to a role of an activity (see the module's decisions)."""
    activity = activity_role.activity
    agency = activity.agency
    _require(actor, agency)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise PoolRefused("quantity")
    if member.agency_id != agency.pk and member.agency.parent_id != agency.pk:
        raise PoolRefused("other_agency")
    if member.domicile_regency != activity_role.regency:
        raise PoolRefused("outside_area", params=activity_role.regency)
    if agency.today() > activity.ends_on:
        raise PoolRefused("activity_ended", params=activity.ends_on.isoformat())
    reason = reason.strip()
    with transaction.atomic():
        locked = ActivityRole.objects.select_for_update().get(pk=activity_role.pk)
        PoolMember.objects.select_for_update().filter(pk=member.pk).first()
        if Assignment.objects.filter(activity=activity, member=member).exists():
            raise PoolRefused("already_in_activity")
        if Assignment.objects.filter(activity_role=locked).count() >= locked.needed:
            raise PoolRefused("role_full", params=locked.needed)
        months = list(activity.months())
        amount = locked.rate * quantity
        added = spread(amount, months)
        check = check_cap(
            agency=member.agency, role=locked.role, user_id=member.user_id, added=added
        )
        over = check.over
        if over and not (confirm_over_cap and reason):
            labels = ", ".join(f"{y}-{m:02d}" for y, m in (row.month for row in check.over_months))
            raise PoolRefused("over_cap", params=labels, check=check)
        assignment = Assignment.objects.create(
            activity=activity,
            activity_role=locked,
            member=member,
            quantity=quantity,
            amount=amount,
            months=[list(month) for month in months],
            over_cap_reason=reason if over else "",
            cap_figures=figures(check) if over else [],
            assigned_by=actor,
        )
        audit_record(
            actor=actor,
            action="pool.assigned_over_cap" if over else "pool.assigned",
            subject=assignment,
            agency_id=agency.pk,
            reason=reason if over else "",
            details={"amount": amount, "figures": figures(check) if over else []},
        )
    return assignment


# Earnings and ratings ------------------------------------------------------------------------


def earnings_record(
    *, assignment: Assignment, actor: Any, amounts: Mapping[YearMonth, int]
) -> list[Earning]:
    """Records what the assignment earned in several months at once: all of them or, at the
    first refusal, none. A month whose amount is already the recorded one is left alone."""
    recorded = dict(
        ((year, month), amount)
        for year, month, amount in assignment.earnings.values_list("year", "month", "amount")
    )
    with transaction.atomic():
        return [
            earning_record(
                assignment=assignment, actor=actor, year=year, month=month, amount=amount
            )
            for (year, month), amount in sorted(amounts.items())
            if recorded.get((year, month)) != amount
        ]


def earning_record(
    *, assignment: Assignment, actor: Any, year: int, month: int, amount: int
) -> Earning:
    """Records (or corrects) what the assignment earned in one month of the activity."""
    activity = assignment.activity
    _require(actor, activity.agency)
    if (year, month) not in activity.months():
        raise PoolRefused("month_outside", params=f"{year}-{month:02d}")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise PoolRefused("amount_negative")
    with transaction.atomic():
        earning, _created = Earning.objects.update_or_create(
            assignment=assignment,
            year=year,
            month=month,
            defaults={"amount": amount, "recorded_by": actor},
        )
        audit_record(
            actor=actor,
            action="pool.earning_recorded",
            subject=earning,
            agency_id=activity.agency_id,
            details={"year": year, "month": month, "amount": amount},
        )
    return earning


def rating_record(
    *,
    assignment: Assignment,
    actor: Any,
    attitude: int,
    quality: int,
    timeliness: int,
    comment: str = "",
    supervisor: Assignment | None = None,
) -> PerformanceRating:
    """The rating of an enumerator's work from the activity's last day on (the supervisor rates
    as the work ends), once per assignment. `supervisor`, when given, is the PML assignment of
    the same activity and regency whose holder gave the rating."""
    activity = assignment.activity
    _require(actor, activity.agency)
    if activity.agency.today() < activity.ends_on:
        raise PoolRefused("not_ended", params=activity.ends_on.isoformat())
    if assignment.activity_role.role != Role.PPL:
        raise PoolRefused("not_enumerator")
    if supervisor is not None and not (
        supervisor.activity_id == assignment.activity_id
        and supervisor.activity_role.role == Role.PML
        and supervisor.activity_role.regency == assignment.activity_role.regency
    ):
        raise PoolRefused("not_supervisor")
    try:
        Rating(attitude=attitude, quality=quality, timeliness=timeliness)
    except RatingError as error:
        code = (
            "rating_out_of_range"
            if error.code is RatingProblem.OUT_OF_RANGE
            else "rating_not_whole"
        )
        params = {**error.values, "aspect": str(ASPECT_NAMES[error.values["aspect"]])}
        raise PoolRefused(code, params=params) from error
    with transaction.atomic():
        if PerformanceRating.objects.filter(assignment=assignment).exists():
            raise PoolRefused("already_rated")
        try:
            with transaction.atomic():  # a rating sent twice at once meets the one-to-one key
                rating = PerformanceRating.objects.create(
                    assignment=assignment,
                    attitude=attitude,
                    quality=quality,
                    timeliness=timeliness,
                    comment=comment.strip(),
                    rated_by=actor,
                    supervisor=supervisor,
                )
        except IntegrityError as error:
            raise PoolRefused("already_rated") from error
        audit_record(
            actor=actor,
            action="pool.rated",
            subject=rating,
            agency_id=activity.agency_id,
            details={
                "attitude": attitude,
                "quality": quality,
                "timeliness": timeliness,
                "supervisor": supervisor.pk if supervisor is not None else None,
            },
        )
    return rating
