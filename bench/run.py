#!/usr/bin/env python3
"""Cold full builds of synthetic corpora with blogkit: seconds and peak memory.

    python bench/run.py                      # 1,000 and 10,000 posts, 3 runs each
    python bench/run.py --sizes 1000 --runs 5 --work /tmp/blogkit-bench --out-root /dev/shm/bk

The corpora come from the shared benchmark's `gen_corpus.py` (deterministic:
seed 1, 40 authors) and are laid out as blogkit sites by its `peers/adapt.py`,
so the figures compare directly with the peers' in `research/perf-anchors.md`.
Each run deletes the output first (not timed) and times the whole
`blogkit build` process: wall seconds, CPU seconds (user + sys, workers
included) and the peak resident memory of the largest process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from corpus_settings import settle

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO.parent / "shared"


def label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def prepare(shared: Path, work: Path, n: int) -> Path:
    corpus, site = work / "corpus" / label(n), work / "sites" / f"blogkit-{label(n)}"
    if not (site / "blogkit.yaml").exists():
        gen = shared / "bench" / "gen_corpus.py"
        subprocess.run([sys.executable, str(gen), str(corpus), "--posts", str(n), "--authors", "40", "--seed", "1"], check=True)
        subprocess.run([sys.executable, str(shared / "bench" / "peers" / "adapt.py"), "blogkit", str(corpus), str(site)], check=True)
    settle(site)
    return site


def timed_build(blogkit: list[str], site: Path, out: Path, jobs: int | None) -> tuple[float, float, float, int]:
    """(wall s, cpu s, peak RSS MB, exit code) of one cold build."""
    if out.exists():
        shutil.rmtree(out)
    argv = [*blogkit, "build", str(site), "-o", str(out), "-q"] + (["-j", str(jobs)] if jobs else [])
    start = time.monotonic()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None, help="blogkit -j (default: one per core)")
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "blogkit-bench")
    parser.add_argument("--out-root", type=Path, default=None, help="where outputs go (e.g. a tmpfs); default WORK/out")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared folder with bench/gen_corpus.py")
    parser.add_argument("--blogkit", default=None, help="the blogkit command (default: this Python's -m blogkit)")
    args = parser.parse_args()

    blogkit = args.blogkit.split() if args.blogkit else [sys.executable, "-m", "blogkit"]
    out_root = args.out_root or args.work / "out"
    print("| posts | runs | wall s median (min-max) | CPU s median | peak RSS MB | files |")
    print("|---:|---:|---|---:|---:|---:|")
    failed = False
    for n in (int(s) for s in args.sizes.split(",")):
        site = prepare(args.shared, args.work, n)
        out = out_root / f"blogkit-{label(n)}"
        results = [timed_build(blogkit, site, out, args.jobs) for _ in range(args.runs)]
        if any(code != 0 for *_, code in results):
            print(f"blogkit failed on the {label(n)} corpus", file=sys.stderr)
            failed = True
            continue
        walls = [r[0] for r in results]
        files = sum(len(f) for _, _, f in os.walk(out))
        print(
            f"| {n} | {len(results)} | {statistics.median(walls):.2f} ({min(walls):.2f}-{max(walls):.2f}) "
            f"| {statistics.median(r[1] for r in results):.2f} | {max(r[2] for r in results):.0f} | {files} |"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
