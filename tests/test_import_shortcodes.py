"""Template syntax of old posts: the common shortcodes translated, the rest kept as text and reported at its line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from importing import strict_build

from blogkit.migrate.links import OldLinks, rewrite_links
from blogkit.migrate.model import OldSite
from blogkit.migrate.shortcodes import Translator
from conftest import run_cli, write_site


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
        ("hugo", '{{< figure src="a.png" >}}Our  new\nconsole{{< /figure >}}', "![Our new console](a.png)\n\n*Our new console*"),
        ("hugo", '{{% figure src="a.png" alt="A" %}}Our *new* console{{% /figure %}}', "![A](a.png)\n\n*Our *new* console*"),
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


def test_a_paired_figure_keeps_the_lines_after_it_where_they_were():
    made, problems = translate("hugo", '{{< figure src="a.png" >}}\nA long\ncaption\n{{< /figure >}}\n{{< alert >}}\n<script>x</script>\n')
    assert made.startswith("![A long caption](a.png)\n\n*A long caption*\n\n{{< alert >}}\n")
    assert problems == [
        "a.md:9: the shortcode '{{< alert >}}' cannot be translated; it is kept as text",
        "a.md:10: the post's <script> is not kept",
    ]


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


# -- the site's own shortcodes and includes that wrap one image or video -------------------------------

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>\n'
HUGO_WRAPPERS = {
    "hugo.toml": 'baseURL = "https://old.example/"\ntitle = "Old"\ntheme = "plain"\n[params]\nauthor = "Ana Lima"\n',
    "layouts/shortcodes/shot.html": (
        '{{/* a screenshot */}}\n<figure class="shot">\n  <a href="{{ .Get "src" | relURL }}">\n'
        '    <img src="{{ .Get "src" | relURL }}" alt="{{ .Get "alt" }}" loading="lazy">\n  </a>\n'
        '  {{ with .Get "caption" }}<figcaption><p>{{ . | markdownify }}</p></figcaption>{{ end }}\n</figure>\n'
    ),
    "layouts/shortcodes/pic.html": '<img src="/images/{{ index .Params 0 }}" alt="{{ .Get 1 }}">\n',
    "layouts/shortcodes/youtube.html": (
        '<div class="embed"><iframe src="//www.youtube.com/embed/{{ index .Params 0 }}" title="{{ .Get "title" }}" allowfullscreen>'
        "</iframe></div>\n"
    ),
    "layouts/shortcodes/empty.html": "",
    "layouts/shortcodes/linked.html": (
        '<figure>{{ with (.Get "link") }}<a href="{{ . }}">{{ end }}\n'
        '<img src="{{ .Get "src" }}" {{ with .Get "alt" }}alt="{{ . }}"{{ end }}>{{ if .Get "link" }}</a>{{ end }}\n'
        '{{ with (.Get "caption") }}<figcaption><p>{{ . | markdownify }}</p></figcaption>{{ end }}</figure>\n'
    ),
    "layouts/shortcodes/figure.html": '{{ $img := resources.Get (.Get "src") }}<img src="{{ $img.RelPermalink }}">\n',
    "themes/plain/layouts/shortcodes/diagram.html": '{{ $src := .Get "src" }}<p><img src="{{ $src }}" title="{{ .Get "title" }}"></p>\n',
    "themes/plain/layouts/shortcodes/pic.html": "<b>the theme's, shadowed by the site's</b>\n",
    "static/images/a.svg": SVG,
    "static/diagrams/flow.svg": SVG,
}


def _import_hugo_post(tmp_path, capsys, site: dict[str, str], body: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Import a Hugo site of `site`'s files and one post of `body`: the post as written, and the report."""
    files = {**site, "content/posts/a.md": f"---\ntitle: A\ndate: 2024-01-02\nauthor: Ana Lima\n---\n{body}"}
    source = write_site(tmp_path / "old", files, base=False)
    code, _, err = run_cli(["import", "hugo", str(source), str(tmp_path / "new")], capsys)
    assert code == 0, err
    return (tmp_path / "new/posts/ana-lima/2024-01-02-a.md").read_text(), err


def test_a_hugo_sites_own_image_and_video_shortcodes_become_markdown(tmp_path, capsys):
    body = (
        '{{< shot src="images/a.svg" alt="The console" caption="Our **new** console" >}}\n\n'
        '{{< pic a.svg "Plan A" >}}\n\n'
        '{{< diagram src="/diagrams/flow.svg" title="The flow" >}}\n\n'
        '{{< youtube w7Ft2ymGmfc title="Our talk" >}}\n\n'
        '{{< figure src="/images/a.svg" caption="Kept as Hugo\'s" >}}\n\n'
        "{{< empty >}}\n\n"
        '{{< linked src="/diagrams/flow.svg" link="https://old.example/" caption="Linked" >}}\n'
    )
    written, err = _import_hugo_post(tmp_path, capsys, HUGO_WRAPPERS, body)
    assert "![The console](/images/a.svg)\n\n*Our **new** console*" in written
    assert "![Plan A](/images/a.svg)" in written
    assert '![The flow](/diagrams/flow.svg "The flow")' in written
    assert "[Watch the video on YouTube: Our talk](https://www.youtube.com/watch?v=w7Ft2ymGmfc)" in written
    assert "![Kept as Hugo's](/images/a.svg)\n\n*Kept as Hugo's*" in written  # the site's own figure does more: Hugo's meaning
    assert "{{< empty >}}" in written
    assert "![](/diagrams/flow.svg)\n\n*Linked*" in written
    assert "content/posts/a.md:16: warning: the shortcode '{{< empty >}}' cannot be translated; it is kept as text" in err
    assert err.count("warning:") == 1
    strict_build(tmp_path / "new")


HUGO_PAIRED = {
    "hugo.toml": 'baseURL = "https://old.example/"\ntitle = "Old"\n[params]\nauthor = "Ana Lima"\n',
    "layouts/shortcodes/captioned.html": (
        '<figure class="captioned">\n  <img src="{{ .Get "src" | relURL }}" alt="{{ .Get "alt" }}">\n'
        "  <figcaption>{{ .Inner | markdownify }}</figcaption>\n</figure>\n"
    ),
    "layouts/shortcodes/shot.html": (
        '<figure><img src="{{ .Get 0 }}">{{ with .InnerDeindent }}<figcaption><p>{{ . }}</p></figcaption>{{ end }}</figure>\n'
    ),
    "layouts/shortcodes/pic.html": '{{ $caption := .Inner }}<div><img src="{{ .Get "src" }}"><p>{{ $caption }}</p></div>\n',
    "layouts/shortcodes/figure.html": '{{ $img := resources.Get (.Get "src") }}<img src="{{ $img.RelPermalink }}">{{ .Inner }}\n',
    "static/images/a.svg": SVG,
}


def test_a_hugo_sites_own_image_shortcodes_with_the_enclosed_text_as_caption_become_markdown(tmp_path, capsys):
    body = (
        '{{< captioned src="images/a.svg" alt="The console" >}}Our **new** console{{< /captioned >}}\n\n'
        '{{< shot "/images/a.svg" >}}\n  The plan,\n  on two lines\n{{< /shot >}}\n\n'
        '{{< pic src="/images/a.svg" >}}Plan B{{< /pic >}}\n\n'
        '{{< figure src="/images/a.svg" >}}Read as Hugo\'s{{< /figure >}}\n\n'
        '{{< captioned alt="No address" >}}Nothing to show{{< /captioned >}}\n'
    )
    written, err = _import_hugo_post(tmp_path, capsys, HUGO_PAIRED, body)
    assert "![The console](/images/a.svg)\n\n*Our **new** console*\n" in written
    assert "![](/images/a.svg)\n\n*The plan, on two lines*\n\n\n" in written  # as many lines as the call
    assert "![](/images/a.svg)\n\n*Plan B*\n" in written
    assert "![Read as Hugo's](/images/a.svg)\n\n*Read as Hugo's*\n" in written  # the site's own figure does more: Hugo's meaning
    assert '{{< captioned alt="No address" >}}Nothing to show{{< /captioned >}}' in written
    lines = [line.split("/old/", 1)[1] for line in err.splitlines() if "warning:" in line]
    assert lines == [
        "content/posts/a.md:17: warning: the shortcode '{{< captioned alt=\"No address\" >}}Nothing to show{{< /cap...' "
        "cannot be translated; it is kept as text"
    ]
    strict_build(tmp_path / "new")


def test_a_jekyll_include_of_a_figure_with_a_caption_or_of_a_player_becomes_markdown(tmp_path, capsys):
    files = {
        "_config.yml": "title: Old\nurl: https://old.example\n",
        "_includes/figure.html": (
            '<figure>\n  {% if include.link %}<a href="{{ include.link }}">{% endif %}\n'
            '  <img src="{{ site.baseurl }}{{ include.src | relative_url }}" alt="{{ include.alt }}">\n'
            "  {% if include.link %}</a>{% endif %}\n  <figcaption>{{ include.caption | markdownify }}</figcaption>\n</figure>\n"
        ),
        "_includes/vimeo.html": (
            '<div>\n<iframe src="https://player.vimeo.com/video/{{ include.id }}" title="{{ include.title }}"></iframe>\n</div>\n'
        ),
        "_includes/card.html": '<div class="card"><img src="{{ include.src }}"><p>Read more</p></div>\n',
        "_includes/embed.html": '<div class="embed"><iframe src="{{ include.url }}" title="{{ include.title }}"></iframe></div>\n',
        "_posts/2024-01-02-a.md": "---\ntitle: A\nauthor: ana\n---\n"
        '{% include figure.html src="/images/a.svg" alt="The console" caption="Our console" %}\n\n'
        '{% include vimeo.html id="4242" title="The demo" %}\n\n'
        '{% include card.html src="/images/a.svg" %}\n\n'
        '{% include embed.html url="https://www.youtube-nocookie.com/embed/AbCdEf123" title="Launch" %}\n\n'
        '{% include embed.html url="https://slides.example/deck" %}\n',
        "images/a.svg": SVG,
    }
    source = write_site(tmp_path / "old", files, base=False)
    code, _, err = run_cli(["import", "jekyll", str(source), str(tmp_path / "new")], capsys)
    assert code == 0, err
    written = (tmp_path / "new/posts/ana/2024-01-02-a.md").read_text()
    assert "![The console](/images/a.svg)\n\n*Our console*" in written
    assert "[Watch the video on Vimeo: The demo](https://vimeo.com/4242)" in written
    assert "_posts/2024-01-02-a.md:9: warning: the Liquid tag '{% include card.html" in err  # text beside the image: no wrapper
    assert "[Watch the video on YouTube: Launch](https://www.youtube.com/watch?v=AbCdEf123)" in written
    assert '_posts/2024-01-02-a.md:13: warning: the Liquid tag \'{% include embed.html url="https://slides.example/deck"' in err


# -- videos: a link the reader follows, its title when known; never dropped silently ---------------------


@pytest.mark.parametrize(
    ("generator", "written", "expected"),
    [
        (
            "hugo",
            '{{< youtube id="w7Ft2ymGmfc" title="Our talk" >}}',
            "[Watch the video on YouTube: Our talk](https://www.youtube.com/watch?v=w7Ft2ymGmfc)",
        ),
        (
            "hugo",
            '{{< vimeo id="146022717" title="A [draft] cut" >}}',
            "[Watch the video on Vimeo: A \\[draft\\] cut](https://vimeo.com/146022717)",
        ),
        ("zola", '{{ youtube(id="abc_12", title="Talk") }}', "[Watch the video on YouTube: Talk](https://www.youtube.com/watch?v=abc_12)"),
        (
            "hugo",
            '<iframe width="560" src="https://www.youtube-nocookie.com/embed/AbCdEf123?start=3" title="Demo day"></iframe>',
            "[Watch the video on YouTube: Demo day](https://www.youtube.com/watch?v=AbCdEf123)",
        ),
        (
            "zola",
            '<iframe data-src="https://player.vimeo.com/video/4242" loading="lazy"></iframe>',
            "[Watch the video on Vimeo](https://vimeo.com/4242)",
        ),
        (
            "zola",
            'See <iframe src="https://player.vimeo.com/video/4242" title="A cut"></iframe>',
            'See <a href="https://vimeo.com/4242">Watch the video on Vimeo: A cut</a>',
        ),
    ],
)
def test_videos_of_every_generator_become_links_with_their_title(generator, written, expected):
    made, problems = translate(generator, written)
    assert (made, problems) == (expected, [])


def test_a_video_that_cannot_be_kept_is_reported_at_its_line():
    made, problems = translate(
        "hugo", 'One\n\n{{< youtube >}}\n\n<iframe srcdoc="<p>hi</p>"></iframe>\n\n<iframe src="javascript:x"></iframe>\n'
    )
    assert "{{< youtube >}}" in made and "iframe" not in made
    assert problems == [
        "a.md:7: the shortcode '{{< youtube >}}' cannot be translated; it is kept as text",
        "a.md:9: the <iframe> without an address is not kept: blogkit's Markdown drops iframes",
        "a.md:11: the <iframe> of 'javascript:x' is not kept: blogkit's Markdown drops iframes",
    ]


def test_a_zola_sites_own_video_and_image_shortcodes_become_markdown(tmp_path, capsys):
    files = {
        "config.toml": 'base_url = "https://old.example"\ntitle = "Old"\n',
        "templates/shortcodes/video.html": '<div class="v">{# a player #}<iframe src="https://www.youtube.com/embed/{{ id }}" '
        'title="{{ title }}"></iframe></div>\n',
        "templates/shortcodes/fig.html": (
            '<figure><img src="{{ src }}" alt="{{ alt }}">\n'
            "{% if caption %}<figcaption>{{ caption | markdown(inline=true) | safe }}</figcaption>{% endif %}</figure>\n"
        ),
        "content/blog/_index.md": '+++\ntitle = "Blog"\n+++\n',
        "content/blog/2024-01-02-a.md": '+++\ntitle = "A"\n[taxonomies]\nauthors = ["Ana"]\n+++\n'
        '{{ video(id="w7Ft2ymGmfc", title="Our talk") }}\n\n{{ fig(src="/a.svg", alt="The console", caption="Our console") }}\n',
        "static/a.svg": SVG,
    }
    source = write_site(tmp_path / "old", files, base=False)
    code, _, err = run_cli(["import", "zola", str(source), str(tmp_path / "new")], capsys)
    assert code == 0, err
    written = (tmp_path / "new/posts/ana/2024-01-02-a.md").read_text()
    assert "[Watch the video on YouTube: Our talk](https://www.youtube.com/watch?v=w7Ft2ymGmfc)" in written
    assert "![The console](/a.svg)\n\n*Our console*" in written
    assert "warning:" not in err
    strict_build(tmp_path / "new")


# -- the site's own shortcodes that highlight the code they enclose ----------------------------------------


def test_a_hugo_sites_code_shortcodes_become_fenced_blocks_with_their_anchors_and_lines_stay_lines(tmp_path, capsys):
    files = {
        "hugo.toml": 'baseURL = "https://old.example/"\ntitle = "Old"\n',
        "layouts/shortcodes/code.html": '<div id="code-{{ .Get 1 }}">\n{{ highlight (trim .Inner "\\n") (.Get 0) "" }}\n</div>\n',
        "layouts/shortcodes/shown.html": (
            '{{ $lang := .Get 0 }}\n{{ $code := trim .Inner "\\n" }}\n{{ $code = replaceRE "(?m)^#[^\\n]*\\n" "" $code }}\n'
            '{{ highlight $code $lang "linenos=false" }}\n'
        ),
        "content/posts/a.md": "---\ntitle: A\ndate: 2024-01-02\nauthor: Ana Lima\n---\n"
        "See [main](#code-main).\n\n"
        "{{< code go main >}}\n\nfunc main() {}\n\n{{< /code >}}\n\n"
        '{{< shown "rust" >}}\n# hidden\nlet x = "{{ y }}";\n```\n{{< /shown >}}\n\n'
        "{{< shown sh >}}\n$ make\n{{< /shown >}}\n\n"
        "{{< alert >}}\n",
    }
    source = write_site(tmp_path / "old", files, base=False)
    code, _, err = run_cli(["import", "hugo", str(source), str(tmp_path / "new")], capsys)
    assert code == 0, err
    written = (tmp_path / "new/posts/ana-lima/2024-01-02-a.md").read_text()
    assert '<a id="code-main"></a>\n\n```go\nfunc main() {}\n```\n' in written
    assert '````rust\n# hidden\nlet x = "{{ y }}";\n```\n````\n' in written  # code is code: a longer fence, nothing in it translated
    assert "```sh\n$ make\n```\n" in written
    problems = [line for line in err.splitlines() if "warning:" in line]
    assert problems == [
        f"{source}/content/posts/a.md:24: warning: the shortcode '{{{{< alert >}}}}' cannot be translated; it is kept as text",
        f"{source}/layouts/shortcodes/shown.html:4: warning: the shortcode 'shown' changes the code before it shows it: its uses become "
        "fenced code blocks of their language, without the rest",
    ]
    strict_build(tmp_path / "new")  # the link to #code-main lands
