"""Related posts: the few other posts a reader of one post is most likely to want next.

A candidate shares something with the post: its series (4 points), an author (2 points each), a
tag (1 point each). Candidates are the post's series, and the posts nearest in time to it
among each of its authors' and tags' posts (a window on each side), so that a tag of thousands
of posts costs no more than a small one and a hub's posts are weighed in linear time. Ties go to
the post nearer in time, then to the newer, then to the source path: the same site always gives
the same list.

The lists depend only on each post's source, date, authors, tags and series: `inputs_digest`
digests those, so that a build can keep the lists (`table`) and give them back (`known`) to the
next build of the same posts instead of ranking again.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
from collections.abc import Mapping, Sequence

from blogkit.core.model import Post, Site

RELATED = 3  # posts shown
WINDOW = 6  # candidates taken on each side of the post in each of its authors' and tags' lists
_SERIES, _AUTHOR, _TAG = 4, 2, 1


class RelatedPosts:
    """The related posts of every post of a site (positions and dates are worked out once)."""

    def __init__(self, site: Site, known: Mapping[str, Sequence[str]] | None = None) -> None:
        """`known`: the lists a build of the same posts made (`table`), by source."""
        self.site = site
        self._known = known or {}
        self._found: dict[str, tuple[str, ...]] = {}

    def of(self, post: Post) -> tuple[Post, ...]:
        known, positions, posts = self._known.get(post.source), self.site.positions, self.site.posts
        if known is not None and all(source in positions for source in known):
            found = tuple(posts[positions[source]] for source in known)
        else:
            found = self._rank(post)
        self._found[post.source] = tuple(other.source for other in found)
        return found

    def table(self) -> dict[str, tuple[str, ...]]:
        """The lists given so far, by source: what `known` takes."""
        return dict(sorted(self._found.items()))

    # positions and dates, worked out once, and only when some post is ranked
    @functools.cached_property
    def _tag_index(self) -> dict[str, dict[str, int]]:
        return _positions(self.site.posts_by_tag)

    @functools.cached_property
    def _author_index(self) -> dict[str, dict[str, int]]:
        return _positions(self.site.posts_by_author)

    @functools.cached_property
    def _when(self) -> dict[str, float]:
        return {post.source: post.date.timestamp() for post in self.site.posts}

    def _rank(self, post: Post) -> tuple[Post, ...]:
        site = self.site
        found: dict[str, Post] = {}
        for candidates in (
            site.series.get(post.series, ()) if post.series else (),
            *(_around(site.posts_by_author.get(h, ()), self._author_index.get(h, {}), post) for h in post.authors),
            *(_around(site.posts_by_tag.get(t, ()), self._tag_index.get(t, {}), post) for t in post.tags),
        ):
            found.update((other.source, other) for other in candidates if other.source != post.source)
        authors, tags, when, times = set(post.authors), set(post.tags), self._when[post.source], self._when

        def rank(other: Post) -> tuple[int, float, float, str]:
            points = _SERIES if post.series and post.series == other.series else 0
            points += _AUTHOR * len(authors.intersection(other.authors)) + _TAG * len(tags.intersection(other.tags))
            return (-points, abs(times[other.source] - when), -times[other.source], other.source)

        return tuple(heapq.nsmallest(RELATED, found.values(), key=rank))


def inputs_digest(site: Site) -> str:
    """A digest of everything the lists are made from."""
    h = hashlib.blake2b(f"related {RELATED} {WINDOW} {_SERIES} {_AUTHOR} {_TAG}".encode(), digest_size=20)
    for post in site.posts:
        h.update(
            f"\0{post.source}\t{post.date.timestamp()!r}\t{post.series}\t{chr(1).join(post.authors)}\t{chr(1).join(post.tags)}".encode()
        )
    return h.hexdigest()


def _positions(lists: Mapping[str, Sequence[Post]]) -> dict[str, dict[str, int]]:
    return {key: {p.source: i for i, p in enumerate(posts)} for key, posts in lists.items()}


def _around(posts: Sequence[Post], index: Mapping[str, int], post: Post) -> Sequence[Post]:
    at = index.get(post.source)
    if at is None:
        return ()
    return posts[max(0, at - WINDOW) : at + WINDOW + 1]
