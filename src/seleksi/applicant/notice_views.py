"""The applicant's inbox (kotak masuk) of notices, and the language switch that also
remembers the choice for the notices a signed-in person receives.

Decisions worth knowing:
- A notice is marked read when its owner opens it (GET of its own page): opening is the
  reading, and the page is personal and never cached. Someone else's notice answers 404.
- The language switch is Django's `set_language`, plus one UPDATE of `User.language` when
  the person is signed in, so e-mails follow the language they use the site in.
- A visitor who is not signed in switches without a form token: the public pages they read
  are kept and shared (`seleksi.public.page_cache`) and must carry no one's token nor set a
  cookie. Forging the switch could only change such a visitor's language; a signed-in
  person's switch still needs the token.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from seleksi.accounts.services import user_language_set
from seleksi.notices import selectors
from seleksi.notices.models import Notice
from seleksi.notices.services import notice_read

PER_PAGE = 20


@never_cache
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox(request.user).defer("body"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "notices/inbox.html", {"page": page})


@never_cache
@login_required
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    shown = get_object_or_404(Notice, pk=pk, user=request.user)
    notice_read(notice=shown, user=request.user)
    return render(request, "notices/notice.html", {"notice": shown})


@csrf_exempt
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return _language_set_signed_in(request)
    return set_language(request)


@csrf_protect
def _language_set_signed_in(request: HttpRequest) -> HttpResponse:
    response = set_language(request)
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=str(request.POST.get("language", "")))
    return response
