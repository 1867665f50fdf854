"""Readers' replies: the public replies to posts' threads on the fediverse, into `SITE/.blogkit-fetched/replies/`.

With `discussion.replies: true`, `fetch_replies()` asks the server of each post's Mastodon (or
other fediverse) status for the thread's context, through the same bounded client as the feeds,
keeps the public and unlisted replies (the newest 200), and writes them as plain, sanitised data:
the author's name as text, links only when `http(s)`, the reply's HTML through the strict
allow-list. No avatar or other remote file is kept: a reply shows its author's initial. A thread
that cannot be fetched is a warning at the post, and the replies fetched before stay.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from blogkit.core.diagnostics import Location, Report
from blogkit.fetch.client import DEFAULT_LIMITS, FetchFailure, FetchLimits, get
from blogkit.fetch.store import read_fetched, write_fetched
from blogkit.load.outside import FORMAT, clean_html, plain_text, replies_file, safe_url
from blogkit.render.discussion import recognise

MAX_REPLIES = 200
_PUBLIC = ("public", "unlisted")


@dataclass(frozen=True, slots=True)
class ThreadResult:
    url: str
    status: str  # "fetched", "unchanged", "failed"
    replies: int


def fetch_replies(
    site_root: str, threads: Iterable[tuple[str, str]], report: Report, *, limits: FetchLimits = DEFAULT_LIMITS
) -> list[ThreadResult]:
    """Fetch the replies of each (post source, thread URL) whose provider has a public replies API."""
    results = []
    for source, url in sorted(set(threads)):
        match = recognise(url)
        if match.replies_kind == "mastodon":
            results.append(_fetch_thread(site_root, source, url, match.replies_api, report, limits))
    return results


def _fetch_thread(site_root: str, source: str, url: str, api: str, report: Report, limits: FetchLimits) -> ThreadResult:
    path = replies_file(site_root, url)
    old = read_fetched(path)
    kept = len(old.get("replies", []))
    answer = get(api, etag=old.get("etag", ""), last_modified=old.get("last_modified", ""), limits=limits)
    if isinstance(answer, FetchFailure):
        return _failed(report, source, url, answer.reason, kept)
    if answer.status == 304:
        return ThreadResult(url, "unchanged", kept)
    try:
        context = json.loads(answer.body)
        statuses = context["descendants"]
        if not isinstance(statuses, list):
            raise TypeError("descendants is not a list")
    except (ValueError, TypeError, KeyError) as exc:
        return _failed(report, source, url, f"not a thread's context ({exc})", kept)
    replies = [reply for status in statuses if (reply := _reply(status)) is not None]
    replies.sort(key=lambda r: (r["date"], r["url"]))
    kept_now = replies[-MAX_REPLIES:]
    write_fetched(path, {"format": FORMAT, "url": url, "etag": answer.etag, "last_modified": answer.last_modified, "replies": kept_now})
    return ThreadResult(url, "fetched", len(kept_now))


def _reply(status: Any) -> dict[str, str] | None:
    if not isinstance(status, dict) or status.get("visibility") not in _PUBLIC:
        return None
    account: dict[str, Any] = status["account"] if isinstance(status.get("account"), dict) else {}
    url = safe_url(str(status.get("url") or status.get("uri") or ""), "")
    try:
        date = datetime.fromisoformat(str(status.get("created_at", "")).replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None
    author = plain_text(str(account.get("display_name") or account.get("acct") or account.get("username") or ""))
    if not url or not author:
        return None
    return {
        "url": url,
        "author": author,
        "author_url": safe_url(str(account.get("url") or ""), ""),
        "date": date.isoformat(),
        "html": clean_html(str(status.get("content") or ""), url),
    }


def _failed(report: Report, source: str, url: str, reason: str, kept: int) -> ThreadResult:
    still = f"the {kept} replies fetched before stay" if kept else "no replies were fetched from it before"
    report.warning(Location(source), f"cannot fetch the replies of {url}: {reason}", f"{still}; `blogkit fetch` tries again")
    return ThreadResult(url, "failed", kept)
