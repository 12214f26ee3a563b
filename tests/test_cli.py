"""Tests for the `annotty` command (tui.cli): click's CliRunner for the commands, `main()` in
process for how errors are reported, and a few runs of the real console script."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import annotty, run_main
from conftest import SAMPLE, SAMPLE_ID, STORY_ID, TALKS_ID

from annotations.decisions import ANNOTATIONS, GOLD, Decisions
from annotations.errors import PipelineError
from annotations.library import article_ids, get_article
from annotations.review import AUTO_NOTE
from annotations.scheme import get_labels
from annotations.store import SCHEMA_VERSION, Store

pytestmark = pytest.mark.usefixtures("clean_env")

SCHEME = ["military", "diplomatic", "heritage_damage"]


def decide(db: Path, who: str, identity: str, idx: int, labels: list[str]) -> None:
    with Store.open(db) as store:
        span = get_article(store, identity).sentences[idx].span
        Decisions(store, ANNOTATIONS, who, SCHEME).decide(identity, span, labels)


def snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


# --- import ---------------------------------------------------------------------------------------


def test_import_reports_each_file_and_fails_if_one_failed(tmp_path: Path) -> None:
    db = tmp_path / "annotty.db"
    good = tmp_path / "good.txt"
    good.write_text("Aleppo news\n\nFighting continued near Aleppo.\n", "utf-8")
    copy = tmp_path / "copy.txt"
    copy.write_text("Aleppo news\r\n\r\nFighting continued near Aleppo.  \r\n", "utf-8")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    missing = tmp_path / "missing.md"

    result = annotty("--db", db, "import", good, copy, binary, missing)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"imported: {good} (1 article)",
        f"duplicate: {copy} (1 duplicate)",
        "1 imported, 1 duplicate, 2 failed",
    ]
    # Errors go to stderr, each naming the path as the user typed it.
    assert result.stderr.splitlines() == [
        f"error: {binary}: binary file, not text",
        f"error: {missing}: no such file or directory",
    ]
    with Store.open(db) as store:
        assert len(article_ids(store)) == 1

    again = annotty("--db", db, "import", good)
    assert again.exit_code == 0
    assert again.stdout.splitlines() == [
        f"duplicate: {good} (1 duplicate)",
        "0 imported, 1 duplicate, 0 failed",
    ]


def test_import_a_folder_recursively(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    (folder / "2024" / "may").mkdir(parents=True)
    (folder / "b.txt").write_text("Bombing in Homs.", "utf-8")
    (folder / "2024" / "may" / "a.md").write_text("# Talks\n\nTalks resumed in Geneva.", "utf-8")
    (folder / "2024" / "feed.jsonl").write_text('{"text": "One."}\n\n{"text": "Two."}\n', "utf-8")
    (folder / "2024" / "skip.pdf").write_bytes(b"%PDF")
    result = annotty("--db", tmp_path / "a.db", "import", folder)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"imported: {folder / '2024' / 'feed.jsonl'} (2 articles)",
        f"imported: {folder / '2024' / 'may' / 'a.md'} (1 article)",
        f"imported: {folder / 'b.txt'} (1 article)",
        "4 imported, 0 duplicate, 0 failed",
    ]


def test_bad_jsonl_lines_are_reported_and_skipped_the_good_ones_imported(
    tmp_path: Path, sample_db: Path
) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        '{"text": "Fighting resumed in Homs."}\n[1, 2]\n{"text": "Talks went on."}\n{"text": "a',
        "utf-8",
    )
    result = annotty("--db", sample_db, "import", path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"imported: {path} (2 articles, 2 lines not imported)",
        "2 imported, 0 duplicate, 0 failed, 2 lines not imported",
    ]
    assert result.stderr.splitlines() == [
        f"error: {path}: line 2: not a JSON object (got an array)",
        f"error: {path}: line 4: not valid JSON (Unterminated string starting at)",
    ]
    with Store.open(sample_db) as store:
        assert len(article_ids(store)) == 3


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b"  \n\t\n\n ", "empty file"),
        (
            "latin.txt",
            "déjà vu".encode("latin-1"),
            "not valid UTF-8 text (byte 1); save it as UTF-8",
        ),
        ("nul.html", b"<html>\x00\x00</html>", "binary file, not text"),
        ("bad.jsonl", b"[1, 2]\n", "line 1: not a JSON object (got an array)"),
        ("trunc.jsonl", b'\n\n{"text": "a', "line 3: not valid JSON"),
        ("notext.jsonl", b'{"title": "x"}\n', 'line 1: missing "text"'),
        (
            "data.csv",
            b"a,b\n",
            "unsupported file type .csv (annotty reads .txt, .md, .html, .jsonl, .json)",
        ),
    ],
)
def test_bad_input_is_one_line_naming_the_file(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    db = tmp_path / "a.db"
    result = annotty("--db", db, "import", path)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    (summary,) = result.stdout.splitlines()
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"error: {path}: {reason}")
    assert summary == "0 imported, 0 duplicate, 1 failed"
    assert "Traceback" not in result.output
    with Store.open(db) as store:
        assert article_ids(store) == []


def test_import_needs_a_path() -> None:
    result = annotty("import")
    assert result.exit_code == 2
    assert "Missing argument 'PATHS...'" in result.stderr


def test_a_missing_pipeline_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Some news.", "utf-8")
    db = tmp_path / "a.db"
    result = annotty("--db", db, "--model", "no_such_model_xyz", "import", path)
    assert isinstance(result.exception, PipelineError)
    code, out, err = run_main(
        monkeypatch, capsys, "--db", db, "--model", "no_such_model_xyz", "import", path
    )
    assert (code, out) == (1, "")
    assert err.startswith(
        "annotty: error: cannot load spaCy pipeline 'no_such_model_xyz': it is not installed ("
    )
    assert err.count("\n") == 1


# --- where the database is, and who is annotating -------------------------------------------------


def test_database_option_then_environment_then_user_data_folder(
    tmp_path: Path, clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    option, env = tmp_path / "option.db", tmp_path / "env.db"
    default = clean_env / "annotty" / "annotty.db"
    assert annotty("--db", option, "labels", "set", "a").exit_code == 0
    assert option.exists() and not env.exists() and not default.exists()
    assert annotty("labels", "set", "b", env={"ANNOTTY_DB": str(env)}).exit_code == 0
    assert env.exists() and not default.exists()
    assert annotty("--db", option, "labels", env={"ANNOTTY_DB": str(env)}).stdout == "1  a\n"
    assert annotty("labels", "set", "c").exit_code == 0
    assert default.exists()
    with Store.open(default) as store:
        assert get_labels(store) == ["c"]
    monkeypatch.setenv("ANNOTTY_DB", str(env))
    assert annotty("labels").stdout == "1  b\n"


def test_annotator_option_then_environment_then_login(
    tmp_path: Path, tiny_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decide(tiny_db, "alice", TALKS_ID, 0, ["military"])
    decide(tiny_db, "bob", TALKS_ID, 0, ["military"])
    monkeypatch.setenv("ANNOTTY_DB", str(tiny_db))
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "login-name")

    def reviewer(*args: str, env: dict[str, str] | None = None) -> str:
        shutil.copy(tiny_db, tmp_path / "copy.db")
        result = annotty(
            "--db", tmp_path / "copy.db", *args, "review", "--accept-unanimous", env=env
        )
        assert result.exit_code == 0, result.output
        return result.stdout

    env = {"ANNOTTY_ANNOTATOR": "env-name"}
    assert reviewer() == "accepted 1 unanimous sentences as gold (login-name)\n"
    assert reviewer(env=env) == "accepted 1 unanimous sentences as gold (env-name)\n"
    assert reviewer("--annotator", " opt\tname ", env=env) == (
        "accepted 1 unanimous sentences as gold (opt name)\n"
    )


def test_an_empty_annotator_name_is_refused(tiny_db: Path) -> None:
    for args in (["--annotator", " "], ["--annotator", ""]):
        result = annotty("--db", tiny_db, *args, "labels")
        assert result.exit_code == 2
        assert "Invalid value for --annotator: an annotator name cannot be empty" in result.stderr
    result = annotty("--db", tiny_db, "export", "--annotator", "")
    assert result.exit_code == 2
    assert result.stdout == ""


# --- labels ---------------------------------------------------------------------------------------


def test_labels_show_and_set(
    tiny_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANNOTTY_DB", str(tiny_db))
    assert annotty("labels").stdout == "1  military\n2  diplomatic\n3  heritage_damage\n"
    result = annotty("labels", "set", "heritage_damage, military,diplomatic,other")
    assert result.exit_code == 0
    assert result.stdout == "labels: 1 heritage_damage, 2 military, 3 diplomatic, 4 other\n"
    assert annotty("labels").stdout.splitlines()[0] == "1  heritage_damage"

    decide(tiny_db, "alice", TALKS_ID, 0, ["other"])
    code, out, err = run_main(monkeypatch, capsys, "labels", "set", "military,diplomatic")
    assert (code, out) == (1, "")
    assert err == (
        "annotty: error: cannot drop label 'other': annotations use it (the scheme can only grow"
        " or be reordered once labels are in use)\n"
    )
    code, out, err = run_main(monkeypatch, capsys, "labels", "set", "bad label,x")
    assert (code, out) == (1, "")
    assert err == (
        "annotty: error: label 'bad label' is not allowed: use letters, digits, '_', '-' or '.'"
        " (at most 64 characters)\n"
    )
    with Store.open(tiny_db) as store:
        assert get_labels(store) == ["heritage_damage", "military", "diplomatic", "other"]


# --- export, stats --------------------------------------------------------------------------------


def test_export_to_stdout_and_to_a_file(tmp_path: Path, tiny_db: Path) -> None:
    decide(tiny_db, "bob", TALKS_ID, 1, [])
    decide(tiny_db, "alice", TALKS_ID, 1, ["military"])
    decide(tiny_db, "alice", STORY_ID, 0, ["diplomatic"])

    result = annotty("--db", tiny_db, "export")
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["article_id"], r["sentence"], r["annotator"], r["labels"]) for r in records] == [
        (STORY_ID, 0, "alice", ["diplomatic"]),
        (TALKS_ID, 1, "alice", ["military"]),
        (TALKS_ID, 1, "bob", []),
    ]
    assert result.stderr == "exported 3 decisions\n"

    out = tmp_path / "out.jsonl"
    result = annotty("--db", tiny_db, "export", "-o", out, "--annotator", "bob")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"exported 1 decisions to {out}\n"
    assert out.read_text("utf-8") == result_line(records[2])
    assert sorted(os.listdir(tmp_path)) == ["out.jsonl", "tiny.db"]

    result = annotty("--db", tiny_db, "export", "--annotator", "bob", "--annotator", "alice")
    assert len(result.stdout.splitlines()) == 3


def result_line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False) + "\n"


def test_export_gold(tiny_db: Path) -> None:
    decide(tiny_db, "alice", TALKS_ID, 2, ["heritage_damage"])
    decide(tiny_db, "bob", TALKS_ID, 2, ["heritage_damage"])
    review = annotty("--db", tiny_db, "--annotator", "rev", "review", "--accept-unanimous")
    assert review.stdout == "accepted 1 unanimous sentences as gold (rev)\n"
    with Store.open(tiny_db) as store:
        span = get_article(store, TALKS_ID).sentences[2].span
        assert Decisions(store, GOLD, "rev", SCHEME).get(TALKS_ID, span).note == AUTO_NOTE
    result = annotty("--db", tiny_db, "export", "--gold")
    assert result.exit_code == 0
    (record,) = (json.loads(line) for line in result.stdout.splitlines())
    assert (record["annotator"], record["labels"], record["votes"]) == (
        "rev",
        ["heritage_damage"],
        {"alice": ["heritage_damage"], "bob": ["heritage_damage"]},
    )
    assert record["text"] == "The museum was looted."
    assert result.stderr == "exported 1 gold decisions\n"


def test_stats(tiny_db: Path) -> None:
    decide(tiny_db, "alice", TALKS_ID, 0, ["diplomatic", "military"])
    decide(tiny_db, "alice", TALKS_ID, 1, [])
    decide(tiny_db, "bob", TALKS_ID, 0, ["military"])
    with Store.open(tiny_db) as store:  # an ignored sentence is counted apart, not as no label
        span = get_article(store, TALKS_ID).sentences[2].span
        Decisions(store, ANNOTATIONS, "bob", SCHEME).ignore(TALKS_ID, span)
    result = annotty("--db", tiny_db, "stats")
    assert result.exit_code == 0
    assert result.stdout.startswith(  # the bar charts follow (tests/test_stats.py)
        f"database   {tiny_db}\n"
        "articles   2\n"
        "sentences  6\n"
        "entities   6\n"
        "labels     1 military, 2 diplomatic, 3 heritage damage\n"
        "gold       0 sentences\n"
        "\n"
        "annotator  decided  military  diplomatic  heritage damage  no label  ignored\n"
        "alice      2        1         1           0                1         0\n"
        "bob        1        1         0           0                0         1\n"
    )


def test_commands_that_read_need_an_existing_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "none.db"
    for command in (["stats"], ["export"], ["agreement"], ["review", "--accept-unanimous"]):
        code, out, err = run_main(monkeypatch, capsys, "--db", db, *command)
        assert (code, out) == (1, "")
        assert err == f"annotty: error: no annotty database at {db}: import articles first\n"
    assert not db.exists()


# --- merge, agreement, review ---------------------------------------------------------------------


def test_merge(
    tmp_path: Path,
    tiny_db: Path,
    sample_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    decide(sample_db, "alice", SAMPLE_ID, 0, ["military"])
    decide(tiny_db, "alice", TALKS_ID, 0, ["military"])
    result = annotty("--db", tiny_db, "merge", sample_db)
    assert result.exit_code == 0
    assert result.stdout == (
        f"merged {sample_db}: 1 article added (0 already here); decisions: 1 added, 0 updated,"
        " 0 already up to date; 0 conflicts (the later decision kept)\n"
    )
    with Store.open(tiny_db) as store:
        assert article_ids(store) == [STORY_ID, TALKS_ID, SAMPLE_ID]

    assert annotty("--db", sample_db, "labels", "set", "diplomatic").exit_code == 1  # in use
    scheme = "military,diplomatic,heritage_damage,hd"
    assert annotty("--db", sample_db, "labels", "set", scheme).exit_code == 0
    before = snapshot(tiny_db)
    code, out, err = run_main(monkeypatch, capsys, "--db", tiny_db, "merge", sample_db)
    assert (code, out) == (1, "")
    assert err == (
        f"annotty: error: label schemes differ: {sample_db} has hd, this database does not\n"
    )
    assert snapshot(tiny_db)[0] == before[0]


def test_agreement_options_and_json(tiny_db: Path) -> None:
    for who, labels in [("alice", ["military"]), ("bob", ["military"]), ("carol", [])]:
        decide(tiny_db, who, TALKS_ID, 0, labels)
    decide(tiny_db, "alice", TALKS_ID, 1, ["diplomatic"])
    decide(tiny_db, "bob", TALKS_ID, 1, [])
    decide(tiny_db, "alice", STORY_ID, 1, [])
    decide(tiny_db, "bob", STORY_ID, 1, [])

    def report(*args: str) -> dict:
        result = annotty("--db", tiny_db, "agreement", "--json", *args)
        assert result.exit_code == 0, result.output
        assert result.stdout.count("\n") == 1
        return json.loads(result.stdout)

    everyone = report()
    assert list(everyone) == ["annotators", "labels", "overall", "pairwise"]
    assert everyone["annotators"] == ["alice", "bob", "carol"]
    assert list(everyone["labels"]) == SCHEME
    for figures in everyone["labels"].values():
        assert list(figures) == [
            "n",
            "percent_agreement",
            "cohen_kappa",
            "fleiss_kappa",
            "krippendorff_alpha",
        ]
    assert list(everyone["overall"]) == ["percent_exact", "mean_alpha"]
    assert set(everyone["pairwise"]) == {"alice", "bob", "carol"}
    assert set(everyone["pairwise"]["alice"]) == {"bob", "carol"}

    pair = report("--annotator", "alice", "--annotator", "bob")
    assert pair["annotators"] == ["alice", "bob"]
    assert pair["labels"]["military"]["n"] == 3
    assert pair["labels"]["military"]["percent_agreement"] == 1.0
    assert pair["labels"]["diplomatic"]["percent_agreement"] == pytest.approx(2 / 3)
    assert pair["pairwise"]["alice"]["bob"] == pair["pairwise"]["bob"]["alice"]

    story = report("--annotator", "alice", "--annotator", "bob", "--article", STORY_ID[:4])
    assert story["labels"]["military"]["n"] == 1
    assert story["overall"]["percent_exact"] == 1.0

    text = annotty("--db", tiny_db, "agreement", "--annotator", "alice", "--annotator", "bob")
    assert text.exit_code == 0
    assert text.stdout.startswith("Agreement among alice, bob\n")

    unknown = annotty("--db", tiny_db, "agreement", "--article", "zzz")
    assert unknown.exit_code == 1
    assert str(unknown.exception) == "no article with id 'zzz'"


def test_review_needs_decisions(
    tiny_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_main(monkeypatch, capsys, "--db", tiny_db, "review", "--accept-unanimous")
    assert (code, out) == (1, "")
    assert err == "annotty: error: nobody has decided a sentence yet: nothing to review\n"


def test_review_accepts_only_the_chosen_annotators_agreement(tiny_db: Path) -> None:
    decide(tiny_db, "alice", TALKS_ID, 0, ["military"])
    decide(tiny_db, "bob", TALKS_ID, 0, ["military"])
    decide(tiny_db, "carol", TALKS_ID, 0, ["diplomatic"])
    decide(tiny_db, "alice", TALKS_ID, 1, [])
    decide(tiny_db, "carol", TALKS_ID, 1, [])
    args = ["--db", tiny_db, "--annotator", "rev", "review", "--accept-unanimous"]
    assert annotty(*args).stdout == "accepted 0 unanimous sentences as gold (rev)\n"
    chosen = [*args, "--annotator", "alice", "--annotator", "carol"]
    assert annotty(*chosen).stdout == "accepted 1 unanimous sentences as gold (rev)\n"
    assert annotty(*chosen).stdout == "accepted 0 unanimous sentences as gold (rev)\n"
    result = annotty("--db", tiny_db, "export", "--gold")
    (record,) = (json.loads(line) for line in result.stdout.splitlines())
    assert (record["sentence"], record["labels"]) == (1, [])


def test_export_import_round_trip_through_the_command(
    tmp_path: Path, tiny_db: Path, tiny_template: Path
) -> None:
    decide(tiny_db, "alice", TALKS_ID, 0, ["military", "heritage_damage"])
    decide(tiny_db, "bob", TALKS_ID, 3, [])
    decide(tiny_db, "bob", STORY_ID, 1, ["diplomatic"])
    exported = tmp_path / "export.jsonl"
    assert annotty("--db", tiny_db, "export", "-o", exported).exit_code == 0
    other = Path(shutil.copy(tiny_template, tmp_path / "other.db"))
    result = annotty("--db", other, "import", exported)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"imported: {exported} (3 annotations)",
        "0 imported, 0 duplicate, 0 failed, 3 annotations",
    ]
    again = annotty("--db", other, "import", exported)
    assert again.stdout.splitlines() == [
        f"duplicate: {exported} (nothing new)",
        "0 imported, 0 duplicate, 0 failed",
    ]
    assert annotty("--db", other, "export").stdout == exported.read_text("utf-8")


# --- errors: one line, no traceback ---------------------------------------------------------------


def test_foreign_and_newer_databases_are_refused_in_one_line(
    tmp_path: Path,
    sample_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()
    conn = sqlite3.connect(sample_db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    expected = {
        foreign: f"{foreign} is an SQLite database, but not annotty's; refusing to change it",
        sample_db: (
            f"{sample_db} was written by a newer annotty (schema {SCHEMA_VERSION + 1}; this"
            f" annotty knows up to {SCHEMA_VERSION}): upgrade annotty to open it"
        ),
    }
    for db, message in expected.items():
        before = snapshot(db)
        for command in (["import", SAMPLE], ["labels", "set", "a"], ["stats"], ["export"]):
            code, out, err = run_main(monkeypatch, capsys, "--db", db, *command)
            assert (code, out, err) == (1, "", f"annotty: error: {message}\n")
        assert snapshot(db) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import"], "Missing argument 'PATHS...' (see 'annotty import --help')"),
        (["nosuch"], "No such command 'nosuch' (see 'annotty --help')"),
        (["export", "--bogus"], "No such option '--bogus' (see 'annotty export --help')"),
        (
            ["--annotator", "", "stats"],
            "Invalid value for --annotator: an annotator name cannot be empty"
            " (see 'annotty --help')",
        ),
        (["--db", "{tmp}", "stats"], "Invalid value for '--db': File '{tmp}' is a directory"),
    ],
)
def test_usage_errors_are_one_line_too(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    args = [arg.format(tmp=tmp_path) for arg in args]
    code, out, err = run_main(monkeypatch, capsys, *args)
    assert (code, out) == (2, "")
    assert err.startswith(f"annotty: error: {message.format(tmp=tmp_path)}")
    assert err.count("\n") == 1


def test_help_and_version(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    code, out, _ = run_main(monkeypatch, capsys, "--version")
    assert code == 0 and out.startswith("annotty, version ")
    code, out, _ = run_main(monkeypatch, capsys, "import", "--help")
    assert code == 0 and "Usage: annotty import" in out


# --- the real console script ----------------------------------------------------------------------


def script(tmp_path: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("annotty", path=str(Path(sys.executable).parent))
    assert executable is not None, "the annotty console script is not installed"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANNOTTY_")}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg-data")
    return subprocess.run(
        [executable, *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )


def test_script_missing_path(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    missing = tmp_path / "nowhere" / "article.txt"
    done = script(tmp_path, "--db", db, "import", missing)
    assert done.returncode == 1
    assert done.stdout.splitlines() == ["0 imported, 0 duplicate, 1 failed"]
    assert done.stderr.splitlines() == [f"error: {missing}: no such file or directory"]


def test_script_foreign_database_file(tmp_path: Path) -> None:
    db = tmp_path / "photo.db"
    db.write_bytes(bytes(range(256)) * 64)
    before = snapshot(db)
    done = script(tmp_path, "--db", db, "import", SAMPLE)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == f"annotty: error: {db} is not an annotty database (not an SQLite file)\n"
    assert snapshot(db) == before
    assert sorted(os.listdir(tmp_path)) == ["photo.db"]


def test_script_missing_database_for_export(tmp_path: Path) -> None:
    done = script(tmp_path, "--db", "none.db", "export", "-o", "out.jsonl")
    assert done.returncode == 1
    assert done.stderr == "annotty: error: no annotty database at none.db: import articles first\n"
    assert "Traceback" not in done.stdout + done.stderr
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "out.jsonl").exists()
