"""What `blogkit check` adds to a build's own validation: problems that do not
stop a site from building but that a reviewer wants to see on the pull request. (Links are
checked by every build: `blogkit.load.links`; `check` has the build check drafts' links too. The
content lint, `blogkit.load.lint`, is reported by every build too.)

- tags that differ only by case, or almost only by spelling, from another tag or alias;
- posts dated in the future (a note: scheduled, with the date they appear);
- back-dated posts: new entries that a feed would insert below entries readers already have;
- what `blogkit fetch` keeps (engineers' own feeds, replies to posts) not refreshed for longer
  than `fetch.max_age_days`, or never fetched;
- a `CODEOWNERS` block that `blogkit codeowners` would now write differently.
"""

from __future__ import annotations

import difflib
import os
import re
from collections import Counter
from datetime import UTC, datetime
from xml.etree import ElementTree

from blogkit.core.diagnostics import Location, Report
from blogkit.engine.build import BuildResult
from blogkit.load.outside import checked_times, feeds_folder, fetched_path, replies_file


def run_checks(result: BuildResult, previous_output: str | None) -> Report:
    report = Report()
    if result.site is None:
        return report
    _check_tag_spellings(result, report)
    _check_scheduled(result, report)
    if previous_output:
        _check_back_dated(result, previous_output, report)
    _check_fetched_age(result, report)
    _check_codeowners(result, report)
    return report


def check_external_links(result: BuildResult, *, allow_private: bool) -> tuple[Report, str]:
    """`check --external`: every link of every post to another site asked about (or its answer of the
    last `links.external_days` used again); the diagnostics, and a line saying what was found."""
    from blogkit.fetch.linkrot import LinkUse, check_external  # the network code loads only for --external
    from blogkit.load.markdown import external_links
    from blogkit.load.site import read_front_matter

    report = Report()
    config = result.config
    if result.profiles is None:
        return report, ""
    # Read again without the cache, which may have left the bodies' texts behind; drafts' links too.
    posts = read_front_matter(config, result.profiles)
    uses = [
        LinkUse(link.target, Location(meta.source.path, link.line, link.column))
        for meta in posts
        for link in external_links(meta.body, config.markdown)
    ]
    verdicts = check_external(config.root, uses, config.links, datetime.now(UTC), report, allow_private=allow_private)
    states = Counter(v.state for v in verdicts.values())
    found = ", ".join(f"{states[s]} {word}" for s, word in (("dead", "dead"), ("moved", "moved"), ("unchecked", "not checked")))
    return report, f"{len(verdicts)} links to other sites: {found}"


def _check_codeowners(result: BuildResult, report: Report) -> None:
    """A CODEOWNERS block that `blogkit codeowners` would now write differently (nothing when none was written)."""
    from blogkit.commands.scaffold import DEFAULT_HANDLE
    from blogkit.review.codeowners import check_codeowners, site_block

    if result.profiles is None:
        return
    wanted = site_block(result.config, result.profiles.authors, result.posts_read, frozenset({DEFAULT_HANDLE}), Report())
    check_codeowners(result.config.root, wanted, report)


def _check_fetched_age(result: BuildResult, report: Report) -> None:
    """Fetched data that `blogkit fetch` has not refreshed for `fetch.max_age_days` (each profile's
    feed; with `discussion.replies`, each post's thread whose service has a replies API)."""
    from blogkit.fetch.replies import has_replies_api  # what fetch asks for, declared once there

    site, config = result.site, result.config
    days = config.fetch.max_age_days
    if site is None or not days or result.now is None:
        return
    wanted = [
        (a.source, os.path.join(feeds_folder(config.root), f"{a.handle}.json"), f"the feed of '{a.handle}'")
        for a in site.authors.values()
        if a.feed
    ]
    if config.discussion.replies:
        if config.discussion.webmentions:
            urls = config.urls
            wanted += [(p.source, replies_file(config.root, urls.absolute(p.path)), f"the webmentions of {p.path}") for p in site.posts]
        for post in site.posts:
            wanted += [
                (post.source, replies_file(config.root, url), f"the replies of {url}") for url in post.discussion if has_replies_api(url)
            ]
    times = checked_times(config.root, report)
    hint = f"run `blogkit fetch` (on a schedule in CI: docs/ci.md), or raise fetch.max_age_days ({days})"
    never = "run `blogkit fetch` to download it (and on a schedule in CI: docs/ci.md)"
    for source, path, what in wanted:
        when = times.get(fetched_path(config.root, path))
        if when is None:
            report.warning(Location(source), f"{what} has never been fetched", never)
        elif (age := (result.now - when).days) > days:
            report.warning(Location(source), f"{what} was last fetched {age} days ago", hint)


def _check_tag_spellings(result: BuildResult, report: Report) -> None:
    spellings: Counter[str] = Counter()  # as written
    first: dict[str, Location] = {}
    for meta in result.posts_read:
        for raw in meta.tags:
            spellings[raw.name] += 1
            first.setdefault(raw.name, raw.location)
    uses: Counter[str] = Counter()
    for name, count in spellings.items():
        uses[name.lower()] += count
    vocabulary = {k: v.name for k, v in result.profiles.vocabulary.items()} if result.profiles else {}
    aliases = dict(result.profiles.aliases) if result.profiles else {}

    # one tag written in several cases: point at every spelling but the most used
    by_lower: dict[str, list[str]] = {}
    for name in sorted(spellings):
        by_lower.setdefault(name.lower(), []).append(name)
    for low, names in by_lower.items():
        preferred = vocabulary.get(low) or max(names, key=lambda n: spellings[n])
        for name in names:
            if name != preferred and len(names) > 1:
                report.warning(first[name], f"tag '{name}' is written '{preferred}' elsewhere", f"use one spelling: '{preferred}'")

    # near-misses: 'kubernets' next to 'Kubernetes'
    # Only a spelling of the vocabulary, an alias or a more used tag can be the right one, and one a
    # few letters longer or shorter at most: comparing those alone keeps thousands of tags fast.
    by_length: dict[int, list[str]] = {}
    for candidate in sorted(set(uses) | set(vocabulary) | set(aliases)):
        by_length.setdefault(len(candidate), []).append(candidate)
    for low, names in by_lower.items():
        if low in vocabulary or low in aliases:
            continue
        others = [
            c
            for n in range(len(low) - 3, len(low) + 4)
            for c in by_length.get(n, ())
            if c != low and (c in vocabulary or c in aliases or uses[c] > uses[low])
        ]
        for other in difflib.get_close_matches(low, others, n=1, cutoff=0.85):
            if _other_words(low, other):
                continue
            shown = vocabulary.get(other) or aliases.get(other) or max(by_lower[other], key=lambda n: spellings[n])
            report.warning(
                first[names[0]],
                f"tag '{names[0]}' looks like a misspelling of '{shown}'",
                f"use '{shown}', or add an alias in tags.yaml",
            )


def _other_words(a: str, b: str) -> bool:
    """Compound tags that differ by a whole word ('frontend-testing', 'backend-testing'), not by a slip
    of the keyboard in one ('kafka-stream', 'kafka-streams')."""
    words_a, words_b = _WORDS.split(a), _WORDS.split(b)
    if len(words_a) < 2 or len(words_a) != len(words_b):
        return False
    differing = [(x, y) for x, y in zip(words_a, words_b, strict=True) if x != y]
    return all(difflib.SequenceMatcher(None, x, y).ratio() < 0.8 for x, y in differing)


_WORDS = re.compile(r"[-_ /.]+")


def _check_scheduled(result: BuildResult, report: Report) -> None:
    now = result.now
    zone = result.config.zone
    for meta in result.posts_read:
        if now and meta.date > now and not meta.draft:
            when = meta.date.astimezone(zone)
            report.note(
                Location(meta.source.path, 1, 1),
                f"scheduled: appears on {when:%Y-%m-%d %H:%M} ({result.config.timezone}) or at the first build after",
            )


def _check_back_dated(result: BuildResult, previous_output: str, report: Report) -> None:
    """Posts new since the previous build (not in its sitemap) dated before the newest entry of the
    feed readers already have: their readers' feed readers may never show them. A post that merely
    dropped out of the feed's newest entries is not new, and not back-dated."""
    newest = _newest_in_feed(os.path.join(previous_output, "feed.xml"))
    published = _previous_sitemap(os.path.join(previous_output, "sitemap.xml"))
    if newest is None or published is None:
        return
    site = result.site
    assert site is not None
    urls = site.config.urls
    for post in site.posts:
        if urls.absolute(post.path) not in published and post.date < newest:
            report.warning(
                Location(post.source, 1, 1),
                f"back-dated post: dated {post.date:%Y-%m-%d}, before the newest entry readers already have ({newest:%Y-%m-%d})",
                "feed readers may never show it; date it today, or accept that it appears in the archive only",
            )


def _previous_sitemap(path: str) -> set[str] | None:
    """Every page address of the previous build, from its sitemap."""
    root = _previous_xml(path)
    if root is None:
        return None
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    return {(loc.text or "").strip() for loc in root.findall("s:url/s:loc", ns)}


def _newest_in_feed(path: str) -> datetime | None:
    """The newest entry's publication date in the previous build's hub feed."""
    root = _previous_xml(path)
    if root is None:
        return None
    ns = {"a": "http://www.w3.org/2005/Atom"}
    dates = []
    for entry in root.findall("a:entry", ns):
        try:
            published = datetime.fromisoformat(entry.findtext("a:published", default="", namespaces=ns))
        except ValueError:
            continue
        if published.tzinfo is not None:  # a date without a zone cannot be compared with the others
            dates.append(published)
    return max(dates, default=None)


_PREVIOUS_XML_BYTES = 256 * 1024 * 1024


def _previous_xml(path: str) -> ElementTree.Element | None:
    """A sitemap or feed of a previous output (downloaded from the live site, perhaps): bounded in
    size, and refused when it declares a DOCTYPE or entities, so nothing in it is expanded."""
    try:
        with open(path, "rb") as f:
            data = f.read(_PREVIOUS_XML_BYTES + 1)
    except OSError:
        return None
    if len(data) > _PREVIOUS_XML_BYTES or b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper() or b"\0" in data:
        return None  # ours has none; UTF-16 (with its NUL bytes) is not ours either
    try:
        return ElementTree.fromstring(data)  # noqa: S314 - no DOCTYPE, so no entity to expand
    except ElementTree.ParseError:
        return None
