"""Where paperqueue keeps its data: ``$PAPERQUEUE_HOME`` or the platform data dir."""

from __future__ import annotations

import os
from pathlib import Path

ENV_HOME = "PAPERQUEUE_HOME"


def data_home() -> Path:
    explicit = os.environ.get(ENV_HOME)
    if explicit:
        return Path(explicit).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("paperqueue", appauthor=False))
