"""Property tests: whatever an engineer writes in front matter or Markdown, blogkit answers with a
site or with located problems, never a traceback; it writes nothing outside the output; its pages
carry no script the post was not allowed; its feeds are well-formed."""

from __future__ import annotations

import copy
import json
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import yaml
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from blogkit.core.diagnostics import ConfigError
from blogkit.core.outputs import CopyFile
from conftest import build, png_bytes, write_site

KEYS = ["title", "date", "tags", "authors", "summary", "updated", "updates", "draft", "slug", "discussion", "comments",
        "aliases", "canonical", "image", "image_alt", "series", "id", "extra", "tgas", "Title"]  # fmt: skip
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
SCALARS = st.one_of(TEXT, st.integers(-(10**12), 10**12), st.booleans(), st.none(), st.floats(allow_nan=False),
                    st.sampled_from(["2026-03-01", "0001-01-01T00:00:00+05:00", "9999-12-31", "/old/", "../x.md", "https://x.example/",
                                     "javascript:alert(1)", "<script>alert(1)</script>", "open", "closed", "ada"]))  # fmt: skip
VALUES = st.recursive(
    SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)), max_leaves=12
)
MARKDOWN = st.lists(
    st.sampled_from(["# ", "## ", "> ", "- ", "1. ", "```", "```python\n", "`", "*", "_", "[", "](", ")", "![", "<", ">", "&", "|", "---",
                     "\n", "\n\n", "    ", "[^1]", "[^1]: ", "<script>alert(1)</script>", '<a href="javascript:alert(1)">x</a>',
                     "<img src=x onerror=alert(1)>", "../", "2026-03-02-other.md", "#x", "blogkit-link:0", "é", "\u202e", "text ",
                     "<!-- more -->", "\\", "http://x.example/"]),
    max_size=40,
).map("".join)  # fmt: skip
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


def check_site(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write_site(Path(folder) / "site", files)
        try:
            result = build(root)
        except ConfigError:
            return  # a located configuration problem: fine
        if result.report.errors:
            return
        for path, output in result.outputs.files.items():
            assert not path.startswith("/") and ".." not in path.split("/") and "\\" not in path, path
            if isinstance(output.content, CopyFile):
                continue
            data = output.content
            if path.endswith((".xml",)) and "sitemap" not in path:
                ElementTree.fromstring(data)
            elif path.endswith(".json"):
                json.loads(data)
            elif path.endswith(".html"):
                elements = _Elements()
                elements.feed(data.decode("utf-8"))
                for tag, attrs in elements.found:
                    assert not any(name.startswith("on") for name in attrs), (path, tag, attrs)
                    for name in ("href", "src"):
                        assert not (attrs.get(name) or "").strip().lower().startswith("javascript:"), (path, tag, attrs)
                    if tag == "script":
                        assert (attrs.get("src") or "").startswith("/assets/") or attrs.get("type") == "application/ld+json", (path, attrs)


class _Elements(HTMLParser):
    """Every element of a page with its attributes, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


@PROPERTY
@given(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=8))
def test_any_front_matter_gives_a_site_or_located_problems(front_matter: dict[str, object]) -> None:
    text = yaml.safe_dump(front_matter, allow_unicode=True, sort_keys=False)
    check_site({"posts/ada/2026-03-01-hello.md": f"---\n{text}---\nSome text.\n"})


@PROPERTY
@given(st.text(max_size=200))
def test_any_text_as_front_matter_gives_a_site_or_located_problems(text: str) -> None:
    check_site({"posts/ada/2026-03-01-hello.md": f"---\n{text}\n---\nSome text.\n"})


@PROPERTY
@given(MARKDOWN, MARKDOWN)
def test_any_markdown_gives_a_site_or_located_problems(body: str, other: str) -> None:
    check_site(
        {
            "posts/ada/2026-03-01-hello.md": f"---\ntitle: Hello\n---\n{body}\n",
            "posts/ada/2026-03-02-other.md": f"---\ntitle: Other\n---\n{other}\n",
        }
    )


# -- serve's session: whatever is edited, a patched or rebuilt site is the full build's ---------------
# Every field a site reads gets edited: each front matter key of a post and its body, each key of a
# profile, of a tag in tags.yaml and of a team in teams.yaml, and templates that override the theme's.
# An edit sets a few keys of one file (None removes one) on top of what the file held.
EDITED = ["posts/ada/2026-03-01-one.md", "posts/ada/2026-03-02-two.md", "posts/bo/2026-03-03-three.md"]
PROFILES = ["authors/ada.yaml", "authors/bo.yaml"]
UNKNOWN_KEY = "tgas"  # a key blogkit does not read: a warning with a did-you-mean
BODIES = [
    "First paragraph.\n\n## Part\n\nMore.\n", "First paragraph.\n\n## Part\n\nMore, and more words here.\n",
    "Another first paragraph.\n\n## Part\n\nMore.\n", "First paragraph.\n\n## Renamed part\n\nText.\n",
    "First paragraph.\n\n## Part\n\nText [two](/2026/03/two/#part).\n", "First paragraph.\n\n## Part\n\n[broken](nowhere.md)\n",
    "First paragraph.\n\n## Part\n\n" + "Words " * 400 + "\n",
    "First paragraph, read more [here](https://x.example/).\n\n## Part\n\nMore.\n",
    "First paragraph.\n\n![A cover](/img/cover.png)\n\n## Part\n\nMore.\n", "Teaser.\n\n<!-- more -->\n\n## Part\n\nMore.\n",
    "First paragraph.\n\n```mermaid\ngraph TD; A-->B\n```\n\n## Part\n\nMore.\n",
]  # fmt: skip
POST_VALUES: dict[str, list[object]] = {  # id, slug and aliases are made the post's own when written (_numbered)
    "title": ["Post", "One", "A <b>bold</b> title", "Ünïcode"],
    "date": ["2026-03-01", "2026-03-04", "2027-01-01", None],
    "authors": [["ada"], ["bo"], ["ada", "bo"], None],
    "author": ["ada", "bo", None],
    "tags": [["go"], ["go", "rust"], ["Go"], ["golang"], ["k8s"], [], None],
    "summary": ["Short.", "Another summary.", None],
    "updated": ["2026-03-05", "2026-04-01", None],
    "updates": [[{"date": "2026-03-06", "note": "Fixed a typo"}], [{"date": "2026-03-07", "note": "New numbers"}], None],
    "draft": [True, False, None],
    "slug": ["renamed", None],
    "discussion": ["https://news.ycombinator.com/item?id=1", ["https://mastodon.example/@ada/1"], None],
    "comments": ["open", "closed", None],
    "aliases": [["/old/"], ["/old/", "/older/"], None],
    "canonical": ["https://elsewhere.example/post/", "https://other.example/x", None],
    "image": ["https://img.example/a.png", "img/cover.png", None],
    "image_alt": ["A cover", "Another cover", None],
    "series": ["Intro", "Deep dive", None],
    "id": ["urn:x:1", "urn:x:2", None],
    "extra": [{"mood": "calm"}, {"mood": "tense", "level": 2}, {}, None],
    "search": [True, False, None],
    "featured": [True, False, None],
    "lint": [{"link-text": "off"}, {"link-text": "note"}, {"image-alt": "off"}, None],
    UNKNOWN_KEY: [["go"], None],
    "body": BODIES,
}
# the keys that set only a post's own values (and its problems): an edit of these alone, with a
# body whose headings stay, is patched in
OWN_KEYS = {"title", "summary", "canonical", "image", "image_alt", "id", "extra", "lint", UNKNOWN_KEY, "body"}
PROFILE_VALUES: dict[str, list[object]] = {
    "name": ["Bo", "Bo Lindqvist", "Bö <i>Ünïcode</i>"],
    "role": ["Storage engineer", None],
    "bio": ["Writes about disks.", "Écrit <b>beaucoup</b>.", None],
    "avatar": ["https://img.example/bo.png", "avatars/bo.png", None],
    "email": ["bo@example.com", None],
    "team": ["storage", "platform", None],
    "links": [[{"label": "GitHub", "url": "https://github.com/bo"}], [{"label": "Site", "url": "https://bo.example/"}], None],
    "feed": ["https://bo.example/feed.xml", None],
    "feed_tags": [["go"], None],
    "feed_content": ["summary", "full", None],
}
TEAM_VALUES: dict[str, list[object]] = {
    "name": ["Storage", "Disks & files"],
    "description": ["We keep the bytes.", "Ünïcode <b>team</b>.", None],
    "url": ["https://storage.example/", None],
}
TAG_VALUES: dict[str, dict[str, list[object]]] = {  # by tag: two tags never share an alias
    "Go": {"description": ["The language.", "Gophers' <b>corner</b>.", None], "aliases": [["golang"], ["golang", "go-lang"], None]},
    "Kubernetes": {"description": ["Clusters.", None], "aliases": [["k8s"], ["kube"], None]},
}
TEMPLATES: dict[str, list[object]] = {  # overrides of the theme's templates; None: the theme's
    # a list page whose cards show each post's HTML, through a filter's attribute name: it must follow body edits
    "templates/tag.html": [
        "{% extends 'base.html' %}{% block content %}{{ posts|map(attribute='html')|join|safe }}{% endblock %}\n",
        # a dotted attribute name: a field of the posts' extra values
        "{% extends 'base.html' %}{% block content %}{{ posts|map(attribute='extra.mood', default='')|join(', ') }}{% endblock %}\n",
        None,
    ],
    # the partial every card and post page shows, overridden to show own values
    "templates/partials/post_meta.html": [
        "<p class=\"post-meta\">{{ post.date|iso }} {{ post.extra.get('mood', '') }} {{ post.image_alt }}</p>\n",
        '<p class="post-meta">{{ post.id }} {{ post.canonical }} {{ post.reading_minutes }}</p>\n',
        None,
    ],
}
FIELDS: dict[str, dict[tuple[str, ...], list[object]]] = {  # what each file edited has to edit, by key path
    **{path: {(key,): values for key, values in POST_VALUES.items()} for path in EDITED},
    **{path: {(key,): values for key, values in PROFILE_VALUES.items()} for path in PROFILES},
    "teams.yaml": {(team, key): values for team in ("storage", "platform") for key, values in TEAM_VALUES.items()},
    "tags.yaml": {(tag, key): values for tag, keys in TAG_VALUES.items() for key, values in keys.items()},
    **{path: {(): variants} for path, variants in TEMPLATES.items()},
}
SESSION_FILES: dict[str, object] = {  # the edited files as the site starts: data, or a template's text
    **{path: {"title": "Post", "tags": ["go"], "body": BODIES[0]} for path in EDITED},
    "authors/ada.yaml": {"name": "Ada Okafor"},
    "authors/bo.yaml": {"name": "Bo", "team": "storage"},
    "teams.yaml": {"storage": {"name": "Storage"}, "platform": {"name": "Platform"}},
    "tags.yaml": {"Go": {"description": "The language.", "aliases": ["golang"]}, "Kubernetes": {"aliases": ["k8s"]}},
    "templates/tag.html": TEMPLATES["templates/tag.html"][0],
    "templates/partials/post_meta.html": None,
}
SESSION_SITE: dict[str, str | bytes] = {
    "static/img/cover.png": png_bytes(),
    "static/avatars/bo.png": png_bytes(),
    # a link to a heading of a post that gets edited; the image a post may take as its cover (measured: shown already)
    "posts/bo/2026-02-01-links.md": "---\ntitle: Links\n---\nSee [part two](../ada/2026-03-02-two.md#part).\n\n"
    "![A cover](/img/cover.png)\n",
}
Changes = tuple[tuple[tuple[str, ...], object], ...]


def _changes(path: str, keys: list[tuple[str, ...]]) -> st.SearchStrategy[tuple[str, Changes]]:
    """An edit of `path`: one to three of `keys` set to values they take."""
    values = FIELDS[path]
    return st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True).flatmap(
        lambda chosen: st.tuples(st.just(path), st.tuples(*(st.tuples(st.just(k), st.sampled_from(values[k])) for k in chosen)))
    )


_OTHER_FILES = st.one_of(*(_changes(path, sorted(FIELDS[path])) for path in [*PROFILES, "teams.yaml", "tags.yaml", *TEMPLATES]))
EDITS = st.lists(  # a quarter of the edits are of profiles, catalogues and templates
    st.one_of(
        *(_changes(path, sorted((k,) for k in OWN_KEYS)) for path in EDITED),  # own values only: mostly patched in
        *(_changes(path, sorted(FIELDS[path])) for path in EDITED),
        _OTHER_FILES,
        _OTHER_FILES,
    ),
    min_size=1,
    max_size=6,
)


def _kind(path: str) -> str:
    return "post" if path in EDITED else "profile" if path in PROFILES else path


def _edited(value: object, path: str, changes: Changes) -> object:
    """A file's data (or a template's text) after an edit."""
    if changes[0][0] == ():
        return changes[0][1]
    assert isinstance(value, dict)
    data = copy.deepcopy(value)
    for keypath, new in changes:
        *parents, key = keypath
        target = data
        for parent in parents:
            target = target.setdefault(parent, {})
        if new is None:
            target.pop(key, None)
        else:
            target[key] = copy.deepcopy(new)
        if path in EDITED and key in ("author", "authors"):
            data.pop("authors" if key == "author" else "author", None)  # either, not both
    return data


def _write(root: Path, path: str, value: object) -> None:
    file = root / path
    if value is None:
        file.unlink(missing_ok=True)
        return
    file.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(value, str):
        text = value
    elif path in EDITED:
        assert isinstance(value, dict)
        front = {key: _numbered(key, item, EDITED.index(path)) for key, item in value.items() if key != "body"}
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + value["body"]
    else:
        text = yaml.safe_dump(value, allow_unicode=True)
    file.write_text(text, encoding="utf-8")


def _numbered(key: str, value: object, n: int) -> object:
    """The value as post `n` writes it: two posts never share an id, a URL or an alias."""
    if key == "id" and isinstance(value, str):
        return f"{value}:{n}"
    if key == "slug" and isinstance(value, str):
        return f"{value}-{n}"
    if key == "aliases" and isinstance(value, list):
        return [f"{alias}{n}/" for alias in value]
    return value


def _patchable(path: str, before: object, after: object) -> bool:
    """Whether an edit changed only a post's own values, and kept its body's headings and diagrams."""
    if path not in EDITED:
        return False
    assert isinstance(before, dict) and isinstance(after, dict)
    changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    if "body" in changed and _shape(before["body"]) == _shape(after["body"]):
        changed.discard("body")
    return changed <= OWN_KEYS - {"body"}


def _shape(body: str) -> tuple[list[str], bool]:
    return re.findall(r"^#+ .*$", body, re.M), "```mermaid" in body


def _every_field() -> list[tuple[str, Changes]]:
    """Edits that change every field of every kind of file at least once: a post's own values together
    (a patch), its other keys two at a time (builds: of a post no other post links to), a profile, the
    catalogues, then each template, with a patch under it."""
    files = dict(SESSION_FILES)
    edits: list[tuple[str, Changes]] = []

    def edit(path: str, keys: list[tuple[str, ...]]) -> None:
        """Each key set to the first value it takes that is not the one it has."""
        data = files[path]
        changes = tuple((k, next(v for v in FIELDS[path][k] if v != _get(data, k))) for k in keys)
        files[path] = _edited(data, path, changes)
        edits.append((path, changes))

    one, _, three = EDITED
    edit(one, sorted((k,) for k in OWN_KEYS))
    others = [(k,) for k in POST_VALUES if k not in OWN_KEYS]
    for i in range(0, len(others), 2):
        edit(three, others[i : i + 2])
    edit("authors/bo.yaml", list(FIELDS["authors/bo.yaml"]))
    edit("teams.yaml", list(FIELDS["teams.yaml"]))
    edit("tags.yaml", list(FIELDS["tags.yaml"]))
    for template in TEMPLATES:
        edit(template, [()])
        edit(one, [("extra",), ("image_alt",), ("id",), ("canonical",)])
    return edits


def _get(data: object, keypath: tuple[str, ...]) -> object:
    for key in keypath:
        data = data.get(key) if isinstance(data, dict) else None
    return data


PATCHED: list[tuple[int, int]] = []  # per example: the edits that had to be patched in (and were), and all its edits
COVERED: set[tuple[str, tuple[str, ...]]] = set()  # (kind of file, key path) edited


def test_any_edits_served_equal_a_full_build() -> None:
    from blogkit.load.frontmatter import POST_KEYS
    from blogkit.load.profiles import AUTHOR_KEYS, TAG_KEYS, TEAM_KEYS

    # every key blogkit reads is edited: a key it learns is a key this test must learn too
    assert set(POST_VALUES) == {*POST_KEYS, UNKNOWN_KEY, "body"}
    assert (
        set(PROFILE_VALUES) == set(AUTHOR_KEYS)
        and set(TEAM_VALUES) == set(TEAM_KEYS)
        and all(set(keys) == set(TAG_KEYS) for keys in TAG_VALUES.values())
    )
    PATCHED.clear()
    COVERED.clear()
    _served_equals_full()
    patched, edits = (sum(counts) for counts in zip(*PATCHED, strict=True))
    assert patched >= edits / 4, f"only {patched} of {edits} edits were patched in: the test hardly tests patching"
    assert not {(_kind(f), k) for f, keys in FIELDS.items() for k in keys} - COVERED, "a field left unedited"


# a failing sequence is reported as found, not shrunk: shrinking one takes many minutes of builds
@settings(PROPERTY, max_examples=12, phases=[Phase.explicit, Phase.generate])
@given(edits=EDITS)
@example(edits=_every_field())
@example(edits=[(EDITED[1], ((("body",), BODIES[3]),))])  # another post links to its heading
def _served_equals_full(edits: list[tuple[str, Changes]]) -> None:
    from blogkit.core.outputs import Cached
    from blogkit.engine.build import BuildOptions, build_site
    from blogkit.engine.session import Session
    from conftest import NOW

    def contents(result: object, session: Session | None = None) -> dict[str, object]:
        found: dict[str, object] = {}
        for name, output in result.outputs.files.items():  # type: ignore[attr-defined]
            content = output.content
            if isinstance(content, Cached):
                assert session is not None
                content = session.stored(content.key)
            found[name] = content.source if isinstance(content, CopyFile) else content
        return found

    with tempfile.TemporaryDirectory() as tmp:
        root = write_site(Path(tmp) / "site", SESSION_SITE)
        files = dict(SESSION_FILES)
        for path, value in files.items():
            _write(root, path, value)
        session = Session(str(root), BuildOptions(jobs=1, now=NOW))
        try:
            whole = not session.build(set()).report.errors  # the session patches only a site that built without errors
            patched = 0
            for path, changes in edits:
                before, files[path] = files[path], _edited(files[path], path, changes)
                COVERED.update((_kind(path), key) for key, _ in changes)
                _write(root, path, files[path])
                served = session.build({path})
                if whole and _patchable(path, before, files[path]):
                    assert session.patched, f"{path} edited {changes}: built in full, not patched in"
                    patched += 1
                whole = session.patched or not served.report.errors
                full = build_site(str(root), BuildOptions(jobs=1, now=NOW, cache=False), preview=True)
                assert contents(session.settle() or served, session) == contents(full)  # settled: with its search index
                assert [(d.location, d.message) for d in served.report.sorted()] == [(d.location, d.message) for d in full.report.sorted()]
        finally:
            session.close()
    PATCHED.append((patched, len(edits)))


# -- the content lint: whatever the Markdown, it finishes, and every finding is in the file ---------------
LINTED = st.lists(
    st.sampled_from(["# ", "#### ", "> ", "- ", "1. ", "```", "`", "*", "[", "](", ")", "![", "<", ">", "|", "|---|", "| a |", "\n",
                     "\n\n", "    ", "here", "IMG_1.png", "https://x.example/", "<https://x.example/>", "<center>", "</center>",
                     "<span>", "</span>", "<p>", "</p>", "<div>", "</div>", "<table>", "<th>", "</table>", "<iframe src=x>",
                     "</iframe>", "<script>", "</script>", '<img alt="a.png" src="a.png">', "<img src=x>", "<!--", "-->", "é", "\t",
                     "<font color=red>", "<T>", "<!-- more -->", "\u2028"]),
    max_size=60,
).map("".join)  # fmt: skip


@settings(max_examples=300, deadline=None, derandomize=True)
@given(LINTED, st.integers(1, 40), st.sampled_from(["sanitize", "allow", "escape"]))
def test_the_lint_of_any_markdown_finishes_and_points_inside_the_file(body: str, first_line: int, raw_html: str) -> None:
    from blogkit.core.bodies import BodySource
    from blogkit.core.config import MarkdownConfig
    from blogkit.core.lint_rules import RULES
    from blogkit.load.markdown import render_body

    lines = body.split("\n")
    for lint in render_body(BodySource(body, first_line), MarkdownConfig(raw_html=raw_html)).lints:
        assert lint.rule in RULES
        assert first_line <= lint.line < first_line + len(lines), (lint, body)
        assert 1 <= lint.column <= len(lines[lint.line - first_line]) + 1, (lint, body)
        assert lint.message and lint.hint


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=300_000), st.integers(min_value=0, max_value=300_000), st.binary(min_size=1, max_size=64))
def test_a_file_is_read_whole_or_to_one_byte_past_its_limit(size, limit, pattern):
    """`read_at_most`, which reads every post, profile and image: the file's bytes when within the limit,
    else exactly its first `limit` + 1 (so that the caller says it is too large)."""
    from blogkit.core.files import read_at_most

    data = (pattern * (size // len(pattern) + 1))[:size]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "f")
        path.write_bytes(data)
        assert read_at_most(str(path), limit) == data[: limit + 1]
