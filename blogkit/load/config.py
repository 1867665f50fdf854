"""Reading SITE/blogkit.yaml: the file, then `blogkit.core.config.read_config` for what it says."""

from __future__ import annotations

import os

from blogkit.core.config import CONFIG_FILE, SiteConfig, config_problem, read_config
from blogkit.core.diagnostics import ConfigError


def load_config(root: str) -> SiteConfig:
    """Read SITE/blogkit.yaml; raises ConfigError listing every problem."""
    root = os.path.abspath(root)
    path = os.path.join(root, CONFIG_FILE)
    if not os.path.isdir(root):
        raise ConfigError([config_problem(root, f"site folder '{root}' does not exist", "pass the folder that holds blogkit.yaml")])
    try:
        with open(path, encoding="utf-8-sig") as f:
            text = f.read()
    except FileNotFoundError:
        raise ConfigError(
            [config_problem(CONFIG_FILE, f"no {CONFIG_FILE} in '{root}'", "create one with `blogkit init DIR`, or pass the site folder")]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([config_problem(CONFIG_FILE, f"cannot read {CONFIG_FILE}: {exc}")]) from None
    return read_config(text, root, is_file=os.path.isfile, is_dir=os.path.isdir)
