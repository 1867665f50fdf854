"""The template syntax of old posts, made Markdown that blogkit renders.

Internal references become `import-source:<file of the old site>#fragment` link targets
(resolved to the new files by `blogkit.migrate.links`); the common shortcodes (figure,
highlight, gist, tweet, youtube, site parameters) become Markdown; anything else is kept
as it was written, visible on the page, and reported at its file and line. Fenced code is
left alone: template syntax there is what the post shows.
"""

from __future__ import annotations

import html
import re
import shlex
from collections.abc import Callable, Mapping
from typing import Any

from blogkit.load.markdown import MORE_MARKER
from blogkit.migrate.code_wrappers import CodeWrapper, code_block, place_anchors
from blogkit.migrate.model import OldSite
from blogkit.migrate.wrappers import INNER, Wrapper, player_of, tag_attributes, takes_inner, video_link, video_target, wrapped

SOURCE_SCHEME = "import-source:"
FindSource = Callable[[str, str], str | None]  # (reference as written, the referring file) -> a content file of the old site

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})[^\n]*\n.*?^(?P=indent)(?P=fence)[ \t]*$", re.MULTILINE | re.DOTALL)


class Translator:
    """Translates the bodies of one old site; problems go to the site's list."""

    def __init__(
        self,
        site: OldSite,
        find_source: FindSource,
        wrappers: Mapping[str, Wrapper] | None = None,
        own: frozenset[str] = frozenset(),
        code: Mapping[str, CodeWrapper] | None = None,
    ) -> None:
        self.site = site
        self.find_source = find_source
        self.wrappers = wrappers or {}  # the site's shortcodes or includes that wrap one image or video (`blogkit.migrate.wrappers`)
        self.guessed = own - _BUILT_IN  # the site's own shortcodes (not restyled built-ins): they mean what the site says, not a guess
        self.code = code or {}  # the site's shortcodes that highlight the code they enclose (`blogkit.migrate.code_wrappers`)
        self._uses = re.compile(_HUGO_CODE_USE.format("|".join(map(re.escape, sorted(self.code)))), re.M | re.S) if self.code else None
        self._hugo_calls = _hugo_calls(
            sorted({n for n, w in self.wrappers.items() if takes_inner(w)} | (_IMAGES - self.guessed - set(self.wrappers)))
        )
        self._told: set[str] = set()

    def body(self, generator: str, text: str, source: str, first_line: int) -> str:
        rules = {"zola": self._zola, "hugo": self._hugo, "jekyll": self._jekyll}[generator]
        text = _MORE.sub(MORE_MARKER, text)
        if generator == "hugo":
            text = _HUGO_BLOCK_HIGHLIGHT.sub(lambda m: _fence(m.group("lang"), m.group("code")), text)
            if self._uses is not None:
                text = self._uses.sub(lambda m: self._code_block(m, source), text)
        if generator == "jekyll":
            text = _JEKYLL_HIGHLIGHT.sub(lambda m: _fence(m.group("lang"), m.group("code")), text)
        parts: list[str] = []
        position = 0
        for fence in _FENCE.finditer(text):
            parts.append(rules(text[position : fence.start()], source, first_line, text, position))
            parts.append(fence.group(0))
            position = fence.end()
        parts.append(rules(text[position:], source, first_line, text, position))
        return place_anchors("".join(parts)) if self._uses is not None else "".join(parts)

    def _code_block(self, match: re.Match[str], source: str) -> str:
        """A use of one of the site's code shortcodes as a fenced block; what else its template did, said once."""
        name, code = match.group("name"), match.group("code")
        wrapper = self.code[name]
        _, positional, named = _hugo_args(name + " " + match.group("args"))
        if wrapper.more and name not in self._told:
            self._told.add(name)
            self.site.warn(
                wrapper.template,
                wrapper.line,
                f"the shortcode '{name}' {wrapper.more}: its uses become fenced code blocks of their language, without the rest",
                "read those blocks over after the import",
            )
        trimmed = code.strip("\n")
        block = code_block(wrapper, {**{str(n): v for n, v in enumerate(positional)}, **named}, trimmed, match.group("indent"))
        return block + "\n" * (code.count("\n") - trimmed.count("\n") - 1)  # as many lines as the use: later lines keep their numbers

    # -- shared -------------------------------------------------------------------------------
    def _line(self, whole: str, offset: int, first_line: int) -> int:
        return first_line + whole[:offset].count("\n")

    def _line_at(self, match: re.Match[str], whole: str, offset: int, first_line: int) -> int:
        """The line of a match in a segment starting at `offset` of `whole`, which earlier passes may have rewritten
        (a rewrite keeps the line breaks it does not replace)."""
        return first_line + whole.count("\n", 0, offset) + match.string.count("\n", 0, match.start())

    def _kept(self, source: str, line: int, written: str, what: str) -> None:
        shown = written if len(written) <= 60 else written[:57] + "..."
        self.site.kept_template_syntax = True
        self.site.warn(source, line, f"{what} '{shown}' cannot be translated; it is kept as text", "rewrite it in Markdown, or remove it")

    def _reference(self, written: str, source: str, line: int) -> str:
        path, _, fragment = written.partition("#")
        found = self.find_source(path, source) if path else source
        if found is None:
            self.site.warn(source, line, f"the reference '{written}' names no page of the old site", "fix the link after the import")
            return written
        return f"{SOURCE_SCHEME}{found}" + (f"#{fragment}" if fragment else "")

    def _param(self, name: str) -> str | None:
        value: Any = self.site.params
        for step in name.strip().strip("\"'").removeprefix("site.").removeprefix("params.").removeprefix("Params.").split("."):
            if not isinstance(value, Mapping) or step not in value:
                return None
            value = value[step]
        return str(value) if isinstance(value, str | int | float) else None

    # -- Zola ---------------------------------------------------------------------------------
    def _zola(self, text: str, source: str, first_line: int, whole: str, offset: int) -> str:
        escaped: list[str] = []

        def hide(match: re.Match[str]) -> str:  # {{/* name() */}} is Zola's way to show a shortcode: shown, never run
            escaped.append(match.group(0).replace("{{/*", "{{").replace("*/}}", "}}").replace("{%/*", "{%").replace("*/%}", "%}"))
            return f"\x00{len(escaped) - 1}\x00"

        text = _ZOLA_ESCAPED.sub(hide, text)
        text = self._zola_code(text, source, first_line, whole, offset)
        return re.sub(r"\x00(\d+)\x00", lambda m: escaped[int(m.group(1))], text)

    def _zola_code(self, text: str, source: str, first_line: int, whole: str, offset: int) -> str:
        def at_link(match: re.Match[str]) -> str:
            line = self._line(whole, offset + match.start(), first_line)
            return match.group(1) + self._reference("content/" + match.group(2), source, line) + match.group(3)

        text = _ZOLA_AT.sub(at_link, text)

        def shortcode(match: re.Match[str]) -> str:
            name, args = match.group("name"), _zola_args(match.group("args"))
            if name in self.wrappers:
                made = wrapped(self.wrappers[name], args)
            else:
                made = _common(name, args) if name not in self.guessed else None
            if made is None:
                self._kept(source, self._line(whole, offset + match.start(), first_line), match.group(0), "the shortcode")
                return match.group(0)
            return made

        text = _ZOLA_CALL.sub(shortcode, text)
        for match in _ZOLA_BLOCK.finditer(text):
            self._kept(source, self._line(whole, offset + match.start(), first_line), match.group(0), "the shortcode")
        return self._embeds(text, source, first_line, whole, offset)

    # -- Hugo ---------------------------------------------------------------------------------
    def _hugo(self, text: str, source: str, first_line: int, whole: str, offset: int) -> str:
        def shortcode(match: re.Match[str]) -> str:
            line = self._line(whole, offset + match.start(), first_line)
            if match.groupdict().get("paired"):
                return self._captioned(match, source, line)
            if match.group("escaped"):
                return match.group(0).replace("{{</*", "{{<").replace("*/>}}", ">}}").replace("{{%/*", "{{%").replace("*/%}}", "%}}")
            name, positional, named = _hugo_args(match.group("body"))
            if name in ("ref", "relref") and positional:
                return self._reference(positional[0], source, line)
            if name == "param" and positional:
                value = self._param(positional[0])
                if value is not None:
                    return value
            args = {**{str(n): value for n, value in enumerate(positional)}, **named}
            if name in self.wrappers:
                made = wrapped(self.wrappers[name], args)
            else:
                made = _common(name, {**dict(enumerate(positional)), **named}) if name and name not in self.guessed else None
            if made is None:
                self._kept(source, line, match.group(0), "the shortcode")
                return match.group(0)
            return made

        return self._embeds(self._hugo_calls.sub(shortcode, text), source, first_line, whole, offset)

    def _captioned(self, match: re.Match[str], source: str, line: int) -> str:
        """A paired call of an image shortcode, `{{< figure src="a.png" >}}Our console{{< /figure >}}`: the image,
        the text it encloses its caption (a caption written as a parameter first); as many lines as the call, or more."""
        name, written = match.group("paired"), match.group(0)
        _, positional, named = _hugo_args(name + " " + match.group("paired_args"))
        caption = " ".join(match.group("inner").split())
        if name in self.wrappers:
            made = wrapped(self.wrappers[name], {**{str(n): v for n, v in enumerate(positional)}, **named, INNER: caption})
        else:
            made = _common(name, {**dict(enumerate(positional)), "caption": caption, **named})
        if made is None:
            self._kept(source, line, written, "the shortcode")
            return written
        return made + "\n" * max(0, written.count("\n") - made.count("\n"))  # later lines keep their numbers

    # -- Jekyll -------------------------------------------------------------------------------
    def _jekyll(self, text: str, source: str, first_line: int, whole: str, offset: int) -> str:
        text = text.replace("{% raw %}", "").replace("{% endraw %}", "")

        def tag(match: re.Match[str]) -> str:
            line = self._line_at(match, whole, offset, first_line)
            name, _, rest = match.group(1).strip().partition(" ")
            rest = rest.strip()
            if name == "post_url":
                return self._reference(f"_posts/{rest.split('#')[0]}" + (f"#{rest.split('#', 1)[1]}" if "#" in rest else ""), source, line)
            if name == "link":
                return self._reference(rest, source, line)
            if name == "include":
                file, _, arguments = rest.partition(" ")
                made = wrapped(self.wrappers[file], _liquid_args(arguments)) if file in self.wrappers else None
                if made is not None:
                    return made
            if name in ("img", "image") or name.endswith(("_img", "_image")):
                made = _octopress_image(rest)
                if made is not None:
                    return made
            self._kept(source, line, match.group(0), "the Liquid tag")
            return match.group(0)

        def output(match: re.Match[str]) -> str:
            expression = match.group(1).strip()
            filtered = _LIQUID_URL.match(expression)
            if filtered:
                path = filtered.group(2)
                return self.site.base_url.rstrip("/") + "/" + path.lstrip("/") if filtered.group(3) == "absolute_url" else path
            if "|" not in expression and expression.startswith("site."):
                value = self._param(expression)
                if value is not None:
                    return value
            self._kept(source, self._line_at(match, whole, offset, first_line), match.group(0), "the Liquid output")
            return match.group(0)

        return _LIQUID_OUTPUT.sub(output, _LIQUID_TAG.sub(tag, self._embeds(text, source, first_line, whole, offset)))

    def _embeds(self, text: str, source: str, first_line: int, whole: str, offset: int) -> str:
        """An <iframe> of a video becomes a link to the video (its title, if it has one): nothing is asked of the
        video's host before the reader follows it. Any other <iframe> becomes a link to its page, reported; one
        without an address is reported and left out (blogkit's Markdown drops iframes)."""

        def frame(match: re.Match[str]) -> str:
            line = self._line_at(match, whole, offset, first_line)
            attrs = {name: html.unescape(value).strip() for name, value in tag_attributes(match.group(0)).items()}
            src, title = attrs.get("src") or attrs.get("data-src") or "", attrs.get("title", "")
            player = player_of(src)
            if player:
                url, label = video_target(*player, title)
            elif src.startswith(("https://", "http://", "//", "/")):
                url, label = ("https:" + src if src.startswith("//") else src), "Open the embedded page" + (f": {title}" if title else "")
                self.site.warn(source, line, f"the embedded page '{url[:80]}' is kept as a link", "blogkit embeds no other site's pages")
            else:
                what = f"the <iframe> of '{src[:80]}'" if src else "the <iframe> without an address"
                self.site.warn(source, line, f"{what} is not kept: blogkit's Markdown drops iframes", "link to what it showed")
                return ""
            at_line_start = match.start() == 0 or text[match.start() - 1] == "\n"
            if at_line_start:
                return f"[{label.replace('[', '').replace(']', '')}]({url})"
            return f'<a href="{html.escape(url)}">{html.escape(label)}</a>'

        def script(match: re.Match[str]) -> str:
            line = self._line_at(match, whole, offset, first_line)
            self.site.warn(source, line, "the post's <script> is not kept", "blogkit runs no script a post brings")
            return ""

        text = _EMBED.sub(lambda m: script(m) if m.group("script") else frame(m), text)  # one pass: lines of the text as written
        return _A_NAME.sub(lambda m: f' id="{m.group(2)}"', text)  # an anchor by name: by id, which a build checks


# -- what the generators' syntax looks like ------------------------------------------------------

_MORE = re.compile(r"^[ \t]*<!--\s*more\s*-->[ \t]*$", re.MULTILINE | re.IGNORECASE)  # each generator's summary divider
_ZOLA_ESCAPED = re.compile(r"\{\{/\*.*?\*/\}\}|\{%/\*.*?\*/%\}", re.DOTALL)
_LIQUID_URL = re.compile(r"^(['\"])(.*?)\1\s*\|\s*(relative_url|absolute_url)$")
_ZOLA_AT = re.compile(r"(\]\(\s*<?)@/([^)#\s>]+(?:#[^)\s>]*)?)(>?[\s)])")
_ZOLA_CALL = re.compile(r"\{\{\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\((?P<args>[^)]*)\)\s*\}\}")
_ZOLA_BLOCK = re.compile(r"\{%\s*[A-Za-z_][A-Za-z0-9_]*\([^)]*\)\s*%\}")
_HUGO_SHORTCODE = re.compile(r"(?P<escaped>\{\{[<%]/\*.*?\*/[>%]\}\})|\{\{[<%]\s*(?P<body>[^/\s].*?)\s*[>%]\}\}", re.DOTALL)
_HUGO_PAIRED = (  # a paired call of an image shortcode whose caption is the text it encloses, its names left to fill in ({})
    r"\{{\{{[<%]\s*(?P<paired>{})(?P<paired_args>(?:\s.*?)?)\s*[>%]\}}\}}"
    r"(?P<inner>(?:(?!\{{\{{).)*?)\{{\{{[<%]\s*/(?P=paired)\s*[>%]\}}\}}"
)
_HUGO_BLOCK_HIGHLIGHT = re.compile(
    r"^\{\{<\s*highlight\s+(?P<lang>[\w+#-]+)[^>]*>\}\}\n(?P<code>.*?)\n?\{\{<\s*/highlight\s*>\}\}[ \t]*$", re.MULTILINE | re.DOTALL
)
_HUGO_CODE_USE = (  # a use of a code shortcode on lines of its own, its name left to fill in ({})
    r"^(?P<indent>[ \t]*)\{{\{{<\s*(?P<name>{})(?P<args>(?:\s[^\n]*?)?)\s*>\}}\}}[ \t]*\n"
    r"(?P<code>(?:.*?\n)?)[ \t]*\{{\{{<\s*/(?P=name)\s*>\}}\}}[ \t]*$"
)
_JEKYLL_HIGHLIGHT = re.compile(
    r"^\{%-?\s*highlight\s+(?P<lang>[\w+#-]+)[^%]*-?%\}\n?(?P<code>.*?)\n?\{%-?\s*endhighlight\s*-?%\}[ \t]*$", re.MULTILINE | re.DOTALL
)
_LIQUID_TAG = re.compile(r"\{%-?\s*(.*?)\s*-?%\}", re.DOTALL)
_LIQUID_OUTPUT = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.DOTALL)
_A_NAME = re.compile(r"(?<=<a)\s+name\s*=\s*([\"'])([^\"']+)\1(?=[^>]*>)(?![^>]*\b(?:href|id)\s*=)", re.IGNORECASE)
_EMBED = re.compile(
    r"""(?P<script><script\b[^>]*>.*?</script>)|<iframe\b(?:[^>"']|"[^"]*"|'[^']*')*>(?:[^<]*</iframe>)?""", re.IGNORECASE | re.DOTALL
)
_LIQUID_ARG = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")
_BUILT_IN = frozenset({"figure", "youtube", "vimeo", "gist", "tweet", "x", "highlight"})  # Hugo's, which a site's own may restyle
_IMAGES = frozenset({"figure", "image", "img"})  # the names `_common` reads as one image
_ZOLA_ARG = re.compile(r"(\w+)\s*=\s*(\"[^\"]*\"|'[^']*'|[^,\s]+)")


def _hugo_calls(captioned: list[str]) -> re.Pattern[str]:
    """Hugo's shortcode calls; first, the paired calls of the image shortcodes named, each whole with its text."""
    if not captioned:
        return _HUGO_SHORTCODE
    return re.compile(_HUGO_PAIRED.format("|".join(map(re.escape, captioned))) + "|" + _HUGO_SHORTCODE.pattern, re.DOTALL)


def _octopress_image(markup: str) -> str | None:
    """Octopress's `{% img [class] /path/or/url [width [height]] [title ["alt"]] %}` (and tags written like it) as Markdown."""
    words = markup.split()
    at = next((i for i, word in enumerate(words) if word.startswith(("/", "http://", "https://"))), None)
    if at is None:
        return None
    rest = list(words[at + 1 :])
    while rest and rest[0].isdigit():
        rest.pop(0)
    quoted = re.findall(r"[\"']([^\"']*)[\"']", " ".join(rest))
    text = (quoted[-1] if quoted else " ".join(rest)).replace("]", "").strip()
    return f"![{text}]({words[at]})"


def _liquid_args(text: str) -> dict[str, str]:
    return {m.group(1): next(g for g in m.groups()[1:] if g is not None) for m in _LIQUID_ARG.finditer(text)}


def _fence(lang: str, code: str) -> str:
    return f"```{lang}\n{code.rstrip()}\n```"


def _zola_args(text: str) -> dict[str, str]:
    return {name: value.strip("\"'") for name, value in _ZOLA_ARG.findall(text)}


def _hugo_args(text: str) -> tuple[str, list[str], dict[str, str]]:
    try:
        words = shlex.split(text)
    except ValueError:
        return "", [], {}
    if not words:
        return "", [], {}
    positional, named = [], {}
    for word in words[1:]:
        name, equals, value = word.partition("=")
        if equals and re.fullmatch(r"[A-Za-z_]\w*", name):
            named[name] = value
        else:
            positional.append(word)
    return words[0], positional, named


def _common(name: str, args: Mapping[Any, str]) -> str | None:
    """The shortcodes every generator's sites use, as Markdown; None for any other."""
    first = args.get(0, "")
    if name in ("youtube", "vimeo"):
        video = args.get("id") or first
        return video_link(name, video, args.get("title", "")) if re.fullmatch(r"[\w-]+", video) else None
    if name == "gist":
        if args.get("url"):
            return f"[See the gist]({args['url']})"
        user, gist = args.get("user") or first, args.get("id") or args.get(1, "")
        return f"[See the gist {user}/{gist}](https://gist.github.com/{user}/{gist})" if user and gist else None
    if name in ("tweet", "x"):
        tweet = args.get("id") or (first if first.isdigit() else args.get(1, ""))
        user = args.get("user") or (first if not first.isdigit() else "")
        if not tweet:
            return None
        return f"[See the post on X](https://x.com/{user or 'i/web'}/status/{tweet})"
    if name in _IMAGES:
        src = args.get("src") or args.get("path") or first
        if not src:
            return None
        alt = args.get("alt") or args.get("caption") or args.get("title") or ""
        title = args.get("title", "")
        image = f"![{alt}]({src}" + (f' "{title}"' if title else "") + ")"
        caption = args.get("caption", "")
        return image + (f"\n\n*{caption}*" if caption else "")
    return None
