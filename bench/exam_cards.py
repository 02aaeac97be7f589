"""Benchmark: exam-card PDFs (kartu peserta ujian) made per second on one core, beside a
bound measured in the same run.

Seeds one selection at its SKD stage with N booked participants, each with a pas foto (a
portrait JPEG with photographic noise, about 50 KB, as uploaded, no two alike) and a name,
in sessions of 40 seats; none of that is timed. Then, in this single process:

- cards: `card_pdfs` over `card_bookings`, as the committee's batch task makes them (reading
  the bookings and photos, the QR codes, the HTML, WeasyPrint, the split into one PDF per
  card with pypdf), in documents of `--per-document` cards;
- one by one: `card_pdf` for the first `--single` bookings, as a participant's download makes
  each card alone;
- bound: WeasyPrint on a minimal document of one line per page (one font), the same number of
  pages in documents of the same size, written to PDF and not split: what WeasyPrint costs
  for that many pages before a card has anything on it.

Every card is checked: one page, its participant number and room in the text, exactly two
images (its own photo and its QR code). Figures are per wall-clock second and per CPU second
of this process (the latter is the per-core figure when other work shares the machine). The
goal of issue 13 is 20 or more cards per second per core. Asserts nothing about time.

    .venv/bin/python bench/exam_cards.py [--cards 400] [--per-document 50] [--single 20]

`exam_card_figures(cards=..., per_document=..., single=...)` does the same inside a process
where Django is already set up (bench/booking.py calls it), and returns the figures.
"""

import argparse
import io
import random
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from benchdb import setup_django

SEATS_PER_SESSION = 40
IMAGE = re.compile(rb"/Subtype\s*/Image\b")


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float

    def rate(self, count: int) -> tuple[float, float]:
        return count / self.wall, count / self.cpu


@dataclass(frozen=True)
class CardFigures:
    cards: int
    per_document: int
    batched: Timing
    single_cards: int
    single: Timing
    bound: Timing
    mean_bytes: int

    @property
    def cards_per_second(self) -> float:
        """Per CPU second of the one process: cards per second per core."""
        return self.batched.rate(self.cards)[1]

    def lines(self) -> list[str]:
        batched_wall, batched_cpu = self.batched.rate(self.cards)
        single_wall, single_cpu = self.single.rate(self.single_cards)
        bound_wall, bound_cpu = self.bound.rate(self.cards)
        return [
            f"exam cards: {self.cards} cards, {self.per_document} per WeasyPrint document, "
            f"one process, mean {self.mean_bytes / 1024:.0f} KB per card",
            f"  cards (batched):  {batched_cpu:7.1f} cards per CPU second "
            f"({batched_wall:.1f} per wall second, {self.batched.wall:.2f} s)",
            f"  cards one by one: {single_cpu:7.1f} cards per CPU second "
            f"({single_wall:.1f} per wall second, {self.single_cards} cards)",
            f"  bound (WeasyPrint, one line per page, same pages and documents): "
            f"{bound_cpu:7.1f} pages per CPU second ({bound_wall:.1f} per wall second)",
            f"  ratio cards / bound (CPU time): {self.batched.cpu / self.bound.cpu:.1f} x; "
            f"goal 20 cards per second per core: {'met' if batched_cpu >= 20 else 'NOT met'}",
        ]


def timed(action: Callable[[], Any]) -> tuple[Timing, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu), result


def pas_foto(seed: int) -> Image.Image:
    """A 4x6 portrait on red with sensor noise, as a phone photo of the pas foto is."""
    rng = random.Random(seed)
    image = Image.new("RGB", (600, 900), (196, 28, 36))
    draw = ImageDraw.Draw(image)
    skin = (220 + rng.randrange(-20, 20), 180 + rng.randrange(-20, 20), 150)
    draw.ellipse((180, 160, 420, 510), fill=skin)
    draw.ellipse((180, 130, 420, 300), fill=(30, 24, 22))
    draw.polygon([(30, 900), (90, 680), (510, 680), (570, 900)], fill=(24, 28, 52))
    random.seed(seed)
    noise = Image.effect_noise(image.size, 40).convert("RGB").filter(ImageFilter.GaussianBlur(0.6))
    return Image.blend(image, noise, 0.15)


def own_photo(portraits: list[Image.Image], number: int) -> bytes:
    """One of the portraits with the participant's own mark, so that no two photos are the
    same file (WeasyPrint would draw a repeated one once)."""
    image = portraits[number % len(portraits)].copy()
    ImageDraw.Draw(image).text((20, 20), str(number), fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def seed(count: int) -> Any:
    """A selection with `count` booked participants; returns it."""
    from django.contrib.auth.hashers import make_password
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from seleksi.accounts.models import User
    from seleksi.agencies.models import Agency
    from seleksi.applications.models import Application, Document
    from seleksi.exams.models import Booking, Room, SessionRoom, TestSession, TestSite
    from seleksi.selections.models import DocumentRule, Formation, Selection

    agency = Agency.objects.create(
        code="bench-kartu",
        name="Pemerintah Kabupaten Aceh Tengah",
        kind=Agency.Kind.REGIONAL_GOVERNMENT,
    )
    selection = Selection.objects.create(
        agency=agency,
        code="bench-kartu-2026",
        kind=Selection.Kind.CASN,
        title="Seleksi Pengadaan CPNS Kabupaten Aceh Tengah Tahun Anggaran 2026",
    )
    formations = [
        Formation.objects.create(
            selection=selection,
            code=f"F-{n:04d}",
            procurement_type="CPNS",
            formation_type="umum",
            position=f"Penata Kelola Sistem dan Teknologi Informasi {n}",
            qualifications_text="S-1 Teknik Informatika",
            placement_unit=f"Dinas Komunikasi, Informatika dan Persandian, bidang {n}",
            quota=2,
        )
        for n in range(10)
    ]
    rule = DocumentRule.objects.create(
        selection=selection,
        code="pas-foto",
        name="Pas foto",
        file_format=DocumentRule.FileFormat.JPEG,
        max_size_kb=200,
        is_photo=True,
    )
    password = make_password(None)
    User.objects.bulk_create(
        User(
            username=f"bench-kartu-{n:06d}",
            full_name=f"Peserta Nomor {n:06d} Binti Abdullah Gayo",
            password=password,
        )
        for n in range(count)
    )
    users = list(User.objects.filter(username__startswith="bench-kartu-").order_by("username"))
    now = timezone.now()
    Application.objects.bulk_create(
        Application(
            applicant=user,
            selection=selection,
            formation=formations[n % len(formations)],
            number=f"21{n:08d}",
            status=Application.Status.SUBMITTED,
            submitted_at=now,
        )
        for n, user in enumerate(users)
    )
    applications = list(Application.objects.filter(selection=selection).order_by("number"))
    portraits = [pas_foto(n) for n in range(8)]
    for n, application in enumerate(applications):
        content = own_photo(portraits, n)
        Document.objects.create(
            application=application,
            rule=rule,
            file=ContentFile(content, name="foto.jpg"),
            original_name="foto.jpg",
            size=len(content),
            sha256="0" * 64,
        )
    site = TestSite.objects.create(
        selection=selection,
        code="upt-bkn",
        name="UPT BKN Banda Aceh",
        address="Jl. Teuku Nyak Arief No. 1, Jeulingke, Syiah Kuala, Kota Banda Aceh",
    )
    room = Room.objects.create(site=site, code="cat-1", name="Ruang CAT 1", seats=100)
    sessions = count // SEATS_PER_SESSION + 1
    session_rooms = []
    for number in range(sessions):
        session = TestSession.objects.create(
            selection=selection,
            stage="skd",
            code=f"skd-{number + 1:03d}",
            site=site,
            starts_at=now + timedelta(days=7, hours=2 * number),
            duration_minutes=100,
        )
        session_rooms.append(
            SessionRoom.objects.create(
                session=session, room=room, capacity=SEATS_PER_SESSION, taken=SEATS_PER_SESSION
            )
        )
    Booking.objects.bulk_create(
        Booking(
            selection=selection,
            application=application,
            stage="skd",
            session_id=session_rooms[n // SEATS_PER_SESSION].session_id,
            session_room=session_rooms[n // SEATS_PER_SESSION],
            booked_at=now,
            booked_by=application.applicant,
        )
        for n, application in enumerate(applications)
    )
    return selection


def check_card(pdf: bytes, number: str, room: str) -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    text = reader.pages[0].extract_text()
    if len(reader.pages) != 1 or number not in text or room not in text:
        raise SystemExit(f"card {number}: {len(reader.pages)} pages or text without its data")
    if len(IMAGE.findall(pdf)) != 2:
        raise SystemExit(f"card {number}: {len(IMAGE.findall(pdf))} images, expected 2")


def minimal_pages(pages: int, per_document: int) -> None:
    from seleksi.applications.printing import pdf_from_html

    for start in range(0, pages, per_document):
        lines = "".join(f"<p>{n}</p>" for n in range(start, min(pages, start + per_document)))
        pdf_from_html("<!doctype html><style>p + p { break-before: page }</style>" + lines, ".")


def exam_card_figures(*, cards: int, per_document: int, single: int) -> CardFigures:
    """Seed `cards` booked participants and time their cards (Django set up, database empty
    of a selection called bench-kartu-2026)."""
    from django.utils import translation

    from seleksi.exams.cards import card_bookings, card_pdf, card_pdfs

    selection = seed(cards)
    site_url = "https://seleksi.example.go.id"
    with translation.override("id"):
        minimal_pages(2, 2)  # WeasyPrint's first document loads its fonts and stylesheets

        def batched() -> list[Any]:
            printed = []
            for chunk in card_pdfs(
                card_bookings(selection=selection, stage="skd"),
                site_url=site_url,
                per_document=per_document,
            ):
                printed.extend(chunk)
            return printed

        batched_time, printed = timed(batched)
        bookings = list(card_bookings(selection=selection, stage="skd")[:single])
        single_time, singles = timed(
            lambda: [card_pdf(booking, site_url=site_url) for booking in bookings]
        )
        bound_time, _ = timed(lambda: minimal_pages(cards, per_document))
    if len(printed) != cards:
        raise SystemExit(f"{len(printed)} cards for {cards} bookings")
    for card in printed:
        check_card(card.pdf, card.booking.application.number, card.booking.session_room.room.name)
    for booking, pdf in zip(bookings, singles, strict=True):
        check_card(pdf, booking.application.number, booking.session_room.room.name)
    return CardFigures(
        cards=cards,
        per_document=per_document,
        batched=batched_time,
        single_cards=len(bookings),
        single=single_time,
        bound=bound_time,
        mean_bytes=sum(len(card.pdf) for card in printed) // len(printed),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=400)
    parser.add_argument("--per-document", type=int, default=50)
    parser.add_argument("--single", type=int, default=20)
    options = parser.parse_args()
    setup_django("seleksi-bench-cards-")
    figures = exam_card_figures(
        cards=options.cards, per_document=options.per_document, single=options.single
    )
    print("\n".join(figures.lines()))


if __name__ == "__main__":
    main()
