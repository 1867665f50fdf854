"""Which of an old site's own shortcodes (Hugo: `layouts/shortcodes/NAME.html`, its theme's; Zola:
`templates/shortcodes/NAME.html`) and includes (Jekyll: `_includes/NAME.html`) only wrap one thing
Markdown can say, and what a call of one becomes.

A template is read as a wrapper when, once its parameters are set aside, it is one `<img>` (in a link,
a `<figure>` with a `<figcaption>`, a `<div>`...), one `<iframe>` of a YouTube or Vimeo player, or one
`<video>` of a file, and nothing else: no other markup with text, no logic but `if`/`with` around its
parts. Its call becomes the Markdown image (with its caption: a parameter, or the text a paired Hugo
shortcode encloses, `{{ .Inner }}`), or a link to the video that asks nothing of the video's host before
the reader follows it. Any other template is no wrapper, and its calls are
kept as text and reported where they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from blogkit.migrate import source
from blogkit.migrate.model import OldSite

_OPEN, _CLOSE = "\x01", "\x02"  # a parameter in a template, set aside: \x01name\x02, or \x01name/\x02 under relURL and the like
_SLOT = re.compile(f"{_OPEN}([^{_CLOSE}]*){_CLOSE}")
INNER = ".Inner"  # the slot of the text a paired shortcode encloses (`{{ .Inner }}`): no parameter has this name


@dataclass(frozen=True, slots=True)
class Wrapper:
    """A template that wraps one image or video; its fields are templates with parameters set aside."""

    kind: str  # "image", "youtube", "vimeo" (src is the video's id), "player" (src is a player's address), "video" (a file's)
    src: str
    alt: str = ""
    title: str = ""
    caption: str = ""


def hugo_shortcodes(site: OldSite, files: list[str], themes: list[str]) -> tuple[dict[str, Wrapper], dict[str, str]]:
    """The wrappers among the site's shortcodes (the site's before its themes'), and each shortcode's template file."""
    found: dict[str, Wrapper] = {}
    named: dict[str, str] = {}
    folders = ("layouts/shortcodes/", "layouts/_shortcodes/")
    for prefix in ("", *(f"themes/{theme}/" for theme in themes)):
        for path in files:
            folder = next((f for f in folders if path.startswith(prefix + f)), None)
            if folder is None or not path.endswith(".html") or "/" in path[len(prefix + folder) :]:
                continue
            name = path[len(prefix + folder) :].split(".")[0]
            if name in named:
                continue  # the site's own shadows its theme's
            named[name] = path
            wrapper = _wrapper(_hugo_slots(_read(site, path)))
            if wrapper is not None:
                found[name] = wrapper
    return found, named


def zola_shortcodes(site: OldSite, files: list[str], theme: str) -> tuple[dict[str, Wrapper], set[str]]:
    """The wrappers among the site's shortcodes (`templates/shortcodes/`, then its theme's), and the names of all of them."""
    found: dict[str, Wrapper] = {}
    named: set[str] = set()
    for prefix in ("", *((f"themes/{theme}/",) if theme else ())):
        for path in files:
            folder = prefix + "templates/shortcodes/"
            if not path.startswith(folder) or not path.endswith(".html") or "/" in path[len(folder) :]:
                continue
            name = path[len(folder) :].split(".")[0]
            if name not in named:
                named.add(name)
                wrapper = _wrapper(_tera_slots(_read(site, path)))
                if wrapper is not None:
                    found[name] = wrapper
    return found, named


def jekyll_includes(site: OldSite, files: list[str]) -> dict[str, Wrapper]:
    """include file name ('figure.html') -> its wrapper, for each include of `_includes/` that is one."""
    found: dict[str, Wrapper] = {}
    for path in files:
        if path.startswith("_includes/") and path.endswith((".html", ".liquid")):
            wrapper = _wrapper(_liquid_slots(_read(site, path)))
            if wrapper is not None:
                found[path[len("_includes/") :]] = wrapper
    return found


def wrapped(wrapper: Wrapper, args: Mapping[str, str]) -> str | None:
    """A call's Markdown, its arguments by name (positions as '0', '1'...); None when they give no address."""
    if any("{{" in value or "{%" in value for value in args.values()):
        return None
    if any(not args.get(name.rstrip("/"), "").strip() for name in _SLOT.findall(wrapper.src)):
        return None
    src = fill(wrapper.src, args)
    if wrapper.kind == "player":
        player = player_of(src)
        if player is None:
            return None
        return video_link(*player, fill(wrapper.title, args))
    if wrapper.kind in ("youtube", "vimeo") and not re.fullmatch(r"[\w-]+", src):
        return None
    title = fill(wrapper.title, args)
    if wrapper.kind == "image":
        alt = fill(wrapper.alt, args) or ("" if wrapper.caption else title)
        image = f"![{_bracketed(alt)}]({_address(src)}" + (f' "{title.replace(chr(34), chr(39))}"' if title else "") + ")"
        caption = fill(wrapper.caption, args).strip()
        return image + (f"\n\n*{caption}*" if caption else "")
    return video_link(wrapper.kind, src, title or fill(wrapper.alt, args))


def takes_inner(wrapper: Wrapper) -> bool:
    """Whether the wrapper shows the text its paired call encloses (`{{ .Inner }}` as the caption, say)."""
    return INNER in slot_names(wrapper.alt + wrapper.title + wrapper.caption)


def video_link(kind: str, video: str, title: str) -> str:
    """A Markdown link to a video, its title in the text when known; for "video", `video` is the file's address."""
    url, label = video_target(kind, video, title)
    return f"[{_bracketed(label)}]({_address(url)})"


def video_target(kind: str, video: str, title: str) -> tuple[str, str]:
    """The address and the link text of a video: the video's own page, never its player."""
    url, label = {
        "youtube": (f"https://www.youtube.com/watch?v={video}", "Watch the video on YouTube"),
        "vimeo": (f"https://vimeo.com/{video}", "Watch the video on Vimeo"),
    }.get(kind, (video, "Watch the video"))
    title = " ".join(title.split())
    return url, f"{label}: {title}" if title else label


# -- reading templates ----------------------------------------------------------------------------


def _read(site: OldSite, path: str) -> str:
    try:
        return source.read_text(site.root, path, source.CONFIG_BYTES)
    except source.Refused:
        return ""


_URL_FILTERS = r"relURL|absURL|relLangURL|absLangURL|relative_url|absolute_url"
_FILTERS = rf"\s*(?:\|\s*(?:{_URL_FILTERS}|safeURL|safeHTML|safeHTMLAttr|markdownify|plainify|htmlEscape|escape|strip|xml_escape)\s*)*"
_HUGO_PARAM = r"\$?\.Get\s+(?:\"(\w+)\"|(\d+))|index\s+\$?\.Params\s+(?:\"(\w+)\"|(\d+))|\$?\.Params\.(\w+)"
_HUGO_COMMENT = re.compile(r"\{\{-?\s*/\*.*?\*/\s*-?\}\}", re.S)
_HUGO_SET = re.compile(r"\{\{-?\s*(\$\w+)\s*:?=\s*(?:" + _HUGO_PARAM + r")\s*-?\}\}")
_HUGO_INNER = r"\(?\s*\$?\.Inner(?:Deindent)?\s*\)?"
_HUGO_INNER_SET = re.compile(r"\{\{-?\s*(\$\w+)\s*:?=\s*" + _HUGO_INNER + r"\s*-?\}\}")
_HUGO_INNER_OUT = re.compile(r"\{\{-?\s*" + _HUGO_INNER + "(" + _FILTERS + r")-?\}\}")
_HUGO_INNER_WITH = re.compile(
    r"\{\{-?\s*with\s+" + _HUGO_INNER + r"\s*-?\}\}((?:(?!\{\{-?\s*(?:with|if|range)\b).)*?)\{\{-?\s*end\s*-?\}\}", re.S
)
_HUGO_WITH = re.compile(
    r"\{\{-?\s*with\s+\(?\s*(?:" + _HUGO_PARAM + r"|(\$\w+))\s*\)?\s*-?\}\}"
    r"((?:(?!\{\{-?\s*(?:with|if|range)\b).)*?)\{\{-?\s*end\s*-?\}\}",
    re.S,
)
_HUGO_OUT = re.compile(r"\{\{-?\s*\(?\s*(?:" + _HUGO_PARAM + r"|(\$\w+))\s*\)?(" + _FILTERS + r")-?\}\}")
_HUGO_IF = re.compile(r"\{\{-?\s*(?:(?:if|else\s+if)\s+[^}]*|else|end)\s*-?\}\}")
_TERA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_TERA_OUT = re.compile(r"\{\{-?\s*(\w+)\s*(?:\|\s*(?:safe|escape|trim|markdown(?:\(inline=true\))?)\s*)*-?\}\}")
_TERA_IF = re.compile(r"\{%-?\s*(?:if\s+[^%]*|elif\s+[^%]*|else|endif)\s*-?%\}")
_LIQUID_OUT = re.compile(r"\{\{-?\s*include\.(\w+)(" + _FILTERS + r")-?\}\}")
_LIQUID_IF = re.compile(r"\{%-?\s*(?:if|elsif|else|endif|unless|endunless)\b[^%]*-?%\}")
_LIQUID_BASE = re.compile(r"\{\{-?\s*site\.baseurl\s*-?\}\}")


def slot_names(template: str) -> list[str]:
    """The parameters a template with slots uses, in order."""
    return [name.rstrip("/") for name in _SLOT.findall(template)]


def _slot(name: str, filters: str) -> str:
    return f"{_OPEN}{name}{'/' if re.search(_URL_FILTERS, filters or '') else ''}{_CLOSE}"


def _param_name(match: re.Match[str], first: int) -> str:
    return next((g for g in match.groups()[first : first + 5] if g is not None), "")


def _hugo_slots(template: str) -> str:
    """The template with its parameters set aside as slots, its `if`s and `with`s opened; '' if it does more."""
    template = hugo_set_aside(template)
    return "" if "{{" in template else template


def hugo_set_aside(template: str) -> str:
    """A Hugo template with its comments removed, its parameters set aside as slots (`{{ .Get 0 }}`, `{{ $src }}`
    of `{{ $src := .Get "src" }}`, `{{ .Inner }}` as INNER), its `with`s on a parameter opened and its `if`s
    removed; the rest as written."""
    template = _HUGO_COMMENT.sub("", template)
    variables: dict[str, str] = {}

    def assign(match: re.Match[str]) -> str:
        variables[match.group(1)] = _param_name(match, 1)
        return ""

    def assign_inner(match: re.Match[str]) -> str:
        variables[match.group(1)] = INNER
        return ""

    template = _HUGO_INNER_SET.sub(assign_inner, _HUGO_SET.sub(assign, template))
    template = _HUGO_INNER_WITH.sub(lambda m: _with_opened(INNER, m.group(1)), template)
    template = _HUGO_INNER_OUT.sub(lambda m: _slot(INNER, m.group(1)), template)

    def opened(match: re.Match[str]) -> str:
        name = _param_name(match, 0) or variables.get(match.group(6) or "", "")
        return _with_opened(name, match.group(7)) if name else ""

    while _HUGO_WITH.search(template):
        template = _HUGO_WITH.sub(opened, template)

    def out(match: re.Match[str]) -> str:
        name = _param_name(match, 0) or variables.get(match.group(6) or "", "")
        return _slot(name, match.group(7)) if name else match.group(0)

    return _HUGO_IF.sub("", _HUGO_OUT.sub(out, template))


def _with_opened(name: str, body: str) -> str:
    """The body of a `with` on a parameter, its dot (`{{ . }}`, `{{ . | markdownify }}`) that parameter's slot."""
    return re.sub(r"\{\{-?\s*\.(" + _FILTERS + r")-?\}\}", lambda inner: _slot(name, inner.group(1)), body)


def _tera_slots(template: str) -> str:
    template = _TERA_COMMENT.sub("", template)
    template = _TERA_IF.sub("", _TERA_OUT.sub(lambda m: _slot(m.group(1), ""), template))
    return "" if "{{" in template or "{%" in template else template


def _liquid_slots(template: str) -> str:
    template = _LIQUID_BASE.sub("", template)
    template = _LIQUID_IF.sub("", _LIQUID_OUT.sub(lambda m: _slot(m.group(1), m.group(2)), template))
    return "" if "{{" in template or "{%" in template else template


# -- what a template wraps -------------------------------------------------------------------------

_IMG = re.compile(r"<img\b[^>]*>", re.I)
_IFRAME = re.compile(r"<iframe\b[^>]*>\s*(?:</iframe>)?", re.I)
_VIDEO = re.compile(r"<video\b[^>]*>.*?</video>", re.I | re.S)
_FIGCAPTION = re.compile(r"<figcaption\b[^>]*>(.*?)</figcaption>", re.I | re.S)
_WRAPPING = re.compile(r"</?(?:a|figure|div|p|span|center|picture|br)\b[^>]*>", re.I)
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_PLAYER = {
    "youtube": re.compile(rf"youtube(?:-nocookie)?\.com/embed/({_OPEN}[^{_CLOSE}]*{_CLOSE})"),
    "vimeo": re.compile(rf"player\.vimeo\.com/video/({_OPEN}[^{_CLOSE}]*{_CLOSE})"),
}


def tag_attributes(tag: str) -> dict[str, str]:
    """The quoted attributes of an HTML start tag, by lower-case name (as written: entities kept)."""
    return {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTR.finditer(tag)}


def _wrapper(slotted: str) -> Wrapper | None:
    if _OPEN not in slotted:
        return None
    caption = _FIGCAPTION.search(slotted)
    rest = _FIGCAPTION.sub("", slotted)
    found = [(kind, m) for kind, pattern in (("image", _IMG), ("frame", _IFRAME), ("video", _VIDEO)) for m in pattern.finditer(rest)]
    if len(found) != 1:
        return None
    kind, element = found[0]
    around = _WRAPPING.sub("", rest[: element.start()] + rest[element.end() :]).strip()
    inner_around = kind == "image" and not caption and _SLOT.fullmatch(around) and slot_names(around) == [INNER]
    if around and not inner_around:
        return None  # more than a wrapper: text or other markup around it
    attrs = tag_attributes(element.group(0))
    title, alt = attrs.get("title", ""), attrs.get("alt", "")
    if kind == "image":
        if not _SLOT.search(attrs.get("src", "")):
            return None
        text = re.sub(r"<[^>]*>", "", caption.group(1)).strip() if caption else around  # the enclosed text beside the image
        return Wrapper("image", attrs["src"], alt, title, text)
    if kind == "video":
        tags = re.findall(r"<(?:video|source)\b[^>]*>", element.group(0), re.I)
        sources = [a["src"] for tag in tags if "src" in (a := tag_attributes(tag))]
        if len(sources) != 1 or not _SLOT.search(sources[0]):
            return None
        return Wrapper("video", sources[0], alt, title or f"{_OPEN}title{_CLOSE}")
    for player, pattern in _PLAYER.items():
        video = pattern.search(attrs.get("src", ""))
        if video:
            return Wrapper(player, video.group(1), "", title)
    if _SLOT.fullmatch(attrs.get("src", "")):
        return Wrapper("player", attrs["src"], "", title)  # the player's whole address is a parameter: known at each call
    return None


def player_of(src: str) -> tuple[str, str] | None:
    """('youtube', id) or ('vimeo', id) for the address of a YouTube or Vimeo player; None for any other."""
    for kind, pattern in _PLAYER_ADDRESS:
        found = pattern.search(src)
        if found:
            return kind, found.group(1)
    return None


_PLAYER_ADDRESS = (
    ("youtube", re.compile(r"(?:youtube(?:-nocookie)?\.com/(?:embed|v)/|youtu\.be/)([\w-]{6,})")),
    ("vimeo", re.compile(r"player\.vimeo\.com/video/(\d+)")),
)


def fill(template: str, args: Mapping[str, str]) -> str:
    """A template with slots, the call's arguments in them ('' for one not given)."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        given = args.get(name.rstrip("/"), "").strip()
        if name.endswith("/") and given and not re.match(r"^([a-z][a-z0-9+.-]*:|/)", given):
            return "/" + given  # relURL and the like: from the site's root
        return given

    return _SLOT.sub(value, template)


def _bracketed(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _address(url: str) -> str:
    return f"<{url}>" if re.search(r"[\s()<>]", url) else url
