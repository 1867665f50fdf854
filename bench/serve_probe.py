#!/usr/bin/env python3
"""Save-to-reload time of `blogkit serve`: from saving one post to the browser's reload event.

    python bench/serve_probe.py SITE                  # 7 edits of the newest post
    python bench/serve_probe.py SITE --edits 11 --post middle -j 4
    python bench/serve_probe.py SITE --post posts/ada/2026-03-01-x.md

Starts `blogkit serve SITE --port 0` (127.0.0.1 only), waits for the first build,
listens on the live-reload event stream as a browser does, then N times appends a
paragraph to one post and times the moment the file is in place to the `reload`
event. The post is written beside itself and renamed over, as editors save; by
default it is the newest post, the one an author is writing, which is on the hub's
first page and in the most feeds. The post is restored at the end (that rebuild is
not counted) and the server stopped. Prints each time, the median, and the rebuild
times the server itself reports.

Corpora: `python3 ../shared/bench/gen_corpus.py DIR --posts 1000 --authors 40 --seed 1`,
then `python3 ../shared/bench/peers/adapt.py blogkit DIR SITE`.
"""

from __future__ import annotations

import argparse
import http.client
import os
import queue
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path)
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--post", default="newest", help="newest (default), middle, or a post's path relative to SITE")
    parser.add_argument("-j", "--jobs", type=int, default=None, help="blogkit -j for the first build")
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between edits")
    parser.add_argument("--startup", type=float, default=900, help="seconds to wait for the first build")
    args = parser.parse_args()

    site = args.site.resolve()
    by_date = sorted(site.glob("posts/*/*.md"), key=lambda p: (p.name, p.parent.name))  # file names start with the date
    post = {"newest": by_date[-1], "middle": by_date[len(by_date) // 2]}.get(args.post) or site / args.post
    original = post.read_bytes()
    command = [sys.executable, "-m", "blogkit", "serve", str(site), "--port", "0"] + (["-j", str(args.jobs)] if args.jobs else [])
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    lines: queue.Queue[str] = queue.Queue()
    rebuilds: list[float] = []
    peak = None
    threading.Thread(target=read_log, args=(server, lines, rebuilds), daemon=True).start()
    try:
        port = wait_for_port(lines, args.startup)
        events = EventStream(port)
        times = []
        for i in range(args.edits + 1):  # the first edit warms up (the session's first patch); not counted
            save(post, original + f"\n\nEdit {i} of the probe: one more paragraph to render.\n".encode())
            saved = time.perf_counter()
            events.wait_for("reload", timeout=120)
            elapsed = time.perf_counter() - saved
            print(f"edit {i}{' (warm-up, not counted)' if not i else ''}: {elapsed * 1000:.0f} ms", flush=True)
            if i:
                times.append(elapsed)
            time.sleep(args.pause)
        save(post, original)
        events.wait_for("reload", timeout=120)
        peak = peak_memory_mb(server.pid)
    finally:
        post.write_bytes(original)
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=60)
    print(f"{post.relative_to(site)}: save to reload event, median {statistics.median(times) * 1000:.0f} ms", end="")
    print(f" (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, {len(times)} edits)")
    if rebuilds:
        print(f"rebuild as the server reports it: median {statistics.median(rebuilds[1:-1] or rebuilds) * 1000:.0f} ms")
    if peak:
        print(f"server peak memory: {peak:.0f} MB")
    return 0 if code == 0 else 1


def peak_memory_mb(pid: int) -> float | None:
    """The peak resident memory of a process (Linux), or None."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return int(match.group(1)) / 1024 if match else None


def read_log(server: subprocess.Popen[str], lines: queue.Queue[str], rebuilds: list[float]) -> None:
    assert server.stderr is not None
    for line in server.stderr:
        lines.put(line)
        if match := re.search(r"rebuilt in ([\d.]+) s", line):
            rebuilds.append(float(match.group(1)))
        if "error" in line or "Traceback" in line:
            sys.stderr.write(line)


def wait_for_port(lines: queue.Queue[str], timeout: float) -> int:
    """The server's port, once its first build is done (it prints the address before building)."""
    deadline = time.monotonic() + timeout
    port = 0
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        if match := re.search(r"serving http://127\.0\.0\.1:(\d+)/", line):
            port = int(match.group(1))
        if port and "blogkit: built" in line:
            return port
    raise SystemExit("the server did not start")


def save(path: Path, data: bytes) -> None:
    temp = path.with_name(f".{path.name}.probe")
    temp.write_bytes(data)
    os.replace(temp, path)


class EventStream:
    def __init__(self, port: int) -> None:
        self.events: queue.Queue[str] = queue.Queue()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        conn.request("GET", "/__blogkit__/events")
        self.response = conn.getresponse()
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for("hello", timeout=30)

    def _read(self) -> None:
        for raw in iter(self.response.readline, b""):
            line = raw.decode()
            if line.startswith("event: "):
                self.events.put(line[len("event: ") :].strip())

    def wait_for(self, name: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                break
            if event == name:
                return
            if event == "problems":
                raise SystemExit("the build failed: see the server's messages")
        raise SystemExit(f"no {name} event within {timeout} s")


if __name__ == "__main__":
    sys.exit(main())
