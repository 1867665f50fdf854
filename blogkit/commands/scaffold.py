"""`blogkit init` and `blogkit new`: a new hub, a new engineer, a new post.

Scaffolds never overwrite: an existing file is a usage error. A new post is a
draft dated today in the site's time zone, in its author's folder, with every
front matter key a first post needs.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime

from blogkit.core.config import SiteConfig
from blogkit.core.urls import is_valid_slug, slugify


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


def init_site(root: str, *, title: str = "Engineering at Example", handle: str = "your-handle") -> list[str]:
    """A minimal working hub: config, one author, one post, an about page."""
    if os.path.isdir(root) and os.listdir(root):
        raise ScaffoldError(f"{root} is not empty; choose a new folder")
    if not is_valid_slug(handle):
        raise ScaffoldError(f"'{handle}' is not a valid handle: use lowercase letters, digits and dashes")
    files = {
        "blogkit.yaml": (
            f"title: {_yaml_text(title)}\n"
            "description: Engineers writing about what they build.\n"
            "base_url: https://engineering.example.com/\n"
            "timezone: UTC\n"
        ),
        f"authors/{handle}.yaml": (
            'name: Your Name\nbio: What you work on, in a sentence.\nlinks:\n  - {label: GitHub, url: "https://github.com/your-handle"}\n'
        ),
        f"posts/{handle}/2026-01-05-hello-world.md": (
            "---\ntitle: Hello, world\ntags: [meta]\n---\n"
            "This hub is where our engineers write about their work.\n\n"
            "<!-- more -->\n\n## How to write a post\n\n"
            'Run `blogkit new post "My title"`, write Markdown, and preview it with `blogkit serve --drafts`:\n'
            "the page reloads each time you save.\n"
        ),
        "pages/about.md": "---\ntitle: About\n---\nWho we are, and how to reach us.\n",
        ".gitignore": "public/\n",
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
    display = name or " ".join(part.capitalize() for part in handle.split("-"))
    path = os.path.join(config.root, "authors", f"{handle}.yaml")
    _write_new(
        path,
        f"name: {_yaml_text(display)}\n"
        "bio: What you work on, in a sentence.\n"
        "# avatar: avatars/{handle}.png   # a file under static/, or an https URL\n"
        "# email: you@example.com\n"
        "# team: storage                  # a key of teams.yaml\n"
        "links: []\n".replace("{handle}", handle),
    )
    os.makedirs(os.path.join(config.root, "posts", handle), exist_ok=True)
    return path


def new_post(config: SiteConfig, title: str, *, author: str, tags: Sequence[str] = (), now: datetime) -> str:
    if not title.strip():
        raise ScaffoldError("the title must not be empty")
    if not os.path.isfile(os.path.join(config.root, "authors", f"{author}.yaml")):
        raise ScaffoldError(f"no profile authors/{author}.yaml; create it with `blogkit new author {author}`")
    slug = slugify(title) or "post"
    today = now.astimezone(config.zone).date().isoformat()
    path = os.path.join(config.root, "posts", author, f"{today}-{slug}.md")
    tag_list = ", ".join(_yaml_text(t.strip()) for t in tags if t.strip())
    _write_new(
        path,
        "---\n"
        f"title: {_yaml_text(title.strip())}\n"
        f"tags: [{tag_list}]\n"
        "draft: true            # remove this line to publish\n"
        "# summary: One sentence for the hub page and feeds.\n"
        "# discussion: https://github.com/your-org/your-repo/discussions/1\n"
        "---\n"
        "The first paragraph is the summary on the hub page.\n\n"
        "<!-- more -->\n\n"
        "## A heading\n\n"
        "Write here.\n",
    )
    return path
