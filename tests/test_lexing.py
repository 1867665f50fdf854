"""The joined driver of Pygments' regex lexers (`load/lexing.py`) gives Pygments' own tokens."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pygments.lexer import Lexer, RegexLexer
from pygments.lexers import get_lexer_by_name

from blogkit.core.bodies import BodySource
from blogkit.core.config import MarkdownConfig
from blogkit.engine import bodies
from blogkit.engine.cache import MemoryCache
from blogkit.load import lexing
from blogkit.load.highlight import highlight_code

# the languages of engineering posts, and lexers whose rules use what a joined pattern must take
# care of: flags of their own (Python's `(?i)`, Bash's `(?s)`), back-references (Rust's raw
# strings, Bash's here-documents, Perl's quotes), verbose patterns with comments (Nix, TOML)
LANGUAGES = (
    "python", "go", "rust", "javascript", "typescript", "java", "kotlin", "scala", "c", "cpp", "csharp",
    "objective-c", "swift", "ruby", "php", "perl", "lua", "bash", "powershell", "sql", "postgresql",
    "mysql", "json", "toml", "ini", "html", "xml", "css", "scss", "docker", "make", "cmake", "terraform",
    "nginx", "diff", "protobuf", "graphql", "haskell", "ocaml", "fsharp", "elixir", "erlang", "clojure",
    "dart", "groovy", "julia", "r", "matlab", "fortran", "nasm", "zig", "nix", "vim", "tex", "rst",
    "awk", "lisp", "d", "vbnet", "jsx",
)  # fmt: skip
SAMPLE = "".join(
    (
        'def f(x, *a, **k):\n    """doc"""\n    return x if x else {"a": [1, 2.5e3, 0x1F]}  # c\n',
        '#include <stdio.h>\nint main(void) { printf("%d\\n", 42); /* c */ return 0; }\n',
        "SELECT a, COUNT(*) FROM t WHERE b = 'x' AND c > 3 GROUP BY a; -- c\n",
        'fn main() { let s = r#"raw "str""#; println!("{}", s); }\ncat <<EOF\nheredoc $x\nEOF\n',
        '<div class="a">&amp; {{ x | y }} {% if z %}</div>\n---\nkey: [1, "two"]\n',
        "x = `tmpl ${a + b}`; /re+gex/g.test(s) ? 1 : 2; @decorator\nclass A extends B {}\n",
        '\t weird \\ chars \u00e9\u4e2d $((1+2)) $(echo "$HOME") \'q\' "unterminated\nq{perl} s/a/b/g; m!x!;\n',
    )
)
CODE = st.text(alphabet=st.sampled_from(list("abcdefxyz019 \t\n\"'`#/*\\{}[]()<>=+-_.,;:$@%!?&|^~r")), max_size=300)


@pytest.fixture
def joined(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every token table joined from its first character on."""
    monkeypatch.setattr(lexing, "_join_after", [0])


def _lexer(name: str) -> Lexer:
    return get_lexer_by_name(name, stripnl=False, ensurenl=True)


@pytest.mark.usefixtures("joined")
def test_the_languages_of_posts_give_pygments_tokens() -> None:
    joined_by_us = 0
    for name in LANGUAGES:
        lexer = _lexer(name)
        assert list(lexing.tokens(lexer, SAMPLE)) == list(lexer.get_tokens(SAMPLE)), name
        if type(lexer).get_tokens_unprocessed is RegexLexer.get_tokens_unprocessed:
            joined_by_us += 1
            table = lexing._TABLES[id(lexer._tokens)]
            assert any(rules for steps in table.steps.values() for _, rules, _ in steps), f"{name}: no rules were joined"
    assert joined_by_us >= 45  # the others have a driver of their own, which Pygments runs


@pytest.mark.usefixtures("joined")
@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.sampled_from(["python", "bash", "rust", "javascript", "go", "sql", "perl", "nix"]), CODE)
def test_any_text_gives_pygments_tokens(name: str, code: str) -> None:
    lexer = _lexer(name)
    assert list(lexing.tokens(lexer, code)) == list(lexer.get_tokens(code))


def test_rules_with_flags_and_back_references_keep_their_place() -> None:
    rust = lexing._table(_lexer("rust")._tokens).of("base")  # a raw string's rule: `(?s)` and a back-reference
    assert [kind for _, rules, _ in rust for kind in (["joined"] if rules else ["alone"])] == ["joined", "alone", "joined"]
    assert rust[1][0].__self__.pattern == r'(?s)b?r(#*)".*?"\1'  # type: ignore[attr-defined]
    python = lexing._table(_lexer("python")._tokens).of("root")  # rules with `(?i)` among rules without
    assert all(rules for _, rules, _ in python)
    assert "|(?i:" in python[0][0].__self__.pattern  # type: ignore[attr-defined]


def test_a_table_is_joined_only_after_enough_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexing, "_TABLES", {})
    monkeypatch.setattr(lexing, "_join_after", [1000])
    lexer = _lexer("go")
    code = "package main\nfunc main() { x := 1 }\n" * 10  # 360 characters
    first = [highlight_code(code, "go") for _ in range(3)]
    assert not lexing._TABLES[id(lexer._tokens)].steps  # under the threshold: Pygments' own driver
    later = [highlight_code(code, "go") for _ in range(3)]
    assert lexing._TABLES[id(lexer._tokens)].steps  # past it: joined
    assert set(first) == set(later) and len(set(first)) == 1


def test_the_worker_for_edits_never_joins(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve` renders one edited post at a time: no save pays for compiling a language's joined
    patterns, however much code its worker has lexed; a build's workers join past the threshold."""
    monkeypatch.setattr(lexing, "_TABLES", {})
    monkeypatch.setattr(lexing, "_join_after", [lexing.JOIN_AFTER])
    lexer = _lexer("go")
    body = BodySource("```go\n" + "package main\nfunc main() { x := 1 }\n" * 100 + "```\n", 1)
    config, cache = MarkdownConfig(), MemoryCache()
    for _ in range(2 + lexing.JOIN_AFTER // len(body.text)):
        bodies.body_renderers(config, cache, 1, 10, edits=True).work(("key", body))
    assert not lexing._TABLES[id(lexer._tokens)].steps
    for _ in range(2):
        bodies.body_renderers(config, cache, 1, 10).work(("key", body))
    assert lexing._TABLES[id(lexer._tokens)].steps
