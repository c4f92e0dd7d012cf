"""The French, English and German catalogues: complete, faithful to their placeholders, compiled and current.

Dutch is the source language, so every msgid is Dutch and every msgstr must be filled in. None of these
tests needs the database.
"""

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"
LANGUAGES = ("fr", "en", "de")
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq")

# Python %-format placeholders as Django writes them for gettext and {% blocktrans %}: %(name)s, %s, %d, %%.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]?\d*(?:\.\d+)?[sdifr%]")

# The copy of the project that makemessages runs in leaves out what it never scans or could be large.
NOT_COPIED_AT_ROOT = {".venv", ".git", "var", "node_modules", ".pytest_cache", ".ruff_cache", "build"}


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def load_po(language: str) -> polib.POFile:
    return polib.pofile(str(po_path(language)))


def live_entries(catalogue) -> list:
    return [entry for entry in catalogue if not entry.obsolete and entry.msgid]


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


def key(entry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or None)


def translations(catalogue) -> dict:
    """msgctxt/msgid → msgstr, or the tuple of plural forms for an entry with a plural."""
    result = {}
    for entry in live_entries(catalogue):
        if entry.msgid_plural:
            forms = entry.msgstr_plural
            result[key(entry)] = tuple(forms[index] for index in sorted(forms, key=int))
        else:
            result[key(entry)] = entry.msgstr
    return result


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    catalogue = load_po(language)
    entries = live_entries(catalogue)
    assert entries, f"{po_path(language)} has no entries"
    assert not catalogue.metadata_is_fuzzy, f"the header of {language} is still marked fuzzy"
    assert catalogue.metadata.get("Language") == language

    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    assert not fuzzy, f"{language}: fuzzy entries: {fuzzy}"

    nplurals = int(re.search(r"nplurals\s*=\s*(\d+)", catalogue.metadata["Plural-Forms"]).group(1))
    untranslated = []
    for entry in entries:
        if entry.msgid_plural:
            forms = entry.msgstr_plural
            if len(forms) != nplurals or not all(forms.values()):
                untranslated.append(entry.msgid)
        elif not entry.msgstr:
            untranslated.append(entry.msgid)
    assert not untranslated, f"{language}: untranslated entries: {untranslated}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_keeps_the_placeholders_of_its_msgid(language):
    mismatches = []
    for entry in live_entries(load_po(language)):
        if entry.msgid_plural:
            for index, text in entry.msgstr_plural.items():
                source = entry.msgid if int(index) == 0 else entry.msgid_plural
                if placeholders(text) != placeholders(source):
                    mismatches.append((source, f"msgstr[{index}]", text))
        elif placeholders(entry.msgstr) != placeholders(entry.msgid):
            mismatches.append((entry.msgid, "msgstr", entry.msgstr))
    assert not mismatches, f"{language}: placeholders differ from the msgid: {mismatches}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_keeps_the_leading_and_trailing_whitespace_of_its_msgid(language):
    def edges(text: str) -> tuple:
        return (text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :])

    mismatches = []
    for entry in live_entries(load_po(language)):
        pairs = (
            [
                (entry.msgid if int(index) == 0 else entry.msgid_plural, text)
                for index, text in entry.msgstr_plural.items()
            ]
            if entry.msgid_plural
            else [(entry.msgid, entry.msgstr)]
        )
        mismatches += [(source, text) for source, text in pairs if edges(source) != edges(text)]
    assert not mismatches, f"{language}: leading or trailing whitespace differs: {mismatches}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_mo_file_holds_the_same_translations_as_the_po_file(language):
    mo_path = po_path(language).with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run manage.py compilemessages --ignore '.venv/*'"
    compiled = translations(polib.mofile(str(mo_path)))
    source = translations(load_po(language))
    missing = sorted(set(source) - set(compiled), key=str)
    stale = sorted(set(compiled) - set(source), key=str)
    changed = sorted((k for k in set(source) & set(compiled) if source[k] != compiled[k]), key=str)
    assert not (missing or stale or changed), (
        f"{mo_path} is out of date (run manage.py compilemessages --ignore '.venv/*'): "
        f"missing {missing}, stale {stale}, changed {changed}"
    )


def _copy_project(destination: Path) -> Path:
    def ignore(directory, names):
        skipped = {"__pycache__"}
        if Path(directory).resolve() == ROOT:
            skipped |= NOT_COPIED_AT_ROOT
        return [name for name in names if name in skipped]

    copy = destination / "project"
    shutil.copytree(ROOT, copy, ignore=ignore, symlinks=True)
    return copy


def test_the_catalogues_hold_every_string_that_makemessages_finds(tmp_path):
    """makemessages runs on a copy of the project, so the working tree is never touched."""
    absent = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if absent:
        pytest.skip(f"GNU gettext is not installed (no {', '.join(absent)}): apt-get install gettext")

    copy = _copy_project(tmp_path)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "manage.py", "makemessages", "--locale", "fr", "--no-obsolete"]
    for pattern in (".venv/*", "bench/*", "tests/*"):
        command += ["--ignore", pattern]
    result = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"

    generated = polib.pofile(str(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    expected = {key(entry) for entry in live_entries(generated)}
    assert expected, "makemessages found no strings at all"
    for language in LANGUAGES:
        committed = {key(entry) for entry in live_entries(load_po(language))}
        missing = sorted(expected - committed, key=str)
        assert not missing, (
            f"{po_path(language)} lacks {len(missing)} string(s) found in the code; run "
            "manage.py makemessages -l fr -l en -l de --ignore '.venv/*' --ignore 'bench/*' "
            f"--ignore 'tests/*' --no-obsolete, translate, then compilemessages: {missing}"
        )
