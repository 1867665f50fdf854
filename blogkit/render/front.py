"""What the hub's front page shows beside its list of posts: the featured post, the people and
teams who wrote most recently, and the tags most used over the last year.

Each is worked out from the posts alone (the last year ends at the newest post, not at the
build's clock), so the same site gives the same front page on any day.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import islice
from typing import Any

from blogkit.core.model import Author, Post, Site, Tag, Team

PEOPLE = 8  # engineers shown in the side column
TEAMS = 4
TAGS = 12
RECENT = timedelta(days=365)
MORE_BY = 3  # an author's other posts offered at the end of a post


def front_page(site: Site) -> dict[str, Any]:
    """The first page's extra context: `featured`, `people`, `active_teams` and `recent_tags`."""
    posts = site.posts
    return {
        "featured": featured_post(posts),
        "people": recent_people(site),
        "active_teams": recent_teams(site),
        "recent_tags": recent_tags(site),
    }


def featured_post(posts: tuple[Post, ...]) -> Post | None:
    """The newest post marked `featured: true`, else the newest post."""
    return next((p for p in posts if p.featured), posts[0] if posts else None)


def recent_people(site: Site) -> tuple[Author, ...]:
    """The engineers of the newest posts, each once, the most recent first."""
    people: dict[str, Author] = {}
    for post in site.posts:
        for handle in post.authors:
            people.setdefault(handle, site.authors[handle])
        if len(people) >= PEOPLE:
            break
    return tuple(people.values())[:PEOPLE]


def recent_teams(site: Site) -> tuple[Team, ...]:
    """The teams of the newest posts' authors, each once, the most recent first."""
    teams: dict[str, Team] = {}
    for post in site.posts:
        for handle in post.authors:
            key = site.authors[handle].team
            if key in site.teams:
                teams.setdefault(key, site.teams[key])
        if len(teams) >= TEAMS:
            break
    return tuple(teams.values())[:TEAMS]


def recent_tags(site: Site) -> tuple[tuple[Tag, int], ...]:
    """The tags of the posts of the last year, with how many posts have each: the most used first,
    then by name."""
    if not site.posts:
        return ()
    since = site.posts[0].date - RECENT
    counts: dict[str, int] = {}
    for post in site.posts:
        if post.date < since:
            break
        for slug in post.tags:
            counts[slug] = counts.get(slug, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], site.tags[item[0]].name.casefold(), item[0]))
    return tuple((site.tags[slug], count) for slug, count in ranked[:TAGS])


def more_by(site: Site, post: Post, shown: tuple[Post, ...] | list[Post]) -> tuple[Post, ...]:
    """The first author's newest other posts, leaving out this post and those `shown` already."""
    if not post.authors:
        return ()
    skip = {post.source, *(p.source for p in shown)}
    return tuple(islice((p for p in site.posts_by_author.get(post.authors[0], ()) if p.source not in skip), MORE_BY))
