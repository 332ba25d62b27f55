#!/usr/bin/env python3
"""Check the incident scenarios' expected answers against their own log files.

For every test/fixtures/incidents/<name>/scenario.json: the listed files exist; each referenced line exists
and carries the expected timestamp in one of the renderings the programs here write (ISO 8601, PostgreSQL,
nginx error/access, syslog, log4j, Python, Redis, epoch ms / s); leadTimeMs is failure - firstSignal (to
within 1 ms: expected timestamps are kept to milliseconds). Extra incidents under `expectedAll` are checked
the same way. Prints one line per scenario; exits 1 on any problem.
"""

import datetime as dt
import json
import os
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "fixtures", "incidents"
)


def renderings(ts: dt.datetime) -> list[str]:
    ms = ts.microsecond // 1000
    epoch_ms = int(ts.timestamp() * 1000)
    return [
        ts.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms:03d}",  # ISO (slog, structlog, winston, CRI prefix)
        ts.strftime("%Y-%m-%d %H:%M:%S") + f".{ms:03d}",  # PostgreSQL %m
        ts.strftime("%Y-%m-%d %H:%M:%S") + f",{ms:03d}",  # log4j, Python asctime
        ts.strftime("%d %b %Y %H:%M:%S") + f".{ms:03d}",  # Redis
        ts.strftime("%Y/%m/%d %H:%M:%S"),  # nginx error (seconds)
        ts.strftime("%d/%b/%Y:%H:%M:%S"),  # nginx access (seconds)
        ts.strftime("%b ") + f"{ts.day:>2}" + ts.strftime(" %H:%M:%S"),  # syslog (seconds)
        str(epoch_ms),  # pino epoch ms
        f"{epoch_ms // 1000}.{epoch_ms % 1000:03d}",  # zap epoch seconds (float)
        ts.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if ms == 0 else ""),  # ISO seconds
    ]


def parse(ts: str) -> dt.datetime:
    return dt.datetime.fromisoformat(ts.replace("Z", "+00:00"))


def check_ref(scen_dir: str, files: list[str], ref: dict, what: str, problems: list[str]) -> dt.datetime | None:
    if ref["file"] not in files:
        problems.append(f"{what}: file {ref['file']} is not in 'files'")
        return None
    path = os.path.join(scen_dir, ref["file"])
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    if not 1 <= ref["line"] <= len(lines):
        problems.append(f"{what}: line {ref['line']} is outside {ref['file']} ({len(lines)} lines)")
        return None
    text = lines[ref["line"] - 1]
    ts = parse(ref["timestamp"])
    if not any(r in text for r in renderings(ts)):
        problems.append(f"{what}: {ref['file']}:{ref['line']} does not carry {ref['timestamp']}: {text[:120]}")
    return ts


def check_expected(scen_dir: str, files: list[str], exp: dict, label: str, problems: list[str]) -> str:
    first = check_ref(scen_dir, files, exp["firstSignal"], f"{label} firstSignal", problems)
    fail = check_ref(scen_dir, files, exp["failure"], f"{label} failure", problems)
    if first and fail:
        lead = (fail - first).total_seconds() * 1000
        if abs(lead - exp["leadTimeMs"]) > 1:
            problems.append(f"{label}: leadTimeMs {exp['leadTimeMs']} but the timestamps differ by {lead:.0f} ms")
    return f"lead {exp['leadTimeMs'] / 1000:.1f}s, responsible {exp['responsible']}"


def main() -> int:
    bad = 0
    for name in sorted(os.listdir(ROOT)):
        scen_dir = os.path.join(ROOT, name)
        path = os.path.join(scen_dir, "scenario.json")
        if not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as f:
            s = json.load(f)
        problems: list[str] = []
        for fname in s["files"]:
            fpath = os.path.join(scen_dir, fname)
            if not os.path.isfile(fpath):
                problems.append(f"listed file {fname} is missing")
            elif os.path.getsize(fpath) > 200 * 1024:
                problems.append(f"{fname} is over 200 KB")
        if s["name"] != name:
            problems.append(f"name {s['name']} differs from the directory")
        summary = check_expected(scen_dir, s["files"], s["expected"], "expected", problems)
        extra = s.get("expectedAll", [])
        for i, exp in enumerate(extra):
            check_expected(scen_dir, s["files"], exp, f"expectedAll[{i}]", problems)
        if extra and len(extra) != s["expected"]["incidents"]:
            problems.append(f"expectedAll lists {len(extra)} incidents, expected.incidents says {s['expected']['incidents']}")
        status = "ok" if not problems else "PROBLEM"
        print(f"{status:8} {name:32} {s['domain']:12} {s['produced']:6} incidents {s['expected']['incidents']}, {summary}")
        for p in problems:
            print(f"         - {p}")
        bad += bool(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
