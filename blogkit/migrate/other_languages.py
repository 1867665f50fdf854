"""What an import of one language of a multilingual site says of the others: how many posts of
each it leaves out, and how to import them (Hugo and Zola alike)."""

from __future__ import annotations

from blogkit.migrate.model import OldSite


def report_other_languages(site: OldSite, imported: str, left: dict[str, list[str]]) -> None:
    """One warning for each other language whose posts this import leaves out, at its first post."""
    for code, posts in sorted(left.items()):
        if not posts:
            continue
        first = sorted(posts)[0]
        others = f" (this one and {len(posts) - 1} more)" if len(posts) > 1 else ""
        site.warn(
            first,
            1,
            f"{len(posts)} post{'' if len(posts) == 1 else 's'} in the language '{code}'{others} "
            f"{'is' if len(posts) == 1 else 'are'} not imported: this import is of '{imported}'",
            f"import them into another folder with --language {code}",
        )
