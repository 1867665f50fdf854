"""bench/compare.py's tables and targets, from made-up results: no build runs here."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import compare
from compare import Run, Serve, report, search_cost_ratio, targets_table


def run(peer: str, n: int, rnd: int, wall: float, cpu: float | None = None, rss: float = 100.0) -> Run:
    return Run(peer, n, rnd, wall, wall * 1.5 if cpu is None else cpu, rss, 0, 100, 1.0)


def rounds_at(n: int, walls: list[dict[str, float]]) -> list[Run]:
    return [run(peer, n, rnd, wall) for rnd, peers in enumerate(walls) for peer, wall in peers.items()]


ROUND = {
    "blogkit": 4.0,
    "blogkit-warm": 0.3,
    "blogkit-nosearch": 3.0,
    "hugo": 3.5,
    "hugo-pagefind": 5.0,
    "eleventy": 2.8,
    "eleventy-pagefind": 4.6,
    "floor-j2": 2.5,
}


def row(lines: list[str], starts: str, size: str) -> list[str]:
    found = [line for line in lines if line.startswith(f"| {starts}") and f"| {size} |" in line]
    assert len(found) == 1, (starts, size, lines)
    return [cell.strip() for cell in found[0].strip("|").split("|")]


def test_the_targets_of_a_run_with_every_peer():
    runs = rounds_at(1000, [ROUND, {**ROUND, "blogkit": 5.0, "eleventy-pagefind": 4.0}]) + rounds_at(10000, [ROUND])
    lines = targets_table(runs, [Serve(10000, 0, 85, 70, 95, 7, 40, 600)], 1000, 10000, nominal=True, with_serve=True)

    # blogkit / the fastest of hugo-pagefind and eleventy-pagefind, per round: 4.0 / 4.6 and 5.0 / 4.0, median 1.11
    cold = row(lines, "cold build, search on", "1k")
    assert cold[2] == f"{(4.0 / 4.6 + 5.0 / 4.0) / 2:.2f}"
    assert cold[4] == "✗ FAIL"
    assert row(lines, "cold build, search on", "10k")[2:5] == [f"{4.0 / 4.6:.2f}", "≤ 0.9", "✓ pass"]

    # search's cost: blogkit - blogkit-nosearch = 1.0 s; Pagefind: min(5.0 - 3.5, 4.6 - 2.8) = 1.5 s
    assert row(lines, "search's cost, wall", "10k")[2:5] == [f"{1.0 / 1.5:.2f}", "≤ 1", "✓ pass"]
    assert row(lines, "search's cost, CPU", "10k")[2:5] == [f"{1.0 / 1.5:.2f}", "≤ 1", "✓ pass"]
    assert row(lines, "cold build, `search: false`", "1k")[2:5] == [f"{3.0 / 2.5:.2f}", "≤ 1.3", "✓ pass"]
    assert row(lines, "warm build", "10k")[2:5] == [f"{0.3 / 3.5:.2f}", "≤ 0.1", "✓ pass"]
    assert row(lines, "serve: save to reload", "10k")[2:5] == ["85 ms", "≤ 100 ms", "✓ pass"]
    assert row(lines, "peak memory", "10k")[2:5] == ["1.00", "(information)", "-"]


def test_search_cost_is_taken_within_each_round_against_the_smaller_pagefind():
    rounds = {
        0: {p: run(p, 1000, 0, w, cpu=w) for p, w in {"blogkit": 6, "blogkit-nosearch": 3, "hugo": 1, "hugo-pagefind": 3}.items()},
        1: {p: run(p, 1000, 1, w, cpu=w) for p, w in {"blogkit": 5, "blogkit-nosearch": 4, "eleventy": 2, "eleventy-pagefind": 6}.items()},
    }
    assert search_cost_ratio(rounds, "wall") == pytest.approx((3 / 2 + 1 / 4) / 2)
    rounds[1]["hugo"], rounds[1]["hugo-pagefind"] = run("hugo", 1000, 1, 1), run("hugo-pagefind", 1000, 1, 1.5)
    assert search_cost_ratio(rounds, "wall") == pytest.approx((3 / 2 + 1 / 0.5) / 2)
    # a round where Pagefind cost nothing (noise at a small size) gives no ratio
    zero = {0: {p: run(p, 100, 0, w) for p, w in {"blogkit": 2, "blogkit-nosearch": 1, "hugo": 1, "hugo-pagefind": 1}.items()}}
    assert search_cost_ratio(zero, "wall") is None


def test_results_recorded_before_the_pagefind_peers_print_what_exists():
    old = {p: w for p, w in ROUND.items() if p in ("blogkit", "blogkit-warm", "hugo", "eleventy", "floor-j2")}
    runs = rounds_at(1000, [old]) + rounds_at(10000, [old])
    text = report(runs, [], {"tag": "old"}, compare.peer_order(runs), Path("/w"), [1000, 10000], with_serve=False)
    lines = text.splitlines()
    assert row(lines, "cold build, search on", "1k")[2] == "not measured"
    assert "hugo-pagefind or eleventy-pagefind" in row(lines, "cold build, search on", "10k")[5]
    assert row(lines, "search's cost, wall", "1k")[2] == "not measured"
    assert row(lines, "cold build, `search: false`", "1k")[2] == "not measured"
    assert row(lines, "serve: save to reload", "10k")[2] == "not measured"
    assert row(lines, "warm build", "10k")[2:5] == [f"{0.3 / 3.5:.2f}", "≤ 0.1", "✓ pass"]
    peer_rows = [line for line in lines if line.startswith("| blogkit | blogkit, search on |")]  # the builds column
    assert len(peer_rows) == 2  # one table per size
    assert all(line.endswith("| 1.14 | 1.60 | - |") for line in peer_rows)  # to Hugo, to the fastest other, no Pagefind
    assert "- `hugo`: Hugo's build alone" in lines
    assert not any("pagefind`" in line for line in lines)  # the legend names only the peers that ran


def test_sizes_missing_from_a_run_are_not_measured_and_one_target_size_serves_for_both():
    runs = rounds_at(100, [ROUND])
    lines = targets_table(runs, [], 1000, 10000, nominal=True, with_serve=False)
    assert row(lines, "warm build", "10k")[2] == "not measured"
    args = compare.parse_args(["--work", "/w", "--target-sizes", "100"])
    assert args.target_sizes == [100, 100]
    lines = targets_table(runs, [], *args.target_sizes, nominal=False, with_serve=False)
    assert row(lines, "cold build, search on", "100")[4] == "(✓ pass, indicative)"


def test_the_peers_are_the_harness_s():
    assert set(compare.DEFAULT_PEERS.split(",")) <= set(compare.KNOWN_PEERS)
    assert {"hugo-pagefind", "eleventy-pagefind", "blogkit-nosearch", "pelican", "floor"} <= set(compare.KNOWN_PEERS)
    assert "pelican" not in compare.DEFAULT_PEERS.split(",")
    assert '"pagefind[bin]"' in (compare.__doc__ or "")
