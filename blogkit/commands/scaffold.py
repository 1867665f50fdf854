"""`blogkit init` and `blogkit new`: a new hub, a new engineer, a new post.

Scaffolds never overwrite: an existing file is a usage error. A new post is a
draft dated today in the site's time zone, in its author's folder, with every
front matter key a first post needs.

The texts a scaffold writes for the user to replace are declared here, once:
`PLACEHOLDERS` lists them, and `blogkit check` and `build` warn about any still there.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from blogkit.core.config import SiteConfig
from blogkit.core.urls import expand_permalink, is_valid_slug, slugify

DEFAULT_HANDLE = "your-handle"
SAMPLE_BASE_URL = "https://engineering.example.com/"
SAMPLE_NAME = "Your Name"  # written by `init` before it took the name from the handle
SAMPLE_BIO = "What you work on, in a sentence."
SAMPLE_GITHUB = "https://github.com/your-handle"
SAMPLE_POST_TEXT = "This is a sample post written by `blogkit init`."
SAMPLE_PAGE_TEXT = "Who we are, and how to reach us."
NEW_POST_TEXT = "The first paragraph is the summary on the hub page."


@dataclass(frozen=True, slots=True)
class Placeholder:
    """A text a scaffold wrote for the user to replace: where it is found, and what to do about it."""

    text: str
    where: str  # "config", "profile", "post" or "page": the kind of file it is looked for in
    message: str
    hint: str


PLACEHOLDERS = (
    Placeholder(
        SAMPLE_BASE_URL, "config", "base_url is still the sample address from `blogkit init`",
        "set base_url to the address the hub will be published at: feeds and link previews use it",
    ),
    Placeholder(SAMPLE_NAME, "profile", "the name is still the placeholder 'Your Name'", "write the name readers should see"),
    Placeholder(SAMPLE_BIO, "profile", "the bio is still the sample text", "write what you work on, or remove the line"),
    Placeholder(
        SAMPLE_GITHUB, "profile", "the GitHub link is still the sample address",
        "put your own GitHub address (blogkit codeowners reads it), or remove the link",
    ),
    Placeholder(
        SAMPLE_POST_TEXT, "post", "this is the sample post from `blogkit init`",
        "rewrite it as the hub's first post, or delete the file",
    ),
    Placeholder(SAMPLE_PAGE_TEXT, "page", "the page still has the sample text from `blogkit init`", "write the page, or delete it"),
    Placeholder(NEW_POST_TEXT, "post", "the post still has the sample text from `blogkit new post`", "replace it with your own text"),
)  # fmt: skip


class ScaffoldError(Exception):
    """The scaffold cannot be written; the message says why (exit code 2)."""


def _write_new(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as f:
            f.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{path} already exists; blogkit never overwrites a file") from None


def _yaml_text(value: str) -> str:
    """A YAML double-quoted scalar."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def display_name(handle: str) -> str:
    """A name from a handle: 'jane-doe' -> 'Jane Doe'."""
    return " ".join(part.capitalize() for part in handle.split("-"))


CI_KINDS = ("github",)
# The GitHub Actions workflows `init --ci github` writes, as docs/ci.md shows them: publishing,
# a pull request's check, build and diff, its comment, and the daily link-rot issue.
GITHUB_WORKFLOWS = ("blog.yml", "blog-pr.yml", "blog-comment.yml", "blog-links.yml")


def ci_files(kind: str) -> dict[str, str]:
    """The CI files of a kind, by their path in the repository."""
    assert kind in CI_KINDS
    folder = resources.files("blogkit.commands").joinpath("workflows", kind)
    return {f".github/workflows/{name}": folder.joinpath(name).read_text(encoding="utf-8") for name in GITHUB_WORKFLOWS}


def init_site(root: str, *, title: str = "Engineering at Example", handle: str = DEFAULT_HANDLE, ci: str = "") -> list[str]:
    """A minimal working hub: config, one author, one post, an about page; with `ci`, its CI workflows."""
    if os.path.isdir(root) and os.listdir(root):
        raise ScaffoldError(f"{root} is not empty; choose a new folder")
    if not is_valid_slug(handle):
        raise ScaffoldError(f"'{handle}' is not a valid handle: use lowercase letters, digits and dashes")
    files = {
        "blogkit.yaml": (
            f"title: {_yaml_text(title)}\n"
            "description: Engineers writing about what they build.\n"
            f"base_url: {SAMPLE_BASE_URL}\n"
            "timezone: UTC\n"
        ),
        f"authors/{handle}.yaml": (
            f'name: {_yaml_text(display_name(handle))}\nbio: {SAMPLE_BIO}\nlinks:\n  - {{label: GitHub, url: "{SAMPLE_GITHUB}"}}\n'
        ),
        f"posts/{handle}/2026-01-05-hello-world.md": (
            "---\ntitle: Hello, world\ntags: [meta]\n---\n"
            f"{SAMPLE_POST_TEXT} This hub is where our engineers write about their work.\n\n"
            "<!-- more -->\n\n## How to write a post\n\n"
            'Run `blogkit new post "My title"`, write Markdown, and preview it with `blogkit serve`:\n'
            "the page reloads each time you save, and drafts are shown, marked, until you publish them.\n"
        ),
        "pages/about.md": f"---\ntitle: About\n---\n{SAMPLE_PAGE_TEXT}\n",
        ".gitignore": "public/\n.blogkit-cache/\n",
        **(ci_files(ci) if ci else {}),
    }
    written = []
    for name, text in files.items():
        path = os.path.join(root, name)
        _write_new(path, text)
        written.append(path)
    return written


def new_author(config: SiteConfig, handle: str, name: str | None = None) -> str:
    if not is_valid_slug(handle):
        raise ScaffoldError(f"'{handle}' is not a valid handle: use lowercase letters, digits and dashes, e.g. ada-okafor")
    display = name or display_name(handle)
    path = os.path.join(config.root, "authors", f"{handle}.yaml")
    _write_new(
        path,
        f"name: {_yaml_text(display)}\n"
        f"bio: {SAMPLE_BIO}\n"
        "# avatar: avatars/{handle}.png   # a file under static/, or an https URL\n"
        "# email: you@example.com\n"
        "# team: storage                  # a key of teams.yaml\n"
        "links: []\n".replace("{handle}", handle),
    )
    os.makedirs(os.path.join(config.root, "posts", handle), exist_ok=True)
    return path


@dataclass(frozen=True, slots=True)
class NewPost:
    path: str  # the file written
    site_path: str  # its address under base_url, as `serve` shows it: '2026/03/my-title/'


def new_post(config: SiteConfig, title: str, *, author: str, tags: Sequence[str] = (), now: datetime) -> NewPost:
    if not title.strip():
        raise ScaffoldError("the title must not be empty")
    if not os.path.isfile(os.path.join(config.root, "authors", f"{author}.yaml")):
        raise ScaffoldError(f"no profile authors/{author}.yaml; create it with `blogkit new author {author}`")
    slug = slugify(title) or "post"
    today = now.astimezone(config.zone)
    path = os.path.join(config.root, "posts", author, f"{today.date().isoformat()}-{slug}.md")
    tag_list = ", ".join(_yaml_text(t.strip()) for t in tags if t.strip())
    _write_new(
        path,
        "---\n"
        f"title: {_yaml_text(title.strip())}\n"
        f"tags: [{tag_list}]\n"
        "draft: true            # shown, marked, in `blogkit serve`; set to false (or remove the line) to publish\n"
        "# summary: One sentence for the hub page and feeds.\n"
        "# discussion: https://github.com/your-org/your-repo/discussions/1\n"
        "---\n"
        f"{NEW_POST_TEXT}\n\n"
        "<!-- more -->\n\n"
        "## A heading\n\n"
        "Write here.\n",
    )
    midnight = today.replace(hour=0, minute=0, second=0, microsecond=0)
    return NewPost(path, expand_permalink(config.permalink, when=midnight, slug=slug, author=author))
