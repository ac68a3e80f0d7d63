//! `emit-delta watch [PROJECT|DIR] [--on-rude restart|ask|exit] [--json] [-- APP ARGS...]`:
//! build the project, run it with our agent loaded, and on every save build into a
//! staging folder, emit the deltas of the changed assemblies against the build applied
//! last, and have the agent apply them. Rude edits restart the app.
//! Watch's own lines go to stderr (`watch: ...`, or one JSON object per line with
//! `--json`); the app's stdout and stderr pass through untouched.

use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::os::unix::net::{UnixListener, UnixStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use emit_delta::capability::Capabilities;
use emit_delta::hot::{Delta, Prepared, Session};
use emit_delta::watch::builder::{Build, Builder};
use emit_delta::watch::compiler_host::Compiler;
use emit_delta::watch::protocol::{self, Hello};
use emit_delta::watch::saves::{self, SaveCount};
use emit_delta::watch::tool_cache;
use serde_json::json;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OnRude {
    Restart,
    Ask,
    Exit,
}

pub struct Options {
    pub project: Option<PathBuf>,
    pub on_rude: OnRude,
    pub json: bool,
    /// Whether saves may take the fast path (the warm compiler).
    pub fast: bool,
    pub args: Vec<String>,
}

const AGENT_PROJECT: &str = include_str!("../../agent/EmitDeltaAgent.csproj");
const AGENT_SOURCE: &str = include_str!("../../agent/StartupHook.cs");
const PROJECT_EXTS: [&str; 3] = ["csproj", "fsproj", "vbproj"];
const SOURCE_EXTS: [&str; 9] = ["cs", "fs", "fsi", "vb", "csproj", "fsproj", "vbproj", "props", "targets"];

enum Event {
    Changed(Vec<PathBuf>),
    Stop,
}

struct Out {
    json: bool,
}

impl Out {
    fn event(&self, kind: &str, text: &str, mut fields: serde_json::Value) {
        let mut err = std::io::stderr().lock();
        if self.json {
            if let Some(map) = fields.as_object_mut() {
                map.insert("event".into(), json!(kind));
            }
            let _ = writeln!(err, "{fields}");
        } else {
            let _ = writeln!(err, "watch: {text}");
        }
    }

    fn note(&self, text: &str) {
        if !self.json {
            eprintln!("watch: {text}");
        }
    }
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e4).round() / 10.0
}

fn human(d: Duration) -> String {
    if d.as_secs_f64() >= 1.0 { format!("{:.1} s", d.as_secs_f64()) } else { format!("{} ms", d.as_millis()) }
}

/// The project file: the one given, or the one project file in the folder.
fn find_project(arg: Option<&Path>) -> Result<PathBuf, String> {
    let path = arg.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    let is_project = |p: &Path| p.extension().is_some_and(|e| PROJECT_EXTS.iter().any(|x| e == *x));
    if path.is_file() {
        if !is_project(&path) {
            return Err(format!("{}: not a .csproj, .fsproj or .vbproj", path.display()));
        }
        return std::fs::canonicalize(&path).map_err(|e| format!("{}: {e}", path.display()));
    }
    let entries = std::fs::read_dir(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut found: Vec<PathBuf> =
        entries.flatten().map(|e| e.path()).filter(|p| p.is_file() && is_project(p)).collect();
    found.sort();
    match found.len() {
        1 => std::fs::canonicalize(&found[0]).map_err(|e| format!("{}: {e}", found[0].display())),
        0 => Err(format!("{}: no .csproj, .fsproj or .vbproj in this folder", path.display())),
        _ => Err(format!(
            "{}: {} project files; name one: {}",
            path.display(),
            found.len(),
            found.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// The text of the first `<Tag>value</Tag>` in a project file.
fn property(text: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = text.find(&open)? + open.len();
    let end = text[start..].find("</")? + start;
    Some(text[start..end].trim().to_string()).filter(|s| !s.is_empty())
}

/// The project and, transitively, the projects it references (`ProjectReference Include`).
fn project_closure(project: &Path) -> Vec<PathBuf> {
    let mut out = vec![project.to_path_buf()];
    let mut i = 0;
    while i < out.len() {
        let text = std::fs::read_to_string(&out[i]).unwrap_or_default();
        let dir = out[i].parent().unwrap_or(Path::new(".")).to_path_buf();
        for piece in text.split("<ProjectReference").skip(1) {
            let Some(rest) = piece.split("Include=\"").nth(1) else { continue };
            let Some(rel) = rest.split('"').next() else { continue };
            let p = dir.join(rel.replace('\\', "/"));
            if let Ok(p) = std::fs::canonicalize(&p)
                && !out.contains(&p)
            {
                out.push(p);
            }
        }
        i += 1;
    }
    out
}

/// A source or project file under one of `roots`, outside build output (`bin`, `obj`)
/// and watch's own folder; only the part below the root is looked at.
fn is_source_change(roots: &[PathBuf], path: &Path) -> bool {
    let Some(rel) = roots.iter().find_map(|r| path.strip_prefix(r).ok()) else { return false };
    let skipped = rel.components().any(|c| {
        let s = c.as_os_str();
        s == "bin" || s == "obj" || s == ".emit-delta-watch"
    });
    !skipped && path.extension().is_some_and(|e| SOURCE_EXTS.iter().any(|x| e == *x))
}

fn dotnet() -> PathBuf {
    std::env::var_os("DOTNET").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("dotnet"))
}

/// The agent, built from the sources compiled into this binary on first use.
fn agent(out: &Out) -> Result<PathBuf, String> {
    let tool = tool_cache::Tool {
        name: "agent",
        files: &[("EmitDeltaAgent.csproj", AGENT_PROJECT), ("StartupHook.cs", AGENT_SOURCE)],
        project_file: "EmitDeltaAgent.csproj",
        assembly: "EmitDeltaAgent.dll",
    };
    tool_cache::built(&dotnet(), &tool, || out.note("building the agent (first use)"))
}

/// The running app: its process (leader of its own process group) and agent connection.
struct App {
    child: Child,
    pid: u32,
    conn: UnixStream,
    capabilities: Capabilities,
    /// The build folder the app started from (its assemblies are the baselines).
    run_dir: PathBuf,
    sessions: HashMap<String, Session>,
    /// Per assembly file name, the bytes of the build applied last.
    applied: HashMap<String, Vec<u8>>,
}

fn kill_group(child: &mut Child) {
    let pgid = child.id() as libc::pid_t;
    // SAFETY: killpg has no memory-safety preconditions; the group is the app's own.
    unsafe {
        libc::killpg(pgid, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: as above; SIGKILL whatever of the group is left.
    unsafe {
        libc::killpg(pgid, libc::SIGKILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

impl Drop for App {
    fn drop(&mut self) {
        kill_group(&mut self.child);
    }
}

struct Watch {
    out: Out,
    opts: Options,
    project: PathBuf,
    assembly: String,
    agent: PathBuf,
    tmp: tempfile::TempDir,
    socket: PathBuf,
    listener: UnixListener,
    builds: u32,
    runs: u32,
    /// The running app's stdin, fed from watch's own stdin by [`forward_stdin`].
    app_stdin: AppStdin,
    builder: Builder,
    /// Changes of watched files seen so far (a build that saw it move was overtaken).
    save_count: SaveCount,
    /// Files saved since the last build that succeeded (its build was overtaken or
    /// failed): built again with the next save, which may touch another project.
    unbuilt: Vec<PathBuf>,
}

/// The app's stdin (`None` between runs), whether watch's stdin reached its end, and
/// the question `--on-rude ask` is waiting on (its answer line goes there, not to the app).
#[derive(Default)]
struct StdinState {
    app: Option<ChildStdin>,
    closed: bool,
    question: Option<Question>,
}

/// A pending question: the bytes of the answer line read so far and where to send it.
struct Question {
    line: Vec<u8>,
    answer: std::sync::mpsc::Sender<Option<String>>,
}

#[derive(Clone, Default)]
struct AppStdin(Arc<Mutex<StdinState>>);

impl AppStdin {
    fn lock(&self) -> std::sync::MutexGuard<'_, StdinState> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// From now on, the next line of watch's stdin is kept from the app and goes to the
    /// returned receiver (without its line end; `None` once watch's stdin has ended).
    /// Called before the question is shown, so an answer typed right after it is never
    /// copied to the app.
    fn expect_answer(&self) -> std::sync::mpsc::Receiver<Option<String>> {
        let (answer, receiver) = std::sync::mpsc::channel();
        let mut state = self.lock();
        if state.closed {
            let _ = answer.send(None);
        } else {
            state.question = Some(Question { line: Vec::new(), answer });
        }
        receiver
    }
}

/// Copies watch's stdin to the running app's, so the app never reads the terminal from
/// its own process group (where the terminal would stop it, SIGTTIN). Input that comes
/// while no app runs is dropped; at the end of watch's stdin, the app's is closed. While
/// `--on-rude ask` waits for an answer, the next line is the answer and the app does not
/// see it: this thread is the only reader of watch's stdin, so nothing races for it.
fn forward_stdin(target: AppStdin) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        let mut stdin = std::io::stdin().lock();
        loop {
            let n = match std::io::Read::read(&mut stdin, &mut buf) {
                Ok(0) | Err(_) => 0,
                Ok(n) => n,
            };
            let mut state = target.lock();
            if n == 0 {
                state.app = None;
                state.closed = true;
                if let Some(q) = state.question.take() {
                    let _ = q.answer.send(None);
                }
                return;
            }
            let mut data = &buf[..n];
            if let Some(q) = state.question.as_mut() {
                match data.iter().position(|&b| b == b'\n') {
                    Some(end) => {
                        q.line.extend_from_slice(&data[..end]);
                        let line = String::from_utf8_lossy(&q.line).trim_end_matches('\r').to_string();
                        let _ = q.answer.send(Some(line));
                        state.question = None;
                        data = &data[end + 1..];
                    }
                    None => {
                        q.line.extend_from_slice(data);
                        continue;
                    }
                }
            }
            if !data.is_empty()
                && let Some(app) = state.app.as_mut()
                && (app.write_all(data).is_err() || app.flush().is_err())
            {
                state.app = None;
            }
        }
    });
}

impl Watch {
    fn staging(&mut self) -> PathBuf {
        self.builds += 1;
        self.tmp.path().join("builds").join(self.builds.to_string())
    }

    /// Starts the app from `run_dir` and waits for the agent's hello.
    fn start(&mut self, run_dir: &Path) -> Result<App, String> {
        let dll = run_dir.join(format!("{}.dll", self.assembly));
        if !dll.is_file() {
            return Err(format!("{}: the build did not produce it", dll.display()));
        }
        let mut hooks = std::ffi::OsString::from(&self.agent);
        if let Some(existing) = std::env::var_os("DOTNET_STARTUP_HOOKS").filter(|v| !v.is_empty()) {
            hooks.push(":");
            hooks.push(existing);
        }
        let closed = self.app_stdin.lock().closed;
        let mut child = Command::new(dotnet())
            .arg(&dll)
            .args(&self.opts.args)
            .stdin(if closed { Stdio::null() } else { Stdio::piped() })
            .env("DOTNET_MODIFIABLE_ASSEMBLIES", "debug")
            .env("DOTNET_STARTUP_HOOKS", hooks)
            .env("EMIT_DELTA_AGENT_SOCKET", &self.socket)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", dll.display()))?;
        self.runs += 1;
        self.app_stdin.lock().app = child.stdin.take();
        let deadline = Instant::now() + Duration::from_secs(30);
        self.listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let conn = loop {
            match self.listener.accept() {
                Ok((conn, _)) => break conn,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => {
                    kill_group(&mut child);
                    return Err(format!("agent socket {}: {e}", self.socket.display()));
                }
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("the app exited ({status}) before the agent connected"));
            }
            if Instant::now() > deadline {
                kill_group(&mut child);
                return Err("the agent did not connect within 30 s".into());
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let hello = (|| -> Result<Hello, String> {
            conn.set_nonblocking(false).map_err(|e| e.to_string())?;
            conn.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
            let frame = protocol::read_frame(&mut &conn).map_err(|e| e.to_string())?;
            protocol::parse_hello(&frame).map_err(|e| e.to_string())
        })();
        let hello = match hello {
            Ok(h) => h,
            Err(e) => {
                kill_group(&mut child);
                return Err(format!("agent hello: {e}"));
            }
        };
        let pid = child.id();
        if hello.pid != pid {
            self.out.note(&format!("the agent reports pid {} (started {pid})", hello.pid));
        }
        Ok(App {
            child,
            pid: hello.pid,
            conn,
            capabilities: Capabilities::parse(&hello.capabilities),
            run_dir: run_dir.to_path_buf(),
            sessions: HashMap::new(),
            applied: HashMap::new(),
        })
    }

    fn started(&self, event: &str, app: &App, build: &Build) {
        let mut fields = json!({ "pid": app.pid, "assembly": self.assembly, "project": self.project,
                                 "socket": self.socket, "capabilities": app.capabilities.to_string() });
        add_build_fields(&mut fields, build);
        self.out.event(event, &format!("{event} {} (pid {}, {})", self.assembly, app.pid, build_text(build)), fields);
    }

    /// Builds (fully) and starts the app; prints why not on failure.
    fn build_and_start(&mut self, event: &str, reason: &str) -> Option<App> {
        let staging = self.staging();
        let build = self.builder.full(&staging, reason.to_string());
        if let Err(errors) = &build.result {
            self.build_failed(errors, &build);
            return None;
        }
        // A full build compiled every project.
        self.unbuilt.clear();
        match self.start(&staging) {
            Ok(app) => {
                self.started(event, &app, &build);
                Some(app)
            }
            Err(e) => {
                self.out.event("error", &e, json!({ "message": e }));
                None
            }
        }
    }

    fn build_failed(&self, errors: &[String], build: &Build) {
        if self.out.json {
            let mut fields = json!({ "errors": errors });
            add_build_fields(&mut fields, build);
            self.out.event("build_failed", "", fields);
        } else {
            eprintln!("watch: build failed ({}); the app keeps running the code applied last", build_text(build));
            for e in errors {
                eprintln!("watch:   {e}");
            }
        }
    }

    /// After a full build: capture the compiler invocations for the fast path (and start
    /// the warm compiler); a failure only turns the fast path off until the next one.
    fn capture(&mut self) {
        let out = &self.out;
        match self.builder.capture(|| out.note("building the compiler host (first use)")) {
            Ok(true) => {
                let pid = self.builder.compiler_pid();
                let server = self.builder.server_pid();
                let server_text = server.map(|s| format!(", compiler server pid {s}")).unwrap_or_default();
                self.out.event(
                    "fast_path",
                    &format!("fast path ready (warm compiler pid {}{server_text})", pid.unwrap_or_default()),
                    json!({ "enabled": true, "compiler_pid": pid, "server_pid": server }),
                );
            }
            Ok(false) => {}
            Err(e) => self.out.event(
                "fast_path",
                &format!("fast path off until the next full build: {e}"),
                json!({ "enabled": false, "message": e }),
            ),
        }
    }

    /// A save of `changed`: build into staging, apply what changed, or restart on a rude edit.
    fn change(&mut self, app: Option<App>, changed: &[PathBuf]) -> Result<Option<App>, ()> {
        let Some(mut app) = app else {
            return Ok(self.build_and_start("started", "the app is not running"));
        };
        let staging = self.staging();
        let saves_before = self.save_count.now();
        let mut pending = std::mem::take(&mut self.unbuilt);
        for path in changed {
            if !pending.contains(path) {
                pending.push(path.clone());
            }
        }
        let build = self.builder.build(&pending, &staging);
        if self.save_count.now() != saves_before {
            // A newer save came in while building (the rest of a "save all", or the file
            // written again): build again with it rather than apply, or report the errors
            // of, sources that may be half saved. The build stays the one to start from.
            self.unbuilt = pending;
            let mut fields = json!({});
            add_build_fields(&mut fields, &build);
            self.out.event("superseded", "a newer save came in while building; building again", fields);
            return Ok(Some(app));
        }
        if let Err(errors) = &build.result {
            self.unbuilt = pending;
            self.build_failed(errors, &build);
            return Ok(Some(app));
        }
        let delta_start = Instant::now();
        let mut deltas: Vec<(String, Delta)> = Vec::new();
        let mut rude = Vec::new();
        let mut unchanged = Vec::new();
        let mut names: Vec<String> = std::fs::read_dir(&staging)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".dll") && app.run_dir.join(n).is_file())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        for name in names {
            let new_path = staging.join(&name);
            let Ok(new_bytes) = std::fs::read(&new_path) else { continue };
            let old = match app.applied.get(&name) {
                Some(b) => b.clone(),
                None => std::fs::read(app.run_dir.join(&name)).unwrap_or_default(),
            };
            if old == new_bytes {
                continue;
            }
            if !app.sessions.contains_key(&name) {
                let dir = self.tmp.path().join("sessions").join(self.runs.to_string()).join(&name);
                match Session::open(&app.run_dir.join(&name), app.capabilities, &dir) {
                    Ok(s) => {
                        app.sessions.insert(name.clone(), s);
                    }
                    Err(e) => {
                        // Not a managed assembly we can read: nothing to apply from it.
                        self.out.note(&format!("skipping {name}: {e}"));
                        continue;
                    }
                }
            }
            let session = &app.sessions[&name];
            match session.prepare(&new_path, None) {
                Ok(Prepared::Delta(d)) => deltas.push((name, *d)),
                Ok(Prepared::NoChange(_)) => unchanged.push((name, new_bytes)),
                Ok(Prepared::Rude(edits)) => rude.extend(edits.into_iter().map(|e| (name.clone(), e))),
                Err(e) => rude.push((
                    name.clone(),
                    emit_delta::diff::RudeEdit::new(name.clone(), "cannot compute the delta", e.to_string()),
                )),
            }
        }
        let delta_took = delta_start.elapsed();
        if !rude.is_empty() {
            for (name, e) in &rude {
                // The edit as `--json` gives it (code, member, change, reason, needs, place,
                // generated definitions), with the assembly.
                let mut fields = serde_json::to_value(e).unwrap_or_else(|_| json!({}));
                if let Some(map) = fields.as_object_mut() {
                    map.insert("assembly".into(), json!(name));
                }
                self.out.event("rude", &format!("{}rude edit in {name}: {e}", super::location_prefix(e)), fields);
            }
            return self.after_rude(app, staging, &build);
        }
        for (name, bytes) in unchanged {
            app.applied.insert(name, bytes);
        }
        if deltas.is_empty() {
            let mut fields = json!({});
            add_build_fields(&mut fields, &build);
            self.out.event("no_change", &format!("no change to apply ({})", build_text(&build)), fields);
            return Ok(Some(app));
        }
        for (name, delta) in deltas {
            let apply_start = Instant::now();
            let session = app.sessions.get_mut(&name).expect("session opened above");
            let g = &delta.generation;
            let types: Vec<u32> = g.updated_types.iter().map(|t| t.0).collect();
            let mvid = session.mvid().unwrap_or_default();
            let sent = protocol::write_update(&mut &app.conn, &mvid, g.number, &types, &g.dmeta, &g.dil, &g.dpdb)
                .and_then(|_| protocol::read_frame(&mut &app.conn))
                .and_then(|f| protocol::parse_result(&f));
            let apply_took = apply_start.elapsed();
            match sent {
                Ok(r) if r.ok => {
                    let methods: Vec<String> = g.updated_methods.iter().map(|m| m.name.clone()).collect();
                    let number = g.number;
                    let types = delta.updated_type_names.clone();
                    let bytes = delta.updated.to_vec();
                    let mut fields = json!({ "assembly": name, "generation": number, "methods": methods,
                            "types": types, "pid": app.pid, "deferred": r.deferred, "handler_errors": r.handler_errors,
                            "delta_ms": ms(delta_took), "apply_ms": ms(apply_took) });
                    add_build_fields(&mut fields, &build);
                    self.out.event(
                        "applied",
                        &format!(
                            "applied {name} generation {number}: {} ({}, delta {}, apply {})",
                            methods.join(", "),
                            build_text(&build),
                            human(delta_took),
                            human(apply_took)
                        ),
                        fields,
                    );
                    for h in &r.handler_errors {
                        self.out.note(&format!("update handler failed: {h}"));
                    }
                    // The app runs the new code from here: say so first, then save the
                    // chain (written durably, a few milliseconds) and summarise the new
                    // build for the next save.
                    if let Err(e) = session.commit(delta) {
                        self.out.event(
                            "error",
                            &format!("saving the session of {name}: {e}"),
                            json!({ "message": e.to_string() }),
                        );
                    }
                    app.applied.insert(name.clone(), bytes);
                    session.prepare_ahead();
                }
                Ok(r) => {
                    let message = r.error.unwrap_or_default();
                    session.discard(delta);
                    self.out.event(
                        "apply_failed",
                        &format!("the runtime refused the update of {name}: {message}"),
                        json!({ "assembly": name, "message": message }),
                    );
                    return self.after_rude(app, staging, &build);
                }
                Err(e) => {
                    session.discard(delta);
                    self.out.event(
                        "apply_failed",
                        &format!("sending the update of {name}: {e}"),
                        json!({ "assembly": name, "message": e.to_string() }),
                    );
                    return self.after_rude(app, staging, &build);
                }
            }
        }
        Ok(Some(app))
    }

    /// `--on-rude ask`: asks whether to restart and reads the answer line from watch's
    /// stdin (the terminal when run by hand), which the app then does not see. An empty
    /// line or `y` restarts, `n` (or `no`) stops; the end of stdin (nobody to answer), Ctrl-C
    /// and SIGTERM stop.
    fn ask(&mut self) -> bool {
        let question = "restart the app with the new build? [Y/n]";
        let pending = self.app_stdin.expect_answer();
        if self.out.json {
            self.out.event("ask", question, json!({ "question": question }));
        } else {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "watch: {question} ");
            let _ = err.flush();
        }
        let answer = pending.recv().ok().flatten();
        let restart = answer.as_deref().is_some_and(|a| {
            let a = a.trim();
            !(a.eq_ignore_ascii_case("n") || a.eq_ignore_ascii_case("no"))
        });
        let said = answer.as_deref().map_or("end of input".to_string(), |a| format!("{:?}", a.trim()));
        self.out.note(&format!("answer {said}: {}", if restart { "restarting" } else { "stopping" }));
        restart
    }

    /// What `--on-rude` says: restart from `staging` with fresh sessions, or stop (Err).
    fn after_rude(&mut self, app: App, staging: PathBuf, build: &Build) -> Result<Option<App>, ()> {
        let restart = match self.opts.on_rude {
            OnRude::Restart => true,
            OnRude::Exit => false,
            OnRude::Ask => self.ask(),
        };
        drop(app);
        if !restart {
            return Err(());
        }
        match self.start(&staging) {
            Ok(app) => {
                self.started("restarted", &app, build);
                Ok(Some(app))
            }
            Err(e) => {
                self.out.event("error", &e, json!({ "message": e }));
                Ok(None)
            }
        }
    }
}

/// `fast build 0.8 s (fsc)` or `full build 3.2 s: project file changed: App.fsproj`.
fn build_text(build: &Build) -> String {
    let mut text = format!("{} build {}", build.kind.name(), human(build.took));
    if let Some(names) = build.compiler_names() {
        text.push_str(&format!(" ({names})"));
    }
    if let Some(reason) = &build.reason {
        text.push_str(": ");
        text.push_str(reason);
    }
    text
}

/// `build` (fast or full), `reason` (why full) and `build_ms` into an event's fields.
fn add_build_fields(fields: &mut serde_json::Value, build: &Build) {
    if let Some(map) = fields.as_object_mut() {
        map.insert("build".into(), json!(build.kind.name()));
        if let Some(names) = build.compiler_names() {
            map.insert("compiler".into(), json!(names));
        }
        let fallback = build.compilers.iter().find_map(|c| match c {
            Compiler::EntryPoint { incremental_error } => incremental_error.clone(),
            _ => None,
        });
        if let Some(why) = fallback {
            map.insert("incremental_error".into(), json!(why));
        }
        if build.compilers.iter().any(|c| matches!(c, Compiler::Incremental { skipped_nullable_analysis: true })) {
            map.insert("nullable_analysis".into(), json!("skipped"));
        }
        if let Some(compile) = build.compile {
            map.insert("compile_ms".into(), json!(ms(compile)));
        }
        if let Some(bytes) = build.recycled {
            map.insert("compiler_recycled_mb".into(), json!(bytes / (1024 * 1024)));
        }
        map.insert("reason".into(), json!(build.reason));
        map.insert("build_ms".into(), json!(ms(build.took)));
    }
}

/// Runs watch; the exit code.
pub fn run(opts: Options) -> i32 {
    let out = Out { json: opts.json };
    let fail = |message: String| {
        out.event("error", &message, json!({ "message": message }));
        1
    };
    let project = match find_project(opts.project.as_deref()) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let project_dir = project.parent().unwrap_or(Path::new("/")).to_path_buf();
    let text = std::fs::read_to_string(&project).unwrap_or_default();
    let assembly = property(&text, "AssemblyName")
        .unwrap_or_else(|| project.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default());

    // One watch per project: the OS releases the lock when this process dies.
    let lock_dir = project_dir.join(".emit-delta-watch");
    if let Err(e) = std::fs::create_dir_all(&lock_dir) {
        return fail(format!("{}: {e}", lock_dir.display()));
    }
    let lock_path = lock_dir.join("lock");
    let lock = match File::create(&lock_path) {
        Ok(f) => f,
        Err(e) => return fail(format!("{}: {e}", lock_path.display())),
    };
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return fail(format!(
                "another emit-delta watch is already running on {} (lock {}); stop it first",
                project.display(),
                lock_path.display()
            ));
        }
        Err(std::fs::TryLockError::Error(e)) => return fail(format!("{}: {e}", lock_path.display())),
    }
    let _ = writeln!(&lock, "{}", std::process::id());

    let agent = match agent(&out) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    // A private folder (0700) for the socket, the staging builds and the sessions.
    let tmp = match tempfile::Builder::new().prefix("emit-delta-watch-").tempdir() {
        Ok(t) => t,
        Err(e) => return fail(format!("temporary folder: {e}")),
    };
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o700));
    }
    let socket = tmp.path().join("agent.sock");
    let listener = match UnixListener::bind(&socket) {
        Ok(l) => l,
        Err(e) => return fail(format!("{}: {e}", socket.display())),
    };
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600));
    }

    let (tx, rx) = mpsc::channel::<Event>();
    let stop_tx = tx.clone();
    let app_stdin = AppStdin::default();
    let asking = app_stdin.clone();
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = stop_tx.send(Event::Stop);
        // Ctrl-C or SIGTERM while `--on-rude ask` waits: the answer is "stop".
        if let Some(q) = asking.lock().question.take() {
            let _ = q.answer.send(None);
        }
    }) {
        return fail(format!("cannot handle Ctrl-C: {e}"));
    }
    let roots: Vec<PathBuf> =
        project_closure(&project).iter().map(|p| p.parent().unwrap_or(Path::new("/")).to_path_buf()).collect();
    let filter_roots = roots.clone();
    let (events_tx, events) = mpsc::channel();
    let mut watcher = match notify::recommended_watcher(events_tx) {
        Ok(w) => w,
        Err(e) => return fail(format!("cannot watch files: {e}")),
    };
    for dir in &roots {
        if let Err(e) = notify::Watcher::watch(&mut watcher, dir, notify::RecursiveMode::Recursive) {
            return fail(format!("cannot watch {}: {e}", dir.display()));
        }
    }
    // Ends when the watcher is dropped (its events end).
    let save_count = SaveCount::default();
    let counted = save_count.clone();
    std::thread::spawn(move || {
        let accept = |p: &Path| is_source_change(&filter_roots, p);
        saves::forward(events, accept, counted, |changed| tx.send(Event::Changed(changed)).is_ok())
    });

    forward_stdin(app_stdin.clone());
    let projects = project_closure(&project);
    let scratch = tmp.path().join("fast");
    if let Err(e) = std::fs::create_dir_all(&scratch) {
        return fail(format!("{}: {e}", scratch.display()));
    }
    let builder = Builder::new(dotnet(), projects, opts.fast, scratch);
    let mut w = Watch {
        out,
        opts,
        project,
        assembly,
        agent,
        tmp,
        socket,
        listener,
        builds: 0,
        runs: 0,
        app_stdin,
        builder,
        save_count,
        unbuilt: Vec::new(),
    };
    let mut app = w.build_and_start("started", "first build");
    w.capture();
    let code = loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(Event::Stop) => break 0,
            Ok(Event::Changed(mut changed)) => {
                // Saves that came in while we were busy are one change.
                let mut stop = false;
                while let Ok(e) = rx.try_recv() {
                    match e {
                        Event::Stop => stop = true,
                        Event::Changed(more) => {
                            for p in more {
                                if !changed.contains(&p) {
                                    changed.push(p);
                                }
                            }
                        }
                    }
                }
                if stop {
                    break 0;
                }
                match w.change(app.take(), &changed) {
                    Ok(next) => app = next,
                    Err(()) => break 0,
                }
                w.capture();
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Some(a) = app.as_mut()
                    && let Ok(Some(status)) = a.child.try_wait()
                {
                    w.out.event(
                        "exited",
                        &format!("the app exited ({status}); waiting for a change to start it again"),
                        json!({ "pid": a.pid, "code": status.code() }),
                    );
                    app = None;
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break 1,
        }
    };
    drop(app);
    drop(watcher);
    let _ = std::fs::remove_file(&w.socket);
    w.out.event("stopped", "stopped", json!({}));
    drop(lock);
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_changes_are_judged_below_the_root() {
        let roots = vec![PathBuf::from("/home/me/bin/app")];
        assert!(is_source_change(&roots, Path::new("/home/me/bin/app/Program.cs")));
        assert!(is_source_change(&roots, Path::new("/home/me/bin/app/sub/X.fs")));
        assert!(is_source_change(&roots, Path::new("/home/me/bin/app/App.fsproj")));
        assert!(!is_source_change(&roots, Path::new("/home/me/bin/app/obj/Debug/X.cs")));
        assert!(!is_source_change(&roots, Path::new("/home/me/bin/app/bin/Debug/App.dll")));
        assert!(!is_source_change(&roots, Path::new("/home/me/bin/app/notes.txt")));
        assert!(!is_source_change(&roots, Path::new("/elsewhere/Program.cs")));
    }

    #[test]
    fn project_properties_and_references() {
        let text = "<Project><PropertyGroup><AssemblyName> Foo </AssemblyName></PropertyGroup></Project>";
        assert_eq!(property(text, "AssemblyName").as_deref(), Some("Foo"));
        assert_eq!(property(text, "RootNamespace"), None);
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("Lib")).unwrap();
        std::fs::create_dir_all(dir.path().join("App")).unwrap();
        std::fs::write(dir.path().join("Lib/Lib.csproj"), "<Project/>").unwrap();
        let app = dir.path().join("App/App.csproj");
        std::fs::write(
            &app,
            r#"<Project><ItemGroup><ProjectReference Include="..\Lib\Lib.csproj" /></ItemGroup></Project>"#,
        )
        .unwrap();
        let app = std::fs::canonicalize(app).unwrap();
        let closure = project_closure(&app);
        assert_eq!(closure.len(), 2, "{closure:?}");
        assert!(closure[1].ends_with("Lib/Lib.csproj"));
        assert!(find_project(Some(dir.path())).unwrap_err().contains("no .csproj"));
        assert_eq!(find_project(Some(&dir.path().join("App"))).unwrap(), app);
    }
}
