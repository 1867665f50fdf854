"""Related posts: the few other posts a reader of one post is most likely to want next.

A candidate shares something with the post: its series (4 points), an author (2 points each), a
tag (1 point each). Candidates are the post's series, and the posts nearest in time to it
among each of its authors' and tags' posts (a window on each side), so that a tag of thousands
of posts costs no more than a small one and a hub's posts are weighed in linear time. Ties go to
the post nearer in time, then to the newer, then to the source path: the same site always gives
the same list.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence

from blogkit.core.model import Post, Site

RELATED = 3  # posts shown
WINDOW = 6  # candidates taken on each side of the post in each of its authors' and tags' lists
_SERIES, _AUTHOR, _TAG = 4, 2, 1


class RelatedPosts:
    """The related posts of every post of a site (positions and dates are worked out once)."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self._tag_index = _positions(site.posts_by_tag)
        self._author_index = _positions(site.posts_by_author)
        self._when = {post.source: post.date.timestamp() for post in site.posts}

    def of(self, post: Post) -> tuple[Post, ...]:
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


def _positions(lists: Mapping[str, Sequence[Post]]) -> dict[str, dict[str, int]]:
    return {key: {p.source: i for i, p in enumerate(posts)} for key, posts in lists.items()}


def _around(posts: Sequence[Post], index: Mapping[str, int], post: Post) -> Sequence[Post]:
    at = index.get(post.source)
    if at is None:
        return ()
    return posts[max(0, at - WINDOW) : at + WINDOW + 1]
