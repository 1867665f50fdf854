"""A site diff as people and tools read it: text for a terminal, Markdown for a pull request's
comment (`github`), JSON lines for other tools.

Text and Markdown say what a reviewer needs and no more: posts added, moved, removed and edited (with
what changed), the other pages by URL, and the listing pages as a count. A change that touches
every page (a template, a config value) is said once, with counts, and not page by page; posts
whose own values changed are still listed under it. JSON lists every change.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

from blogkit.core.diagnostics import visible
from blogkit.review.diff import STATUSES, Change, FieldChange, SiteDiff

DIFF_FORMATS = ("text", "github", "json")
COMMENT_LIMIT = 65_536  # the most characters of one GitHub comment
COMMENT_MARKER = "<!-- blogkit diff -->"  # the first line of the comment, by which a workflow finds it again to update it
NO_CHANGES = "no page changes"
_HEADINGS = {"posts": "Posts", "pages": "Pages", "listings": "Listing pages", "feeds": "Feeds", "assets": "Assets"}
_COUNTED = ("listings", "feeds")  # changed files counted, not listed: they change with the posts they show
_ALL_CHANGED = "every page changed: something every page shows (a template, a config value, the menu)"


def format_diff(diff: SiteDiff, fmt: str, *, preview_url: str = "", full_url: str = "") -> str:
    if fmt == "json":
        return "".join(json.dumps(_as_json(c), ensure_ascii=False) + "\n" for c in diff.changes)
    if fmt == "github":
        comment = _markdown(diff, preview_url, full=True)
        if len(comment) > COMMENT_LIMIT:
            comment = _markdown(diff, preview_url, full=False, full_url=full_url)
        return comment
    return "\n".join(_text(diff)) + "\n"


def headline(diff: SiteDiff) -> str:
    """'posts: 1 added, 2 changed; listing pages: 5 changed; feeds: 6 changed', or NO_CHANGES."""
    parts = []
    for group, heading in _HEADINGS.items():
        counts = [f"{len(diff.of(group, s))} {s}" for s in STATUSES if diff.of(group, s)]
        if counts:
            parts.append(f"{heading.lower()}: {', '.join(counts)}")
    return "; ".join(parts) or NO_CHANGES


# -- what each group shows -----------------------------------------------------------------------


def _shown(diff: SiteDiff, group: str) -> tuple[list[Change], str]:
    """The changes of a group listed one by one, and a line that sums up the rest ('' when none)."""
    listed = diff.of(group, "added") + diff.of(group, "removed")
    changed = diff.of(group, "changed")
    if group == "posts":
        edited = [c for c in changed if c.fields]
        rest = len(changed) - len(edited)
        return diff.of(group, "added") + diff.of(group, "moved") + edited + diff.of(group, "removed"), _not_own(rest) if rest else ""
    if group in _COUNTED or (group == "pages" and diff.every_page_changed):
        return listed, f"{len(changed)} changed" if changed else ""
    return diff.of(group, "added") + changed + diff.of(group, "removed"), ""


def _everything_line(diff: SiteDiff) -> str:
    counts = {group: len(diff.of(group, "changed")) for group in ("posts", "listings", "pages")}
    shown = ", ".join(f"{n} {_HEADINGS[g].lower().removesuffix('s' if n == 1 else '')}" for g, n in counts.items() if n)
    return f"{_ALL_CHANGED} ({shown})"


def _fields_text(fields: tuple[FieldChange, ...]) -> str:
    return "; ".join(_field_text(f) for f in fields)


def _field_text(field: FieldChange) -> str:
    if field.name == "text":
        return "text"
    if field.name in ("title", "date"):
        return f"{field.name}: '{field.old[0] if field.old else ''}' → '{field.new[0] if field.new else ''}'"
    added = [f"+{v}" for v in field.new if v not in field.old]
    removed = [f"-{v}" for v in field.old if v not in field.new]
    return f"{field.name}: {', '.join(added + removed) or 'reordered'}"


def _not_own(count: int) -> str:
    """The posts whose pages changed while their own values did not: a neighbour's title, a template."""
    if count == 1:
        return "1 more post changed, not in its own values (links to other posts, a template)"
    return f"{count} more posts changed, not in their own values (links to other posts, a template)"


# -- text ------------------------------------------------------------------------------------


def _text(diff: SiteDiff) -> Iterator[str]:
    if not diff.changes:
        yield NO_CHANGES
        return
    if diff.every_page_changed:
        yield _everything_line(diff)
    for group, heading in _HEADINGS.items():
        listed, rest = _shown(diff, group)
        if not listed and not rest:
            continue
        yield f"{heading.lower()}:" + (f" {rest}" if rest and group != "posts" else "")
        for change in listed:
            about = _fields_text(change.fields) if change.fields else change.title
            if change.old_file:
                about = f"from /{change.old_path}" + (f"; {_fields_text(change.fields)}" if change.fields else "")
            yield visible(f"  {change.status:<8} /{change.path}" + (f"  {about}" if about else ""))
        if rest and group == "posts":
            yield f"  and {rest}"


# -- Markdown for a pull request comment ---------------------------------------------------------


def _markdown(diff: SiteDiff, preview_url: str, *, full: bool, full_url: str = "") -> str:
    lines = [COMMENT_MARKER, "### What this pull request changes on the site", ""]
    if not diff.changes:
        return "\n".join([*lines, f"{NO_CHANGES.capitalize()}."]) + "\n"
    if diff.every_page_changed:
        lines += [f"**{_everything_line(diff).capitalize()}**", ""]
    if not full:
        where = f"[the full list]({full_url})" if full_url else "the full list in the workflow run's artifacts"
        lines += [f"{_md(headline(diff))}.", "", f"Too many changes for one comment: see {where}."]
        return "\n".join(lines) + "\n"
    for group, heading in _HEADINGS.items():
        listed, rest = _shown(diff, group)
        if not listed and not rest:
            continue
        lines.append(f"**{heading}**" + (f": {_md(rest)}" if rest and group != "posts" else ""))
        lines.append("")
        if not listed and group != "posts":
            continue
        for change in listed:
            lines.append(
                f"- {change.status} {_md_page(change, preview_url)}" + (f": {_md(_fields_text(change.fields))}" if change.fields else "")
            )
        if rest and group == "posts":
            lines.append(f"- and {_md(rest)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _md_page(change: Change, preview_url: str) -> str:
    path = _md(f"/{change.path}") + (_md(f", was /{change.old_path}") if change.old_file else "")
    name = f"{_md(change.title)} ({path})" if change.title else path
    if preview_url and change.status != "removed":
        target = preview_url.rstrip("/") + "/" + quote(change.path, safe="/-._~")
        return f"[{_md(change.title) or _md('/' + change.path)}]({target})" + (f" ({path})" if change.title or change.old_file else "")
    return name


_MARKDOWN_SPECIAL = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", **{c: "\\" + c for c in "\\`*_[]#!|~"}})


def _md(text: str) -> str:
    """Text from a build (a title, a path) as Markdown shows it literally: no markup, no HTML, no
    @mention that notifies anyone, no line of its own."""
    return visible(text).translate(_MARKDOWN_SPECIAL).replace("@", "@\u2060")


# -- JSON ------------------------------------------------------------------------------------------


def _as_json(change: Change) -> dict[str, object]:
    fields: dict[str, object] = {}
    for field in change.fields:
        if field.name == "text":
            fields["text"] = True
        elif field.name in ("title", "date"):
            fields[field.name] = {"old": field.old[0] if field.old else "", "new": field.new[0] if field.new else ""}
        else:
            fields[field.name] = {"old": list(field.old), "new": list(field.new)}
    found: dict[str, object] = {"group": change.group, "status": change.status, "url": f"/{change.path}", "title": change.title or None}
    if change.old_file:
        found["from"] = f"/{change.old_path}"
    return {**found, "fields": fields}
