"""What the pool's page tests share: a signed-in committee client in English and the text of
a page and of the errors next to a field, as the pages render them."""

import html
import re
from typing import Any

from django.test import Client

from seleksi.accounts.models import User
from tests.accounts.helpers import CommitClient


def signed_in(user: User) -> Client:
    client = CommitClient()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def field_errors(response: Any, name: str) -> list[str]:
    """The errors shown next to field `name`, as the page rendered them."""
    block = re.search(rf'id="errors-{name}"[^>]*>(.*?)</div>', response.content.decode(), re.DOTALL)
    assert block is not None, f"no field {name} on the page"
    return [html.unescape(error) for error in re.findall(r"<li>(.*?)</li>", block.group(1))]
