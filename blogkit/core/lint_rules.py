"""The content lint: its rules by name, and how a site or a post sets how loud each one is.

A rule finds content that renders but that some readers cannot use, or that the Nu HTML
Checker rejects (`blogkit.load.lint` finds them while a body is rendered). Every build and
`check` report each finding at its line and column with the rule's name, as a warning (which
fails `--strict`), a note (which fails nothing), or not at all: `lint:` in `blogkit.yaml` sets a
rule for the whole site, `lint:` in a post's or page's front matter for that file alone.
docs/lint.md says, for each rule, what it flags, whom it hurts and how to fix it.
"""

from __future__ import annotations

from blogkit.core.fields import Fields

LINT_LEVELS = ("warning", "note", "off")  # how a finding is reported: a warning fails --strict, a note never; off: not at all
DEFAULT_LEVEL = "warning"

LintLevels = tuple[tuple[str, str], ...]  # (rule, level) as a site or a post sets them, in the order written


# every rule, by its kebab-case name (shown in brackets after each finding), in the order docs/lint.md explains them
RULES = (
    "image-alt",  # an image without alt text
    "image-alt-file-name",  # an image whose alt text is its file name
    "heading-order",  # a heading that skips a level
    "link-text",  # link text that says nothing of where it leads ("here", "click here", "link")
    "link-url-text",  # a link whose text is a bare URL
    "table-header",  # a table without a header row
    "obsolete-element",  # raw HTML elements the Nu HTML Checker rejects (<center>, <font>, <marquee>, <big>, <tt>)
    "block-in-inline",  # a block (a paragraph, list, heading, <div>) inside raw HTML's <p> or <span>
    "dropped-html",  # raw HTML the sanitiser removes (an <iframe>, <video>, <script>, <form>)
)


def lint_level(rule: str, post: LintLevels, site: LintLevels) -> str:
    """How loud a rule is in one post: its front matter's setting, else the site's, else a warning."""
    for levels in (post, site):
        for name, level in levels:
            if name == rule:
                return level
    return DEFAULT_LEVEL


def read_lint_levels(fields: Fields, *, unknown_is_error: bool) -> LintLevels:
    """The `lint:` mapping of `fields` (a config or a front matter): rule names to warning, note or off.
    An unknown rule is reported with a did-you-mean (an error in blogkit.yaml, a warning in a post)."""
    sub = fields.known_section("lint", RULES, unknown_is_error=unknown_is_error)
    if sub is None:
        return ()
    levels = []
    for name, value in sub.data.items():
        if name not in RULES:
            continue
        if value is False:  # YAML reads a bare `off` as false
            value = "off"
        if value not in LINT_LEVELS:
            sub.error((name,), f"lint rule '{name}' must be one of {', '.join(LINT_LEVELS)}; got {value!r}", f"write {name}: off")
            continue
        levels.append((name, str(value)))
    return tuple(levels)
