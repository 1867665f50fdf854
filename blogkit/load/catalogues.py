"""Read the translation catalogues of the site's language: the default theme's, a theme's, the site's.

A catalogue is `i18n/<language>.yaml` (a BCP 47 tag: `de.yaml`, `pt-BR.yaml`) of
`key: text` lines, or `key: {one: ..., other: ...}` for words that follow a number.
The default theme ships English, German, French, Spanish, Portuguese and Japanese.
For `language: pt-BR` the messages are English, then `pt`, then `pt-BR`; at each
step a site's own catalogue wins over its theme's, and a theme's over the default
theme's, so a site overrides any word with a line in `i18n/<language>.yaml`.

Every English catalogue declares keys; another language's may only translate them,
with no placeholder the English text lacks: a mistake is a located error here, so
rendering never meets a key or a placeholder it cannot fill.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from blogkit.core import yamlio
from blogkit.core.config import CONFIG_FILE, THEME_DIR
from blogkit.core.diagnostics import Location, Report
from blogkit.core.strings import DATE_FORMAT_KEY, FALLBACK_LANGUAGE, PLURAL_CATEGORIES, Message, Strings, message_placeholders
from blogkit.load.sources import read_yaml_file

I18N_FOLDER = "i18n"
_HINT_FORMS = "a text, or the forms after a number as a mapping: {one: '{count} post', other: '{count} posts'}"


@dataclass(frozen=True, slots=True)
class _Catalogue:
    shown: str  # the file as diagnostics name it
    text: str
    messages: dict[str, Message]


def load_strings(root: str, theme_dir: str, language: str, report: Report) -> Strings:
    """The site's words in `language`, checked; problems are reported with their file and line."""
    levels = _levels(language)
    folders = list(dict.fromkeys((THEME_DIR, theme_dir, root)))
    found = {(level, folder): c for level in levels for folder in folders if (c := _read(root, folder, level, report)) is not None}
    english = [c for (level, _), c in found.items() if level == FALLBACK_LANGUAGE]
    known = {key: message_placeholders(message) for c in english for key, message in c.messages.items()}
    messages: dict[str, Message] = {}
    for (level, _), catalogue in found.items():  # English first, then ever more specific; the site's last at each
        if level != FALLBACK_LANGUAGE:
            _check_translation(catalogue, known, report)
        messages.update(catalogue.messages)
    translated = any(level != FALLBACK_LANGUAGE for level, _ in found)
    if not translated and language.replace("_", "-").split("-")[0].lower() != FALLBACK_LANGUAGE:
        report.warning(
            _language_line(root),
            f"the theme has no words in '{language}': its pages show English words, and dates in '{language}'",
            f"translate the keys of the theme's i18n/en.yaml into {I18N_FOLDER}/{language}.yaml in the site folder",
        )
    messages.pop(DATE_FORMAT_KEY, None)
    return Strings(language, dict(sorted(messages.items())), _date_format(found, levels))


def _date_format(found: Mapping[tuple[str, str], _Catalogue], levels: list[str]) -> str:
    """The last date pattern of the language's own catalogues (English's only for English itself);
    "" for the language's own long dates."""
    own = [c for (level, _), c in found.items() if level != FALLBACK_LANGUAGE or levels == [FALLBACK_LANGUAGE]]
    patterns = [str(c.messages[DATE_FORMAT_KEY]) for c in own if DATE_FORMAT_KEY in c.messages]
    return patterns[-1] if patterns else ""


def _levels(language: str) -> list[str]:
    """'pt-BR' -> ['en', 'pt', 'pt-BR']: English first, then ever more specific tags."""
    parts = language.replace("_", "-").split("-")
    tags = ["-".join(parts[: i + 1]) for i in range(len(parts))]
    return list(dict.fromkeys([FALLBACK_LANGUAGE, *tags]))


def _read(root: str, folder: str, language: str, report: Report) -> _Catalogue | None:
    path = os.path.join(folder, I18N_FOLDER, f"{language}.yaml")
    if not os.path.isfile(path):
        return None
    inside = os.path.relpath(path, root)
    shown = inside.replace(os.sep, "/") if not inside.startswith(os.pardir) else path
    loaded = read_yaml_file(root, shown, report)  # a theme's file outside the site is read by its absolute path
    if loaded is None:
        return None
    data, text = loaded
    if data is None:
        return _Catalogue(shown, text, {})
    if not isinstance(data, dict):
        report.error(Location(shown, 1, 1), "a catalogue is a mapping of `key: text` lines", "for example: home: Startseite")
        return None
    messages: dict[str, Message] = {}
    for key, value in data.items():
        message = _message(value)
        if not isinstance(key, str) or message is None:
            report.error(_at(shown, text, key), f"'{key}' must be a text or plural forms, got {type(value).__name__}", _HINT_FORMS)
            continue
        if not isinstance(message, str) and "other" not in message:
            report.error(_at(shown, text, key), f"'{key}' has no 'other' form", "give 'other', the form for any number the others leave")
            continue
        try:
            message_placeholders(message)
        except ValueError:
            report.error(
                _at(shown, text, key),
                f"'{key}' has a brace that is not a placeholder",
                "placeholders look like {name}; write {{ for a brace",
            )
            continue
        messages[key] = message
    return _Catalogue(shown, text, messages)


def _message(value: object) -> Message | None:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict) and value and all(k in PLURAL_CATEGORIES and isinstance(v, str) for k, v in value.items()):
        return {k: value[k] for k in PLURAL_CATEGORIES if k in value}
    return None


def _check_translation(catalogue: _Catalogue, known: Mapping[str, frozenset[str]], report: Report) -> None:
    for key, message in catalogue.messages.items():
        if key == DATE_FORMAT_KEY:
            continue
        if key not in known:
            report.warning(
                _at(catalogue.shown, catalogue.text, key),
                f"unknown key '{key}': no English catalogue has it",
                "keys are those of the theme's i18n/en.yaml",
            )
            continue
        extra = sorted(message_placeholders(message) - known[key])
        if extra:
            names = ", ".join("{" + name + "}" for name in extra)
            report.error(
                _at(catalogue.shown, catalogue.text, key),
                f"'{key}' uses {names}, which the English text does not fill",
                f"use only {_names(known[key])}",
            )


def _at(shown: str, text: str, key: object) -> Location:
    """Where a catalogue sets `key` (worked out only for a problem: locating composes the file)."""
    return Location(shown, *yamlio.locate(text, (key,), key=True))  # type: ignore[arg-type]


def _names(names: frozenset[str]) -> str:
    return ", ".join("{" + n + "}" for n in sorted(names)) or "no placeholder"


def _language_line(root: str) -> Location:
    """Where blogkit.yaml sets `language` (the file alone when it cannot be read)."""
    try:
        with open(os.path.join(root, CONFIG_FILE), encoding="utf-8-sig") as f:
            for number, line in enumerate(f, 1):
                if re.match(r"language\s*:", line):
                    return Location(CONFIG_FILE, number, 1)
    except OSError:
        pass
    return Location(CONFIG_FILE)
