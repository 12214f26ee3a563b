"""Team work: a plan that hands each article to some of the annotators, and progress against it.

The lead's database is the project. Its plan (the annotators, how many of them read each article,
how many calibration articles everyone reads, and a seed) is kept in the project's settings;
`assign` turns it into rows of `assignments`, one per article and annotator.

Assignment is greedy by size: articles in descending sentence count, each to the annotators with
the fewest assigned sentences so far (ties broken by a hash of the seed, the article and the
name). For a fresh plan this keeps every two annotators' loads within one article's sentences of
each other. The same database, plan and seed always give the same assignments.

Assignments are only ever added, never moved, so a database already handed out stays valid:
re-running `assign` after an import assigns only what is short of its overlap. The one exception
is an annotator dropped from the plan: their assignments on articles they have not finished are
released (and given to others in the same run); what they decided stays, as every decision does.

An article has *reached its overlap* when it has assignments and every annotator assigned to it
has decided (or ignored) every one of its sentences: it is ready for agreement and review.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from annotations.errors import AnnottyError, InputError
from annotations.library import resolve_article
from annotations.limits import check_name
from annotations.settings import PROJECT, get_setting, set_setting
from annotations.store import Store, utc_now

_KEYS = ("annotators", "overlap", "calibration", "seed")
"""The plan's settings, each stored under `plan.<key>` in the project scope."""


@dataclass(frozen=True)
class Plan:
    """Who reads what: every article to `overlap` of the annotators, `calibration` to all."""

    annotators: tuple[str, ...]
    overlap: int
    calibration: int = 0
    """How many articles every annotator reads (for agreement early on)."""
    seed: int = 0
    """Breaks ties between equally loaded annotators and picks the calibration articles."""


@dataclass(frozen=True)
class Assigned:
    """What one run of `assign` did."""

    plan: Plan
    articles: int
    """Articles that got at least one new annotator."""
    assignments: int
    """Rows added (one per article and annotator)."""
    calibration: int
    """Articles newly made calibration articles."""
    released: int
    """Unfinished assignments taken from annotators dropped from the plan."""


@dataclass(frozen=True)
class Progress:
    """One annotator's progress on the articles assigned to them."""

    annotator: str
    articles: int
    sentences: int
    """Sentences of the assigned articles."""
    decided: int
    """Of those, decided with labels or with an explicit "no label"."""
    ignored: int
    """Of those, set aside as ignored (decided, but counted apart)."""
    finished: int
    """Assigned articles with every sentence decided or ignored."""
    in_plan: bool = True

    @property
    def done(self) -> int:
        return self.decided + self.ignored

    @property
    def remaining(self) -> int:
        return self.sentences - self.done


@dataclass(frozen=True)
class Coverage:
    """One assigned article: who it is assigned to, and who has finished it."""

    article_id: str
    title: str | None
    sentences: int
    calibration: bool
    assigned: tuple[str, ...]
    finished: tuple[str, ...]

    @property
    def reached(self) -> bool:
        """Every annotator assigned to it has decided (or ignored) every sentence."""
        return bool(self.assigned) and len(self.finished) == len(self.assigned)


# --- the plan -------------------------------------------------------------------------------------


def parse_annotators(text: str) -> list[str]:
    """Annotator names as typed on the command line, comma-separated.

    Raises:
        InputError: a name is empty, too long or repeated.
    """
    return check_annotators(text.split(","))


def check_annotators(names: Iterable[str]) -> list[str]:
    """Cleaned, bounded, distinct annotator names, in the order given."""
    checked = [check_name(name) for name in names]
    if not checked:
        raise InputError("a plan needs at least one annotator")
    for name in checked:
        if checked.count(name) > 1:
            raise InputError(f"annotator {name!r} is named twice")
    return checked


def get_plan(store: Store) -> Plan | None:
    """The project's plan, or None when `assign` has never run."""
    values = {}
    for key in _KEYS:
        value = get_setting(store, PROJECT, f"plan.{key}")
        if value is not None:
            values[key] = json.loads(value)
    if "annotators" not in values or "overlap" not in values:
        return None
    return Plan(
        tuple(values["annotators"]),
        int(values["overlap"]),
        int(values.get("calibration", 0)),
        int(values.get("seed", 0)),
    )


def _save_plan(store: Store, plan: Plan) -> None:
    values = {
        "annotators": list(plan.annotators),
        "overlap": plan.overlap,
        "calibration": plan.calibration,
        "seed": plan.seed,
    }
    for key in _KEYS:
        set_setting(store, PROJECT, f"plan.{key}", json.dumps(values[key]))


def _new_plan(
    old: Plan | None,
    annotators: Sequence[str] | None,
    overlap: int | None,
    calibration: int | None,
    seed: int | None,
) -> Plan:
    """The plan a run asks for: the given values over the stored plan's."""
    if annotators is None and old is None:
        raise AnnottyError("no plan yet: name the annotators (--annotators alice,bob,carol)")
    if annotators is not None:
        names = tuple(check_annotators(annotators))
    else:
        assert old is not None
        names = old.annotators
    plan = Plan(
        names,
        overlap if overlap is not None else (old.overlap if old else 1),
        calibration if calibration is not None else (old.calibration if old else 0),
        seed if seed is not None else (old.seed if old else 0),
    )
    if plan.overlap < 1:
        raise InputError(f"overlap must be at least 1 (got {plan.overlap})")
    if plan.overlap > len(names):
        raise InputError(
            f"overlap {plan.overlap} needs at least {plan.overlap} annotators;"
            f" the plan has {len(names)} ({', '.join(names)})"
        )
    if plan.calibration < 0:
        raise InputError(f"calibration must be 0 or more (got {plan.calibration})")
    return plan


# --- assigning ------------------------------------------------------------------------------------


def _rank(seed: int, *parts: str) -> bytes:
    """A stable pseudo-random key: the same inputs order the same way on every machine."""
    return hashlib.sha256("\x00".join([str(seed), *parts]).encode("utf-8")).digest()


def assign(
    store: Store,
    annotators: Sequence[str] | None = None,
    overlap: int | None = None,
    *,
    calibration: int | None = None,
    seed: int | None = None,
    articles: Sequence[str] | None = None,
) -> Assigned:
    """Record the plan and assign every article short of its overlap. One transaction.

    Args:
        store: the lead's database.
        annotators: the plan's annotators (None: the stored plan's).
        overlap: how many annotators read each article (None: the stored plan's, else 1).
        calibration: how many articles everyone reads, in total (None: the stored plan's, else 0).
        seed: breaks ties (None: the stored plan's, else 0).
        articles: only these articles (ids or unique id prefixes); None: every article.

    Raises:
        AnnottyError: no plan and no annotators, an overlap above the number of annotators, an
            unknown article, fewer articles than calibration articles asked for.
    """
    with store.write():
        plan = _new_plan(get_plan(store), annotators, overlap, calibration, seed)
        scope = None if articles is None else [resolve_article(store, a) for a in articles]
        sizes = {
            identity: count
            for identity, count in store.conn.execute("SELECT id, sentence_count FROM articles")
        }
        if not sizes:
            raise AnnottyError("no articles to assign: import some first")
        released = _release_dropped(store, plan)
        assigned: dict[str, dict[str, bool]] = {}
        for identity, name, is_calibration in store.conn.execute(
            "SELECT article_id, annotator, calibration FROM assignments"
        ):
            assigned.setdefault(identity, {})[name] = bool(is_calibration)
        chosen = sorted(set(scope) if scope is not None else set(sizes))
        new_calibration = _choose_calibration(plan, assigned, chosen)
        calibrated = {identity for identity, names in assigned.items() if any(names.values())}
        rows = _top_up(plan, chosen, sizes, assigned, calibrated | new_calibration)
        now = utc_now()
        store.conn.executemany(
            "INSERT INTO assignments (article_id, annotator, calibration, assigned_at)"
            " VALUES (?, ?, ?, ?)",
            [(identity, name, flag, now) for identity, name, flag in rows],
        )
        store.conn.executemany(
            "UPDATE assignments SET calibration = 1 WHERE article_id = ?",
            [(identity,) for identity in sorted(new_calibration)],
        )
        _save_plan(store, plan)
    touched = len({identity for identity, _, _ in rows})
    return Assigned(plan, touched, len(rows), len(new_calibration), released)


def _top_up(
    plan: Plan,
    chosen: Sequence[str],
    sizes: dict[str, int],
    assigned: dict[str, dict[str, bool]],
    calibrated: set[str],
) -> list[tuple[str, str, int]]:
    """The assignments to add, as (article, annotator, calibration) rows: calibration articles
    to every annotator of the plan, then the others, largest first, each to the least loaded
    annotators until it has `plan.overlap` of them."""
    load = {name: 0 for name in plan.annotators}
    for identity, names in assigned.items():
        for name in names:
            if name in load:
                load[name] += sizes[identity]
    order = sorted(chosen, key=lambda i: (i not in calibrated, -sizes[i], _rank(plan.seed, i)))
    rows = []
    for identity in order:
        current = assigned.get(identity, {})
        free = [name for name in plan.annotators if name not in current]
        if identity not in calibrated:
            free.sort(key=lambda name: (load[name], _rank(plan.seed, identity, name)))
            free = free[: max(0, plan.overlap - len(current))]
        for name in free:
            load[name] += sizes[identity]
            rows.append((identity, name, int(identity in calibrated)))
    return rows


def _choose_calibration(
    plan: Plan, assigned: dict[str, dict[str, bool]], chosen: Sequence[str]
) -> set[str]:
    """The articles to make calibration articles now, to reach the plan's total."""
    existing = sum(1 for names in assigned.values() if any(names.values()))
    if plan.calibration < existing:
        raise AnnottyError(
            f"there are already {existing} calibration articles: --calibration cannot go below"
            " that (assignments are never taken back)"
        )
    missing = plan.calibration - existing
    if not missing:
        return set()
    candidates = [i for i in chosen if not any(assigned.get(i, {}).values())]
    if len(candidates) < missing:
        raise AnnottyError(
            f"calibration {plan.calibration} needs {missing} more articles,"
            f" but only {len(candidates)} can be chosen"
        )
    # Prefer articles nobody has yet, so that calibration adds readers rather than moving work.
    candidates.sort(key=lambda i: (i in assigned, _rank(plan.seed, "calibration", i)))
    return set(candidates[:missing])


def _release_dropped(store: Store, plan: Plan) -> int:
    """Delete the unfinished assignments of annotators no longer in the plan. Returns how many.

    Only assignment rows go: every decision stays where it is.
    """
    doomed = [
        (row.article_id, name)
        for row in coverage(store)
        for name in row.assigned
        if name not in plan.annotators and name not in row.finished
    ]
    store.conn.executemany("DELETE FROM assignments WHERE article_id = ? AND annotator = ?", doomed)
    return len(doomed)


# --- progress against the plan --------------------------------------------------------------------


def _done(ignored: bool) -> str:
    """A subquery counting one assignment's decided (or ignored) sentences: it reads only that
    annotator's rows in that article (an index range), whatever the size of the database."""
    return (
        "(SELECT count(*) FROM annotations n JOIN sentences s ON s.article_id = n.article_id"
        ' AND s.start = n.start AND s."end" = n."end"'
        " WHERE n.annotator = g.annotator AND n.article_id = g.article_id AND n.decided"
        f" AND {'' if ignored else 'NOT '}n.ignored)"
    )


def _assignment_rows(store: Store, annotator: str | None = None) -> list[tuple]:
    """(article, annotator, calibration, title, sentences, decided, ignored) per assignment, in
    library order."""
    sql = (
        "SELECT g.article_id, g.annotator, g.calibration, a.title, a.sentence_count,"
        f" {_done(False)}, {_done(True)}"
        " FROM assignments g JOIN articles a ON a.id = g.article_id"
        + (" WHERE g.annotator = ?" if annotator is not None else "")
        + " ORDER BY a.rowid, g.annotator"
    )
    return store.conn.execute(sql, () if annotator is None else (annotator,)).fetchall()


def coverage(store: Store, rows: list[tuple] | None = None) -> list[Coverage]:
    """Every assigned article, in library order, with its annotators and who has finished it.

    Args:
        store: the database.
        rows: the assignment rows, when already read for `progress` (see `team_state`).
    """
    result: dict[str, Coverage] = {}
    for identity, name, calibration, title, sentences, decided, ignored in (
        _assignment_rows(store) if rows is None else rows
    ):
        row = result.get(identity) or Coverage(identity, title, sentences, False, (), ())
        finished = row.finished + ((name,) if decided + ignored >= sentences else ())
        result[identity] = Coverage(
            identity,
            title,
            sentences,
            row.calibration or bool(calibration),
            (*row.assigned, name),
            finished,
        )
    return list(result.values())


def team_state(store: Store) -> tuple[list[Progress], list[Coverage]]:
    """`progress` and `coverage` together, from one reading of the assignments."""
    rows = _assignment_rows(store)
    return progress(store, rows=rows), coverage(store, rows)


def reached_articles(store: Store) -> list[str]:
    """Ids of the articles that reached their overlap, in library order."""
    return [row.article_id for row in coverage(store) if row.reached]


def assigned_annotators(store: Store, article_id: str) -> list[str]:
    """Who an article is assigned to, by name ([] when it is not assigned)."""
    return [
        row[0]
        for row in store.conn.execute(
            "SELECT annotator FROM assignments WHERE article_id = ? ORDER BY annotator",
            (article_id,),
        )
    ]


def first_assigned(store: Store, annotator: str) -> str | None:
    """The first article in library order assigned to the annotator that they have not
    finished (else their first assigned one), or None when nothing is assigned to them."""
    rows = _assignment_rows(store, annotator)
    for identity, _, _, _, sentences, decided, ignored in rows:
        if decided + ignored < sentences:
            return identity
    return rows[0][0] if rows else None


def progress(
    store: Store, annotator: str | None = None, *, rows: list[tuple] | None = None
) -> list[Progress]:
    """Each annotator's progress on their assignments: the plan's annotators in the plan's order,
    then anyone else with assignments, by name. With `annotator`, only theirs ([] if none)."""
    totals: dict[str, list[int]] = {}
    if rows is None:
        rows = _assignment_rows(store, annotator)
    for _, name, _, _, sentences, decided, ignored in rows:
        figures = totals.setdefault(name, [0, 0, 0, 0, 0])
        figures[0] += 1
        figures[1] += sentences
        figures[2] += decided
        figures[3] += ignored
        figures[4] += decided + ignored >= sentences
    plan = get_plan(store)
    planned = list(plan.annotators) if plan else []
    names = [n for n in planned if n in totals] + sorted(n for n in totals if n not in planned)
    return [Progress(name, *totals[name], in_plan=name in planned) for name in names]


def annotator_progress(store: Store, annotator: str) -> Progress | None:
    """One annotator's progress on their assignments, or None when nothing is assigned to them."""
    found = progress(store, annotator)
    return found[0] if found else None


def plan_as_json(store: Store) -> dict[str, Any] | None:
    """The plan, progress per annotator and every assigned article's state, as plain JSON data
    (None when there is no plan): what `annotty assign --show --json` prints."""
    plan = get_plan(store)
    if plan is None:
        return None
    people, rows = team_state(store)
    return {
        "plan": {
            "annotators": list(plan.annotators),
            "overlap": plan.overlap,
            "calibration": plan.calibration,
            "seed": plan.seed,
        },
        "articles": {
            "total": int(store.value("SELECT count(*) FROM articles") or 0),
            "assigned": len(rows),
            "reached": sum(row.reached for row in rows),
        },
        "annotators": [
            {
                "annotator": row.annotator,
                "in_plan": row.in_plan,
                "articles": row.articles,
                "sentences": row.sentences,
                "decided": row.decided,
                "ignored": row.ignored,
                "remaining": row.remaining,
                "finished": row.finished,
            }
            for row in people
        ],
        "assignments": [
            {
                "article_id": row.article_id,
                "title": row.title,
                "sentences": row.sentences,
                "calibration": row.calibration,
                "annotators": list(row.assigned),
                "finished": list(row.finished),
                "reached": row.reached,
            }
            for row in rows
        ],
    }
