"""The files of the fetched-data folder: JSON written whole or not at all, read back only when they are ours."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from datetime import datetime
from typing import Any

from blogkit.core.diagnostics import Report
from blogkit.load.outside import CHECKED_FILE, FETCHED_FOLDER, FORMAT, checked_times, fetched_path, read_fetched_file
from blogkit.load.untrusted import text_of


def read_fetched(site_root: str, path: str, items: str, report: Report) -> dict[str, Any]:
    """A file `blogkit fetch` wrote, with a list under `items`, or {} when there is none (or it is not
    one: a warning at it, as the build gives). Its `url`, `etag` and `last_modified` are texts, and
    validators go back to a server only when they are printable ASCII (a line break would end the header)."""
    fetched = read_fetched_file(site_root, path, items, report)
    if fetched is None:
        return {}
    data = {**fetched.data, "url": text_of(fetched.data.get("url"))}
    for key in ("etag", "last_modified"):
        value = text_of(data.get(key))
        data[key] = value if value.isascii() and value.isprintable() and len(value) <= 1024 else ""
    return data


def write_fetched(path: str, data: dict[str, Any]) -> None:
    """Write sorted JSON through a temporary file renamed over the old one, so that a folder kept in git diffs well."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".fetch-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1, sort_keys=True)
            f.write("\n")
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def note_checked(site_root: str, paths: list[str], now: datetime, report: Report) -> None:
    """Record that these fetched files were checked with their sources at `now` (fetched, or found unchanged)."""
    if not paths:
        return
    times = {path: when.isoformat() for path, when in checked_times(site_root, report).items()}
    times.update({fetched_path(site_root, path): now.isoformat() for path in paths})
    write_fetched(os.path.join(site_root, FETCHED_FOLDER, CHECKED_FILE), {"format": FORMAT, "checked": times})
