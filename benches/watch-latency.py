#!/usr/bin/env python3
"""Save-to-new-value latency of hot reload, several ways, in one run.

    cargo build --release --offline && nice python3 benches/watch-latency.py [N] [--copies K] [MODE...]

MODE (default: all of them, in this order):
  fs-fast     emit-delta watch on testdata/watch/fs-app20 (F#, 20 files), fast path
  fs-full     the same with --no-fast (every save through `dotnet build`)
  fs-restart  F#: stop the app, incremental `dotnet build` in place, start it again
  cs-fast     emit-delta watch on testdata/watch/cs-app20 (C#, 20 files), fast path
              (C# compiled incrementally in the warm compiler)
  cs-nullable the same with a nullable warning (CS8600, which the sample does not have)
              raised to an error: the nullable flow analysis runs in every compile
              (compare with cs-fast, which leaves it out)
  cs-server   the same fast path with EMIT_DELTA_INCREMENTAL=0: each save compiled whole
              by csc through a compiler server watch starts (the side-by-side comparison)
  cs-full     the same with --no-fast
  cs-dotnet-watch  `dotnet watch` (its own hot reload) on the same C# app
--copies K: the C# sample with K more copies of each of its source files but Program.cs
(in namespaces of their own: 20 + 19 K files), to see how each way grows with the project.
A mode may be named more than once (`cs-fast cs-dotnet-watch cs-fast cs-dotnet-watch`)
to alternate modes while the load of the machine changes.

Each mode copies the sample to a fresh temporary folder and runs the app with SAMPLE_PORT
set, so the value is read the same way for every mode: a connection to 127.0.0.1:PORT
answers `value: V pid: P`. Per edit (N edits, a literal in Calculator each time), the
time from the file write until the app answers the new value is measured by polling
(every 5 ms, from the write on, for every mode alike); one untimed edit comes first (the
first edit of a session pays for JIT-compiling the warm compiler, or dotnet watch's own
warm-up). For emit-delta, the build/delta/apply split is watch's own (its `applied`
event; "compile" is the warm compiler's own time, the rest of the build is sending it
the request and staging the outputs); for the restart, the build and start times.
Prints one table row per mode (median, min, max) and the environment settings that
affect builds.
"""
import json, os, queue, shutil, signal, socket, statistics, subprocess, sys, tempfile, threading, time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EMIT_DELTA = os.path.join(REPO, "target/release/emit-delta")
ARGS = sys.argv[1:]
N = int(ARGS.pop(0)) if ARGS and ARGS[0].isdigit() else 10
COPIES = int(ARGS.pop(1)) if ARGS[:1] == ["--copies"] else 0
if COPIES:
    ARGS.pop(0)
MODES = ARGS or ["fs-fast", "fs-full", "fs-restart", "cs-fast", "cs-server", "cs-full", "cs-dotnet-watch"]
SAMPLES = {"fs": ("fs-app20", "FsApp20.fsproj", "Calculator.fs", "FsApp20"),
           "cs": ("cs-app20", "CsApp20.csproj", "Calculator.cs", "CsApp20")}
POLL = 0.005  # seconds between two questions to the app
ENV_KEYS = ["UseSharedCompilation", "MSBUILDDISABLENODEREUSE", "DOTNET_CLI_USE_MSBUILD_SERVER"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ask(port):
    """The app's `value: V pid: P` line, or None when it does not answer."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(256)
                if not chunk:
                    break
                data += chunk
            return data.decode().strip() or None
    except OSError:
        return None


def wait_value(port, value, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = ask(port)
        if line and line.startswith(f"value: {value} "):
            return time.monotonic()
        time.sleep(POLL)
    raise SystemExit(f"the app did not answer value {value} within {timeout} s")


def copy_sample(lang, raise_nullable=False):
    folder, project, source, _ = SAMPLES[lang]
    tmp = tempfile.mkdtemp(prefix="watch-latency-")
    app = os.path.join(tmp, folder)
    shutil.copytree(os.path.join(REPO, "testdata/watch", folder), app)
    if lang == "cs":
        for name in sorted(os.listdir(app)):
            if name.endswith(".cs") and name != "Program.cs":
                text = open(os.path.join(app, name)).read()
                for k in range(1, COPIES + 1):
                    copy = os.path.join(app, f"{name[:-3]}.Copy{k}.cs")
                    open(copy, "w").write(text.replace("namespace CsApp20;", f"namespace CsApp20.Copy{k};"))
    if raise_nullable:
        path = os.path.join(app, project)
        text = open(path).read()
        open(path, "w").write(text.replace("</PropertyGroup>", "<WarningsAsErrors>CS8600</WarningsAsErrors></PropertyGroup>", 1))
    return tmp, app, os.path.join(app, project), os.path.join(app, source)


class Edits:
    """Rewrites `6 * K` in the source; value is what the app must then answer."""

    def __init__(self, source):
        self.source, self.current = source, "6 * 7"

    def make(self, i):
        # i = -1: the untimed first edit (warms up whatever the tool keeps warm).
        new = f"6 * {100 + i}"
        text = open(self.source).read().replace(self.current, new)
        self.current = new
        start = time.monotonic()
        with open(self.source, "w") as f:
            f.write(text)
        return start, 6 * (100 + i)


def pump(stream, q):
    for line in stream:
        q.put(line.rstrip("\n"))


def run_emit_delta(lang, fast, extra_env=None, compiler=None, nullable=None):
    """`nullable`: whether each compile must run C#'s nullable flow analysis (None: either)."""
    tmp, app, project, source = copy_sample(lang, raise_nullable=nullable is True)
    port = free_port()
    cmd = [EMIT_DELTA, "watch", project, "--json"] + ([] if fast else ["--no-fast"])
    env = dict(os.environ, SAMPLE_PORT=str(port), **(extra_env or {}))
    watch = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True, start_new_session=True, env=env)
    events = queue.Queue()
    threading.Thread(target=pump, args=(watch.stderr, events), daemon=True).start()

    def event(kinds, timeout=300):
        while True:
            line = events.get(timeout=timeout)
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if e.get("event") in kinds:
                return e
            if e.get("event") in ("rude", "build_failed", "error"):
                raise SystemExit(f"unexpected event {e}")

    rows = []
    try:
        event(["started"])
        wait_value(port, 42)
        if fast:
            event(["fast_path"])
        edits = Edits(source)
        for i in range(-1, N):
            start, value = edits.make(i)
            # Asked from the write on, as for dotnet watch: the time is when the app
            # answers the new value, whatever watch does after applying it.
            end = wait_value(port, value)
            e = event(["applied"])
            if fast and e.get("build") != "fast":
                raise SystemExit(f"edit {i} did not take the fast path: {e}")
            if compiler and e.get("compiler") != compiler:
                raise SystemExit(f"edit {i} was not compiled by {compiler}: {e}")
            if nullable is not None and (e.get("nullable_analysis") != "skipped") != nullable:
                raise SystemExit(f"edit {i}: nullable analysis {'left out' if nullable else 'ran'}: {e}")
            if i >= 0:
                row = {"total": end - start, "build": e["build_ms"] / 1000, "delta": e["delta_ms"] / 1000,
                       "apply": e["apply_ms"] / 1000}
                if "compile_ms" in e:
                    row["compile"] = e["compile_ms"] / 1000
                rows.append(row)
            time.sleep(0.3)
    finally:
        os.killpg(watch.pid, signal.SIGTERM)
        watch.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def run_dotnet_watch(lang):
    tmp, app, project, source = copy_sample(lang)
    port = free_port()
    env = dict(os.environ, SAMPLE_PORT=str(port), DOTNET_WATCH_SUPPRESS_EMOJIS="1")
    watch = subprocess.Popen(["dotnet", "watch", "--non-interactive", "--project", project, "run"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             start_new_session=True, env=env, cwd=app)
    out = queue.Queue()
    threading.Thread(target=pump, args=(watch.stdout, out), daemon=True).start()
    rows = []
    try:
        wait_value(port, 42, timeout=300)
        time.sleep(2)  # dotnet watch finishes its own start-up after the app answers
        edits = Edits(source)
        pid = ask(port).split(" pid: ")[1]
        for i in range(-1, N):
            start, value = edits.make(i)
            end = wait_value(port, value)
            now_pid = ask(port).split(" pid: ")[1]
            if now_pid != pid:
                raise SystemExit(f"dotnet watch restarted the app on edit {i}")
            if i >= 0:
                rows.append({"total": end - start})
            time.sleep(0.3)
    finally:
        os.killpg(watch.pid, signal.SIGTERM)
        try:
            watch.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(watch.pid, signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def run_restart(lang):
    tmp, app, project, source = copy_sample(lang)
    _, _, _, assembly = SAMPLES[lang]
    port = free_port()
    env = dict(os.environ, SAMPLE_PORT=str(port))

    def build():
        subprocess.run(["dotnet", "build", "-c", "Debug", "-nologo", "-v", "q", project], check=True,
                       stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)

    def start():
        dll = os.path.join(app, "bin/Debug/net10.0", assembly + ".dll")
        return subprocess.Popen(["dotnet", dll], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                start_new_session=True, env=env)

    rows = []
    build()
    proc = start()
    try:
        wait_value(port, 42)
        edits = Edits(source)
        for i in range(-1, N):
            start_t, value = edits.make(i)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            build()
            built = time.monotonic()
            proc = start()
            end = wait_value(port, value)
            if i >= 0:
                rows.append({"total": end - start_t, "build": built - start_t, "start": end - built})
            time.sleep(0.3)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def main():
    copies = f"; C# sample with {COPIES} more copies of its files ({20 + 19 * COPIES} files)" if COPIES else ""
    print(f"edits per mode: {N}{copies}; 2-core load average at start: {os.getloadavg()[0]:.1f}")
    print("environment: " + ", ".join(f"{k}={os.environ.get(k, '(unset)')}" for k in ENV_KEYS))
    print("| mode | save -> new value, median (min-max) | build | (of which compile) | delta | apply | start |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for mode in MODES:
        lang, how = mode.split("-", 1)
        compiler = {"fs": "fsc", "cs": "incremental"}[lang]
        rows = {"fast": lambda: run_emit_delta(lang, True, compiler=compiler, nullable=False if lang == "cs" else None),
                "nullable": lambda: run_emit_delta(lang, True, compiler=compiler, nullable=True),
                "server": lambda: run_emit_delta(lang, True, {"EMIT_DELTA_INCREMENTAL": "0"}, "entry-point"),
                "full": lambda: run_emit_delta(lang, False),
                "restart": lambda: run_restart(lang), "dotnet-watch": lambda: run_dotnet_watch(lang)}[how]()
        med = lambda k: (f"{statistics.median(r[k] for r in rows):.3f} s" if k in rows[0] else "")
        totals = [r["total"] for r in rows]
        print(f"| {mode} | {statistics.median(totals):.3f} s ({min(totals):.3f}-{max(totals):.3f}) | "
              f"{med('build')} | {med('compile')} | {med('delta')} | {med('apply')} | {med('start')} |", flush=True)
    print(f"2-core load average at the end: {os.getloadavg()[0]:.1f}")


main()
