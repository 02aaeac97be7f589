"""The load test's prepare step: everything the locust users need, made before the measured
window and written to one JSON file that bench/load/locustfile.py reads.

Decisions worth knowing:

- It runs against the portal it prepares for, with that portal's environment (through
  `scripts/prod-local run python bench/load/prepare.py`), so its database, session store and
  data directory are the ones the app processes read.
- The demo commands come first and are idempotent: the demo selections, Magetan's sessions
  the applicants choose (`demo-test-stage`), the banks and stage tests (`demo-cat`), and the
  registration window of the demo selections moved to include today
  (`demo-open-registration`), so applying and uploading are open.
- New identities for registration are added to the fixture registry's demo-people file in one
  write (`demo_people_add`), each drawn the way `seleksi demo-person` draws them; the running
  portal reads the file again when it changes.
- Accounts are made with the registration service under a fast password hasher, then all
  given one real Argon2 hash of the load password: a sign-in verifies a real Argon2 hash,
  and preparing a thousand accounts does not cost a thousand Argon2 hashes. Each gets a
  complete profile (the demo's technical applicant's), so the openings list and applying
  judge real data.
- Applicants who apply, upload, book or answer are signed in beforehand: a session made with
  the configured session engine (database or cache alike), its key written to the file. Only
  the sign-in users pay for Argon2 at sign-in, as people do once per visit.
- Booking applicants and CAT participants are in Magetan's mitra selection with a final MS
  (made directly, as `demo-cat` makes its participant). The mitra sessions' seats are raised
  to hold every booking this run may make: a full session would measure "penuh" answers.
- CAT participants are booked into the first mitra session, checked in, and their sitting
  started with the sittings service; their drawn questions are written to the file.
- Every name made here carries a run tag, so a second prepare on the same database adds
  fresh accounts beside the old ones.

    python bench/load/prepare.py --out FILE [--identities N] [--sign-ins N] [--appliers N]
        [--uploaders N] [--bookers N] [--sitters N] [--files DIR]
"""

import argparse
import io
import json
import os
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

PASSWORD = "beban-uji-2026"  # noqa: S105 - the load accounts' password, written to the file
APPLY_SELECTION = "aceh-tengah-casn-2021"
MITRA_SELECTION = "bps-magetan-mitra-2024"
MITRA_STAGE = "mitra"
UPLOAD_SLOTS = (("ktp", "jpeg"), ("surat-lamaran", "pdf"))
TEMPLATE_EMAIL = "pelamar.teknis@demo.seleksi.invalid"
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
QUESTIONS = (("mother", "beban"), ("first_teacher", "beban"))


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seleksi.settings")
    import django

    django.setup()


def say(message: str) -> None:
    print(f"prepare: {message}", file=sys.stderr, flush=True)


# --- the demo -----------------------------------------------------------------------------


def demo_ready() -> None:
    from django.core.management import call_command

    from seleksi.selections.models import Selection

    if not Selection.objects.filter(code=APPLY_SELECTION).exists():
        call_command("load_demo", verbosity=0)
    quiet = io.StringIO()
    call_command("demo_test_stage", stdout=quiet)
    call_command("demo_cat", stdout=quiet)
    call_command("demo_open_registration", stdout=quiet)


# --- identities for registration ---------------------------------------------------------


def identities(count: int, draws: random.Random) -> list[dict[str, str]]:
    """New people the fixture registry knows, drawn as `seleksi demo-person` draws them,
    added in one write."""
    from seleksi.accounts.demo import (
        DEMO_PERSON_BORN,
        DEMO_PERSON_REGENCY,
        FAMILY_NAMES,
        GIVEN_NAMES,
        MIDDLE_NAMES,
    )
    from seleksi.accounts.registry import demo_people_add, registry_records
    from seleksi.rules.nik import Sex, build_nik, parse_kk, parse_nik

    known = registry_records()
    names = {(r["full_name"].casefold(), r["birth_date"]) for r in known.values()}
    niks = set(known)
    today = date.today()
    first, last = DEMO_PERSON_BORN
    people: list[dict[str, str]] = []
    while len(people) < count:
        sex = draws.choice((Sex.MALE, Sex.FEMALE))
        born = first + timedelta(days=draws.randint(0, (last - first).days))
        district = f"{draws.randint(1, 14):02d}"
        nik = build_nik(
            regency_code=DEMO_PERSON_REGENCY,
            district=district,
            birth_date=born,
            sex=sex,
            serial=f"{draws.randint(1, 9999):04d}",
        )
        issued = born + timedelta(days=18 * 366 + draws.randint(0, 2000))
        kk = f"{DEMO_PERSON_REGENCY}{district}{issued:%d%m%y}{draws.randint(1, 9999):04d}"
        full_name = " ".join(
            (
                draws.choice(GIVEN_NAMES[sex]),
                draws.choice(MIDDLE_NAMES),
                draws.choice(MIDDLE_NAMES),
                draws.choice(FAMILY_NAMES[sex]),
            )
        )
        key = (full_name.casefold(), born.isoformat())
        if nik in niks or key in names or not parse_nik(nik, today=today).ok or parse_kk(kk):
            continue
        niks.add(nik)
        names.add(key)
        people.append(
            {
                "nik": nik,
                "kk": kk,
                "full_name": full_name,
                "birth_date": born.isoformat(),
                "sex": str(sex),
            }
        )
    demo_people_add(people)
    return people


# --- accounts -----------------------------------------------------------------------------


def accounts(tag: str, count: int, draws: random.Random) -> list[Any]:
    """`count` activated applicants with the demo technical applicant's profile and
    education, each with their own registry identity, and one real Argon2 hash of PASSWORD."""
    from django.contrib.auth.hashers import make_password
    from django.test.utils import override_settings

    from seleksi.accounts.demo import DEMO_APPLICANTS
    from seleksi.accounts.models import Education, Profile, User
    from seleksi.accounts.services import Registration, account_activate, applicant_register
    from seleksi.reference.models import EducationLevel, Regency

    if not count:
        return []
    spec = next(s for s in DEMO_APPLICANTS if s["email"] == TEMPLATE_EMAIL)
    regency = Regency.objects.get(code=spec["regency"])
    level = EducationLevel.objects.get(code=spec["education"]["level"])
    people = identities(count, draws)
    made = []
    with override_settings(PASSWORD_HASHERS=[FAST_HASHER]):
        for n, person in enumerate(people):
            user = applicant_register(
                registration=Registration(
                    email=f"{tag}.{n:05d}@beban.seleksi.invalid",
                    password=PASSWORD,
                    full_name=person["full_name"],
                    phone=f"0812 {n // 10000:04d} {n % 10000:04d}",
                    birth_date=date.fromisoformat(person["birth_date"]),
                    sex=person["sex"],
                    nik=person["nik"],
                    kk=person["kk"],
                    questions=QUESTIONS,
                    registry_checked=True,
                ),
                site_url="",
                send_activation=False,
            )
            account_activate(user=user)
            made.append(user)
    ids = [user.pk for user in made]
    Profile.objects.filter(user_id__in=ids).update(
        place_of_birth=spec["place_of_birth"],
        address="Jalan Contoh No. 1, Takengon",
        domicile_regency=regency,
        **spec["profile"],
    )
    education = {**spec["education"], "level": level}
    education["ipk"] = Decimal(education["ipk"]) if education["ipk"] is not None else None
    Education.objects.bulk_create(Education(user_id=pk, **education) for pk in ids)
    User.objects.filter(pk__in=ids).update(password=make_password(PASSWORD))
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def sessions_for(users: list[Any]) -> list[str]:
    """A signed-in session for each user, made with the configured session engine."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    backend = settings.AUTHENTICATION_BACKENDS[0]
    keys = []
    for user in users:
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = backend
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        keys.append(store.session_key)
    return keys


def eligible_formations(user: Any) -> list[str]:
    from seleksi.applications.services import eligibility_table
    from seleksi.selections.models import Formation, Selection

    selection = Selection.objects.get(code=APPLY_SELECTION)
    formations = Formation.objects.filter(selection=selection).order_by("code")
    rows = eligibility_table(user=user, selection=selection, formations=formations)
    return [formation.code for formation, result in rows if result.eligible]


def drafts(users: list[Any], formation_codes: list[str]) -> list[str]:
    """A draft application in the apply selection for each user; their numbers."""
    from seleksi.applications.services import application_start, policy_for
    from seleksi.selections.models import Formation

    numbers = []
    formations = {
        f.code: f
        for f in Formation.objects.filter(
            selection__code=APPLY_SELECTION, code__in=formation_codes
        ).select_related("selection")
    }
    for n, user in enumerate(users):
        formation = formations[formation_codes[n % len(formation_codes)]]
        statements = list(policy_for(formation.selection.policy_code).statements)
        application = application_start(user=user, formation=formation, statements=statements)
        numbers.append(application.number)
    return numbers


# --- Magetan: booking applicants and CAT participants --------------------------------------


def mitra_applicants(tag: str, count: int) -> tuple[list[Any], list[Any]]:
    """`count` accounts with a final MS in Magetan's selection (made directly); their users
    and applications in the same order."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from seleksi.accounts.models import User
    from seleksi.applications.models import Application
    from seleksi.rules.verification import Mark
    from seleksi.rules.verification import Stage as AdminStage
    from seleksi.selections.models import Formation

    if not count:
        return [], []
    now = timezone.now()
    formation = Formation.objects.filter(selection__code=MITRA_SELECTION).order_by("pk").first()
    if formation is None:
        raise SystemExit("prepare: the Magetan demo selection has no formation")
    unusable = make_password(None)
    names = [f"{tag}-{n:05d}" for n in range(count)]
    User.objects.bulk_create(
        (User(username=name, password=unusable, email_verified_at=now) for name in names),
        batch_size=2000,
    )
    users = list(User.objects.filter(username__in=names).order_by("username"))
    Application.objects.bulk_create(
        (
            Application(
                applicant=user,
                selection=formation.selection,
                formation=formation,
                number=user.username.upper(),
                status=Application.Status.SUBMITTED,
                submitted_at=now,
                admin_stage=AdminStage.FINAL,
                admin_result=Mark.MS,
                published_result=Mark.MS,
                published_at=now,
            )
            for user in users
        ),
        batch_size=2000,
    )
    applications = list(
        Application.objects.filter(applicant__in=users).order_by("applicant__username")
    )
    return users, applications


def mitra_seats_raised(extra: int) -> None:
    """Every mitra session of Magetan holds `extra` more seats than it has taken."""
    from django.db.models import F

    from seleksi.exams.models import Room, SessionRoom

    rooms = SessionRoom.objects.filter(
        session__selection__code=MITRA_SELECTION, session__stage=MITRA_STAGE
    )
    rooms.update(capacity=F("taken") + extra)
    most = max(rooms.values_list("capacity", flat=True), default=0)
    Room.objects.filter(site__selection__code=MITRA_SELECTION, seats__lt=most).update(seats=most)


def sittings(tag: str, count: int) -> list[dict[str, Any]]:
    """`count` participants booked into the first mitra session, checked in, with a started
    sitting; their application numbers and drawn questions."""
    from django.contrib.auth import get_user_model
    from django.db.models import F
    from django.utils import timezone

    from seleksi.exams.models import Booking, SessionRoom, TestSession
    from seleksi.sittings.sittings import sitting_start

    if not count:
        return []
    users, applications = mitra_applicants(f"{tag}-cat", count)
    session = (
        TestSession.objects.filter(
            selection__code=MITRA_SELECTION, stage=MITRA_STAGE, closed_at=None
        )
        .order_by("starts_at", "code")
        .first()
    )
    if session is None:
        raise SystemExit("prepare: Magetan has no open mitra session (seleksi demo-test-stage)")
    room = SessionRoom.objects.filter(session=session).order_by("order").first()
    if room is None:
        raise SystemExit("prepare: the first mitra session has no room")
    staff = get_user_model().objects.get(username="petugas.magetan")
    now = timezone.now()
    SessionRoom.objects.filter(pk=room.pk).update(
        capacity=F("capacity") + count, taken=F("taken") + count
    )
    Booking.objects.bulk_create(
        (
            Booking(
                selection_id=application.selection_id,
                application=application,
                stage=MITRA_STAGE,
                session=session,
                session_room=room,
                booked_at=now,
                booked_by=application.applicant,
                attendance=Booking.Attendance.PRESENT,
                checked_in_at=now,
                checked_in_by=staff,
            )
            for application in applications
        ),
        batch_size=2000,
    )
    participants = []
    keys = sessions_for(users)
    bookings = Booking.objects.filter(application__in=applications).select_related(
        "application__applicant", "session", "selection"
    )
    by_number = {booking.application.number: booking for booking in bookings}
    for application, key in zip(applications, keys, strict=True):
        booking = by_number[application.number]
        sitting = sitting_start(booking=booking, actor=booking.application.applicant)
        participants.append(
            {
                "number": application.number,
                "session": key,
                "questions": [[item["question"], list(item["options"])] for item in sitting.drawn],
            }
        )
    return participants


# --- files --------------------------------------------------------------------------------


def files(directory: Path) -> dict[str, str]:
    """A small KTP photo (JPEG, about 60 KB) and a small signed letter (PDF of one scanned
    page, about 120 KB) that pass the upload checks of their slots."""
    from PIL import Image, ImageDraw

    from seleksi.applications.files import check_upload
    from uploads import jpeg, largest_under, noisy, pdf, scanned_page

    directory.mkdir(parents=True, exist_ok=True)
    card = Image.new("RGB", (1012, 638), (150, 190, 220))
    draw = ImageDraw.Draw(card)
    draw.rectangle((40, 40, 972, 598), outline=(30, 60, 120), width=8)
    for row in range(9):
        draw.rectangle((80, 120 + 48 * row, 560, 140 + 48 * row), fill=(40, 40, 60))
    draw.rectangle((700, 140, 920, 420), fill=(200, 60, 60))
    card = noisy(card, 30, 1)
    photo = largest_under(80 * 1024, lambda quality: jpeg(card, quality))
    page = scanned_page(7).resize((827, 1169))
    letter = largest_under(150 * 1024, lambda quality: pdf([page], quality))
    made = {}
    for (slot, kind), content in zip(UPLOAD_SLOTS, (photo, letter), strict=True):
        check = check_upload(content, expected=kind, max_bytes=len(content) + 1, max_pages=20)
        if not check.ok:
            raise SystemExit(f"prepare: the {kind} file for {slot} does not pass: {check}")
        path = directory / f"{slot}.{'jpg' if kind == 'jpeg' else kind}"
        path.write_bytes(content)
        made[slot] = str(path)
    return made


# --- the bound ----------------------------------------------------------------------------


def argon2_cost(hashes: int = 8) -> dict[str, float]:
    """CPU and wall seconds of one password hash with the portal's first hasher (Argon2 with
    Django's parameters), one at a time: the ceiling of registration and sign-in."""
    from django.contrib.auth.hashers import make_password

    make_password(PASSWORD)
    cpu, wall = time.process_time(), time.perf_counter()
    for _n in range(hashes):
        make_password(PASSWORD)
    return {
        "cpu_seconds": (time.process_time() - cpu) / hashes,
        "wall_seconds": (time.perf_counter() - wall) / hashes,
    }


# --- the run ------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True, help="the JSON file to write")
    parser.add_argument("--files", type=Path, help="where the upload files go (beside --out)")
    parser.add_argument("--identities", type=int, default=6000, help="for registration")
    parser.add_argument("--sign-ins", type=int, default=100, help="accounts signing in")
    parser.add_argument("--appliers", type=int, default=1200, help="accounts applying once")
    parser.add_argument("--uploaders", type=int, default=900, help="draft applications")
    parser.add_argument("--bookers", type=int, default=1600, help="Magetan applicants booking")
    parser.add_argument("--sitters", type=int, default=240, help="CAT participants")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--argon2", type=Path, help="write one Argon2 hash's cost here (JSON)")
    options = parser.parse_args()

    setup()
    from django.conf import settings
    from django.db import connection

    started = time.perf_counter()
    tag = f"lt{int(time.time()) % 10**8:08d}"
    draws = random.Random(options.seed if options.seed is not None else time.time_ns())
    demo_ready()
    say("demo ready")
    people = identities(options.identities, draws)
    say(f"{len(people)} identities for registration")
    made = accounts(tag, options.sign_ins + options.appliers + options.uploaders, draws)
    say(f"{len(made)} accounts with complete profiles")
    signers = made[: options.sign_ins]
    appliers = made[options.sign_ins : options.sign_ins + options.appliers]
    uploaders = made[options.sign_ins + options.appliers :]
    eligible = eligible_formations(made[0]) if made else []
    if made and not eligible:
        raise SystemExit(f"prepare: the load accounts qualify for no opening of {APPLY_SELECTION}")
    numbers = drafts(uploaders, eligible)
    say(f"{len(numbers)} draft applications")
    booker_users, booker_applications = mitra_applicants(f"{tag}-book", options.bookers)
    mitra_seats_raised(options.bookers)
    participants = sittings(tag, options.sitters)
    say(f"{len(booker_users)} booking applicants, {len(participants)} CAT participants")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from seleksi.announcements.models import Announcement

    announcements = [
        [code, pk]
        for code, pk in Announcement.objects.published()
        .filter(selection__is_published=True)
        .order_by("pk")
        .values_list("selection__code", "pk")
    ]
    data = {
        "tag": tag,
        "password": PASSWORD,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "public": {
            "selections": [APPLY_SELECTION, MITRA_SELECTION],
            "announcements": announcements,
        },
        "registrations": people,
        "sign_ins": [user.email for user in signers],
        "appliers": [
            {"session": key, "formation": eligible[n % len(eligible)]}
            for n, key in enumerate(sessions_for(appliers))
        ],
        "apply_selection": APPLY_SELECTION,
        "uploaders": [
            {"session": key, "number": number}
            for key, number in zip(sessions_for(uploaders), numbers, strict=True)
        ],
        "upload_files": files(options.files or options.out.parent / "files"),
        "bookers": [
            {"session": key, "number": application.number}
            for key, application in zip(
                sessions_for(booker_users), booker_applications, strict=True
            )
        ],
        "mitra_stage": MITRA_STAGE,
        "sitters": participants,
    }
    options.out.parent.mkdir(parents=True, exist_ok=True)
    if options.argon2:
        options.argon2.write_text(json.dumps(argon2_cost()), encoding="utf-8")
    options.out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    say(f"written {options.out} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
