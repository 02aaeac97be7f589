"""Demo pool (`seleksi demo-pool`): the mitra pool of the Magetan statistics office for the
current year, so that the pool pages, the cap warning and a mitra's own work page have
something to show on the embedded portal.

What it loads, at the office's date:
- the honorarium cap table of every year the demo activities touch: the figures of the
  shipped table `mitra-bps-2024` with the year changed, as `demo-<year>`;
- twelve stand-in mitra living in Kabupaten Magetan (3520), with varied education, devices
  and survey experience, in this year's pool; two of them sign in with the demo password:
  `MITRA_SATU` and `MITRA_DUA`;
- an activity that ended last month (`ENDED_ACTIVITY`) where mitra.satu worked as PPL, with
  the earnings of the first month recorded (the second is left to its estimate) and a rating;
- an ongoing activity (`PRICES_ACTIVITY`) where mitra.dua is PPL for nearly the whole PPL cap
  of this month, so assigning them anywhere else this month goes over the cap;
- an ongoing activity (`SUSENAS_ACTIVITY`) covering 3520 with three PPL places and one PML
  place, nobody assigned: the office assigns mitra.satu and mitra.dua there itself.

Decisions worth knowing:
- Every write a mitra or the office sees goes through the pool's services, as the demo
  committee member `COMMITTEE` (created by `seleksi load-demo`), and is audited. Two things
  cannot: the stand-ins' accounts and their pool membership are written directly (they
  stand in for registrations and a confirmed recruitment, like the stand-ins of
  `seleksi demo-scores`; one "pool.filled" event records them), and the ended activity,
  which the services staff only while it runs, is created ending today, staffed, and then
  moved to the past (its end date and its assignments' months) before its work is recorded
  and rated: the demo cannot wait for the activity to end.
- Idempotent: a cap table, a stand-in (by username), a membership of this year and an
  activity (by name, at the office) that exist are left alone, so a second run changes
  nothing and says so, and what the office did with the demo data since survives.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from seleksi.accounts.models import Education, Profile, User
from seleksi.agencies.models import Agency
from seleksi.agencies.permissions import Capability, user_can
from seleksi.audit.services import audit_record
from seleksi.pool import services
from seleksi.pool.models import Activity, ActivityRole, Assignment, CapTable, PoolMember, Role
from seleksi.rules.honorarium import POLICY_PACKAGE, YearMonth
from seleksi.rules.policy_files import read_policy
from seleksi.selections.demo import DEMO_PASSWORD

AGENCY = "bps-magetan"
COMMITTEE = "panitia.magetan"
REGENCY = "3520"  # Kabupaten Magetan
CAP_SOURCE = "mitra-bps-2024"

MITRA_SATU = "mitra.satu@demo.seleksi.invalid"
MITRA_DUA = "mitra.dua@demo.seleksi.invalid"
ENDED_ACTIVITY = "Survei Angkatan Kerja Nasional (Sakernas)"
PRICES_ACTIVITY = "Survei Harga Perdesaan"
SUSENAS_ACTIVITY = "Survei Sosial Ekonomi Nasional (Susenas)"

ENDED_PPL_RATE = 1_500_000  # per person-month, two months
ENDED_PML_RATE = 2_000_000  # lump sum
PRICES_PPL_RATE = 31_000  # per document
MITRA_DUA_DOCUMENTS = 100  # 3,100,000 this month: 150,000 under the PPL cap of 3,250,000
SUSENAS_PPL_RATE = 2_400_000  # per person-month: one person-month goes over for mitra.dua
SUSENAS_PML_RATE = 2_800_000  # lump sum
SUSENAS_PPL_PLACES = 3
SUSENAS_PML_PLACES = 1
RATING = (8, 9, 8, "Data lengkap dan rapi; kunjungan ulang selesai tepat waktu.")

# username, full name, sex, born, education level, institution, study programme, exact
# science, devices (smartphone, computer, tablet, motorcycle), survey experience
STAND_INS: tuple[tuple[Any, ...], ...] = (
    (
        "mitra.satu",
        "Mitra Demo Satu",
        "P",
        date(1994, 4, 12),
        "S1",
        "Universitas PGRI Madiun",
        "Pendidikan Matematika",
        True,
        (True, True, False, True),
        "PPL Sensus Pertanian 2023; PPL Susenas Maret 2024, BPS Kabupaten Magetan",
    ),
    (
        "mitra.dua",
        "Mitra Demo Dua",
        "L",
        date(1990, 9, 3),
        "SLTA",
        "SMA Negeri 1 Magetan",
        "IPS",
        False,
        (True, False, False, True),
        "Pencacah Survei Harga Perdesaan 2023 dan 2024",
    ),
    (
        "mitra-demo-03",
        "Sri Wahyuni",
        "P",
        date(1988, 1, 20),
        "D3",
        "Politeknik Negeri Madiun",
        "Akuntansi",
        False,
        (True, True, True, True),
        "PML Sakernas Agustus 2023",
    ),
    (
        "mitra-demo-04",
        "Agus Setiawan",
        "L",
        date(1992, 6, 8),
        "SLTA",
        "SMK Negeri 1 Magetan",
        "Teknik Komputer dan Jaringan",
        False,
        (True, False, False, True),
        "PPL Sensus Penduduk 2020",
    ),
    (
        "mitra-demo-05",
        "Dwi Rahayu",
        "P",
        date(1996, 11, 30),
        "S1",
        "Universitas Negeri Surabaya",
        "Statistika",
        True,
        (True, True, False, False),
        "PML Susenas 2023 dan 2024; PPL Survei Ubinan",
    ),
    (
        "mitra-demo-06",
        "Bambang Sutrisno",
        "L",
        date(1985, 3, 14),
        "SLTA",
        "SMA Negeri 2 Magetan",
        "IPA",
        False,
        (True, False, False, True),
        "Pencacah harga produsen gabah sejak 2018",
    ),
    (
        "mitra-demo-07",
        "Eko Prasetyo",
        "L",
        date(1999, 2, 2),
        "D3",
        "Politeknik Negeri Malang",
        "Manajemen Informatika",
        True,
        (True, True, True, True),
        "",
    ),
    (
        "mitra-demo-08",
        "Siti Nurhayati",
        "P",
        date(1993, 8, 17),
        "S1",
        "Universitas Muhammadiyah Ponorogo",
        "Ekonomi Pembangunan",
        False,
        (True, False, True, False),
        "PPL Survei Industri Mikro dan Kecil 2024",
    ),
    (
        "mitra-demo-09",
        "Joko Susilo",
        "L",
        date(1987, 12, 5),
        "SMP",
        "SMP Negeri 1 Plaosan",
        "",
        False,
        (True, False, False, True),
        "PPL Sensus Pertanian 2023",
    ),
    (
        "mitra-demo-10",
        "Rina Kartikasari",
        "P",
        date(1998, 5, 25),
        "D4",
        "Politeknik Statistika STIS",
        "Komputasi Statistik",
        True,
        (True, True, False, True),
        "PPL Sakernas Februari 2024",
    ),
    (
        "mitra-demo-11",
        "Heru Purnomo",
        "L",
        date(1991, 10, 9),
        "SLTA",
        "MA Negeri Magetan",
        "IPS",
        False,
        (False, False, False, True),
        "",
    ),
    (
        "mitra-demo-12",
        "Yuli Astuti",
        "P",
        date(1995, 7, 1),
        "S1",
        "Universitas Sebelas Maret",
        "Sosiologi",
        False,
        (True, True, False, False),
        "PPL Pendataan Potensi Desa 2024",
    ),
)
SIGN_IN = {"mitra.satu": MITRA_SATU, "mitra.dua": MITRA_DUA}
ENDED_WORKERS = ("mitra.satu", "mitra-demo-04", "mitra-demo-10")
ENDED_SUPERVISOR = "mitra-demo-03"
PRICES_WORKERS = (("mitra.dua", MITRA_DUA_DOCUMENTS), ("mitra-demo-06", 60))


@dataclass
class DemoPool:
    created: list[str] = field(default_factory=list)
    skipped: str = ""
    refused: bool = False
    """Nothing was done because something the demo needs is missing."""


def _month_start(day: date, back: int) -> date:
    """The first day of the month `back` months before `day`'s."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _months(first: date, last: date) -> list[YearMonth]:
    found, day = [], first.replace(day=1)
    while day <= last:
        found.append((day.year, day.month))
        day = _month_end(day) + timedelta(days=1)
    return found


def demo_pool_load() -> DemoPool:
    """Load the demo pool of the Magetan office (see the module's decisions)."""
    report = DemoPool()
    agency = Agency.objects.filter(code=AGENCY).first()
    committee = User.objects.filter(username=COMMITTEE).first()
    if (
        agency is None
        or committee is None
        or not user_can(committee, Capability.DECIDE_RESULTS, agency.pk)
    ):
        report.skipped = (
            f"instansi {AGENCY} atau panitia {COMMITTEE} belum dimuat (jalankan seleksi load-demo)"
        )
        report.refused = True
        return report
    today = agency.today()
    ended = (_month_start(today, 2), _month_start(today, 0) - timedelta(days=1))
    this_month = (_month_start(today, 0), _month_end(today))
    with transaction.atomic():
        for year in sorted({ended[0].year, today.year}):
            _cap_table(agency, year, committee, report)
        members = _pool(agency, today.year, committee, report)
        if not Activity.objects.filter(agency=agency, name=ENDED_ACTIVITY).exists():
            _ended_activity(agency, committee, members, today, ended)
            report.created.append(
                f"kegiatan {ENDED_ACTIVITY} ({ended[0]} s.d. {ended[1]}, selesai): "
                "mitra.satu PPL dengan honor tercatat dan penilaian kinerja"
            )
        if not Activity.objects.filter(agency=agency, name=PRICES_ACTIVITY).exists():
            _prices_activity(agency, committee, members, this_month)
            report.created.append(
                f"kegiatan {PRICES_ACTIVITY} ({this_month[0]} s.d. {this_month[1]}): "
                f"mitra.dua PPL Rp {PRICES_PPL_RATE * MITRA_DUA_DOCUMENTS:,} bulan ini".replace(
                    ",", "."
                )
            )
        if not Activity.objects.filter(agency=agency, name=SUSENAS_ACTIVITY).exists():
            services.activity_create(
                agency=agency,
                actor=committee,
                name=SUSENAS_ACTIVITY,
                starts_on=this_month[0],
                ends_on=this_month[1],
                regencies=[REGENCY],
                roles=[
                    ("ppl", REGENCY, SUSENAS_PPL_PLACES, "person_month", SUSENAS_PPL_RATE),
                    ("pml", REGENCY, SUSENAS_PML_PLACES, "lump_sum", SUSENAS_PML_RATE),
                ],
            )
            report.created.append(
                f"kegiatan {SUSENAS_ACTIVITY} ({this_month[0]} s.d. {this_month[1]}): "
                f"{SUSENAS_PPL_PLACES} PPL dan {SUSENAS_PML_PLACES} PML di {REGENCY}, belum ada "
                "yang ditugaskan"
            )
    if not report.created:
        report.skipped = f"pool demo {AGENCY} {today.year} sudah dimuat"
    return report


def _cap_table(agency: Agency, year: int, actor: User, report: DemoPool) -> None:
    if CapTable.objects.filter(agency=agency, year=year).exists():
        return
    data = read_policy(POLICY_PACKAGE, CAP_SOURCE, "honorarium cap")
    data.update(
        code=f"demo-{year}",
        year=year,
        source=(
            f"Demo: a copy of the 2024 figures of the shipped table {CAP_SOURCE}, the year "
            f"changed to {year}. {data['source']}"
        ),
    )
    services.cap_table_load(agency=agency, data=data, actor=actor)
    report.created.append(f"batas honorarium demo-{year} (angka {CAP_SOURCE})")


def _pool(agency: Agency, year: int, actor: User, report: DemoPool) -> dict[str, PoolMember]:
    """The stand-ins and their membership of this year's pool, by username."""
    users = {user.username: user for user in User.objects.filter(username__in=_usernames())}
    for spec in STAND_INS:
        if spec[0] not in users:
            users[spec[0]] = _stand_in(*spec)
            report.created.append(f"mitra {spec[1]} ({users[spec[0]].email})")
    present = {
        member.user_id: member
        for member in PoolMember.objects.filter(agency=agency, year=year, user__in=users.values())
    }
    new = [
        PoolMember(
            agency=agency,
            user=user,
            year=year,
            source=PoolMember.Source.SELECTED,
            domicile_regency=REGENCY,
        )
        for user in users.values()
        if user.pk not in present
    ]
    if new:
        PoolMember.objects.bulk_create(new)
        audit_record(
            actor=actor,
            action="pool.filled",
            subject=agency,
            agency_id=agency.pk,
            reason="demo data: stand-ins for the result of the recruitment",
            details={"year": year, "added": len(new)},
        )
        report.created.append(f"{len(new)} mitra dalam pool {year}")
    by_user = {
        member.user_id: member
        for member in PoolMember.objects.filter(agency=agency, year=year, user__in=users.values())
    }
    return {name: by_user[user.pk] for name, user in users.items()}


def _usernames() -> list[str]:
    return [spec[0] for spec in STAND_INS]


def _stand_in(
    username: str,
    full_name: str,
    sex: str,
    born: date,
    level: str,
    institution: str,
    programme: str,
    exact: bool,
    devices: tuple[bool, bool, bool, bool],
    experience: str,
) -> User:
    email = SIGN_IN.get(username, f"{username}@demo.seleksi.invalid")
    signs_in = username in SIGN_IN
    user = User.objects.create(
        username=username,
        full_name=full_name,
        email=email,
        phone=f"0812 3520 {_number(username):04d}",
        sex=sex,
        birth_date=born,
        is_active=signs_in,
        email_verified_at=timezone.now() if signs_in else None,
    )
    if signs_in:
        user.set_password(DEMO_PASSWORD)
    else:
        user.set_unusable_password()
    user.save(update_fields=["password"])
    smartphone, computer, tablet, motorcycle = devices
    Profile.objects.create(
        user=user,
        place_of_birth="Magetan",
        address=f"Desa Contoh RT {_number(username):02d}, Kabupaten Magetan",
        domicile_regency_id=REGENCY,
        survey_experience=experience,
        has_smartphone=smartphone,
        has_computer=computer,
        has_tablet=tablet,
        has_motorcycle=motorcycle,
    )
    higher = level in ("D3", "D4", "S1")
    Education.objects.create(
        user=user,
        level_id=level,
        institution=institution,
        study_programme=programme,
        accreditation=Education.Accreditation.B if higher else "na",
        graduated_on=date(born.year + (22 if higher else 18), 7, 15),
        ipk=Decimal("3.21") if higher else None,
        is_exact_science=exact,
    )
    return user


def _number(username: str) -> int:
    return _usernames().index(username) + 1


def _role(activity: Activity, role: str) -> ActivityRole:
    return ActivityRole.objects.get(activity=activity, role=role, regency=REGENCY)


def _ended_activity(
    agency: Agency,
    actor: User,
    members: dict[str, PoolMember],
    today: date,
    period: tuple[date, date],
) -> None:
    """Staffed while it runs (ending today), then moved to `period`, in the past; the work is
    recorded and rated after."""
    activity = services.activity_create(
        agency=agency,
        actor=actor,
        name=ENDED_ACTIVITY,
        starts_on=period[0],
        ends_on=today,
        regencies=[REGENCY],
        roles=[
            ("ppl", REGENCY, 4, "person_month", ENDED_PPL_RATE),
            ("pml", REGENCY, 1, "lump_sum", ENDED_PML_RATE),
        ],
    )
    months = _months(*period)
    assignments = {
        username: services.assignment_add(
            activity_role=_role(activity, Role.PPL),
            member=members[username],
            actor=actor,
            quantity=len(months),
        )
        for username in ENDED_WORKERS
    }
    services.assignment_add(
        activity_role=_role(activity, Role.PML),
        member=members[ENDED_SUPERVISOR],
        actor=actor,
        quantity=1,
    )
    Activity.objects.filter(pk=activity.pk).update(ends_on=period[1])
    Assignment.objects.filter(activity=activity).update(months=[list(month) for month in months])
    for username, assignment in assignments.items():
        assignment.refresh_from_db()
        # mitra.satu's last month is left unrecorded: their page shows it as an estimate
        paid = months[:1] if username == "mitra.satu" else months
        for year, month in paid:
            services.earning_record(
                assignment=assignment, actor=actor, year=year, month=month, amount=ENDED_PPL_RATE
            )
    attitude, quality, timeliness, comment = RATING
    services.rating_record(
        assignment=assignments["mitra.satu"],
        actor=actor,
        attitude=attitude,
        quality=quality,
        timeliness=timeliness,
        comment=comment,
    )
    services.rating_record(
        assignment=assignments["mitra-demo-04"],
        actor=actor,
        attitude=7,
        quality=7,
        timeliness=6,
        comment="Beberapa kuesioner perlu diperbaiki.",
    )


def _prices_activity(
    agency: Agency, actor: User, members: dict[str, PoolMember], period: tuple[date, date]
) -> None:
    activity = services.activity_create(
        agency=agency,
        actor=actor,
        name=PRICES_ACTIVITY,
        starts_on=period[0],
        ends_on=period[1],
        regencies=[REGENCY],
        roles=[("ppl", REGENCY, 3, "document", PRICES_PPL_RATE)],
    )
    for username, documents in PRICES_WORKERS:
        services.assignment_add(
            activity_role=_role(activity, Role.PPL),
            member=members[username],
            actor=actor,
            quantity=documents,
        )
