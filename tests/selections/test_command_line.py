"""The `seleksi` console script as other tools call it: real processes, exit codes, streams."""

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.selections.test_tables import BROKEN_PARTS, DAMAGED, excel_like_workbook, rewritten

Runner = Callable[..., subprocess.CompletedProcess[bytes]]


@pytest.fixture
def seleksi(tmp_path: Path) -> Runner:
    script = shutil.which("seleksi", path=str(Path(sys.executable).parent)) or "seleksi"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env["SELEKSI_DATA_DIR"] = str(tmp_path / "data")

    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([script, *args], env=env, capture_output=True, check=False)

    assert run("migrate", "-v", "0").returncode == 0
    return run


def test_the_command_line_contract(seleksi: Runner, tmp_path: Path) -> None:
    first = seleksi("load-demo")
    assert first.returncode == 0 and b"created selection aceh-tengah-casn-2021" in first.stdout
    again = seleksi("load-demo")
    assert again.returncode == 0 and b"nothing changed" in again.stdout

    exported = seleksi("export-formations", "--selection", "aceh-tengah-casn-2021")
    assert exported.returncode == 0
    lines = exported.stdout.decode().splitlines()
    assert lines[0].startswith(
        "kode_formasi,jenis_pengadaan,jenis_formasi,jabatan,kualifikasi_pendidikan,"
        "unit_penempatan,kuota"
    )
    assert len(lines) == 1 + 642

    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0], lines[1].replace(",CPNS,", ",ASN,", 1)]) + "\n")
    refused = seleksi(
        "import-formations", "--selection", "aceh-tengah-casn-2021", str(bad), "--language=en"
    )
    assert refused.returncode == 1
    assert "bad.csv: line 2, column jenis_pengadaan:" in refused.stderr.decode()
    workbook = tmp_path / "rusak.xlsx"
    workbook.write_bytes(
        rewritten(
            excel_like_workbook([lines[0].split(","), lines[1].split(",")]),
            BROKEN_PARTS["sheet XML unclosed tag"],
        )
    )
    damaged = seleksi(
        "import-formations", "--selection", "aceh-tengah-casn-2021", str(workbook), "--language=en"
    )
    assert damaged.returncode == 1
    assert damaged.stderr.decode().splitlines() == [f"CommandError: rusak.xlsx: {DAMAGED}"]
    after = seleksi("export-formations", "--selection", "aceh-tengah-casn-2021")
    assert after.stdout == exported.stdout  # nothing was written

    good = tmp_path / "good.csv"
    good.write_bytes(exported.stdout)
    accepted = seleksi("import-formations", "--selection", "aceh-tengah-casn-2021", str(good))
    assert accepted.returncode == 0
    assert b"642 unchanged" in accepted.stdout
