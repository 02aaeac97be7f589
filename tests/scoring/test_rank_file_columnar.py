"""`seleksi rank-file` on the columnar path writes the same bytes, notes, fingerprint, errors
and exit as the row reader with the reference engine (`--no-columnar`), on random files of
every stage, plain or not; and a plain file is really read on the columnar path."""

import os
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seleksi.rules.rank_file_columns import (
    _quoted_as_rfc_4180,
    rank_files_columnar,
    read_score_frame,
)
from seleksi.rules.rank_files import SCORE_COLUMNS, parse_formations
from seleksi.rules.ranking import Stage, load_ranking_policy
from seleksi.rules.score_files import read_table

POLICIES = {
    Stage.SKD: "cpns-2021",
    Stage.FINAL: "cpns-2021",
    Stage.PPPK: "pppk-guru-2021",
    Stage.MITRA: "mitra-bps-2024",
}
FORMASI = (
    "kode_formasi,jabatan,unit_penempatan,jenis_formasi,kuota\n"
    "F1,Analis Data,Dinas A,umum,1\n"
    "F2,analis  data,Dinas B,umum,2\n"
    "F3,Analis Data,Dinas C,disabilitas,1\n"
)
PPPK_FORMASI = (
    "kode_formasi,jabatan,unit_penempatan,jenis_formasi,kuota,ambang_teknis\n"
    "G1,Guru Matematika,SMA 1,umum,1,300\n"
    "G2,Guru Fisika,SMA 2,umum,2,250\n"
)
EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PLAIN_CELLS: dict[str, list[str]] = {
    "kehadiran": ["H", "H", "H", "TH"],
    "twk": ["65", "100", "150", "0"],
    "tiu": ["80", "100", "175"],
    "tkp": ["166", "200", "225"],
    "skb": ["80", "58.5", "54.50", "100", "0.125"],
    "ipk": ["", "3.50", "4", "0"],
    "tanggal_lahir": ["1990-01-01", "1995-06-30", "0999-01-02"],
    "tahap": ["1", "2", "3"],
    "teknis": ["250", "300", "500"],
    "manajerial_sosiokultural": ["130", "150", "200"],
    "wawancara": ["24", "30", "40"],
    "nilai_tes": ["60", "55.5", "100", "65.05"],
    "nilai_kinerja": ["", "7.5", "10", "0.75"],
}
ODD_CELLS = [
    "+5",
    "-0",
    " 5",
    "5 ",
    "151",
    "1.0",
    "x",
    "",
    "Y",
    "n",
    "1e2",
    "12.1234567",
    "0000-01-01",
    "2001-02-30",
    "'5",
    '"5"',
    '"5,0"',
    '"a""b"',
    ' "5"',
    '"5"0',
    '"',
    '""',
]


def cells_for(stage: Stage, column: str) -> list[str]:
    if column == "kode_formasi":
        return ["G1", "G2"] if stage is Stage.PPPK else ["F1", "F2", "F3"]
    if column in PLAIN_CELLS:
        return PLAIN_CELLS[column]
    return ["Y", "N", "N"]


@st.composite
def score_files(draw: st.DrawFn, stage: Stage, plain: bool) -> str:
    columns = list(SCORE_COLUMNS[stage])
    if not plain and draw(st.booleans()):
        columns.append("catatan")
    count = draw(st.integers(1, 25))
    # as some tools write CSV: every cell quoted (the header too), or some of them
    quoting = draw(st.sampled_from(["none", "none", "every cell", "some cells"]))
    quote_header = quoting == "every cell"
    lines = [",".join(f'"{name}"' if quote_header else name for name in columns)]
    for number in range(count):
        row = []
        for column in columns:
            if column == "nomor_peserta":
                cell = f"P{draw(st.integers(0, count if not plain else 0)) + number:03d}"
                if stage is Stage.PPPK:
                    cell = f"P{number // 2:03d}"
            elif column == "tahap":
                cell = str(number % 2 + 1)
            elif column == "kode_formasi" and stage is Stage.PPPK:
                cell = f"G{number // 2 % 2 + 1}"
            elif column == "catatan":
                cell = draw(st.sampled_from(["ok", "sakit", "Ñame"]))
            else:
                cell = draw(st.sampled_from(cells_for(stage, column)))
            if not plain and draw(st.integers(0, 12)) == 0:
                cell = draw(st.sampled_from(ODD_CELLS))
            elif quoting == "every cell" or (quoting == "some cells" and draw(st.booleans())):
                cell = f'"{cell}"'
            row.append(cell)
        if not plain and draw(st.integers(0, 15)) == 0:
            row = row[: draw(st.integers(1, len(row)))]
        lines.append(",".join(row))
    if not plain and draw(st.integers(0, 6)) == 0:
        lines.insert(draw(st.integers(1, len(lines))), "")
    ending = "\r\n" if not plain and draw(st.booleans()) else "\n"
    text = ending.join(lines) + (ending if draw(st.booleans()) else "")
    if not plain and draw(st.integers(0, 6)) == 0:
        text = "\ufeff" + text
    return text


def rank_file(folder: Path, stage: Stage, scores: str, *, columnar: bool) -> tuple[str, str, str]:
    formations = PPPK_FORMASI if stage is Stage.PPPK else FORMASI
    (folder / "FORMASI.csv").write_text(formations, encoding="utf-8")
    (folder / "NILAI.csv").write_bytes(scores.encode("utf-8"))
    out, err = StringIO(), StringIO()
    arguments = ["--policy", POLICIES[stage], "--stage", stage.value]
    arguments += [
        "--formations",
        str(folder / "FORMASI.csv"),
        "--scores",
        str(folder / "NILAI.csv"),
    ]
    failure = ""
    try:
        call_command(
            "rank_file",
            *arguments,
            *([] if columnar else ["--no-columnar"]),
            stdout=out,
            stderr=err,
        )
    except CommandError as error:
        failure = str(error)
    return out.getvalue(), err.getvalue(), failure


def assert_same_bytes(stage: Stage, scores: str) -> tuple[str, str, str]:
    with tempfile.TemporaryDirectory() as name:
        columnar = rank_file(Path(name), stage, scores, columnar=True)
        reference = rank_file(Path(name), stage, scores, columnar=False)
    assert columnar == reference
    return columnar


@pytest.mark.parametrize("stage", list(Stage))
@EXAMPLES
@given(data=st.data())
def test_any_file_ranks_the_same_as_the_row_reader(stage: Stage, data: st.DataObject) -> None:
    assert_same_bytes(stage, data.draw(score_files(stage, plain=False)))


@pytest.mark.parametrize("stage", list(Stage))
@EXAMPLES
@given(data=st.data())
def test_a_plain_file_is_read_on_the_columnar_path(stage: Stage, data: st.DataObject) -> None:
    scores = data.draw(score_files(stage, plain=True))
    out, err, failure = assert_same_bytes(stage, scores)
    assert failure == "" and "sidik jari" in err
    policy = load_ranking_policy(POLICIES[stage])
    formations = PPPK_FORMASI if stage is Stage.PPPK else FORMASI
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "FORMASI.csv").write_text(formations, encoding="utf-8")
        (folder / "NILAI.csv").write_text(scores, encoding="utf-8")
        parsed = parse_formations(policy, stage, read_table(folder / "FORMASI.csv"))
        ranked = rank_files_columnar(policy, stage, parsed, folder / "NILAI.csv")
    assert ranked is not None
    assert ranked.output.height == len(out.splitlines()) - 1


SKD_HEADER = "nomor_peserta,kode_formasi,kehadiran,twk,tiu,tkp"


@pytest.mark.parametrize(
    "scores",
    [
        f'{SKD_HEADER}\n"0"01,F1,H,100,100,200\n',
        f'{SKD_HEADER}\n001, "F1",H,100,100,200\n',
        f'{SKD_HEADER}\n001,"F1,H,100,100,200\n',
        f'{SKD_HEADER}\n001,"F1\n",H,100,100,200\n',
        f"{SKD_HEADER}\n001,F1,H,+100,100,200\n",
        f"{SKD_HEADER}\n001,F1,H,100,100,200\n\n002,F1,H,100,100,200\n",
        f"{SKD_HEADER}\r001,F1,H,100,100,200\r",
        f"{SKD_HEADER}\n001, F1,H,100,100,200\n",
        f"{SKD_HEADER}\n001,F1,H,100,100,200\n001,F2,H,100,100,200\n",
        f"{SKD_HEADER}\n001,F9,H,100,100,200\n",
        f"{SKD_HEADER}\n001,F1,H,100,100,226\n",
        f"{SKD_HEADER}\n001,F1,H,100,100\n",
        f"{SKD_HEADER}\n'001,F1,H,100,100,200\n",
        f"{SKD_HEADER}\n",
        "nomor_peserta,kode_formasi,kehadiran,twk,tiu\n001,F1,H,100,100\n",
    ],
    ids=[
        "quotation mark inside a cell",
        "space before a quoted cell",
        "quotation mark not closed",
        "quoted line break",
        "plus sign",
        "blank line",
        "lone carriage returns",
        "space before a code",
        "participant twice",
        "unknown formation",
        "out of range",
        "short line",
        "cell marked as text",
        "header only",
        "missing column",
    ],
)
def test_a_file_that_is_not_plain_goes_to_the_row_reader(tmp_path: Path, scores: str) -> None:
    (tmp_path / "NILAI.csv").write_text(scores, encoding="utf-8")
    policy = load_ranking_policy("cpns-2021")
    parsed = parse_formations(policy, Stage.SKD, read_table(_formasi(tmp_path)))
    assert rank_files_columnar(policy, Stage.SKD, parsed, tmp_path / "NILAI.csv") is None
    assert_same_bytes(Stage.SKD, scores)


def _rank_skd_into(folder: Path, output: Path, flag: list[str]) -> None:
    """rank-file on the folder's NILAI.csv (SKD) into `output`, with `flag`."""
    call_command(
        "rank_file",
        *("--policy", "cpns-2021", "--stage", "skd", "--formations", str(_formasi(folder))),
        *("--scores", str(folder / "NILAI.csv"), "--output", str(output)),
        *flag,
        stderr=StringIO(),
    )


def _formasi(folder: Path) -> Path:
    path = folder / "FORMASI.csv"
    path.write_text(FORMASI, encoding="utf-8")
    return path


def test_windows_line_ends_and_a_byte_order_mark_are_plain(tmp_path: Path) -> None:
    scores = f"\ufeff{SKD_HEADER}\r\n002,F1,H,100,100,200\r\n001,F1,TH,,,\r\n"
    (tmp_path / "NILAI.csv").write_text(scores, encoding="utf-8")
    policy = load_ranking_policy("cpns-2021")
    parsed = parse_formations(policy, Stage.SKD, read_table(_formasi(tmp_path)))
    assert read_score_frame(policy, Stage.SKD, parsed, tmp_path / "NILAI.csv") is not None
    out, _, _ = assert_same_bytes(Stage.SKD, scores)
    assert out.splitlines()[1:] == ["002,F1,100,100,200,400,1,P/L", "001,F1,,,,,,TH"]


@pytest.mark.parametrize(
    ("line", "taken"),
    [
        ('"001","F1",H,"100"', True),
        ('001,"Aminah, S.Kom"', True),
        ('001,"Ñoman ""Putu"""', True),
        ('001,"",', True),
        ('"0"01,F1', False),
        ('001,"F1"x', False),
        ('001, "F1"', False),
        ('001,00"1', False),
        ('001,"F1', False),
        ('001,"""', False),
    ],
)
def test_quotation_marks_are_taken_only_as_rfc_4180_has_them(line: str, taken: bool) -> None:
    """Whatever polars would make of the others, the row reader reads them."""
    assert _quoted_as_rfc_4180(f"{SKD_HEADER}\r\n{line}\r\n".encode()) is taken


def test_a_file_with_every_cell_quoted_is_plain(tmp_path: Path) -> None:
    """As some tools export CSV: the header and every cell quoted, an empty cell as "", and
    an extra column with commas, doubled quotation marks and accents."""
    header = ",".join(f'"{name}"' for name in [*SKD_HEADER.split(","), "nama"])
    scores = (
        f"{header}\r\n"
        '"002","F1","H","100","100","200","Aminah, S.Kom"\r\n'
        '"001","F1","TH","","","",""\r\n'
        '"003","F2","H","65","80","166","Ñoman ""Putu"""\r\n'
    )
    (tmp_path / "NILAI.csv").write_text(scores, encoding="utf-8")
    policy = load_ranking_policy("cpns-2021")
    parsed = parse_formations(policy, Stage.SKD, read_table(_formasi(tmp_path)))
    assert read_score_frame(policy, Stage.SKD, parsed, tmp_path / "NILAI.csv") is not None
    out, _, _ = assert_same_bytes(Stage.SKD, scores)
    assert out.splitlines()[1:] == [
        "002,F1,100,100,200,400,1,P/L",
        "001,F1,,,,,,TH",
        "003,F2,65,80,166,311,1,P/L",
    ]


def test_it_writes_the_same_file_as_the_row_reader(tmp_path: Path) -> None:
    scores = f"{SKD_HEADER}\n002,F1,H,100,100,200\n001,F2,H,65,80,166\n"
    (tmp_path / "NILAI.csv").write_text(scores, encoding="utf-8")
    written = []
    for flag in ([], ["--no-columnar"]):
        output = tmp_path / f"OUT{len(written)}.csv"
        _rank_skd_into(tmp_path, output, flag)
        written.append(output.read_bytes())
    assert written[0] == written[1]
    assert written[0].startswith(b"nomor_peserta,kode_formasi,twk,tiu,tkp,total,peringkat,kode\n")


ROOT = Path(__file__).resolve().parents[2]


def _seleksi(folder: Path, scores: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    """The console script ranking an SKD NILAI.csv into OUT.csv as an operator runs it, with
    the site's settings named and a database URL the site could not even parse."""
    (folder / "NILAI.csv").write_text(f"{SKD_HEADER}\n{scores}", encoding="utf-8")
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "seleksi.settings",
        "DATABASE_URL": "no-such-scheme://",
        "SELEKSI_DATA_DIR": str(folder / "data"),
    }
    command = [sys.executable, "-m", "seleksi", "rank-file", "--policy", "cpns-2021"]
    command += ["--stage", "skd", "--formations", str(_formasi(folder))]
    command += ["--scores", str(folder / "NILAI.csv"), "--output", str(folder / "OUT.csv")]
    return subprocess.run(
        [*command, *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_command_line_starts_without_the_site(tmp_path: Path) -> None:
    finished = _seleksi(tmp_path, "002,F1,H,100,100,200\n")
    assert finished.returncode == 0, finished.stderr
    assert (tmp_path / "OUT.csv").read_text().splitlines()[1] == "002,F1,100,100,200,400,1,P/L"
    assert "sidik jari" in finished.stderr
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    ("language", "line", "summary"),
    [
        (
            "id",
            "baris 2, kolom twk: 999 di luar rentang 0..150",
            "1 kesalahan; tidak ada keluaran yang ditulis",
        ),
        (
            "en",
            "line 2, column twk: 999 is outside the range 0..150",
            "1 error; no output was written",
        ),
    ],
)
def test_the_command_line_words_problems_in_the_language_asked(
    tmp_path: Path, language: str, line: str, summary: str
) -> None:
    finished = _seleksi(tmp_path, "002,F1,H,999,100,200\n", "--language", language)
    assert finished.returncode == 1
    assert f"NILAI.csv: {line}" in finished.stderr
    assert summary in finished.stderr
    assert not (tmp_path / "OUT.csv").exists()


@pytest.mark.parametrize("flag", [[], ["--no-columnar"]])
def test_an_output_folder_that_is_not_there_fails_alike_on_both_paths(
    tmp_path: Path, flag: list[str]
) -> None:
    (tmp_path / "NILAI.csv").write_text(f"{SKD_HEADER}\n002,F1,H,100,100,200\n", encoding="utf-8")
    output = tmp_path / "no-such-folder" / "OUT.csv"
    with pytest.raises(FileNotFoundError):
        _rank_skd_into(tmp_path, output, flag)
    assert not output.parent.exists()
