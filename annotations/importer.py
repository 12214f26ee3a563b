"""Importing files: read and normalise them, analyse new articles once, store them.

A file that cannot be read at all is an error that leaves the database as it was. In a JSONL file,
a line that cannot be read or applied is reported (`line N: reason`) and skipped; the other lines
are imported. A JSONL file is streamed: its lines are read as they are needed, never held all
at once. Analysis (the slow part) runs outside any transaction, so a long import never holds
the write lock while spaCy works; articles are then written in batches of whole articles (each
with its sentences and entities), each batch one transaction. An import killed half-way leaves
only whole articles, and importing again adds the rest. Annotation lines are applied in batches
too (annotations.line_import), after the articles they name. A long JSONL file is read in a
child process, beside the work done here (annotations.jsonl_process).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from annotations.errors import InputError
from annotations.ingest import find_files, read_file, unreadable_jsonl
from annotations.jsonl_process import read_jsonl
from annotations.language import detect_language, language_name
from annotations.library import add_article, existing_ids
from annotations.line_import import LineImport
from annotations.model import ArticleInput
from annotations.nlp import Pipeline, analyse, analyse_stream, load_pipeline
from annotations.store import Store
from annotations.text import article_id, counted

BATCH_ARTICLES = 200
"""Articles committed together: bounds memory and the time a write lock is held."""
PARALLEL_BYTES = 4_000_000
"""A JSONL file at least this long is analysed in two processes: below it, starting the second
process and moving documents between them cost more than the second core gives."""


class Progress(Protocol):
    """Told how far the analysis of a file has got, to draw a progress bar."""

    def begin(self, label: str, total: int) -> None: ...
    def advance(self, amount: int) -> None: ...
    def end(self) -> None: ...


class NoProgress:
    def begin(self, label: str, total: int) -> None:
        pass

    def advance(self, amount: int) -> None:
        pass

    def end(self) -> None:
        pass


@dataclass
class FileResult:
    """What became of one file."""

    path: Path
    status: str
    """`imported`, `duplicate` or `error`."""
    message: str = ""
    """The error, or a summary of what was imported."""
    article_ids: list[str] = field(default_factory=list)
    """Every article of the file, new or duplicate, in file order."""
    new_articles: int = 0
    duplicates: int = 0
    annotations: int = 0
    problems: list[str] = field(default_factory=list)
    """Lines of other tools' formats that were not imported, one message each (`line N: ...`)."""
    warnings: list[str] = field(default_factory=list)
    """Things the user should know about what was imported, one line each (no file name)."""


class Importer:
    """Imports files into one database, loading the spaCy pipeline only if something is new."""

    def __init__(
        self,
        store: Store,
        *,
        model: str | None = None,
        progress: Progress | None = None,
        pipeline_loader: Callable[[str | None], Pipeline] = load_pipeline,
        annotator: str = "annotator",
        tick: Callable[[int], None] | None = None,
    ) -> None:
        self.store = store
        self.tick = tick
        """Called with the number of annotation lines read, a batch at a time (a progress
        bar's `advance`); articles report through `progress`."""
        self.annotator = annotator
        """Whose decisions are other tools' lines that name no annotator."""
        self.model = model
        self.progress = progress or NoProgress()
        self._load = pipeline_loader
        self._pipeline: Pipeline | None = None

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            self._pipeline = self._load(self.model)
        return self._pipeline

    def import_paths(self, paths: Sequence[Path]) -> Iterator[FileResult]:
        """Import files and folders (recursively), yielding a result per file as it is done.

        Raises:
            PipelineError: an article needs analysis and no pipeline loads.
        """
        for path, error in find_files(paths):
            if error is not None:
                yield FileResult(path, "error", str(error))
            else:
                yield self.import_file(path)

    def import_file(self, path: Path) -> FileResult:
        """Import one file; an InputError becomes an `error` result."""
        try:
            return self._import_file(path)
        except InputError as error:
            return FileResult(path, "error", str(error))

    def _import_file(self, path: Path) -> FileResult:
        result = FileResult(path, "duplicate")
        if path.suffix.lower() == ".jsonl":
            foreign = self._read_jsonl(path, result)
        else:
            contents = read_file(path)
            articles = self._new_articles(contents.articles, result, set())
            self._store_articles(path, iter(articles), sum(len(a.text) for a in articles))
            result.problems = list(contents.problems)
            foreign = contents.foreign
        result.problems.sort(key=_line_number)
        if foreign:
            self._import_foreign(path, foreign, result)
        if result.new_articles or result.annotations:
            result.status = "imported"
        elif result.problems and not result.duplicates:
            result.status = "error"
        result.message = _summary(result)
        return result

    def _read_jsonl(self, path: Path, result: FileResult) -> list:
        """Stream a JSONL file: articles are analysed as they are read and stored a batch at a
        time, annotation lines applied a batch at a time (those naming an article of this file
        once it is stored); returns the other tools' decisions, applied last.

        Raises:
            InputError: the file cannot be read, or no line of it could.
        """
        lines = LineImport(self.store, tick=self.tick)
        foreign: list = []
        seen: set[str] = set()
        read = False

        def new_articles() -> Iterator[ArticleInput]:
            nonlocal read
            batch: list[ArticleInput] = []
            for kind, item in read_jsonl(path):
                if kind == "problem":
                    result.problems.append(item)
                    continue
                read = True
                if kind == "annotation":
                    lines.add(item)
                elif kind == "annotations":
                    lines.add_all(item)
                elif kind == "article":
                    batch.append(item)
                    if len(batch) >= BATCH_ARTICLES:
                        yield from self._new_articles(batch, result, seen)
                        batch = []
                else:
                    foreign.append(item)
            yield from self._new_articles(batch, result, seen)

        try:
            size = path.stat().st_size
        except OSError:  # reading it will say why, in one line
            size = 0
        self._store_articles(path, new_articles(), size, parallel=size >= PARALLEL_BYTES)
        if not read:
            raise InputError(unreadable_jsonl(result.problems))
        # After the articles: annotation lines may name articles of the same file.
        applied = lines.finish()
        result.annotations = applied.decisions
        result.problems.extend(applied.problems)
        return foreign

    def _new_articles(
        self, articles: list[ArticleInput], result: FileResult, seen: set[str]
    ) -> list[ArticleInput]:
        """Of a batch of a file's articles, those neither stored nor `seen` earlier in the file,
        each with its language; all are counted in `result`."""
        ids, new = self._split_new(articles, seen)
        new = [replace(article, language=detect_language(article.text)) for article in new]
        result.article_ids.extend(ids)
        result.duplicates += len(articles) - len(new)
        result.new_articles += len(new)
        result.warnings.extend(self._language_warnings(new))
        return new

    def _store_articles(
        self, path: Path, articles: Iterator[ArticleInput], size: int, *, parallel: bool = False
    ) -> None:
        """Analyse articles as they come and store them BATCH_ARTICLES at a time, each batch one
        transaction of whole articles: an import killed half-way leaves only whole articles,
        and importing again adds the rest. The pipeline is loaded only if an article comes.

        Args:
            size: how much there is to analyse (characters; a file's bytes), for the progress bar.
            parallel: analyse in two processes (worth it only for a long file).
        """
        first = next(articles, None)
        if first is None:
            return
        pipeline = self.pipeline
        texts = ((article, article.text) for article in itertools.chain([first], articles))
        self.progress.begin(path.name, size)
        try:
            analysed = analyse_stream(
                pipeline,
                texts,
                n_process=2 if parallel and (os.cpu_count() or 1) > 1 else 1,
                progress=self.progress.advance,
            )
            while batch := list(itertools.islice(analysed, BATCH_ARTICLES)):
                with self.store.write():
                    for article, analysis in batch:
                        add_article(self.store, article, analysis, pipeline.name)
        finally:
            self.progress.end()

    def _import_foreign(self, path: Path, decisions: list, result: FileResult) -> None:
        """Decisions made in another tool: matched to stored sentences (unmatched texts become
        articles), each line that cannot be applied reported."""
        from annotations.foreign_import import apply_foreign

        def analyse_texts(texts: list[str]) -> list:
            return [
                analysis for _, analysis in self._analyse(path, [ArticleInput(t) for t in texts])
            ]

        applied = apply_foreign(
            self.store,
            decisions,
            default_annotator=self.annotator,
            analyse=analyse_texts,
            pipeline_name=lambda: self.pipeline.name,
            source=path.name,
        )
        result.new_articles += applied.new_articles
        result.annotations += applied.decisions
        result.problems.extend(applied.problems)
        result.problems.sort(key=_line_number)
        known = set(result.article_ids)
        result.article_ids.extend(i for i in applied.article_ids if i not in known)

    def _split_new(
        self, articles: list[ArticleInput], seen: set[str]
    ) -> tuple[list[str], list[ArticleInput]]:
        """All ids in file order, and the articles neither in the database nor `seen` (each
        once; their ids are added to `seen`)."""
        ids = [article_id(article.text) for article in articles]
        known = existing_ids(self.store, [i for i in ids if i not in seen])
        new = []
        for identity, article in zip(ids, articles, strict=True):
            if identity not in seen and identity not in known:
                seen.add(identity)
                new.append(article)
        return ids, new

    def _language_warnings(self, articles: list[ArticleInput]) -> list[str]:
        """A line for each article not in the language of the pipeline that analysed it."""
        expected = getattr(self.pipeline.nlp, "lang", None) if articles else None
        warnings = []
        for article in articles:
            if expected and article.language and article.language != expected:
                where = f"line {article.line}: " if article.line is not None else ""
                warnings.append(
                    f"{where}looks like {language_name(article.language)}"
                    f" ({article.language}); the pipeline is {language_name(expected)}"
                )
        return warnings

    def _analyse(self, path: Path, articles: list[ArticleInput]) -> list:
        if not articles:
            return []
        pipeline = self.pipeline
        self.progress.begin(path.name, sum(len(article.text) for article in articles))
        try:
            analyses = analyse(
                pipeline, [article.text for article in articles], progress=self.progress.advance
            )
        finally:
            self.progress.end()
        return list(zip(articles, analyses, strict=True))


def _line_number(problem: str) -> int:
    """The N of a `line N: ...` or `task N: ...` message, to report problems in file order."""
    number = problem.split(":", 1)[0].rpartition(" ")[2]
    return int(number) if number.isdigit() else 0


def _summary(result: FileResult) -> str:
    parts = []
    if result.new_articles:
        parts.append(counted(result.new_articles, "article"))
    if result.duplicates:
        parts.append(counted(result.duplicates, "duplicate"))
    if result.annotations:
        parts.append(counted(result.annotations, "annotation"))
    if result.problems:
        parts.append(f"{counted(len(result.problems), 'line')} not imported")
    return ", ".join(parts) or "nothing new"
