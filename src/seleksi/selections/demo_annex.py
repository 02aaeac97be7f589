"""Demo formation annex (lampiran formasi) for Kabupaten Aceh Tengah's 2021 selection.

Announcement 800/144/BKPSDM-AT/2021 lists PPPK Guru 749, CPNS formasi khusus disabilitas
(tenaga teknis) 6, and CPNS formasi umum tenaga kesehatan 148 and tenaga teknis 151. Its
annex (position x qualification x placement unit x quota) is not published with it, so this
module generates a plausible breakdown that matches those four group figures exactly. It is
demo data, not the real allocation.

The four printed figures add up to 1054, while the announcement's total is 1048, the figure
set by the ministry's decision (KepmenPANRB 670/2021). 749 + 148 + 151 = 1048: the 151
technical openings include the 6 disability ones. So the annex keeps the total and reads the
technical figure as all technical openings: 6 disabilitas plus 145 umum.

The result is deterministic: quotas come from fixed patterns, with no randomness at all.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from math import gcd

from seleksi.rules.formations import (
    FormationRow,
    FormationType,
    PositionCategory,
    ProcurementType,
)

KECAMATAN: tuple[str, ...] = (
    "Atu Lintang",
    "Bebesen",
    "Bies",
    "Bintang",
    "Celala",
    "Jagong Jeget",
    "Kebayakan",
    "Ketol",
    "Kute Panang",
    "Laut Tawar",
    "Linge",
    "Pegasing",
    "Rusip Antara",
    "Silih Nara",
)

# Schools that receive PPPK teachers in each kecamatan: (SD Negeri count, SMP Negeri count).
_SCHOOLS: dict[str, tuple[int, int]] = {
    "Atu Lintang": (5, 2),
    "Bebesen": (14, 5),
    "Bies": (7, 2),
    "Bintang": (7, 3),
    "Celala": (6, 2),
    "Jagong Jeget": (6, 2),
    "Kebayakan": (9, 3),
    "Ketol": (10, 3),
    "Kute Panang": (6, 2),
    "Laut Tawar": (9, 3),
    "Linge": (10, 4),
    "Pegasing": (12, 4),
    "Rusip Antara": (6, 2),
    "Silih Nara": (13, 4),
}

# Placement units.
RSUD = "RSUD Kabupaten Aceh Tengah"
DINKES = "Dinas Kesehatan"
DISDIKBUD = "Dinas Pendidikan dan Kebudayaan"
BAPPEDA = "Badan Perencanaan Pembangunan Daerah"
BKPSDM = "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia"
BPKK = "Badan Pengelolaan Keuangan Kabupaten"
INSPEKTORAT = "Inspektorat"
SETDA = "Sekretariat Daerah"
SETWAN = "Sekretariat Dewan Perwakilan Rakyat Kabupaten"
DISTAN = "Dinas Pertanian"
DISKOMINFO = "Dinas Komunikasi, Informatika dan Persandian"
PUPR = "Dinas Pekerjaan Umum dan Penataan Ruang"
PERKIM = "Dinas Perumahan dan Kawasan Permukiman"
DLH = "Dinas Lingkungan Hidup"
DISDUKCAPIL = "Dinas Kependudukan dan Pencatatan Sipil"
SATPOLPP = "Satuan Polisi Pamong Praja dan Wilayatul Hisbah"
ARSIP = "Dinas Perpustakaan dan Kearsipan"
PERIKANAN = "Dinas Perikanan"
PETERNAKAN = "Dinas Peternakan dan Kesehatan Hewan"
DISHUB = "Dinas Perhubungan"
BPBD = "Badan Penanggulangan Bencana Daerah"


def _puskesmas(kecamatan: str) -> str:
    return f"Puskesmas {kecamatan}"


def _kantor_camat(kecamatan: str) -> str:
    return f"Kecamatan {kecamatan}"


# Qualifications, spelled once so the same name is identical on every row.
S1_PGSD = "S-1 Pendidikan Guru Sekolah Dasar"
D4_PGSD = "D-IV Pendidikan Guru Sekolah Dasar"
S1_PENJAS = "S-1 Pendidikan Jasmani, Kesehatan dan Rekreasi"
S1_PKO = "S-1 Pendidikan Kepelatihan Olahraga"
S1_PAI = "S-1 Pendidikan Agama Islam"
S1_PBSI = "S-1 Pendidikan Bahasa dan Sastra Indonesia"
S1_PB_INDONESIA = "S-1 Pendidikan Bahasa Indonesia"
S1_PMAT = "S-1 Pendidikan Matematika"
S1_MATEMATIKA = "S-1 Matematika"
S1_PIPA = "S-1 Pendidikan Ilmu Pengetahuan Alam"
S1_PBIOLOGI = "S-1 Pendidikan Biologi"
S1_PFISIKA = "S-1 Pendidikan Fisika"
S1_PIPS = "S-1 Pendidikan Ilmu Pengetahuan Sosial"
S1_PGEOGRAFI = "S-1 Pendidikan Geografi"
S1_PSEJARAH = "S-1 Pendidikan Sejarah"
S1_PEKONOMI = "S-1 Pendidikan Ekonomi"
S1_PB_INGGRIS = "S-1 Pendidikan Bahasa Inggris"
S1_PPKN = "S-1 Pendidikan Pancasila dan Kewarganegaraan"
S1_PSENI_RUPA = "S-1 Pendidikan Seni Rupa"
S1_SENDRATASIK = "S-1 Pendidikan Seni Drama, Tari dan Musik"
S1_PTK = "S-1 Pendidikan Teknologi dan Kejuruan"
S1_PKK = "S-1 Pendidikan Kesejahteraan Keluarga"
S1_BK = "S-1 Bimbingan dan Konseling"
S1_PPB = "S-1 Psikologi Pendidikan dan Bimbingan"

PROFESI_DOKTER = "Profesi Dokter"
PROFESI_DOKTER_GIGI = "Profesi Dokter Gigi"
PROFESI_NERS = "Profesi Ners"
PROFESI_BIDAN = "Profesi Bidan"
PROFESI_APOTEKER = "Profesi Apoteker"
D3_KEPERAWATAN = "D-III Keperawatan"
D3_KEBIDANAN = "D-III Kebidanan"
D3_FARMASI = "D-III Farmasi"
D3_ANALIS_FARMASI = "D-III Analis Farmasi dan Makanan"
D3_ANALIS_KESEHATAN = "D-III Analis Kesehatan"
D3_TLM = "D-III Teknologi Laboratorium Medis"
D3_GIZI = "D-III Gizi"
D3_KESLING = "D-III Kesehatan Lingkungan"
D3_SANITASI = "D-III Sanitasi"
D3_RADIOLOGI = "D-III Radiologi"
D3_RADIODIAGNOSTIK = "D-III Teknik Radiodiagnostik dan Radioterapi"
D3_FISIOTERAPI = "D-III Fisioterapi"
D3_REKAM_MEDIS = "D-III Rekam Medis dan Informasi Kesehatan"
D3_PEREKAM_MEDIS = "D-III Perekam dan Informasi Kesehatan"
S1_KESMAS = "S-1 Kesehatan Masyarakat"
S1_EPIDEMIOLOGI = "S-1 Epidemiologi"
S1_ADMINKES = "S-1 Administrasi Kebijakan Kesehatan"

S1_ADMINISTRASI_NEGARA = "S-1 Ilmu Administrasi Negara"
S1_ILMU_PEMERINTAHAN = "S-1 Ilmu Pemerintahan"
S1_HUKUM = "S-1 Ilmu Hukum"
S1_INFORMATIKA = "S-1 Teknik Informatika"
S1_SISTEM_INFORMASI = "S-1 Sistem Informasi"
S1_ILMU_KOMPUTER = "S-1 Ilmu Komputer"
D3_INFORMATIKA = "D-III Teknik Informatika"
D3_MANAJEMEN_INFORMATIKA = "D-III Manajemen Informatika"
S1_KEARSIPAN = "S-1 Kearsipan"
D3_KEARSIPAN = "D-III Kearsipan"
S1_PERPUSTAKAAN = "S-1 Ilmu Perpustakaan"
S1_AKUNTANSI = "S-1 Akuntansi"
S1_MANAJEMEN = "S-1 Manajemen"
S1_EKONOMI_PEMBANGUNAN = "S-1 Ekonomi Pembangunan"
S1_AGROTEKNOLOGI = "S-1 Agroteknologi"
S1_AGRIBISNIS = "S-1 Agribisnis"
S1_AGRONOMI = "S-1 Agronomi"
D3_PENYULUHAN_PERTANIAN = "D-III Penyuluhan Pertanian"
D3_AGRIBISNIS = "D-III Agribisnis"
S1_TEKNIK_LINGKUNGAN = "S-1 Teknik Lingkungan"
S1_ILMU_LINGKUNGAN = "S-1 Ilmu Lingkungan"
S1_PWK = "S-1 Perencanaan Wilayah dan Kota"
S1_TEKNIK_SIPIL = "S-1 Teknik Sipil"
D3_TEKNIK_SIPIL = "D-III Teknik Sipil"
S1_ARSITEKTUR = "S-1 Arsitektur"
S1_STATISTIKA = "S-1 Statistika"
D3_AKUNTANSI = "D-III Akuntansi"
D3_KEUANGAN = "D-III Keuangan dan Perbankan"
D3_MANAJEMEN = "D-III Manajemen"
D3_ADMINISTRASI_PERKANTORAN = "D-III Administrasi Perkantoran"
D3_HUKUM = "D-III Hukum"
D3_ADMINISTRASI_NEGARA = "D-III Administrasi Negara"
S1_PSIKOLOGI = "S-1 Psikologi"
S1_MSDM = "S-1 Manajemen Sumber Daya Manusia"
S1_PERIKANAN = "S-1 Perikanan"
S1_BUDIDAYA_PERAIRAN = "S-1 Budidaya Perairan"
PROFESI_DOKTER_HEWAN = "Profesi Dokter Hewan"
S1_SEJARAH = "S-1 Sejarah"
S1_ANTROPOLOGI = "S-1 Antropologi"
S1_ILMU_KOMUNIKASI = "S-1 Ilmu Komunikasi"
S1_TEKNIK_MESIN = "S-1 Teknik Mesin"
S1_GEOGRAFI = "S-1 Geografi"

GURU_KELAS = "Guru Kelas Ahli Pertama"
GURU_PJOK = "Guru Pendidikan Jasmani, Olahraga dan Kesehatan Ahli Pertama"
GURU_PAI = "Guru Pendidikan Agama Islam Ahli Pertama"
GURU_SMP_SUBJECTS: tuple[str, ...] = (
    GURU_PJOK,
    GURU_PAI,
    "Guru Bahasa Indonesia Ahli Pertama",
    "Guru Matematika Ahli Pertama",
    "Guru Ilmu Pengetahuan Alam Ahli Pertama",
    "Guru Ilmu Pengetahuan Sosial Ahli Pertama",
    "Guru Bahasa Inggris Ahli Pertama",
    "Guru Pendidikan Pancasila dan Kewarganegaraan Ahli Pertama",
    "Guru Seni Budaya Ahli Pertama",
    "Guru Prakarya Ahli Pertama",
    "Guru Bimbingan dan Konseling Ahli Pertama",
)

QUALIFICATIONS: dict[str, tuple[str, ...]] = {
    # PPPK Guru
    GURU_KELAS: (S1_PGSD, D4_PGSD),
    GURU_PJOK: (S1_PENJAS, S1_PKO),
    GURU_PAI: (S1_PAI,),
    "Guru Bahasa Indonesia Ahli Pertama": (S1_PBSI, S1_PB_INDONESIA),
    "Guru Matematika Ahli Pertama": (S1_PMAT, S1_MATEMATIKA),
    "Guru Ilmu Pengetahuan Alam Ahli Pertama": (S1_PIPA, S1_PBIOLOGI, S1_PFISIKA),
    "Guru Ilmu Pengetahuan Sosial Ahli Pertama": (
        S1_PIPS,
        S1_PGEOGRAFI,
        S1_PSEJARAH,
        S1_PEKONOMI,
    ),
    "Guru Bahasa Inggris Ahli Pertama": (S1_PB_INGGRIS,),
    "Guru Pendidikan Pancasila dan Kewarganegaraan Ahli Pertama": (S1_PPKN,),
    "Guru Seni Budaya Ahli Pertama": (S1_SENDRATASIK, S1_PSENI_RUPA),
    "Guru Prakarya Ahli Pertama": (S1_PTK, S1_PKK),
    "Guru Bimbingan dan Konseling Ahli Pertama": (S1_BK, S1_PPB),
    # CPNS tenaga kesehatan
    "Dokter Ahli Pertama": (PROFESI_DOKTER,),
    "Dokter Gigi Ahli Pertama": (PROFESI_DOKTER_GIGI,),
    "Dokter Spesialis Anak Ahli Pertama": ("Profesi Dokter Spesialis Anak",),
    "Dokter Spesialis Penyakit Dalam Ahli Pertama": ("Profesi Dokter Spesialis Penyakit Dalam",),
    "Dokter Spesialis Obstetri dan Ginekologi Ahli Pertama": (
        "Profesi Dokter Spesialis Obstetri dan Ginekologi",
    ),
    "Dokter Spesialis Anestesiologi dan Terapi Intensif Ahli Pertama": (
        "Profesi Dokter Spesialis Anestesiologi dan Terapi Intensif",
    ),
    "Dokter Spesialis Bedah Ahli Pertama": ("Profesi Dokter Spesialis Bedah",),
    "Dokter Spesialis Radiologi Ahli Pertama": ("Profesi Dokter Spesialis Radiologi",),
    "Perawat Ahli Pertama": (PROFESI_NERS,),
    "Perawat Terampil": (D3_KEPERAWATAN,),
    "Bidan Ahli Pertama": (PROFESI_BIDAN,),
    "Bidan Terampil": (D3_KEBIDANAN,),
    "Apoteker Ahli Pertama": (PROFESI_APOTEKER,),
    "Asisten Apoteker Terampil": (D3_FARMASI, D3_ANALIS_FARMASI),
    "Pranata Laboratorium Kesehatan Terampil": (D3_ANALIS_KESEHATAN, D3_TLM),
    "Nutrisionis Terampil": (D3_GIZI,),
    "Sanitarian Terampil": (D3_KESLING, D3_SANITASI),
    "Penyuluh Kesehatan Masyarakat Ahli Pertama": (S1_KESMAS,),
    "Epidemiolog Kesehatan Ahli Pertama": (S1_KESMAS, S1_EPIDEMIOLOGI),
    "Administrator Kesehatan Ahli Pertama": (S1_KESMAS, S1_ADMINKES),
    "Radiografer Terampil": (D3_RADIOLOGI, D3_RADIODIAGNOSTIK),
    "Fisioterapis Terampil": (D3_FISIOTERAPI,),
    "Perekam Medis Terampil": (D3_REKAM_MEDIS, D3_PEREKAM_MEDIS),
    # CPNS tenaga teknis
    "Analis Kebijakan Ahli Pertama": (S1_ADMINISTRASI_NEGARA, S1_ILMU_PEMERINTAHAN, S1_HUKUM),
    "Pranata Komputer Ahli Pertama": (S1_INFORMATIKA, S1_SISTEM_INFORMASI, S1_ILMU_KOMPUTER),
    "Pranata Komputer Terampil": (D3_INFORMATIKA, D3_MANAJEMEN_INFORMATIKA),
    "Arsiparis Ahli Pertama": (S1_KEARSIPAN, S1_PERPUSTAKAAN),
    "Arsiparis Terampil": (D3_KEARSIPAN,),
    "Pustakawan Ahli Pertama": (S1_PERPUSTAKAAN,),
    "Auditor Ahli Pertama": (S1_AKUNTANSI, S1_MANAJEMEN, S1_EKONOMI_PEMBANGUNAN),
    "Penyuluh Pertanian Ahli Pertama": (S1_AGROTEKNOLOGI, S1_AGRIBISNIS, S1_AGRONOMI),
    "Penyuluh Pertanian Terampil": (D3_PENYULUHAN_PERTANIAN, D3_AGRIBISNIS),
    "Pengawas Lingkungan Hidup Ahli Pertama": (S1_TEKNIK_LINGKUNGAN, S1_ILMU_LINGKUNGAN),
    "Perencana Ahli Pertama": (S1_PWK, S1_EKONOMI_PEMBANGUNAN),
    "Analis Keuangan Pusat dan Daerah Ahli Pertama": (
        S1_AKUNTANSI,
        S1_MANAJEMEN,
        S1_EKONOMI_PEMBANGUNAN,
    ),
    "Teknik Jalan dan Jembatan Ahli Pertama": (S1_TEKNIK_SIPIL,),
    "Teknik Jalan dan Jembatan Terampil": (D3_TEKNIK_SIPIL,),
    "Teknik Tata Bangunan dan Perumahan Ahli Pertama": (S1_TEKNIK_SIPIL, S1_ARSITEKTUR),
    "Teknik Pengairan Ahli Pertama": (S1_TEKNIK_SIPIL,),
    "Statistisi Ahli Pertama": (S1_STATISTIKA, S1_MATEMATIKA),
    "Pengelola Pengadaan Barang/Jasa Ahli Pertama": (
        S1_ADMINISTRASI_NEGARA,
        S1_MANAJEMEN,
        S1_TEKNIK_SIPIL,
    ),
    "Penata Laksana Barang Terampil": (D3_MANAJEMEN, D3_ADMINISTRASI_PERKANTORAN),
    "Polisi Pamong Praja Terampil": (D3_HUKUM, D3_ADMINISTRASI_NEGARA),
    "Pranata Keuangan APBD Terampil": (D3_AKUNTANSI, D3_KEUANGAN),
    "Analis Kepegawaian Ahli Pertama": (S1_MSDM, S1_PSIKOLOGI, S1_ADMINISTRASI_NEGARA),
    "Perancang Peraturan Perundang-undangan Ahli Pertama": (S1_HUKUM,),
    "Pranata Hubungan Masyarakat Ahli Pertama": (S1_ILMU_KOMUNIKASI,),
    "Penyuluh Perikanan Ahli Pertama": (S1_PERIKANAN, S1_BUDIDAYA_PERAIRAN),
    "Medik Veteriner Ahli Pertama": (PROFESI_DOKTER_HEWAN,),
    "Pamong Budaya Ahli Pertama": (S1_SEJARAH, S1_ANTROPOLOGI),
    "Penguji Kendaraan Bermotor Ahli Pertama": (S1_TEKNIK_MESIN,),
    "Analis Bencana Ahli Pertama": (S1_GEOGRAFI, S1_TEKNIK_LINGKUNGAN),
}


@dataclass(frozen=True)
class _Line:
    """One annex line before its quota is fitted: a starting quota and the most it may get."""

    position: str
    placement_unit: str
    base: int
    cap: int


@dataclass(frozen=True)
class AnnexGroup:
    """One line of the announcement's allocation; its rows' codes start with `code_prefix`."""

    code_prefix: str
    procurement_type: ProcurementType
    formation_type: FormationType
    category: PositionCategory
    total: int


PPPK_GURU = AnnexGroup(
    "AT21-PPPK-G", ProcurementType.PPPK, FormationType.UMUM, PositionCategory.GURU, 749
)
CPNS_DISABILITAS = AnnexGroup(
    "AT21-CPNS-D", ProcurementType.CPNS, FormationType.DISABILITAS, PositionCategory.TEKNIS, 6
)
CPNS_KESEHATAN = AnnexGroup(
    "AT21-CPNS-K", ProcurementType.CPNS, FormationType.UMUM, PositionCategory.KESEHATAN, 148
)
CPNS_TEKNIS = AnnexGroup(
    "AT21-CPNS-T", ProcurementType.CPNS, FormationType.UMUM, PositionCategory.TEKNIS, 145
)


def _at(position: str, units: Iterable[str], base: int = 1, cap: int = 4) -> list[_Line]:
    return [_Line(position, unit, base, cap) for unit in units]


def _guru_lines() -> list[_Line]:
    """Class teachers (and a PJOK or PAI teacher) at SD; subject teachers at SMP."""
    lines: list[_Line] = []
    sd_index = 0
    smp_index = 0
    subjects = len(GURU_SMP_SUBJECTS)
    for kecamatan in KECAMATAN:
        sd_count, smp_count = _SCHOOLS[kecamatan]
        for number in range(1, sd_count + 1):
            school = f"SD Negeri {number} {kecamatan}"
            lines.append(_Line(GURU_KELAS, school, 1 + (sd_index * 5) % 6, 8))
            if sd_index % 3 == 0:
                lines.append(_Line(GURU_PJOK, school, 1, 2))
            elif sd_index % 3 == 1:
                lines.append(_Line(GURU_PAI, school, 1, 2))
            sd_index += 1
        for number in range(1, smp_count + 1):
            school = f"SMP Negeri {number} {kecamatan}"
            start = (smp_index * 4) % subjects
            for offset in range(5 + smp_index % 3):
                subject = GURU_SMP_SUBJECTS[(start + offset) % subjects]
                lines.append(_Line(subject, school, 1 + (smp_index + offset) % 2, 3))
            smp_index += 1
    return lines


def _kesehatan_lines() -> list[_Line]:
    k = KECAMATAN
    remote: tuple[str, ...] = (
        "Atu Lintang",
        "Bintang",
        "Celala",
        "Jagong Jeget",
        "Ketol",
        "Linge",
        "Rusip Antara",
    )
    specialists = (
        "Dokter Spesialis Anak Ahli Pertama",
        "Dokter Spesialis Penyakit Dalam Ahli Pertama",
        "Dokter Spesialis Obstetri dan Ginekologi Ahli Pertama",
        "Dokter Spesialis Anestesiologi dan Terapi Intensif Ahli Pertama",
        "Dokter Spesialis Bedah Ahli Pertama",
        "Dokter Spesialis Radiologi Ahli Pertama",
    )
    return [
        *_at("Dokter Ahli Pertama", [RSUD], 3),
        *_at("Dokter Ahli Pertama", map(_puskesmas, (*remote, "Kute Panang"))),
        *_at("Dokter Gigi Ahli Pertama", [RSUD]),
        *_at("Dokter Gigi Ahli Pertama", map(_puskesmas, k[0:14:3])),
        *(_Line(position, RSUD, 1, 1) for position in specialists),
        *_at("Perawat Ahli Pertama", [RSUD], 6, 8),
        *_at("Perawat Ahli Pertama", map(_puskesmas, k[1:14:2]), 2),
        *_at("Perawat Terampil", [RSUD], 8, 8),
        *_at("Perawat Terampil", map(_puskesmas, k[0:14:1]), 2),
        *_at("Bidan Ahli Pertama", [RSUD], 2),
        *_at("Bidan Ahli Pertama", map(_puskesmas, k[2:14:3])),
        *_at("Bidan Terampil", [RSUD], 3),
        *_at("Bidan Terampil", map(_puskesmas, (*remote, "Pegasing", "Silih Nara")), 2),
        *_at("Apoteker Ahli Pertama", [RSUD, DINKES]),
        *_at("Apoteker Ahli Pertama", map(_puskesmas, ("Bebesen", "Kebayakan", "Pegasing"))),
        *_at("Asisten Apoteker Terampil", [RSUD], 2),
        *_at("Asisten Apoteker Terampil", map(_puskesmas, k[1:14:2])),
        *_at("Pranata Laboratorium Kesehatan Terampil", [RSUD], 2),
        *_at("Pranata Laboratorium Kesehatan Terampil", map(_puskesmas, k[0:14:2])),
        *_at("Nutrisionis Terampil", [RSUD]),
        *_at("Nutrisionis Terampil", map(_puskesmas, k[0:14:2])),
        *_at("Sanitarian Terampil", map(_puskesmas, k[1:14:2])),
        *_at("Penyuluh Kesehatan Masyarakat Ahli Pertama", [DINKES], 2),
        *_at("Penyuluh Kesehatan Masyarakat Ahli Pertama", map(_puskesmas, k[3:14:4])),
        *_at("Epidemiolog Kesehatan Ahli Pertama", [DINKES], 2),
        *_at("Epidemiolog Kesehatan Ahli Pertama", map(_puskesmas, ("Bebesen", "Linge"))),
        *_at("Administrator Kesehatan Ahli Pertama", [DINKES, RSUD]),
        *_at("Radiografer Terampil", [RSUD], 2),
        *_at("Fisioterapis Terampil", [RSUD], 2),
        *_at("Perekam Medis Terampil", [RSUD], 2),
        *_at("Perekam Medis Terampil", map(_puskesmas, k[2:14:4])),
    ]


def _teknis_lines() -> list[_Line]:
    k = KECAMATAN
    return [
        *_at("Analis Kebijakan Ahli Pertama", [SETDA], 3),
        *_at("Analis Kebijakan Ahli Pertama", [SETWAN, BKPSDM, DISDIKBUD], 2),
        *_at("Analis Kebijakan Ahli Pertama", map(_kantor_camat, k)),
        *_at("Pranata Komputer Ahli Pertama", [DISKOMINFO], 3),
        *_at("Pranata Komputer Ahli Pertama", [DISDUKCAPIL, BKPSDM, BPKK, BAPPEDA]),
        *_at("Pranata Komputer Terampil", [DISKOMINFO, DISDUKCAPIL, DISDIKBUD]),
        *_at("Arsiparis Ahli Pertama", [ARSIP], 2),
        *_at("Arsiparis Terampil", [ARSIP, SETDA, BKPSDM]),
        *_at("Pustakawan Ahli Pertama", [ARSIP]),
        *_at("Auditor Ahli Pertama", [INSPEKTORAT], 4),
        *_at("Penyuluh Pertanian Ahli Pertama", [DISTAN], 2),
        *_at(
            "Penyuluh Pertanian Ahli Pertama",
            (f"Balai Penyuluhan Pertanian Kecamatan {name}" for name in k[0:14:2]),
        ),
        *_at("Penyuluh Pertanian Terampil", [DISTAN], 2),
        *_at("Pengawas Lingkungan Hidup Ahli Pertama", [DLH], 2),
        *_at("Perencana Ahli Pertama", [BAPPEDA], 3),
        *_at("Perencana Ahli Pertama", [DISDIKBUD, DINKES, PUPR]),
        *_at("Analis Keuangan Pusat dan Daerah Ahli Pertama", [BPKK], 3),
        *_at("Teknik Jalan dan Jembatan Ahli Pertama", [PUPR], 3),
        *_at("Teknik Jalan dan Jembatan Terampil", [PUPR], 2),
        *_at("Teknik Tata Bangunan dan Perumahan Ahli Pertama", [PERKIM, PUPR], 2),
        *_at("Teknik Pengairan Ahli Pertama", [PUPR], 2),
        *_at("Statistisi Ahli Pertama", [BAPPEDA, DISKOMINFO]),
        *_at("Pengelola Pengadaan Barang/Jasa Ahli Pertama", [SETDA], 3),
        *_at("Penata Laksana Barang Terampil", [SETDA, BPKK, DISDIKBUD, DINKES, PUPR]),
        *_at("Polisi Pamong Praja Terampil", [SATPOLPP], 4),
        *_at("Pranata Keuangan APBD Terampil", [BPKK], 3),
        *_at("Pranata Keuangan APBD Terampil", [DISDIKBUD, DINKES, PUPR, DISTAN, SETWAN]),
        *_at("Pranata Keuangan APBD Terampil", map(_kantor_camat, k[1:14:3])),
        *_at("Analis Kepegawaian Ahli Pertama", [BKPSDM], 3),
        *_at("Perancang Peraturan Perundang-undangan Ahli Pertama", [SETDA], 2),
        *_at("Pranata Hubungan Masyarakat Ahli Pertama", [DISKOMINFO, SETDA]),
        *_at("Penyuluh Perikanan Ahli Pertama", [PERIKANAN], 2),
        *_at("Medik Veteriner Ahli Pertama", [PETERNAKAN], 2),
        *_at("Pamong Budaya Ahli Pertama", [DISDIKBUD]),
        *_at("Penguji Kendaraan Bermotor Ahli Pertama", [DISHUB]),
        *_at("Analis Bencana Ahli Pertama", [BPBD]),
    ]


def _disabilitas_lines() -> list[_Line]:
    return [
        _Line("Pranata Komputer Ahli Pertama", DISKOMINFO, 1, 1),
        _Line("Analis Kebijakan Ahli Pertama", SETDA, 1, 1),
        _Line("Arsiparis Terampil", ARSIP, 1, 1),
        _Line("Pranata Keuangan APBD Terampil", BPKK, 1, 1),
        _Line("Penata Laksana Barang Terampil", BKPSDM, 1, 1),
        _Line("Statistisi Ahli Pertama", BAPPEDA, 1, 1),
    ]


def fit_quotas(base: Sequence[int], caps: Sequence[int], total: int) -> list[int]:
    """Quotas between 1 and each cap that add up to `total`, changing `base` step by step.

    Lines are visited with a stride coprime to their count, so the changes spread across the
    table instead of piling up at its start.
    """
    quotas = [min(max(quota, 1), cap) for quota, cap in zip(base, caps, strict=True)]
    count = len(quotas)
    if not count <= total <= sum(caps):
        raise ValueError(f"{count} lines capped at {sum(caps)} cannot hold {total}")
    stride = 7
    while gcd(stride, count) != 1:
        stride += 1
    missing = total - sum(quotas)
    step = 0
    while missing:
        index = (step * stride) % count
        if missing > 0 and quotas[index] < caps[index]:
            quotas[index] += 1
            missing -= 1
        elif missing < 0 and quotas[index] > 1:
            quotas[index] -= 1
            missing += 1
        step += 1
    return quotas


def _rows(group: AnnexGroup, lines: Sequence[_Line]) -> list[FormationRow]:
    quotas = fit_quotas([line.base for line in lines], [line.cap for line in lines], group.total)
    return [
        FormationRow(
            code=f"{group.code_prefix}-{number:04d}",
            procurement_type=group.procurement_type,
            formation_type=group.formation_type,
            position=line.position,
            qualifications=QUALIFICATIONS[line.position],
            placement_unit=line.placement_unit,
            quota=quota,
            position_category=group.category,
        )
        for number, (line, quota) in enumerate(zip(lines, quotas, strict=True), start=1)
    ]


@cache
def aceh_tengah_formations() -> tuple[FormationRow, ...]:
    """The demo annex: 1048 openings (749 + 6 + 148 + 145), in code order."""
    return (
        *_rows(CPNS_DISABILITAS, _disabilitas_lines()),
        *_rows(CPNS_KESEHATAN, _kesehatan_lines()),
        *_rows(CPNS_TEKNIS, _teknis_lines()),
        *_rows(PPPK_GURU, _guru_lines()),
    )
