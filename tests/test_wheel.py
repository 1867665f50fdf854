"""The theme ships inside the wheel: install the built wheel into a fresh virtual
environment and build the example site from another working directory."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

from conftest import EXAMPLE_SITE, REPO


def test_wheel_installs_and_builds_the_example_site(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)], check=True)
    wheel = next(dist.glob("blogkit-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    subprocess.run([str(env_dir / "bin" / "blogkit"), "build", str(EXAMPLE_SITE), "-o", str(out), "--strict"], cwd=elsewhere, check=True)
    assert (out / "index.html").is_file()
    assert (out / "assets" / "style.css").read_bytes() == (REPO / "themes/default/static/assets/style.css").read_bytes()
    installed = subprocess.run(
        [str(python), "-c", "import blogkit.core.config as c; print(c.THEME_DIR)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=elsewhere,
    ).stdout.strip()
    assert str(env_dir) in installed, "the theme is loaded from the installed package, not the source tree"
