"""Discussion and feedback: providers, defaults, closing, feedback links, config errors, third parties."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from blogkit.core.config import THEME_DIR
from blogkit.core.diagnostics import ConfigError, Report
from blogkit.core.discussion_urls import recognise
from blogkit.engine.build import BuildOptions, build_site
from blogkit.load.catalogues import load_strings
from blogkit.load.config import load_config
from blogkit.render.discussion import Discussions, thread
from conftest import NOW, build, diagnostics, post, run_cli

EN = load_strings(THEME_DIR, THEME_DIR, "en", Report())

CONFIG = "title: Test Hub\nbase_url: https://hub.example/\ntimezone: UTC\n"
P = "posts/ada/2026-03-01-hello.md"
PAGE = "2026/03/hello/index.html"

# -- recognising providers --------------------------------------------------------------------------
RECOGNISED = [
    ("https://github.com/o/r/discussions/7", "github-discussions", "Discuss on GitHub Discussions"),
    ("https://github.com/o/r/discussions/7#discussioncomment-123", "github-discussions", "Discuss on GitHub Discussions"),
    ("https://github.com/orgs/community/discussions/176086", "github-discussions", "Discuss on GitHub Discussions"),
    ("https://www.github.com/o/r/issues/12/", "github-issue", "Discuss on GitHub"),
    ("https://gitlab.com/group/project/-/issues/3", "gitlab-issue", "Discuss on GitLab"),
    ("https://gitlab.com/group/sub/project/-/issues/3#note_1", "gitlab-issue", "Discuss on GitLab"),
    ("https://gitlab.com/group/project/issues/3", "gitlab-issue", "Discuss on GitLab"),
    ("https://git.example.com/team/hub/-/issues/42", "gitlab-issue", "Discuss on GitLab (git.example.com)"),
    ("https://hachyderm.io/@ada/109876543210987654", "mastodon", "Reply on Mastodon (hachyderm.io)"),
    ("https://mastodon.social/@ada@hachyderm.io/1098", "mastodon", "Reply on Mastodon (mastodon.social)"),
    ("https://fosstodon.org/users/ada/statuses/1098", "mastodon", "Reply on Mastodon (fosstodon.org)"),
    ("https://pleroma.example/notice/AbC123xyz", "fediverse", "Reply on the Fediverse (pleroma.example)"),
    ("https://bsky.app/profile/ada.bsky.social/post/3kxyzabc", "bluesky", "Reply on Bluesky"),
    ("https://news.ycombinator.com/item?id=39000000", "hacker-news", "Discuss on Hacker News"),
    ("https://lobste.rs/s/abc123/compaction_in_practice", "lobsters", "Discuss on Lobsters"),
    ("https://lobste.rs/s/abc123", "lobsters", "Discuss on Lobsters"),
    ("https://www.reddit.com/r/programming/comments/abc123/compaction/", "reddit", "Discuss on Reddit (r/programming)"),
    ("https://old.reddit.com/r/rust/comments/xyz789/", "reddit", "Discuss on Reddit (r/rust)"),
    ("https://redd.it/xyz789", "reddit", "Discuss on Reddit"),
    ("https://discuss.python.org/t/some-topic/12345", "discourse", "Discuss on Discourse (discuss.python.org)"),
    ("https://forum.example.com/t/slug/12/3", "discourse", "Discuss on Discourse (forum.example.com)"),
    (
        "https://lists.example.org/archives/list/dev@lists.example.org/thread/ABC/",
        "mailing-list",
        "Reply on the mailing list (lists.example.org)",
    ),
    ("https://mail.python.org/pipermail/python-dev/2024-January/123.html", "mailing-list", "Reply on the mailing list (mail.python.org)"),
    ("https://mail.example.org/hyperkitty/list/dev@example.org/thread/X/", "mailing-list", "Reply on the mailing list (mail.example.org)"),
    ("https://www.example.org/archives/dev/2024/msg00012.html", "mailing-list", "Reply on the mailing list (www.example.org)"),
    ("https://lore.kernel.org/lkml/20240101.123@example.com/", "mailing-list", "Reply on the mailing list (lore.kernel.org)"),
    ("https://groups.google.com/g/golang-nuts/c/abcDEF", "mailing-list", "Reply on the mailing list (groups.google.com)"),
]

NEAR_MISSES = [
    "https://github.com/o/r",
    "https://github.com/o/r/discussions",
    "https://github.com/o/r/discussions/new",
    "https://github.com/o/r/pull/5",
    "https://github.com/o/r/issues/7/comments",
    "https://github.com.evil.example/o/r/issues/1",
    "https://notgithub.com/o/r/discussions/1",
    "https://gitlab.com/group/project/-/merge_requests/3",
    "https://gitlab.example.com/-/issues/3",
    "https://hachyderm.io/@ada",
    "https://hachyderm.io/@ada/media",
    "https://example.com/@ada/p/123",
    "https://medium.com/@ada/compaction-1a2b3c",
    "https://bsky.app/profile/ada.bsky.social",
    "https://news.ycombinator.com/user?id=pg",
    "https://news.ycombinator.com/item?id=abc",
    "https://lobste.rs/t/rust",
    "https://www.reddit.com/r/programming/",
    "https://forum.example.com/t/slug",
    "https://forum.example.com/c/category/5",
    "https://example.com/blog/archive/2020/",
    "https://example.com/archives/",
    "https://example.com/notice/",
]


@pytest.mark.parametrize("url, key, label", RECOGNISED, ids=[u.split("//", 1)[1] for u, _, _ in RECOGNISED])
def test_provider_is_recognised(url, key, label):
    found = thread(url, EN)
    assert (found.provider.key, found.label) == (key, label)
    closed = thread(url, EN, closed=True)
    assert closed.label.startswith("Read the discussion ") and closed.label.endswith(label.split(" ", 1)[1])


@pytest.mark.parametrize("url", NEAR_MISSES, ids=[u.split("//", 1)[1] for u in NEAR_MISSES])
def test_near_misses_fall_back_to_a_plain_discuss_link(url):
    found = thread(url, EN)
    assert found.provider.key == "other"
    assert found.label == f"Discuss on {urlsplit(url).hostname}"
    assert found.replies_api == ""


@pytest.mark.parametrize(
    "url, api, kind",
    [
        ("https://github.com/o/r/issues/12", "https://api.github.com/repos/o/r/issues/12", "github"),
        ("https://github.com/o/r/discussions/7", "https://api.github.com/repos/o/r/discussions/7", "github"),
        ("https://hachyderm.io/@ada/1098", "https://hachyderm.io/api/v1/statuses/1098/context", "mastodon"),
        ("https://fosstodon.org/users/ada/statuses/1098", "https://fosstodon.org/api/v1/statuses/1098/context", "mastodon"),
        ("https://news.ycombinator.com/item?id=390", "https://hacker-news.firebaseio.com/v0/item/390.json", "hacker-news"),
        ("https://discuss.python.org/t/some-topic/12345", "https://discuss.python.org/t/12345.json", "discourse"),
        ("https://github.com/orgs/community/discussions/176086", "", ""),
        ("https://lobste.rs/s/abc123", "", ""),
        ("https://bsky.app/profile/ada.bsky.social/post/3kxyzabc", "", ""),
    ],
)
def test_reply_count_apis(url, api, kind):
    match = recognise(url)
    assert (match.replies_api, match.replies_kind) == (api, kind)


def test_the_repositorys_own_github_host_is_recognised():
    found = thread("https://github.example.com/o/r/issues/3", EN, github_hosts=("github.com", "github.example.com"))
    assert (found.provider.key, found.label, found.replies_api) == ("github-issue", "Discuss on GitHub (github.example.com)", "")


# -- helpers ----------------------------------------------------------------------------------------
def page(result, path: str = PAGE) -> str:
    content = result.outputs.files[path].content
    assert isinstance(content, bytes)
    return content.decode("utf-8")


def section(html: str) -> str:
    start = html.find('<section class="discussion"')
    return html[start : html.index("</section>", start) + len("</section>")] if start >= 0 else ""


def html_pages(result) -> dict[str, str]:
    return {path: page(result, path) for path, out in result.outputs.files.items() if path.endswith(".html")}


class Resources(HTMLParser):
    """Everything a page makes the browser load by itself: scripts, frames, stylesheets, icons, ids."""

    LOADING_RELS = frozenset({"stylesheet", "icon", "preload", "modulepreload", "prefetch", "preconnect", "dns-prefetch"})

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.ids: list[str] = []
        self.links: list[tuple[str, str]] = []  # (href, text)
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.append(a["id"])
        if tag in ("script", "iframe", "img", "embed", "object") and (a.get("src") or a.get("data")):
            self.loads.append(a.get("src") or a.get("data", ""))
        if tag == "link" and set(a.get("rel", "").split()) & self.LOADING_RELS:
            self.loads.append(a.get("href", ""))
        if tag == "a":
            self._href, self._text = a.get("href", ""), []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


def parse(html: str) -> Resources:
    parser = Resources()
    parser.feed(html)
    return parser


def third_party(html: str) -> list[str]:
    return [u for u in parse(html).loads if urlsplit(u).netloc not in ("", "hub.example")]


# -- a post's own discussion URLs -------------------------------------------------------------------
def test_post_page_shows_each_thread_with_its_provider_and_icon(site):
    root = site(
        {
            P: post(
                """
                title: Hello
                discussion:
                  - https://news.ycombinator.com/item?id=39000000
                  - https://hachyderm.io/@ada/109876543210
                  - https://forum.example.org/some/page
                """
            )
        }
    )
    result = build(root)
    assert not result.report.diagnostics
    block = section(page(result))
    links = parse(block).links
    assert links == [
        ("https://news.ycombinator.com/item?id=39000000", "Discuss on Hacker News"),
        ("https://hachyderm.io/@ada/109876543210", "Reply on Mastodon (hachyderm.io)"),
        ("https://forum.example.org/some/page", "Discuss on forum.example.org"),
    ]
    assert block.count("<svg") == 3 and block.count('aria-hidden="true"') == 3
    assert "Comments are closed" not in block and "mailto:" not in block, "a post with its own thread gets no default"
    ids = parse(page(result)).ids
    assert len(ids) == len(set(ids)), "ids are unique on the page"


def test_reply_counts_are_off_unless_configured(site):
    files = {P: post("title: Hello\ndiscussion: https://github.com/o/r/issues/3\n")}
    off = page(build(site(files)))
    assert "data-replies-api" not in off and "replies.js" not in off
    files["blogkit.yaml"] = CONFIG + "discussion:\n  reply_counts: true\n"
    on = page(build(site(files)))
    assert 'data-replies-api="https://api.github.com/repos/o/r/issues/3" data-replies-kind="github"' in on
    assert '<script src="/assets/replies.js" defer' in on
    assert not third_party(on)


def test_reply_counts_script_is_left_out_when_no_thread_has_an_api(site):
    files = {
        "blogkit.yaml": CONFIG + "discussion:\n  reply_counts: true\n",
        P: post("title: Hello\ndiscussion: https://lobste.rs/s/abc123\n"),
    }
    assert "replies.js" not in page(build(site(files)))


def test_the_theme_ships_the_discussion_scripts(site):
    result = build(site({P: post("title: Hello\n")}))
    assert {"assets/embed.js", "assets/replies.js"} <= set(result.outputs.files)
    script = Path(result.outputs.files["assets/replies.js"].content.source).read_text()  # type: ignore[union-attr]
    assert 'credentials: "omit"' in script and ".catch(function () {})" in script


# -- site defaults ----------------------------------------------------------------------------------
def test_default_none_shows_nothing_without_a_thread(site):
    root = site(
        {
            "blogkit.yaml": CONFIG + "discussion:\n  default: none\n",
            "authors/ada.yaml": "name: Ada\nemail: ada@example.com\n",
            P: post("title: Hello\n"),
        }
    )
    assert section(page(build(root))) == ""


def test_email_is_the_default_and_writes_to_every_author(site):
    root = site(
        {
            "authors/ada.yaml": "name: Ada\nemail: ada+blog@example.com\n",
            "authors/bob.yaml": "name: Bob\nemail: bob@example.com\n",
            "authors/cy.yaml": "name: Cy\n",
            P: post('title: "Ünïcode & \\"quotes\\": a/b?"\nauthors: [ada, cy, bob]\n'),
        }
    )
    result = build(root)
    assert not result.report.diagnostics, "an implicit default does not warn about authors without email"
    links = parse(section(page(result))).links
    assert len(links) == 1 and links[0][1] == "Reply by email"
    href = links[0][0]
    to, query = href.removeprefix("mailto:").split("?", 1)
    assert to == "ada+blog@example.com,bob@example.com"
    assert " " not in href and "+" not in query
    assert parse_qs(query) == {"subject": ['Re: Ünïcode & "quotes": a/b?']}


def test_email_default_without_any_email_shows_nothing_and_warns_when_asked_for(site):
    files = {
        "authors/bob.yaml": "name: Bob\n",
        P: post("title: Hello\n"),
        "posts/ada/2026-03-02-two.md": post("title: Two\nauthors: [ada, bob]\n"),
        "posts/ada/2026-03-03-three.md": post("title: Three\ndiscussion: https://lobste.rs/s/abc123\n"),
    }
    implicit = build(site(files))
    assert not implicit.report.diagnostics
    assert section(page(implicit)) == ""
    files["blogkit.yaml"] = CONFIG + "discussion:\n  default: email\n"
    explicit = build(site(files))
    assert section(page(explicit)) == ""
    assert diagnostics(explicit) == [
        "authors/ada.yaml: warning: no 'email' for the \"Reply by email\" link of 2 posts (discussion.default is email)",
        "authors/bob.yaml: warning: no 'email' for the \"Reply by email\" link of 1 post (discussion.default is email)",
    ]


def test_github_discussions_default_opens_a_prefilled_new_discussion(site):
    root = site(
        {
            "blogkit.yaml": CONFIG + "repository: https://github.com/kestrel/hub\ndiscussion:\n  default: github-discussions\n"
            "  github-discussions: {category: comments}\n",
            P: post('title: "Raft & you: part 1"\n'),
        }
    )
    result = build(root)
    assert not result.report.diagnostics
    (href, text), *_ = parse(section(page(result))).links
    assert text == "Start a discussion on GitHub"
    parts = urlsplit(href)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "github.com", "/kestrel/hub/discussions/new")
    assert parse_qs(parts.query) == {
        "category": ["comments"],
        "title": ["Raft & you: part 1"],
        "body": ["https://hub.example/2026/03/hello/"],
    }
    assert "+" not in parts.query


def test_github_discussions_default_may_name_another_repository(site):
    root = site(
        {
            "blogkit.yaml": CONFIG + "discussion:\n  default: github-discussions\n  github-discussions: {repo: o/talk}\n",
            P: post("title: Hi\n"),
        }
    )
    (href, _), *_ = parse(section(page(build(root)))).links
    assert href.startswith("https://github.com/o/talk/discussions/new?category=general&title=Hi&body=")


GISCUS = (
    CONFIG
    + """\
repository: https://github.com/kestrel/hub
discussion:
  default: giscus
  giscus:
    repo_id: R_kgDOabc
    category: Comments
    category_id: DIC_kwDOabc
"""
)


def test_giscus_embed_is_lazy_with_a_plain_link_fallback(site):
    root = site({"blogkit.yaml": GISCUS, P: post("title: Hello\n")})
    result = build(root)
    assert not result.report.diagnostics
    block = section(page(result))
    assert (
        '<div class="discussion__embed discussion__embed--giscus" data-embed-src="https://giscus.app/client.js" data-repo="kestrel/hub"'
        ' data-repo-id="R_kgDOabc" data-category="Comments" data-category-id="DIC_kwDOabc" data-mapping="pathname" data-strict="0"'
        ' data-reactions-enabled="1" data-emit-metadata="0" data-input-position="bottom" data-theme="preferred_color_scheme"'
        ' data-lang="en" data-loading="lazy"></div>'
    ) in block
    assert '<script src="/assets/embed.js" defer></script>' in block
    (href, text), *_ = parse(block).links
    assert text == "Discuss on GitHub Discussions"
    parts = urlsplit(href)
    assert parts.path == "/kestrel/hub/discussions" and parse_qs(parts.query) == {"discussions_q": ['"2026/03/hello/"']}
    assert block.index(href.replace("&", "&amp;")) < block.index("discussion__embed"), "the plain link comes first"


def test_utterances_embed_and_its_fallback(site):
    config = CONFIG + "discussion:\n  default: utterances\n  utterances: {repo: o/r, issue_term: title, label: comments}\n"
    result = build(site({"blogkit.yaml": config, P: post("title: Hello world\n")}))
    assert not result.report.diagnostics
    block = section(page(result))
    assert (
        'data-embed-src="https://utteranc.es/client.js" data-repo="o/r" data-issue-term="title" data-label="comments"'
        ' data-theme="preferred-color-scheme"></div>'
    ) in block
    (href, text), *_ = parse(block).links
    assert text == "Discuss on GitHub"
    assert href.startswith("https://github.com/o/r/issues?")
    assert parse_qs(urlsplit(href).query) == {"q": ['is:issue "Hello world" label:"comments"']}


def test_utterances_takes_its_repository_from_the_site(site):
    config = CONFIG + "repository: https://github.com/kestrel/hub/\ndiscussion:\n  default: utterances\n"
    block = section(page(build(site({"blogkit.yaml": config, P: post("title: Hello\n")}))))
    assert 'data-repo="kestrel/hub" data-issue-term="pathname"' in block


def test_embed_is_never_loaded_in_preview(site):
    root = site(
        {
            "blogkit.yaml": GISCUS + "  reply_counts: true\n",
            P: post("title: Hello\n"),
            "posts/ada/2026-03-02-hn.md": post("title: HN\ndiscussion: https://news.ycombinator.com/item?id=1\n"),
        }
    )
    result = build(root)
    preview = build_site(str(root), BuildOptions(jobs=1, now=NOW, cache=False), preview=True)
    report, tree = preview.report, preview.outputs
    assert not report.diagnostics
    hello = tree.files[PAGE].content.decode()  # type: ignore[union-attr]
    hn = tree.files["2026/03/hn/index.html"].content.decode()  # type: ignore[union-attr]
    assert "giscus.app" not in hello and "embed.js" not in hello
    assert "The giscus comments load on the published site, not in preview." in hello
    assert "Discuss on GitHub Discussions" in hello, "the plain link stays"
    assert "replies.js" not in hn and "data-replies-api" not in hn
    assert "giscus.app" in page(result) and "replies.js" in page(result, "2026/03/hn/index.html")


# -- third-party resources --------------------------------------------------------------------------
BUSY_SITE = {
    "teams.yaml": "storage: {name: Storage}\n",
    "authors/ada.yaml": "name: Ada\nemail: ada@example.com\nteam: storage\n",
    P: post("title: Hello\ntags: [Go]\n"),
    "posts/ada/2026-03-02-two.md": post("title: Two\ndiscussion: https://github.com/o/r/discussions/1\n"),
    "pages/about.md": post("title: About\n"),
}


def test_no_page_loads_a_third_party_resource_without_an_embed(site):
    config = CONFIG + "repository: https://github.com/o/r\ndiscussion:\n  reply_counts: true\n"
    result = build(site({**BUSY_SITE, "blogkit.yaml": config}))
    pages = html_pages(result)
    assert len(pages) > 8
    for path, html in pages.items():
        assert third_party(html) == [], path
        assert "giscus" not in html and "utteranc" not in html and "embed.js" not in html, path


@pytest.mark.parametrize(
    "config", [GISCUS, CONFIG + "discussion:\n  default: utterances\n  utterances: {repo: o/r}\n"], ids=["giscus", "utterances"]
)
def test_an_embed_appears_only_on_post_pages_and_behind_a_local_loader(site, config):
    result = build(site({**BUSY_SITE, "blogkit.yaml": config}))
    assert not result.report.errors
    post_pages = {"2026/03/hello/index.html", "2026/03/two/index.html"}
    for path, html in html_pages(result).items():
        assert third_party(html) == [], path
        has_embed = "data-embed-src=" in html
        assert has_embed == (path == PAGE), path  # the other post has its own thread
        assert ("/assets/embed.js" in html) == has_embed, path
        if path in post_pages:
            assert parse(section(html)).links, "every post has a plain link"


# -- closing --------------------------------------------------------------------------------------
def test_comments_closed_keeps_the_threads_but_drops_embeds_and_new_thread_links(site):
    root = site(
        {
            "blogkit.yaml": GISCUS + "  reply_counts: true\n",
            P: post("title: Hello\ncomments: closed\ndiscussion: https://news.ycombinator.com/item?id=1\n"),
            "posts/ada/2026-03-02-quiet.md": post("title: Quiet\ncomments: closed\n"),
        }
    )
    result = build(root)
    hello = section(page(result))
    assert "Comments are closed." in hello
    assert parse(hello).links[0] == ("https://news.ycombinator.com/item?id=1", "Read the discussion on Hacker News")
    assert "replies.js" in hello, "counts still show on closed threads"
    quiet = section(page(result, "2026/03/quiet/index.html"))
    assert "Comments are closed." in quiet and "data-embed-src" not in quiet and "embed.js" not in quiet
    (href, text), *rest = parse(quiet).links
    assert text == "Read the discussion on GitHub Discussions" and "discussions_q=" in href
    assert [t for _, t in rest] == ["Suggest an edit", "Report a problem with this post"]


@pytest.mark.parametrize("default", ["email", "github-discussions"])
def test_closed_posts_get_no_new_thread_link(site, default):
    config = CONFIG + f"repository: https://github.com/o/r\ndiscussion:\n  default: {default}\n  feedback: false\n"
    files = {"blogkit.yaml": config, "authors/ada.yaml": "name: Ada\nemail: ada@example.com\n", P: post("title: Hello\ncomments: closed\n")}
    block = section(page(build(site(files))))
    assert "Comments are closed." in block and "<a " not in block


def test_close_after_days_uses_source_date_epoch(site, monkeypatch):
    files = {
        "blogkit.yaml": CONFIG + "discussion:\n  close_after_days: 30\n",
        "authors/ada.yaml": "name: Ada\nemail: ada@example.com\n",
        P: post("title: Hello\ndate: 2026-03-01T12:00:00Z\n"),
    }
    root = site(files)

    def closed_at(when: datetime) -> bool:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(when.timestamp())))
        block = section(page(build(root, now=None)))
        assert ("mailto:" in block) != ("Comments are closed." in block)
        return "Comments are closed." in block

    assert not closed_at(datetime(2026, 3, 31, 12, tzinfo=UTC)), "exactly 30 days old: still open"
    assert closed_at(datetime(2026, 3, 31, 12, 0, 1, tzinfo=UTC))
    assert closed_at(datetime(2027, 1, 1, tzinfo=UTC))


def test_close_after_days_with_a_fixed_now(site):
    root = site(
        {
            "blogkit.yaml": CONFIG + "discussion:\n  close_after_days: 7\n",
            P: post("title: Old\ndate: 2026-03-01\n"),
            "posts/ada/2026-03-09-new.md": post("title: New\n"),
        }
    )
    site_model = build(root).site
    assert site_model is not None
    discussions = Discussions(site_model, abs_url=lambda p: "https://hub.example/" + p, now=datetime(2026, 3, 10, tzinfo=UTC))
    old, new = (next(p for p in site_model.posts if p.slug == s) for s in ("hello", "new"))
    assert discussions.closed(old) and discussions.for_post(old).closed
    assert not discussions.closed(new) and not discussions.for_post(new).closed


# -- feedback links ---------------------------------------------------------------------------------
def test_feedback_links_on_github(site):
    config = CONFIG + "repository:\n  url: https://github.com/kestrel/hub.git\n  branch: trunk\n  content_path: example_site/\n"
    result = build(site({"blogkit.yaml": config, "authors/ada.yaml": "name: Ada\n", P: post('title: "Q&A: 100% #1"\n')}))
    block = section(page(result))
    assert '<h2 id="discussion-title">Feedback</h2>' in block
    (edit, edit_text), (report, report_text) = parse(block).links
    assert (edit, edit_text) == ("https://github.com/kestrel/hub/edit/trunk/example_site/posts/ada/2026-03-01-hello.md", "Suggest an edit")
    assert report_text == "Report a problem with this post"
    parts = urlsplit(report)
    assert parts.path == "/kestrel/hub/issues/new"
    assert parse_qs(parts.query) == {
        "title": ['Problem with the post "Q&A: 100% #1"'],
        "body": ["Post: https://hub.example/2026/03/hello/\n\n"],
    }


@pytest.mark.parametrize(
    "repository, edit_prefix",
    [
        ("https://gitlab.com/kestrel/eng/hub", "https://gitlab.com/kestrel/eng/hub/-/edit/main/"),
        ("{url: https://git.kestrel.example/eng/hub, kind: gitlab, branch: live}", "https://git.kestrel.example/eng/hub/-/edit/live/"),
    ],
    ids=["gitlab.com", "self-hosted"],
)
def test_feedback_links_on_gitlab(site, repository, edit_prefix):
    config = CONFIG + f"repository: {repository}\n"
    result = build(site({"blogkit.yaml": config, "posts/ada/2026-03-01-hello/index.md": post("title: Bundle post\n")}))
    assert not result.report.diagnostics
    links = dict((text, href) for href, text in parse(section(page(result))).links)
    assert links["Suggest an edit"] == edit_prefix + "posts/ada/2026-03-01-hello/index.md"
    report = urlsplit(links["Report a problem with this post"])
    assert report.path.endswith("/eng/hub/-/issues/new")
    assert "[" not in report.query, "brackets are escaped in the query"
    assert parse_qs(report.query) == {
        "issue[title]": ['Problem with the post "Bundle post"'],
        "issue[description]": ["Post: https://hub.example/2026/03/hello/\n\n"],
    }


def test_feedback_can_be_turned_off(site):
    config = CONFIG + "repository: https://github.com/o/r\ndiscussion:\n  feedback: false\n"
    assert section(page(build(site({"blogkit.yaml": config, P: post("title: Hello\n")})))) == ""


def test_feedback_follows_the_posts_file_name(site):
    config = CONFIG + "repository: https://github.com/o/r\n"
    result = build(site({"blogkit.yaml": config, "posts/ada/2026-03-01-hello wörld.md": post("title: Hello\nslug: hello\n")}))
    edit = dict((t, h) for h, t in parse(section(page(result))).links)["Suggest an edit"]
    assert edit == "https://github.com/o/r/edit/main/posts/ada/2026-03-01-hello%20w%C3%B6rld.md"
    assert unquote(edit).endswith("hello wörld.md")


# -- configuration errors ---------------------------------------------------------------------------
C = CONFIG  # lines 1-3
CONFIG_ERRORS = {
    "discussion-not-a-mapping": (
        "discussion: giscus\n",
        "blogkit.yaml:4:13: error: 'discussion' must be a mapping of `name: value` lines, got 'giscus'",
    ),
    "discussion-unknown-key": (
        "discussion:\n  defualt: email\n",
        "blogkit.yaml:5:3: error: unknown key 'defualt' in the discussion section",
    ),
    "discussion-bad-default": (
        "discussion:\n  default: disqus\n",
        "blogkit.yaml:5:12: error: 'default' must be one of none, email, github-discussions, giscus, utterances; got 'disqus'",
    ),
    "close-after-zero-days": (
        "discussion:\n  close_after_days: 0\n",
        "blogkit.yaml:5:21: error: 'close_after_days' must be a whole number of at least 1, got 0",
    ),
    "reply-counts-not-boolean": (
        "discussion:\n  reply_counts: sometimes\n",
        "blogkit.yaml:5:17: error: 'reply_counts' must be true or false, got 'sometimes'",
    ),
    "giscus-without-section": (
        "discussion:\n  default: giscus\n",
        "blogkit.yaml:5:12: error: discussion.default is giscus, but there is no giscus section",
    ),
    "giscus-missing-key": (
        "discussion:\n  default: giscus\n  giscus:\n    repo: o/r\n    category: C\n    category_id: X\n",
        "blogkit.yaml:6:3: error: the discussion.giscus section is missing the required key 'repo_id'",
    ),
    "giscus-unknown-key": (
        "discussion:\n  giscus:\n    repo: o/r\n    repo-id: R\n    repo_id: R\n    category: C\n    category_id: X\n",
        "blogkit.yaml:7:5: error: unknown key 'repo-id' in the discussion.giscus section",
    ),
    "giscus-bad-repo": (
        "discussion:\n  giscus: {repo: just-a-name, repo_id: R, category: C, category_id: X}\n",
        "blogkit.yaml:5:18: error: 'repo' must look like owner/name, got 'just-a-name'",
    ),
    "giscus-no-repo": (
        "discussion:\n  giscus: {repo_id: R, category: C, category_id: X}\n",
        "blogkit.yaml:5:3: error: the discussion.giscus section has no 'repo'",
    ),
    "giscus-bad-mapping": (
        "discussion:\n  giscus:\n    repo: o/r\n    repo_id: R\n    category: C\n    category_id: X\n    mapping: specific\n",
        "blogkit.yaml:10:14: error: 'mapping' must be one of pathname, url, title, og:title; got 'specific'",
    ),
    "utterances-without-repository": (
        "discussion:\n  default: utterances\n",
        "blogkit.yaml:5:12: error: discussion.default is utterances, but no GitHub repository is set for it",
    ),
    "utterances-gitlab-repository": (
        "repository: https://gitlab.com/o/r\ndiscussion:\n  default: utterances\n",
        "blogkit.yaml:6:12: error: discussion.default is utterances, but no GitHub repository is set for it",
    ),
    "utterances-bad-issue-term": (
        "discussion:\n  utterances: {repo: o/r, issue_term: specific}\n",
        "blogkit.yaml:5:39: error: 'issue_term' must be one of pathname, url, title, og:title; got 'specific'",
    ),
    "github-discussions-without-repository": (
        "discussion:\n  default: github-discussions\n",
        "blogkit.yaml:5:12: error: discussion.default is github-discussions, but no GitHub repository is set for it",
    ),
    "repository-not-a-url": (
        "repository: github.com/o/r\n",
        "blogkit.yaml:4:13: error: 'repository' must be an http(s) URL, got 'github.com/o/r'",
    ),
    "repository-unknown-forge": (
        "repository: https://git.example.com/o/r\n",
        "blogkit.yaml:4:13: error: cannot tell whether 'https://git.example.com/o/r' is a GitHub or a GitLab repository",
    ),
    "repository-not-a-repository": (
        "repository: https://github.com/o/r/tree/main\n",
        "blogkit.yaml:4:13: error: 'https://github.com/o/r/tree/main' is not the address of a repository",
    ),
    "repository-too-short": (
        "repository: https://gitlab.com/o\n",
        "blogkit.yaml:4:13: error: 'https://gitlab.com/o' is not the address of a repository",
    ),
    "repository-unknown-key": (
        "repository:\n  url: https://github.com/o/r\n  brnach: main\n",
        "blogkit.yaml:6:3: error: unknown key 'brnach' in the repository section",
    ),
    "repository-bad-kind": (
        "repository:\n  url: https://git.example.com/o/r\n  kind: bitbucket\n",
        "blogkit.yaml:6:9: error: 'kind' must be one of github, gitlab; got 'bitbucket'",
    ),
    "repository-without-url": (
        "repository: {branch: main}\n",
        "blogkit.yaml:4:1: error: the repository section is missing the required key 'url'",
    ),
    "repository-bad-url-in-mapping": (
        "repository:\n  url: https://example.com/o/r\n",
        "blogkit.yaml:5:8: error: cannot tell whether 'https://example.com/o/r' is a GitHub or a GitLab repository",
    ),
    "repository-content-path-escapes": (
        "repository: {url: https://github.com/o/r, content_path: ../site}\n",
        "blogkit.yaml:4:57: error: content_path '../site' must be a folder inside the repository",
    ),
}


@pytest.mark.parametrize("extra, expected", CONFIG_ERRORS.values(), ids=CONFIG_ERRORS.keys())
def test_config_error_is_located(site, extra, expected):
    root = site({"blogkit.yaml": C + extra})
    with pytest.raises(ConfigError) as caught:
        load_config(str(root))
    shown = [f"{d.location}: {d.severity.value}: {d.message}" for d in caught.value.diagnostics]
    assert shown == [expected]


def test_config_errors_exit_2(site, capsys):
    root = site({"blogkit.yaml": C + "discussion:\n  default: giscus\n"})
    code, _, err = run_cli(["build", str(root)], capsys)
    assert code == 2
    assert "blogkit.yaml:5:12: error: discussion.default is giscus, but there is no giscus section" in err


def test_a_valid_config_reads_every_key(site):
    root = site(
        {
            "blogkit.yaml": C
            + """\
repository:
  url: https://github.com/kestrel/hub/
  branch: trunk
  content_path: /example_site
discussion:
  default: giscus
  close_after_days: 90
  reply_counts: true
  feedback: false
  giscus:
    repo_id: R
    category: Comments
    category_id: C
    mapping: og:title
    strict: true
    reactions: false
    input_position: top
    theme: dark
    lang: de
  utterances: {issue_term: url, label: blog, theme: github-dark}
  github-discussions: {repo: kestrel/talk, category: ideas}
"""
        }
    )
    config = load_config(str(root))
    repo = config.repository
    assert repo is not None
    assert (repo.url, repo.kind, repo.branch, repo.content_path, repo.name) == (
        "https://github.com/kestrel/hub", "github", "trunk", "example_site/", "kestrel/hub",
    )  # fmt: skip
    d = config.discussion
    assert (d.default, d.default_given, d.close_after_days, d.reply_counts, d.feedback) == ("giscus", True, 90, True, False)
    assert d.giscus is not None and d.utterances is not None and d.github_discussions is not None
    g, u = d.giscus, d.utterances
    assert (g.repo, g.mapping, g.strict, g.reactions, g.input_position, g.theme, g.lang) == (
        "kestrel/hub",
        "og:title",
        True,
        False,
        "top",
        "dark",
        "de",
    )
    assert (u.repo, u.issue_term, u.label, u.theme) == ("kestrel/hub", "url", "blog", "github-dark")
    assert (d.github_discussions.repo, d.github_discussions.category) == ("kestrel/talk", "ideas")


def test_defaults_without_a_discussion_section(site):
    config = load_config(str(site({})))
    assert config.repository is None
    assert (config.discussion.default, config.discussion.default_given, config.discussion.close_after_days) == ("email", False, 0)
    assert not config.discussion.reply_counts and config.discussion.feedback
