"""The core stays free of the UI, and the CLI starts without importing Textual."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import paperqueue.core


def core_modules() -> list[str]:
    return [m.name for m in pkgutil.walk_packages(paperqueue.core.__path__, "paperqueue.core.")]


def test_core_never_imports_textual() -> None:
    modules = core_modules()
    assert "paperqueue.core.store" in modules and "paperqueue.core.importers.page" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""


def test_cli_scripts_do_not_load_textual() -> None:
    code = (
        "import sys\nfrom paperqueue.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "print('textual' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("False")
