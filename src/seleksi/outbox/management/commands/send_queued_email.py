from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from seleksi.outbox.delivery import messages_deliver
from seleksi.outbox.models import Message


class Command(BaseCommand):
    help = (
        "Send the queued e-mails that are due now (the worker does this on its own; run it to "
        "drain the queue by hand, or from cron as a safety net). With --retry-failed, messages "
        "that used up their attempts are queued again first. With --forget-after DAYS, sent "
        "and failed messages older than that are deleted (run it daily, like anonymise-expired)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help="queue failed messages again, with a fresh count of attempts",
        )
        parser.add_argument(
            "--forget-after",
            type=int,
            metavar="DAYS",
            help="delete sent and failed messages created more than DAYS days ago",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["retry_failed"]:
            requeued = Message.objects.filter(status=Message.Status.FAILED).update(
                status=Message.Status.QUEUED,
                attempts=0,
                next_attempt_at=timezone.now(),
            )
            self.stdout.write(_("%(count)d failed message(s) queued again") % {"count": requeued})
        if options["forget_after"] is not None:
            cutoff = timezone.now() - timedelta(days=max(options["forget_after"], 0))
            forgotten, _by_model = Message.objects.filter(
                status__in=[Message.Status.SENT, Message.Status.FAILED], created_at__lt=cutoff
            ).delete()
            self.stdout.write(
                _("%(count)d message(s) older than %(days)d days forgotten")
                % {"count": forgotten, "days": options["forget_after"]}
            )
        delivery = messages_deliver()
        waiting = Message.objects.filter(status=Message.Status.QUEUED).count()
        self.stdout.write(
            _(
                "%(sent)d sent, %(retrying)d to be retried, %(failed)d failed; "
                "%(waiting)d still queued"
            )
            % {
                "sent": delivery.sent,
                "retrying": delivery.retrying,
                "failed": delivery.failed,
                "waiting": waiting,
            }
        )
