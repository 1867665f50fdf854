"""`blogkit check --external`: whether each link of the posts to another site still leads somewhere.

Every distinct address is asked about once, through the one network client (`fetch/client.py`):
`HEAD` first, `GET` (without reading the page) when a server answers `HEAD` with an error,
redirects followed to the client's limit, `429` answered by waiting its `Retry-After` when that
is short. Hosts are asked in parallel, a bounded number at a time, and each host one request at
a time. Addresses on loopback or private networks are not asked unless `allow_private`.

An answer is one of: alive; moved (permanent redirects to a page that answers: its new address);
dead (404, 410 and other refusals, a redirect loop, a host that is gone); or could not be checked
(a server that turns robots away with 403 or 999, a rate limit, a server error, a timeout).
Answers are kept in `SITE/.blogkit-fetched/links.json` with the time they were given, and an
answer younger than `links.external_days` is used again without a request, so a daily run asks
about each link rarely.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from blogkit.core.config import LinksConfig
from blogkit.core.diagnostics import Location, Report, visible
from blogkit.fetch.client import Fetched, FetchFailure, FetchLimits, address_kind, get
from blogkit.fetch.store import read_fetched, write_fetched
from blogkit.load.outside import FETCHED_FOLDER, FORMAT, MAX_URL

LINKS_FILE = "links.json"  # in the fetched folder
LINK_LIMITS = FetchLimits(connect_seconds=5, read_seconds=10, total_seconds=20, max_bytes=0, max_redirects=10)
HOSTS_AT_ONCE = 8
MAX_WAIT_SECONDS = 30  # the longest Retry-After waited for; a longer one leaves the link unchecked this time
RETRIES_AFTER_429 = 2
_NO_GET_AFTER = frozenset({429})  # a HEAD answered with any other error is asked again with GET
_ROBOTS_REFUSED = frozenset({401, 403, 999})  # answers that turn robots away, not dead pages
STATES = ("ok", "moved", "dead", "unchecked")


@dataclass(frozen=True, slots=True)
class LinkUse:
    """A link to another site, where a post has it."""

    url: str
    location: Location


@dataclass(frozen=True, slots=True)
class Verdict:
    state: str  # one of STATES
    detail: str = ""  # the status or the failure, in words: "HTTP 404 Not Found"
    new_url: str = ""  # where a moved page is now
    checked: str = ""  # when it was asked, ISO 8601


def check_external(
    site_root: str,
    uses: Iterable[LinkUse],
    settings: LinksConfig,
    now: datetime,
    report: Report,
    *,
    allow_private: bool = False,
) -> dict[str, Verdict]:
    """Check every link of `uses` (those the ignore list names are left out), report each dead or
    moved one as a warning at its place and each one not checked as a note, keep the answers, and
    return them by address."""
    uses = [u for u in uses if not _ignored(u.url, settings.external_ignore)]
    urls = sorted({u.url for u in uses})
    path = os.path.join(site_root, FETCHED_FOLDER, LINKS_FILE)
    kept = _kept(site_root, path, report)
    fresh_after = now - timedelta(days=settings.external_days)
    verdicts = {url: kept[url] for url in urls if url in kept and _younger(kept[url], fresh_after)}
    asked = [url for url in urls if url not in verdicts]
    verdicts.update(_ask_all(asked, now, allow_private))
    stored = [{"url": url, "state": v.state, "detail": v.detail, "new_url": v.new_url, "checked": v.checked} for url, v in verdicts.items()]
    if stored or kept:  # a site without links to other sites gets no file
        write_fetched(path, {"format": FORMAT, "links": sorted(stored, key=lambda entry: entry["url"])})
    for use in sorted(uses, key=lambda u: u.location):
        _report(use, verdicts[use.url], report)
    return verdicts


def _report(use: LinkUse, verdict: Verdict, report: Report) -> None:
    shown = visible(use.url[:300])
    if verdict.state == "dead":
        report.warning(
            use.location,
            f"link '{shown}' is dead: {verdict.detail}",
            f"link to where it is now, or to an archived copy: https://web.archive.org/web/{use.url}",
        )
    elif verdict.state == "moved":
        report.warning(use.location, f"link '{shown}' has moved to {visible(verdict.new_url[:300])}", "link to the new address")
    elif verdict.state == "unchecked":
        report.note(use.location, f"link '{shown}' could not be checked: {verdict.detail}")


# -- asking --------------------------------------------------------------------------------------


def _ask_all(urls: list[str], now: datetime, allow_private: bool) -> dict[str, Verdict]:
    """Each host's links one after the other; hosts in parallel, HOSTS_AT_ONCE at a time."""
    by_host: dict[str, list[str]] = {}
    for url in urls:
        by_host.setdefault(_host(url), []).append(url)
    found: dict[str, Verdict] = {}
    lock = threading.Lock()
    checked = now.isoformat()

    def one_host(host_urls: list[str]) -> None:
        for url in host_urls:
            verdict = _ask(url, allow_private)
            with lock:
                found[url] = Verdict(verdict.state, verdict.detail, verdict.new_url, checked)

    with ThreadPoolExecutor(max_workers=max(1, min(HOSTS_AT_ONCE, len(by_host)))) as pool:
        for done in [pool.submit(one_host, host_urls) for _, host_urls in sorted(by_host.items())]:
            done.result()
    return found


def _ask(url: str, allow_private: bool) -> Verdict:
    if len(url) > MAX_URL:
        return Verdict("dead", f"longer than {MAX_URL} characters")
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return Verdict("dead", "not a URL")
    kind = address_kind(host)
    if kind is not None and not allow_private:
        return Verdict("unchecked", f"{host} is a {kind} address, which is not asked (--allow-private asks)")
    answer = _with_retries(url, "HEAD")
    if isinstance(answer, FetchFailure) and answer.status and answer.status not in _NO_GET_AFTER:
        answer = _with_retries(url, "GET")  # servers that refuse HEAD (405, 501, or any error) get a GET
    return _verdict(answer)


def _with_retries(url: str, method: str) -> Fetched | FetchFailure:
    for attempt in range(RETRIES_AFTER_429 + 1):
        answer = get(url, method=method, read_body=False, limits=LINK_LIMITS)
        if not (isinstance(answer, FetchFailure) and answer.status == 429) or attempt == RETRIES_AFTER_429:
            return answer
        wait = _retry_after(answer.retry_after)
        if wait is None or wait > MAX_WAIT_SECONDS:
            return answer
        time.sleep(wait)
    return answer


def _verdict(answer: Fetched | FetchFailure) -> Verdict:
    if isinstance(answer, Fetched):
        return Verdict("moved", new_url=answer.url) if answer.moved else Verdict("ok")
    if answer.status == 429:
        later = f", retry after {answer.retry_after}" if answer.retry_after else ""
        return Verdict("unchecked", f"{answer.reason} (rate limited{visible(later[:60])})")
    if answer.status in _ROBOTS_REFUSED:
        return Verdict("unchecked", f"{answer.reason} (the server turns robots away; check it in a browser)")
    if answer.status >= 500:
        return Verdict("unchecked", f"{answer.reason} (a server error; it may pass)")
    if answer.status == 0 and answer.reason.startswith("timed out"):
        return Verdict("unchecked", answer.reason)
    if answer.status == 0 and answer.reason.endswith(("which is never asked", "which is not followed")):
        return Verdict("unchecked", answer.reason)  # the client's refusals: a link-local address, a redirect into the network
    return Verdict("dead", answer.reason)


def _retry_after(value: str) -> float | None:
    """Seconds to wait, from a Retry-After header: a number of seconds or an HTTP date; None when unreadable."""
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value[:6])
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - datetime.now(when.tzinfo)).total_seconds())


# -- what is kept --------------------------------------------------------------------------------


def _kept(site_root: str, path: str, report: Report) -> dict[str, Verdict]:
    data = read_fetched(site_root, path, "links", report)
    found = {}
    for entry in data.get("links", ()):
        if not isinstance(entry, dict):
            continue
        values = {key: entry.get(key) for key in ("url", "state", "detail", "new_url", "checked")}
        if not all(isinstance(v, str) for v in values.values()) or values["state"] not in STATES:
            continue
        found[str(values["url"])] = Verdict(str(values["state"]), str(values["detail"]), str(values["new_url"]), str(values["checked"]))
    return found


def _younger(verdict: Verdict, after: datetime) -> bool:
    try:
        when = datetime.fromisoformat(verdict.checked)
    except ValueError:
        return False
    return when.tzinfo is not None and when > after


def _host(url: str) -> str:
    try:
        parts = urlsplit(url)
        return f"{(parts.hostname or '').lower()}:{parts.port or ''}"
    except ValueError:
        return ""


def _ignored(url: str, ignore: tuple[str, ...]) -> bool:
    """Whether an entry of `links.external_ignore` names the link: a URL prefix ('https://x.example/private/')
    or a host, its subdomains included ('example.com')."""
    host = _host(url).split(":", 1)[0]
    for entry in ignore:
        if "://" in entry:
            if url.startswith(entry):
                return True
        elif host == entry.lower() or host.endswith("." + entry.lower()):
            return True
    return False
