"""Language detection at import, the warning for a text not in the pipeline's language, and
`annotty show`, which reports it (with what the import dropped)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from cli_helpers import annotty

from annotations.language import DETECT_PREFIX, detect_language, language_name
from annotations.library import article_ids, get_article
from annotations.store import Store
from tui.cli import main

pytestmark = pytest.mark.usefixtures("clean_env")

GERMAN = (
    "Die Bundesregierung hat am Mittwoch neue Maßnahmen gegen die steigenden Preise beschlossen.\n"
    "Der Kanzler sagte, die Lage sei ernst, aber beherrschbar."
)
FRENCH = (
    "Le gouvernement a annoncé mercredi de nouvelles mesures contre la hausse des prix. "
    "Le premier ministre a déclaré que la situation était grave mais maîtrisable."
)
ENGLISH = "The government announced new measures against rising prices on Wednesday."


@pytest.mark.parametrize(
    ("text", "code"), [(GERMAN, "de"), (FRENCH, "fr"), (ENGLISH, "en"), ("OK.", None), ("", None)]
)
def test_detect_language(text: str, code: str | None) -> None:
    assert detect_language(text) == code


def test_only_a_prefix_is_read() -> None:
    assert detect_language(" ".join([ENGLISH] * 30) + " " + GERMAN * 200) == "en"
    assert detect_language("x" * DETECT_PREFIX + " " + GERMAN) is None


def test_language_names() -> None:
    assert language_name("de") == "German"
    assert language_name("xx") == "xx"


def test_a_german_text_imports_with_a_warning_and_its_language(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    german = tmp_path / "bericht.txt"
    german.write_text(GERMAN, "utf-8")
    english = tmp_path / "report.txt"
    english.write_text(ENGLISH, "utf-8")
    result = annotty("--db", db, "import", german, english)
    assert result.exit_code == 0
    assert result.stderr == f"warning: {german}: looks like German (de); the pipeline is English\n"
    assert result.stdout.splitlines()[-1] == "2 imported, 0 duplicate, 0 failed"
    with Store.open(db) as store:
        languages = [get_article(store, i).language for i in article_ids(store)]
    assert languages == ["de", "en"]


def test_jsonl_warnings_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    lines = [{"text": ENGLISH}, {"text": FRENCH}]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    result = annotty("--db", tmp_path / "a.db", "import", path)
    assert result.stderr == (
        f"warning: {path}: line 2: looks like French (fr); the pipeline is English\n"
    )


def test_show_an_article_and_what_was_dropped(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Harbour fire - The Gazette</title>"
        '<meta property="og:site_name" content="The Gazette"></head><body><article>'
        "<p>By JANE ROE</p><p>A fire broke out at the harbour warehouse on Monday night.</p>"
        "<p>Nobody was hurt, the fire service said.</p><p>Sign up here.</p>"
        "</article></body></html>",
        "utf-8",
    )
    assert annotty("--db", db, "import", page).exit_code == 0
    with Store.open(db) as store:
        (identity,) = article_ids(store)
        pipeline = get_article(store, identity).pipeline
    shown = annotty("--db", db, "show", identity[:6])
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert lines[:6] == [
        f"id         {identity}",
        "title      Harbour fire",
        f"source     {page}",
        "language   English (en)",
        "sentences  3",
        f"pipeline   {pipeline}",
    ]
    assert lines[7] == "dropped    2 lines (--dropped lists them)"

    listed = annotty("--db", db, "show", identity, "--dropped").stdout.splitlines()
    assert listed[7] == "dropped    2 lines"
    assert listed[8:] == [
        "",
        "byline              By JANE ROE",
        "subscription promo  Sign up here.",
    ]


def test_show_errors_are_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "a.db"
    text = tmp_path / "a.txt"
    text.write_text(ENGLISH, "utf-8")
    assert annotty("--db", db, "import", text).exit_code == 0

    def run(*args: str | Path) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["annotty", *map(str, args)])
        with pytest.raises(SystemExit) as caught:
            main()
        out, err = capsys.readouterr()
        return int(caught.value.code or 0), out, err

    assert run("--db", db, "show", "zzz") == (1, "", "annotty: error: no article with id 'zzz'\n")
    code, _, err = run("--db", tmp_path / "none.db", "show", "abc")
    assert code != 0
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "none.db").exists()
    with Store.open(db) as store:
        (identity,) = article_ids(store)
    code, out, _ = run("--db", db, "show", identity)
    assert code == 0
    assert "dropped    nothing" in out
