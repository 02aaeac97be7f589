"""Benchmark: how many uploads per second `check_upload` judges, on one core.

Makes its own files with Pillow first: pas foto JPEGs with photographic noise just under
200 KB (checked with photo=True, as the pas foto slot does) and scanned-looking PDFs of a few
image pages just under 800 KB (the diploma slot). Prints figures; asserts nothing about time.

    .venv/bin/python bench/uploads.py [--files 200] [--variants 5]
"""

import argparse
import io
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from seleksi.applications.files import FileCheck, check_upload

KB = 1024
PHOTO_LIMIT = 200 * KB
DIPLOMA_LIMIT = 800 * KB
RED = (196, 28, 36)


def noisy(image: Image.Image, sigma: float, seed: int) -> Image.Image:
    """Sensor noise over the picture, as a phone photo or a scan has."""
    random.seed(seed)
    noise = Image.effect_noise(image.size, sigma).convert(image.mode)
    return Image.blend(image, noise.filter(ImageFilter.GaussianBlur(0.6)), 0.25)


def pas_foto(seed: int) -> Image.Image:
    rng = random.Random(seed)
    image = Image.new("RGB", (800, 1200), RED)
    draw = ImageDraw.Draw(image)
    skin = (220 + rng.randrange(-20, 20), 180 + rng.randrange(-20, 20), 150)
    draw.rectangle((340, 600, 460, 840), fill=skin)
    draw.ellipse((240, 220, 560, 680), fill=skin)
    draw.ellipse((240, 180, 560, 400), fill=(30, 24, 22))
    draw.polygon([(40, 1200), (120, 900), (680, 900), (760, 1200)], fill=(24, 28, 52))
    return noisy(image, 60, seed)


def scanned_page(seed: int) -> Image.Image:
    rng = random.Random(seed)
    page = Image.new("RGB", (1240, 1754), (250, 248, 240))
    draw = ImageDraw.Draw(page)
    draw.rectangle((60, 60, 1180, 1694), outline=(120, 90, 30), width=12)
    for line in range(60):
        width = rng.randrange(400, 1000)
        draw.rectangle((120, 200 + 24 * line, 120 + width, 212 + 24 * line), fill=(40, 40, 40))
    return noisy(page, 40, seed)


def largest_under(limit: int, encode: Callable[[int], bytes]) -> bytes:
    """The encoding at the highest JPEG quality that still fits under `limit` bytes."""
    low, high, best = 5, 95, encode(5)
    while low <= high:
        quality = (low + high) // 2
        content = encode(quality)
        if len(content) <= limit:
            best, low = content, quality + 1
        else:
            high = quality - 1
    return best


def jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def pdf(pages: list[Image.Image], quality: int) -> bytes:
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:], quality=quality)
    return buffer.getvalue()


def run(label: str, files: list[bytes], count: int, check: Callable[[bytes], FileCheck]) -> None:
    for content in files:  # warm up, and make sure the files pass
        result = check(content)
        if not result.ok:
            raise SystemExit(f"{label}: a generated file was rejected: {result}")
    durations = []
    total_bytes = 0
    started = time.perf_counter()
    for index in range(count):
        content = files[index % len(files)]
        begin = time.perf_counter()
        check(content)
        durations.append(time.perf_counter() - begin)
        total_bytes += len(content)
    elapsed = time.perf_counter() - started
    sizes = sorted(len(content) // KB for content in files)
    print(
        f"{label:<34} {count:>5} files  sizes {sizes[0]}-{sizes[-1]} KB  "
        f"{count / elapsed:8.1f} files/s  {total_bytes / elapsed / KB / KB:7.1f} MB/s  "
        f"median {statistics.median(durations) * 1000:6.2f} ms  "
        f"max {max(durations) * 1000:6.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--variants", type=int, default=5)
    options = parser.parse_args()

    started = time.perf_counter()
    photos = [
        largest_under(PHOTO_LIMIT, lambda quality, seed=seed: jpeg(pas_foto(seed), quality))
        for seed in range(options.variants)
    ]
    diplomas = []
    for seed in range(options.variants):
        pages = [scanned_page(seed * 10 + page) for page in range(4)]
        diplomas.append(largest_under(DIPLOMA_LIMIT, lambda quality, p=pages: pdf(p, quality)))
    print(
        f"made {len(photos)} photos and {len(diplomas)} PDFs in "
        f"{time.perf_counter() - started:.1f} s"
    )

    run(
        "pas foto JPEG (photo=True)",
        photos,
        options.files,
        lambda content: check_upload(content, expected="jpeg", max_bytes=PHOTO_LIMIT, photo=True),
    )
    run(
        "same JPEGs (photo=False)",
        photos,
        options.files,
        lambda content: check_upload(content, expected="jpeg", max_bytes=PHOTO_LIMIT),
    )
    run(
        "diploma PDF, 4 scanned pages",
        diplomas,
        options.files,
        lambda content: check_upload(content, expected="pdf", max_bytes=DIPLOMA_LIMIT),
    )


if __name__ == "__main__":
    main()
