"""Authors as people write them, and the handles they get.

`parse_names` reads a free-text byline: several names separated by commas, ';', '&' and
"and"; a Markdown link around a name is the profile it points to; text in parentheses is an
affiliation. It never raises, whatever the text.

Handles are slugs of the name (or of the source's own key). Two people whose names make
the same slug ("José Díaz" and "Jose Diaz", "Ana Lima" and "Ana M. Lima" when the initial is
dropped by nobody) stay two people: only the source makes them one, by giving both the same
key. The second gets '-2', in a fixed order, so an import is reproducible.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from blogkit.core.urls import slugify
from blogkit.migrate.model import Person
from blogkit.migrate.reading import text

_LINK = re.compile(r"\[([^\]]*)\]\(\s*([^)\s]+)[^)]*\)")
_SEPARATORS = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b)\s*", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_LEADING = re.compile(r"^(?:by|posted by|written by)\s+", re.IGNORECASE)


def parse_names(text: str) -> list[Person]:
    """The people of a byline such as 'Ana Lima ([@ana](https://github.com/ana)), [Bo Chen](https://bo.dev) and Cy (Acme)'."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", (text or "").replace("\x00", ""))).strip()
    text = _LEADING.sub("", text)
    people: list[Person] = []
    for chunk in _split_outside_brackets(text):
        person = _person(chunk)
        if person is not None:
            people.append(person)
    return people


def _split_outside_brackets(text: str) -> list[str]:
    """Split at the separators that are not inside (), [] or a link's URL."""
    chunks: list[str] = []
    depth = 0
    start = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif depth == 0:
            match = _SEPARATORS.match(text, index)
            if match and match.end() > index and (text[index] in ",;&" or _at_word_start(text, index)):
                chunks.append(text[start:index])
                start = index = match.end()
                continue
        index += 1
    chunks.append(text[start:])
    return [c.strip() for c in chunks if c.strip()]


def _at_word_start(text: str, index: int) -> bool:
    return (index > 0 and text[index - 1] == " ") or text[index] == " "


def _person(chunk: str) -> Person | None:
    found: list[tuple[str, str]] = []

    def placeholder(match: re.Match[str]) -> str:
        found.append((match.group(1), match.group(2)))
        return f"\x00{len(found) - 1}\x00"

    text = _LINK.sub(placeholder, chunk)
    links: list[tuple[str, str]] = []
    affiliations: list[str] = []

    def linked(part: str) -> str:
        """The text of a part, its links' labels in place of them; the links noted."""

        def one(match: re.Match[str]) -> str:
            label, url = found[int(match.group(1))]
            links.append((_label(label, url), url))
            return label

        return re.sub(r"\x00(\d+)\x00", one, part)

    def bracketed(match: re.Match[str]) -> str:
        inner = match.group(1)
        plain = re.sub(r"\x00\d+\x00", "", inner).strip(" ,;")
        linked(inner)
        if plain:
            affiliations.append(plain)
        return " "

    text = re.sub(r"\(([^()]*)\)", bracketed, text)
    name = linked(text)
    name = _SPACES.sub(" ", re.sub(r"[()\[\]\x00]", " ", name)).strip(" ,;-–—")
    if not name:
        if not links:
            return None
        name = links[0][0].lstrip("@")
    return Person(key="", name=name, links=tuple(_unique(links)), affiliation=", ".join(affiliations))


def _label(text: str, url: str) -> str:
    text = text.strip()
    if not text.startswith("@") and text:
        text = ""  # a name's own link: named by its site
    host = re.sub(r"^https?://(www\.)?", "", url).split("/")[0]
    known = {"github.com": "GitHub", "gitlab.com": "GitLab", "twitter.com": "Twitter", "x.com": "X", "linkedin.com": "LinkedIn"}
    return str(known.get(host, text or host or url))


def _unique(items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    out = []
    for label, url in items:
        if url not in seen and url.startswith(("https://", "http://")):
            seen.add(url)
            out.append((label, url))
    return out


_PROFILE_FIELDS = (("github", "GitHub", "https://github.com/"), ("twitter", "Twitter", "https://twitter.com/"),
                   ("mastodon", "Mastodon", ""), ("url", "Website", ""), ("website", "Website", ""))  # fmt: skip


def person_from_record(key: str, record: Mapping[str, Any]) -> Person:
    """A person of a site's author data (Hugo's `data/authors`, Jekyll's `_data/authors.yml`), by its key."""
    return Person(
        key=key,
        name=text(record.get("name")) or key,
        bio=text(record.get("bio")),
        email=text(record.get("email")),
        avatar=text(record.get("avatar")),
        links=record_links(record),
        team=slugify(text(record.get("team"))),
    )


def record_links(record: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The profile links of an author record in a site's data (`github: ana` or a full URL, `url:`, ...)."""
    links = []
    for key, label, site in _PROFILE_FIELDS:
        value = record.get(key)
        if not isinstance(value, str) or not value.strip():
            continue
        value = value.strip()
        url = value if value.startswith(("https://", "http://")) else f"{site}{value.lstrip('@')}" if site else ""
        if url:
            links.append((label, url))
    return tuple(_unique(links))


def identity(person: Person) -> str:
    """Who a person is, as far as the source says: its key, else the name exactly as written."""
    return f"key:{person.key}" if person.key else f"name:{unicodedata.normalize('NFC', person.name).strip()}"


def assign_handles(people: Iterable[Person]) -> dict[str, str]:
    """identity -> handle, unique, the same for the same people whatever order they came in."""
    wanted: dict[str, str] = {}
    for person in people:
        base = slugify(person.key) if person.key else ""
        base = base or slugify(person.name) or "author"
        wanted.setdefault(identity(person), base[:60].strip("-") or "author")
    handles: dict[str, str] = {}
    taken: set[str] = set()
    for ident, base in sorted(wanted.items(), key=lambda item: (item[1], not item[0].startswith("key:"), item[0])):
        handle, number = base, 2
        while handle in taken:
            handle, number = f"{base}-{number}", number + 1
        taken.add(handle)
        handles[ident] = handle
    return handles
