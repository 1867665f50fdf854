#!/usr/bin/env python3
"""Where a build's CPU and memory go, stage by stage: to see which stage grows faster than the posts.

    python bench/stage_probe.py SITE OUT               # a warm build when SITE/.blogkit-cache is there
    python bench/stage_probe.py SITE OUT --cold        # the cache removed first

Runs `blogkit build SITE -o OUT` in this process and prints, for each stage as it ends: its wall
time, the CPU of this process, the CPU of the processes it waited for (workers, the search
child, Pagefind: counted when they are reaped, so a worker's CPU shows at the end of the stage
that started it, and the search index's at `search index`), and this process's resident memory
then and at its highest so far. Run it on prefixes of one corpus (5,000 and 20,000 posts) and
divide by the posts: a stage whose CPU per post grows is the one to look at.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import blogkit.engine.build as build  # noqa: E402 - after the path
import blogkit.engine.cache as cache  # noqa: E402
import blogkit.engine.search as search  # noqa: E402
from blogkit.commands import cli  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site")
    parser.add_argument("out")
    parser.add_argument("--cold", action="store_true", help="remove SITE/.blogkit-cache first")
    args = parser.parse_args()
    if args.cold:
        shutil.rmtree(Path(args.site, cache.CACHE_FOLDER), ignore_errors=True)
    shutil.rmtree(args.out, ignore_errors=True)
    print(f"{'stage':<16} {'wall s':>7} {'own cpu':>8} {'children':>8} {'rss MB':>7} {'peak MB':>8}", file=sys.stderr)
    _timed(build, "load_site", "load")
    _timed(build, "routes", "routes")
    _timed(build, "check_all_links", "check links")
    _timed(build, "render_outputs", "render")
    _timed(search.SearchJob, "publish", "search index")
    _timed(cache.DiskCache, "sweep", "cache sweep")
    _timed(cli, "publish", "publish")
    started, before = time.perf_counter(), _cpu()
    code = cli.main(["build", args.site, "-o", args.out, "--quiet"], ending=True)  # as the command: the process ends next
    own, children = (now - then for now, then in zip(_cpu(), before, strict=True))
    _line("whole build", time.perf_counter() - started, own, children)
    return code


def _timed(owner: Any, name: str, label: str) -> None:
    """Wrap `owner.name` to print a line when each call ends."""
    inner: Callable[..., Any] = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started, before = time.perf_counter(), _cpu()
        try:
            return inner(*args, **kwargs)
        finally:
            own, children = (now - then for now, then in zip(_cpu(), before, strict=True))
            _line(label, time.perf_counter() - started, own, children)

    setattr(owner, name, timed)


def _cpu() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _line(label: str, wall: float, own: float, children: float) -> None:
    rss = peak = 0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) // 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) // 1024
    print(f"{label:<16} {wall:7.1f} {own:8.2f} {children:8.2f} {rss:7d} {peak:8d}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
