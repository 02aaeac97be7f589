"""The staff workspace (beranda kerja, `/panitia/`): each selection of the person's agencies
with what waits for them there (applications to check, objections to answer and their
deadlines, ranking runs to confirm) and the pages their roles open.

Applicants and strangers get a 404, as on the other committee pages; anonymous visitors are
sent to sign in."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from seleksi.scoring.selectors import RankingWork, ranking_work
from seleksi.verification.selectors import QueueWork, queue_work

from .desks import Desk, is_staff_member, request_desks


@dataclass(frozen=True)
class DeskWork:
    desk: Desk
    queue: QueueWork
    ranking: RankingWork

    @property
    def waits(self) -> bool:
        """Whether anything on this desk waits for the person's own action."""
        desk, queue = self.desk, self.queue
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
    selections = [desk.selection for desk in desks]
    queues = queue_work(selections=selections, user=request.user)
    rankings = ranking_work(selections=selections)
    work = [
        DeskWork(desk, queues[desk.selection.pk], rankings[desk.selection.pk]) for desk in desks
    ]
    return render(request, "committee/home.html", {"work": work})
