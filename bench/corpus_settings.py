"""The setting blogkit's copy of the shared corpus needs, written once for `run.py` and `compare.py`.

The corpus's posts show images (`![..](/images/<slug>-fig1.png)`) that it does not ship. The
other generators publish such pages as they are; blogkit refuses a build with a link to nothing
unless `links.broken: warning`, which makes each one a warning and builds the rest, as the peers
do. Without it the timed build would stop before writing anything and look fast.
"""

from __future__ import annotations

from pathlib import Path

SETTINGS = "links:\n  broken: warning  # the corpus shows images it does not ship (bench/corpus_settings.py)\n"


def settle(site: Path) -> None:
    """Add the settings to the site's blogkit.yaml, once."""
    config = site / "blogkit.yaml"
    text = config.read_text(encoding="utf-8")
    if "\nlinks:" not in "\n" + text:
        config.write_text(text.rstrip("\n") + "\n" + SETTINGS, encoding="utf-8")
