"""The console's admin site: Django's, closed to staff who only check participants in.

Site staff (`Role.SITE_STAFF`) have staff accounts so that they sign in and land on the
workspace, but they read no application: every console page answers them 404, as the
committee's pages do, rather than a sign-in page that suggests another account would do."""

from collections.abc import Callable
from functools import update_wrapper
from typing import Any, TypeVar, cast

from django.contrib.admin import AdminSite
from django.http import Http404, HttpRequest, HttpResponseBase

from seleksi.agencies.permissions import user_checks_in_only

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class ConsoleSite(AdminSite):
    def admin_view(self, view: View, cacheable: bool = False) -> View:
        guarded = super().admin_view(view, cacheable)

        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if user_checks_in_only(request.user):
                raise Http404("the console is not open to check-in staff")
            return guarded(request, *args, **kwargs)

        return cast(View, update_wrapper(inner, guarded))
