"""The URL Hugo gave a page: its `url`, else its section's permalink pattern (its language's, when that
language has its own), else its path in the content folder; lower case unless the site sets
`disablePathToLower` (a `url` is kept as written)."""

from __future__ import annotations

import os
import posixpath
import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from blogkit.migrate.reading import mapping, page_stem, text, when

_TOKEN = re.compile(r":(year|month|day|slug|title|filename|section|contentbasename)")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}$")


@dataclass(frozen=True, slots=True)
class UrlRules:
    permalinks: dict[str, str]  # section -> pattern ('/:year/:slug/')
    zone: ZoneInfo
    lower: bool  # Hugo's default; `disablePathToLower: true` keeps the case of paths
    ugly: bool | dict[str, Any] = False  # `uglyURLs`: true, or per section: pages at `x.html` rather than `x/`

    @classmethod
    def of(cls, config: dict[str, Any], zone: ZoneInfo, language: str) -> UrlRules:
        """The rules of one language's pages: its own `permalinks` (`languages.<code>.permalinks`) replace the
        site's whole, as Hugo does (a section it does not name gets no pattern, not the site's)."""
        own = mapping(config, "languages", language)
        written = own if isinstance(own.get("permalinks"), dict) else config
        permalinks = {k: v for k, v in mapping(written, "permalinks").items() if isinstance(v, str)}
        permalinks.update({k: v for k, v in mapping(written, "permalinks", "page").items() if isinstance(v, str)})
        ugly = config.get("uglyURLs", config.get("uglyurls"))
        return cls(permalinks, zone, config.get("disablePathToLower") is not True, ugly if isinstance(ugly, dict) else ugly is True)

    def path(self, path: str) -> str:
        return path.lower() if self.lower else path

    def term(self, name: str) -> str:
        """The last part of a taxonomy term's URL ('Foo Bar' is 'foo-bar', or 'Foo-Bar' keeping case)."""
        return self.path(urlize(name))

    def section(self, prefix: str, folder: str) -> str:
        """The URL of a section (a folder of the content folder, '' for the home page)."""
        return prefix + ("/" + self.path(folder) + "/" if folder else "/")

    def is_ugly(self, section: str) -> bool:
        """Whether the section's pages get `x.html` URLs instead of `x/` (`uglyURLs`, true or per section)."""
        return self.ugly.get(section) is True if isinstance(self.ugly, dict) else self.ugly

    def page(self, meta: dict[str, Any], inside: str, section: str, prefix: str, suffix: str) -> str:
        """The URL of a page: `inside` is its path in its content folder, `suffix` its language in its name ('.fr');
        a `url` as written (`/x/`, and `/x.html` kept without a slash); `x.html` rather than `x/` under `uglyURLs`."""
        if text(meta.get("url")):
            written = text(meta["url"]).strip("/")
            return "/" + written + ("" if _EXTENSION.search(written) else "/")
        made = self._made(meta, inside, section, prefix, suffix)
        return made.rstrip("/") + ".html" if self.is_ugly(section) and made.rstrip("/") else made

    def _made(self, meta: dict[str, Any], inside: str, section: str, prefix: str, suffix: str) -> str:
        stem = page_stem(inside).removesuffix(suffix)
        slug = text(meta.get("slug"))
        pattern = self.permalinks.get(section)
        date = when(meta.get("date"), self.zone)
        if pattern and date:
            title = urlize(text(meta.get("title")))
            values = {
                "year": f"{date.year:04d}",
                "month": f"{date.month:02d}",
                "day": f"{date.day:02d}",
                "slug": slug or title,
                "title": title,
                "filename": stem,
                "contentbasename": stem,
                "section": section,
            }
            return prefix + "/" + self.path(_TOKEN.sub(lambda m: values[m.group(1)], pattern).strip("/")) + "/"
        folder = posixpath.dirname(inside)
        if os.path.basename(inside).startswith("index."):
            folder = posixpath.dirname(folder)
        return (prefix + "/" + self.path(posixpath.join(folder, slug or stem)).replace(" ", "-").strip("/") + "/").replace("//", "/")


def urlize(title: str) -> str:
    """A title as Hugo writes it in a path (`:title`): letters, digits and `. _ # ~ - @ %` kept, case too;
    a run of spaces one hyphen, unless a hyphen is already there; '/' a hyphen; anything else dropped."""
    out: list[str] = []
    hyphen_due = False
    for ch in title.replace("/", "-"):
        if ch.isalnum() or unicodedata.category(ch).startswith("M") or ch in "._#~-@%":
            if hyphen_due and ch != "-":
                out.append("-")
            hyphen_due = False
            out.append(ch)
        elif ch.isspace() and out and out[-1] != "-":
            hyphen_due = True
    return "".join(out)
