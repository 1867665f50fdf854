"""The hub's front page (brand.layout: hub): the featured post, the latest posts, the people,
teams and topics of the side column; the single column of `layout: column`; roles and the end
of a post. Layout in a real browser: tests/test_browser.py."""

from __future__ import annotations

import re

from conftest import build, diagnostics, post, run_cli

TEAMS = "teams.yaml"


def _hub(site, extra_config: str = "", **more: str):
    files = {
        "blogkit.yaml": f"title: Test Hub\nbase_url: https://hub.example/\ntimezone: UTC\n{extra_config}",
        "authors/ada.yaml": "name: Ada Okafor\nrole: Staff engineer, storage\nteam: storage\n",
        "authors/bo.yaml": "name: Bo Lind\nteam: platform\n",
        "authors/cy.yaml": "name: Cy Demir\n",
        TEAMS: "storage: {name: Storage}\nplatform: {name: Platform}\n",
        "posts/ada/2026-03-01-newest.md": post("title: Newest post\ntags: [Rust]"),
        "posts/bo/2026-02-01-middle.md": post("title: Middle post\ntags: [Rust, Go]"),
        "posts/cy/2026-01-01-older.md": post("title: Older post\ntags: [Go]"),
        "posts/ada/2024-01-01-ancient.md": post("title: Ancient post\ntags: [Cobol]"),
        **more,
    }
    result = build(site(files))
    assert not result.report.errors, diagnostics(result)
    return result


def _page(result, path: str) -> str:
    return result.outputs.files[path].content.decode()


def _between(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


def test_the_newest_post_is_featured_and_not_listed_again(site):
    html = _page(_hub(site), "index.html")
    featured = _between(html, '<article class="featured', "</article>")
    assert "Newest post" in featured and ">Newest</p>" in featured
    latest = _between(html, 'class="hub__heading"', "<aside")
    assert "Newest post" not in latest
    assert latest.index("Middle post") < latest.index("Older post") < latest.index("Ancient post")


def test_a_post_marked_featured_is_shown_large_whatever_its_age(site):
    result = _hub(site, **{"posts/cy/2026-01-01-older.md": post("title: Older post\ntags: [Go]\nfeatured: true")})
    html = _page(result, "index.html")
    featured = _between(html, '<article class="featured', "</article>")
    assert "Older post" in featured and ">Featured</p>" in featured
    latest = _between(html, 'class="hub__heading"', "<aside")
    assert "Newest post" in latest and "Older post" not in latest


def test_the_side_column_shows_who_wrote_most_recently_their_teams_and_this_years_topics(site):
    html = _page(_hub(site), "index.html")
    side = _between(html, '<aside class="hub__side"', "</aside>")
    people = re.findall(r'class="person__name">([^<]+)<', side)
    assert people == ["Ada Okafor", "Bo Lind", "Cy Demir"]
    assert '<span class="person__role">Staff engineer, storage</span>' in side  # the role, else the team
    assert '<span class="person__role">Platform</span>' in side
    assert re.findall(r'href="/teams/(\w+)/"', side) == ["storage", "platform"]
    topics = re.findall(r'class="tag" href="/tags/([\w-]+)/">', side)
    assert topics == ["go", "rust"], "the tags of the year before the newest post, the most used first; Cobol (2024) is not"
    assert side.index('class="subscribe"') < side.index("people-title") < side.index("topics-title")


def test_every_listing_shows_the_authors_team_except_a_teams_and_an_authors_own(site):
    result = _hub(site)
    team_link = '<span class="post-meta__team"><a href="/teams/storage/">Storage</a></span>'
    assert team_link in _page(result, "index.html") and team_link in _page(result, "tags/rust/index.html")
    assert "post-meta__team" not in _page(result, "teams/storage/index.html")
    assert "post-meta__team" not in _page(result, "authors/ada/index.html")


def test_a_card_without_a_cover_gets_a_typographic_tile(site):
    html = _page(_hub(site), "index.html")
    tile = '<div class="card-tile" aria-hidden="true"><span class="card-tile__mark">M</span><span class="card-tile__tag">Rust</span></div>'
    assert tile in html


def test_layout_column_keeps_one_column_of_cards(site):
    result = _hub(site, "brand:\n  layout: column\n")
    html = _page(result, "index.html")
    assert 'class="hub' not in html and "featured" not in html and "wrap--wide" not in html
    assert html.index('class="subscribe"') < html.index("Newest post") < html.index("Middle post")


def test_a_layout_that_does_not_exist_is_an_error_at_its_line(site, capsys):
    root = site({"blogkit.yaml": "title: T\nbase_url: https://hub.example/\nbrand:\n  layout: grid\n"})
    code, _, err = run_cli(["build", str(root)], capsys)
    assert code == 2 and "blogkit.yaml:4:11: error: 'layout' must be one of hub, column; got 'grid'" in err


def test_a_site_that_overrides_the_post_card_keeps_it_on_the_front_page(site):
    card = '<article class="mine">{{ post.title }}</article>\n'
    html = _page(_hub(site, **{"templates/partials/post_card.html": card}), "index.html")
    assert '<article class="mine">Middle post</article>' in html and '<article class="mine">Older post</article>' in html


def test_a_role_is_shown_under_the_name_and_a_long_one_is_an_error(site):
    result = _hub(site)
    assert '<p class="profile__role">Staff engineer, storage</p>' in _page(result, "authors/ada/index.html")
    assert '<p class="author-card__role">Staff engineer, storage</p>' in _page(result, "2026/03/newest/index.html")
    root = site({"authors/ada.yaml": "name: Ada\nrole: " + "x" * 81 + "\n", "posts/ada/2026-03-01-a.md": post("title: A")})
    assert "authors/ada.yaml:2:7: error: the role is 81 characters; at most 80 fit under a name" in diagnostics(build(root))


def test_a_post_ends_with_its_authors_other_posts_then_related_then_the_discussion(site):
    mine = {f"posts/ada/2025-0{n}-01-mine-{n}.md": post(f"title: Mine {n}\ntags: [Zig]") for n in range(1, 8)}
    mine["posts/ada/2026-03-01-newest.md"] = post("title: Newest post\ntags: [Rust]\ndiscussion: https://github.com/kestrel/hub/issues/1")
    html = _page(_hub(site, **mine), "2026/03/newest/index.html")
    more = re.findall(r'<a href="[^"]+">([^<]+)</a>', _between(html, '<nav class="more-by"', "</nav>"))
    related = re.findall(r'<a href="[^"]+">([^<]+)</a>', _between(html, '<nav class="related"', "</nav>"))
    assert "More by Ada Okafor" in html and len(more) == 3 and related
    assert not set(more) & set(related) and "Newest post" not in more, "each other post offered once"
    assert all(title.startswith(("Mine", "Ancient")) for title in more), "the first author's own posts"
    assert html.index('class="share') < html.index('class="post-footer"') < html.index('class="related"') < html.index('class="discussion')


def test_the_header_links_the_pages_at_the_top_of_pages_not_those_in_its_folders(site):
    """An imported blog's three post templates in pages/post-templates/ filled its header with 'Your Title'."""
    result = _hub(
        site, **{"pages/about.md": "---\ntitle: About us\n---\nHi.\n", "pages/templates/long.md": "---\ntitle: Your Title\n---\nx\n"}
    )
    header = _between(_page(result, "index.html"), '<nav aria-label="', "</nav>")
    assert ">About us</a>" in header and "Your Title" not in header
    assert "templates/long/index.html" in result.outputs.files
