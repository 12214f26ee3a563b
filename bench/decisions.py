"""Benchmark the cost of saving one decision, against a bare SQLite insert and commit.

Run with ``python bench/decisions.py``. Each toggle in the reader is one `BEGIN IMMEDIATE`
transaction that reads the sentence's state, writes the new one and a history row, and commits
with `synchronous=FULL`. The baseline beside it is one INSERT and COMMIT on a table of the same
database file with the same settings. Prints the median and 95th percentile of each and their
ratio. A measurement, never a test.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.library import add_article
from annotations.model import Analysis, ArticleInput
from annotations.scheme import get_labels
from annotations.store import Store

REPEATS = 500


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95)] * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "bench.db")
        sentences = [f"Sentence number {i} of a long article." for i in range(5000)]
        text = "\n".join(sentences)
        spans, offset = [], 0
        for sentence in sentences:
            spans.append((offset, offset + len(sentence)))
            offset += len(sentence) + 1
        with store.write():
            identity = add_article(store, ArticleInput(text), Analysis(spans, []), "bench")
        decisions = Decisions(store, ANNOTATIONS, "bench", get_labels(store))
        toggles = []
        for i in range(REPEATS):
            start = time.perf_counter()
            decisions.toggle(identity, spans[i % len(spans)], "military")
            toggles.append(time.perf_counter() - start)
        store.conn.execute("CREATE TABLE baseline (a INTEGER, b TEXT)")
        inserts = []
        for i in range(REPEATS):
            start = time.perf_counter()
            store.conn.execute("INSERT INTO baseline VALUES (?, ?)", (i, "x"))
            store.conn.commit()
            inserts.append(time.perf_counter() - start)
        store.close()
    toggle_median, toggle_p95 = summary(toggles)
    insert_median, insert_p95 = summary(inserts)
    print(f"{REPEATS} operations each, WAL, synchronous=FULL, article of 5,000 sentences")
    print(f"{'operation':<44} {'median ms':>10} {'p95 ms':>8}")
    print(
        f"{'annotty: toggle a label (read, write, history)':<44}"
        f" {toggle_median:>10.3f} {toggle_p95:>8.3f}"
    )
    print(f"{'baseline: INSERT + COMMIT':<44} {insert_median:>10.3f} {insert_p95:>8.3f}")
    print(f"ratio (median): {toggle_median / insert_median:.2f}x")


if __name__ == "__main__":
    main()
