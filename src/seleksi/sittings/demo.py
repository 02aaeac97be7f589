"""Demo only (`seleksi demo-cat`): question banks and the stage's test for both demo
selections, so that a sitting can be tried after the check-in.

Decisions worth knowing:

- The banks are written here as bank tables and go through `questions_import`, the same
  import the committee uses, as the demo committee member. The questions are practice
  material made for the demo (province capitals, arithmetic, number series, workplace
  situations, survey basics), not questions of a real test.
- Aceh Tengah sits its SKD on Seleksi (blueprint skd-2021); Magetan its mitra test
  (mitra-bps-2024, 20 questions in 30 minutes).
- So that the test can be sat at once, the demo mitra applicant (`pelamar.mitra@…`) gets a
  final MS in Magetan's selection, books the first mitra session (through the booking
  service, as from the seat page) and is checked in by the demo site staff: signed in, they
  find "Start the test" on their application's seat page. The application is made directly,
  as the other demo commands make their participants.
- A second run adds nothing: a selection whose bank already holds the blueprint's questions
  is left as it is, and the participant keeps what they have.
"""

import csv
import io
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from seleksi.applications.models import Application
from seleksi.exams.models import Booking, TestSession
from seleksi.exams.services import booking_make, check_in
from seleksi.rules.cat import Blueprint, load_blueprint
from seleksi.rules.question_files import bank_columns
from seleksi.rules.verification import Mark
from seleksi.rules.verification import Stage as AdminStage
from seleksi.selections.models import Formation, Selection

from .models import BankQuestion, StageTest
from .services import questions_import, stage_test_set

PLANS = {
    "aceh-tengah-casn-2021": ("skd", "skd-2021", "panitia.acehtengah"),
    "bps-magetan-mitra-2024": ("mitra", "mitra-bps-2024", "panitia.magetan"),
}
KEYS = "abcde"
PARTICIPANT = ("pelamar.mitra@demo.seleksi.invalid", "bps-magetan-mitra-2024", "petugas.magetan")

PROVINCES = (
    ("Aceh", "Banda Aceh"),
    ("Sumatera Utara", "Medan"),
    ("Sumatera Barat", "Padang"),
    ("Riau", "Pekanbaru"),
    ("Kepulauan Riau", "Tanjungpinang"),
    ("Jambi", "Jambi"),
    ("Sumatera Selatan", "Palembang"),
    ("Kepulauan Bangka Belitung", "Pangkalpinang"),
    ("Bengkulu", "Bengkulu"),
    ("Lampung", "Bandar Lampung"),
    ("Banten", "Serang"),
    ("Jawa Barat", "Bandung"),
    ("Jawa Tengah", "Semarang"),
    ("Daerah Istimewa Yogyakarta", "Yogyakarta"),
    ("Jawa Timur", "Surabaya"),
    ("Bali", "Denpasar"),
    ("Nusa Tenggara Barat", "Mataram"),
    ("Nusa Tenggara Timur", "Kupang"),
    ("Kalimantan Barat", "Pontianak"),
    ("Kalimantan Tengah", "Palangka Raya"),
    ("Kalimantan Selatan", "Banjarbaru"),
    ("Kalimantan Timur", "Samarinda"),
    ("Kalimantan Utara", "Tanjung Selor"),
    ("Sulawesi Utara", "Manado"),
    ("Gorontalo", "Gorontalo"),
    ("Sulawesi Tengah", "Palu"),
    ("Sulawesi Barat", "Mamuju"),
    ("Sulawesi Selatan", "Makassar"),
    ("Sulawesi Tenggara", "Kendari"),
    ("Maluku", "Ambon"),
    ("Maluku Utara", "Sofifi"),
    ("Papua", "Jayapura"),
    ("Papua Barat", "Manokwari"),
    ("Papua Barat Daya", "Sorong"),
)

SITUATIONS = (
    (
        "Rekan satu tim Anda sering terlambat menyerahkan bagian pekerjaannya.",
        (
            "Mengajaknya bicara untuk mencari tahu kendalanya dan menyepakati jadwal bersama",
            "Menawarkan bantuan pada bagian yang paling mendesak",
            "Mengingatkannya setiap kali tenggat mendekat",
            "Melaporkannya kepada atasan tanpa membicarakannya lebih dahulu",
            "Mengerjakan bagiannya sendiri tanpa memberi tahu",
        ),
    ),
    (
        "Seorang warga marah di loket karena berkasnya belum selesai diproses.",
        (
            "Mendengarkan keluhannya, memeriksa berkasnya dan menjelaskan langkah berikutnya",
            "Meminta maaf dan berjanji menanyakan ke bagian yang memproses",
            "Memintanya menunggu dengan tenang",
            "Menjelaskan bahwa itu bukan tanggung jawab Anda",
            "Meminta petugas keamanan mengajaknya keluar",
        ),
    ),
    (
        "Anda diberi tugas baru yang belum pernah Anda kerjakan, dengan tenggat yang singkat.",
        (
            "Mempelajari tugas itu, menyusun rencana dan bertanya kepada yang berpengalaman",
            "Menerima tugas dan mengerjakannya semampu Anda",
            "Meminta tambahan waktu sebelum mencoba",
            "Meminta tugas itu dialihkan kepada rekan lain",
            "Menolak karena bukan bidang Anda",
        ),
    ),
    (
        "Anda menemukan kesalahan data dalam laporan yang sudah Anda kirim kepada atasan.",
        (
            "Segera memberi tahu atasan dan mengirim laporan yang sudah diperbaiki",
            "Memperbaikinya dan mengirim ulang tanpa penjelasan",
            "Menunggu apakah atasan menyadarinya",
            "Menyebut bahwa datanya berasal dari unit lain",
            "Membiarkannya karena laporan sudah terkirim",
        ),
    ),
    (
        "Atasan meminta pendapat Anda tentang cara kerja baru yang menurut Anda kurang tepat.",
        (
            "Menyampaikan pendapat dengan alasan dan usulan perbaikan yang jelas",
            "Menyampaikan keberatan secara singkat",
            "Menyetujui sambil mencatat kekhawatiran Anda",
            "Diam saja agar tidak berselisih",
            "Membicarakan kekurangannya dengan rekan lain di belakang atasan",
        ),
    ),
    (
        "Seseorang menawarkan hadiah agar urusannya didahulukan.",
        (
            "Menolak dengan sopan dan melayaninya sesuai antrean dan aturan",
            "Menolak hadiah dan menjelaskan aturan pelayanan",
            "Menolak tanpa penjelasan",
            "Menerima hadiah tetapi tetap melayani sesuai antrean",
            "Menerima hadiah dan mendahulukan urusannya",
        ),
    ),
    (
        "Kantor Anda mulai memakai aplikasi baru yang belum Anda kuasai.",
        (
            "Mempelajarinya dari panduan dan pelatihan lalu membantu rekan yang kesulitan",
            "Mempelajarinya sendiri sampai bisa",
            "Menunggu rekan yang sudah bisa mengajari",
            "Tetap memakai cara lama selama masih bisa",
            "Menolak memakai aplikasi itu",
        ),
    ),
    (
        "Dua rekan kerja Anda berselisih dan suasana tim menjadi tidak nyaman.",
        (
            "Mengajak keduanya berbicara baik-baik untuk mencari jalan keluar",
            "Menyarankan keduanya menyelesaikan masalahnya sendiri",
            "Melaporkan kepada atasan agar ditangani",
            "Menjauh dari keduanya agar tidak terlibat",
            "Memihak rekan yang lebih dekat dengan Anda",
        ),
    ),
    (
        "Anda ditempatkan di daerah yang jauh dari keluarga.",
        (
            "Menerima penempatan dan menyesuaikan diri dengan lingkungan baru",
            "Menerima sambil mencari cara tetap dekat dengan keluarga",
            "Menerima dengan berat hati",
            "Meminta pindah segera setelah bertugas",
            "Menolak penempatan",
        ),
    ),
)
TKP_SETTINGS = (
    "di kantor",
    "saat pelayanan publik",
    "dalam kegiatan lapangan",
    "menjelang akhir tahun anggaran",
    "pada minggu pertama Anda bertugas",
)

SURVEY_BASICS = (
    (
        "Sensus berbeda dari survei karena sensus …",
        (
            "mencacah seluruh unit populasi",
            "hanya mencacah sampel",
            "dilakukan setiap bulan",
            "tidak memakai kuesioner",
        ),
    ),
    (
        "Petugas yang mewawancarai responden di lapangan disebut …",
        ("pencacah", "pengawas", "pengolah", "penyunting"),
    ),
    ("Rata-rata dari 4, 6 dan 8 adalah …", ("6", "5", "7", "18")),
    (
        "Data yang diperoleh langsung dari responden disebut data …",
        ("primer", "sekunder", "tersier", "agregat"),
    ),
    (
        "Nilai yang paling sering muncul dalam sekumpulan data disebut …",
        ("modus", "median", "rata-rata", "jangkauan"),
    ),
    (
        "Nilai tengah data yang sudah diurutkan disebut …",
        ("median", "modus", "rata-rata", "kuartil atas"),
    ),
    (
        "Sebelum wawancara, petugas wajib menunjukkan …",
        ("tanda pengenal petugas", "nilai tes petugas", "daftar gaji", "kartu keluarga petugas"),
    ),
    (
        "Jawaban responden dalam survei statistik wajib dijaga …",
        ("kerahasiaannya", "keramaiannya", "kecepatannya", "keindahannya"),
    ),
    (
        "Kegiatan memeriksa kelengkapan dan kewajaran isian kuesioner disebut …",
        ("penyuntingan (editing)", "pencacahan", "penarikan sampel", "publikasi"),
    ),
    (
        "Satu rumah tangga dalam survei adalah orang yang …",
        (
            "tinggal bersama dan makan dari satu dapur",
            "bekerja di satu kantor",
            "bersekolah di satu sekolah",
            "tinggal di satu desa",
        ),
    ),
    (
        "Wilayah kerja terkecil seorang pencacah dalam sensus disebut …",
        ("blok sensus", "provinsi", "kabupaten", "kecamatan"),
    ),
    (
        "Bila responden menolak diwawancarai, petugas sebaiknya …",
        (
            "menjelaskan tujuan survei dan menjamin kerahasiaan jawabannya",
            "mengisi sendiri jawabannya",
            "memaksanya menjawab",
            "melewatkannya tanpa catatan",
        ),
    ),
    (
        "Lembaga yang menyelenggarakan statistik dasar di Indonesia adalah …",
        (
            "Badan Pusat Statistik",
            "Bank Indonesia",
            "Kementerian Keuangan",
            "Komisi Pemilihan Umum",
        ),
    ),
    ("Persentase 30 dari 120 adalah …", ("25%", "30%", "40%", "20%")),
)


def _row(
    component: str, topic: str, level: str, text: str, options: list[tuple[str, int]]
) -> list[str]:
    cells = [component, topic, level, text]
    for option_text, points in options:
        cells += [option_text, str(points)]
    return cells


def _keyed(right: str, wrong: list[str], turn: int, width: int) -> list[tuple[str, int]]:
    """The right answer placed at `turn % width` among the wrong ones."""
    options = [(text, 0) for text in wrong[: width - 1]]
    options.insert(turn % width, (right, 5))
    return options


def _skd_rows() -> Iterator[list[str]]:
    capitals = [capital for _, capital in PROVINCES]
    for n, (province, capital) in enumerate(PROVINCES):
        wrong = [c for c in capitals[n + 1 :] + capitals[:n] if c != capital][n % 7 :: 5][:4]
        yield _row(
            "twk",
            "wawasan nusantara",
            "mudah",
            f"Ibu kota Provinsi {province} adalah …",
            _keyed(capital, wrong, n, 5),
        )
    for n in range(40):
        a, b, c = 12 + n, 3 + n % 7, 5 + 2 * n
        if n % 2:
            right = a * b - c
            text = f"Berapakah hasil dari {a} × {b} − {c}?"
        else:
            step = 3 + n % 5
            start = 2 + n
            series = ", ".join(str(start + step * i) for i in range(5))
            right = start + step * 5
            text = f"Bilangan berikutnya dari deret {series}, … adalah …"
        wrong = [str(right + d) for d in (1, -2, 5, 10)]
        yield _row("tiu", "numerik", "sedang", text, _keyed(str(right), wrong, n, 5))
    for n, (where, (situation, responses)) in enumerate(
        (where, situation) for where in TKP_SETTINGS for situation in SITUATIONS
    ):
        shift = n % 5
        ordered = responses[shift:] + responses[:shift]
        points = [5 - ((i + shift) % 5) for i in range(5)]
        yield _row(
            "tkp",
            "pelayanan publik",
            "sedang",
            f"{situation} ({where}) Sikap Anda …",
            list(zip(ordered, points, strict=True)),
        )


def _mitra_rows() -> Iterator[list[str]]:
    for n, (text, (right, *wrong)) in enumerate(SURVEY_BASICS):
        yield _row("pengetahuan", "statistik dan survei", "mudah", text, _keyed(right, wrong, n, 4))
    for n in range(14):
        count, share = 40 + 10 * n, (10, 20, 25, 50)[n % 4]
        households = count * share // 100
        text = (
            f"Dari {count} rumah tangga yang dicacah, {share}% memiliki sepeda motor. "
            "Berapa rumah tangga itu?"
        )
        wrong = [str(households + d) for d in (5, -3, 10)]
        yield _row("numerik", "persentase", "mudah", text, _keyed(str(households), wrong, n, 4))


def _table(blueprint: Blueprint, rows: Iterator[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(bank_columns(blueprint))
    width = len(bank_columns(blueprint))
    for row in rows:
        writer.writerow(row + [""] * (width - len(row)))
    return out.getvalue().encode("utf-8")


@transaction.atomic
def demo_cat() -> list[str]:
    """Both demo selections' banks and stage tests; returns one line per selection."""
    lines = []
    for selection in Selection.objects.filter(code__in=PLANS).order_by("code"):
        stage, code, username = PLANS[selection.code]
        committee = get_user_model().objects.get(username=username)
        blueprint = load_blueprint(code)
        if not BankQuestion.objects.filter(selection=selection, blueprint=code).exists():
            rows = _skd_rows() if stage == "skd" else _mitra_rows()
            outcome = questions_import(
                selection=selection,
                actor=committee,
                blueprint_code=code,
                filename=f"bank-soal-demo-{code}.csv",
                content=_table(blueprint, rows),
            )
            if not outcome.ok:
                raise ValueError(f"demo bank {code}: {outcome.problems[:3]}")
        if not StageTest.objects.filter(selection=selection, stage=stage).exists():
            stage_test_set(selection=selection, actor=committee, stage=stage, blueprint_code=code)
        questions = BankQuestion.objects.filter(selection=selection, blueprint=code).count()
        lines.append(f"{selection.code}: {stage} on Seleksi's CAT ({code}), {questions} questions")
    participant = _demo_participant()
    if participant:
        lines.append(participant)
    return lines


def _demo_participant() -> str:
    """The demo mitra applicant, final MS, booked into the first mitra session and checked
    in; "" when the demo lacks the account, the selection or a session."""
    email, code, staff_name = PARTICIPANT
    users = get_user_model().objects
    applicant = users.filter(email=email).first()
    formation = Formation.objects.filter(selection__code=code).order_by("pk").first()
    session = (
        TestSession.objects.filter(selection__code=code, stage="mitra", closed_at=None)
        .order_by("starts_at", "code")
        .first()
    )
    if applicant is None or formation is None or session is None:
        return ""
    now = timezone.now()
    application, _ = Application.objects.get_or_create(
        applicant=applicant,
        selection=formation.selection,
        defaults={
            "formation": formation,
            "number": f"{formation.selection_id:03d}-CAT-DEMO",
            "status": Application.Status.SUBMITTED,
            "submitted_at": now,
            "admin_stage": AdminStage.FINAL,
            "admin_result": Mark.MS,
            "published_result": Mark.MS,
            "published_at": now,
        },
    )
    booking = Booking.objects.filter(application=application, stage="mitra").first()
    if booking is None:
        booking = booking_make(application=application, session_id=session.pk, actor=applicant)
    if booking.attendance == Booking.Attendance.BOOKED:
        check_in(
            session=booking.session, actor=users.get(username=staff_name), key=application.number
        )
    return (
        f"{email}: application {application.number}, checked in at {booking.session.code}; "
        "the test starts from the application's seat page"
    )
