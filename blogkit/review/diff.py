"""What a pull request changes in the published site: two built folders compared, by URL.

Builds are deterministic, so identical bytes mean an unchanged file and only files whose digests
differ are read. Each change is put in a group (posts, pages, listings, feeds, assets); a changed
post says which of its own values changed (title, text, date, authors, tags), so that a post
whose page changed only because a neighbour did (its "older"/"newer" links, related posts) is
told apart from an edit. The build's own bookkeeping (the search index, the sitemap) is never a
change: `built.scan` leaves it out.
"""

from __future__ import annotations

from dataclasses import dataclass

from blogkit.review.built import GROUPS, group_of, page_path, read_page, scan
from blogkit.review.page_facts import FIELDS, PostFacts, post_facts

STATUSES = ("added", "moved", "changed", "removed")  # in the order a review shows them


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One of a post's own values (FIELDS) that changed; `text` carries no values."""

    name: str
    old: tuple[str, ...] = ()
    new: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Change:
    group: str  # one of GROUPS
    status: str  # one of STATUSES
    file: str  # the file in the folder ('2024/02/x/index.html', 'feed.xml')
    title: str = ""  # a post's title: the new one, or the old one of a removed post
    fields: tuple[FieldChange, ...] = ()  # a changed post's own values that changed; () when none did
    old_file: str = ""  # a moved post's file in the base build

    @property
    def old_path(self) -> str:
        return page_path(self.old_file) if self.old_file else ""

    @property
    def path(self) -> str:
        """The site path readers know it by: '2024/02/x/', 'feed.xml', '' for the hub."""
        return page_path(self.file)


@dataclass(frozen=True, slots=True)
class SiteDiff:
    changes: tuple[Change, ...]  # by group, status and path
    pages_in_both: int  # HTML pages both builds have

    def of(self, group: str, status: str) -> list[Change]:
        return [c for c in self.changes if c.group == group and c.status == status]

    @property
    def every_page_changed(self) -> bool:
        """A change that touches every page both builds have: a template, a config value."""
        changed = sum(1 for c in self.changes if c.status == "changed" and c.file.endswith(".html"))
        return self.pages_in_both > 1 and changed == self.pages_in_both


def diff_builds(old_root: str, new_root: str) -> SiteDiff:
    """Compare the base branch's build with the pull request's (raises NotABuild for a folder that is none)."""
    old, new = scan(old_root), scan(new_root)
    added = {file: _facts(new_root, file) for file in sorted(new.keys() - old.keys())}
    removed = {file: _facts(old_root, file) for file in sorted(old.keys() - new.keys())}
    changes = _moved_posts(removed, added)  # takes the pairs it finds out of both
    changes += [_one_side("added", file, facts) for file, facts in added.items()]
    changes += [_one_side("removed", file, facts) for file, facts in removed.items()]
    for file in sorted(old.keys() & new.keys()):
        if old[file].digest != new[file].digest:
            changes.append(_changed(old_root, new_root, file))
    both = old.keys() & new.keys()
    order = {name: index for index, name in enumerate(GROUPS)}
    changes.sort(key=lambda c: (order[c.group], STATUSES.index(c.status), c.file))
    return SiteDiff(
        tuple(changes),
        pages_in_both=sum(1 for f in both if f.endswith(".html")),
    )


def _facts(root: str, file: str) -> PostFacts | None:
    return post_facts(read_page(root, file)) if file.endswith(".html") else None


def _one_side(status: str, file: str, facts: PostFacts | None) -> Change:
    return Change(group_of(file, facts is not None), status, file, facts.title if facts else "")


def _moved_posts(removed: dict[str, PostFacts | None], added: dict[str, PostFacts | None]) -> list[Change]:
    """Posts at a new address (a new date or slug in the permalink): a removed post and an added one
    with the same text, or else the same title, are one post that moved. Both are taken out of
    `removed` and `added`."""
    moved = []
    for key in ("text", "title"):
        for old_file, before in list(removed.items()):
            value = getattr(before, key) if before else ""
            match = next((f for f, after in added.items() if value and after and getattr(after, key) == value), None)
            if match is None or before is None:  # no post, or no post with that text (or title): not moved
                continue
            after = added.pop(match)
            del removed[old_file]
            assert after is not None
            moved.append(Change("posts", "moved", match, after.title, _own_changes(before, after), old_file))
    return moved


def _changed(old_root: str, new_root: str, file: str) -> Change:
    before, after = _facts(old_root, file), _facts(new_root, file)
    if before is None or after is None:  # a page that became a post, or stopped being one, counts as what it is now
        return Change(group_of(file, after is not None), "changed", file, after.title if after else "")
    return Change("posts", "changed", file, after.title, _own_changes(before, after))


def _own_changes(before: PostFacts, after: PostFacts) -> tuple[FieldChange, ...]:
    found = []
    for name in FIELDS:
        old, new = getattr(before, name), getattr(after, name)
        if old == new:
            continue
        if name == "text":
            found.append(FieldChange(name))
        else:
            found.append(FieldChange(name, old if isinstance(old, tuple) else (old,), new if isinstance(new, tuple) else (new,)))
    return tuple(found)
