"""The raw HTML policy of `markdown.raw_html: sanitize`: what of an author's HTML a page keeps.

The lint (`blogkit.load.lint`) reads the same set, to say at its line what the sanitiser drops.
"""

from __future__ import annotations

import nh3

from blogkit.load.math import MATHML_ATTRIBUTES, MATHML_TAGS

# the elements it keeps: what Markdown makes, harmless HTML, and MathML; any other is removed (its text stays)
ALLOWED_TAGS = frozenset(nh3.ALLOWED_TAGS) | {"input", "label", "section", "figure", "figcaption", "details", "summary", "kbd", "tfoot"}
ALLOWED_TAGS |= MATHML_TAGS
_ALLOWED_ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
_ALLOWED_ATTRIBUTES["*"] = {"class", "id", "title", "lang", "dir", "aria-label", "aria-hidden"}
_ALLOWED_ATTRIBUTES["img"] = _ALLOWED_ATTRIBUTES.get("img", set()) | {"loading", "decoding"}
_ALLOWED_ATTRIBUTES["pre"] = {"data-lang", "tabindex"}
_ALLOWED_ATTRIBUTES["div"] = {"tabindex"}
_ALLOWED_ATTRIBUTES["input"] = {"type", "checked", "disabled"}
_ALLOWED_ATTRIBUTES["ol"] = {"start", "reversed"}
_ALLOWED_ATTRIBUTES.update({tag: set(MATHML_ATTRIBUTES) for tag in MATHML_TAGS})
_URL_SCHEMES = {"http", "https", "mailto", "tel", "blogkit-link"}


def sanitize(html: str) -> str:
    """Keep the markup Markdown can produce plus harmless HTML; drop scripts, styles, handlers."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes=_ALLOWED_ATTRIBUTES,
        link_rel=None,
        url_schemes=_URL_SCHEMES,
        strip_comments=True,
    )
