"""Load annotty's doccano exports through doccano's own importer and say whether every label
came through intact. A check against the real tool, never a test (doccano is not a dependency).

Run in a throwaway environment, not annotty's:

    python -m venv /tmp/dv && /tmp/dv/bin/pip install doccano 'marshmallow<4' 'numpy<2'
    annotty export --format doccano -o cls.jsonl && annotty export --format doccano-ner -o ner.jsonl
    /tmp/dv/bin/python bench/doccano_import_check.py cls.jsonl ner.jsonl [--encoding Auto]

It sets up doccano's Django app on a new SQLite file, creates a text-classification and a
sequence-labelling project, and runs doccano's `load_dataset(...).save(user)` (the code path of
its upload form, without the upload plumbing) on each file. `--encoding` is the import form's
encoding field (doccano's default for JSONL is utf_8).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

BACKEND = next(Path(sys.prefix).glob("lib/python3*/site-packages/backend"))
sys.path.insert(0, str(BACKEND))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.development"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/doccano.sqlite3")

import django  # noqa: E402

django.setup()

from data_import.datasets import load_dataset  # noqa: E402
from data_import.pipeline.catalog import create_file_format  # noqa: E402
from data_import.pipeline.readers import FileName  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from examples.models import Example  # noqa: E402
from labels.models import Category, Span  # noqa: E402
from projects.models import (  # noqa: E402
    ProjectType,
    SequenceLabelingProject,
    TextClassificationProject,
)


def load(path: Path, project_class: type, project_type: str, encoding: str) -> list:
    user, _ = get_user_model().objects.get_or_create(username="admin")
    project = project_class.objects.create(
        name=path.name, project_type=project_type, created_by=user
    )
    name = FileName(full_path=str(path), generated_name=str(path), upload_name=path.name)
    dataset = load_dataset(
        project_type, create_file_format("JSONL"), [name], project,
        column_data="text", column_label="label", encoding=encoding,
    )  # fmt: skip
    dataset.save(user, batch_size=100)
    print(f"{path.name}: doccano reported {[e.dict() for e in dataset.errors]}")
    return list(Example.objects.filter(project=project).order_by("id"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("classification", type=Path)
    parser.add_argument("sequence_labelling", type=Path)
    parser.add_argument("--encoding", default="utf_8")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)

    lines = [json.loads(line) for line in args.classification.open(encoding="utf-8")]
    examples = load(
        args.classification, TextClassificationProject, ProjectType.DOCUMENT_CLASSIFICATION,
        args.encoding,
    )  # fmt: skip
    intact = sum(
        example.text == line["text"]
        and sorted(c.label.text for c in Category.objects.filter(example=example))
        == sorted(line["label"])
        for example, line in zip(examples, lines, strict=False)
    )
    print(f"classification: {intact} of {len(lines)} lines intact ({len(examples)} examples)")

    lines = [json.loads(line) for line in args.sequence_labelling.open(encoding="utf-8")]
    examples = load(
        args.sequence_labelling, SequenceLabelingProject, ProjectType.SEQUENCE_LABELING,
        args.encoding,
    )  # fmt: skip
    intact = 0
    for example, line in zip(examples, lines, strict=False):
        spans = sorted(
            (span.start_offset, span.end_offset, span.label.text)
            for span in Span.objects.filter(example=example)
        )
        wanted = sorted(tuple(entity) for entity in line["label"])
        same_text = all(example.text[s:e] == line["text"][s:e] for s, e, _ in spans)
        intact += example.text == line["text"] and spans == wanted and same_text
    print(f"sequence labelling: {intact} of {len(lines)} lines intact ({len(examples)} examples)")


if __name__ == "__main__":
    main()
