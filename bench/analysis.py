"""Benchmark annotty's analysis against the full spaCy pipeline it is reduced from.

Run with ``python bench/analysis.py``. It analyses the sample article, repeated to about 20,000
words, twice: with annotty's reduced pipeline (entity recogniser and sentence splitter only) and,
as the baseline beside it, with every component of the same pipeline enabled. It prints words per
second for each, the ratio, and whether both found the same entities. A measurement, never a test.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotations.ingest import read_file
from annotations.nlp import Pipeline, analyse, choose_model, load_pipeline
from annotations.sample import sample_path

TARGET_WORDS = 20_000


def timed(pipeline: Pipeline, texts: list[str]) -> tuple[float, list]:
    start = time.perf_counter()
    analyses = analyse(pipeline, texts)
    return time.perf_counter() - start, analyses


def main() -> None:
    import spacy

    text = read_file(sample_path()).articles[0].text
    copies = max(1, TARGET_WORDS // len(text.split()))
    texts = [text] * copies
    words = sum(len(t.split()) for t in texts)
    name = choose_model()
    reduced = load_pipeline(name)
    full = Pipeline(nlp=spacy.load(name), name=f"{name} (all components)")
    if "senter" in full.nlp.disabled:
        full.nlp.disable_pipe("senter")  # the parser splits sentences in the full pipeline
    analyse(reduced, texts[:1])  # warm up both
    analyse(full, texts[:1])
    print(f"{words} words ({copies} copies of the sample), pipeline {reduced.name}")
    print(f"{'pipeline':<48} {'components':<40} {'seconds':>8} {'words/s':>9}")
    results = {}
    for label, pipeline in (("annotty (reduced)", reduced), ("baseline: full pipeline", full)):
        seconds, analyses = timed(pipeline, texts)
        results[label] = (seconds, analyses)
        components = ",".join(pipeline.nlp.pipe_names)
        print(f"{label:<48} {components:<40} {seconds:>8.2f} {words / seconds:>9.0f}")
    (mine, mine_out), (base, base_out) = results.values()
    same_entities = [a.entities for a in mine_out] == [a.entities for a in base_out]
    same_sentences = [a.sentences for a in mine_out] == [a.sentences for a in base_out]
    print(
        f"speed-up: {base / mine:.2f}x; same entities: {same_entities};"
        f" same sentences: {same_sentences}"
    )


if __name__ == "__main__":
    main()
