"""The Hindi catalogue is complete: every string the code and templates mark for translation
has a Hindi entry, and each entry keeps its placeholders. A new string without a translation
fails here (README, "Translations": scripts/translations update, then fill it in)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
HINDI = ROOT / "translations" / "hi" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}|<[^>]+>")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The strings as the code has them now, extracted the way scripts/translations does."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg"]
        + ["-k", "_l", "-k", "lazy_gettext", "-k", "N_", "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as source:
        return read_po(source)


@pytest.fixture(scope="module")
def hindi():
    with HINDI.open("rb") as source:
        return read_po(source, locale="hi")


def test_every_marked_string_has_a_hindi_translation(extracted, hindi):
    assert len(extracted) > 500  # the extraction found the templates and the code
    missing = []
    for message in extracted:
        if not message.id:
            continue
        entry = hindi.get(message.id)
        strings = entry.string if entry is not None else None
        forms = strings if isinstance(strings, tuple) else (strings,)
        if entry is None or entry.fuzzy or not all(forms):
            missing.append(message.id)
    assert not missing, f"{len(missing)} strings have no Hindi translation: {missing[:20]}"


def test_hindi_entries_keep_their_placeholders_and_markup(hindi):
    wrong = []
    for message in hindi:
        if not message.id:
            continue
        source = message.id[-1] if isinstance(message.id, tuple) else message.id
        wanted = sorted(PLACEHOLDER.findall(source))
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        wrong += [message.id for form in forms if sorted(PLACEHOLDER.findall(form)) != wanted]
    assert not wrong, wrong


def test_hindi_is_hindi_not_english_copied_over(hindi):
    """Apart from acronyms and codes, each translation is written in Devanagari."""
    kept = {"API", "SLA", "SMS", "Markdown", "%(field)s: %(why)s"}
    copied = [
        m.id
        for m in hindi
        if m.id and not isinstance(m.id, tuple) and m.id not in kept and m.string == m.id
    ]
    assert not copied, copied
