"""Tests for annotations.jsonl_process: a long JSONL file read in a child process yields what
reading it here yields (in order, annotation lines in runs), fails as reading it here fails,
imports into the same database, and the child never outlives the reading."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import TALKS_ID, CountingLoader, write_jsonl

from annotations import jsonl_process
from annotations.errors import InputError
from annotations.importer import Importer
from annotations.ingest import jsonl_items, jsonl_lines
from annotations.library import get_article
from annotations.store import Store
from annotations.text import article_id

pytestmark = pytest.mark.usefixtures("clean_env")


@pytest.fixture
def in_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file is read in a child process, three lines to a chunk (so runs of annotation
    lines span chunks)."""
    monkeypatch.setattr(jsonl_process, "READER_PROCESS_BYTES", 0)
    monkeypatch.setattr(jsonl_process, "CHUNK_LINES", 3)


def mixed_records(store: Store) -> list[Any]:
    """Annotation lines (good, bad, gold, of an article later in the file), articles, another
    tool's line, lines that are no JSON object, in one file."""
    sentences = get_article(store, TALKS_ID).sentences
    later = "Talks began in Geneva."

    def line(idx: int, who: str, **fields: object) -> dict:
        sentence = sentences[idx]
        return {"article_id": TALKS_ID, "start": sentence.start, "end": sentence.end,
                "text": sentence.text, "labels": ["military"], "annotator": who,
                "updated_at": "2024-05-06T07:08:09.123456Z", **fields}  # fmt: skip

    return [
        line(0, "alice"),
        line(0, "bob", labels=[]),
        line(1, "alice", origin="typed"),
        line(1, "alice", labels=["nope"]),  # not in the scheme
        line(2, "zoë 🙂", ignored=True, labels=[]),
        {"text": "A new article about the talks."},
        line(2, "bob", start=-1),  # not a span
        "not an object",
        {"article_id": article_id(later), "start": 0, "end": len(later), "text": later,
         "labels": ["diplomatic"], "annotator": "alice", "updated_at": "2024-01-01T00:00:00Z"},
        {"text": later},
        {"text": sentences[0].text, "accept": ["military"], "answer": "accept",
         "_annotator_id": "carol"},
        line(1, "gold", votes={"alice": ["military"], "bob": []}, note="checked"),
        line(2, "alice"),
        line(3, "alice"),
    ]  # fmt: skip


def _one_by_one(items: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Runs of annotation lines as single lines, as `jsonl_items` yields them."""
    return [
        pair
        for kind, item in items
        for pair in ([("annotation", line) for line in item] if kind == "annotations" else [])
        or [(kind, item)]
    ]


@pytest.mark.usefixtures("in_child")
def test_a_file_read_in_a_child_holds_what_reading_it_here_does(
    tmp_path: Path, tiny: Store
) -> None:
    path = write_jsonl(tmp_path / "mixed.jsonl", mixed_records(tiny))
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n   \n")  # blank lines at the end
    here = list(jsonl_items(path, jsonl_lines(path)))
    there = list(jsonl_process.read_jsonl(path))
    assert any(kind == "annotations" and len(item) > 1 for kind, item in there)
    assert _one_by_one(there) == here
    assert {kind for kind, _ in here} == {"annotation", "article", "foreign", "problem"}


@pytest.mark.usefixtures("in_child")
def test_a_file_read_in_a_child_fails_as_reading_it_here_does(tmp_path: Path, tiny: Store) -> None:
    path = tmp_path / "latin.jsonl"
    good = json.dumps(mixed_records(tiny)[0]).encode() + b"\n"
    path.write_bytes(good * 3 + b'{"text": "caf\xe9"}\n')
    with pytest.raises(InputError) as here:
        list(jsonl_items(path, jsonl_lines(path)))
    with pytest.raises(InputError) as there:
        list(jsonl_process.read_jsonl(path))
    assert str(there.value) == str(here.value)
    assert "not valid UTF-8" in str(there.value)


def test_a_long_file_imports_as_a_short_one(
    tmp_path: Path, tiny_template: Path, loader: CountingLoader, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonl_process, "CHUNK_LINES", 2)
    ends = []
    for name, threshold in (("here", 1 << 40), ("child", 0)):
        monkeypatch.setattr(jsonl_process, "READER_PROCESS_BYTES", threshold)
        with Store.open(Path(shutil.copy(tiny_template, tmp_path / f"{name}.db"))) as store:
            path = write_jsonl(tmp_path / f"{name}.jsonl", mixed_records(store))
            result = Importer(store, pipeline_loader=loader).import_file(path)
            rows = store.conn.execute(
                'SELECT article_id, start, "end", annotator, labels, ignored, source'
                " FROM annotations ORDER BY 1, 2, 3, 4"
            ).fetchall()
            gold = store.conn.execute("SELECT * FROM gold").fetchall()
            ends.append((result.status, result.message, result.problems, rows, gold))
    assert ends[0] == ends[1]
    assert ends[0][1] == "2 articles, 9 annotations, 3 lines not imported"


@pytest.mark.usefixtures("in_child")
def test_a_child_that_dies_is_an_error_not_a_hang(
    tmp_path: Path, tiny: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonl_process, "_CHILD", "import sys; sys.exit(3)")
    path = write_jsonl(tmp_path / "lines.jsonl", mixed_records(tiny))
    with pytest.raises(RuntimeError, match="exit code 3"):
        list(jsonl_process.read_jsonl(path))


@pytest.mark.usefixtures("in_child")
def test_a_frame_cut_short_is_an_error_not_garbage(
    tmp_path: Path, tiny: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    cut = "import struct, sys; sys.stdout.buffer.write(struct.pack('<Q', 100) + bytes(10))"
    monkeypatch.setattr(jsonl_process, "_CHILD", cut)
    path = write_jsonl(tmp_path / "lines.jsonl", mixed_records(tiny))
    with pytest.raises(RuntimeError, match="exit code 0"):
        list(jsonl_process.read_jsonl(path))


@pytest.mark.usefixtures("in_child")
def test_the_child_ends_when_the_reading_stops_early(
    tmp_path: Path, tiny: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[subprocess.Popen] = []
    popen = subprocess.Popen

    def recording(*args: Any, **kwargs: Any) -> subprocess.Popen:
        started.append(popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(jsonl_process.subprocess, "Popen", recording)
    path = write_jsonl(tmp_path / "lines.jsonl", mixed_records(tiny) * 2_000)
    items = jsonl_process.read_jsonl(path)
    assert next(items)[0] == "annotations"
    items.close()  # type: ignore[attr-defined]
    (child,) = started
    assert child.returncode is not None
