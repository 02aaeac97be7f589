"""The `seleksi` console script: Django's manage.py under the project's name.

Commands may be typed with hyphens (`seleksi load-demo`) as the operator guides write them;
they map onto Django's underscored command modules.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seleksi.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
