"""Keys per decision: a scripted annotator replayed through the real reader, mode by mode.

Run with ``python bench/keys_per_decision.py [--articles N] [--sentences N]``. Articles are
generated with a hidden truth (each sentence's labels follow keywords, with rarer keywords,
ambiguous words in unlabelled sentences and some two-label sentences), stored through the core,
and tagged by a scripted annotator who knows the truth and presses keys in the Textual app
(Pilot, headless): every key is counted, `n` to the next article included, and at the end the
database must hold exactly the truth. The annotator:

- normal mode: the label keys of the truth, then `space`;
- quick mode: the one label key, or `space` for none; for two labels `shift+` each key, `space`;
  at the end of an article quick mode goes on by itself, normal mode takes `n`;
- quick mode with suggestions: `a` when the suggestion shown equals the truth, else as quick mode.
  Suggestions come from the model the app trains on this annotator's decisions as they go
  (it waits for the app's background work when it opens an article, as a person reads).

Then, for the suggestion model alone: trained on the first 20, 50 and 100 decisions, how often
its suggestion for each of the next 300 sentences equals the truth, the keys per decision that
quick mode with suggestions would need there, and its macro F1. Last, keys while a model
trains: the time Pilot takes to handle a key (`j`) while the app trains a model on 1,990
decisions in its child process, against the same after training (the difference is what
training costs the screen). A measurement, never a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from annotations.library import article_ids, get_article
from annotations.settings import QUICK_MODE, set_flag
from annotations.store import Store
from annotations.suggest import Classifier, Example
from annotations.suggest_eval import macro, score
from bench.keywords import HARD, SCHEME, Lines, Truth, add_generated, decide_truth, generate
from tui.screens.reader import SHIFTED_DIGITS


def build(path: Path, articles: list[Lines]) -> dict[tuple[str, int], Truth]:
    """Store the articles (one sentence a line); the hidden truth by (article id, index)."""
    with Store.open(path) as store:
        ids = add_generated(store, articles, source="bench")
    return {
        (identity, index): labels
        for identity, lines in zip(ids, articles, strict=True)
        for index, (_, labels) in enumerate(lines)
    }


def decide_first(path: Path, articles: list[Lines], annotator: str) -> None:
    """Decide the first articles of the library with their truth, through the core."""
    with Store.open(path) as store:
        ids = article_ids(store)[: len(articles)]
        decide_truth(store, ids, articles, annotator)


def keys_for(labels: Truth, mode: str, suggested: Truth | None) -> list[str]:
    """What the scripted annotator presses for one sentence."""
    if mode == "suggest" and suggested is not None and suggested == labels:
        return ["a"]
    digits = [str(SCHEME.index(name) + 1) for name in labels]
    if mode == "normal":
        return [*digits, "space"]
    if not labels:
        return ["space"]
    if len(labels) == 1:
        return digits
    return [*(SHIFTED_DIGITS[int(digit) - 1] for digit in digits), "space"]


async def replay(path: Path, truth: dict[tuple[str, int], Truth], mode: str) -> dict:
    from tui.app import AnnottyApp
    from tui.screens.reader import ReaderScreen

    with Store.open(path) as store:
        set_flag(store, store_annotator(mode), QUICK_MODE, mode != "normal")
        ids = article_ids(store)
        app = AnnottyApp(store, store_annotator(mode), article_id=ids[0])
        app.animation_level = "none"
        keys = decisions = accepted = offered = 0
        started = time.perf_counter()
        async with app.run_test(size=(120, 40)) as pilot:
            for number, identity in enumerate(ids):
                screen = app.screen
                assert isinstance(screen, ReaderScreen)
                if mode == "suggest":
                    await settle(app, pilot)
                count = len(screen.article.sentences)
                for _ in range(count):
                    index = screen.cursor
                    labels = truth[(identity, index)]
                    shown = screen.suggestions.get(index)
                    suggested = shown.labels if shown is not None else None
                    offered += suggested is not None
                    pressed = keys_for(labels, mode, suggested)
                    accepted += pressed == ["a"]
                    await pilot.press(*pressed)
                    keys += len(pressed)
                    decisions += 1
                if number + 1 < len(ids):
                    if mode == "normal":
                        await pilot.press("n")
                        keys += 1
                    assert app.screen.article.id == ids[number + 1], "on to the next article"
            await settle(app, pilot)
        seconds = time.perf_counter() - started
        check(store, store_annotator(mode), truth)
    return {
        "mode": mode,
        "decisions": decisions,
        "keys": keys,
        "keys_per_decision": keys / decisions,
        "suggestions_offered": offered,
        "suggestions_accepted": accepted,
        "seconds": seconds,
    }


def store_annotator(mode: str) -> str:
    return f"bench-{mode}"


async def settle(app, pilot) -> None:
    for _ in range(100):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            return


def check(store: Store, annotator: str, truth: dict[tuple[str, int], Truth]) -> None:
    """The database must hold exactly the truth: the keys did what the annotator meant."""
    found = {}
    for identity in article_ids(store):
        for sentence in get_article(store, identity).sentences:
            row = store.conn.execute(
                'SELECT labels FROM annotations WHERE article_id = ? AND start = ? AND "end" = ?'
                " AND annotator = ? AND decided",
                (identity, sentence.start, sentence.end, annotator),
            ).fetchone()
            found[(identity, sentence.idx)] = tuple(json.loads(row[0])) if row else None
    wrong = [key for key, labels in truth.items() if found.get(key) != labels]
    if wrong:
        example = wrong[0]
        raise SystemExit(f"{annotator}: {len(wrong)} sentences differ from the truth ({example})")


def learning_curve(articles: list[Lines], points: list[int]) -> list[dict]:
    """Suggestion accuracy after n decisions, on the next 300 sentences."""
    stream = [
        Example(str(number), text, labels)
        for number, lines in enumerate(articles)
        for text, labels in lines
    ]
    result = []
    for n in points:
        train, test = stream[:n], stream[n : n + 300]
        model = Classifier.train(train, SCHEME)
        predicted = [s.labels for s in model.suggest([e.text for e in test])]
        truth = [e.labels for e in test]
        right = sum(p == t for p, t in zip(predicted, truth, strict=True))
        keys = sum(len(keys_for(t, "suggest", p)) for p, t in zip(predicted, truth, strict=True))
        result.append(
            {
                "after": n,
                "accuracy": right / len(test),
                "keys_per_decision": keys / len(test),
                "macro_f1": macro(score(truth, predicted, SCHEME)),
            }
        )
    return result


async def keys_while_training(path: Path, fresh: str) -> dict:
    import statistics
    import threading

    import annotations.suggest as suggest
    from annotations import child_process
    from tui.app import AnnottyApp

    started, done = threading.Event(), threading.Event()

    def run(pool, function, *args):
        if function is not suggest.train_and_store:
            return child_process.run_in_child_process(pool, function, *args)
        started.set()
        result = child_process.run_in_child_process(pool, function, *args)
        done.set()
        return result

    with Store.open(path) as store:
        app = AnnottyApp(store, "alice", article_id=fresh)
        app.animation_level = "none"
        app.suggester.run = run
        async with app.run_test(size=(120, 40)) as pilot:
            while not started.is_set():
                await pilot.pause()
            begun = time.perf_counter()
            during = []
            while not done.is_set():
                tick = time.perf_counter()
                await pilot.press("j" if len(during) % 2 else "k")
                during.append(time.perf_counter() - tick)
            training = time.perf_counter() - begun
            await settle(app, pilot)
            after = []
            for number in range(100):
                tick = time.perf_counter()
                await pilot.press("j" if number % 2 else "k")
                after.append(time.perf_counter() - tick)
        spacy_loaded = "spacy" in sys.modules
    child_process.stop_child_processes()
    # The first key also waits for the app's start (its first layout and paint): apart.
    first, during = during[0], during[1:]
    return {
        "training_seconds": training,
        "first": first * 1000,
        "during": (len(during), statistics.median(during) * 1000, max(during) * 1000),
        "after": (len(after), statistics.median(after) * 1000, max(after) * 1000),
        "spacy_in_app": spacy_loaded,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=30)
    parser.add_argument("--sentences", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    articles = generate(options.articles, options.sentences, options.seed, HARD)
    labelled = [labels for lines in articles for _, labels in lines]
    print(
        f"{len(articles)} generated articles, {len(labelled)} sentences: "
        f"{sum(not t for t in labelled)} no label, {sum(len(t) == 1 for t in labelled)} one,"
        f" {sum(len(t) == 2 for t in labelled)} two"
    )
    big = generate(200, 10, options.seed + 2, HARD)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "latency.db"
        build(path, big)
        decide_first(path, big[:-1], "alice")
        with Store.open(path) as store:
            fresh = article_ids(store)[-1]
        figures = asyncio.run(keys_while_training(path, fresh))
    print(
        f"keys while a model trains on 1,990 decisions ({figures['training_seconds']:.1f} s,"
        " in its child process), per key as Pilot handles it:"
    )
    print(f"{'first key':<16}    1 key   {figures['first']:6.1f} ms (with the app's first paint)")
    for name in ("during", "after"):
        count, median, worst = figures[name]
        print(
            f"{name + ' training':<16}{count:>5} keys  median {median:6.1f} ms  max {worst:6.1f} ms"
        )
    print(f"spaCy imported in the app's process: {figures['spacy_in_app']}\n")

    print(f"{'reader mode':<28}{'keys':>6}{'decisions':>11}{'keys/decision':>15}  accepted")
    with tempfile.TemporaryDirectory() as folder:
        for mode in ("normal", "quick", "suggest"):
            path = Path(folder) / f"{mode}.db"
            truth = build(path, articles)
            figures = asyncio.run(replay(path, truth, mode))
            name = {"suggest": "quick + suggestions (a)"}.get(mode, mode)
            accepted = (
                f"{figures['suggestions_accepted']}/{figures['suggestions_offered']} suggestions"
                if mode == "suggest"
                else ""
            )
            print(
                f"{name:<28}{figures['keys']:>6}{figures['decisions']:>11}"
                f"{figures['keys_per_decision']:>15.2f}  {accepted}"
            )
    curve_articles = generate(60, 10, options.seed + 1, HARD)
    print("\nsuggestions after n decisions, on the next 300 sentences:")
    print(f"{'after':>6}{'exact':>8}{'macro F1':>10}{'keys/decision (quick + a)':>28}")
    for point in learning_curve(curve_articles, [20, 50, 100, 200]):
        print(
            f"{point['after']:>6}{point['accuracy']:>8.0%}{point['macro_f1']:>10.2f}"
            f"{point['keys_per_decision']:>28.2f}"
        )


if __name__ == "__main__":
    main()
