"""The wheel carries its styles and sample: install it offline into a fresh
venv and use it from outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    dist = work / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("paperqueue-*.whl")
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    # Reuse this environment's packages (textual, tinydb, ...) without network.
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    Path(site, "_test_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env_dir


def run(env_dir: Path, *args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PAPERQUEUE_HOME"] = str(home)
    return subprocess.run([str(env_dir / "bin" / "paperqueue"), *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_wheel_runs_outside_checkout(installed: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    home = tmp_path / "home"
    version = run(installed, "--version", cwd=outside, home=home)
    assert version.returncode == 0 and version.stdout.startswith("paperqueue ")
    imported = run(installed, "import", "--sample", cwd=outside, home=home)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith("bundled sample: trending-papers page: 79 new, 0 already in the queue")
    where = subprocess.run(
        [str(installed / "bin" / "python"), "-c",
         "import paperqueue.resources as r; print(r.styles_path()); print(r.sample_path())"],
        cwd=outside, capture_output=True, text=True, check=True,
    ).stdout.split()
    assert all(str(installed) in path and Path(path).is_file() for path in where), where
