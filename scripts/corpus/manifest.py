#!/usr/bin/env python3
"""Refresh test/fixtures/real/manifest.json after a generator run.

The manifest's entries are written by hand (program, version, what was induced); this keeps the mechanical
parts true: every `lines` count matches its file, every listed file exists, every file on disk is listed,
and every file stays under 200 KB. Exits 1 with one line per problem.
"""
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "fixtures", "real")
MANIFEST = os.path.join(ROOT, "manifest.json")
MAX_BYTES = 200 * 1024


def main() -> int:
    with open(MANIFEST, encoding="utf-8") as f:
        entries = json.load(f)
    problems = []
    listed = set()
    for entry in entries:
        path = os.path.join(ROOT, entry["file"])
        listed.add(entry["file"])
        if not os.path.isfile(path):
            problems.append(f"{entry['file']}: listed in manifest.json but missing")
            continue
        with open(path, "rb") as f:
            data = f.read()
        entry["lines"] = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
        if len(data) > MAX_BYTES:
            problems.append(f"{entry['file']}: {len(data)} bytes, over the 200 KB limit")
    for dirpath, _, files in os.walk(ROOT):
        for name in files:
            rel = os.path.relpath(os.path.join(dirpath, name), ROOT)
            if rel != "manifest.json" and rel not in listed:
                problems.append(f"{rel}: on disk but not in manifest.json (add an entry)")
    with open(MANIFEST, "w", encoding="utf-8") as f:
        json.dump(entries, f, indent=2, ensure_ascii=False)
        f.write("\n")
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
