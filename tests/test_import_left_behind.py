"""What an import leaves on the old site: the pages of other sections and other languages. Links to
them become absolute links to the old site, reported once; the posts of other languages are counted."""

from __future__ import annotations

import pytest
from importing import strict_build

from conftest import run_cli, write_site

BASE = "https://rpc.example/"


def _post(title, day, body=""):
    return f"---\ntitle: {title}\ndate: {day}\n---\n{body or 'Text of ' + title + '.'}\n"


def _page(title, body=""):
    return f"---\ntitle: {title}\n---\n{body or 'Text of ' + title + '.'}\n"


def _import(tmp_path, capsys, files, *options):
    source = write_site(tmp_path / "old", files, base=False)
    code, _, err = run_cli(["import", "hugo", str(source), str(tmp_path / "new"), *options], capsys)
    assert code == 0, err
    return err


def test_links_to_pages_of_sections_not_imported_lead_to_the_old_site_and_are_reported_once(tmp_path, capsys):
    body = (
        'Read the [guide](/docs/guide/), the [install page]({{< ref "/docs/install" >}}#linux),\n'
        'the [same guide](../../docs/guide/) and the [FAQ]({{< relref "faq.md" >}}).\n'
        "The [other post](/blog/b/) is imported, and [nothing](/docs/gone/) was never there.\n"
    )
    files = {
        "hugo.toml": f'baseURL = "{BASE}"\ntitle = "RPC"\n',
        "content/blog/a.md": _post("A", "2024-01-02", body),
        "content/blog/b.md": _post("B", "2024-01-03"),
        "content/docs/guide.md": _page("Guide"),
        "content/docs/install.md": _page("Install"),
        "content/docs/faq.md": _page("FAQ"),
    }
    err = _import(tmp_path, capsys, files, "--section", "blog")
    made = (tmp_path / "new/posts/rpc/2024-01-02-a.md").read_text()  # no byline: the site's title
    assert f"[guide]({BASE}docs/guide/)" in made
    assert f"[install page]({BASE}docs/install/#linux)" in made
    assert f"[same guide]({BASE}docs/guide/)" in made
    assert f"[FAQ]({BASE}docs/faq/)" in made
    assert "[other post](2024-01-03-b.md)" in made
    assert "[nothing](/docs/gone/)" in made  # leads nowhere: kept, and reported on its own
    summary = [line.split("/old/", 1)[1] for line in err.splitlines() if "leaves behind" in line]
    assert summary == [
        "content/blog/a.md:5: warning: 4 links to pages the import leaves behind now lead to them on the old site, "
        f"{BASE}, by absolute URL: content/blog/a.md:5 (/docs/guide/), content/blog/a.md:5 (/docs/install/), "
        "content/blog/a.md:6 (/docs/faq/) and 1 more"
    ]
    assert "content/blog/a.md:7: warning: link '/docs/gone/' leads to no page of the old site either" in err
    strict_build(tmp_path / "new")


def test_an_import_of_one_language_counts_the_posts_of_each_other_and_links_to_them_on_the_old_site(tmp_path, capsys):
    config = (
        f'baseURL = "{BASE}"\ndefaultContentLanguage = "en"\n'
        '[languages.en]\ncontentDir = "content/en"\n[languages.fr]\ncontentDir = "content/fr"\n[languages.de]\ncontentDir = "content/de"\n'
    )
    files = {
        "hugo.toml": config,
        "content/en/blog/a.md": _post("A", "2024-01-02", "In [French](/fr/blog/a/), [its blog](/fr/blog/) and [docs](/fr/docs/x/)."),
        "content/fr/blog/_index.md": _page("Blog"),
        "content/fr/blog/a.md": _post("A fr", "2024-01-02"),
        "content/fr/blog/c.md": _post("C fr", "2024-01-05"),
        "content/fr/docs/x.md": _page("X"),  # not a post: a page of the docs
        "content/de/blog/d.md": _post("D de", "2024-01-06"),
    }
    err = _import(tmp_path, capsys, files)
    lines = [line.split("/old/", 1)[1] for line in err.splitlines() if "/old/" in line]
    assert "content/de/blog/d.md:1: warning: 1 post in the language 'de' is not imported: this import is of 'en'" in lines
    french = "content/fr/blog/a.md:1: warning: 2 posts in the language 'fr' (this one and 1 more) are not imported"
    assert f"{french}: this import is of 'en'" in lines
    assert "  hint: import them into another folder with --language fr" in err.splitlines()
    [made] = [p.read_text() for p in (tmp_path / "new/posts").rglob("*.md")]
    assert f"In [French]({BASE}fr/blog/a/), [its blog]({BASE}fr/blog/) and [docs]({BASE}fr/docs/x/)." in made
    strict_build(tmp_path / "new")


def test_languages_told_by_file_names_are_counted_and_the_default_ones_linked_without_a_prefix(tmp_path, capsys):
    config = f'baseURL = "{BASE}"\ndefaultContentLanguage = "en"\n[languages.en]\nweight = 1\n[languages.fr]\nweight = 2\n'
    files = {
        "hugo.toml": config,
        "content/blog/a.md": _post("A", "2024-01-02"),
        "content/blog/b.en.md": _post("B", "2024-01-03"),  # the default language, written out
        "content/blog/a.fr.md": _post("A fr", "2024-01-02", "La [version anglaise](/blog/a/), la [B](/blog/b/)."),
    }
    err = _import(tmp_path, capsys, files, "--language", "fr")
    lines = [line.split("/old/", 1)[1] for line in err.splitlines() if "/old/" in line]
    english = "content/blog/a.md:1: warning: 2 posts in the language 'en' (this one and 1 more) are not imported"
    assert f"{english}: this import is of 'fr'" in lines
    [made] = (tmp_path / "new/posts").rglob("*.md")
    assert f"La [version anglaise]({BASE}blog/a/), la [B]({BASE}blog/b/)." in made.read_text()
    assert "aliases:\n- /fr/blog/a/\n" in made.read_text()
    strict_build(tmp_path / "new")


def test_a_languages_own_permalinks_replace_the_sites_for_its_old_urls_and_the_links_to_it(tmp_path, capsys):
    config = (
        f'baseURL = "{BASE}"\ndefaultContentLanguage = "en"\n[permalinks]\nblog = "/:year/:slug/"\nnews = "/n/:slug/"\n'
        '[languages.en]\ncontentDir = "content/en"\n[languages.fr]\ncontentDir = "content/fr"\n'
        '[languages.fr.permalinks]\nblog = "/articles/:slug/"\n'  # Hugo: news has no pattern in French
    )
    files = {
        "hugo.toml": config,
        "content/en/blog/a.md": _post("A", "2024-01-02", "In [French](/fr/articles/a-fr/), [news](/fr/news/n/)."),
        "content/fr/blog/a.md": _post("A fr", "2024-01-02", "In [English](/2024/a/)."),
        "content/fr/news/n.md": _post("N fr", "2024-01-03"),
    }
    _import(tmp_path, capsys, files, "--language", "fr", "--section", "blog")
    [made] = (tmp_path / "new/posts").rglob("*.md")
    assert "aliases:\n- /fr/articles/a-fr/\n" in made.read_text()
    assert f"In [English]({BASE}2024/a/)." in made.read_text()
    english = tmp_path / "en"
    code, _, err = run_cli(["import", "hugo", str(tmp_path / "old"), str(english), "--section", "blog"], capsys)
    assert code == 0, err
    [made] = (english / "posts").rglob("*.md")
    assert f"In [French]({BASE}fr/articles/a-fr/), [news]({BASE}fr/news/n/)." in made.read_text()
    assert "aliases:\n- /2024/a/\n" in made.read_text()


_ELSEWHERE = {  # a post linking to a page of the old site that an import of one section leaves behind
    "jekyll": (
        {
            "_config.yml": f"url: {BASE.rstrip('/')}\ntitle: RPC\npermalink: /:categories/:title/\n",
            "_posts/2024-01-02-a.md": "---\ntitle: A\ncategories: [blog]\n---\nSee [the release](/releases/r1/).\n",
            "_posts/2024-01-03-r1.md": "---\ntitle: R1\ncategories: [releases]\n---\nReleased.\n",
        },
        "blog",
        "_posts/2024-01-02-a.md:5",
        "/releases/r1/",
    ),
    "zola": (
        {
            "config.toml": f'base_url = "{BASE.rstrip("/")}"\ntitle = "RPC"\n',
            "content/blog/_index.md": '+++\ntitle = "Blog"\n+++\n',
            "content/blog/a.md": '+++\ntitle = "A"\ndate = 2024-01-02\n+++\nSee [the guide](@/docs/guide.md).\n',
            "content/docs/_index.md": '+++\ntitle = "Docs"\n+++\n',
            "content/docs/guide.md": '+++\ntitle = "Guide"\n+++\nHow.\n',
        },
        "blog",
        "content/blog/a.md:5",
        "/docs/guide/",
    ),
}


@pytest.mark.parametrize("generator", sorted(_ELSEWHERE))
def test_jekyll_and_zola_links_to_pages_left_behind_lead_to_the_old_site_and_are_reported_once(generator, tmp_path, capsys):
    files, section, where, path = _ELSEWHERE[generator]
    source = write_site(tmp_path / "old", files, base=False)
    code, _, err = run_cli(["import", generator, str(source), str(tmp_path / "new"), "--section", section], capsys)
    assert code == 0, err
    [made] = [p.read_text() for p in (tmp_path / "new/posts").rglob("*.md")]
    assert f"({BASE.rstrip('/')}{path})" in made
    summary = [line.split("/old/", 1)[1] for line in err.splitlines() if "leaves behind" in line]
    assert summary == [
        f"{where}: warning: 1 link to a page the import leaves behind now leads to it on the old site, {BASE}, "
        f"by absolute URL: {where} ({path})"
    ]
    strict_build(tmp_path / "new")


def test_a_zola_import_of_one_language_counts_the_pages_of_each_other(tmp_path, capsys):
    files = {
        "config.toml": f'base_url = "{BASE}"\ntitle = "RPC"\ndefault_language = "en"\n[languages.fr]\n[languages.de]\n',
        "content/_index.md": '+++\ntitle = "RPC"\n+++\n',
        "content/2024-01-02-a.md": '+++\ntitle = "A"\n+++\nText.\n',
        "content/2024-01-02-a.fr.md": '+++\ntitle = "A, en français"\n+++\nTexte.\n',
        "content/2024-01-03-b.fr.md": '+++\ntitle = "B"\n+++\nTexte.\n',
        "content/2024-01-03-b.de.md": '+++\ntitle = "B, auf Deutsch"\n+++\nText.\n',
    }
    source = write_site(tmp_path / "old", files, base=False)
    code, _, err = run_cli(["import", "zola", str(source), str(tmp_path / "new")], capsys)
    assert code == 0, err
    lines = [line.split("/old/", 1)[-1] for line in err.splitlines()]
    assert (
        "content/2024-01-02-a.fr.md:1: warning: 2 posts in the language 'fr' (this one and 1 more) are not imported: this import is of 'en'"
        in lines
    )
    assert "content/2024-01-03-b.de.md:1: warning: 1 post in the language 'de' is not imported: this import is of 'en'" in lines
    code, _, err = run_cli(["import", "zola", str(source), str(tmp_path / "new-fr"), "--language", "fr"], capsys)
    assert code == 0, err
    assert "content/2024-01-02-a.md:1: warning: 1 post in the language 'en' is not imported: this import is of 'fr'" in err.replace(
        str(source) + "/", ""
    )
    strict_build(tmp_path / "new")
