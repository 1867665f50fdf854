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
    people, teams = recent_people_and_teams(site)
    return {"featured": featured_post(site.posts), "people": people, "active_teams": teams, "recent_tags": recent_tags(site)}


def featured_post(posts: tuple[Post, ...]) -> Post | None:
    """The newest post marked `featured: true`, else the newest post."""
    return next((p for p in posts if p.featured), posts[0] if posts else None)


def recent_people_and_teams(site: Site) -> tuple[tuple[Author, ...], tuple[Team, ...]]:
    """The engineers of the newest posts and their teams, each once, the most recent first."""
    people: dict[str, Author] = {}
    teams: dict[str, Team] = {}
    for post in site.posts:
        if len(people) >= PEOPLE and len(teams) >= TEAMS:
            break
        for handle in post.authors:
            author = site.authors[handle]
            if len(people) < PEOPLE:
                people.setdefault(handle, author)
            if len(teams) < TEAMS and author.team in site.teams:
                teams.setdefault(author.team, site.teams[author.team])
    return tuple(people.values()), tuple(teams.values())


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
