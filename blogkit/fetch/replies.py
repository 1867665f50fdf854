"""Readers' replies: the public replies to posts' threads, into `SITE/.blogkit-fetched/replies/`.

With `discussion.replies: true`, `fetch_replies()` asks each post's thread for its replies
through the same bounded client as the feeds, from the service's public API:

- a Mastodon (or other fediverse) status: its server's `/api/v1/statuses/ID/context`, public
  and unlisted replies only;
- a Bluesky post: the public AppView's `app.bsky.feed.getPostThread`, every reply under it;
- a GitHub issue: the REST API's comments, as GitHub renders them to HTML;
- a GitHub Discussion: the GraphQL API's comments and their replies, which GitHub answers
  only with a token: `GITHUB_TOKEN` from the environment (any token that reads public
  repositories; CI has one). Without it the thread is a warning and its replies are kept;
- with `discussion.webmentions`, each post itself: the replies and mentions other websites sent
  it, from the webmention service's jf2 API (`?target=<the post's URL>`; likes, reposts and
  bookmarks are not replies).

It keeps the newest 200 and writes them as plain, sanitised data: the author's name as text,
links only when `http(s)`, the reply's HTML through the strict allow-list. No avatar or other
remote file is kept: a reply shows its author's initial. A thread that cannot be fetched is a
warning at the post, and the replies fetched before stay.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import quote, urlsplit

from blogkit.core.diagnostics import Location, Report
from blogkit.core.discussion_urls import recognise
from blogkit.fetch.client import DEFAULT_LIMITS, FetchFailure, FetchLimits, get
from blogkit.fetch.store import read_fetched, write_fetched
from blogkit.load.outside import FORMAT, clean_html, plain_text, replies_file, safe_url, text_html
from blogkit.load.untrusted import Unreadable, parse_json_bytes, text_of, utc_date

MAX_REPLIES = 200
_PUBLIC = ("public", "unlisted")
BLUESKY_API = "https://public.api.bsky.app/xrpc/app.bsky.feed.getPostThread"
GITHUB_API = "https://api.github.com"
TOKEN_VARIABLE = "GITHUB_TOKEN"  # noqa: S105 - the name of the variable, not a token
_DISCUSSION_QUERY = """query($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) { discussion(number: $number) { comments(first: 100) { nodes {
    url createdAt bodyHTML author { login url }
    replies(first: 100) { nodes { url createdAt bodyHTML author { login url } } }
  } } } }
}"""


@dataclass(frozen=True, slots=True)
class ThreadResult:
    url: str
    status: str  # "fetched", "unchanged", "failed"
    replies: int
    path: str = ""  # the file they are kept in


def fetch_replies(
    site_root: str,
    threads: Iterable[tuple[str, str]],
    report: Report,
    *,
    limits: FetchLimits = DEFAULT_LIMITS,
    mentioned: Iterable[tuple[str, str]] = (),
    webmention_api: str = "",
) -> list[ThreadResult]:
    """Fetch the replies of each (post source, thread URL) whose provider has a public replies API,
    and with a `webmention_api`, the webmentions of each (post source, the post's own URL) `mentioned`."""
    results = []
    for source, url in sorted(set(threads)):
        request = _request(url)
        if request is not None:
            results.append(_fetch_thread(site_root, source, url, request, report, limits))
    if webmention_api:
        for source, url in sorted(set(mentioned)):
            api = f"{webmention_api}{'&' if '?' in webmention_api else '?'}target={quote(url, safe='')}&per-page=200&sort-dir=up"
            results.append(_fetch_thread(site_root, source, url, _Request(api, _webmentions), report, limits))
    return results


@dataclass(frozen=True, slots=True)
class _Request:
    api: str
    replies: Callable[[Any], list[dict[str, str]]]  # the replies in the API's answer (raises when it is not one)
    headers: dict[str, str] | None = None
    body: bytes | None = None  # a query (POST)
    needs: str = ""  # why it cannot be asked, when it cannot


def has_replies_api(url: str) -> bool:
    """Whether `fetch` asks this thread for its replies."""
    return _request(url) is not None


def _request(url: str) -> _Request | None:
    """How to ask a thread's service for its replies; None for a service without a public API."""
    match = recognise(url)
    seg = [s for s in urlsplit(url).path.split("/") if s]
    if match.replies_kind == "mastodon":
        return _Request(match.replies_api, _mastodon_replies)
    if match.provider == "bluesky":
        uri = f"at://{seg[1]}/app.bsky.feed.post/{seg[3]}"
        return _Request(f"{BLUESKY_API}?uri={quote(uri, safe='')}&depth=10&parentHeight=0", _bluesky_replies)
    if match.provider == "github-issue" and match.replies_api:
        api = f"{GITHUB_API}/repos/{seg[0]}/{seg[1]}/issues/{seg[3]}/comments?per_page=100"
        return _Request(api, _github_comments, {"Accept": "application/vnd.github.html+json", **_github_token()})
    if match.provider == "github-discussions" and match.replies_api:
        token = _github_token()
        variables = {"owner": seg[0], "name": seg[1], "number": int(seg[3])}
        body = json.dumps({"query": _DISCUSSION_QUERY, "variables": variables}).encode()
        needs = "" if token else f"GitHub answers queries about discussions only with a token: set {TOKEN_VARIABLE}"
        return _Request(f"{GITHUB_API}/graphql", _github_discussion, {"Accept": "application/json", **token}, body, needs)
    return None


def _github_token() -> dict[str, str]:
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    return {"Authorization": f"Bearer {token}"} if token else {}


def _fetch_thread(site_root: str, source: str, url: str, request: _Request, report: Report, limits: FetchLimits) -> ThreadResult:
    path = replies_file(site_root, url)
    old = read_fetched(site_root, path, "replies", report)
    kept = len(old.get("replies", []))
    if request.needs:
        return _failed(report, source, url, request.needs, kept)
    validators = {"etag": old.get("etag", ""), "last_modified": old.get("last_modified", "")} if request.body is None else {}
    answer = get(request.api, **validators, limits=limits, headers=request.headers, body=request.body)
    if isinstance(answer, FetchFailure):
        return _failed(report, source, url, answer.reason, kept)
    if answer.status == 304:
        return ThreadResult(url, "unchanged", kept, path)
    try:
        replies = request.replies(parse_json_bytes(answer.body))  # bounded in size and depth
    except Unreadable as exc:
        return _failed(report, source, url, f"not a thread's replies ({exc})", kept)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError) as exc:
        return _failed(report, source, url, f"not a thread's replies ({type(exc).__name__}: {str(exc)[:300]})", kept)
    replies.sort(key=lambda r: (r["date"], r["url"]))
    kept_now = replies[-MAX_REPLIES:]
    write_fetched(path, {"format": FORMAT, "url": url, "etag": answer.etag, "last_modified": answer.last_modified, "replies": kept_now})
    return ThreadResult(url, "fetched", len(kept_now), path)


def _mastodon_replies(context: Any) -> list[dict[str, str]]:
    statuses = context["descendants"]
    if not isinstance(statuses, list):
        raise TypeError("descendants is not a list")
    return [reply for status in statuses if (reply := _reply(status)) is not None]


def _bluesky_replies(answer: Any) -> list[dict[str, str]]:
    """Every reply under the thread's post, however deep (a reply's replies included)."""
    found: list[dict[str, str]] = []
    pending = list(answer["thread"].get("replies") or [])
    while pending and len(found) < 10 * MAX_REPLIES:
        node = pending.pop(0)
        if not isinstance(node, dict) or not isinstance(node.get("post"), dict):
            continue  # a blocked or deleted post
        if isinstance(node.get("replies"), list):
            pending += node["replies"]
        post = node["post"]
        author: dict[str, Any] = post["author"] if isinstance(post.get("author"), dict) else {}
        record: dict[str, Any] = post["record"] if isinstance(post.get("record"), dict) else {}
        uri = text_of(post.get("uri"))
        handle = text_of(author.get("handle"))
        if not uri.startswith("at://") or "/app.bsky.feed.post/" not in uri or not handle:
            continue
        reply = _reply_of(
            f"https://bsky.app/profile/{quote(handle)}/post/{quote(uri.rsplit('/', 1)[1])}",
            text_of(author.get("displayName")) or handle,
            f"https://bsky.app/profile/{quote(handle)}",
            text_of(record.get("createdAt")) or text_of(post.get("indexedAt")),
            text_html(text_of(record.get("text"))),
        )
        if reply is not None:
            found.append(reply)
    return found


_REPLY_PROPERTIES = ("in-reply-to", "mention-of")


def _webmentions(feed: Any) -> list[dict[str, str]]:
    """The replies and mentions in a jf2 feed of received webmentions (private ones left out)."""
    children = feed["children"]
    if not isinstance(children, list):
        raise TypeError("children is not a list")
    found = []
    for entry in children:
        if not isinstance(entry, dict) or entry.get("wm-property") not in _REPLY_PROPERTIES or entry.get("wm-private"):
            continue
        author: dict[str, Any] = entry["author"] if isinstance(entry.get("author"), dict) else {}
        content: dict[str, Any] = entry["content"] if isinstance(entry.get("content"), dict) else {}
        html = text_of(content.get("html")) or "<p>" + escape(text_of(content.get("text"))) + "</p>"
        when = text_of(entry.get("published")) or text_of(entry.get("wm-received"))
        url = text_of(entry.get("url")) or text_of(entry.get("wm-source"))
        site = safe_url(text_of(author.get("url")) or url, "")
        name = text_of(author.get("name")) or (urlsplit(site).hostname or "" if site else "")
        if reply := _reply_of(url, name, text_of(author.get("url")), when, html):
            found.append(reply)
    return found


def _github_comments(comments: Any) -> list[dict[str, str]]:
    if not isinstance(comments, list):
        raise TypeError("the comments are not a list")
    return [reply for c in comments if isinstance(c, dict) and (reply := _github_reply(c, "html_url", "created_at", "body_html", "user"))]


def _github_discussion(answer: Any) -> list[dict[str, str]]:
    if answer.get("errors"):
        raise ValueError("; ".join(str(e.get("message", e)) for e in answer["errors"] if isinstance(e, dict))[:300] or "errors")
    comments = answer["data"]["repository"]["discussion"]["comments"]["nodes"]
    found = []
    for comment in comments if isinstance(comments, list) else []:
        if not isinstance(comment, dict):
            continue
        nested = (comment.get("replies") or {}).get("nodes") or []
        for node in [comment, *(n for n in nested if isinstance(n, dict))]:
            if reply := _github_reply(node, "url", "createdAt", "bodyHTML", "author"):
                found.append(reply)
    return found


def _github_reply(item: dict[str, Any], url: str, created: str, body: str, user: str) -> dict[str, str] | None:
    person: dict[str, Any] = item[user] if isinstance(item.get(user), dict) else {}
    login = text_of(person.get("login"))
    profile = text_of(person.get("html_url")) or text_of(person.get("url"))
    return _reply_of(text_of(item.get(url)), login, profile, text_of(item.get(created)), text_of(item.get(body)))


def _reply_of(url: str, author: str, author_url: str, when: str, html: str) -> dict[str, str] | None:
    """A reply as it is kept: safe URLs, the author as text, a date with its zone, sanitised HTML."""
    url = safe_url(url, "")
    author = plain_text(author)
    try:
        date = utc_date(when, naive_is_utc=True)  # in the years a post may have: no overflow converting it later
    except ValueError:
        return None
    if not url or not author:
        return None
    return {"url": url, "author": author, "author_url": safe_url(author_url, ""), "date": date.isoformat(), "html": clean_html(html, url)}


def _reply(status: Any) -> dict[str, str] | None:
    if not isinstance(status, dict) or status.get("visibility") not in _PUBLIC:
        return None
    account: dict[str, Any] = status["account"] if isinstance(status.get("account"), dict) else {}
    author = text_of(account.get("display_name")) or text_of(account.get("acct")) or text_of(account.get("username"))
    url = text_of(status.get("url")) or text_of(status.get("uri"))
    return _reply_of(url, author, text_of(account.get("url")), text_of(status.get("created_at")), text_of(status.get("content")))


def _failed(report: Report, source: str, url: str, reason: str, kept: int) -> ThreadResult:
    still = f"the {kept} replies fetched before stay" if kept else "no replies were fetched from it before"
    report.warning(Location(source), f"cannot fetch the replies of {url}: {reason}", f"{still}; `blogkit fetch` tries again")
    return ThreadResult(url, "failed", kept)
