"""One case per diagnostic: the exact `path:line:col`, severity and message.

Lines are lines of the user's file: the front matter's first key is line 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import BASE_FILES, build, diagnostics, png_bytes, post, run_cli

P = "posts/ada/2026-03-01-hello.md"

CONTENT_CASES = {
    "missing-front-matter": (
        {P: "title: Hello\n\nNo fences.\n"},
        f"{P}:1:1: error: missing front matter",
    ),
    "unclosed-front-matter": (
        {P: "---\ntitle: Hello\n\nbody\n"},
        f"{P}:1:1: error: front matter is not closed",
    ),
    "bad-yaml": (
        {P: post("title: Hello\ntags: [a, b\n")},
        f"{P}:4:1: error: invalid YAML: did not find expected ',' or ']'",
    ),
    "unquoted-colon": (
        {P: post("title: Postgres: the good parts\n")},
        f"{P}:2:16: error: invalid YAML: mapping values are not allowed in this context",
    ),
    "yaml-tag": (
        {P: post("title: !!python/object/apply:os.system ['true']\n")},
        f"{P}:2:8: error: YAML tags are not allowed: unknown tag 'tag:yaml.org,2002:python/object/apply:os.system'",
    ),
    "duplicate-key-front-matter": (
        {P: post("title: Approved\ntags: [a]\ntitle: Shipped\n")},
        f"{P}:4:1: error: duplicate key 'title'",
    ),
    "duplicate-key-through-merge": (
        {P: post("extra:\n  base: &base {team: storage}\n  card:\n    <<: *base\n    team: platform\ntitle: T\n")},
        f"{P}:6:5: error: duplicate key 'team'",
    ),
    "duplicate-key-profile": (
        {"authors/bob.yaml": "name: Bob\nemail: bob@example.com\nname: Robert\n"},
        "authors/bob.yaml:3:1: error: duplicate key 'name'",
    ),
    "duplicate-key-teams": (
        {"teams.yaml": "storage: {name: Storage}\nstorage: {name: Storage 2}\n"},
        "teams.yaml:2:1: error: duplicate key 'storage'",
    ),
    "duplicate-key-tags": (
        {"tags.yaml": "Kubernetes:\n  aliases: [k8s]\n  aliases: [kube]\n"},
        "tags.yaml:3:3: error: duplicate key 'aliases'",
    ),
    "output-names-collision-with-a-feed-is-at-the-users-file": (
        {P: post("title: T\naliases: [/feed.xml]\n")},
        f"{P}:1:1: error: /feed.xml is also written by blogkit's own feeds",
    ),
    "output-names-case-collision": (
        {P: post("title: T\naliases: [/Old-Post/]\n"), "posts/ada/2026-03-02-b.md": post("title: B\naliases: [/old-post/]\n")},
        "posts/ada/2026-03-02-b.md:1:1: error: /old-post/index.html differs only by case or Unicode form from /Old-Post/index.html, "
        f"written by {P}",
    ),
    "output-names-unicode-form-collision": (
        {"static/caf\u00e9.txt": "composed", "static/cafe\u0301.txt": "decomposed"},
        "static/caf\u00e9.txt: error: /caf\u00e9.txt differs only by case or Unicode form from /cafe\u0301.txt, "
        "written by static/cafe\u0301.txt",
    ),
    "silent-loss-of-content-deep-nesting": (
        {P: post("title: T\n", "Intro\n\n" + ">" * 60 + " deep\n")},
        f"{P}:6: error: Markdown nested more than 50 levels deep: from here on, this block is not shown",
    ),
    "output-names-hidden-alias": (
        {P: post("title: T\naliases: [/.htaccess]\n")},
        f"{P}:3:11: error: alias '/.htaccess' is not a URL path this site can publish",
    ),
    "output-names-windows-reserved-alias": (
        {P: post("title: T\naliases: [/old/aux.html]\n")},
        f"{P}:3:11: error: alias '/old/aux.html' is not a URL path this site can publish",
    ),
    "output-names-encoded-slash-alias": (
        {P: post("title: T\naliases: [/old%2Fpost/]\n")},
        f"{P}:3:11: error: alias '/old%2Fpost/' is not a URL path this site can publish",
    ),
    "missing-title": (
        {P: post("tags: [a]\n")},
        f"{P}:2:1: error: front matter is missing the required key 'title'",
    ),
    "title-not-text": (
        {P: post("title: [a, b]\n")},
        f"{P}:2:8: error: 'title' must be a text, got a list",
    ),
    "impossible-date": (
        {P: post("title: Hello\ndate: 2026-02-30\n")},
        f"{P}:3:7: error: 'date' must be a date like 2026-03-01, got '2026-02-30'",
    ),
    "impossible-date-in-file-name": (
        {"posts/ada/2026-13-01-hello.md": post("title: Hello\n")},
        "posts/ada/2026-13-01-hello.md:1:1: error: the file name starts with an impossible date '2026-13-01'",
    ),
    "no-date": (
        {"posts/ada/hello.md": post("title: Hello\n")},
        "posts/ada/hello.md:2:1: error: the post has no date",
    ),
    "unknown-author": (
        {P: post("title: Hello\nauthors:\n  - ada\n  - bob\n")},
        f"{P}:5:5: error: unknown author 'bob'",
    ),
    "folder-owner-without-profile": (
        {"posts/bob/2026-03-01-x.md": post("title: Hello\n")},
        "posts/bob/2026-03-01-x.md:2:1: error: unknown author 'bob'",
    ),
    "both-author-keys": (
        {P: post("title: Hello\nauthor: ada\nauthors: [ada]\n")},
        f"{P}:3:9: error: use either 'author' or 'authors', not both",
    ),
    "invalid-slug": (
        {P: post("title: Hello\nslug: ../../etc\n")},
        f"{P}:3:7: error: slug '../../etc' is not valid: a slug is lowercase letters, digits and dashes",
    ),
    "duplicate-permalink": (
        {P: post("title: Hello\n"), "posts/ada/2026-03-09-hello.md": post("title: Hello again\n")},
        "posts/ada/2026-03-09-hello.md:1:1: error: /2026/03/hello/index.html is also written by posts/ada/2026-03-01-hello.md",
    ),
    "discussion-not-a-url": (
        {P: post("title: Hello\ndiscussion:\n  - https://github.com/o/r/discussions/1\n  - javascript:alert(1)\n")},
        f"{P}:5:5: error: 'discussion' must be an http(s) URL, got 'javascript:alert(1)'",
    ),
    "comments-choice": (
        {P: post("title: Hello\ncomments: maybe\n")},
        f"{P}:3:11: error: 'comments' must be one of open, closed; got 'maybe'",
    ),
    "alias-not-a-path": (
        {P: post("title: Hello\naliases: [old/post]\n")},
        f"{P}:3:11: error: alias 'old/post' is not a URL path this site can publish",
    ),
    "update-without-note": (
        {P: post("title: Hello\nupdates:\n  - date: 2026-03-02\n")},
        f"{P}:4:5: error: each update needs a 'date' and a 'note'",
    ),
    "update-bad-date": (
        {P: post("title: Hello\nupdates:\n  - {date: yesterday, note: Fixed}\n")},
        f"{P}:4:12: error: 'date' must be a date like 2026-03-01, got 'yesterday'",
    ),
    "draft-not-bool": (
        {P: post("title: Hello\ndraft: maybe\n")},
        f"{P}:3:8: error: 'draft' must be true or false, got 'maybe'",
    ),
    "cover-image-missing": (
        {P: post("title: Hello\nimage: cover.png\nimage_alt: A cover\n")},
        f"{P}:3:8: error: cover image 'cover.png' is neither a file of this post's bundle nor under static/",
    ),
    "link-target-missing": (
        {P: post("title: Hello\n", "Intro.\n\nSee [this](../ada/2026-01-01-nope.md).\n")},
        f"{P}:6:12: error: link target '../ada/2026-01-01-nope.md' not found",
    ),
    "link-target-missing-in-a-multi-line-paragraph": (
        {
            P: post(
                "title: Hello\n",
                "Intro.\n\nA paragraph that [starts](../ada/2026-03-02-other.md)\nand goes on to [a near miss](2026-03-02-othr.md) here.\n",
            ),
            "posts/ada/2026-03-02-other.md": post("title: Other\n"),
        },
        f"{P}:7:30: error: link target '2026-03-02-othr.md' not found",
    ),
    "link-fragment-missing": (
        {
            P: post("title: Hello\n", "First.\n\nSee [x](2026-03-02-other.md#nope).\n"),
            "posts/ada/2026-03-02-other.md": post("title: Other\n", "## Real heading\n"),
        },
        f"{P}:6:9: error: link '2026-03-02-other.md#nope': the page has no element with the id 'nope'",
    ),
    "link-to-draft": (
        {
            P: post("title: Hello\n", "See [x](2026-03-02-other.md).\n"),
            "posts/ada/2026-03-02-other.md": post("title: Other\ndraft: true\n"),
        },
        f"{P}:4:9: error: link '2026-03-02-other.md' points to a post that this build does not publish (a draft or a future post)",
    ),
    "link-outside-site": (
        {P: post("title: Hello\n", "See [x](../../../../etc/passwd).\n")},
        f"{P}:4:9: error: link '../../../../etc/passwd' points outside the site folder",
    ),
    "tag-slug-collision": (
        {P: post("title: Hello\ntags: [C++]\n"), "posts/ada/2026-03-02-b.md": post("title: B\ntags: [cpp]\n")},
        "posts/ada/2026-03-02-b.md:3:8: error: tags 'C++' and 'cpp' would share the URL /tags/cpp/",
    ),
    "post-outside-author-folder": (
        {"posts/2026-03-01-hello.md": post("title: Hello\n")},
        "posts/2026-03-01-hello.md: error: a post must be inside its author's folder",
    ),
    "bundle-without-index": (
        {"posts/ada/2026-03-01-hello/post.md": post("title: Hello\n")},
        "posts/ada/2026-03-01-hello: error: a post bundle folder must contain index.md",
    ),
    "not-utf8": (
        {P: b"---\ntitle: Caf\xe9\n---\n"},
        f"{P}:2:11: error: file is not valid UTF-8",
    ),
    "profile-missing-name": (
        {"authors/bob.yaml": "bio: Hi\n"},
        "authors/bob.yaml:1:1: error: the profile is missing the required key 'name'",
    ),
    "profile-unknown-team": (
        {"teams.yaml": "storage: {name: Storage}\n", "authors/bob.yaml": "name: Bob\nteam: storge\n"},
        "authors/bob.yaml:2:7: error: unknown team 'storge'",
    ),
    "profile-avatar-missing": (
        {"authors/bob.yaml": "name: Bob\navatar: bob.png\n"},
        "authors/bob.yaml:2:9: error: avatar 'bob.png' is not a file under static/",
    ),
    "profile-link-url": (
        {"authors/bob.yaml": "name: Bob\nlinks:\n  - {label: GitHub, url: github.com/bob}\n"},
        "authors/bob.yaml:3:26: error: 'url' must be an http(s) URL, got 'github.com/bob'",
    ),
    "tags-yaml-alias-twice": (
        {"tags.yaml": "Kubernetes:\n  aliases: [k8s]\nKafka:\n  aliases: [k8s]\n"},
        "tags.yaml:4:13: error: alias 'k8s' is already used by tag 'Kubernetes'",
    ),
    "teams-yaml-not-mapping": (
        {"teams.yaml": "storage: Storage team\n"},
        "teams.yaml:1:1: error: team 'storage' must be a mapping with name, description and url",
    ),
    "template-syntax-error": (
        {
            "templates/post.html": "{% extends 'base.html' %}\n{% block content %}\n{{ post.title }\n{% endblock %}\n",
            P: post("title: Hello\n"),
        },
        "templates/post.html:3:1: error: template syntax error: unexpected '}'",
    ),
    "template-runtime-error": (
        {
            "templates/post.html": "{% extends 'base.html' %}\n{% block content %}\n{{ post.nope }}\n{% endblock %}\n",
            P: post("title: Hello\n"),
        },
        "templates/post.html:3:1: error: error in template: UndefinedError: 'blogkit.core.model.Post object' has no attribute 'nope'",
    ),
}

WARNING_CASES = {
    "unknown-key": (
        {P: post("title: Hello\ntgas: [a]\n")},
        f"{P}:3:1: warning: unknown key 'tgas' in front matter",
        "did you mean 'tags'?",
    ),
    "empty-tag": (
        {P: post("title: Hello\ntags: [a, '', b]\n")},
        f"{P}:3:11: warning: empty tag dropped",
        "",
    ),
    "image-without-alt": (
        {"posts/ada/2026-03-01-hello/index.md": post("title: Hello\nimage: c.png\n"), "posts/ada/2026-03-01-hello/c.png": png_bytes()},
        "posts/ada/2026-03-01-hello/index.md:3:8: warning: the cover image has no image_alt",
        "describe the image",
    ),
    "profile-unknown-key": (
        {"authors/bob.yaml": "name: Bob\nwebsite: https://bob.example\n"},
        "authors/bob.yaml:2:1: warning: unknown key 'website' in the profile",
        "",
    ),
    "stray-file": (
        {"posts/ada/notes.txt": "x"},
        "posts/ada/notes.txt: warning: ignored: only .md files and bundle folders belong in an author's folder",
        "bundle",
    ),
    "markdown-extension-post": (
        {"posts/ada/2026-03-02-raft.markdown": post("title: Raft\n")},
        "posts/ada/2026-03-02-raft.markdown: warning: ignored: blogkit reads Markdown from files ending in .md, not .markdown",
        "rename it to posts/ada/2026-03-02-raft.md",
    ),
    "upper-case-md-page": (
        {"pages/team.MD": post("title: Team\n")},
        "pages/team.MD: warning: ignored: blogkit reads Markdown from files ending in .md, not .MD",
        "rename it to pages/team.md",
    ),
    "misspelled-posts-folder": (
        {"post/ada/2026-03-02-raft.md": post("title: Raft\n")},
        "post: warning: the folder 'post' is not read by blogkit: did you mean 'posts/'?",
        "rename it to posts/",
    ),
    "misspelled-folder-with-a-space": (
        {"posts /ada/2026-03-02-raft.md": post("title: Raft\n")},
        "posts : warning: the folder 'posts ' is not read by blogkit: did you mean 'posts/'?",
        "rename it to posts/",
    ),
    "misspelled-tags-file": (
        {"tags.yml": "Kubernetes: {aliases: [k8s]}\n"},
        "tags.yml: warning: the file 'tags.yml' is not read by blogkit: did you mean 'tags.yaml'?",
        "rename it to tags.yaml",
    ),
    "unknown-lint-rule-in-post": (
        {P: post("title: Hello\nlint: {image_alt: off}\n")},
        f"{P}:3:8: warning: unknown key 'image_alt' in the lint section",
        "did you mean 'image-alt'?",
    ),
}

CONFIG_CASES = {
    "config-unknown-key": (
        "title: T\nbase_url: https://x.example/\ntheem: dark\n",
        "blogkit.yaml:3:1: error: unknown key 'theem' in blogkit.yaml",
    ),
    "config-missing-title": ("base_url: https://x.example/\n", "blogkit.yaml:1:1: error: blogkit.yaml is missing the required key 'title'"),
    "config-bad-base-url": (
        "title: T\nbase_url: x.example\n",
        "blogkit.yaml:2:11: error: 'base_url' must be an http(s) URL, got 'x.example'",
    ),
    "config-base-url-with-query": (
        "title: T\nbase_url: https://x.example/blog/?ref=hub\n",
        "blogkit.yaml:2:11: error: 'base_url' must not contain a query (?...): every URL of the site is made from it",
    ),
    "config-base-url-with-fragment": (
        "title: T\nbase_url: 'https://x.example/#top'\n",
        "blogkit.yaml:2:11: error: 'base_url' must not contain a fragment (#...): every URL of the site is made from it",
    ),
    "config-base-url-with-credentials": (
        "title: T\nbase_url: https://deploy:s3cret@x.example/\n",
        "blogkit.yaml:2:11: error: 'base_url' must not contain user credentials (user@ or user:password@): "
        "every URL of the site is made from it",
    ),
    "config-duplicate-key": (
        "title: T\nbase_url: https://x.example/\ntitle: U\n",
        "blogkit.yaml:3:1: error: duplicate key 'title'",
    ),
    "config-bad-timezone": (
        "title: T\nbase_url: https://x.example/\ntimezone: Mars/Olympus\n",
        "blogkit.yaml:3:11: error: unknown time zone 'Mars/Olympus'",
    ),
    "config-bad-permalink": (
        "title: T\nbase_url: https://x.example/\npermalink: /{year}/{title}/\n",
        "blogkit.yaml:3:12: error: permalink '/{year}/{title}/' is not a valid pattern",
    ),
    "config-bad-raw-html": (
        "title: T\nbase_url: https://x.example/\nmarkdown:\n  raw_html: yes\n",
        "blogkit.yaml:4:13: error: 'raw_html' must be one of sanitize, allow, escape; got True",
    ),
    "config-bad-yaml": (
        "title: T\n  base_url: https://x.example/\n",
        "blogkit.yaml:2:11: error: invalid YAML: mapping values are not allowed in this context",
    ),
    "config-unknown-lint-rule": (
        "title: T\nbase_url: https://x.example/\nlint:\n  heading-levels: off\n",
        "blogkit.yaml:4:3: error: unknown key 'heading-levels' in the lint section",
    ),
    "config-bad-lint-level": (
        "title: T\nbase_url: https://x.example/\nlint:\n  link-text: error\n",
        "blogkit.yaml:4:14: error: lint rule 'link-text' must be one of warning, note, off; got 'error'",
    ),
}


@pytest.mark.parametrize("files, expected", CONTENT_CASES.values(), ids=CONTENT_CASES.keys())
def test_content_error(site, files, expected):
    result = build(site(files))
    assert expected in diagnostics(result)
    assert result.report.errors


def test_silently_ignored_content_near_misses_of_site_folders_are_warned_others_left_alone(site, capsys):
    """A post in post/jane/... was skipped, even by `check --strict`."""
    files: dict[str, str | bytes] = {
        name: "x\n" for name in ("docs/index.md", ".github/workflows/blog.yml", "node_modules/x/index.js", "README.md", "mytheme/x.txt")
    }
    for folder in ("post", "author", "page", "statics", "template", "Authors"):
        files[f"{folder}/x.md"] = "x\n"
    root = site({**files, "blogkit.yaml": BASE_FILES["blogkit.yaml"] + "theme: template\n", "template/templates/base.html": "x"})
    problems = [d for d in diagnostics(build(root)) if "not read by blogkit" in d]
    assert problems == [
        "Authors: warning: the folder 'Authors' is not read by blogkit: did you mean 'authors/'?",
        "author: warning: the folder 'author' is not read by blogkit: did you mean 'authors/'?",
        "page: warning: the folder 'page' is not read by blogkit: did you mean 'pages/'?",
        "post: warning: the folder 'post' is not read by blogkit: did you mean 'posts/'?",
        "statics: warning: the folder 'statics' is not read by blogkit: did you mean 'static/'?",
    ], "a theme folder the config names is read; docs/, .github/, node_modules/ are not near misses"
    code, _, err = run_cli(["check", str(root), "--strict"], capsys)
    assert code == 1 and "post: warning: the folder 'post'" in err


def test_a_bundle_with_index_markdown_is_told_to_rename_it(site):
    result = build(site({"posts/ada/2026-03-02-raft/index.markdown": post("title: Raft\n")}))
    [problem] = result.report.errors
    assert str(problem.location) == "posts/ada/2026-03-02-raft" and problem.message == "a post bundle folder must contain index.md"
    assert problem.hint == "rename posts/ada/2026-03-02-raft/index.markdown to index.md"


@pytest.mark.parametrize(
    "profile, error",
    [
        ("name: John\n\tbio: x\n", "authors/john-smith.yaml:2:1: error: invalid YAML: found a tab character that violates indentation"),
        (b"name: Jos\xe9\n", "authors/john-smith.yaml:1:10: error: file is not valid UTF-8"),
    ],
    ids=["tab", "latin-1"],
)
def test_one_mistake_many_errors_a_broken_profile_is_reported_once_not_as_unknown_author_in_every_post(site, profile, error):
    """A profile with a tab or Latin-1 text got its error, then every post of its author `unknown author 'john-smith'`."""
    root = site(
        {
            "authors/john-smith.yaml": profile,
            "posts/john-smith/2026-03-01-one.md": post("title: One\n"),
            "posts/john-smith/2026-03-02-two.md": post("title: Two\n"),
            "posts/ada/2026-03-03-co.md": post("title: Co\nauthors: [ada, john-smith]\n"),
        }
    )
    at = error.split(": error")[0]
    assert diagnostics(build(root)) == [error, f"{at}: note: 2 posts in posts/john-smith/ are left out until the error above is fixed"]


def test_a_broken_teams_yaml_is_reported_once_not_as_unknown_team_in_every_profile(site):
    root = site(
        {"teams.yaml": "storage: [\n", "authors/ada.yaml": "name: Ada\nteam: storage\n", "authors/bo.yaml": "name: Bo\nteam: storage\n"}
    )
    assert diagnostics(build(root)) == ["teams.yaml:2:1: error: invalid YAML: did not find expected node content"]


def test_a_tab_in_the_quoted_source_line_is_shown_and_the_caret_stays_under_its_column(site, capsys):
    root = site({P: post("title: Hello\ndate:\tMay 2nd\n"), "authors/bo.yaml": "name: Bo\n\tbio: x\n"})
    err = run_cli(["check", str(root)], capsys)[2]
    lines = [line.split("site/", 1)[-1] for line in err.splitlines()]
    at = lines.index("authors/bo.yaml:2:1: error: invalid YAML: found a tab character that violates indentation")
    assert lines[at + 1 : at + 3] == ["  | →bio: x", "  | ^"]
    at = lines.index(f"{P}:3:7: error: 'date' must be a date like 2026-03-01, got 'May 2nd'")
    assert lines[at + 1 : at + 3] == ["  | date:→May 2nd", "  |       ^"]


def test_an_empty_title_is_reported_as_empty_not_missing(site):
    result = build(site({P: post("title:\n"), "posts/ada/2026-03-02-b.md": post('title: "  "\n')}))
    assert diagnostics(result) == [
        f"{P}:2:7: error: 'title' is empty",
        "posts/ada/2026-03-02-b.md:2:8: error: 'title' is empty",
    ]
    assert result.report.errors[0].hint == "write the title after `title:`"


def test_a_post_key_in_a_page_says_what_pages_take_not_did_you_mean_draft(site):
    result = build(site({"pages/about.md": post("title: About\ndate: 2026-03-01\n")}))
    [problem] = result.report.diagnostics
    assert f"{problem.location}: {problem.message}" == "pages/about.md:3:1: 'date' is a key of posts; pages have no date"
    assert problem.hint.startswith("pages take title, summary, slug, draft, extra, search, lint;")


def test_a_near_miss_link_target_gets_a_did_you_mean(site):
    body = "See [it](2026-03-02-othr.md).\n"
    result = build(site({P: post("title: Hello\n", body), "posts/ada/2026-03-02-other.md": post("title: Other\n")}))
    [problem] = [d for d in result.report.diagnostics if "not found" in d.message]
    assert problem.hint == "did you mean '2026-03-02-other.md'?"


@pytest.mark.parametrize("files, expected, hint", WARNING_CASES.values(), ids=WARNING_CASES.keys())
def test_warning(site, files, expected, hint):
    result = build(site(files))
    found = [d for d in result.report.sorted() if f"{d.location}: {d.severity.value}: {d.message}" == expected]
    assert found, diagnostics(result)
    assert hint in found[0].hint
    assert not result.report.errors


@pytest.mark.parametrize("config, expected", CONFIG_CASES.values(), ids=CONFIG_CASES.keys())
def test_config_error_exits_2(site, capsys, config, expected):
    root = site({"blogkit.yaml": config})
    code, _, err = run_cli(["build", str(root)], capsys)
    assert code == 2
    assert expected in err
    assert not (root / "public").exists()


def test_every_error_of_a_broken_site_is_listed_and_nothing_is_written(site, capsys):
    root = site(
        {
            "posts/ada/2026-01-01-bad-yaml.md": post("title: A\ntags: [x\n"),
            "posts/ada/2026-02-30-impossible.md": post("title: B\n"),
            "posts/ada/2026-01-02-stranger.md": post("title: C\nauthor: nobody\n"),
            "posts/ada/2026-01-03-same.md": post("title: D\nslug: same\n"),
            "posts/ada/2026-01-04-same.md": post("title: E\n"),
            "posts/ada/2026-01-05-untitled.md": post("tags: [x]\n"),
        }
    )
    code, _, err = run_cli(["build", str(root)], capsys)
    assert code == 1
    for expected in (
        "posts/ada/2026-01-01-bad-yaml.md:4:1: error: invalid YAML",
        "posts/ada/2026-02-30-impossible.md:1:1: error: the file name starts with an impossible date",
        "posts/ada/2026-01-02-stranger.md:3:9: error: unknown author 'nobody'",
        "posts/ada/2026-01-04-same.md:1:1: error: /2026/01/same/index.html is also written by posts/ada/2026-01-03-same.md",
        "posts/ada/2026-01-05-untitled.md:2:1: error: front matter is missing the required key 'title'",
    ):
        assert expected in err
    assert "6 errors" not in err and err.splitlines()[-1] == "blogkit: nothing was published: 5 errors"
    assert "Traceback" not in err
    assert not (root / "public").exists()


def test_diagnostic_shows_source_line_caret_and_hint(site, capsys, monkeypatch):
    root = site({P: post("title: Hello\ndate: May 2nd\n")})
    monkeypatch.chdir(root)
    code, _, err = run_cli(["check"], capsys)
    assert code == 1
    assert err.splitlines()[:4] == [
        f"{P}:3:7: error: 'date' must be a date like 2026-03-01, got 'May 2nd'",
        "  | date: May 2nd",
        "  |       ^",
        "  hint: write dates like 2026-03-01 or 2026-03-01T09:30:00+01:00",
    ]
    monkeypatch.chdir(root.parent)
    code, _, err = run_cli(["check", "site"], capsys)
    assert err.startswith(f"site/{P}:3:7: error:"), "paths are shown from where blogkit runs"


def test_strict_turns_warnings_into_failure(site, capsys):
    root = site({P: post("title: Hello\ntgas: [a]\n")})
    assert run_cli(["build", str(root), "-q"], capsys)[0] == 0
    code, _, err = run_cli(["build", str(root), "--strict", "-o", str(Path(root) / "out2")], capsys)
    assert code == 1
    assert err.splitlines()[-1] == "blogkit: nothing was published: 1 warning, errors under --strict"
    assert not (Path(root) / "out2").exists()


def test_yaml_hint_names_the_line_of_the_file_where_the_problem_began(site):
    result = build(site({P: post('title: "Hello\ntags: [a]\n')}))
    problem = result.report.errors[0]
    assert problem.location.path == P
    assert "on line 2" in problem.hint, problem.hint


def test_a_broken_post_is_reported_once_not_again_by_every_link_to_it(site):
    result = build(
        site(
            {
                P: post("title: [broken\n"),
                "posts/ada/2026-03-02-other.md": post("title: Other\n", "See [hello](2026-03-01-hello.md).\n"),
            }
        )
    )
    assert [d.location.path for d in result.report.errors] == [P]


def test_control_characters_are_removed_with_a_warning_at_their_place(site):
    result = build(site({P: post("title: Hello\n", "Tab\tstays, form feed\x0c goes.\n")}))
    assert diagnostics(result) == [f"{P}:4:21: warning: invisible control character U+000C removed"]
    page = result.outputs.files["2026/03/hello/index.html"].content
    assert isinstance(page, bytes) and b"form feed goes." in page and b"\x0c" not in page


def test_control_characters_from_yaml_escapes_never_reach_the_page(site):
    result = build(site({P: post('title: "Bell\\a here"\n')}))
    page = result.outputs.files["2026/03/hello/index.html"].content
    assert isinstance(page, bytes) and b"<h1>Bell here</h1>" in page


CALENDAR_EDGES = ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "0001-01-01", "9999-12-31", "0001-01-01T00:00:00Z"]


@pytest.mark.parametrize("when", CALENDAR_EDGES)
@pytest.mark.parametrize("key", ["date", "updated", "updates"])
def test_calendar_edges_are_located_errors_not_tracebacks(site, key, when):
    value = f"[{{date: '{when}', note: Fixed}}]" if key == "updates" else f"'{when}'"
    front = f"title: Edge\n{key}: {value}\n" if key != "date" else f"title: Edge\ndate: {value}\n"
    result = build(site({"posts/ada/edge.md" if key == "date" else P: post(front)}))
    problems = [d for d in diagnostics(result) if "out of range" in d]
    assert problems and all(d.split(":")[0].startswith("posts/ada/") and ":3:" in d for d in problems), diagnostics(result)


def test_a_file_name_date_at_the_calendar_edge_is_a_located_error(site):
    result = build(site({"posts/ada/9999-12-31-end.md": post("title: End\n")}))
    assert "posts/ada/9999-12-31-end.md:1:1: error: the file name's date '9999-12-31' is out of range" in diagnostics(result)


def test_quadratic_diagnostics_a_file_with_thousands_of_keys_and_aliases_is_composed_once(site, capsys, monkeypatch):
    """Quadratic diagnostics: every problem of a 3,000-key, 3,000-alias post with 300 tags is located from
    one composition of its front matter, however many problems it has."""
    import yaml

    from blogkit.core import yamlio

    composed: list[int] = []
    real = yaml.compose

    def counting(text, *args, **kwargs):
        composed.append(len(text))
        return real(text, *args, **kwargs)

    monkeypatch.setattr(yamlio.yaml, "compose", counting)
    yamlio._composed.cache_clear()
    keys = "".join(f"unknown{i}: {i}\n" for i in range(3000))
    tags = "[" + ", ".join(f"tag{i}" for i in range(300)) + "]"
    aliases = "[" + ", ".join(f"/old/{i}/" for i in range(3000)) + "]"
    config = BASE_FILES["blogkit.yaml"] + "limits: {list_items: 5000, front_matter_bytes: 1000000}\n"
    root = site({"blogkit.yaml": config, P: post(f"title: Big\ntags: {tags}\naliases: {aliases}\n{keys}")})
    code, out, _ = run_cli(["check", str(root), "--format", "json", "-j", "1", "--no-cache"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 3000 and all('"line": ' in line for line in lines)
    big = [n for n in composed if n > 10_000]
    assert len(big) == 1, f"the big front matter was composed {len(big)} times"


def test_the_quoted_line_is_the_line_the_position_counts(site, capsys):
    """A line ends at a line feed (or a carriage return), as the parsers count: a form feed or a
    U+2028 in the text before a problem does not shift the line quoted under it."""
    body = "First line with a form\x0cfeed and a separator\u2028in it.\r\n\r\n![alt](missing.png)\n"
    root = site({P: post("title: Hello\n", body)})
    code, _, err = run_cli(["build", str(root), "-q"], capsys)
    assert code == 1
    assert f"{P}:6:8: error: image 'missing.png' not found\n  | ![alt](missing.png)\n  |        ^\n" in err
    assert f"{P}:4:23: warning: invisible control character U+000C removed\n  | First line with a form\\x0cfeed and a separator" in err


@pytest.mark.parametrize(
    ("text", "line", "quoted"),
    [("a\nb", 2, "b"), ("a\nb\n", 2, "b"), ("a\nb\n", 3, None), ("", 1, None), ("a\n\nb\n", 2, ""), ("a\tb\n", 1, "a→b"), ("a\n", 0, None)],
)
def test_a_line_past_the_end_is_none_and_an_empty_line_is_empty(tmp_path, text, line, quoted):
    from blogkit.load.source_lines import LineReader

    (tmp_path / "f.md").write_bytes(text.encode())
    assert LineReader(str(tmp_path))("f.md", line) == quoted
