"""The one family of exceptions a service raises when it refuses a request.

Decisions worth knowing:
- A refusal carries a `code` (stable, for tests and for a page that reacts to one case) and a
  message the person can read. The message is defined beside the service that raises it (or
  in one table per app, `messages` on the subclass) and is kept lazy, so it is translated
  into the reader's language when the page shows it, not when the service raised it.
- `params` fill the message's placeholders (`%s` or `%(name)s`) at that moment; `detail`
  is the same value, named for what it tells a test or a log about the case.
- Views show `error.message` and nothing else: no page keeps its own table of refusals.
"""

from collections.abc import Mapping
from typing import Any, ClassVar

from django.utils.functional import Promise


class ServiceRefused(Exception):
    """A request the rules do not allow; nothing was changed."""

    messages: ClassVar[Mapping[str, str | Promise]] = {}

    def __init__(self, code: str, message: str | Promise | None = None, params: Any = None) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
        self._message = message if message is not None else self.messages.get(code, code)

    @property
    def detail(self) -> Any:
        return "" if self.params is None else self.params

    @property
    def message(self) -> str:
        """The message in the active language, its placeholders filled."""
        text = str(self._message)
        if self.params is None or self.params == "" or "%" not in text:
            return text
        return str(text % self.params)

    def __str__(self) -> str:
        return self.message
