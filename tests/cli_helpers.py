"""Running annotty's command line from tests: in click's runner, or through the console script."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tui.cli import cli, main


def annotty(
    *args: str | Path, env: dict[str, str] | None = None, stdin: str | None = None
) -> Result:
    """The `cli` group in click's runner (stdout and stderr apart)."""
    return CliRunner().invoke(cli, [str(arg) for arg in args], env=env, input=stdin)


def run_main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str | Path
) -> tuple[int, str, str]:
    """Run the console script's entry point in process: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["annotty", *map(str, args)])
    with pytest.raises(SystemExit) as caught:
        main()
    out, err = capsys.readouterr()
    code = caught.value.code
    assert isinstance(code, int)
    return code, out, err
