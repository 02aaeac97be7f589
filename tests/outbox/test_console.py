"""The default e-mail backend prints messages as a person reads them: a link with `=` and a
long line come out exactly as written, not quoted-printable."""

import os
from email.message import MIMEPart
from io import StringIO
from typing import Any

from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives

from seleksi.outbox.console import EmailBackend

LINK = "http://127.0.0.1:8000/akun/aktifkan/MTIz:1tq=Xy-Z_0aBcD=/?next=/lamaran/0010000001/&a=b"
LONG_LINE = "Pendaftaran diakhiri pada " + "sangat panjang " * 20 + "pukul 14.05 WIB."


def printed(*messages: EmailMessage) -> str:
    stream = StringIO()
    sent = EmailBackend(stream=stream).send_messages(list(messages))
    assert sent == len(messages)
    return stream.getvalue()


def test_it_prints_a_link_with_equals_signs_and_a_long_line_intact() -> None:
    message = EmailMessage(
        subject="Aktivasi akun Seleksi",
        body=f"Yth. Pelamar,\n\n{LONG_LINE}\n\n{LINK}\n",
        from_email="Seleksi <noreply@localhost>",
        to=["pelamar@demo.seleksi.invalid"],
    )

    text = printed(message)

    assert f"\n{LINK}\n" in text
    assert f"\n{LONG_LINE}\n" in text
    assert "=3D" not in text and "=\n" not in text
    assert "Content-Transfer-Encoding" not in text


def test_it_decodes_the_headers() -> None:
    message = EmailMessage(
        subject="Hasil seleksi administrasi — pengumuman " * 3,
        body="Isi",
        from_email="Panitia Seleksi Kabupaten Aceh Tengah <noreply@localhost>",
        to=["Zoë Pelamar <zoe@demo.seleksi.invalid>"],
    )

    text = printed(message)

    assert "From: Panitia Seleksi Kabupaten Aceh Tengah <noreply@localhost>\n" in text
    assert "To: Zoë Pelamar <zoe@demo.seleksi.invalid>\n" in text
    assert "Subject: " + "Hasil seleksi administrasi — pengumuman " * 2 in text
    assert "=?utf-8?" not in text


def test_it_lists_attachments_and_alternatives_by_name_without_their_content() -> None:
    message = EmailMultiAlternatives(
        subject="Resume",
        body="Terlampir.",
        from_email="noreply@localhost",
        to=["pelamar@demo.seleksi.invalid"],
    )
    message.attach_alternative("<p>Terlampir.</p>", "text/html")
    message.attach("resume-0010000001.pdf", b"%PDF-1.4 secret bytes", "application/pdf")
    part = MIMEPart()
    part.set_content(b"\x89PNG", maintype="image", subtype="png", filename="kartu.png")
    message.attach(part)

    text = printed(message)

    assert "resume-0010000001.pdf (application/pdf, 21 bytes)" in text
    assert "kartu.png (image/png)" in text
    assert "Alternatives: text/html" in text
    assert "secret bytes" not in text and "<p>" not in text


def test_it_separates_messages_and_counts_them() -> None:
    messages = [
        EmailMessage(subject=f"Pesan {n}", body=f"Isi {n}", to=["a@demo.seleksi.invalid"])
        for n in (1, 2)
    ]

    text = printed(*messages)

    assert text.count("-" * 79) == 2
    assert text.index("Subject: Pesan 1") < text.index("Subject: Pesan 2")


def test_it_is_the_default_backend_when_none_is_set(settings: Any, capsys: Any) -> None:
    assert "SELEKSI_EMAIL_BACKEND" not in os.environ
    assert settings.EMAIL_BACKEND_PATH == "seleksi.outbox.console.EmailBackend"
    settings.MAILERS = {"default": {"BACKEND": settings.EMAIL_BACKEND_PATH}}
    assert isinstance(mail.mailers.default, EmailBackend)
    EmailMessage(subject="Uji", body=LINK, to=["a@demo.seleksi.invalid"]).send()
    assert f"\n{LINK}\n" in capsys.readouterr().out
