"""Background work of the public pages: an announcement's PDF or XLSX too large to make
inside a request.

Decisions worth knowing:
- The task takes the announcement's id, the kind of file, the name to keep it under, the
  language and the page address its QR code names; nothing else of the request.
- It is idempotent: a file already kept is left as it is. Either way the key that held other
  requests off is released, so the next request serves the file (or asks for it again when
  making it failed).
"""

from django.core.cache import cache
from django.tasks import task
from django.utils import translation

from seleksi.announcements import public

from . import announcement_files


@task()
def announcement_file_make(
    *, announcement_id: int, kind: str, stored_name: str, language: str, page_url: str
) -> str:
    """Make and keep the XLSX ("xlsx") or PDF ("pdf") of a published announcement."""
    announcement = public.announcement_published_by_pk(pk=announcement_id)
    if announcement is None:
        cache.delete(announcement_files.making_key(stored_name))
        return "missing"
    with translation.override(language):
        if kind == "pdf":
            announcement_files.store_once(
                stored_name,
                lambda: announcement_files.pdf_bytes(announcement, page_url=page_url),
            )
        else:
            announcement_files.store_once(
                stored_name, lambda: announcement_files.xlsx_bytes(announcement)
            )
    return "done"
