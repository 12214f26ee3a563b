"""Convert annotty's Label Studio export with Label Studio's own converter and say whether every
label came through intact. A check against the real tool, never a test.

Run in a throwaway environment, not annotty's:

    python -m venv /tmp/lsv && /tmp/lsv/bin/pip install label-studio-sdk
    annotty export --format label-studio --config -o config.xml
    annotty export --format label-studio -o tasks.json
    /tmp/lsv/bin/python bench/label_studio_convert_check.py tasks.json config.xml

It runs `label_studio_sdk.converter.Converter(config).convert_to_json_min` and compares each
output row's labels (the `label` control) and entities (the `entities` control) with the
annotations in the task file (cancelled annotations, annotty's ignored sentences, are left out
by the converter, as by Label Studio's own exports).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from label_studio_sdk.converter import Converter


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("tasks", type=Path)
    parser.add_argument("config", type=Path)
    args = parser.parse_args()
    tasks = json.loads(args.tasks.read_text("utf-8"))
    out = Path(tempfile.mkdtemp())
    converter = Converter(config=args.config.read_text("utf-8"), project_dir=None)
    converter.convert_to_json_min(str(args.tasks), str(out), is_dir=False)
    rows = json.loads((out / "result.json").read_text("utf-8"))

    wanted = []
    for task in tasks:
        for annotation in task["annotations"]:
            if annotation["was_cancelled"]:
                continue
            result = annotation["result"]
            labels = next((r["value"]["choices"] for r in result if r["type"] == "choices"), [])
            entities = sorted(
                (r["value"]["start"], r["value"]["end"], r["value"]["labels"][0])
                for r in result
                if r["type"] == "labels"
            )
            wanted.append((task["id"], annotation["completed_by"], tuple(labels), tuple(entities)))
    got = []
    offsets_fit = True
    for row in rows:
        label = row.get("label")  # json_min writes one choice as a string, several as a dict
        if isinstance(label, dict):
            labels = tuple(label["choices"])
        else:
            labels = (label,) if isinstance(label, str) else ()
        entities = row.get("entities", [])
        offsets_fit &= all(row["text"][e["start"] : e["end"]] == e["text"] for e in entities)
        spans = tuple(sorted((e["start"], e["end"], e["labels"][0]) for e in entities))
        got.append((row["id"], row["annotator"], labels, spans))
    print(f"{len(wanted)} annotations (not cancelled), {len(rows)} json_min rows")
    print(f"every label intact: {sorted(wanted) == sorted(got)}; entity offsets fit: {offsets_fit}")
    for difference in sorted(set(wanted) ^ set(got))[:10]:
        print("  differs:", difference)


if __name__ == "__main__":
    main()
