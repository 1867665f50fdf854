"""The languages of a Hugo site: where each one's pages are, the URL prefix they get, and what an
import of one language leaves out (other_languages.py says so).

Hugo tells a page's language by its content folder (`languages.<code>.contentDir`) or, in a
folder the languages share, by its file name (`post.fr.md`; a name without a language code is
the default language's). Every language but the default is served under `/<code>/`, the default
too with `defaultContentLanguageInSubdir`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from blogkit.migrate.model import OldSite
from blogkit.migrate.reading import MARKDOWN, SourceError, files_under, mapping, text


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    content_dir: str  # the folder of its pages, relative to the site
    prefix: str  # '' or '/fr': what its URLs start with
    own_folder: bool  # its pages have a folder of their own; else they are told by their file names


@dataclass(frozen=True, slots=True)
class SiteLanguages:
    here: Language  # the one imported
    others: tuple[Language, ...]
    default: str  # the code of the site's default language

    @property
    def every(self) -> tuple[Language, ...]:
        return (self.here, *self.others)


def site_languages(config: dict[str, Any], asked: str) -> SiteLanguages:
    """The language to import (`asked`, else the default) and the site's others; raises SourceError for no such language."""
    default = text(config.get("defaultContentLanguage")) or "en"
    asked = asked or default
    configured = {k: v for k, v in mapping(config, "languages").items() if isinstance(v, dict)}
    if configured and asked not in configured:
        raise SourceError(f"the site has no language '{asked}'", f"its languages are: {', '.join(sorted(configured))}")
    shared = text(config.get("contentDir")) or "content"
    in_subdir = config.get("defaultContentLanguageInSubdir") is True

    def language(code: str) -> Language:
        own = text(configured.get(code, {}).get("contentDir"))
        prefix = f"/{code}" if code != default or in_subdir else ""
        return Language(code, (own or shared).strip("/"), prefix, bool(own))

    return SiteLanguages(language(asked), tuple(language(code) for code in sorted(configured) if code != asked), default)


def language_files(site: OldSite, language: Language, languages: SiteLanguages) -> list[tuple[str, str]]:
    """The Markdown files of one language, each with the language suffix its name carries ('' or '.fr')."""
    every = languages.every
    codes = {other.code for other in every}
    elsewhere = tuple(other.content_dir + "/" for other in every if other.own_folder and other.content_dir != language.content_dir)
    found = []
    for path in files_under(site, language.content_dir):
        if not path.endswith(MARKDOWN) or path.startswith(elsewhere):
            continue
        suffix = name_suffix(path, codes)
        told = suffix[1:] if suffix else (language.code if language.own_folder else languages.default)
        if told == language.code:
            found.append((path, suffix))
    return found


def name_suffix(path: str, codes: set[str]) -> str:
    """'.fr' for 'post.fr.md' when fr is a language of the site; '' otherwise ('v2.0.md' is no language)."""
    stem = os.path.splitext(os.path.basename(path))[0]
    code = stem.rsplit(".", 1)[1] if "." in stem else ""
    return f".{code}" if code in codes else ""
