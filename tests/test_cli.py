"""The command line: checks, output formats, exit codes, publishing, the lock, plan, scaffolding."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from blogkit.core.diagnostics import Diagnostic, Location, Severity
from blogkit.core.report_formats import github_annotation
from blogkit.engine import build as build_module
from blogkit.publish import write
from conftest import REPO, post, run_cli, tree_bytes

P = "posts/ada/2026-03-01-hello.md"


# -- check ------------------------------------------------------------------------------------


def check(root: Path, capsys, *extra: str) -> tuple[int, str]:
    code, out, _ = run_cli(["check", str(root), "--format", "json", *extra], capsys)
    return code, out


def findings(err: str) -> list[tuple[str, str, int | None, str]]:
    rows = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    return [(r["severity"], r["path"].split("/site/", 1)[-1], r["line"], r["message"]) for r in rows]


def test_check_reports_broken_root_relative_links_and_fragments(site, capsys):
    root = site(
        {
            P: post("title: Hello\n", "Intro.\n\nSee [tags](/tags/) and [gone](/nowhere/).\n\nAnd [x](/about/#nope).\n"),
            "pages/about.md": post("title: About\n", "## Team\n"),
        }
    )
    code, err = check(root, capsys)
    assert code == 1
    assert ("error", P, 6, "link '/nowhere/' leads to no page of this site") in findings(err)
    assert ("error", P, 8, "link '/about/#nope': the page has no element with the id 'nope'") in findings(err)
    assert not any("/tags/" in f[3] for f in findings(err))


def test_check_warns_about_images_without_alt_text(site, capsys):
    root = site({P: post("title: Hello\n", "Intro.\n\n![](/favicon.svg)\n")})
    code, err = check(root, capsys)
    assert code == 0
    assert ("warning", P, 6, "image without alt text [image-alt]") in findings(err)
    assert check(root, capsys, "--strict")[0] == 1


def test_check_warns_about_tags_differing_by_case_or_spelling(site, capsys):
    root = site(
        {
            "tags.yaml": "Kubernetes:\n  aliases: [k8s]\n",
            "posts/ada/2026-01-01-a.md": post("title: A\ntags: [Observability, kubernets]\n"),
            "posts/ada/2026-01-02-b.md": post("title: B\ntags: [Observability]\n"),
            "posts/ada/2026-01-03-c.md": post("title: C\ntags: [observability]\n"),
        }
    )
    _, err = check(root, capsys)
    rows = findings(err)
    assert ("warning", "posts/ada/2026-01-03-c.md", 3, "tag 'observability' is written 'Observability' elsewhere") in rows
    assert ("warning", "posts/ada/2026-01-01-a.md", 3, "tag 'kubernets' looks like a misspelling of 'Kubernetes'") in rows


def test_check_notes_scheduled_posts_without_failing(site, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")  # 2026-05-28
    root = site({"posts/ada/2031-05-04-launch.md": post("title: Launch\n")})
    code, err = check(root, capsys, "--strict")
    assert code == 0
    assert (
        "note",
        "posts/ada/2031-05-04-launch.md",
        1,
        "scheduled: appears on 2031-05-04 00:00 (UTC) or at the first build after",
    ) in findings(err)


def test_check_warns_about_back_dated_posts(site, capsys):
    root = site({"posts/ada/2026-03-01-new.md": post("title: New\n")})
    assert run_cli(["build", str(root), "-q"], capsys)[0] == 0
    (root / "posts/ada/2026-01-01-old.md").write_text(post("title: Old\n"))
    _, err = check(root, capsys)
    assert (
        "warning",
        "posts/ada/2026-01-01-old.md",
        1,
        "back-dated post: dated 2026-01-01, before the newest entry readers already have (2026-03-01)",
    ) in findings(err)


# -- formats ----------------------------------------------------------------------------------


def test_github_annotations_follow_the_documented_format(site, capsys, monkeypatch):
    root = site({P: post("title: Hello\ndate: May 2nd\n")})
    monkeypatch.chdir(root.parent)
    code, out, _ = run_cli(["build", "site", "--format", "github"], capsys)
    assert code == 1
    assert out.splitlines()[0] == (
        f"::error file=site/{P},line=3,col=7,title=blogkit error::'date' must be a date like 2026-03-01, got 'May 2nd'"
        "%0Ahint: write dates like 2026-03-01 or 2026-03-01T09:30:00+01:00"
    )


def test_github_annotation_escapes_properties_and_data():
    d = Diagnostic(Severity.WARNING, Location("a,b:c.md", 2, 1), "50% done\nnext")
    assert github_annotation(d, "a,b:c.md") == "::warning file=a%2Cb%3Ac.md,line=2,col=1,title=blogkit warning::50%25 done\\nnext"
    hinted = Diagnostic(Severity.ERROR, Location("a.md", 1, 1), "bad \x1b[2J key", "fix it\r\n::error::forged")
    assert (
        github_annotation(hinted, "a.md")
        == "::error file=a.md,line=1,col=1,title=blogkit error::bad \\x1b[2J key%0Ahint: fix it\\r\\n::error::forged"
    )
    assert "\x1b" not in hinted.format_text() and "\\x1b[2J" in hinted.format_text()


def test_json_format_is_one_object_per_diagnostic(site, capsys):
    root = site({P: post("title: Hello\ntgas: [x]\n"), "posts/ada/2026-03-02-b.md": post("tags: [x]\n")})
    code, out, err = run_cli(["check", str(root), "--format", "json"], capsys)
    assert code == 1
    rows = [json.loads(line) for line in out.splitlines()]
    assert "blogkit:" in err and "blogkit:" not in out, "standard output holds the JSON lines and nothing else"
    assert [(r["severity"], r["line"], r["column"]) for r in rows] == [("warning", 3, 1), ("error", 2, 1)]
    assert rows[0]["hint"] == "did you mean 'tags'?"


# -- exit codes -------------------------------------------------------------------------------


def test_internal_errors_exit_4_with_a_bug_report_hint(site, capsys, monkeypatch):
    root = site({})

    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("blogkit.commands.cli.build_site", broken)
    code, _, err = run_cli(["build", str(root)], capsys)
    assert code == 4
    assert "Traceback" in err and "this is a bug in blogkit" in err


def test_a_second_build_of_one_site_is_refused_while_the_first_runs(site, capsys):
    root = site({P: post("title: Hello\n")})
    with write.site_lock(str(root)):
        code, _, err = run_cli(["build", str(root)], capsys)
    assert code == 3 and "another blogkit build of" in err
    assert not (root / "public").exists()
    assert run_cli(["build", str(root), "-q"], capsys)[0] == 0


# -- publishing -------------------------------------------------------------------------------


def test_a_failed_write_leaves_the_old_tree_byte_identical(site, capsys, monkeypatch):
    root = site({P: post("title: Hello\n")})
    assert run_cli(["build", str(root), "-q"], capsys)[0] == 0
    before = tree_bytes(root / "public")
    (root / P).write_text(post("title: Changed\n"))
    real_copy = write.shutil.copyfile
    calls = []

    def failing_copy(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_copy(src, dst)

    monkeypatch.setattr(write.shutil, "copyfile", failing_copy)
    code, _, err = run_cli(["build", str(root)], capsys)
    assert code == 3 and "No space left on device" in err
    assert tree_bytes(root / "public") == before
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".")) == [".blogkit-cache"], "no staging folder or lock file is left"


SLOW_BUILD = textwrap.dedent(
    """
    import signal, sys, time
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as a terminal leaves it, also when the tests run in a background job
    from blogkit.publish import write
    real = write.StagingTree.write_only
    def slow(tree, path, data):
        open(sys.argv[2], "w").close()
        time.sleep(30)
        real(tree, path, data)
    write.StagingTree.write_only = slow
    from blogkit.commands.cli import main
    sys.exit(main(["build", sys.argv[1], "-q"]))
    """
)


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_killed_build_leaves_the_old_tree_byte_identical(site, capsys, tmp_path, sig, code):
    root = site({P: post("title: Hello\n")})
    assert run_cli(["build", str(root), "-q"], capsys)[0] == 0
    before = tree_bytes(root / "public")
    (root / P).write_text(post("title: Changed\n"))
    marker = tmp_path / "writing"
    process = subprocess.Popen([sys.executable, "-c", SLOW_BUILD, str(root), str(marker)], cwd=REPO)
    deadline = time.monotonic() + 20
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(sig)
    assert process.wait(timeout=20) == code
    assert tree_bytes(root / "public") == before
    assert [p.name for p in root.iterdir() if p.name.startswith(".")] == [".blogkit-cache"], "no staging folder is left"


# -- plan -------------------------------------------------------------------------------------


def test_plan_lists_scheduled_posts_and_the_next_date(site, capsys):
    root = site(
        {
            "posts/ada/2026-01-01-past.md": post("title: Past\n"),
            "posts/ada/2031-06-01-later.md": post("title: Later\n"),
            "posts/ada/2031-05-04-launch.md": post("title: Launch\ndate: 2031-05-04T09:00:00+02:00\n"),
            "posts/ada/2031-01-01-draft.md": post("title: Draft\ndraft: true\n"),
        }
    )
    code, out, _ = run_cli(["plan", str(root), "--at", "2027-01-01", "--format", "json"], capsys)
    assert code == 0
    plan = json.loads(out)
    assert plan["next"] == "2031-05-04T09:00:00+02:00"
    assert [p["title"] for p in plan["scheduled"]] == ["Launch", "Later"]
    assert plan["scheduled"][0]["url"] == "https://hub.example/2031/05/launch/"
    assert run_cli(["plan", str(root), "--at", "2027-01-01", "--next"], capsys)[1] == "2031-05-04T09:00:00+02:00\n"
    assert run_cli(["plan", str(root), "--at", "2032-01-01", "--next"], capsys)[1] == ""


# -- scaffolding ------------------------------------------------------------------------------


def test_init_makes_a_hub_that_builds_strict_once_its_placeholders_are_replaced(tmp_path, capsys):
    hub = tmp_path / "hub"
    assert run_cli(["init", str(hub), "--handle", "ada"], capsys)[0] == 0
    assert run_cli(["build", str(hub), "-q"], capsys)[0] == 0
    assert (hub / "public/index.html").is_file()
    _replace_placeholders(hub, "ada")
    assert run_cli(["build", str(hub), "--strict", "-q"], capsys)[0] == 0
    code, _, err = run_cli(["init", str(hub)], capsys)
    assert code == 2 and "not empty" in err


def _replace_placeholders(hub: Path, handle: str) -> None:
    for name, old, new in (
        ("blogkit.yaml", "https://engineering.example.com/", "https://hub.example/"),
        (f"authors/{handle}.yaml", "What you work on, in a sentence.", "Storage."),
        (f"authors/{handle}.yaml", "https://github.com/your-handle", f"https://github.com/{handle}"),
        (f"posts/{handle}/2026-01-05-hello-world.md", "This is a sample post written by `blogkit init`. ", ""),
        ("pages/about.md", "Who we are, and how to reach us.", "We build databases."),
    ):
        path = hub / name
        path.write_text(path.read_text().replace(old, new))


def test_init_placeholders_are_named_from_the_handle_and_warned_about_until_replaced(tmp_path, capsys):
    """Placeholders ship: `init --handle jane-doe` wrote `name: Your Name`, and `check --strict` was silent."""
    hub = tmp_path / "hub"
    assert run_cli(["init", str(hub), "--handle", "jane-doe"], capsys)[0] == 0
    assert (hub / "authors/jane-doe.yaml").read_text().startswith('name: "Jane Doe"\n')
    code, out = check(hub, capsys, "--strict")
    assert code == 1
    assert findings(out) == [
        ("warning", f"{hub}/authors/jane-doe.yaml", 2, "the bio is still the sample text"),
        ("warning", f"{hub}/authors/jane-doe.yaml", 4, "the GitHub link is still the sample address"),
        ("warning", f"{hub}/blogkit.yaml", 3, "base_url is still the sample address from `blogkit init`"),
        ("warning", f"{hub}/pages/about.md", 4, "the page still has the sample text from `blogkit init`"),
        ("warning", f"{hub}/posts/jane-doe/2026-01-05-hello-world.md", 5, "this is the sample post from `blogkit init`"),
    ]
    code, _, err = run_cli(["build", str(hub)], capsys)
    assert code == 0 and "5 warnings" in err, "a build publishes, and says so"
    _replace_placeholders(hub, "jane-doe")
    assert findings(check(hub, capsys, "--strict")[1]) == []
    (hub / "authors/jane-doe.yaml").write_text("name: Your Name\n")  # as `init` wrote it before
    assert [f[3] for f in findings(check(hub, capsys)[1])] == ["the name is still the placeholder 'Your Name'"]


def test_init_default_handle_is_a_placeholder_too(tmp_path, capsys):
    hub = tmp_path / "hub"
    assert run_cli(["init", str(hub)], capsys)[0] == 0
    out = check(hub, capsys)[1]
    assert (
        "warning",
        f"{hub}/authors/your-handle.yaml",
        None,
        "the handle is still the placeholder 'your-handle' from `blogkit init`",
    ) in findings(out)


def test_new_post_text_is_a_placeholder_once_published(site, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")  # 2026-05-28 UTC
    root = site({})
    assert run_cli(["new", "post", "Raft", "--author", "ada", "--site", str(root)], capsys)[0] == 0
    path = root / "posts/ada/2026-05-28-raft.md"
    assert findings(check(root, capsys)[1]) == [], "a draft does not ship"
    path.write_text(path.read_text().replace("draft: true", "draft: false"))
    assert findings(check(root, capsys)[1]) == [
        ("warning", "posts/ada/2026-05-28-raft.md", 8, "the post still has the sample text from `blogkit new post`"),
    ]


@pytest.mark.parametrize("cache", ["cold", "warm", "no cache"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_placeholders_are_found_without_reading_again_the_posts_that_hold_none(site, capsys, monkeypatch, cache, jobs):
    """The build notes which post files hold a placeholder as it reads them (as bytes, for the
    cache's key, which `--no-cache` computes too); the check reads again only those."""
    from blogkit.commands import placeholders
    from blogkit.commands.scaffold import NEW_POST_TEXT

    monkeypatch.setattr(build_module, "_MIN_PARALLEL_READ", 4)  # workers read the posts when jobs is 2
    files = {f"posts/ada/2026-03-{day:02d}-p{day}.md": post(f"title: P{day}\n", f"Text of post {day}.\n") for day in range(1, 13)}
    files["posts/ada/2026-03-20-sample.md"] = post("title: Sample\n", f"Intro.\n\n{NEW_POST_TEXT}\n")
    root = site(files)
    options = ["--no-cache"] if cache == "no cache" else []
    if cache == "warm":
        check(root, capsys, "-j", jobs)
    read_again: list[str] = []
    read = placeholders._read
    monkeypatch.setattr(placeholders, "_read", lambda folder, path, limit: read_again.append(path) or read(folder, path, limit))
    code, out = check(root, capsys, "-j", jobs, *options)
    assert code == 0
    assert ("warning", "posts/ada/2026-03-20-sample.md", 6, "the post still has the sample text from `blogkit new post`") in findings(out)
    assert sorted(path for path in read_again if path.startswith("posts/")) == ["posts/ada/2026-03-20-sample.md"]


def test_init_gitignore_ignores_the_build_cache(tmp_path, capsys):
    """`init`'s .gitignore had only public/, though every build writes .blogkit-cache/."""
    hub = tmp_path / "hub"
    assert run_cli(["init", str(hub)], capsys)[0] == 0
    assert (hub / ".gitignore").read_text().splitlines() == ["public/", ".blogkit-cache/"]


def test_new_author_and_new_post_give_a_post_that_builds_once_published(site, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")  # 2026-05-28 UTC
    root = site({})
    assert run_cli(["new", "author", "li-wei", "--site", str(root)], capsys)[0] == 0
    assert 'name: "Li Wei"' in (root / "authors/li-wei.yaml").read_text()
    code, out, _ = run_cli(
        ["new", "post", "Tracing: the 'why'", "--author", "li-wei", "--tags", "tracing", "Go", "--site", str(root)], capsys
    )
    assert code == 0
    path = root / "posts/li-wei/2026-05-28-tracing-the-why.md"
    assert out.splitlines() == [
        f"created {path} (a draft)",
        f"preview: blogkit serve {root}, then http://127.0.0.1:8000/2026/05/tracing-the-why/ (drafts are shown, marked)",
        "publish: set `draft: false` in its front matter (or remove the line)",
    ]
    text = path.read_text()
    assert "draft: true" in text and "title: \"Tracing: the 'why'\"" in text and 'tags: ["tracing", "Go"]' in text
    code, _, err = run_cli(["build", str(root), "--strict", "-q"], capsys)
    assert code == 1 and "authors/li-wei.yaml:2:6: warning: the bio is still the sample text" in err
    profile = root / "authors/li-wei.yaml"
    profile.write_text(profile.read_text().replace("What you work on, in a sentence.", "Tracing."))
    assert run_cli(["build", str(root), "--strict", "-q"], capsys)[0] == 0
    assert not (root / "public/2026/05/tracing-the-why").exists(), "a new post is a draft"
    text = text.replace("The first paragraph is the summary on the hub page.", "Why we trace.")
    path.write_text("\n".join(line for line in text.splitlines() if not line.startswith("draft:")) + "\n")
    assert run_cli(["build", str(root), "--strict", "-q"], capsys)[0] == 0
    assert (root / "public/2026/05/tracing-the-why/index.html").is_file()
    code, _, err = run_cli(["new", "post", "Tracing: the 'why'", "--author", "li-wei", "--site", str(root)], capsys)
    assert code == 2 and "already exists" in err
    code, _, err = run_cli(["new", "post", "X", "--author", "nobody", "--site", str(root)], capsys)
    assert code == 2 and "blogkit new author nobody" in err


def test_build_time_module_reads_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert build_module.build_time().year == 1970
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert build_module.build_time().year >= 2026
    assert os.environ.get("SOURCE_DATE_EPOCH") is None


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_diagnostics_echo_attacker_text_inert(site, capsys, fmt):
    """Diagnostics echo attacker text raw: escape sequences and newlines in a key name are shown, never acted on."""
    evil = '"evil\\e[2J\\e]0;pwned\\a\\n::error file=README.md,line=1::forged\\u202e": 1\n'
    root = site({P: post("title: Hello\n" + evil)})
    code, out, err = run_cli(["check", str(root), "--format", fmt], capsys)
    assert code == 0
    shown = out + err
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
    assert "evil[2J" in shown, "the escape character itself is removed when the YAML is read"
    assert not any(line.startswith("::error file=README.md") for line in shown.splitlines()), "no forged annotation"
    if fmt == "github":
        assert len([line for line in out.splitlines() if line.startswith("::")]) == 1


def test_check_with_warnings_does_not_say_no_problems(site, capsys):
    root = site({P: post("title: Hello\ntgas: [x]\n")})
    code, _, err = run_cli(["check", str(root)], capsys)
    assert code == 0
    assert "1 warning, no errors" in err and "no problems found" not in err


def test_publishing_edge_cases_an_output_symlink_is_published_through(site, capsys, tmp_path):
    """Publishing edge cases: an output folder that is a symbolic link (a deploy target) stays a link."""
    root = site({P: post("title: Hello\n")})
    target = tmp_path / "deploy" / "current"
    target.mkdir(parents=True)
    link = tmp_path / "public-link"
    link.symlink_to(target, target_is_directory=True)
    assert run_cli(["build", str(root), "-q", "-o", str(link)], capsys)[0] == 0
    assert link.is_symlink() and (target / "index.html").is_file()
    (root / P).write_text(post("title: Changed\n"))
    assert run_cli(["build", str(root), "-q", "-o", str(link)], capsys)[0] == 0
    assert link.is_symlink() and b"Changed" in (target / "2026" / "03" / "hello" / "index.html").read_bytes()


def test_publishing_edge_cases_litter_of_killed_builds_is_removed(site, capsys):
    """Publishing edge cases: staging folders a `kill -9` left behind are removed by the next build."""
    root = site({P: post("title: Hello\n")})
    for name in (".public.new-k1ll3d", ".public.old-k1ll3d"):
        (root / name / "2026").mkdir(parents=True)
    unrelated = root / ".publicity"
    unrelated.mkdir()
    assert run_cli(["build", str(root), "-q"], capsys)[0] == 0
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".")) == [".blogkit-cache", ".publicity"]


def test_worker_tracebacks_on_successful_builds_never_appear(site, tmp_path):
    """Worker tracebacks on successful builds: 400+ pages in worker processes, stderr holds only the summary."""
    files = {f"posts/ada/2026-01-{i % 28 + 1:02d}-p{i}.md": post(f"title: P{i}\ntags: [t{i % 7}]\n") for i in range(450)}
    root = site(files)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for extra in (["--format", "json"], []):
        command = [sys.executable, "-m", "blogkit", "build", str(root), "-j", "2", "-o", str(tmp_path / "out"), *extra]
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr and "Terminated" not in done.stderr
        assert done.stderr.startswith("blogkit: 450 posts") and done.stderr.count("\n") == 1
        assert all(json.loads(line) for line in done.stdout.splitlines())


def test_check_after_build_on_an_unchanged_site_reports_no_back_dated_posts(site, capsys):
    """Posts that merely dropped out of the feed's newest entries are not back-dated: only new ones can be."""
    files = {f"posts/ada/2026-01-{d:02d}-p{d}.md": post(f"title: P{d}\n") for d in range(1, 28)}
    files["blogkit.yaml"] = "title: T\nbase_url: https://hub.example/blog/\nfeeds:\n  entries: 5\n"
    root = site(files)
    assert run_cli(["build", str(root), "-q"], capsys)[0] == 0
    code, out = check(root, capsys, "--strict")
    assert code == 0 and not [f for f in findings(out) if "back-dated" in f[3]]
    (root / "posts/ada/2026-01-03-late.md").write_text(post("title: Late\n"))
    _, out = check(root, capsys)
    assert [f[1] for f in findings(out) if "back-dated" in f[3]] == ["posts/ada/2026-01-03-late.md"]


def test_compound_tags_that_share_words_are_not_misspellings_of_each_other(site, capsys):
    files = {
        "posts/ada/2026-01-01-a.md": post("title: A\ntags: [observability-for-go, kafka-stream]\n"),
        "posts/ada/2026-01-02-b.md": post("title: B\ntags: [observability-for-js, kafka-streams]\n"),
        "posts/ada/2026-01-03-c.md": post("title: C\ntags: [observability-for-js, kafka-streams]\n"),
    }
    _, out = check(site(files), capsys)
    spelled = [f[3] for f in findings(out) if "misspelling" in f[3]]
    assert spelled == ["tag 'kafka-stream' looks like a misspelling of 'kafka-streams'"]


def test_check_reports_invalid_and_inaccessible_markup_at_its_line(site, capsys):
    body = 'Intro.\n\n#### Too deep\n\n<span>\n\nWrapped paragraph.\n\n</span>\n\nText <img src="/favicon.svg"> inline.\n'
    _, out = check(site({P: post("title: Hello\n", body)}), capsys)
    rows = [(f[2], f[3]) for f in findings(out)]
    assert (6, "heading level skipped: h1 then h4 [heading-order]") in rows
    assert (8, "<span> around a paragraph is invalid HTML [block-in-inline]") in rows
    assert (14, "image in raw HTML without alt text [image-alt]") in rows


def test_new_post_without_an_author_lists_the_handles(site, capsys):
    root = site({"authors/bo.yaml": "name: Bo\n"})
    code, _, err = run_cli(["new", "post", "Hello", "--site", str(root)], capsys)
    assert code == 2
    assert "which author? pass --author HANDLE (or set BLOGKIT_AUTHOR); the handles are: ada, bo" in err


def test_init_points_to_serve(tmp_path, capsys):
    code, out, _ = run_cli(["init", str(tmp_path / "hub")], capsys)
    assert code == 0 and f"next: blogkit serve {tmp_path / 'hub'}" in out
    assert "blogkit serve --drafts" not in out, "serve shows drafts by default"
    assert "preview it with `blogkit serve`" in (tmp_path / "hub/posts/your-handle/2026-01-05-hello-world.md").read_text()


def test_a_build_on_a_terminal_shows_its_progress_and_elsewhere_does_not(site, tmp_path):
    import pty
    import select

    files = {f"posts/ada/2026-01-{n:02d}-p{n}.md": post(f"title: P{n}") for n in range(1, 21)}
    files["posts/ada/2026-01-25-draft.md"] = post("title: D\ndraft: true")
    files["posts/ada/2099-01-01-later.md"] = post("title: Later")
    root = site(files)
    env = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": "1780000000"}
    command = [sys.executable, "-m", "blogkit", "build", str(root), "-o", str(tmp_path / "out"), "--no-cache", "-j", "1"]
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, stderr=follower, stdout=subprocess.DEVNULL, env=env)
    os.close(follower)
    shown = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
    assert process.wait(timeout=30) == 0
    os.close(leader)
    text = shown.decode()
    assert "\rblogkit: rendering posts 20 of 20" in text.replace("\x1b[K", "")
    assert "rendering pages and feeds" in text
    assert "\r\x1b[K" in text, "the line is cleared when the build is done"
    last = text.replace("\r\x1b[K", "").strip().splitlines()[-1]
    assert re.search(r"wrote \d+ files to .* in \d+\.\d s; left out 1 draft and 1 future post \(--drafts, --future to show them\)$", last)
    piped = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    assert "rendering" not in piped.stderr and "\r" not in piped.stderr, "no progress when standard error is not a terminal"
    assert piped.stderr.count("\n") == 1


def test_the_summary_counts_only_authors_with_a_published_post(site, capsys):
    """'1 post by 2 authors' counted a profile with nothing published."""
    root = site({P: post("title: Hello\n"), "authors/bo.yaml": "name: Bo\n"})
    err = run_cli(["check", str(root)], capsys)[2]
    assert "blogkit: 1 post by 1 author, 0 tags: no problems found" in err


def test_every_argument_of_plan_and_new_is_described():
    """`blogkit plan --help` and `blogkit new --help` left arguments undescribed."""
    import argparse

    from blogkit.commands.cli import parser

    def commands(p: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
        return dict(sub.choices)

    top = commands(parser())
    new = commands(top["new"])
    for name, command in {"plan": top["plan"], "new": top["new"], "new post": new["post"], "new author": new["author"]}.items():
        undescribed = [a.dest for a in command._actions if not a.help]
        assert not undescribed, (name, undescribed)


def test_the_command_writes_all_its_output_before_it_exits_without_teardown(site):
    """`blogkit` ends its process without freeing the heap object by object (`cli.run`): what it wrote
    to a pipe, buffered, still arrives whole, and the exit code is the build's."""
    broken = {
        f"posts/ada/2026-01-{day:02d}-p.md": post(f"title: P{day}\ndate: 2026-01-{day:02d}", "[x](missing.md)\n") for day in range(1, 29)
    }
    root = site(broken)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run(
        [sys.executable, "-m", "blogkit", "build", str(root), "--format", "json", "-j", "1"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 1
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert len([d for d in lines if "missing.md" in d["message"]]) == 28
    errors = len([d for d in lines if d["severity"] == "error"])
    assert done.stderr.rstrip().endswith(f"nothing was published: {errors} errors")


def test_a_build_that_ends_the_process_leaves_the_collector_paused(site, tmp_path):
    """The `blogkit` command (`cli.run`) does not resume the garbage collector a build paused: its
    first pass would walk every object the build made, just before the process ends. `main` called
    in a process that goes on (tests, an embedding program) resumes it."""
    import gc

    from blogkit.commands.cli import main

    root = site({"posts/ada/2026-01-02-p.md": post("title: P", "Text.\n")})
    assert gc.isenabled()
    try:
        assert main(["build", str(root), "-o", str(tmp_path / "out"), "-q"], ending=True) == 0
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert main(["build", str(root), "-o", str(tmp_path / "out"), "-q"]) == 0
    assert gc.isenabled()
