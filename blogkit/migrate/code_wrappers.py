"""Hugo shortcodes of a site that highlight the code they enclose (`{{< high rust >}}...{{< /high >}}`,
whose template calls `highlight .Inner (.Get 0)`): their uses become fenced code blocks of the same
language, and an `id` the template gave the code (`id="code-{{ .Get 0 }}"`) stays as an anchor, so links
to it still land. What else such a template does (a label above the code, lines it removes from the
code) is not kept, and is reported once per shortcode at its template."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

from blogkit.migrate import source
from blogkit.migrate.model import OldSite
from blogkit.migrate.wrappers import fill, hugo_set_aside, slot_names

_PARAM = r"\(?\s*(?:\$?\.Get\s+(?:\d+|\"\w+\")|index\s+\$?\.Params\s+(?:\d+|\"\w+\"))\s*\)?"
_INNER = r"\(?\s*(?:trim\s+)?\$?\.Inner(?:\s+\"[^\"]*\")?\s*\)?"
_HIGHLIGHT = re.compile(r"\{\{-?\s*highlight\s+(?P<code>" + _INNER + r"|\$\w+)\s+(?P<lang>\"[\w+#-]*\"|" + _PARAM + r"|\$\w+)[^}]*\}\}")
_ASSIGN = r"\{\{-?\s*\$%s\s*:=\s*(?P<value>%s)\s*-?\}\}"
_ID = re.compile(r"\bid\s*=\s*\"([^\"]*)\"")
_MARK = "\x00"  # the anchor of a block, set aside in its fence's info string until the body is translated


@dataclass(frozen=True, slots=True)
class CodeWrapper:
    """A shortcode that highlights its inner text: its language (a template with slots, or as written), the
    ids of the elements around the code (templates with slots), what else it does ('' for nothing)."""

    template: str
    line: int
    language: str
    anchors: tuple[str, ...] = ()
    more: str = ""


def hugo_code_shortcodes(site: OldSite, templates: Mapping[str, str]) -> dict[str, CodeWrapper]:
    """shortcode name -> its code wrapper, for each template (name -> its file) that is one."""
    found: dict[str, CodeWrapper] = {}
    for name, path in sorted(templates.items()):
        try:
            written = source.read_text(site.root, path, source.CONFIG_BYTES)
        except source.Refused:
            continue
        wrapper = _code_wrapper(path, written)
        if wrapper is not None:
            found[name] = wrapper
    return found


def code_block(wrapper: CodeWrapper, args: Mapping[str, str], code: str, indent: str) -> str:
    """A use of the shortcode as a fenced block, as many lines long as the use: the anchor waits in the info string."""
    language = fill(wrapper.language, args).strip().strip("\"'")
    anchor = next((fill(a, args) for a in sorted(wrapper.anchors, key=lambda a: -len(slot_names(a))) if _given(a, args)), "")
    fence = "`" * max([3, *(len(run) + 1 for run in re.findall(r"^[ \t]*(`{3,})", code, re.M))])
    mark = f"{_MARK}{anchor}{_MARK}" if anchor and re.fullmatch(r"[\w.:-]+", anchor) else ""
    language = language if re.fullmatch(r"[\w+#.-]*", language) else ""
    return f"{indent}{fence}{language}{mark}\n{code}\n{indent}{fence}"


def place_anchors(text: str) -> str:
    """The anchors set aside by `code_block`, each on a line of its own before its block."""
    return re.sub(
        f"^([ \\t]*)(`{{3,}})([^\\n{_MARK}]*){_MARK}([^{_MARK}]*){_MARK}$",
        lambda m: f'{m.group(1)}<a id="{html.escape(m.group(4))}"></a>\n\n{m.group(1)}{m.group(2)}{m.group(3)}',
        text,
        flags=re.M,
    )


def _given(template: str, args: Mapping[str, str]) -> bool:
    return all(args.get(name, "").strip() for name in slot_names(template))


def _code_wrapper(path: str, written: str) -> CodeWrapper | None:
    template = re.sub(r"\{\{-?\s*/\*.*?\*/\s*-?\}\}", "", written, flags=re.S)
    call = _HIGHLIGHT.search(template)
    if call is None:
        return None
    code, language = call.group("code"), call.group("lang")
    changes = False
    if code.startswith("$"):
        if not re.search(_ASSIGN % (re.escape(code[1:]), _INNER), template):
            return None
        changes = re.search(r"\{\{-?\s*\$" + re.escape(code[1:]) + r"\s*=[^=]", template) is not None  # the code rewritten
    if language.startswith("$"):
        assigned = re.search(_ASSIGN % (re.escape(language[1:]), _PARAM), template)
        if assigned is None:
            return None
        language = assigned.group("value")
    language = language.strip('"') if language.startswith('"') else hugo_set_aside("{{ " + language.strip("() ") + " }}")
    rest = hugo_set_aside(template[: call.start()] + template[call.end() :])
    anchors = tuple(a for a in _ID.findall(rest) if slot_names(a))
    rest = re.sub(r"\{\{-?\s*\$\w+\s*:?=[^}]*\}\}", "", rest)  # the code's and language's variables
    shown = re.sub(r"<[^>]*>", "", rest).strip()
    more = "changes the code before it shows it" if changes else ""
    if shown or "{{" in rest:
        more = more or "shows more than the code"
    at = written.find(call.group(0))
    return CodeWrapper(path, written.count("\n", 0, at) + 1 if at >= 0 else 1, language, anchors, more)
