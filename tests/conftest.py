"""Shared fixtures for the core and command-line tests.

Every database lives under a test's tmp_path. spaCy is loaded once per session; the sample
article and a two-article "tiny" library are imported once per session and copied per test.
Modules that touch the environment (the CLI reads ANNOTTY_* variables and the user data folder)
use the `clean_env` fixture, which points all of it into tmp_path.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from annotations.importer import Importer
from annotations.nlp import Pipeline, load_pipeline
from annotations.store import Store

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "seeds" / "palmyra.txt"
SAMPLE_ID = "d0730ee7390b2b66"

# Two short articles with known analyses (en_core_web_sm 3.8.0). STORY is imported before TALKS,
# though TALKS has the smaller id, so library order and id order differ.
TALKS = (
    "Talks in Geneva\n\n"
    "Troops entered Palmyra on Thursday. The museum was looted.\n"
    "Russia sent diplomats to Geneva."
)
TALKS_ID = "460426dcec0a00f7"
STORY = "Second story\n\nFighting continued near Aleppo."
STORY_ID = "f13800b3b5a6c27e"


class CountingLoader:
    """A pipeline loader for Importer that hands out the session's pipeline and counts calls."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.calls = 0

    def __call__(self, model: str | None = None) -> Pipeline:
        self.calls += 1
        return self.pipeline


@contextmanager
def held_lock(path: Path) -> Iterator[sqlite3.Connection]:
    """Another program holding the write lock (BEGIN IMMEDIATE) until the block ends."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield other
    finally:
        if other.in_transaction:
            other.execute("ROLLBACK")
        other.close()


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def _build(path: Path, pipeline: Pipeline, files: list[Path]) -> Path:
    store = Store.open(path)
    try:
        importer = Importer(store, pipeline_loader=CountingLoader(pipeline))
        results = list(importer.import_paths(files))
        assert [r.status for r in results] == ["imported"] * len(files), results
    finally:
        store.close()
    # Closing the last connection checkpoints the WAL: the .db file alone is the database.
    assert not Path(f"{path}-wal").exists()
    return path


@pytest.fixture
def anyio_backend() -> str:
    """Async tests (Pilot) run on asyncio, with anyio's pytest plugin."""
    return "asyncio"


@pytest.fixture
def tui_store(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A copy of the TUI tests' database (the sample and a hostile article) under tmp_path."""
    from tui_helpers import fresh_db

    with Store.open(fresh_db(tmp_path_factory, tmp_path)) as store:
        yield store


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    """The spaCy pipeline, loaded once for the whole session (load_pipeline caches it)."""
    return load_pipeline()


@pytest.fixture
def loader(pipeline: Pipeline) -> CountingLoader:
    return CountingLoader(pipeline)


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No ANNOTTY_* variable from outside; the user data folder is inside tmp_path."""
    for name in ("ANNOTTY_DB", "ANNOTTY_ANNOTATOR", "ANNOTTY_MODEL", "ANNOTTY_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    data_home = tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
    return data_home


@pytest.fixture(scope="session")
def sample_template(tmp_path_factory: pytest.TempPathFactory, pipeline: Pipeline) -> Path:
    """A closed database holding the sample article, built once per session. Do not modify."""
    folder = tmp_path_factory.mktemp("sample-template")
    return _build(folder / "sample.db", pipeline, [SAMPLE])


@pytest.fixture(scope="session")
def tiny_template(tmp_path_factory: pytest.TempPathFactory, pipeline: Pipeline) -> Path:
    """A closed database holding STORY then TALKS (source "wire"), built once per session."""
    folder = tmp_path_factory.mktemp("tiny-template")
    source = write_jsonl(
        folder / "tiny.jsonl",
        [
            {"text": STORY, "meta": {"source": "wire"}},
            {"text": TALKS, "title": "Talks", "meta": {"source": "wire"}},
        ],
    )
    return _build(folder / "tiny.db", pipeline, [source])


@pytest.fixture
def sample_db(tmp_path: Path, sample_template: Path) -> Path:
    """A fresh copy of the sample database, at tmp_path/annotty.db."""
    return Path(shutil.copy(sample_template, tmp_path / "annotty.db"))


@pytest.fixture
def tiny_db(tmp_path: Path, tiny_template: Path) -> Path:
    """A fresh copy of the tiny database, at tmp_path/tiny.db."""
    return Path(shutil.copy(tiny_template, tmp_path / "tiny.db"))


@pytest.fixture
def store(sample_db: Path) -> Iterator[Store]:
    """The sample database, open."""
    with Store.open(sample_db) as opened:
        yield opened


@pytest.fixture
def tiny(tiny_db: Path) -> Iterator[Store]:
    """The tiny database, open."""
    with Store.open(tiny_db) as opened:
        yield opened


@pytest.fixture
def empty_store(tmp_path: Path) -> Iterator[Store]:
    """A new, empty database at tmp_path/empty.db."""
    with Store.open(tmp_path / "empty.db") as opened:
        yield opened


@pytest.fixture
def make_importer(loader: CountingLoader) -> Callable[[Store], Importer]:
    """Importers that use the session's pipeline (and count how often they ask for it)."""
    return lambda store: Importer(store, pipeline_loader=loader)
