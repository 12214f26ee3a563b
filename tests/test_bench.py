"""`python -m bench --quick` runs to the end and prints its table (a smoke test: the figures
themselves are measurements, never asserted)."""

from __future__ import annotations

import os
import subprocess
import sys

from tui_helpers import ROOT


def test_quick_bench_prints_every_figure(tmp_path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.pop("ANNOTTY_DB", None)
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("annotty bench (quick)")
    header = [cell.strip() for cell in lines[1].strip("|").split("|")]
    columns = ["what", "measured", "baseline beside it", "ratio", "target", "peak RSS", "met"]
    assert header == columns
    figures = [line.split("|")[1].strip() for line in lines[3:]]
    for expected in (
        "first frame of the reader",
        "first frame with",
        "library screen with",
        "j/k moves",
        "opening a one-line article",
        "paragraph article",
        "annotty export of",
        "annotty agreement",
        "import of",
        "annotty import (spaCy)",
    ):
        assert any(expected in figure for figure in figures), expected
