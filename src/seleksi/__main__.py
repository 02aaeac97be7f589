"""The `seleksi` console script: Django's manage.py under the project's name.

Commands may be typed with hyphens (`seleksi load-demo`) as the operator guides write them;
they map onto Django's underscored command modules.

A command that needs neither a database nor the applications (`FILE_COMMANDS`: rank-file)
starts with `seleksi.settings_files` instead, whatever DJANGO_SETTINGS_MODULE says: ranking
two CSV files should not wait for the whole site to be set up.
"""

import os
import sys
from importlib import import_module

FILE_COMMANDS = {"rank_file": "seleksi.scoring.management.commands.rank_file"}


def main(argv: list[str] | None = None) -> None:
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    if len(args) > 1 and args[1] in FILE_COMMANDS:
        _run_file_command(args)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seleksi.settings")
    execute_from_command_line(args)


def _run_file_command(args: list[str]) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "seleksi.settings_files"
    import django

    django.setup()
    command = import_module(FILE_COMMANDS[args[1]]).Command()
    command.run_from_argv(args)


if __name__ == "__main__":
    main()
