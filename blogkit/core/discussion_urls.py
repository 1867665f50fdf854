"""A discussion thread's provider, recognised from the shape of its URL alone.

The pages name the place of a post's thread ("Discuss on Hacker News") and `blogkit fetch`
asks the services with a public API for its replies; both read the URL the same way here.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True, slots=True)
class Match:
    provider: str
    context: str = ""  # the instance, forum or subreddit, shown after the provider's name
    replies_api: str = ""
    replies_kind: str = ""


_MASTODON_USER = re.compile(r"^@[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*(?:@[A-Za-z0-9.-]+)?$")
_ID = re.compile(r"^[A-Za-z0-9]+$")
_MAIL_ARCHIVE_HOSTS = ("lore.kernel.org", "groups.google.com", "mail-archive.com", "marc.info")
_MAIL_ARCHIVE_FOLDERS = ("pipermail", "hyperkitty", "archives")


def recognise(url: str, github_hosts: Collection[str] = ("github.com",)) -> Match:
    """The provider of a discussion URL, by host and path shape; 'other' when unknown."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    bare = host.removeprefix("www.")
    seg = [s for s in parts.path.split("/") if s]
    origin = f"{parts.scheme}://{parts.netloc}"
    other = Match("other", host)

    if bare in github_hosts:
        return _github(bare, seg) or other
    if bare == "bsky.app":
        return Match("bluesky") if len(seg) == 4 and seg[0] == "profile" and seg[2] == "post" else other
    if bare == "news.ycombinator.com":
        ids = parse_qs(parts.query).get("id", [])
        if seg == ["item"] and len(ids) == 1 and ids[0].isdigit():
            return Match("hacker-news", "", f"https://hacker-news.firebaseio.com/v0/item/{ids[0]}.json", "hacker-news")
        return other
    if bare == "lobste.rs":
        return Match("lobsters") if 2 <= len(seg) <= 3 and seg[0] == "s" and _ID.match(seg[1]) else other
    if bare in ("reddit.com", "redd.it") or bare.endswith(".reddit.com"):
        if len(seg) >= 4 and seg[0] == "r" and seg[2] == "comments" and _ID.match(seg[3]):
            return Match("reddit", f"r/{seg[1]}")
        return Match("reddit") if bare == "redd.it" and len(seg) == 1 else other
    if bare in _MAIL_ARCHIVE_HOSTS:
        return Match("mailing-list", bare)
    if "-" in seg:  # GitLab, on gitlab.com or self-hosted: /group/project/-/issues/N
        dash = seg.index("-")
        if dash >= 2 and seg[dash + 1 :] and seg[dash + 1] == "issues" and len(seg) == dash + 3 and seg[dash + 2].isdigit():
            return Match("gitlab-issue", "" if bare == "gitlab.com" else host)
    if bare == "gitlab.com" and len(seg) >= 4 and seg[-2] == "issues" and seg[-1].isdigit():
        return Match("gitlab-issue")
    status = ""
    if len(seg) == 2 and _MASTODON_USER.match(seg[0]) and seg[1].isdigit():
        status = seg[1]
    elif len(seg) == 4 and seg[0] == "users" and seg[2] == "statuses" and seg[3].isdigit():
        status = seg[3]
    if status:
        return Match("mastodon", host, f"{origin}/api/v1/statuses/{status}/context", "mastodon")
    if len(seg) == 2 and seg[0] == "notice" and _ID.match(seg[1]):
        return Match("fediverse", host, f"{origin}/api/v1/statuses/{seg[1]}/context", "mastodon")
    if len(seg) in (3, 4) and seg[0] == "t" and seg[2].isdigit() and (len(seg) == 3 or seg[3].isdigit()):
        return Match("discourse", host, f"{origin}/t/{seg[2]}.json", "discourse")
    if host.startswith("lists.") or any(s in _MAIL_ARCHIVE_FOLDERS for s in seg[:-1]):
        return Match("mailing-list", host)
    return other


def _github(host: str, seg: list[str]) -> Match | None:
    if len(seg) != 4 or not seg[3].isdigit() or seg[2] not in ("discussions", "issues"):
        return None
    kind = "github-discussions" if seg[2] == "discussions" else "github-issue"
    context = "" if host == "github.com" else host
    if host != "github.com" or seg[0] == "orgs":  # GitHub Enterprise needs a token; org discussions live in an unknown repo
        return Match(kind, context)
    return Match(kind, context, f"https://api.github.com/repos/{seg[0]}/{seg[1]}/{seg[2]}/{seg[3]}", "github")
