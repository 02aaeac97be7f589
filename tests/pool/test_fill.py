"""Filling the pool from a confirmed mitra ranking run: the passed rows (L and L-2) join the
office's pool with their regency of domicile, once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from seleksi.accounts.models import Profile
from seleksi.audit.models import AuditEvent
from seleksi.pool import services
from seleksi.pool.models import PoolMember
from seleksi.pool.services import PoolRefused
from seleksi.scoring.models import RankingRow, RankingRun
from seleksi.selections.models import Selection
from tests.factories import import_rows, make_selection
from tests.pool.conftest import MAGETAN, NGAWI, Office, make_office
from tests.scoring.conftest import make_application
from tests.scoring.test_rank_mitra import POOL

OUTCOMES = {"M1": ("L", MAGETAN), "M2": ("L-2", NGAWI), "M3": ("TL", MAGETAN), "M4": ("TH", "")}


def mitra_run(office: Office, *, confirmed: bool = True, stage: str = "mitra") -> RankingRun:
    selection = make_selection(office.agency, "mitra-contoh", kind=Selection.Kind.MITRA)
    import_rows(selection, [POOL])
    now = timezone.now()
    run = RankingRun.objects.create(
        selection=selection,
        stage=stage,
        policy_code="mitra-bps-2024",
        policy_version=1,
        fingerprint="0" * 64,
        created_at=now - timedelta(hours=1),
        row_count=len(OUTCOMES),
        confirmed_at=now if confirmed else None,
        confirmed_by=office.committee if confirmed else None,
    )
    for order, (number, (outcome, regency)) in enumerate(OUTCOMES.items(), start=1):
        application = make_application(selection, "MITRA-1", number)
        if regency:
            Profile.objects.create(user=application.applicant, domicile_regency_id=regency)
        RankingRow.objects.create(
            run=run,
            order=order,
            application=application,
            formation_code="MITRA-1",
            outcome=outcome,
        )
    return run


def test_the_passed_mitra_join_the_pool_once(office: Office) -> None:
    run = mitra_run(office)
    assert services.pool_fill(run=run, actor=office.committee) == 2
    members = PoolMember.objects.filter(agency=office.agency, year=office.year)
    assert sorted(
        (m.user.applications.get().number, m.domicile_regency, m.source) for m in members
    ) == [("M1", MAGETAN, "selected"), ("M2", NGAWI, "selected")]
    assert services.pool_fill(run=run, actor=office.committee) == 0
    assert members.count() == 2
    assert AuditEvent.objects.filter(action="pool.filled").count() == 1


def test_a_named_year_fills_that_year(office: Office) -> None:
    run = mitra_run(office)
    assert services.pool_fill(run=run, actor=office.committee, year=office.year + 1) == 2
    assert PoolMember.objects.filter(year=office.year + 1).count() == 2


@pytest.mark.parametrize(
    ("code", "confirmed", "stage", "who"),
    [
        ("run_not_confirmed", False, "mitra", "committee"),
        ("run_not_mitra", True, "akhir", "committee"),
        ("forbidden", True, "mitra", "verifier"),
    ],
)
def test_a_run_that_cannot_fill_the_pool_is_refused(
    office: Office, code: str, confirmed: bool, stage: str, who: str
) -> None:
    run = mitra_run(office, confirmed=confirmed, stage=stage)
    before = AuditEvent.objects.count()
    with pytest.raises(PoolRefused) as caught:
        services.pool_fill(run=run, actor=getattr(office, who))
    assert caught.value.code == code
    assert PoolMember.objects.count() == 0 and AuditEvent.objects.count() == before


def test_members_of_last_year_are_carried_over_once(office: Office) -> None:
    member = office.member("mitra-lama")
    PoolMember.objects.filter(pk=member.pk).update(year=office.year - 1)
    member.refresh_from_db()
    Profile.objects.filter(user=member.user).update(domicile_regency_id=NGAWI)
    added = services.pool_carry_over(
        agency=office.agency, members=[member], year=office.year, actor=office.committee
    )
    assert added == 1
    carried = PoolMember.objects.get(year=office.year)
    assert (carried.source, carried.domicile_regency) == ("carried_over", NGAWI)
    assert AuditEvent.objects.filter(action="pool.carried_over").count() == 1
    again = services.pool_carry_over(
        agency=office.agency, members=[member], year=office.year, actor=office.committee
    )
    assert again == 0


def test_carrying_a_member_of_this_year_or_another_office_is_refused(office: Office) -> None:
    this_year = office.member("mitra-baru")
    stranger = make_office("bps-lain").member("mitra-lain")
    for member, code in ((this_year, "carry_not_earlier"), (stranger, "other_agency")):
        before = PoolMember.objects.count()
        with pytest.raises(PoolRefused) as caught:
            services.pool_carry_over(
                agency=office.agency, members=[member], year=office.year, actor=office.committee
            )
        assert caught.value.code == code
        assert PoolMember.objects.count() == before
