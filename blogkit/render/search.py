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
    for file, item in sorted(found, key=lambda pair: pair[0]):
        yield _document(site, file, item)


def post_document(site: Site, post: Post) -> SearchDocument | None:
    """A post's document, None when the post is not searched."""
    return _document(site, output_file(post.path), post) if _searched(post) else None


def _searched(post: Post) -> bool:
    return post.search and not (post.draft or post.future)


def _document(site: Site, file: str, item: Post | Page) -> SearchDocument:
    language = escape(site.config.language)
    head = (
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8"><title>{escape(item.title)}</title></head>'
        f'<body><main data-pagefind-body><h1 data-pagefind-meta="title">{escape(item.title)}</h1>'
    )
    if isinstance(item, Post):
        return SearchDocument(file, head + _post_meta(site, item), item.html, item.content_key, _post_filters(site, item))
    return SearchDocument(file, head, item.html)


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


def _post_meta(site: Site, post: Post) -> str:
    """What a result shows besides the title: not words of the post (an excerpt would show them). The
    date is there twice: as the site writes it in its language, and as a machine reads it."""
    authors = ", ".join(site.authors[handle].name for handle in post.authors)
    when = post.date.astimezone(site.config.zone)
    return (
        f'<p data-pagefind-ignore data-pagefind-meta="date:{when.date().isoformat()}"'
        f' data-pagefind-sort="date:{when.astimezone(UTC).strftime("%Y%m%d%H%M%S")}"></p>'
        f'<p data-pagefind-ignore data-pagefind-meta="day">{escape(site.strings.date(when))}</p>'
        f'<p data-pagefind-ignore data-pagefind-meta="authors">{escape(authors)}</p>'
    )


def _post_filters(site: Site, post: Post) -> str:
    """The authors, teams and tags: words to find the post by, and filters; after the text, so that
    an excerpt shows them only when they are what matched."""
    authors = [site.authors[handle] for handle in post.authors]
    teams = sorted({site.teams[a.team].name for a in authors if a.team in site.teams})
    tags = [site.tags[slug].name for slug in post.tags]
    named = [("author", a.name) for a in authors] + [("team", t) for t in teams] + [("tag", t) for t in tags]
    return "".join(f'<p data-pagefind-filter="{kind}">{escape(name)}</p>' for kind, name in named)
