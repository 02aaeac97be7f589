"""An e-mail backend for the demo and development: it prints each message as a person reads
it, where Django's console backend prints the MIME source.

Decisions worth knowing:
- The MIME source wraps long lines and writes `=` as `=3D` (quoted-printable), which breaks
  the activation and recovery links a tester copies from the worker's log. Here the headers
  are decoded and the plain-text body is printed exactly as it was written; HTML
  alternatives and attachments are listed by type and name, not printed.
- It is the default backend (settings: SELEKSI_EMAIL_BACKEND); production sets SMTP.
"""

from email.message import MIMEPart
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend

HEADERS = ("From", "To", "Cc", "Reply-To", "Subject", "Date")
SEPARATOR = "-" * 79


def _attachment(attachment: Any) -> str:
    """An attachment's name and type: an EmailAttachment, or a MIME part given directly."""
    if isinstance(attachment, MIMEPart):
        name = attachment.get_filename() or "?"
        mimetype = attachment.get_content_type()
        return f"{name} ({mimetype})"
    filename, content, mimetype = attachment
    return f"{filename or '?'} ({mimetype}, {len(content)} bytes)"


def readable(message: EmailMessage) -> str:
    """The message as text: decoded headers, a blank line, the plain-text body, then what
    else it carries."""
    mime = message.message()  # the modern email policy decodes its headers on reading
    lines = [f"{name}: {mime[name]}" for name in HEADERS if mime[name] is not None]
    lines += ["", message.body.rstrip("\n")]
    alternatives = getattr(message, "alternatives", [])
    if alternatives:
        lines += ["", "Alternatives: " + ", ".join(str(a[1]) for a in alternatives)]
    if message.attachments:
        lines += ["", "Attachments:"]
        lines += [f"  {_attachment(attachment)}" for attachment in message.attachments]
    return "\n".join(lines) + "\n"


class EmailBackend(DjangoConsoleBackend):
    """Django's console backend (stream, lock, fail_silently), writing readable messages."""

    def write_message(self, message: EmailMessage) -> None:
        self.stream.write(readable(message))
        self.stream.write(SEPARATOR + "\n")
