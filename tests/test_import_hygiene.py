"""The core never imports Textual or Rich, and nothing imports spaCy until an article is analysed.

Imports are checked in fresh interpreters: this test process has long since loaded everything.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tui_helpers import ROOT, fresh_db

CORE_MODULES = (
    "annotations",
    "annotations.store",
    "annotations.export",
    "annotations.agreement",
    "annotations.merge",
    "annotations.review",
    "annotations.library",
    "annotations.decisions",
    "annotations.importer",
)


def run_python(code: str, cwd: Path) -> dict:
    """Run code in a new interpreter; it prints one JSON object as its last line."""
    env = {**os.environ, "TEXTUAL_ANIMATIONS": "none"}
    env.pop("ANNOTTY_MODEL", None)
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_core_imports_neither_textual_nor_spacy(tmp_path: Path) -> None:
    loaded = run_python(
        f"""
        import json, sys
        for name in {CORE_MODULES!r}:
            __import__(name)
        print(json.dumps({{
            name: name in sys.modules for name in ("textual", "rich", "spacy", "trafilatura")
        }}))
        """,
        tmp_path,
    )
    assert loaded == {"textual": False, "rich": False, "spacy": False, "trafilatura": False}


def test_reading_in_the_app_loads_nothing_heavy(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    db = fresh_db(tmp_path_factory, tmp_path)
    seen = run_python(
        f"""
        import asyncio, json, sys
        from annotations.store import Store
        from tui.app import AnnottyApp

        async def main():
            with Store.open({str(db)!r}) as store:
                app = AnnottyApp(store, "alice")
                async with app.run_test(size=(100, 30)) as pilot:
                    await pilot.press("1", "j", "space", "n", "escape")
                    screen = type(app.screen).__name__
                    decided = store.value("SELECT count(*) FROM annotations WHERE decided")
                    await pilot.press("q")
            return screen, decided

        screen, decided = asyncio.run(main())
        heavy = ("spacy", "trafilatura", "sqlite_utils", "pandas", "numpy")
        print(json.dumps({{
            "screen": screen, "decided": decided,
            "loaded": sorted(name for name in heavy if name in sys.modules),
        }}))
        """,
        tmp_path,
    )
    # Reading, deciding, the next article and the library: none of them needs spaCy, the HTML
    # extractor or sqlite-utils (which drags in pandas and numpy, half a second of the start).
    assert seen == {"screen": "LibraryScreen", "decided": 2, "loaded": []}


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
            names.update(arg.value for arg in node.args[:1] if isinstance(arg, ast.Constant))
    return names


def test_no_core_file_imports_textual_or_rich() -> None:
    files = sorted((ROOT / "annotations").rglob("*.py"))
    assert len(files) > 10
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in _imported_modules(path) if name.split(".")[0] in {"textual", "rich"}
        )
        for path in files
    }
    assert {path: names for path, names in offenders.items() if names} == {}
