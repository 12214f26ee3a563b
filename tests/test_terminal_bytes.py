"""The bytes annotty writes, with hostile names everywhere (issue 8): the real console script's
output through a pipe, and the app's through a pseudo-terminal.

File names carry OSC 52 (write the clipboard), OSC 0 (retitle the terminal), OSC 8 (a live
link), CSI (clear the screen), C1 controls, bidi overrides and newlines; so do the database's
own path, the annotators' names given on the command line, and a merged database's file name.
Nothing of it may reach the terminal as a control: no ESC in a pipe at all, no C1 or bidi
control anywhere, and in the app's output (which is made of escape sequences) none of the
sequences the hostile names carry.
"""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from contextlib import closing
from pathlib import Path

import pytest
from conftest import TALKS_ID

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.library import get_article
from annotations.store import Store

OSC52 = "\x1b]52;c;ZXZpbA==\x1b\\"
OSC0 = "\x1b]0;PWNED\x07"
OSC8 = "\x1b]8;;evil.example\x1b\\here\x1b]8;;\x1b\\"
CSI = "\x1b[2J\x1b[31m"
C1 = "\u009b2J\u0085\u009d0;C1\u009c"
BIDI = "\u202e\u2067"
NAMES = [f"clip{OSC52}", f"title{OSC0}", f"link{OSC8}", f"csi{CSI}", f"c1{C1}", f"bidi{BIDI}"]
PAYLOADS = ("ZXZpbA", "PWNED", "evil.example")
"""Text inside the hostile ESC sequences: the sanitiser drops whole sequences, so none of it may
be stored; it may only be printed escaped (after a visible `\\x1b`). (An 8-bit OSC has no
bounded form: its introducer goes alone and what followed it stays as harmless text.)"""
SCHEME = ["military", "diplomatic", "heritage_damage"]


def forbidden(text: str) -> list[str]:
    """The characters of `text` a terminal would act on (newline and tab aside)."""
    bad = []
    for char in text:
        code = ord(char)
        control = (code < 0x20 and char not in "\n\t") or 0x7F <= code <= 0x9F
        bidi = 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069 or char in "\u200e\u200f\u061c"
        if control or bidi or char in "\u200b\u2060\ufeff\u2028\u2029":
            bad.append(f"U+{code:04X}")
    return sorted(set(bad))


def annotty(*args: str | Path, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    """The console script's `main`, in a process of its own, its output through pipes."""
    command = [sys.executable, "-c", "from tui.cli import main; main()", *map(str, args)]
    return subprocess.run(command, capture_output=True, env=env, timeout=600, check=False)


def annotty_all(
    commands: dict[str, list[str | Path]], env: dict[str, str]
) -> dict[str, subprocess.CompletedProcess[bytes]]:
    """Run several commands at once (each as `annotty` would), and wait for them all."""
    started = {
        name: subprocess.Popen(
            [sys.executable, "-c", "from tui.cli import main; main()", *map(str, args)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for name, args in commands.items()
    }
    done = {}
    for name, process in started.items():
        out, err = process.communicate(timeout=600)
        done[name] = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    return done


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Hostile files, a team database with a hostile path, two annotators' databases (one with a
    hostile file name) holding decisions."""
    root = tmp_path_factory.mktemp("bytes")
    folder = root / f"in{OSC0}"
    folder.mkdir()
    for number, name in enumerate(NAMES):
        (folder / f"{name}.txt").write_text(
            f"Headline {name}\n\nTroops {CSI}entered{OSC52} town {number} {BIDI}on Monday.\n",
            "utf-8",
        )
    (folder / f"two\nlines{OSC52}.md").write_text("Talks resumed in Geneva.\n", "utf-8")
    (folder / f"binary{OSC8}.txt").write_bytes(b"\x00\x01")
    tiny = template_tiny(root)
    databases = {}
    for who in ("alice", "bob"):
        path = root / (f"{who}{OSC52}\n.db" if who == "alice" else f"{who}.db")
        shutil.copy(tiny, path)
        with Store.open(path) as store:
            article = get_article(store, TALKS_ID)
            decisions = Decisions(store, ANNOTATIONS, who, SCHEME)
            for sentence, labels in zip(
                article.sentences[:3], (["military"], [], ["diplomatic"]), strict=True
            ):
                decisions.decide(TALKS_ID, sentence.span, labels if who == "alice" else [])
        databases[who] = path
    # A crafted database: a label that is an escape sequence, an annotator that is another.
    evil = Path(shutil.copy(databases["alice"], root / f"evil{OSC0}.db"))
    with closing(sqlite3.connect(evil)) as conn:
        conn.execute("UPDATE annotations SET labels = ?", (json.dumps([f"x{OSC52}"]),))
        conn.execute("UPDATE annotations SET annotator = ? WHERE rowid = 2", (f"a{OSC8}",))
        conn.commit()
    databases["evil"] = evil
    return {"root": root, "folder": folder, "team": root / f"team{CSI}{BIDI}.db", **databases}


def template_tiny(root: Path) -> Path:
    """The tiny library (two short articles), analysed in process."""
    from conftest import STORY, TALKS, write_jsonl

    from annotations.importer import Importer
    from annotations.nlp import load_pipeline

    source = write_jsonl(root / "tiny.jsonl", [{"text": STORY}, {"text": TALKS, "title": "Talks"}])
    path = root / "tiny.db"
    with Store.open(path) as store:
        results = list(Importer(store, pipeline_loader=load_pipeline).import_paths([source]))
        assert [r.status for r in results] == ["imported"]
    return path


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("home")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ANNOTTY_")}
    return {**clean, "XDG_DATA_HOME": str(home / "data"), "XDG_STATE_HOME": str(home / "state")}


def test_every_command_writes_no_control_to_a_pipe(
    scene: dict[str, Path], env: dict[str, str]
) -> None:
    team = scene["team"]
    hostile_annotator = f"ev{OSC52}il{BIDI}"
    runs = {
        "import": annotty("--db", team, "import", scene["folder"], scene["root"] / f"gone{OSC8}",
                          env=env),
        "merge": annotty("--db", team, "merge", scene["alice"], scene["bob"], env=env),
    }  # fmt: skip
    # The rest only read (or are refused), so they run side by side.
    runs |= annotty_all(
        {
            "merge refused": ["--db", team, "merge", scene["folder"] / f"{NAMES[0]}.txt"],
            "merge crafted": ["--db", team, "merge", scene["evil"]],
            "stats": ["--db", team, "stats"],
            "labels": ["--db", team, "labels"],
            "labels set": ["--db", team, "labels", "set", f"a{OSC52},b{BIDI},a"],
            "agreement": ["--db", team, "agreement"],
            "agreement json": ["--db", team, "agreement", "--json"],
            "agreement names": ["--db", team, "agreement", "--annotator", hostile_annotator,
                                "--annotator", "alice", "--article", f"x{OSC0}"],
            "export": ["--db", team, "--annotator", hostile_annotator, "export"],
            "export gold": ["--db", team, "export", "--gold", "-o",
                            scene["root"] / f"gold{OSC52}.jsonl"],
            "accept": ["--db", team, "--annotator", hostile_annotator, "review",
                       "--accept-unanimous"],
            "usage": ["--db", team, f"stats{OSC0}"],
            "bad option": ["--db", team, "stats", f"--x{CSI}"],
            "missing db": ["--db", scene["root"] / f"none{OSC8}\n.db", "stats"],
            "not a db": ["--db", scene["folder"] / f"{NAMES[1]}.txt", "stats"],
        },
        env,
    )  # fmt: skip
    assert runs["import"].returncode == 1  # the binary and the missing file
    assert runs["merge"].returncode == 0, runs["merge"].stderr
    assert runs["agreement"].returncode == 0, runs["agreement"].stderr
    assert b"is not in the scheme; nothing was merged" in runs["merge crafted"].stderr
    for name, done in runs.items():
        for stream in (done.stdout, done.stderr):
            text = stream.decode("utf-8")  # strict: a lone byte of a file name is no output
            assert b"\x1b" not in stream, (name, text)
            assert not forbidden(text), (name, forbidden(text), text)
            for payload in PAYLOADS:
                for line in text.splitlines():
                    # A payload may only appear inside a path shown escaped.
                    assert payload not in line or "\\x1b" in line or "\\x9" in line, (name, line)
        assert "Traceback" not in done.stderr.decode(), name
        assert done.stderr.decode().count("annotty: ") <= 1, name
    lines = runs["import"].stdout.decode().splitlines()
    assert len(lines) == len(NAMES) + 3 + 1, "one line per file, the summary"
    assert sum(line.startswith("imported: ") for line in lines) == len(NAMES) + 1
    stats = runs["stats"].stdout.decode()
    assert "alice" in stats and "bob" in stats and "evil" not in stats


def test_the_app_writes_no_hostile_sequence_to_a_terminal(
    scene: dict[str, Path], env: dict[str, str], tmp_path: Path
) -> None:
    team = tmp_path / f"app{OSC0}.db"
    built = annotty("--db", team, "import", scene["folder"], env=env)
    assert built.returncode == 1, built.stderr  # the binary file
    assert annotty("--db", team, "merge", scene["alice"], scene["bob"], env=env).returncode == 0
    hostile = f"ev{OSC52}il"
    # The library, then the reader (it opens on the first article), a few keys, back, quit.
    library_and_reader = run_in_pty(
        ["--db", team, "--annotator", hostile], ["j", "1", " ", "n", "e", "\x1b", "q"], env
    )
    review = run_in_pty(
        ["--db", team, "--annotator", hostile, "review", "--annotator", "alice",
         "--annotator", "bob"],
        ["d", "1", " ", "f", "\x1b", "q"],
        env,
    )  # fmt: skip
    for name, (code, output) in {"reader": library_and_reader, "review": review}.items():
        text = output.decode("utf-8", errors="replace")
        assert code == 0, (name, text[-2000:])
        for sequence in ("\x1b]52", "\x1b]0;", "\x1b]2;", "\x1b]8;", "\x1b[2J"):
            assert sequence not in text, (name, sequence)
        for payload in PAYLOADS:
            assert payload not in text, (name, payload)
        c1_and_bidi = [c for c in forbidden(text) if c not in ("U+001B", "U+0007", "U+000D")]
        assert not c1_and_bidi, (name, c1_and_bidi)
        assert "Traceback" not in text


def run_in_pty(args: list[str | Path], keys: list[str], env: dict[str, str]) -> tuple[int, bytes]:
    """Run annotty on a pseudo-terminal, type `keys` one by one once the screen is quiet, and
    return its exit status and every byte it wrote."""
    command = [sys.executable, "-c", "from tui.cli import main; main()", *map(str, args)]
    leader, follower = pty.openpty()
    fcntl_size = struct.pack("HHHH", 30, 100, 0, 0)
    import fcntl

    fcntl.ioctl(follower, termios.TIOCSWINSZ, fcntl_size)
    process = subprocess.Popen(
        command,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**env, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"},
        start_new_session=True,
    )
    os.close(follower)
    output = bytearray()
    try:
        _read_until_quiet(leader, output, process, first=True)
        for key in keys:
            os.write(leader, key.encode())
            _read_until_quiet(leader, output, process)
        # On a busy machine an escape and the next key may arrive together (alt+q): ctrl+q
        # quits from anywhere.
        for _ in range(3):
            if process.poll() is not None:
                break
            _read_until_quiet(leader, output, process)
            if process.poll() is None:
                os.write(leader, b"\x11")
        process.wait(timeout=60)
        _read_until_quiet(leader, output, process)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        os.close(leader)
    return process.returncode, bytes(output)


def _read_until_quiet(
    leader: int, output: bytearray, process: subprocess.Popen, *, first: bool = False
) -> None:
    """Read what the app writes until it has been quiet for a moment (the app has drawn)."""
    quiet = 1.5 if first else 0.6
    give_up = time.monotonic() + 120
    while time.monotonic() < give_up:
        ready, _, _ = select.select([leader], [], [], quiet)
        if not ready:
            if not first or output:
                return
            continue
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the app has exited and closed the terminal
            return
        if not chunk:
            return
        output.extend(chunk)
        if process.poll() is not None and not chunk:
            return


def test_an_error_in_the_app_restores_the_terminal_and_exits_non_zero(
    scene: dict[str, Path], env: dict[str, str], tmp_path: Path
) -> None:
    # Issue 8.4: a damaged page made the app print a full traceback and exit 0.
    team = tmp_path / "damaged.db"
    shutil.copy(scene["alice"], team)
    with closing(sqlite3.connect(team)) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sentences'")
        page = root.fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    with team.open("r+b") as handle:
        handle.seek(size * (page - 1))
        handle.write(b"\xff" * 64)
    code, output = run_in_pty(["--db", team, "--annotator", "alice"], [], env)
    text = output.decode("utf-8", errors="replace")
    assert code == 1, text[-2000:]
    assert "Traceback" not in text
    restored = text.rfind("\x1b[?1049l")  # the app left the alternate screen ...
    message = text.find("annotty: error: database: database disk image is malformed")
    assert 0 <= restored < message, "... before the one line was printed"
    assert text[message:].strip().count("\n") == 0
