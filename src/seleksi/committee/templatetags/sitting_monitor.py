"""`{% session_test session as blueprint %}`: whether a session's stage is sat on Seleksi's own
computer-assisted test, for the link to its sittings on the session's page."""

from django import template

from seleksi.exams.models import TestSession
from seleksi.sittings.monitor import session_blueprint

register = template.Library()


@register.simple_tag
def session_test(session: TestSession) -> str:
    """The blueprint code of the session's test, or "" for a stage scored from a file."""
    return session_blueprint(session=session) or ""
