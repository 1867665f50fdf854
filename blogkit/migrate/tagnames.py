"""Spellings of one tag: 'Dev Ops', 'dev-ops' and 'Dev-Ops' shared one page on the old site (its URL is made of
the slug), so they are one tag of the new site: the spelling most posts use is its name, the others its
aliases in `tags.yaml`. A blogkit build refuses two tags with one URL; this keeps them one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from blogkit.core.urls import slugify


def tag_aliases(tags_of_posts: Iterable[Iterable[str]]) -> dict[str, dict[str, Any]]:
    """`tags.yaml`'s entries (name -> {aliases: [...]}) for every tag written in more than one spelling; {} when none is."""
    used: Counter[str] = Counter()
    for tags in tags_of_posts:
        used.update(list(dict.fromkeys(tags)))
    by_slug: dict[str, Counter[str]] = {}
    for tag, count in used.items():
        by_slug.setdefault(slugify(tag) or "tag", Counter())[tag] = count
    entries: dict[str, dict[str, Any]] = {}
    for _, spellings in sorted(by_slug.items()):
        ranked = sorted(spellings, key=lambda tag: (-spellings[tag], tag))
        spelled: dict[str, str] = {}  # a build reads tags case-insensitively: one alias for each spelling but its case
        for tag in ranked:
            spelled.setdefault(tag.lower(), tag)
        if len(spelled) > 1:
            name = ranked[0]
            entries[name] = {"aliases": sorted(tag for lowered, tag in spelled.items() if lowered != name.lower())}
    return entries
