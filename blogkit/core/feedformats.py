"""The feed formats blogkit writes, declared once: config, renderers and the server read this table."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FeedFormat:
    key: str  # as written in `feeds.formats`
    file: str  # the file name under a page's folder
    media_type: str
    label: str  # as shown in subscribe links


FEED_FORMATS: dict[str, FeedFormat] = {
    f.key: f
    for f in (
        FeedFormat("atom", "feed.xml", "application/atom+xml", "Atom"),
        FeedFormat("rss", "rss.xml", "application/rss+xml", "RSS"),
        FeedFormat("json", "feed.json", "application/feed+json", "JSON Feed"),
    )
}

FEED_STYLESHEET = "feed.xsl"  # at the site's root: shows an Atom or RSS feed opened in a browser as a page
XML_FORMATS = ("atom", "rss")  # the formats it applies to

# the kinds of feed scope; `feeds.full_content` names those whose entries carry the whole post
SCOPE_KINDS = ("hub", "authors", "tags", "teams")
FULL_CONTENT_DEFAULT = ("hub",)


def feed_path(scope_path: str, key: str) -> str:
    """The site path of a page's feed of one format ('' is the hub: 'feed.xml')."""
    return scope_path + FEED_FORMATS[key].file
