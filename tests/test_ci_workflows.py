"""The GitHub Actions workflows: docs/ci.md shows the files `init --ci github` writes, and every
`blogkit` command in them runs on the example site (no network: the link checker's requests are
answered here)."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys

import pytest
import yaml

from blogkit.commands.scaffold import GITHUB_WORKFLOWS, ci_files
from conftest import EXAMPLE_SITE, REPO, run_cli

DOCS = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
# The command `blogkit` of the workflows: this checkout's, with the link checker answered offline.
SHIM = """#!/bin/sh
exec {python} -c '
import sys
from blogkit.fetch import client, linkrot
client._once = lambda url, *args, **kwargs: client.Fetched(url, 200, b"")
linkrot.address_kind = lambda host: None
from blogkit.commands.cli import main
sys.exit(main(sys.argv[1:]))
' "$@"
"""


def documented() -> dict[str, str]:
    """The workflow files docs/ci.md shows, by path: each a yaml block whose first line names it."""
    blocks = re.findall(r"```yaml\n(# (\.github/workflows/[\w.-]+)[^\n]*\n.*?)```", DOCS, re.DOTALL)
    return {path: text for text, path in blocks}


def test_the_documented_workflows_are_the_files_init_writes(tmp_path, capsys):
    files = ci_files("github")
    shown = documented()
    assert sorted(files) == sorted(f".github/workflows/{name}" for name in GITHUB_WORKFLOWS)
    for path, text in files.items():
        assert shown.get(path) == text, f"docs/ci.md shows another {path} than `init --ci github` writes"
    code, _, _ = run_cli(["init", str(tmp_path / "hub"), "--ci", "github"], capsys)
    assert code == 0
    for path, text in files.items():
        assert (tmp_path / "hub" / path).read_text(encoding="utf-8") == text


def test_the_workflows_are_yaml_that_asks_for_no_more_than_it_needs():
    flows = {path: yaml.safe_load(text) for path, text in ci_files("github").items()}
    pr = flows[".github/workflows/blog-pr.yml"]
    assert pr["permissions"] == {"contents": "read"}  # it runs a fork's code: nothing to write with
    assert list(pr[True]) == ["pull_request"]  # PyYAML reads the key `on` as True
    comment = flows[".github/workflows/blog-comment.yml"]
    assert list(comment[True]) == ["workflow_run"] and comment[True]["workflow_run"]["workflows"] == [pr["name"]]
    steps = comment["jobs"]["comment"]["steps"]
    assert not any("actions/checkout" in str(step.get("uses", "")) for step in steps)  # never the pull request's code
    assert flows[".github/workflows/blog-links.yml"]["permissions"] == {"contents": "read", "issues": "write"}


CALLS_BLOGKIT = re.compile(r"(?:^|\$\(|&&|\|\|)\s*blogkit\s", re.MULTILINE)  # a command, not the word in a text


def runs(workflow: dict) -> list[tuple[str, dict[str, str], str]]:
    """Each step's script that calls blogkit: (script, its env, its working directory)."""
    found = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if CALLS_BLOGKIT.search(step.get("run", "")):
                env = {**job.get("env", {}), **step.get("env", {})}
                found.append(
                    (step["run"], {k: re.sub(r"\$\{\{.*?\}\}", "1", str(v)) for k, v in env.items()}, step.get("working-directory", "."))
                )
    return found


@pytest.mark.parametrize("name", [n for n in GITHUB_WORKFLOWS if runs(yaml.safe_load(ci_files("github")[f".github/workflows/{n}"]))])
def test_every_blogkit_command_of_the_workflows_runs_on_the_example_site(tmp_path, name):
    workflow = yaml.safe_load(ci_files("github")[f".github/workflows/{name}"])
    workspace = tmp_path / "workspace"
    pull_request = name == "blog-pr.yml"
    for folder in ("head", "base") if pull_request else (".",):
        shutil.copytree(EXAMPLE_SITE, workspace / folder, ignore=shutil.ignore_patterns("public", ".blogkit-cache"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "blogkit").write_text(SHIM.format(python=sys.executable))
    (bin_dir / "blogkit").chmod(stat.S_IRWXU)
    output = tmp_path / "github-output"
    base_env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(REPO),
        "GITHUB_OUTPUT": str(output),
        "BLOGKIT_CACHE_DIR": str(tmp_path / "cache"),
    }
    for script, env, directory in runs(workflow):
        done = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", script],
            cwd=workspace / directory,
            env={**base_env, **env, "BLOGKIT_CACHE_DIR": str(tmp_path / "cache")},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"{name}: {script}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    if pull_request:
        comment = (workspace / "diff" / "comment.md").read_text()
        assert comment.startswith("<!-- blogkit diff -->\n") and "No page changes." in comment
        assert (workspace / "diff" / "diff.txt").read_text() == "no page changes\n"
        assert (workspace / "diff" / "pr-number.txt").read_text() == "1\n"
    if name == "blog-links.yml":
        assert (workspace / ".blogkit-fetched" / "links.json").is_file()
