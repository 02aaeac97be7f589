"""What an upload check says to the applicant: what is wrong with the file and how to fix it."""

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

from seleksi.applications.files import FileCheck, FileProblem, FileWarning


def describe_problem(check: FileCheck) -> str:
    """The problem in the applicant's language, or "" when the file is fine."""
    if check.problem is None:
        return ""
    params = {"detected": check.detected, "expected": "", **dict(check.params)}
    messages = {
        FileProblem.EMPTY: _("The file is empty (0 bytes). Choose the file again and upload it."),
        FileProblem.TOO_LARGE: _(
            "The file is %(size_kb)s KB; the limit for this document is %(limit_kb)s KB. "
            "Compress it or scan at a lower resolution, then upload it again."
        ),
        FileProblem.WRONG_FORMAT: _(
            "This file is in %(detected)s format, not %(expected)s. Save or export it as "
            "%(expected)s; renaming the file is not enough."
        )
        if params["detected"] != "unknown"
        else _(
            "This file is not in %(expected)s format. Save or export it as %(expected)s; "
            "renaming the file is not enough."
        ),
        FileProblem.TRUNCATED: _(
            "The file is incomplete (it ends too early). Save or download it again, then upload it."
        ),
        FileProblem.CORRUPT: _(
            "The file is damaged and cannot be opened as %(expected)s. Check that it opens on "
            "your device, save or export it again as %(expected)s, then upload it."
        ),
        FileProblem.DECOMPRESSION_BOMB: _(
            "The image says it is %(width)s×%(height)s pixels, too large to open safely. "
            "Resize it to a normal size (a few thousand pixels per side), save it again and "
            "upload it."
        ),
        FileProblem.POLYGLOT: _(
            "The file holds other data besides the %(expected)s, such as another file joined "
            "to it. Open it, save or export it again as %(expected)s, then upload the new file."
        ),
        FileProblem.ENCRYPTED: _(
            "The PDF is protected with a password. Save a copy without a password and upload that."
        ),
        FileProblem.TOO_MANY_PAGES: _(
            "The PDF has %(pages)s pages; this document may have at most %(limit_pages)s. "
            "Remove the extra pages, then upload it again."
        ),
        FileProblem.ACTIVE_CONTENT: _(
            "The PDF contains scripts, automatic actions or attached files, which are not "
            "allowed. Print it to a new PDF (for example with “Microsoft Print to PDF”) and "
            "upload that."
        ),
        FileProblem.IMAGE_TOO_SMALL: _(
            "The image is only %(width)s×%(height)s pixels; each side must be at least "
            "%(min_side)s pixels. Scan or photograph it again at a higher resolution and "
            "upload it."
        ),
    }
    return messages[check.problem] % params


def describe_warnings(check: FileCheck) -> list[str]:
    """Each warning in the applicant's language; the file was accepted all the same."""
    return warning_texts(check.warnings, dict(check.warning_params))


def warning_texts(codes: Iterable[str], warning_params: Mapping[str, str]) -> list[str]:
    """The same messages for warnings stored with a document (codes and their parameters)."""
    params = {"ratio": "", **warning_params}
    messages = {
        FileWarning.PHOTO_ASPECT: _(
            "The photo is not 4×6 (it is %(ratio)s). Crop it to portrait 4×6 before submitting."
        ),
        FileWarning.PHOTO_BACKGROUND: _(
            "The photo's background does not look red. The announcement asks for a red "
            "background; upload a photo taken against red before submitting."
        ),
    }
    return [messages[FileWarning(code)] % params for code in codes]
