"""Settings for the commands that need neither a database nor the applications: `seleksi
rank-file`. `seleksi.__main__` starts such a command with these settings, so that it does not
pay for setting up the whole site (every application, its models and checks, the database
URL) to rank two CSV files: the languages and their translations are all it reads.

`seleksi.settings` takes its language settings from here, so the two cannot drift apart.
"""

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent

INSTALLED_APPS: list[str] = []

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("SELEKSI_TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True
