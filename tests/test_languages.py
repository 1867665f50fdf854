"""The theme's words in the site's language: catalogues, plural forms, dates, overrides and their errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from blogkit.core.config import THEME_DIR
from blogkit.core.diagnostics import Report
from blogkit.core.strings import DATE_FORMAT_KEY, Strings, message_placeholders
from blogkit.load.catalogues import load_strings
from blogkit.render.pages import create_environment
from blogkit.render.words import word_function
from conftest import build, diagnostics, post, run_cli, write_site

SHIPPED = ("en", "de", "fr", "es", "pt", "ja")
CONFIG = "title: Test Hub\nbase_url: https://hub.example/\ntimezone: UTC\n"
FILES = {
    "posts/ada/2026-03-03-hello.md": post("title: Hello\ntags: [Rust]", "Word " * 450 + "\n"),
    "posts/ada/2026-01-05-older.md": post("title: Older\ntags: [Rust]"),
}


def html(result, path: str) -> str:
    return result.outputs.files[path].content.decode()


def catalogue(language: str) -> dict[str, object]:
    return yaml.safe_load(Path(THEME_DIR, "i18n", f"{language}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("language", SHIPPED[1:])
def test_each_shipped_language_translates_every_key_with_the_same_placeholders(language: str) -> None:
    english, other = catalogue("en"), catalogue(language)
    assert set(other) == set(english) - {DATE_FORMAT_KEY}
    for key, message in other.items():
        assert message_placeholders(message) <= message_placeholders(english[key]), key  # type: ignore[arg-type]
    report = Report()
    load_strings(THEME_DIR, THEME_DIR, language, report)
    assert not report.diagnostics


def test_every_key_the_theme_uses_is_in_the_english_catalogue() -> None:
    used: set[str] = set()
    for path in Path(THEME_DIR).rglob("*"):
        if path.suffix in (".html", ".xml", ".xsl"):
            text = path.read_text(encoding="utf-8")
            used |= set(re.findall(r"""_\(["']([a-z_.]+)["']""", text))
            used |= {m for group in re.findall(r"script_strings\(([^)]*)\)", text) for m in re.findall(r'"([a-z_.]+)"', group)}
    used |= {f"search.{name}" for name in ("author", "team", "tag")} | {f"search.any_{name}" for name in ("author", "team", "tag")}
    used -= {"search.", "search.any_"}  # built from a filter's name in search.html
    english = set(catalogue("en"))
    assert used and used <= english, sorted(used - english)


def test_a_german_site_has_german_dates_labels_feeds_and_script_words(tmp_path: Path) -> None:
    result = build(write_site(tmp_path / "site", {"blogkit.yaml": CONFIG + "language: de\n", **FILES}))
    assert not result.report.diagnostics, diagnostics(result)
    home, hello = html(result, "index.html"), html(result, "2026/03/hello/index.html")
    assert '<html lang="de">' in home
    assert ">3. März 2026</time>" in home and ">5. Januar 2026</time>" in home
    assert ">Startseite</a>" in home and ">Archiv</a>" in home and "Alle Beiträge abonnieren:" in home
    assert "2 Minuten Lesezeit" in hello and "Diesen Beitrag teilen" in hello and "Weitere Beiträge" in hello
    assert "Beiträge zum Thema „Rust“" in html(result, "tags/rust/index.html")
    assert "<h1>Seite nicht gefunden</h1>" in html(result, "404.html")
    words = json.loads(re.search(r"copy\.js\" defer data-strings='([^']*)'", hello).group(1))  # type: ignore[union-attr]
    assert words["code.copy"] == "Kopieren"
    assert "<subtitle>Beiträge von Ada Okafor</subtitle>" in html(result, "authors/ada/feed.xml")


def test_plural_forms_follow_the_language(tmp_path: Path) -> None:
    files = {**FILES, "posts/ada/2026-03-03-hello.md": post("title: Hello", "Short.\n")}
    german = build(write_site(tmp_path / "de", {"blogkit.yaml": CONFIG + "language: de\n", **files}))
    assert "1 Minute Lesezeit" in html(german, "2026/03/hello/index.html")
    assert '<p class="count">2 Beiträge</p>' in html(german, "authors/index.html")
    japanese = build(write_site(tmp_path / "ja", {"blogkit.yaml": CONFIG + "language: ja\n", **files}))
    assert "1分で読めます" in html(japanese, "2026/03/hello/index.html") and ">2026年3月3日</time>" in html(japanese, "index.html")
    english = build(write_site(tmp_path / "en", {"blogkit.yaml": CONFIG, **files}))
    assert '<p class="count">2 posts</p>' in html(english, "authors/index.html") and ">3 March 2026</time>" in html(english, "index.html")


def test_a_regional_language_falls_back_to_its_language_then_english(tmp_path: Path) -> None:
    files = {**FILES, "i18n/pt-BR.yaml": "nav.home: Página inicial\n"}
    site = write_site(tmp_path / "site", {"blogkit.yaml": CONFIG + "language: pt-BR\n", **files})
    result = build(site)
    assert not result.report.diagnostics, diagnostics(result)
    home = html(result, "index.html")
    assert '<html lang="pt-BR">' in home and ">Página inicial</a>" in home and ">Arquivo</a>" in home
    assert ">3 de março de 2026</time>" in home


def test_a_site_overrides_any_word_and_the_date_format(tmp_path: Path) -> None:
    catalogue = 'nav.home: Front page\ndate_format: "MMM d, y"\nreading_time: {one: "{count} minute", other: "{count} minutes"}\n'
    files = {**FILES, "i18n/en.yaml": catalogue}
    result = build(write_site(tmp_path / "site", {"blogkit.yaml": CONFIG, **files}))
    assert not result.report.diagnostics, diagnostics(result)
    home = html(result, "index.html")
    assert ">Front page</a>" in home and ">Mar 3, 2026</time>" in home and "2 minutes" in home and ">Archive</a>" in home


def test_a_translation_is_escaped_like_any_text(tmp_path: Path) -> None:
    files = {**FILES, "i18n/en.yaml": 'nav.home: "<b>Home</b> & more"\n'}
    home = html(build(write_site(tmp_path / "site", {"blogkit.yaml": CONFIG, **files})), "index.html")
    assert ">&lt;b&gt;Home&lt;/b&gt; &amp; more</a>" in home and "<b>Home</b>" not in home


def test_an_edited_catalogue_changes_the_pages_of_a_cached_build(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", {"blogkit.yaml": CONFIG, **FILES, "i18n/en.yaml": "nav.home: One\n"})
    assert ">One</a>" in html(build(root, cache=True), "index.html")
    (root / "i18n" / "en.yaml").write_text("nav.home: Two\n", encoding="utf-8")
    again = build(root, cache=True)
    assert ">Two</a>" in html(again, "index.html") and ">Two</a>" in html(again, "2026/03/hello/index.html")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("nav.home: {text: x}\n", "i18n/de.yaml:1:1: error: 'nav.home' must be a text or plural forms, got dict"),
        ("reading_time: {one: x}\n", "i18n/de.yaml:1:1: error: 'reading_time' has no 'other' form"),
        ("nav.home: Start {\n", "i18n/de.yaml:1:1: error: 'nav.home' has a brace that is not a placeholder"),
        ("nav.home: Start {0} {}\n", "i18n/de.yaml:1:1: error: 'nav.home' has a brace that is not a placeholder"),
        ("nav.home: '{count.real}'\n", "i18n/de.yaml:1:1: error: 'nav.home' has a brace that is not a placeholder"),
        ("updated: Neu am {day}\n", "i18n/de.yaml:1:1: error: 'updated' uses {day}, which the English text does not fill"),
        ("nav.hom: Start\n", "i18n/de.yaml:1:1: warning: unknown key 'nav.hom': no English catalogue has it"),
        ("nav.home: [a\n", "i18n/de.yaml:2:1: error:"),
        ("- a\n", "i18n/de.yaml:1:1: error: a catalogue is a mapping of `key: text` lines"),
    ],
)
def test_catalogue_mistakes_are_located(tmp_path: Path, text: str, expected: str) -> None:
    result = build(write_site(tmp_path / "site", {"blogkit.yaml": CONFIG + "language: de\n", **FILES, "i18n/de.yaml": text}))
    assert any(line.startswith(expected) for line in diagnostics(result)), diagnostics(result)


def test_a_language_without_words_is_a_warning_at_its_line(tmp_path: Path) -> None:
    result = build(write_site(tmp_path / "site", {"blogkit.yaml": CONFIG + "language: it\n", **FILES}))
    assert diagnostics(result) == [
        "blogkit.yaml:4:1: warning: the theme has no words in 'it': its pages show English words, and dates in 'it'"
    ]
    assert ">3 marzo 2026</time>" in html(result, "index.html")


def test_an_unknown_language_is_a_located_config_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_site(tmp_path / "site", {"blogkit.yaml": CONFIG + "language: klingon-xx\n", **FILES})
    code, _, err = run_cli(["build", str(root), "-o", str(tmp_path / "out")], capsys)
    assert code == 2 and "blogkit.yaml:4:11: error: unknown language 'klingon-xx'" in err, err


@given(st.text(max_size=40), st.dictionaries(st.sampled_from(["name", "x"]), st.text(max_size=10)))
def test_filling_a_message_never_raises_once_it_parses(text: str, values: dict[str, str]) -> None:
    try:
        message_placeholders(text)
    except ValueError:
        return  # the catalogue check refuses it
    strings = Strings("de", {"k": text, "p": {"one": text, "other": text}})
    assert isinstance(strings.text("k", **values), str) and isinstance(strings.text("p", 2), str)


def test_a_fixed_word_is_put_in_place_when_a_template_is_compiled(tmp_path: Path) -> None:
    env = create_environment(str(tmp_path), THEME_DIR)
    env.globals["_"] = word_function(Strings("de", {"nav.home": "Start & Ziel", "n": {"one": "{count} Ding", "other": "{count} Dinge"}}))
    source = '{{ _("nav.home") }}|{{ x._("nav.home") }}|{{ _("n", 2) }}|{{ _("nav.home")|upper }}'
    code = env.compile(source, raw=True)
    assert "Start &amp; Ziel" in code and code.count("'nav.home'") == 1, "only the plain call is put in place"
    assert (
        env.from_string(source).render(x=SimpleNamespace(_=lambda key: f"<{key}>"))
        == "Start &amp; Ziel|&lt;nav.home&gt;|2 Dinge|START &AMP; ZIEL"
    )


def test_a_languages_babel_locale_is_made_once() -> None:
    """Each date a build writes for the first time asks for the locale: made anew, it cost 0.1 ms a date."""
    from blogkit.core.strings import babel_locale

    assert babel_locale("pt-BR") is babel_locale("pt-BR") is not None
    assert babel_locale("xx-nonsense") is None
