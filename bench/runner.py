"""Running a measurement in a fresh process and reading its peak memory from the kernel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def compile_sources() -> None:
    """Write the bytecode of annotty's modules, as installing annotty does (pip compiles a
    package when it installs it; Textual's modules, imported by every baseline, are compiled).

    Without it, with PYTHONDONTWRITEBYTECODE set or in a fresh checkout, every measured process
    would compile annotty's modules from source first: 40-50 ms of a 0.3 s start.
    """
    import compileall

    for package in ("annotations", "tui"):
        compileall.compile_dir(ROOT / package, quiet=2)


@dataclass
class Run:
    seconds: float
    peak_mb: float
    extra: dict = field(default_factory=dict)
    failed: bool = False
    timeout: float = 0


def _run(command: list[str], timeout: float) -> tuple[Run, str]:
    """Run `command`; wall seconds, its peak RSS (polled from /proc) and its stdout."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TEXTUAL_ANIMATIONS": "none",
        "ANNOTTY_ANNOTATOR": "alice",
    }
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err)
        deadline = started + timeout
        peak_kb = 0
        while True:
            peak_kb = max(peak_kb, _high_water_kb(process.pid))
            pid, status, _usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                os.wait4(process.pid, 0)
                process.returncode = -9
                return Run(timeout, peak_kb / 1024, failed=True, timeout=timeout), ""
            time.sleep(0.002)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{stderr}")
    return Run(seconds, peak_kb / 1024), stdout


def _high_water_kb(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), in kB; 0 once it has exited.

    Not wait4's ru_maxrss: Linux carries the parent's peak over fork and exec into the child's,
    so every child of a large parent would report at least the parent's size.
    """
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def probe(name: str, *args: object, spawn_time: bool = False, timeout: float = 600) -> Run:
    """Run bench.probes NAME; its own `seconds` replaces the wall time seen from here."""
    extra = [f"{time.time():.6f}"] if spawn_time else []
    command = [sys.executable, "-m", "bench.probes", name, *extra, *map(str, args)]
    run, stdout = _run(command, timeout)
    if run.failed:
        return run
    figures = json.loads(stdout.strip().splitlines()[-1])
    run.seconds = figures.pop("seconds")
    run.extra = figures
    return run


def annotty(db: Path, *args: object, timeout: float = 600) -> Run:
    """Run the `annotty` command on a database: wall seconds from spawn to exit."""
    command = [sys.executable, "-c", "from tui.cli import main; main()", "--db", str(db)]
    run, _ = _run([*command, *map(str, args)], timeout)
    return run
