"""The Indonesian catalog is complete, keeps every placeholder and is compiled.

The .po file is read with the small parser below, so these tests run without GNU gettext;
the compiled .mo file is read with the standard library's gettext module.
"""

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation

import seleksi

CATALOG_DIR = Path(seleksi.__file__).resolve().parent / "locale" / "id" / "LC_MESSAGES"
PO_FILE = CATALOG_DIR / "django.po"
MO_FILE = CATALOG_DIR / "django.mo"

PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}
ESCAPE = re.compile(r"\\(.)")


@dataclass
class Entry:
    """One message of a .po file; msgstr holds the single form or msgstr[N] by index."""

    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"line {self.line}: {self.msgid[:60]!r}"


def unquote(text: str, line: int) -> str:
    text = text.strip()
    if len(text) < 2 or not text.startswith('"') or not text.endswith('"'):
        raise ValueError(f"line {line}: expected a quoted string, got {text!r}")
    return ESCAPE.sub(lambda match: ESCAPES.get(match.group(1), match.group(0)), text[1:-1])


def parse_po(text: str) -> list[Entry]:
    """Parse a .po file: comments, flags, msgctxt, msgid(_plural), msgstr and msgstr[N].

    Obsolete entries (#~) are skipped; strings may continue over several quoted lines.
    """
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None  # the keyword a continuation line extends

    def current(number: int) -> Entry:
        nonlocal entry
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        return entry

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry, target = None, None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            current(number).flags.update(
                flag.strip() for flag in line[2:].split(",") if flag.strip()
            )
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            if entry is None or target is None:
                raise ValueError(f"line {number}: a string continues nothing")
            value = unquote(line, number)
            keyword, index = target
            if keyword == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, keyword, getattr(entry, keyword) + value)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in {"msgctxt", "msgid"} and entry is not None and entry.msgstr:
            entry = None  # a new message without a blank line in between
        found = current(number)
        value = unquote(rest, number)
        if keyword in {"msgctxt", "msgid", "msgid_plural"}:
            setattr(found, keyword, value)
            target = (keyword, 0)
        elif keyword == "msgstr":
            found.msgstr[0] = value
            target = ("msgstr", 0)
        elif match := re.fullmatch(r"msgstr\[(\d+)\]", keyword):
            index = int(match.group(1))
            found.msgstr[index] = value
            target = ("msgstr", index)
        else:
            raise ValueError(f"line {number}: unknown keyword {keyword!r}")
    return entries


def placeholders(text: str) -> set[str]:
    return {match.group(0) for match in PLACEHOLDER.finditer(text)}


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return parse_po(PO_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def messages(entries: list[Entry]) -> list[Entry]:
    """Every entry except the header (the entry with an empty msgid)."""
    return [entry for entry in entries if entry.msgid or entry.msgctxt]


def test_the_parser_reads_multiline_plural_and_escaped_strings() -> None:
    text = (
        '#, fuzzy\nmsgid ""\nmsgstr ""\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        '#: a.py\n#, python-format\nmsgid ""\n"Say \\"%(name)s\\" "\n"twice\\n"\n'
        'msgstr "Ucapkan \\"%(name)s\\"\\n"\n\n'
        'msgctxt "menu"\nmsgid "%(n)d file"\nmsgid_plural "%(n)d files"\n'
        'msgstr[0] "%(n)d berkas"\nmsgstr[1] ""\n"%(n)d berkas"\n'
        '#~ msgid "gone"\n#~ msgstr "hilang"\n'
    )
    header, single, plural = parse_po(text)
    assert header.flags == {"fuzzy"} and header.msgid == ""
    assert header.msgstr == {0: "Plural-Forms: nplurals=1; plural=0;\n"}
    assert single.flags == {"python-format"}
    assert single.msgid == 'Say "%(name)s" twice\n'
    assert single.msgstr == {0: 'Ucapkan "%(name)s"\n'}
    assert plural.msgctxt == "menu" and plural.msgid_plural == "%(n)d files"
    assert plural.msgstr == {0: "%(n)d berkas", 1: "%(n)d berkas"}


def test_the_catalog_has_messages(messages: list[Entry]) -> None:
    assert len(messages) > 100


def test_no_entry_is_fuzzy_not_even_the_header(entries: list[Entry]) -> None:
    fuzzy = [entry.label for entry in entries if "fuzzy" in entry.flags]
    assert fuzzy == [], "fuzzy entries in django.po"


def test_every_message_is_translated_in_every_plural_form(messages: list[Entry]) -> None:
    empty = [
        entry.label
        for entry in messages
        if not entry.msgstr or any(not text for text in entry.msgstr.values())
    ]
    assert empty == [], "untranslated entries in django.po"


def test_plural_messages_fill_every_form_the_header_declares(
    entries: list[Entry], messages: list[Entry]
) -> None:
    header = entries[0].msgstr[0]
    declared = re.search(r"nplurals\s*=\s*(\d+)", header)
    assert declared, "django.po declares no Plural-Forms"
    forms = set(range(int(declared.group(1))))
    wrong = [
        entry.label
        for entry in messages
        if entry.msgid_plural is not None and set(entry.msgstr) != forms
    ]
    assert wrong == [], f"plural entries without exactly the forms {sorted(forms)}"


def test_translations_keep_exactly_the_placeholders_of_the_source(
    messages: list[Entry],
) -> None:
    wrong = []
    for entry in messages:
        expected = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
        for index, text in entry.msgstr.items():
            if placeholders(text) != expected:
                wrong.append(f"{entry.label} msgstr[{index}] has {sorted(placeholders(text))}")
    assert wrong == [], "placeholders lost or invented"


def test_the_compiled_catalog_matches_the_po_file(messages: list[Entry]) -> None:
    assert MO_FILE.exists(), "django.mo is missing; run `seleksi compilemessages`"
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in messages:
        if entry.msgid_plural is None:
            if entry.msgctxt is None:
                found = compiled.gettext(entry.msgid)
            else:
                found = compiled.pgettext(entry.msgctxt, entry.msgid)
            expected = entry.msgstr[0]
        else:
            n = 2
            found = compiled.ngettext(entry.msgid, entry.msgid_plural, n)
            expected = entry.msgstr.get(compiled.plural(n), "")  # type: ignore[attr-defined]
        if found != expected:
            stale.append(f"{entry.label}: .mo says {found!r}, .po says {expected!r}")
    assert stale == [], "django.mo is stale; run `seleksi compilemessages`"


def test_published_selections_reads_in_indonesian_and_in_english() -> None:
    with translation.override("id"):
        assert translation.gettext("Published selections") == "Seleksi yang diumumkan"
    with translation.override("en"):
        assert translation.gettext("Published selections") == "Published selections"
