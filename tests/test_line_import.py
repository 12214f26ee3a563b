"""Tests for annotations.line_import and the streamed JSONL import: annotation lines applied in
batches end exactly as offering them one at a time would (`merge.offer`), bad lines in the
middle of a batch are reported and skipped, lines may name articles of the same file (before or
after them), and the cached, quick reading of lines checks what the field-by-field one does."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import STORY_ID, TALKS_ID, CountingLoader, write_jsonl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations import ingest, line_import
from annotations.decisions import ANNOTATIONS, Decisions
from annotations.errors import InputError
from annotations.formats.annotty import LineReader, read_line
from annotations.importer import Importer
from annotations.library import article_ids, get_article
from annotations.limits import check_time, time_checker
from annotations.merge import MergeCounts, offer
from annotations.model import Analysis, AnnotationInput, Decision
from annotations.nlp import analyse, analyse_stream
from annotations.scheme import get_labels, in_scheme_order
from annotations.store import Store
from annotations.text import article_id, has_controls, strip_controls

pytestmark = pytest.mark.usefixtures("clean_env")

SCHEME = ["military", "diplomatic", "heritage_damage"]


def line_for(store: Store, identity: str, idx: int, **fields: object) -> dict:
    """A valid annotation line for sentence `idx` of an article."""
    sentence = get_article(store, identity).sentences[idx]
    return {
        "article_id": identity,
        "start": sentence.start,
        "end": sentence.end,
        "text": sentence.text,
        "labels": ["military"],
        "annotator": "alice",
        "updated_at": "2024-05-06T07:08:09.123456Z",
        **fields,
    }


def annotations(store: Store) -> list[tuple]:
    return store.conn.execute(
        'SELECT article_id, start, "end", annotator, labels, decided, updated_at, ignored, source'
        " FROM annotations ORDER BY 1, 2, 3, 4"
    ).fetchall()


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 3 lines, so that a short file spans several."""
    monkeypatch.setattr(line_import, "BATCH_LINES", 3)


# --- batches ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("small_batches")
def test_bad_lines_in_the_middle_of_a_batch_are_reported_and_the_rest_imported(
    tmp_path: Path, tiny: Store, loader: CountingLoader
) -> None:
    good = [line_for(tiny, TALKS_ID, idx, annotator=who) for idx in range(3) for who in "ab"]
    records: list = [*good[:2], {**good[2], "labels": ["nope"]}, good[2], "not an object"]
    records += [{**good[3], "text": "changed"}, *good[3:], {**good[0], "start": -1}]
    path = tmp_path / "lines.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    ticks: list[int] = []
    result = Importer(tiny, pipeline_loader=loader, tick=ticks.append).import_file(path)
    assert (result.status, result.message) == ("imported", "6 annotations, 4 lines not imported")
    assert [problem.split(":")[0] for problem in result.problems] == [
        "line 3",
        "line 5",
        "line 6",
        "line 10",
    ]
    assert result.problems[0].startswith("line 3: label 'nope' is not in the scheme")
    assert len(annotations(tiny)) == 6
    # The lines that were read as annotation lines (line 3 among them: the scheme is checked
    # when applying), a batch at a time.
    assert ticks == [3, 3, 1]
    assert loader.calls == 0


def test_the_batches_hold_the_write_lock_one_at_a_time(tiny: Store) -> None:
    lines = [read_line(line_for(tiny, TALKS_ID, i % 4, annotator=f"a{i}"), i) for i in range(7)]
    commits: list[int] = []
    tiny.conn.set_trace_callback(lambda sql: commits.append(1) if sql == "COMMIT" else None)
    applied = line_import.apply_lines(tiny, lines, batch_lines=3)
    tiny.conn.set_trace_callback(None)
    assert (applied.decisions, applied.kept, applied.problems) == (7, 0, [])
    assert len(commits) == 3


@st.composite
def _line_sets(draw: st.DrawFn) -> tuple[list[tuple], list[tuple], int, list[tuple]]:
    """Decisions stored first, then lines to import: (sentence, annotator, labels, minute,
    ignored, origin); a batch size; and (sentence, annotator) decided in the app first, so
    with undo steps."""
    line = st.tuples(
        st.integers(0, 3),
        st.sampled_from(["alice", "bob"]),
        st.lists(st.sampled_from(SCHEME), max_size=2, unique=True),
        st.integers(0, 2),
        st.booleans(),
        st.sampled_from([None, "typed", "suggested"]),
    )
    return (
        draw(st.lists(line, max_size=4)),
        draw(st.lists(line, min_size=1, max_size=10)),
        draw(st.integers(1, 4)),
        draw(
            st.lists(
                st.tuples(st.integers(0, 3), st.sampled_from(["alice", "bob"])),
                max_size=3,
                unique=True,
            )
        ),
    )


def _decide_with_history(store: Store, decided: list[tuple]) -> None:
    """Decisions made as the app makes them (each an undo step), then dated back to minute 1
    (so that lines may come later, or at the same time)."""
    spans = [s.span for s in get_article(store, TALKS_ID).sentences]
    for idx, who in decided:
        Decisions(store, ANNOTATIONS, who, SCHEME).decide(TALKS_ID, spans[idx], ["diplomatic"])
    store.conn.execute("UPDATE annotations SET updated_at = '2026-01-01T00:01:00.000000Z'")


def history(store: Store) -> list[tuple]:
    return store.conn.execute(
        'SELECT layer, actor, article_id, start, "end", step, before, after FROM history'
        " ORDER BY id"
    ).fetchall()


def _inputs(store: Store, drawn: list[tuple]) -> list[AnnotationInput]:
    spans = [s.span for s in get_article(store, TALKS_ID).sentences]
    texts = [s.text for s in get_article(store, TALKS_ID).sentences]
    return [
        AnnotationInput(
            number,
            TALKS_ID,
            *spans[idx],
            texts[idx],
            () if ignored else tuple(labels),
            who,
            f"2026-01-01T00:0{minute}:00.000000Z",
            ignored=ignored,
            origin=origin,
        )
        for number, (idx, who, labels, minute, ignored, origin) in enumerate(drawn, start=1)
    ]


def _offer_one_by_one(store: Store, lines: list[AnnotationInput]) -> MergeCounts:
    """What importing lines did before batches: each offered in turn."""
    scheme = get_labels(store)
    counts = MergeCounts()
    for line in lines:
        labels = () if line.ignored else in_scheme_order(line.labels, scheme)
        decision = Decision(labels, True, line.updated_at, None, line.ignored, line.origin)
        key = (line.article_id, line.start, line.end, line.annotator)
        offer(store, ANNOTATIONS, key, decision, counts)
    return counts


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(drawn=_line_sets())
def test_batches_end_as_offering_each_line_in_turn(
    tiny_template: Path, tmp_path_factory: pytest.TempPathFactory, drawn
) -> None:
    """Conflicts inside one batch, across batches and with what is stored all end as the
    one-line-at-a-time rule ends them, with the same counts and the same undo steps left."""
    stored, incoming, batch, decided = drawn
    folder = tmp_path_factory.mktemp("batches")
    ends = []
    for name in ("batched", "one-by-one"):
        with Store.open(Path(shutil.copy(tiny_template, folder / f"{name}.db"))) as store:
            _decide_with_history(store, decided)
            _offer_one_by_one(store, _inputs(store, stored))
            lines = _inputs(store, incoming)
            if name == "batched":
                applied = line_import.apply_lines(store, lines, batch_lines=batch)
                counts = (applied.decisions, applied.kept)
            else:
                done = _offer_one_by_one(store, lines)
                counts = (done.added + done.updated, done.kept)
            ends.append((counts, annotations(store), history(store)))
    assert ends[0] == ends[1]


def test_an_imported_line_ends_the_undo_history_of_its_sentence(tiny: Store) -> None:
    alice = Decisions(tiny, ANNOTATIONS, "alice", SCHEME)
    bob = Decisions(tiny, ANNOTATIONS, "bob", SCHEME)
    first = get_article(tiny, TALKS_ID).sentences[0].span
    alice.decide(TALKS_ID, first, ["diplomatic"])
    bob.decide(TALKS_ID, first, ["diplomatic"])
    line = line_for(tiny, TALKS_ID, 0, updated_at="2001-01-01T00:00:00Z")  # older: kept out
    applied = line_import.apply_lines(tiny, [read_line(line, 1)])
    assert (applied.decisions, applied.kept) == (0, 1)
    assert alice.can_undo(TALKS_ID)
    # The same time as alice's decision and the greater content: later.
    newer = {**line, "updated_at": alice.get(TALKS_ID, first).updated_at}
    applied = line_import.apply_lines(tiny, [read_line(newer, 1)])
    assert (applied.decisions, applied.kept) == (1, 0)
    assert not alice.can_undo(TALKS_ID)
    assert bob.can_undo(TALKS_ID)  # only alice's line came in
    assert alice.get(TALKS_ID, first).labels == ("military",)


# --- lines and articles in one file --------------------------------------------------------------


@pytest.mark.usefixtures("small_batches")
def test_lines_may_name_articles_before_or_after_them_in_the_file(
    tmp_path: Path, empty_store: Store, loader: CountingLoader, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("annotations.importer.BATCH_ARTICLES", 1)
    first, second = "Fighting resumed in Homs.", "Talks began in Geneva."

    def line(text: str, who: str, labels: list[str], when: str) -> dict:
        return {"article_id": article_id(text), "start": 0, "end": len(text), "text": text,
                "labels": labels, "annotator": who, "updated_at": when}  # fmt: skip

    records = [
        {"text": first},
        line(first, "alice", ["military"], "2024-01-01T00:00:00Z"),  # its article is stored
        line(second, "alice", ["diplomatic"], "2024-01-02T00:00:00Z"),  # its article comes later
        line(first, "bob", [], "2024-01-01T00:00:00Z"),
        line(second, "alice", ["military"], "2024-01-01T00:00:00Z"),  # older: kept out
        line("Not in the file.", "alice", [], "2024-01-01T00:00:00Z"),
        {"text": second},
        line(second, "bob", ["military"], "2024-01-03T00:00:00Z"),
    ]
    path = write_jsonl(tmp_path / "mixed.jsonl", records)
    result = Importer(empty_store, pipeline_loader=loader).import_file(path)
    assert (result.status, result.message) == (
        "imported",
        "2 articles, 4 annotations, 1 line not imported",
    )
    assert result.problems == [
        f"line 6: no article {article_id('Not in the file.')!r} in the database: import the"
        " articles first (annotty import ARTICLES), or merge the annotator's database (annotty"
        " merge THEIR.db), which brings them"
    ]
    assert result.article_ids == [article_id(first), article_id(second)]
    assert set(article_ids(empty_store)) == {article_id(first), article_id(second)}
    stored = {(row[0], row[3]): row[4] for row in annotations(empty_store)}
    assert stored == {
        (article_id(first), "alice"): '["military"]',
        (article_id(first), "bob"): "[]",
        (article_id(second), "alice"): '["diplomatic"]',
        (article_id(second), "bob"): '["military"]',
    }


def test_a_file_of_lines_for_missing_articles_imports_nothing(
    tmp_path: Path, tiny: Store, loader: CountingLoader
) -> None:
    lines = [line_for(tiny, TALKS_ID, 0, article_id="0123456789abcdef")] * 2
    result = Importer(tiny, pipeline_loader=loader).import_file(
        write_jsonl(tmp_path / "lost.jsonl", lines)
    )
    assert (result.status, len(result.problems)) == ("error", 2)
    assert annotations(tiny) == []


# --- reading the file ---------------------------------------------------------------------------


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1 << 20])
def test_a_file_that_is_not_utf8_fails_whole_wherever_the_byte_is(
    tmp_path: Path, tiny: Store, loader: CountingLoader, monkeypatch: pytest.MonkeyPatch, chunk
) -> None:
    monkeypatch.setattr(ingest, "_CHUNK", chunk)
    good = json.dumps(line_for(tiny, TALKS_ID, 0, annotator="zoë 🙂"), ensure_ascii=False) + "\n"
    data = good.encode() * 50 + b'{"text": "caf\xe9"}\n' + good.encode()
    path = tmp_path / "latin.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + data)
    result = Importer(tiny, pipeline_loader=loader).import_file(path)
    offset = data.index(b"\xe9")
    assert (result.status, result.message) == (
        "error",
        f"not valid UTF-8 text (byte {offset}); save it as UTF-8",
    )
    assert annotations(tiny) == []
    path.write_bytes(b"\xef\xbb\xbf" + good.encode() * 2)  # a BOM, and characters across chunks
    assert Importer(tiny, pipeline_loader=loader).import_file(path).message == "1 annotation"


def test_values_only_json_reads_are_read_as_before(tmp_path: Path) -> None:
    huge = 123456789012345678901234567890
    path = tmp_path / "a.jsonl"
    path.write_text(
        json.dumps({"text": "A text.", "meta": {"n": huge}}) + "\n\u3000\n"
        '{"text": "Another.", "meta": {"x": NaN}}\n{"text": \n',
        "utf-8",
    )
    contents = ingest.read_file(path)
    assert contents.articles[0].meta == {"n": huge}
    assert len(contents.articles) == 2
    assert contents.problems == ["line 4: not valid JSON (Expecting value)"]
    streamed = list(ingest.jsonl_items(path, ingest.jsonl_lines(path)))  # bytes, not str
    assert [kind for kind, _ in streamed] == ["article", "article", "problem"]
    assert streamed[0][1] == contents.articles[0]


# --- the quick reading checks what the full one does ----------------------------------------------

VALID = {
    "article_id": TALKS_ID,
    "start": 17,
    "end": 52,
    "text": "Troops entered Palmyra on Thursday.",
    "labels": ["military"],
    "annotator": "alice",
    "updated_at": "2024-05-06T07:08:09.123456Z",
}
_values = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 60), st.text(max_size=6),
    st.sampled_from(["military", " alice ", "typed", "2024-05-06T07:08:09.123456Z",
                     "2024-02-30T00:00:00.000000Z", "\x1b[31m", "Troops entered\u202e Palmyra"]),
    st.lists(st.sampled_from(["military", "", " x", 3]), max_size=2),
)  # fmt: skip
_fields = st.sampled_from([*VALID, "ignored", "origin", "votes", "note", "labels", "start", "end"])


def _outcome(read, record: dict, number: int) -> object:
    try:
        return read(record, number)
    except InputError as error:
        return str(error)


@settings(max_examples=200, deadline=None)
@given(
    changes=st.lists(st.tuples(_fields, _values), max_size=3), drop=st.sampled_from([*VALID, None])
)
def test_a_reader_that_has_seen_valid_lines_reads_any_line_as_read_line(changes, drop) -> None:
    reader = LineReader()
    reader.read(VALID, 1)
    reader.read({**VALID, "labels": []}, 2)
    record = dict(VALID)
    for name, value in changes:
        record[name] = value
    if drop is not None:
        record.pop(drop, None)
    assert _outcome(reader.read, record, 3) == _outcome(read_line, record, 3)


@settings(max_examples=300, deadline=None)
@given(
    value=st.one_of(
        st.text(max_size=30),
        st.builds(
            "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:06d}Z".format,
            st.integers(1990, 2200), st.integers(0, 13), st.integers(0, 32),
            st.integers(0, 24), st.integers(0, 60), st.integers(0, 60),
            st.integers(0, 999999),
        ),
    )
)  # fmt: skip
def test_the_time_checker_agrees_with_check_time(value: str) -> None:
    assert _outcome(lambda v, _: time_checker()(v), value, 0) == _outcome(
        lambda v, _: check_time(v), value, 0
    )


@settings(max_examples=300, deadline=None)
@given(
    value=st.text(
        alphabet=st.one_of(
            st.characters(max_codepoint=0x2100),
            st.sampled_from(["\ufeff", "\U000e0041", "\r", "\x1b", "\x9b", "\ud800", "\u2029"]),
        ),
        max_size=12,
    )
)
def test_has_controls_is_whether_strip_controls_changes_a_value(value: str) -> None:
    assert has_controls(value) == (strip_controls(value) != value)


def test_story_lines_are_read_quickly_and_right(tiny: Store) -> None:
    """The quick path's result is the full path's, field for field."""
    reader = LineReader()
    record = line_for(tiny, STORY_ID, 0, origin="typed", ignored=True, labels=[])
    first, again = reader.read(record, 4), reader.read(record, 4)
    assert first == again == read_line(record, 4)


# --- articles streamed through spaCy -------------------------------------------------------------


def test_analyse_stream_yields_each_text_when_done_in_order(pipeline) -> None:
    texts = ["Talks resumed in Geneva.\n\nTroops left Homs.", "\t", "Rain fell in Paris."]
    pulled: list[int] = []

    def items():
        for number, text in enumerate(texts):
            pulled.append(number)
            yield number, text

    found = list(analyse_stream(pipeline, items(), batch_size=1))
    assert [key for key, _ in found] == [0, 1, 2]
    assert found[1][1] == Analysis([], [])  # no paragraph: nothing to find, still in its place
    assert [analysis for _, analysis in found] == analyse(pipeline, texts)
    assert pulled == [0, 1, 2]


def test_a_long_file_is_analysed_in_two_processes_alike(
    tmp_path: Path, loader: CountingLoader, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two spaCy processes store what one stores; annotation lines in the same file wait for
    their articles, which come back from the other processes."""
    texts = [f"Talks number {n} resumed in Geneva.\n\nTroops left Homs." for n in range(9)]
    line = {"start": 0, "labels": ["military"], "annotator": "alice",
            "updated_at": "2024-01-01T00:00:00Z"}  # fmt: skip
    records = []
    for text in texts:
        first = text.partition("\n")[0]
        records += [
            {"text": text},
            {**line, "article_id": article_id(text), "end": len(first), "text": first},
        ]
    path = write_jsonl(tmp_path / "long.jsonl", records)
    dumps = []
    for parallel in (False, True):
        monkeypatch.setattr("annotations.importer.PARALLEL_BYTES", 0 if parallel else 1 << 40)
        monkeypatch.setattr("annotations.importer.BATCH_ARTICLES", 4)
        with Store.open(tmp_path / f"{parallel}.db") as store:
            result = Importer(store, pipeline_loader=loader).import_file(path)
            assert (result.message, result.problems) == ("9 articles, 9 annotations", [])
            dumps.append(
                [
                    store.conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall()
                    for table in ("sentences", "entities", "annotations")
                ]
                + [store.conn.execute("SELECT id, title, language FROM articles").fetchall()]
            )
    assert dumps[0] == dumps[1]


def test_a_missing_or_unreadable_jsonl_file_is_an_error_result(
    tmp_path: Path, tiny: Store, loader: CountingLoader
) -> None:
    importer = Importer(tiny, pipeline_loader=loader)
    missing = importer.import_file(tmp_path / "gone.jsonl")
    assert (missing.status, missing.message) == ("error", "no such file or directory")
    (tmp_path / "folder.jsonl").mkdir()
    folder = importer.import_file(tmp_path / "folder.jsonl")
    assert (folder.status, folder.message) == ("error", "is a directory, not a file")
    (tmp_path / "nul.jsonl").write_bytes(b'{"text": "a"}\n\x00\x01')
    binary = importer.import_file(tmp_path / "nul.jsonl")
    assert (binary.status, binary.message) == ("error", "binary file, not text")
    assert annotations(tiny) == [] and loader.calls == 0
