"""What a Hugo site's RSS templates gave each entry as its id (`<guid>`), so that imported posts keep it and
no subscriber sees an old post again. Hugo's own template gives each page's permalink; a site's or its
theme's may give another value. When the template is not in the site (a theme or module that lives
elsewhere), the import predicts the ids with Hugo's own template and says so."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from typing import Any

from blogkit.migrate import source
from blogkit.migrate.model import OldSite
from blogkit.migrate.reading import mapping, text

_GUID = re.compile(r"<guid\b[^>]*>(.*?)</guid>", re.S | re.I)
_EVERY_LIST = ("rss.xml", "list.rss.xml", "_default/rss.xml", "_default/list.rss.xml")  # templates that make every feed


def entry_ids(site: OldSite, config: dict[str, Any], layouts: Sequence[str], themes: Sequence[str]) -> str:
    """'permalink' (an absolute URL, Hugo's default) or 'relpermalink' (the path): what the feeds' `<guid>` was."""
    found = "permalink"
    for path in _templates(layouts, themes):
        try:
            template = source.read_text(site.root, path, source.CONFIG_BYTES)
        except source.Refused:
            continue
        guid = _GUID.search(template)
        if guid is None:
            continue
        written = guid.group(1).strip()
        if re.fullmatch(r"\{\{-?\s*\.RelPermalink\s*-?\}\}", written):
            found = "relpermalink"
        elif not re.fullmatch(r"\{\{-?\s*\.Permalink\s*(\|\s*html\s*)?-?\}\}", written):
            line = template.count("\n", 0, guid.start()) + 1
            site.warn(
                path,
                line,
                f"the feed's entry ids are '{written[:60]}', not each page's permalink: the imported posts take the permalink",
                "feed readers may show those posts as new once",
            )
        break  # the first one Hugo looks up: the site's before its themes'
    own = {posixpath.relpath(path, "layouts") for path in layouts if path.startswith("layouts/")}
    elsewhere = [name for name in themes if not any(path.startswith(f"themes/{name}/") for path in layouts)]
    elsewhere += [text(m.get("path")) for m in _imports(config)]
    if elsewhere and not own.intersection(_EVERY_LIST):
        site.warn(
            site.config_file,
            0,
            f"the feed templates of '{elsewhere[0]}' are not in the site: entry ids are predicted with Hugo's own RSS template"
            f" (each page's {'path' if found == 'relpermalink' else 'permalink'})",
        )
    return found


def _imports(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The Hugo modules the site imports (`module.imports`), whose files are not in the site."""
    imports = mapping(config, "module").get("imports")
    return [m for m in imports if isinstance(m, dict)] if isinstance(imports, list) else []


def _templates(layouts: Sequence[str], themes: Sequence[str]) -> list[str]:
    """The RSS templates of the site, then of each theme, in that order."""
    found = []
    for prefix in ("layouts/", *(f"themes/{t}/layouts/" for t in themes)):
        found += sorted(p for p in layouts if p.startswith(prefix) and p.endswith("rss.xml") and "/partials/" not in p)
    return found
