from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from seleksi.accounts.crypto import rotate
from seleksi.accounts.models import User


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored NIK and KK with the first key of SELEKSI_FIELD_KEYS. Run it "
        "after putting a new key in front; then the old key can be removed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        users = User.objects.exclude(nik_cipher="", kk_cipher="").only("nik_cipher", "kk_cipher")
        for user in users.iterator(chunk_size=500):
            with transaction.atomic():
                user.nik_cipher = rotate(user.nik_cipher) if user.nik_cipher else ""
                user.kk_cipher = rotate(user.kk_cipher) if user.kk_cipher else ""
                user.save(update_fields=["nik_cipher", "kk_cipher"])
            count += 1
        self.stdout.write(f"re-encrypted the identity numbers of {count} account(s)")
