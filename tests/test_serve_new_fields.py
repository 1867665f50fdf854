"""A field added to `Post` is rendered again exactly where a template reads it, with no list to update.

What `blogkit serve` renders again after an edit follows from each output's cache key alone: a key
digests every post it reads by the fields its template (or its feed's writer) reads of it. So a
field added to the model, filled by the assembler and read in one template, needs nothing else:
these tests make that change in a copy of the package, as a maintainer would, and serve an edit
of the field with it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import REPO, post, write_site

POST = "posts/ada/2026-03-01-hello.md"
SITE = {
    "authors/bo.yaml": "name: Bo Lindqvist\nteam: storage\n",
    "teams.yaml": "storage:\n  name: Storage\n",
    "tags.yaml": "Kubernetes:\n  aliases: [k8s]\n",
    POST: post("title: Hello\ntags: [k8s, storage]\nextra:\n  mood: sunny", "First words.\n"),
    "posts/ada/2026-03-02-second.md": post("title: Second\nseries: Intro\ntags: [storage]", "Read [the first](2026-03-01-hello.md).\n"),
    "posts/bo/2026-03-03-third.md": post("title: Third\nseries: Intro\ntags: [storage]", "## One\n\nText.\n"),
}
# the tag pages show each listed post's new field
TAG_PAGE = """\
{% extends "base.html" %}
{% block content %}
<h1>{{ tag.name }}</h1>
<ul>{% for p in posts %}<li><a href="{{ url(p.path) }}">{{ p.title }}</a> ({{ p.mood }})</li>{% endfor %}</ul>
{% endblock %}
"""

# In the copy of the package: the new field, and the line of the assembler that fills it.
FIELD = ("    featured: bool = field(", "    mood: str = ''  # how the author felt\n    featured: bool = field(")
FILLED = ("        extra=meta.extra or {},\n", "        extra=meta.extra or {},\n        mood=str((meta.extra or {}).get('mood', '')),\n")

# Run with the copy: build, edit the field, and say which outputs were rendered for the edit.
SERVE_AN_EDIT = """
import json, sys
from datetime import UTC, datetime
package, root, edited, text = sys.argv[1:5]
sys.path.insert(0, package)
import blogkit
assert blogkit.__file__.startswith(package), blogkit.__file__
from blogkit.core.model import Post
from blogkit.core.outputs import CopyFile
from blogkit.engine.build import BuildOptions, build_site
from blogkit.engine.session import Session
from blogkit.render.pages import Renderer

rendered = []
render_route = Renderer.render_route
def recorded(self, route, writer):
    rendered.append(route.file)
    return render_route(self, route, writer)
Renderer.render_route = recorded

def contents(result):
    return {k: (o.content.source if isinstance(o.content, CopyFile) else o.content.decode())
            for k, o in result.outputs.files.items() if not k.startswith("pagefind/")}

options = BuildOptions(jobs=1, now=datetime(2026, 6, 1, tzinfo=UTC), cache=False)
session = Session(root, options)
session.build(set())
with open(f"{root}/{edited}", "w", encoding="utf-8") as f:
    f.write(text)
rendered.clear()
served = session.build({edited})
for_the_edit = sorted(rendered)
mine = [p.mood for p in served.site.posts if p.source == edited]
full = build_site(root, options, preview=True)
print(json.dumps({"patched": session.patched, "rendered": for_the_edit, "moods": mine,
                  "same": contents(served) == contents(full)}))
"""


def _package_with_a_new_field(folder: Path) -> Path:
    """A copy of blogkit (and its theme) whose `Post` has a field more, `mood`, filled from `extra.mood`."""
    shutil.copytree(REPO / "blogkit", folder / "blogkit", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "themes", folder / "themes")
    for path, (old, new) in (("blogkit/core/model.py", FIELD), ("blogkit/load/assemble.py", FILLED)):
        text = (folder / path).read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{path} no longer has {old!r}: change this test along with it"
        (folder / path).write_text(text.replace(old, new), encoding="utf-8")
    return folder


@pytest.mark.parametrize("read_on_tag_pages", [False, True])
def test_a_field_added_to_post_is_rendered_again_exactly_where_a_template_reads_it(tmp_path: Path, read_on_tag_pages: bool) -> None:
    """An edit of the new field renders again the post's own page (whose template reads every field of its
    post, through the structured data) and, where the tag template shows the field, the pages of the
    post's tags; not the front page, the other posts' pages that list it, the feeds or anything else."""
    package = _package_with_a_new_field(tmp_path / "package")
    root = write_site(tmp_path / "site", {**SITE, **({"templates/tag.html": TAG_PAGE} if read_on_tag_pages else {})})
    edited = post("title: Hello\ntags: [k8s, storage]\nextra:\n  mood: stormy", "First words.\n")
    ran = subprocess.run(
        [sys.executable, "-c", SERVE_AN_EDIT, str(package), str(root), POST, textwrap.dedent(edited)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert ran.returncode == 0, ran.stderr
    served = json.loads(ran.stdout)
    assert served["moods"] == ["stormy"]
    assert served["patched"] and served["same"], served
    expected = ["2026/03/hello/index.html"]
    if read_on_tag_pages:
        expected += ["tags/kubernetes/index.html", "tags/storage/index.html"]
    assert served["rendered"] == sorted(expected)
