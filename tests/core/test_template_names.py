"""Django finds a template in the first app that has it, so two apps shipping the same path
would silently show one app's page in the other's place."""

from collections import Counter
from pathlib import Path

import seleksi

SOURCE = Path(seleksi.__file__).parent


def test_no_two_apps_ship_a_template_at_the_same_path() -> None:
    paths = Counter(
        template.relative_to(folder).as_posix()
        for folder in SOURCE.glob("*/templates")
        for template in folder.rglob("*")
        if template.is_file()
    )
    assert paths, "no templates found"
    assert [path for path, count in paths.items() if count > 1] == []
