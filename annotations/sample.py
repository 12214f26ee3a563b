"""The sample article annotty opens on first run (a news report on the battle for Palmyra)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

SAMPLE_NAME = "palmyra.txt"
SAMPLE_SOURCE = SAMPLE_NAME
"""The sample's `source`: the same on every machine, not a path inside a virtual environment."""


def sample_path() -> Path:
    """The bundled sample: inside the installed package, or in the source tree's `seeds/`."""
    installed = Path(str(files("annotations"))) / "seeds" / SAMPLE_NAME
    if installed.is_file():
        return installed
    return Path(__file__).resolve().parent.parent / "seeds" / SAMPLE_NAME


def is_sample(path: Path) -> bool:
    """Whether `path` is the bundled sample: its name and bytes (a copy in a source checkout is
    the sample as much as the one inside the installed package)."""
    if path.name != SAMPLE_NAME:
        return False
    try:
        return path.read_bytes() == sample_path().read_bytes()
    except OSError:
        return False
