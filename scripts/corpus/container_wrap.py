#!/usr/bin/env python3
"""Run a program and write its output the way container runtimes store it, from their documented formats.

No container runtime runs here, so this stands in for the runtime's log driver: every line the program
writes (stdout and stderr read concurrently, stamped when read) becomes
  --cri FILE     a CRI log line  `<RFC3339Nano> <stdout|stderr> <P|F> <content>` (the kubelet/containerd
                 format: lines longer than 16384 bytes are split into P(artial) chunks and a final F)
  --docker FILE  a Docker json-file line `{"log":"<content>\\n","stream":"...","time":"<RFC3339Nano>"}`
                 (moby's jsonfilelog: a line over 16384 bytes is split and only its last part ends in \\n)
Both files are appended to, so several runs (restarts) can share one Docker file while CRI gets one file
per restart, as kubelet does (0.log, 1.log, ...).
Usage: container_wrap.py [--cri FILE] [--docker FILE] -- COMMAND [ARGS...]; exits with COMMAND's code.
"""

import json
import subprocess
import sys
import threading
import time

MAX_LINE = 16384  # containerd's default max_container_log_line_size and moby's buffer size


def rfc3339nano(ns: int) -> str:
    secs, frac = divmod(ns, 1_000_000_000)
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs))
    digits = f"{frac:09d}".rstrip("0")  # Go's RFC3339Nano drops trailing zeros
    return f"{base}.{digits}Z" if digits else f"{base}Z"


def main() -> int:
    args = sys.argv[1:]
    cri = docker = None
    while args and args[0] != "--":
        flag, value, args = args[0], args[1], args[2:]
        if flag == "--cri":
            cri = open(value, "ab")
        elif flag == "--docker":
            docker = open(value, "ab")
        else:
            print(f"container_wrap.py: unknown flag {flag}", file=sys.stderr)
            return 2
    proc = subprocess.Popen(args[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lock = threading.Lock()

    def pump(pipe, stream: str) -> None:
        for raw in iter(pipe.readline, b""):
            now = rfc3339nano(time.time_ns())
            body = raw[:-1] if raw.endswith(b"\n") else raw
            chunks = [body[i : i + MAX_LINE] for i in range(0, len(body), MAX_LINE)] or [b""]
            with lock:
                for i, chunk in enumerate(chunks):
                    last = i == len(chunks) - 1
                    if cri:
                        tag = b"F" if last else b"P"
                        cri.write(now.encode() + b" " + stream.encode() + b" " + tag + b" " + chunk + b"\n")
                    if docker:
                        text = chunk.decode("utf-8", "replace") + ("\n" if last and raw.endswith(b"\n") else "")
                        rec = {"log": text, "stream": stream, "time": now}
                        # Go's encoding/json (moby) keeps UTF-8 and escapes <, > and & as \u003c \u003e \u0026.
                        line = json.dumps(rec, separators=(",", ":"), ensure_ascii=False)
                        line = line.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                        docker.write(line.encode() + b"\n")
                for f in (cri, docker):
                    if f:
                        f.flush()

    threads = [threading.Thread(target=pump, args=(proc.stdout, "stdout")),
               threading.Thread(target=pump, args=(proc.stderr, "stderr"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return proc.wait()


if __name__ == "__main__":
    sys.exit(main())
