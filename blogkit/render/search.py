"""What the site's search indexes: one small HTML document per post and page, for Pagefind.

A document holds what a reader searches by (the title, the authors, their teams, the tags and
the text with its headings) and what a result shows (the title, the date and the authors as
metadata). Authors, teams and tags are also filters. It is written for the indexer only: its
file path gives the result's URL, and nothing of it is published.

Posts whose front matter says `search: false`, and pages that do, are left out; so are drafts
and future posts, always: `blogkit serve` shows them on its pages, marked, but a search finds
only what will ship.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from html import escape

from blogkit.core.bodies import HtmlOnDemand
from blogkit.core.model import Page, Post, Site
from blogkit.core.urls import output_file

SEARCH_PAGE = "search/"  # the page readers search from
INDEX_FOLDER = "pagefind"  # where the index is published, under the site's root
PARTS_FILE = "blogkit-parts.json"  # in the index's folder: the folders of its other parts, which the search page merges
PART_DOCUMENTS = 1000  # the most documents one part of the index holds, on average: what one Pagefind run holds in memory
FILTERS = ("author", "team", "tag")  # what results can be narrowed by, in the order the search page offers them


@dataclass(frozen=True, slots=True)
class SearchDocument:
    file: str  # the output file a result links to (its URL, as Pagefind reads it)
    head: str  # what comes before the text: the title and the metadata results show
    text: str | HtmlOnDemand  # the post's or page's HTML (a post's read from the build cache when it is written)
    text_key: str = ""  # a digest of what `text` is made from, when known (a post's content key)
    tail: str = ""  # what comes after it: the authors, teams and tags, searchable words and filters

    @property
    def html(self) -> str:
        return f"{self.head}{self.text}{self.tail}</main></body></html>\n"

    @property
    def identity(self) -> str:
        """What the document is made from, short: its parts, with the text by its key when it has one."""
        return f"{self.file}\0{self.head}\0{self.tail}\0{self.text_key or self.text}"


def search_documents(site: Site) -> Iterator[SearchDocument]:
    """The documents to index, in a fixed order (by output file)."""
    found: list[tuple[str, Post | Page]] = [(output_file(post.path), post) for post in site.posts if _searched(post)]
    found += [(output_file(page.path), page) for page in site.pages if page.search]
    documents = _Documents(site)
    for file, item in sorted(found, key=lambda pair: pair[0]):
        yield documents.of(file, item)


def post_document(site: Site, post: Post) -> SearchDocument | None:
    """A post's document, None when the post is not searched."""
    return _Documents(site).of(output_file(post.path), post) if _searched(post) else None


def _searched(post: Post) -> bool:
    return post.search and not (post.draft or post.future)


def parts(documents: list[SearchDocument]) -> list[tuple[int, list[SearchDocument]]]:
    """The documents in parts of the index, each made and cached on its own: (number, documents),
    empty parts left out. A document's part is chosen by its file's digest among a power of two
    of parts, so an edit changes one part, and the parts change only when the site doubles."""
    count = 1
    while count * PART_DOCUMENTS < len(documents):
        count *= 2
    found: dict[int, list[SearchDocument]] = {}
    for document in documents:
        number = int.from_bytes(hashlib.blake2b(document.file.encode(), digest_size=8).digest(), "big") % count if count > 1 else 0
        found.setdefault(number, []).append(document)
    return sorted(found.items())


class _Documents:
    """The documents of one site: what many documents share (a tag's filter, an author's name) is written once."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.zone = site.config.zone
        self.language = escape(site.config.language)
        self._names: dict[tuple[str, ...], str] = {}  # a post's authors, as a result shows them
        self._filters: dict[tuple[str, str], str] = {}  # a filter's paragraph, by its kind and name

    def of(self, file: str, item: Post | Page) -> SearchDocument:
        title = escape(item.title)
        head = (
            f'<!DOCTYPE html><html lang="{self.language}"><head><meta charset="utf-8"><title>{title}</title></head>'
            f'<body><main data-pagefind-body><h1 data-pagefind-meta="title">{title}</h1>'
        )
        if isinstance(item, Post):
            return SearchDocument(file, head + self._post_meta(item), item.html, item.content_key, self._post_filters(item))
        return SearchDocument(file, head, item.html)

    def _post_meta(self, post: Post) -> str:
        """What a result shows besides the title: not words of the post (an excerpt would show them). The
        date is there twice: as the site writes it in its language, and as a machine reads it."""
        authors = self._names.get(post.authors)
        if authors is None:
            authors = self._names[post.authors] = escape(", ".join(self.site.authors[handle].name for handle in post.authors))
        when = post.date.astimezone(self.zone)
        return (
            f'<p data-pagefind-ignore data-pagefind-meta="date:{when.date().isoformat()}"'
            f' data-pagefind-sort="date:{when.astimezone(UTC).strftime("%Y%m%d%H%M%S")}"></p>'
            f'<p data-pagefind-ignore data-pagefind-meta="day">{escape(self.site.strings.date(when))}</p>'
            f'<p data-pagefind-ignore data-pagefind-meta="authors">{authors}</p>'
        )

    def _post_filters(self, post: Post) -> str:
        """The authors, teams and tags: words to find the post by, and filters; after the text, so that
        an excerpt shows them only when they are what matched."""
        site = self.site
        authors = [site.authors[handle] for handle in post.authors]
        teams = sorted({site.teams[a.team].name for a in authors if a.team in site.teams})
        named = [("author", a.name) for a in authors] + [("team", t) for t in teams] + [("tag", site.tags[slug].name) for slug in post.tags]
        return "".join([self._filter(kind, name) for kind, name in named])

    def _filter(self, kind: str, name: str) -> str:
        found = self._filters.get((kind, name))
        if found is None:
            found = self._filters[(kind, name)] = f'<p data-pagefind-filter="{kind}">{escape(name)}</p>'
        return found
