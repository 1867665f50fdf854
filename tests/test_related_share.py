"""Related posts at the end of a post (deterministic, by series, authors and tags), and sharing
links that load nothing from another website."""

from __future__ import annotations

import re
from pathlib import Path

from blogkit.render.related import RelatedPosts
from conftest import build, post, write_site

SITE = {
    "blogkit.yaml": "title: Hub\nbase_url: https://hub.example/\n",
    "authors/ada.yaml": "name: Ada Okafor\n",
    "authors/bo.yaml": "name: Bo\n",
    "posts/ada/2026-01-01-a.md": post("title: A\ntags: [storage, go]\nseries: Engine"),
    "posts/ada/2026-01-02-b.md": post("title: B\ntags: [storage]\nseries: Engine"),
    "posts/bo/2026-01-03-c.md": post("title: C\ntags: [storage, go]"),
    "posts/bo/2026-01-04-d.md": post("title: D\ntags: [cooking]"),
    "posts/ada/2026-01-05-e.md": post("title: E\ntags: [cooking]"),
    "posts/bo/2026-01-06-f.md": post("title: F\ntags: [go]"),
}


def related_titles(root: Path) -> dict[str, list[str]]:
    result = build(root)
    assert result.site is not None and not result.report.errors
    related = RelatedPosts(result.site)
    return {p.title: [r.title for r in related.of(p)] for p in result.site.posts}


def test_related_posts_rank_series_then_authors_then_tags(tmp_path: Path) -> None:
    titles = related_titles(write_site(tmp_path / "site", SITE, base=False))
    assert titles["A"] == ["B", "C", "E"], "its series first (with an author), then two shared tags, then an author"
    assert titles["D"] == ["C", "F", "E"], "two by its author, the nearer in time first; then a shared tag"
    assert "D" not in titles["A"], "nothing shared, never related"
    assert all(len(t) <= 3 for t in titles.values())


def test_related_posts_are_the_same_for_the_same_site(tmp_path: Path) -> None:
    first = related_titles(write_site(tmp_path / "one", SITE, base=False))
    again = related_titles(write_site(tmp_path / "two", dict(reversed(list(SITE.items()))), base=False))
    assert first == again


def test_a_post_page_lists_its_related_posts(tmp_path: Path) -> None:
    result = build(write_site(tmp_path / "site", SITE, base=False))
    html = result.outputs.files["2026/01/a/index.html"].content.decode()  # type: ignore[union-attr]
    section = html[html.index('<nav class="related"') :]
    section = section[: section.index("</nav>")]
    assert re.findall(r'<a href="([^"]+)">', section) == ["/2026/01/b/", "/2026/01/c/", "/2026/01/e/"]


def test_share_links_carry_the_post_and_load_nothing_from_elsewhere(tmp_path: Path) -> None:
    result = build(write_site(tmp_path / "site", SITE, base=False))
    html = result.outputs.files["2026/01/a/index.html"].content.decode()  # type: ignore[union-attr]
    link = "https%3A//hub.example/2026/01/a/"
    for share in (
        f"mailto:?subject=A&amp;body={link}",
        f"https://bsky.app/intent/compose?text=A%20{link}",
        f"https://www.linkedin.com/sharing/share-offsite/?url={link}",
        f"https://news.ycombinator.com/submitlink?u={link}&amp;t=A",
        f"https://mastodon.social/share?text=A%20{link}",
    ):
        assert f'href="{share}"' in html, share
    loaded = re.findall(r'<(?:script|img|iframe|link)\b[^>]*\s(?:src|href)="([^"]+)"', html)
    outside = [u for u in loaded if u.startswith(("http:", "https:", "//")) and not u.startswith("https://hub.example/")]
    assert not outside, f"resources from another host: {outside}"
    assert 'class="share__copy" hidden' in html, "copying needs the script; without it the button is not shown"


def test_kept_related_lists_are_used_only_for_the_same_posts(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", SITE, base=False)

    def listed(result) -> list[str]:  # type: ignore[no-untyped-def]
        html = result.outputs.files["2026/01/d/index.html"].content.decode()
        section = html[html.index('<nav class="related"') :]
        return re.findall(r'<a href="([^"]+)">', section[: section.index("</nav>")])

    first = build(root, cache=True)
    assert listed(first) == ["/2026/01/c/", "/2026/01/f/", "/2026/01/e/"]
    assert listed(build(root, cache=True)) == listed(first), "the kept lists give the same pages"
    (root / "posts/ada/2026-01-05-e.md").write_text(post("title: E\ntags: [travel]"))
    changed = build(root, cache=True)
    assert listed(changed) == listed(build(root)), "a new tag: ranked again, as a build without the cache ranks"
    assert listed(changed) == ["/2026/01/c/", "/2026/01/f/"], "E no longer shares D's tag"
