"""The reliability catalogue (`../shared/research/reliability.md`): a test per P0 and P1 entry, named
after its id. Entries covered in depth elsewhere are pinned here by their essential case."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from blogkit.core.diagnostics import ConfigError
from blogkit.core.outputs import CopyFile
from conftest import REPO, build, diagnostics, post, run_cli, tree_bytes

P = "posts/ada/2026-03-01-hello.md"


def page(result, path: str) -> str:
    content = result.outputs.files[path].content
    assert isinstance(content, bytes)
    return content.decode("utf-8")


def cli(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "blogkit", *args], capture_output=True, text=True, env=env, timeout=120, **kwargs)


# -- I. invariants ------------------------------------------------------------------------------


def test_I1_every_problem_of_a_build_is_located_quoted_and_hinted_all_at_once(site, capsys):
    root = site(
        {
            P: post("title: A\ndate: someday\n"),
            "posts/ada/2026-03-02-two.md": post("title: Two\n", "See [plan](nowhere.md).\n"),
            "posts/ada/2026-03-03-three.md": "no front matter here\n",
        }
    )
    code, out, err = run_cli(["build", str(root)], capsys)
    assert code == 1 and "Traceback" not in err and out == ""
    for where in (f"{P}:3:7: error:", "posts/ada/2026-03-02-two.md:4:12: error:", "posts/ada/2026-03-03-three.md:1:1: error:"):
        assert where in err, (where, err)
    block = err[err.index(f"{P}:3:7: error:") :].splitlines()
    assert block[1:3] == ["  | date: someday", "  |       ^"] and block[3].startswith("  hint: ")
    code, out, _ = run_cli(["build", str(root), "--format", "json"], capsys)
    found = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and len(found) == 3 and all({"path", "line", "column", "severity", "message"} <= set(d) for d in found)


def test_I2_exit_codes_say_who_can_fix_it(site, capsys, tmp_path):
    root = site({P: post("title: A\nimage: https://img.example/a.png\n")})  # a cover without image_alt: a warning
    assert run_cli(["build", str(root), "-o", str(tmp_path / "ok")], capsys)[0] == 0
    assert run_cli(["build", str(root), "-o", str(tmp_path / "strict"), "--strict"], capsys)[0] == 1
    (root / "blogkit.yaml").write_text("title: Hub\nbase_url: https://hub.example/\nunknown: 1\n")
    assert run_cli(["build", str(root)], capsys)[0] == 2
    assert run_cli(["build", str(tmp_path / "no-such-site")], capsys)[0] == 2


# -- A. reading files and front matter ---------------------------------------------------------


@pytest.mark.parametrize(
    "front, where",
    [
        ("title: The question: Will this build\n", ":2:20:"),
        ("title: A\ntags: [a, b\n", ":4:1:"),
        ("title: 'unclosed\n", ":3:1:"),
    ],
)
def test_FM_03_invalid_yaml_is_a_located_error(site, front, where):
    result = build(site({P: post(front)}))
    assert any(where in d and "invalid YAML" in d for d in diagnostics(result)), diagnostics(result)


@pytest.mark.parametrize(
    "front",
    [
        "title: A\ndate: 2019-02-30\n",
        "title: A\ndate: 2019-08-08T25:00:00\n",
        "title: A\nx: " + "[" * 100_000 + "\n",
        "title: A\n? [a, b]\n: 1\n",
    ],
)
def test_FM_04_yaml_that_fails_beyond_yamlerror_is_a_located_error(site, capsys, front):
    code, _, err = run_cli(["check", str(site({P: post(front)}))], capsys)
    assert code == 1 and f"{P}:" in err and "Traceback" not in err


def test_FM_05_yaml_tags_never_run(site, tmp_path):
    marker = tmp_path / "ran"
    result = build(site({P: post(f"title: !!python/object/apply:os.system ['touch {marker}']\n")}))
    assert any("YAML tags are not allowed" in d for d in diagnostics(result)) and not marker.exists()


def test_FM_06_alias_bombs_cost_what_they_weigh(site):
    bomb = "title: A\nextra:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for n, name in enumerate("bcdefghij"):
        bomb += f"  {name}: &{name} [" + ", ".join([f"*{'abcdefghij'[n]}"] * 10) + "]\n"
    result = build(site({P: post(bomb)}))
    assert not result.report.errors


def test_FM_07_huge_files_are_refused_before_parsing(site):
    result = build(site({P: "---\ntitle: A\n---\n" + "x" * (5 * 1024 * 1024)}))
    assert f"{P}: error: file is 5.0 MiB; the limit is 2.0 MiB (limits.file_bytes in blogkit.yaml)" in diagnostics(result)


def test_FM_07_huge_front_matter_is_refused_before_parsing(site):
    keys = "".join(f"k{i}: {'v' * 20}\n" for i in range(20_000))
    result = build(site({P: f"---\ntitle: A\n{keys}---\nText.\n"}))
    expected = f"{P}:2:1: error: front matter is 555 KiB; the limit is 64 KiB (limits.front_matter_bytes in blogkit.yaml)"
    assert expected in diagnostics(result)


def test_FM_07_huge_single_values_are_located_errors(site):
    long_title = "T" * 301
    result = build(
        site(
            {
                P: post(f"title: {long_title}\nsummary: {'s' * 16385}\ntags: [{', '.join(f't{i}' for i in range(201))}]"),
                "pages/about.md": post("title: About\nextra:\n  notes:\n    - " + "n" * 16385),
            }
        )
    )
    found = diagnostics(result)
    assert f"{P}:3:10: error: this text is 16385 characters; the limit is 16384 (limits.text_chars in blogkit.yaml)" in found
    assert f"{P}:4:7: error: this list has 201 items; the limit is 200 (limits.list_items in blogkit.yaml)" in found
    assert "pages/about.md:5:7: error: this text is 16385 characters; the limit is 16384 (limits.text_chars in blogkit.yaml)" in found
    assert not any("the title is" in d for d in found), "a post whose front matter is refused is not checked further"
    result = build(site({P: post(f"title: {long_title}")}))
    assert f"{P}:2:8: error: the title is 301 characters; the limit is 300 (limits.title_chars in blogkit.yaml)" in diagnostics(result)


def test_FM_07_limits_are_set_in_the_config(site):
    config = "title: Hub\nbase_url: https://example.com/\nlimits:\n  title_chars: 400\n  list_items: 300\n"
    tags = ", ".join(f"t{i}" for i in range(201))
    result = build(site({"blogkit.yaml": config, P: post(f"title: {'T' * 301}\ntags: [{tags}]")}))
    assert not result.report.errors
    with pytest.raises(ConfigError) as raised:
        build(site({"blogkit.yaml": config + "  pages: 3\n", P: post("title: A")}))
    assert "unknown key 'pages' in the limits section" in str(raised.value.diagnostics)


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"---\ntitle: caf\xe9\n---\nx\n", f"{P}:2:11: error: file is not valid UTF-8"),
        ("---\ntitle: A\n---\nok\n".encode("utf-16"), f"{P}:1:1: error: file is UTF-16, not UTF-8"),
        (b"---\ntitle: A\n---\nx\x00y\n", f"{P}:4:2: error: file contains a NUL character"),
    ],
)
def test_FM_13_encodings_are_located_errors(site, data, expected):
    assert expected in diagnostics(build(site({P: data})))


def test_FM_13_a_byte_order_mark_changes_nothing(site, tmp_path):
    plain = build(site({P: b"---\ntitle: A\n---\nok\n"}))
    with_bom = build(site({P: b"\xef\xbb\xbf---\ntitle: A\n---\nok\n"}))
    assert page(plain, "2026/03/hello/index.html") == page(with_bom, "2026/03/hello/index.html")


def test_FM_14_line_endings_give_identical_output_and_lines(site):
    text = "---\ntitle: A\ndate: May 2nd\n---\nok\n"
    outcomes = set()
    for newline in ("\n", "\r\n", "\r"):
        result = build(site({P: text.replace("\n", newline).encode()}))
        outcomes.add(tuple(diagnostics(result)))
    assert len(outcomes) == 1 and f"{P}:3:7: error: 'date' must be a date like 2026-03-01, got 'May 2nd'" in next(iter(outcomes))


# -- B. identity: slugs, permalinks, paths ----------------------------------------------------


def test_ID_01_duplicate_permalinks_across_engineers_are_errors(site):
    files = {P: post("title: A\n"), "authors/bob.yaml": "name: Bob\n", "posts/bob/2026-03-09-hello.md": post("title: B\n")}
    result = build(site(files))
    assert any("/2026/03/hello/index.html is also written by" in d for d in diagnostics(result))


def test_ID_01_a_file_that_is_not_a_route_collides_by_the_same_rule(tmp_path):
    """A search index's files reach the output tree without being routes: the tree's guard decides
    that two paths are one file as the routes do (case and Unicode form too), with the same words,
    at the user's own file; a streaming tree refuses them before writing anything."""
    from blogkit.core.diagnostics import Location, Report
    from blogkit.core.outputs import OutputTree
    from blogkit.publish.write import StagingTree

    for make in (OutputTree, lambda report: StagingTree(report, str(tmp_path / "public"))):
        report = Report()
        tree = make(report)
        tree.add("pagefind/a.js", b"yours", Location("static/pagefind/a.js"))
        tree.add("Pagefind/A.js", b"index", Location("(search)"))
        tree.add("pagefind/a.js", b"index", Location("(search)"))
        assert [f"{d.location}: {d.message}" for d in report.errors] == [
            "static/pagefind/a.js: /Pagefind/A.js differs only by case or Unicode form from /pagefind/a.js, "
            "written by blogkit's own search",
            "static/pagefind/a.js: /pagefind/a.js is also written by blogkit's own search",
        ]
        assert list(tree.files) == ["pagefind/a.js"]
        if isinstance(tree, StagingTree):
            assert sorted(str(p.relative_to(tree.folder)) for p in Path(tree.folder).rglob("*")) == ["pagefind", "pagefind/a.js"]
            tree.discard()


@pytest.mark.parametrize("alias", ["/../../etc/passwd", "//evil.example/x", "/a\\b", "/old/%2e%2e/x", "/.git/config", "/con.html"])
def test_ID_04_aliases_never_leave_or_hide_in_the_output(site, alias):
    result = build(site({P: post(f"title: A\naliases: ['{alias}']\n")}))
    assert any("is not a URL path this site can publish" in d for d in diagnostics(result)), diagnostics(result)


@pytest.mark.parametrize("out", [".", "posts", "static/out"])
def test_ID_05_dangerous_output_folders_are_refused(site, capsys, out):
    root = site({P: post("title: A\n")})
    code, _, err = run_cli(["build", str(root), "-o", str(root / out)], capsys)
    assert code == 2 and "refusing" in err


# -- C. Markdown and HTML ----------------------------------------------------------------------


def test_MD_01_raw_script_is_removed_by_default(site):
    result = build(site({P: post("title: A\n", "<script>alert(1)</script>\n\n<p onclick='x()'>hi</p>\n")}))
    html = page(result, "2026/03/hello/index.html")
    assert "alert(1)" not in html and "onclick" not in html and "<p>hi</p>" in html


@pytest.mark.parametrize(
    "link", ["[x](javascript:alert(1))", "![x](javascript:alert(1))", "<javascript:alert(1)>", "[x](JaVaScRiPt:alert(1))"]
)
def test_MD_02_dangerous_url_schemes_never_become_links(site, link):
    html = page(build(site({P: post("title: A\n", link + "\n")})), "2026/03/hello/index.html")
    assert 'href="javascript:' not in html.lower() and 'src="javascript:' not in html.lower()


@pytest.mark.parametrize("text", ["*a **a " * 20000 + "b" + " a** a*" * 20000, "[" * 20000 + "a" + "]" * 20000, "> " * 20000 + "a"])
def test_MD_04_pathological_markdown_finishes(site, tmp_path, text):
    root = site({P: post("title: A\n", text)})
    done = cli(["build", str(root), "-q", "-j", "1", "--no-cache", "-o", str(tmp_path / "out")])
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr


def test_MD_04_a_post_over_the_render_budget_is_a_located_error_and_the_rest_builds(site, tmp_path):
    """A 2,000-column table takes markdown-it seconds: over a one-second budget its worker is
    stopped, the post is an error at its body's first line, and every other post renders."""
    table = "| " + " | ".join(f"c{i}" for i in range(2000)) + " |\n|" + "---|" * 2000 + "\n"
    table += ("| " + " | ".join("x" for _ in range(2000)) + " |\n") * 200
    config = "title: Hub\nbase_url: https://example.com/\nlimits:\n  render_seconds: 1\n"
    root = site({"blogkit.yaml": config, P: post("title: A\n", table), "posts/ada/2026-03-02-fine.md": post("title: Fine\n")})
    done = cli(["build", str(root), "-j", "2", "--no-cache", "-o", str(tmp_path / "out")])
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert (
        f"{P}:4: error: rendering this Markdown took longer than 1 s (limits.render_seconds in blogkit.yaml), and was stopped"
        in done.stderr
    )
    assert done.stderr.count(": error:") == 1, "the other post rendered"


def test_MD_04_a_worker_stuck_in_c_code_is_stopped_from_outside() -> None:
    """A catastrophic regular expression holds the interpreter inside C code, where no alarm
    reaches it: only stopping its process from outside ends it. The other items go on."""
    from blogkit.engine.workers import OverBudget, map_with_budget

    results = map_with_budget(_backtrack, list(range(6)), 2, 0.5)
    assert results[:3] == [0, 1, 4] and results[4:] == [16, 25]
    assert isinstance(results[3], OverBudget) and not results[3].died


def test_MD_04_a_worker_that_dies_loses_only_its_item() -> None:
    from blogkit.engine.workers import OverBudget, map_with_budget

    results = map_with_budget(_dies_on_two, list(range(5)), 1, 10)
    assert results[:2] == [0, 1] and results[3:] == [3, 4]
    assert isinstance(results[2], OverBudget) and results[2].died


def test_MD_04_a_bug_in_a_worker_is_raised_with_its_traceback() -> None:
    from blogkit.engine.workers import map_with_budget

    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        map_with_budget(lambda i: 1 / i, [1, 0, 2], 1, 10)


def _backtrack(i: int) -> int:
    if i == 3:
        re.match(r"(a+)+$", "a" * 60 + "b")  # exponential backtracking, all of it in C
    return i * i


def _dies_on_two(i: int) -> int:
    if i == 2:
        os._exit(3)
    return i


def test_MD_05_content_past_the_nesting_limit_is_an_error(site):
    result = build(site({P: post("title: A\n", "> " * 60 + "deep\n")}))
    assert any("nested more than 50 levels deep" in d for d in diagnostics(result))


@pytest.mark.parametrize("info", ["nosuchlang", "python {onload=alert(1)}", '"><script>alert(1)</script>'])
def test_MD_07_unknown_or_hostile_fence_languages_are_plain_text(site, info):
    html = page(build(site({P: post("title: A\n", f"```{info}\nx = 1\n```\n")})), "2026/03/hello/index.html")
    assert "<script>alert" not in html and "x = 1" in re.sub(r"<[^>]+>", "", html)


# -- D. templates ------------------------------------------------------------------------------


def test_TPL_01_autoescaping_everywhere(site):
    result = build(site({P: post("title: '<b>bold</b> & <script>x</script>'\nsummary: '<i>s</i>'\n")}))
    home = page(result, "index.html")
    assert "<script>x</script>" not in home and "&lt;b&gt;bold&lt;/b&gt;" in home


def test_TPL_02_data_in_attributes_is_escaped(site):
    result = build(site({P: post("title: 'x\" onmouseover=\"alert(1)'\nimage: https://x.example/a.png\nimage_alt: 'a\" onerror=\"b'\n")}))
    html = page(result, "2026/03/hello/index.html")
    assert 'onmouseover="alert(1)"' not in html and 'onerror="b"' not in html


def test_TPL_03_script_end_tags_in_json_ld_are_escaped(site):
    html = page(build(site({P: post("title: '</script><script>alert(1)</script>'\n")})), "2026/03/hello/index.html")
    json_ld = html.split('type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<script>alert(1)" not in json_ld and "\\u003c/script" in json_ld.lower()


def test_TPL_04_post_text_is_never_a_template(site):
    result = build(site({P: post("title: '{{ config.root }}'\n", "{{ 7*7 }} {% raw %}x{% endraw %}\n")}))
    html = page(result, "2026/03/hello/index.html")
    assert "{{ 7*7 }}" in html and "49" not in html.split("<main", 1)[1] and "{{ config.root }}" in html


# -- E. feeds ------------------------------------------------------------------------------------


def test_FEED_01_xml_illegal_characters_never_reach_a_feed(site):
    result = build(site({P: post('title: "A\\x0bB\\uFFFE"\n', "Text \x0c here.\n")}))
    from xml.etree import ElementTree

    for name in ("feed.xml", "rss.xml"):
        ElementTree.fromstring(result.outputs.files[name].content)


def test_FEED_02_feeds_carry_absolute_links_and_stable_ids(site):
    result = build(site({P: post("title: A\nid: post-1\n")}))
    atom = page(result, "feed.xml")
    assert "<id>urn:blogkit:post-1</id>" in atom and 'href="https://hub.example/2026/03/hello/"' in atom


# -- F. build and publishing ----------------------------------------------------------------------


def test_BLD_01_a_failed_build_publishes_nothing(site, capsys):
    root = site({P: post("title: A\n")})
    assert run_cli(["build", str(root), "-q"], capsys)[0] == 0
    before = tree_bytes(root / "public")
    (root / P).write_text(post("title: A\ndate: May 2nd\n"))
    assert run_cli(["build", str(root), "-q"], capsys)[0] == 1
    assert tree_bytes(root / "public") == before


def test_BLD_02_deleted_and_drafted_posts_disappear(site, capsys):
    root = site({P: post("title: A\n"), "posts/ada/2026-03-02-b.md": post("title: B\n")})
    assert run_cli(["build", str(root), "-q"], capsys)[0] == 0
    (root / P).unlink()
    (root / "posts/ada/2026-03-02-b.md").write_text(post("title: B\ndraft: true\n"))
    assert run_cli(["build", str(root), "-q"], capsys)[0] == 0
    assert not (root / "public/2026/03/hello").exists() and not (root / "public/2026/03/b").exists()


def test_BLD_03_output_is_byte_identical_whatever_the_cache_or_jobs(site, tmp_path):
    root = site({f"posts/ada/2026-03-{d:02d}-p{d}.md": post(f"title: P{d}\ntags: [t{d % 3}]\n") for d in range(1, 20)})
    outs = []
    for name, extra in (("a", ["-j", "1", "--no-cache"]), ("b", ["-j", "2"]), ("c", ["-j", "2"])):
        done = cli(["build", str(root), "-q", "-o", str(tmp_path / name), *extra])
        assert done.returncode == 0, done.stderr
        outs.append(tree_bytes(tmp_path / name))
    assert outs[0] == outs[1] == outs[2]


def test_BLD_04_an_interrupted_build_leaves_the_previous_site(site, capsys, tmp_path):
    root = site({P: post("title: A\n")})
    assert run_cli(["build", str(root), "-q"], capsys)[0] == 0
    before = tree_bytes(root / "public")
    slow = (
        "import sys, time\nfrom blogkit.publish import write\nreal = write.StagingTree.write_only\n"
        "def slow(tree, path, data):\n    open(sys.argv[2], 'w').close(); time.sleep(30); real(tree, path, data)\n"
        "write.StagingTree.write_only = slow\nfrom blogkit.commands.cli import main\nsys.exit(main(['build', sys.argv[1], '-q']))\n"
    )
    marker = tmp_path / "writing"
    (root / P).write_text(post("title: Changed\n"))
    process = subprocess.Popen([sys.executable, "-c", slow, str(root), str(marker)], cwd=REPO)
    deadline = time.monotonic() + 20
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 143
    assert tree_bytes(root / "public") == before


@pytest.mark.parametrize("fork", ["map_ranges", "budgeted"])
def test_BLD_04_a_ctrl_c_that_lands_while_workers_are_forked_stops_the_command_without_a_traceback(fork, tmp_path):
    """A Ctrl-C raised inside os.fork() ran in an at-fork hook: Python printed "Exception ignored"
    with a traceback, then forgot the interrupt (CI saw it as `serve` ignoring its first Ctrl-C)."""
    script = (
        "import os, signal, sys, threading, time\nfrom blogkit.engine import workers\n"
        "threading.Thread(target=time.sleep, args=(60,), daemon=True).start()  # as serve has: the signal may reach any thread\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "os.register_at_fork(after_in_parent=lambda: os.kill(os.getpid(), signal.SIGINT))\n"
        "try:\n"
        "    if sys.argv[1] == 'map_ranges':\n"
        "        workers.map_ranges(lambda items: list(items), list(range(100)), 2, min_items=1)\n"
        "    else:\n"
        "        with workers.BudgetPool(len, 2, 30) as pool:\n"
        "            pool.map(['a', 'bb'])\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted')\n"
    )
    done = subprocess.run([sys.executable, "-c", script, fork], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.stdout == "interrupted\n" and "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr


def test_BLD_04_a_child_forked_in_the_moment_of_a_ctrl_c_is_stopped_with_the_command() -> None:
    """The Ctrl-C held while forking arrives just after the fork, before the caller has the child
    to stop: the child is stopped there, not left running (the search index's was left to finish)."""
    script = (
        "import os, signal, time\nfrom blogkit.engine import children\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "os.register_at_fork(after_in_parent=lambda: os.kill(os.getpid(), signal.SIGINT))\n"
        "try:\n"
        "    children.fork_child(lambda pipe: time.sleep(60))\n"
        "except KeyboardInterrupt:\n"
        "    try:\n"
        "        os.waitpid(-1, os.WNOHANG)\n"
        "        print('a child is left')\n"
        "    except ChildProcessError:\n"
        "        print('interrupted')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.stdout == "interrupted\n" and not done.stderr, done.stderr


def test_BLD_04_workers_are_not_waited_for_once_their_work_is_done_and_are_reaped_after() -> None:
    """The end of a forked copy of a large build takes the kernel tens of milliseconds: `map_ranges`
    and a budget pool return without waiting for it, and the ended workers are reaped by the next
    fork or the build's end, so that none is left a zombie for long."""
    script = (
        "import os\nfrom blogkit.engine import children, workers\n"
        "assert workers.map_ranges(lambda items: [i * 2 for i in items], list(range(100)), 2, min_items=1) == list(range(0, 200, 2))\n"
        "first = [child.pid for child in children._STOPPED]\n"
        "with workers.BudgetPool(len, 2, 30) as pool:\n"
        "    assert pool.map(['a', 'bb']) == [1, 2]\n"
        "second = [child.pid for child in children._STOPPED]\n"
        "children.reap_stopped(wait=True)\n"
        "left = []\n"
        "for pid in set(first + second):\n"
        "    try:\n"
        "        os.waitpid(pid, os.WNOHANG)\n"
        "        left.append(pid)\n"
        "    except ChildProcessError:\n"
        "        pass\n"
        "print(len(first), len(second) >= 2, len(children._STOPPED), left)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.stdout == "2 True 0 []\n", done.stdout + done.stderr


def test_BLD_05_a_write_error_is_an_environment_error_and_keeps_the_old_site(site, capsys, monkeypatch):
    from blogkit.publish import write

    root = site({P: post("title: A\n")})
    assert run_cli(["build", str(root), "-q"], capsys)[0] == 0
    before = tree_bytes(root / "public")

    def full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(write.StagingTree, "write_only", full)
    code, _, err = run_cli(["build", str(root)], capsys)
    assert code == 3 and "No space left on device" in err and tree_bytes(root / "public") == before


def test_BLD_06_an_unwritable_output_place_is_an_environment_error(site, capsys, tmp_path):
    root = site({P: post("title: A\n")})
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, _, err = run_cli(["build", str(root), "-o", str(blocker / "out")], capsys)
    assert code == 3 and "cannot write the output" in err and "Traceback" not in err


def test_BLD_07_symlinks_out_of_the_site_are_never_published(site, tmp_path):
    secret = tmp_path / "secret.env"
    secret.write_text("TOKEN=hunter2\n")
    root = site({P: post("title: A\n")})
    (root / "static").mkdir()
    (root / "static" / "env").symlink_to(secret)
    result = build(root)
    assert any("outside the site folder" in d for d in diagnostics(result))
    assert "env" not in result.outputs


def test_BLD_08_a_second_concurrent_build_is_refused(site, capsys):
    from blogkit.publish.write import SiteLocked, site_lock

    root = site({P: post("title: A\n")})
    with site_lock(str(root)):
        code, _, err = run_cli(["build", str(root)], capsys)
        with pytest.raises(SiteLocked):
            with site_lock(str(root)):
                pass
    assert code == 3 and "another blogkit build" in err


def test_BLD_09_drafts_and_future_posts_stay_out_of_a_build(site):
    files = {P: post("title: A\ndraft: true\n"), "posts/ada/2031-01-01-later.md": post("title: Later\n")}
    result = build(site(files))
    assert not any(p.startswith(("2026/03/hello", "2031/")) for p in result.outputs.files)
    assert b"Later" not in result.outputs.files["feed.xml"].content  # type: ignore[operator]


# -- G. the preview server -------------------------------------------------------------------------


def test_SRV_01_serve_binds_to_loopback_by_default():
    from blogkit.commands.cli import parser

    assert parser().parse_args(["serve"]).host == "127.0.0.1"


@pytest.mark.parametrize("target", ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc/passwd", "/%00"])
def test_SRV_03_traversal_is_refused(target):
    from blogkit.serve.httpd import BadPath, site_path

    with pytest.raises(BadPath):
        site_path(target)


def test_SRV_09_and_SRV_07_a_broken_post_keeps_serving_many_clients(site):
    import http.client
    import io
    from concurrent.futures import ThreadPoolExecutor

    from blogkit.engine.build import BuildOptions
    from blogkit.serve.server import DevServer

    root = site({P: post("title: A\n")})
    server = DevServer(str(root), BuildOptions(jobs=1), port=0, out=io.StringIO())
    server.start()
    server.serve_in_background()
    try:
        (root / P).write_text(post("title: A\ndate: May 2nd\n"))
        deadline = time.monotonic() + 10
        while not server.live.snapshot.problems and time.monotonic() < deadline:
            time.sleep(0.05)

        def fetch(_: int) -> int:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            conn.request("GET", "/2026/03/hello/")
            status = conn.getresponse().status
            conn.close()
            return status

        with ThreadPoolExecutor(20) as pool:
            assert set(pool.map(fetch, range(40))) == {200}, "the last good build stays served to every client"
        assert server.live.snapshot.problems
    finally:
        server.close()


# -- H. file watching --------------------------------------------------------------------------------


def test_W_01_editor_backup_and_swap_files_are_not_content(site):
    files = {P: post("title: A\n"), "posts/ada/.2026-03-01-hello.md.swp": "x", "posts/ada/2026-03-01-hello.md~": "x", "posts/ada/4913": "x"}
    result = build(site(files))
    assert not result.report.errors and len([p for p in result.outputs.files if p.startswith("2026/")]) == 1


def test_W_04_the_output_folder_inside_the_site_starts_no_rebuild():
    from blogkit.serve.watch import ChangeRecorder

    recorder = ChangeRecorder("/site")
    assert not recorder.relevant("/site/public/index.html") and recorder.relevant("/site/posts/ada/x.md")


def test_BLD_10_every_error_of_a_build_is_reported_at_once(site):
    files = {P: post("title: A\ndate: May 2nd\n"), "posts/ada/2026-03-02-b.md": post("tags: [x]\n"), "authors/bob.yaml": "nme: Bob\n"}
    errors = [d for d in diagnostics(build(site(files))) if ": error: " in d]
    assert len(errors) >= 3


def test_copies_are_streamed_not_held(site):
    result = build(site({P: post("title: A\n"), "static/a.txt": "a"}))
    assert isinstance(result.outputs.files["a.txt"].content, CopyFile)
    assert Path(result.outputs.files["a.txt"].content.source).read_text() == "a"


# -- G and H: the preview server and the watcher, running ------------------------------------------


def _serving_site(site, files):
    from test_serve import serving

    return serving(site(files))


def _get(server, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def _wait_for(condition, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_SRV_02_another_host_name_reads_nothing(site):
    with _serving_site(site, {P: post("title: A\ndraft: true\n")}) as server:
        status, _, body = _get(server, "/", {"Host": "evil.example"})
        ok, _, _ = _get(server, "/", {"Host": f"127.0.0.1:{server.port}"})
    assert status == 421 and b"<html" not in body and ok == 200


def test_SRV_04_nothing_outside_the_site_is_served_through_a_link(site, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN=hunter2")
    root = site({P: post("title: A\n")})
    (root / "static").mkdir()
    (root / "static" / "leak.txt").symlink_to(secret)
    from test_serve import serving

    with serving(root) as server:
        status, _, body = _get(server, "/leak.txt")
    assert status in (404, 503) and b"hunter2" not in body  # 503: the site does not build while the link is there


@pytest.mark.parametrize("target", ["//evil.example/%2e%2e/sub", "/\\evil.example/sub", "/%2F%2Fevil.example/sub", "/2026//evil.example"])
def test_SRV_05_no_redirect_leaves_the_site(site, target):
    with _serving_site(site, {P: post("title: A\n")}) as server:
        status, headers, _ = _get(server, target)
    location = headers.get("location", "")
    assert not location.startswith(("//", "/\\", "http")), "a redirect stays on this server"
    assert status in (301, 302, 400, 404)


def test_SRV_06_oversized_and_malformed_requests_are_refused(site):
    import socket

    with _serving_site(site, {P: post("title: A\n")}) as server:
        status, _, _ = _get(server, "/" + "a" * 70_000)
        with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
            s.sendall(b"GET / HTTP/1.0\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(200)) + b"\r\n")
            head = s.recv(64)
        with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
            s.sendall(b"GET /\x00\xff HTTP/1.0\r\n\r\n")
            garbage = s.recv(64)
        alive, _, _ = _get(server, "/")
    assert status in (400, 414) and head.split()[1] in (b"400", b"431") and garbage.split()[1].startswith(b"4") and alive == 200


def test_SRV_08_pages_asked_for_during_a_rebuild_are_whole(site):
    import threading

    root = site({f"posts/ada/2026-03-{d:02d}-p{d}.md": post(f"title: P{d}\n") for d in range(1, 20)})
    from test_serve import serving

    with serving(root) as server:
        stop = threading.Event()

        def churn() -> None:
            n = 0
            while not stop.is_set():
                n += 1
                (root / "posts/ada/2026-03-01-p1.md").write_text(post(f"title: P1 edit {n}\n"))
                server.rebuild({"posts/ada/2026-03-01-p1.md"})

        worker = threading.Thread(target=churn, daemon=True)
        worker.start()
        try:
            pages = [_get(server, "/") for _ in range(30)]
        finally:
            stop.set()
            worker.join(30)
    assert all(status == 200 and body.rstrip().endswith(b"</html>") for status, _, body in pages)


def test_W_02_a_burst_of_files_ends_in_a_site_with_all_of_them(site):
    with _serving_site(site, {P: post("title: A\n")}) as server:
        root = Path(server.root)
        for i in range(200):
            (root / "posts" / "ada" / f"2026-02-{i % 28 + 1:02d}-burst-{i}.md").write_text(post(f"title: Burst {i}\n"))
        assert _wait_for(lambda: len([f for f in server.live.snapshot.files if "burst-" in f]) == 200, 60)


def test_W_03_when_file_watches_run_out_serve_polls_and_says_how_to_raise_them(site, monkeypatch):
    import errno
    import io

    from blogkit.engine.build import BuildOptions
    from blogkit.serve import watch
    from blogkit.serve.server import DevServer

    def exhausted(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(watch.Observer, "schedule", exhausted)
    root = site({P: post("title: A\n")})
    out = io.StringIO()
    server = DevServer(str(root), BuildOptions(jobs=1), port=0, out=out)
    server.start()
    server.serve_in_background()
    try:
        assert server.watcher.polling and "fs.inotify.max_user_watches" in out.getvalue()
        (root / P).write_text(post("title: Polled\n"))
        assert _wait_for(lambda: b"Polled" in _get(server, "/2026/03/hello/")[2], 30)
    finally:
        server.close()


def test_W_05_renamed_and_deleted_posts_leave_no_page_behind(site):
    files = {P: post("title: A\n"), "posts/ada/2026-03-02-gone.md": post("title: Gone\n")}
    with _serving_site(site, files) as server:
        root = Path(server.root)
        (root / P).rename(root / "posts/ada/2026-03-01-renamed.md")
        (root / "posts/ada/2026-03-02-gone.md").unlink()
        assert _wait_for(lambda: "2026/03/renamed/index.html" in server.live.snapshot.files, 30)
        assert _wait_for(lambda: "2026/03/gone/index.html" not in server.live.snapshot.files, 30)
        assert _get(server, "/2026/03/hello/")[0] == 404 and _get(server, "/2026/03/renamed/")[0] == 200
