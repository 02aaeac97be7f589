"""The password hash: Argon2id at the cost OWASP's password storage guidance sets as its
baseline, not Django's heavier default.

Decisions worth knowing:

- Django's Argon2 default (100 MiB, two passes, eight lanes) costs about 180 ms of CPU a hash
  here, and a registration makes three (the password and two security answers): under 2
  registrations a second per core, where opening day needs tens. OWASP's first Argon2id
  configuration (19 MiB, two passes, one lane) costs a fraction of that and still makes each
  guess of an offline attacker spend 19 MiB of memory, which is what defeats GPUs.
- The algorithm's name stays "argon2": every hash carries its own parameters, so hashes made
  with Django's default still verify, and Django rehashes a password at these parameters the
  next time its owner signs in (`must_update`).
- An installation may ask for more (`SELEKSI_ARGON2_MEMORY_KIB`, `SELEKSI_ARGON2_TIME_COST`,
  `SELEKSI_ARGON2_PARALLELISM`) if its machines can pay for it at its peak.
"""

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2Hasher(Argon2PasswordHasher):
    """Argon2id with the parameters of the settings (by default 19 MiB, t=2, p=1)."""

    @property
    def time_cost(self) -> int:  # type: ignore[override]
        return int(settings.SELEKSI_ARGON2_TIME_COST)

    @property
    def memory_cost(self) -> int:  # type: ignore[override]
        return int(settings.SELEKSI_ARGON2_MEMORY_KIB)

    @property
    def parallelism(self) -> int:  # type: ignore[override]
        return int(settings.SELEKSI_ARGON2_PARALLELISM)
