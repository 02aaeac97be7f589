"""The staff workspace (beranda kerja, `/panitia/`): each selection of the person's agencies
with what waits for them there (applications to check, objections to answer and their
deadlines, ranking runs to confirm) and the pages their roles open. Site staff, who only check
participants in, see the check-in entry of each selection and nothing of its applications.

Applicants and strangers get a 404, as on the other committee pages; anonymous visitors are
sent to sign in."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from seleksi.agencies.permissions import user_checks_in_only
from seleksi.scoring.selectors import RankingWork, ranking_work
from seleksi.verification.selectors import QueueWork, queue_work

from .desks import Desk, is_staff_member, request_desks


@dataclass(frozen=True)
class DeskWork:
    desk: Desk
    queue: QueueWork | None
    """None where the person reads no application (site staff)"""
    ranking: RankingWork | None

    @property
    def waits(self) -> bool:
        """Whether anything on this desk waits for the person's own action."""
        desk, queue = self.desk, self.queue
        if queue is None or self.ranking is None:
            return False
        return bool(
            (desk.can_verify and (queue.waiting_mine or queue.waiting_unassigned))
            or (desk.can_verify and queue.second_check)
            or (desk.can_decide and (queue.objections_open or self.ranking.to_confirm))
            or (desk.can_decide and queue.next_publication)
        )


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(request.user):
        raise Http404("not a staff member")
    desks = request_desks(request)
    selections = [desk.selection for desk in desks if desk.can_view]
    queues = queue_work(selections=selections, user=request.user)
    rankings = ranking_work(selections=selections)
    work = [
        DeskWork(desk, queues.get(desk.selection.pk), rankings.get(desk.selection.pk))
        for desk in desks
    ]
    return render(
        request,
        "committee/home.html",
        {"work": work, "console": not user_checks_in_only(request.user)},
    )
