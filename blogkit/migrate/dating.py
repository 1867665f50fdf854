"""Where an old page's date is, when its front matter gives none: its file name or its own URL.

Zola and Hugo blogs often date a post only by the address it is served at
(`path = "2014/10/30/stability"`, `url: /2019/05/15/four-years/`); the generator never needed a
`date`, and neither does the import. A site with dated pages and no post imported is an error.
"""

from __future__ import annotations

import re

from blogkit.migrate.model import OldSite

_IN_PATH = re.compile(r"(?:^|/)(\d{4})[/-](\d{2})[/-](\d{2})(?=[/-]|$)")


def date_in_path(path: str) -> str:
    """'inside-rust/2020/07/27/1.45.1-prerelease' -> '2020-07-27'; '' when the path holds no date (or no real one)."""
    match = _IN_PATH.search(path)
    if not match:
        return ""
    year, month, day = match.groups()
    if not ("01" <= month <= "12" and "01" <= day <= "31"):
        return ""
    return f"{year}-{month}-{day}"


def nothing_imported(site: OldSite, pages: int, sections: list[str]) -> None:
    """An error when the old site has pages and not one of them became a post: 'imported 0 posts' is no success."""
    if site.posts or not pages:
        return
    known = ", ".join(sorted(k or "(root)" for k in sections)) or "(none)"
    site.fail(
        site.config_file,
        0,
        0,
        f"no post was imported from the {pages} pages of the site",
        "a post is dated by its 'date', its file name (2024-03-01-title.md) or a date in its path or URL "
        f"(2024/03/01/title); choose the sections that hold posts with --section (the site's sections: {known})",
    )
