"""Template syntax of old posts: the common shortcodes translated, the rest kept as text and reported at its line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blogkit.migrate.links import OldLinks, rewrite_links
from blogkit.migrate.model import OldSite
from blogkit.migrate.shortcodes import Translator


def translate(generator: str, text: str, params: dict | None = None) -> tuple[str, list[str]]:
    site = OldSite(generator, "/old", "Old", "https://old.example/", params=params or {})
    found = lambda ref, _where: None if "gone" in ref else "content/" + ref.lstrip("/").removeprefix("content/")  # noqa: E731
    made = Translator(site, found).body(generator, text, "a.md", 5)
    return made, [f"{p.location}: {p.message}" for p in site.problems]


@pytest.mark.parametrize(
    ("generator", "written", "expected"),
    [
        ("hugo", "{{< youtube w7Ft2ymGmfc >}}", "[Watch the video on YouTube](https://www.youtube.com/watch?v=w7Ft2ymGmfc)"),
        ("hugo", '{{< youtube id="w7Ft2ymGmfc" >}}', "[Watch the video on YouTube](https://www.youtube.com/watch?v=w7Ft2ymGmfc)"),
        ("hugo", "{{< gist spf13 7896402 >}}", "[See the gist spf13/7896402](https://gist.github.com/spf13/7896402)"),
        (
            "hugo",
            '{{< tweet user="SanDiegoZoo" id="1453110110599868418" >}}',
            "[See the post on X](https://x.com/SanDiegoZoo/status/1453110110599868418)",
        ),
        ("hugo", '{{< figure src="a.png" alt="A" title="T" >}}', '![A](a.png "T")'),
        ("hugo", "{{% param version %}}", "2.4"),
        ("hugo", '{{< param "nested.key" >}}', "deep"),
        ("hugo", "{{</* youtube x */>}}", "{{< youtube x >}}"),
        ("hugo", '[x]({{< relref "/blog/a.md#h" >}})', "[x](import-source:content/blog/a.md#h)"),
        ("hugo", "{{< highlight python >}}\nprint(1)\n{{< /highlight >}}", "```python\nprint(1)\n```"),
        ("zola", '{{ youtube(id="abc") }}', "[Watch the video on YouTube](https://www.youtube.com/watch?v=abc)"),
        ("zola", '{{ gist(url="https://gist.github.com/a/1") }}', "[See the gist](https://gist.github.com/a/1)"),
        ("zola", "[x](@/blog/a.md#h)", "[x](import-source:content/blog/a.md#h)"),
        ("jekyll", "{% highlight ruby %}\nputs 1\n{% endhighlight %}", "```ruby\nputs 1\n```"),
        ("jekyll", "{{ site.version }}", "2.4"),
        ("jekyll", "{% raw %}{{ kept }}{% endraw %}", "{{ kept }}"),
        ("jekyll", "Read\n<!--more-->\nmore", "Read\n<!-- more -->\nmore"),
    ],
)
def test_common_syntax_becomes_markdown(generator, written, expected):
    made, problems = translate(generator, written, {"version": "2.4", "nested": {"key": "deep"}})
    if generator == "jekyll" and "kept" in written:
        assert problems == ["a.md:5: the Liquid output '{{ kept }}' cannot be translated; it is kept as text"]
    else:
        assert problems == []
    assert made == expected


def test_what_cannot_be_translated_is_kept_and_reported_at_its_line():
    made, problems = translate("hugo", "One\n\nTwo {{< alert >}}Careful{{< /alert >}}\n\n```\n{{< alert >}}\n```\n")
    assert "Two {{< alert >}}Careful{{< /alert >}}" in made
    assert problems == ["a.md:7: the shortcode '{{< alert >}}' cannot be translated; it is kept as text"]  # not the one in code


def test_a_reference_to_nothing_is_reported():
    made, problems = translate("zola", "See [it](@/blog/gone.md).\n")
    assert made == "See [it](content/blog/gone.md).\n"
    assert problems == ["a.md:5: the reference 'content/blog/gone.md' names no page of the old site"]


@given(st.sampled_from(["zola", "hugo", "jekyll"]), st.text(alphabet=st.sampled_from(list("{}<>%/*#[]()@!-_=\"' \nab.:")), max_size=80))
def test_translation_never_raises_on_any_text(generator, text):
    made, _ = translate(generator, text)
    assert isinstance(made, str)


@given(st.text(alphabet=st.sampled_from(list("[]()<>#/.:-ab \n`~")), max_size=80))
def test_link_rewriting_never_raises_on_any_text(text):
    links = OldLinks("https://old.example/", {}, {}, {}, frozenset())
    body, broken = rewrite_links(
        text, new_file="posts/a/x.md", old_source="content/x.md", old_url="/x/", bundle_files=frozenset(), links=links,
        first_line=1, report=lambda *_: None,
    )  # fmt: skip
    assert isinstance(body, str) and broken >= 0
