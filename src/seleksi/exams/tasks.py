"""Background work of the test stage: a stage's exam cards as one ZIP.

Decisions worth knowing:

- The task takes a CardBatch id, nothing else. It is idempotent: a batch already done (or
  failed) is left as it is; one found running (a worker that died) is made again from the
  start.
- Cards are printed in documents of `cards.CARDS_PER_DOCUMENT` and written to the ZIP as they
  come, one `<participant number>.pdf` per booking, filed by session, room and number; `done`
  is saved after each document, so the committee's progress bar moves while it works.
- PDFs are stored in the ZIP without compression: their streams are compressed already.
- The ZIP is built in a temporary file (on disk past a few megabytes) and saved to the
  default storage under a name Seleksi makes, in the private `kartu/` folder.
- A failure marks the batch failed and logs the batch id, the exception's type and where it
  was raised, never its message, which could quote a name.
"""

import logging
import tempfile
import traceback
import zipfile

from django.conf import settings
from django.core.files import File
from django.tasks import task
from django.utils import timezone, translation

from .cards import card_bookings, card_pdfs
from .models import CardBatch

SPOOL_BYTES = 8 * 1024 * 1024

logger = logging.getLogger(__name__)


@task()
def card_batch_make(*, batch_id: int) -> str:
    """Make the ZIP of a CardBatch; returns the batch's status."""
    batch = CardBatch.objects.select_related("selection__agency").filter(pk=batch_id).first()
    if batch is None:
        return "missing"
    if batch.status in (CardBatch.Status.DONE, CardBatch.Status.FAILED):
        return str(batch.status)
    CardBatch.objects.filter(pk=batch.pk).update(status=CardBatch.Status.RUNNING, done=0, error="")
    try:
        _make(batch)
    except Exception as error:
        where = "".join(traceback.format_tb(error.__traceback__)[-3:])
        logger.error(
            "exam card batch %s failed: %s\n%s", batch.pk, type(error).__name__, where.rstrip()
        )
        CardBatch.objects.filter(pk=batch.pk).update(
            status=CardBatch.Status.FAILED,
            error=type(error).__name__,
            finished_at=timezone.now(),
        )
        return str(CardBatch.Status.FAILED)
    return str(CardBatch.Status.DONE)


def _make(batch: CardBatch) -> None:
    bookings = card_bookings(selection=batch.selection, stage=batch.stage)
    CardBatch.objects.filter(pk=batch.pk).update(total=bookings.count())
    written = 0
    with (
        tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool,
        translation.override(settings.LANGUAGE_CODE),
    ):
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
            for printed in card_pdfs(bookings.iterator(chunk_size=500)):
                for card in printed:
                    archive.writestr(f"{card.booking.application.number}.pdf", card.pdf)
                written += len(printed)
                CardBatch.objects.filter(pk=batch.pk).update(done=written)
        spool.seek(0)
        batch.archive.save(f"{batch.pk}.zip", File(spool), save=False)
    CardBatch.objects.filter(pk=batch.pk).update(
        archive=batch.archive.name,
        status=CardBatch.Status.DONE,
        total=written,
        done=written,
        finished_at=timezone.now(),
    )
