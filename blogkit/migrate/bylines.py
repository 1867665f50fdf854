"""A post's `author:` as Hugo themes write it: a byline ("Ana Lima and Cy Diaz"), a list of
them, or a mapping (`{name, link, position}`, Docsy's and others'), or a list of mappings."""

from __future__ import annotations

from typing import Any

from blogkit.migrate.model import Person
from blogkit.migrate.people import parse_names
from blogkit.migrate.reading import text

_LINK_KEYS = ("link", "url", "website", "homepage", "github", "twitter")
_ROLE_KEYS = ("position", "title", "role", "affiliation", "company")


def bylines(value: Any) -> list[Person]:
    """The people an `author:` value names, first to last ('' keys: the source gives names, not keys)."""
    items = value if isinstance(value, list) else [value]
    found: list[Person] = []
    for item in items:
        if isinstance(item, dict):
            person = _from_mapping(item)
            if person is not None:
                found.append(person)
        elif isinstance(item, str | int | float) and text(item):
            found += [Person("", p.name, links=p.links, affiliation=p.affiliation) for p in parse_names(text(item))]
    return found


def _from_mapping(item: dict[str, Any]) -> Person | None:
    values = {str(k).lower(): v for k, v in item.items()}
    name = text(values.get("name"))
    if not name:
        return None
    links = tuple(
        ("Website" if key in ("link", "url", "website", "homepage") else key.title(), text(values[key]))
        for key in _LINK_KEYS
        if text(values.get(key)).startswith(("https://", "http://"))
    )
    role = next((text(values[key]) for key in _ROLE_KEYS if text(values.get(key))), "")
    return Person("", name, links=links, affiliation=role, email=text(values.get("email")))
