"""Discussion and feedback: where the conversation about a post happens.

Static pages cannot host comments, so a post links to its threads elsewhere,
each recognised by provider from the shape of its URL, and the site can give
posts without one a default: a "Reply by email" link, a new GitHub discussion,
or a giscus / utterances embed. `Discussions.for_post()` turns a post and the
site config into a frozen `Discussion`, which `partials/discussion.html`
renders; templates reach it as `discussion_for(post)`.

Nothing here loads anything: the embed and the optional reply counts are
fetched by the reader's browser, and only when the site asks for them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

from blogkit.core.diagnostics import Diagnostic, Location, Severity
from blogkit.core.discussion_config import RepositoryConfig
from blogkit.core.discussion_urls import recognise
from blogkit.core.model import Post, Reply, Site
from blogkit.core.strings import Strings
from blogkit.load.outside import reply_threads


@dataclass(frozen=True, slots=True)
class Provider:
    key: str
    name: str  # "Hacker News"
    icon: str  # a name known to partials/discussion_icons.html
    verb: str = "discussion.discuss"  # the message of its link text: "Discuss {place}", "Reply {place}"
    where: str = ""  # the message naming the place, "on the mailing list"; default: on <name>

    def place(self, context: str, strings: Strings) -> str:
        """'on Hacker News', 'on Mastodon (hachyderm.io)'; for an unknown provider 'on <host>'."""
        if not self.name:
            return strings.text("discussion.on", name=context)
        if self.where:
            where = strings.text(self.where)
            return f"{where} ({context})" if context else where
        return strings.text("discussion.on_at", name=self.name, host=context) if context else strings.text("discussion.on", name=self.name)


PROVIDERS: dict[str, Provider] = {
    p.key: p
    for p in (
        Provider("github-discussions", "GitHub Discussions", "discussions"),
        Provider("github-issue", "GitHub", "issue"),
        Provider("gitlab-issue", "GitLab", "issue"),
        Provider("mastodon", "Mastodon", "mastodon", "discussion.reply"),
        Provider("fediverse", "Fediverse", "fediverse", "discussion.reply", "discussion.on_fediverse"),
        Provider("bluesky", "Bluesky", "bluesky", "discussion.reply"),
        Provider("hacker-news", "Hacker News", "hacker-news"),
        Provider("lobsters", "Lobsters", "lobsters"),
        Provider("reddit", "Reddit", "reddit"),
        Provider("discourse", "Discourse", "forum"),
        Provider("mailing-list", "Mailing list", "mail", "discussion.reply", "discussion.on_mailing_list"),
        Provider("other", "", "comment"),
    )
}


@dataclass(frozen=True, slots=True)
class Thread:
    """A conversation about the post that already exists somewhere."""

    url: str
    provider: Provider
    label: str  # the link text: "Discuss on Hacker News", "Reply on Mastodon (hachyderm.io)"
    replies_api: str = ""  # a public JSON address with the number of replies; '' when there is none
    replies_kind: str = ""  # how assets/replies.js reads it: github | mastodon | hacker-news | discourse


@dataclass(frozen=True, slots=True)
class Action:
    """A link that starts something: a reply by email, a new discussion, an edit, an issue."""

    label: str
    url: str
    icon: str


@dataclass(frozen=True, slots=True)
class Embed:
    """A comment widget that assets/embed.js loads when the reader scrolls near it."""

    name: str  # giscus | utterances
    script: str  # the provider's script, the only third-party resource a page may load
    attributes: tuple[tuple[str, str], ...]  # the data-* attributes the script reads


@dataclass(frozen=True, slots=True)
class Discussion:
    threads: tuple[Thread, ...] = ()
    start: Action | None = None  # reply by email, start a discussion, or the embed's plain link
    embed: Embed | None = None
    feedback: tuple[Action, ...] = ()  # suggest an edit, report a problem
    closed: bool = False
    reply_counts: bool = False  # the page includes assets/replies.js
    preview_note: str = ""  # why an embed is missing under `blogkit serve`
    replies: tuple[Reply, ...] = ()  # the public replies `blogkit fetch` brought (with `discussion.replies: true`), oldest first

    @property
    def conversation(self) -> bool:
        return bool(self.threads or self.start or self.embed or self.closed or self.preview_note or self.replies)

    @property
    def empty(self) -> bool:
        return not (self.conversation or self.feedback)


# the languages giscus shows itself in (its locales folder), for a site that does not set giscus.lang
GISCUS_LANGUAGES = frozenset("ar be bg ca cs da de en eo es fa fr he hu id it ja ko nl pl pt ro ru th tr uk uz vi zh-CN zh-TW".split())


def giscus_language(language: str) -> str:
    """giscus's name for the site's language ('pt-BR' -> 'pt', 'zh-TW' -> 'zh-TW'); '' when giscus has none."""
    for tag in (language, language.split("-")[0].lower()):
        if tag in GISCUS_LANGUAGES:
            return tag
    return ""


def thread(url: str, strings: Strings, *, closed: bool = False, github_hosts: Collection[str] = ("github.com",)) -> Thread:
    match = recognise(url, github_hosts)
    provider = PROVIDERS[match.provider]
    label = strings.text("discussion.read" if closed else provider.verb, place=provider.place(match.context, strings))
    return Thread(url, provider, label, match.replies_api, match.replies_kind)


# -- the discussion block of one post ---------------------------------------------------------
class Discussions:
    """Builds each post's `Discussion` from its front matter and the site's settings."""

    def __init__(self, site: Site, *, abs_url: Callable[[str], str], now: datetime, preview: bool = False) -> None:
        self.site = site
        self.config = site.config.discussion
        self.repository = site.config.repository
        self.abs_url = abs_url
        self.now = now
        self.preview = preview
        repo = self.repository
        self.github_hosts = ("github.com",) + ((urlsplit(repo.url).hostname or "",) if repo and repo.kind == "github" else ())

    def closed(self, post: Post) -> bool:
        """Closed by the post's `comments: closed`, or older than `close_after_days` at the build's time."""
        days = self.config.close_after_days
        return post.comments == "closed" or bool(days and self.now - post.date > timedelta(days=days))

    def for_post(self, post: Post) -> Discussion:
        closed = self.closed(post)
        strings = self.site.strings
        threads = tuple(thread(url, strings, closed=closed, github_hosts=self.github_hosts) for url in post.discussion)
        start: Action | None = None
        embed: Embed | None = None
        note = ""
        default = self.config.default
        linked = self._embed_link(post) if not threads else None
        if linked:
            provider, link = linked
            if closed:  # the embed's thread, if there is one, can still be read
                threads = (Thread(link.url, provider, strings.text("discussion.read", place=provider.place("", strings))),)
            elif self.preview:
                start, note = link, strings.text("discussion.preview", name=default)
            else:
                start, embed = link, self._embed(default)
        elif not threads and not closed and default == "email":
            start = self._email(post)
        elif not threads and not closed and default == "github-discussions":
            start = self._new_discussion(post)
        return Discussion(
            threads=threads,
            start=start,
            embed=embed,
            feedback=self._feedback(post),
            closed=closed,
            reply_counts=self.config.reply_counts and not self.preview and any(t.replies_api for t in threads),
            preview_note=note,
            replies=self._replies(post),
        )

    def _replies(self, post: Post) -> tuple[Reply, ...]:
        """The replies `fetch` brought for the post's threads and, with webmentions, for the post itself, oldest first."""
        threads = reply_threads(post, self.config.webmentions is not None, self.abs_url)
        found = [reply for url in threads for reply in self.site.replies.get(url, ())]
        return tuple(sorted(found, key=lambda r: (r.date, r.url))) if len(threads) > 1 else tuple(found)

    def problems(self) -> list[Diagnostic]:
        """With `default: email` in blogkit.yaml, a warning for each profile without an email whose posts get no reply link."""
        if self.config.default != "email" or not self.config.default_given:
            return []
        stranded: dict[str, int] = {}
        for post in self.site.posts:
            authors = [self.site.authors[h] for h in post.authors]
            if post.discussion or self.closed(post) or any(a.email for a in authors):
                continue
            for author in authors:
                stranded[author.handle] = stranded.get(author.handle, 0) + 1
        problems = []
        for handle, count in stranded.items():
            author = self.site.authors[handle]
            posts = "1 post" if count == 1 else f"{count} posts"
            problems.append(
                Diagnostic(
                    Severity.WARNING,
                    Location(author.source),
                    f"no 'email' for the \"Reply by email\" link of {posts} (discussion.default is email)",
                    "add `email: ...` to this profile, or give those posts a `discussion:` URL",
                )
            )
        return problems

    # -- the defaults --------------------------------------------------------------------------
    def _email(self, post: Post) -> Action | None:
        emails = [a.email for a in (self.site.authors[h] for h in post.authors) if a.email]
        if not emails:
            return None
        to = ",".join(quote(e, safe="@+") for e in emails)
        return Action(self.site.strings.text("discussion.by_email"), f"mailto:{to}?subject={quote('Re: ' + post.title, safe='')}", "mail")

    def _new_discussion(self, post: Post) -> Action | None:
        settings = self.config.github_discussions
        if settings is None:
            return None
        query = _query(("category", settings.category), ("title", post.title), ("body", self.abs_url(post.path)))
        url = f"https://github.com/{settings.repo}/discussions/new?{query}"
        return Action(self.site.strings.text("discussion.start_github"), url, "discussions")

    def _embed(self, name: str) -> Embed | None:
        if name == "giscus" and (g := self.config.giscus):
            attributes = [
                ("data-repo", g.repo),
                ("data-repo-id", g.repo_id),
                ("data-category", g.category),
                ("data-category-id", g.category_id),
                ("data-mapping", g.mapping),
                ("data-strict", "1" if g.strict else "0"),
                ("data-reactions-enabled", "1" if g.reactions else "0"),
                ("data-emit-metadata", "0"),
                ("data-input-position", g.input_position),
                ("data-theme", g.theme),
                *([("data-lang", lang)] if (lang := g.lang or giscus_language(self.site.config.language)) else []),
                ("data-loading", "lazy"),
            ]
            return Embed("giscus", "https://giscus.app/client.js", tuple(attributes))
        if name == "utterances" and (u := self.config.utterances):
            attributes = [("data-repo", u.repo), ("data-issue-term", u.issue_term), *([("data-label", u.label)] if u.label else [])]
            return Embed("utterances", "https://utteranc.es/client.js", (*attributes, ("data-theme", u.theme)))
        return None

    def _embed_link(self, post: Post) -> tuple[Provider, Action] | None:
        """With an embed, the plain link beside it: a search for the post's thread on GitHub."""
        default = self.config.default
        if default == "giscus" and (g := self.config.giscus):
            term = _thread_term(g.mapping, post, self.abs_url(post.path))
            search = _query(("discussions_q", f'"{term}"'))
            url = f"https://github.com/{g.repo}/discussions?{search}"
            provider = PROVIDERS["github-discussions"]
            return provider, Action(self._discuss(provider), url, "discussions")
        if default == "utterances" and (u := self.config.utterances):
            term = _thread_term(u.issue_term, post, self.abs_url(post.path))
            search = f'is:issue "{term}"' + (f' label:"{u.label}"' if u.label else "")
            url = f"https://github.com/{u.repo}/issues?{_query(('q', search))}"
            provider = PROVIDERS["github-issue"]
            return provider, Action(self._discuss(provider), url, "issue")
        return None

    def _discuss(self, provider: Provider) -> str:
        strings = self.site.strings
        return strings.text(provider.verb, place=provider.place("", strings))

    # -- feedback --------------------------------------------------------------------------------
    def _feedback(self, post: Post) -> tuple[Action, ...]:
        repo = self.repository
        if repo is None or not self.config.feedback:
            return ()
        return (
            Action(self.site.strings.text("discussion.edit"), edit_url(repo, post.source), "edit"),
            Action(self.site.strings.text("discussion.report"), report_url(repo, post.title, self.abs_url(post.path)), "flag"),
        )


def edit_url(repo: RepositoryConfig, source: str) -> str:
    """The forge's editor for a site file: GitHub /edit/BRANCH/PATH, GitLab /-/edit/BRANCH/PATH."""
    path = quote(f"{repo.branch}/{repo.content_path}{source}", safe="/")
    return f"{repo.url}/edit/{path}" if repo.kind == "github" else f"{repo.url}/-/edit/{path}"


def report_url(repo: RepositoryConfig, title: str, page_url: str) -> str:
    """A new issue prefilled with the post's title and address."""
    issue_title, body = f'Problem with the post "{title}"', f"Post: {page_url}\n\n"
    if repo.kind == "github":
        return f"{repo.url}/issues/new?{_query(('title', issue_title), ('body', body))}"
    return f"{repo.url}/-/issues/new?{_query(('issue[title]', issue_title), ('issue[description]', body))}"


def _thread_term(mapping: str, post: Post, page_url: str) -> str:
    """What giscus and utterances search a thread's title for, as they compute it in the browser."""
    if mapping == "url":
        return page_url
    if mapping == "pathname":
        return urlsplit(page_url).path.lstrip("/") or "index"
    return post.title  # title and og:title: the page's title contains the post's


def _query(*pairs: tuple[str, str]) -> str:
    """A query string with every reserved character escaped (spaces as %20, brackets as %5B %5D)."""
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
