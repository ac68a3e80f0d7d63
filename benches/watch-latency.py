#!/usr/bin/env python3
"""Save-to-new-value latency of `emit-delta watch` on a sample app (cs-app or fs-app).

Copies the sample to a temporary folder, starts `emit-delta watch --json`, makes N body
edits (a literal each), and for each one measures the time from the file write to the
app printing the new value (asked through watch's stdin), plus watch's own
build/delta/apply split from its `applied` event. Prints the medians.

    cargo build --release --offline && python3 benches/watch-latency.py [N] [cs-app|fs-app]
"""
import json, os, queue, shutil, signal, statistics, subprocess, sys, tempfile, threading, time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = int(sys.argv[1]) if len(sys.argv) > 1 else 8
SAMPLE = sys.argv[2] if len(sys.argv) > 2 else "cs-app"
SOURCE = {"cs-app": "Program.cs", "fs-app": "Program.fs"}[SAMPLE]

def main():
    tmp = tempfile.mkdtemp()
    app = os.path.join(tmp, SAMPLE)
    shutil.copytree(os.path.join(REPO, "testdata/watch", SAMPLE), app)
    source = os.path.join(app, SOURCE)
    watch = subprocess.Popen([os.path.join(REPO, "target/release/emit-delta"), "watch", app, "--json"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, start_new_session=True)
    events, lines = queue.Queue(), queue.Queue()
    def pump(stream, q, parse):
        for line in stream:
            if parse:
                try:
                    q.put(json.loads(line))
                except ValueError:
                    pass
            else:
                q.put(line.strip())
    threading.Thread(target=pump, args=(watch.stderr, events, True), daemon=True).start()
    threading.Thread(target=pump, args=(watch.stdout, lines, False), daemon=True).start()
    def event(kind):
        while True:
            e = events.get(timeout=120)
            if e["event"] == kind:
                return e
            if e["event"] in ("rude", "build_failed", "error"):
                raise SystemExit(f"unexpected event {e}")
    def value():
        watch.stdin.write("\n"); watch.stdin.flush()
        return lines.get(timeout=30)
    try:
        event("started")
        value()
        rows = []
        current = "6 * 7"
        for i in range(N):
            new = f"6 * {100 + i}"
            text = open(source).read().replace(current, new)
            t0 = time.monotonic()
            open(source, "w").write(text)
            e = event("applied")
            got = value()
            t1 = time.monotonic()
            assert got.startswith(f"value: {6 * (100 + i)} "), got
            rows.append((t1 - t0, e["build_ms"], e["delta_ms"], e["apply_ms"]))
            current = new
            time.sleep(0.3)
        med = lambda k: statistics.median(r[k] for r in rows)
        print(f"{SAMPLE}: edits: {N}")
        print(f"save -> new value: median {med(0):.2f} s (min {min(r[0] for r in rows):.2f}, max {max(r[0] for r in rows):.2f})")
        print(f"build: median {med(1) / 1000:.2f} s; delta: median {med(2):.1f} ms; apply: median {med(3):.1f} ms")
    finally:
        os.killpg(watch.pid, signal.SIGTERM)
        watch.wait(timeout=15)
        shutil.rmtree(tmp, ignore_errors=True)

main()
