//! `emit-delta watch` end to end: a sample app from testdata/watch is copied to a
//! temporary folder, watched, edited there, and queried through watch's stdin (which
//! the app inherits). Every process started is killed on the way out, pass or fail.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

const WAIT: Duration = Duration::from_secs(90);

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).unwrap();
        }
    }
}

fn alive(pid: u32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid as libc::pid_t, 0) == 0 }
}

/// A running `emit-delta watch --json`: its stdin, the app's stdout lines, watch's events.
struct Watch {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Receiver<String>,
    events: Receiver<Value>,
    stderr: Arc<Mutex<Vec<String>>>,
    app_pids: Vec<u32>,
    /// The warm compiler's pid from the last `fast_path` event seen.
    compiler_pid: Option<u32>,
    /// The C#/VB compiler server's pid from the last `fast_path` event seen.
    server_pid: Option<u32>,
}

impl Watch {
    fn start(project: &Path, extra: &[&str]) -> Watch {
        Watch::start_with(project, extra, &[])
    }

    /// [`Watch::start`] with these environment variables set.
    fn start_with(project: &Path, extra: &[&str], env: &[(&str, &str)]) -> Watch {
        let cache = std::env::temp_dir().join("emit-delta-test-cache");
        let mut child = Command::new(env!("CARGO_BIN_EXE_emit-delta"))
            .arg("watch")
            .arg(project)
            .arg("--json")
            .args(extra)
            .envs(env.iter().copied())
            .env("EMIT_DELTA_CACHE_DIR", cache)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .expect("start emit-delta watch");
        let stdin = child.stdin.take();
        let (out_tx, stdout) = channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = out_tx.send(line);
            }
        });
        let (ev_tx, events) = channel();
        let err = child.stderr.take().unwrap();
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let log = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                // Logged before it is handed on: an event a test has seen is in the log.
                log.lock().unwrap().push(line.clone());
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    let _ = ev_tx.send(v);
                }
            }
        });
        Watch { child, stdin, stdout, events, stderr, app_pids: Vec::new(), compiler_pid: None, server_pid: None }
    }

    fn log(&self) -> String {
        self.stderr.lock().unwrap().join("\n")
    }

    /// The next event of one of `kinds` (others are skipped), or a panic with watch's log.
    fn event(&mut self, kinds: &[&str]) -> Value {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.events.recv_timeout(left) {
                Ok(v) => {
                    if let Some(pid) = v["pid"].as_u64() {
                        self.app_pids.push(pid as u32);
                    }
                    if let Some(pid) = v["compiler_pid"].as_u64() {
                        self.compiler_pid = Some(pid as u32);
                    }
                    if let Some(pid) = v["server_pid"].as_u64() {
                        self.server_pid = Some(pid as u32);
                    }
                    let kind = v["event"].as_str().unwrap_or_default();
                    if kinds.contains(&kind) {
                        return v;
                    }
                    assert!(kind != "error", "watch reported an error: {v}\n{}", self.log());
                }
                Err(_) => panic!("no {kinds:?} event within {WAIT:?}; watch said:\n{}", self.log()),
            }
        }
    }

    /// Sends `line` to the app and returns its next stdout line.
    fn ask(&mut self, line: &str) -> String {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
        self.stdout
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("the app did not answer `{line}`; watch said:\n{}", self.log()))
    }

    /// (value, pid) from the app's `value: V pid: P` line.
    fn value(&mut self) -> (i64, u32) {
        let line = self.ask("");
        let parse = || -> Option<(i64, u32)> {
            let rest = line.strip_prefix("value: ")?;
            let (v, p) = rest.split_once(" pid: ")?;
            Some((v.trim().parse().ok()?, p.trim().parse().ok()?))
        };
        parse().unwrap_or_else(|| panic!("unexpected app line `{line}`"))
    }

    fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        // SAFETY: plain signal to our own child.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stdin = None;
        if self.child.try_wait().ok().flatten().is_none() && self.terminate().is_none() {
            // SAFETY: killing our own child's process group.
            unsafe {
                libc::killpg(self.child.id() as libc::pid_t, libc::SIGKILL);
            }
            let _ = self.child.wait();
        }
        for &pid in &self.app_pids {
            // SAFETY: the app runs as the leader of its own group; kill what may be left.
            unsafe {
                libc::killpg(pid as libc::pid_t, libc::SIGKILL);
            }
        }
    }
}

/// Replaces the first `A * B` of two integer literals in `file` by `a * b`; returns
/// what the edited source computes.
fn set_product(file: &Path, a: i64, b: i64) -> i64 {
    let text = std::fs::read_to_string(file).unwrap();
    let bytes = text.as_bytes();
    let mut found = None;
    for (i, _) in text.match_indices(" * ") {
        let start = text[..i].rfind(|c: char| !c.is_ascii_digit()).map_or(0, |p| p + 1);
        let end = i + 3 + text[i + 3..].find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len() - i - 3);
        if start < i && end > i + 3 && bytes[start].is_ascii_digit() {
            found = Some((start, end));
            break;
        }
    }
    let (start, end) = found.unwrap_or_else(|| panic!("{}: no `A * B` to edit", file.display()));
    std::fs::write(file, format!("{}{a} * {b}{}", &text[..start], &text[end..])).unwrap();
    a * b
}

fn sample(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(name);
    copy_dir(&support::repo().join("testdata/watch").join(name), &dir);
    (tmp, dir)
}

/// Body edits applied to one process (to `assembly`), each value as the edited source
/// computes it, each compiled on the fast path by `compiler` (`incremental` for C# and
/// VB, `fsc` for F#), with C#'s nullable flow analysis left out when `nullable_skipped`.
fn edits_apply_in_place(
    w: &mut Watch,
    source: &Path,
    assembly: &str,
    compiler: &str,
    nullable_skipped: bool,
    edits: usize,
) -> u32 {
    let started = w.event(&["started"]);
    let pid = started["pid"].as_u64().unwrap() as u32;
    assert_eq!(w.value(), (42, pid));
    for (i, (a, b)) in [(6, 8), (7, 11), (13, 3), (20, 21)].into_iter().take(edits).enumerate() {
        let expected = set_product(source, a, b);
        let applied = w.event(&["applied", "rude", "build_failed", "restarted"]);
        assert_eq!(applied["event"], "applied", "edit {i}: {applied}\n{}", w.log());
        assert_eq!(applied["generation"], i as u64 + 1, "{applied}");
        assert_eq!(applied["assembly"], assembly, "{applied}");
        assert_eq!(applied["pid"], pid, "{applied}");
        for k in ["build_ms", "delta_ms", "apply_ms"] {
            assert!(applied[k].as_f64().is_some(), "{k} missing in {applied}");
        }
        // After the first full build the invocations are captured: every body edit
        // compiles in the warm compiler.
        assert_eq!(applied["build"], "fast", "edit {i}: {applied}\n{}", w.log());
        assert_eq!(applied["compiler"], compiler, "edit {i}: {applied}");
        let skipped = applied["nullable_analysis"] == "skipped";
        assert_eq!(skipped, nullable_skipped, "edit {i}: nullable analysis skipped? {applied}");
        assert!(applied["compile_ms"].as_f64().is_some_and(|c| c > 0.0), "edit {i}: {applied}");
        assert_eq!(w.value(), (expected, pid), "edit {i} ({a} * {b})");
    }
    pid
}

/// The fast path compiled `assembly` of `project` last (into its obj folder, where
/// `dotnet build` compiles it): `dotnet build` of the same sources at the same paths,
/// made to compile again by removing that output, writes the same bytes, PDB included.
fn assert_fast_output_is_dotnet_builds(project: &Path, assembly: &str) {
    let dotnet = support::dotnet("assert_fast_output_is_dotnet_builds").expect("dotnet");
    let obj = project.parent().unwrap().join("obj/Debug/net10.0");
    let pdb = assembly.replace(".dll", ".pdb");
    let fast = std::fs::read(obj.join(assembly)).unwrap();
    let fast_pdb = std::fs::read(obj.join(&pdb)).unwrap();
    // The watched project's compile leaves out its reference assembly (nothing watch
    // builds reads it): C# and VB remove the one in obj/, F#'s captured invocation has
    // none; either way it is not newer than the assembly, so `dotnet build` compiles again.
    let refint = obj.join("refint").join(assembly);
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    assert!(
        modified(&refint).is_none_or(|r| Some(r) < modified(&obj.join(assembly))),
        "{}: written by a fast compile of the watched project",
        refint.display()
    );
    std::fs::remove_file(obj.join(assembly)).unwrap();
    std::fs::remove_file(obj.join(&pdb)).unwrap();
    let status = Command::new(&dotnet)
        .args(["build", "-c", "Debug", "-nologo", "-v", "q", "-clp:ErrorsOnly"])
        .arg(project)
        .stdin(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "dotnet build {}", project.display());
    let full = std::fs::read(obj.join(assembly)).unwrap();
    assert!(refint.is_file(), "{}: dotnet build writes it again", refint.display());
    assert!(
        fast == full,
        "{assembly}: the fast path's bytes differ from dotnet build's ({} vs {} bytes)",
        fast.len(),
        full.len()
    );
    assert!(
        fast_pdb == std::fs::read(obj.join(&pdb)).unwrap(),
        "{pdb}: the fast path's PDB differs from dotnet build's"
    );
}

/// The warm compiler's pid from watch's last `fast_path` event.
fn compiler_pid(w: &mut Watch) -> u32 {
    w.compiler_pid.unwrap_or_else(|| panic!("no fast_path event with a compiler pid\n{}", w.log()))
}

#[test]
fn watch_cs_edits_rude_restart_build_error_and_sigterm() {
    let Some(_dotnet) = support::dotnet("watch_cs_edits_rude_restart_build_error_and_sigterm") else { return };
    let (_tmp, dir) = sample("cs-app");
    let source = dir.join("Program.cs");
    let mut w = Watch::start(&dir.join("CsApp.csproj"), &[]);
    let pid = edits_apply_in_place(&mut w, &source, "CsApp.dll", "incremental", true, 4);
    let compiler = compiler_pid(&mut w);
    assert!(alive(compiler));
    assert_eq!(w.server_pid, None, "C# compiles incrementally in the warm compiler: no compiler server");

    // Handlers: ClearCache then UpdateApplication, with exactly the updated type, per update.
    let handlers = w.ask("handlers");
    let pair = "ClearCache(CsApp.Calculator);UpdateApplication(CsApp.Calculator)";
    assert_eq!(handlers, format!("handlers: {}", [pair; 4].join(";")));

    // A second watch on the same project refuses while this one runs.
    let second = Command::new(env!("CARGO_BIN_EXE_emit-delta"))
        .args(["watch", "--json"])
        .arg(&dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(1));
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(said.contains("another emit-delta watch is already running"), "{said}");

    // A build error keeps the old process and value; fixing it applies.
    let text = std::fs::read_to_string(&source).unwrap();
    std::fs::write(&source, text.replace("return 20 * 21;", "return 20 * ;")).unwrap();
    let failed = w.event(&["build_failed", "applied", "rude"]);
    assert_eq!(failed["event"], "build_failed", "{failed}");
    let errors = failed["errors"].to_string();
    assert!(errors.contains("Program.cs") && errors.contains("error"), "{errors}");
    assert_eq!(w.value(), (420, pid));
    let text = std::fs::read_to_string(&source).unwrap();
    let (a, b) = (5, 5);
    std::fs::write(&source, text.replace("return 20 * ;", &format!("return {a} * {b};"))).unwrap();
    let expected = a * b;
    let applied = w.event(&["applied", "rude", "build_failed"]);
    assert_eq!(applied["event"], "applied", "{applied}");
    assert_eq!(w.value(), (expected, pid));
    assert_eq!(applied["build"], "fast", "{applied}");

    // Two saves 15 ms apart: the second usually comes in while the first compiles (a C#
    // compile takes 40 ms or more here), so that build is superseded and built again
    // instead of applied. When the second save's event is seen only after the first
    // build ended (a loaded machine), both are applied in turn; when the two are seen as
    // one save, one build applies. In every case the last build applied is the second
    // save, and nothing fails.
    set_product(&source, 2, 3);
    std::thread::sleep(Duration::from_millis(15));
    let expected = set_product(&source, 3, 3);
    let mut applied = 0;
    loop {
        let outcome = w.event(&["applied", "superseded", "rude", "build_failed", "no_change"]);
        match outcome["event"].as_str() {
            Some("superseded") => {
                eprintln!("a build of two saves 15 ms apart was superseded");
                assert_eq!(outcome["build"], "fast", "{outcome}");
            }
            Some("applied") => {
                applied += 1;
                if w.value() == (expected, pid) {
                    break;
                }
                assert!(applied < 2, "two builds applied, the app does not show the second save\n{}", w.log());
            }
            _ => panic!("{outcome}\n{}", w.log()),
        }
    }

    // An added source file: the fallback (`dotnet build` globs it in), and the app
    // keeps its value; the next body edit is fast again.
    std::fs::write(dir.join("Notes.cs"), "// notes, no code\n").unwrap();
    let full = w.event(&["applied", "no_change", "rude", "build_failed"]);
    assert_eq!(full["build"], "full", "{full}");
    assert!(full["reason"].as_str().unwrap_or_default().contains("new source file: Notes.cs"), "{full}");
    assert_ne!(full["event"], "build_failed", "{full}");
    assert_eq!(w.value().0, expected);
    let expected = set_product(&source, 4, 4);
    let applied = w.event(&["applied", "rude", "build_failed"]);
    assert_eq!((applied["event"].as_str(), applied["build"].as_str()), (Some("applied"), Some("fast")), "{applied}");
    assert_eq!(w.value(), (expected, pid));
    assert_fast_output_is_dotnet_builds(&dir.join("CsApp.csproj"), "CsApp.dll");

    // An added method is applied in place (AddMethodToExistingType): same process.
    let expected = add_method(&source, "Twice", 21);
    let added = w.event(&["applied", "rude", "build_failed"]);
    assert_eq!(added["event"], "applied", "{added}");
    assert_eq!(w.value(), (expected, pid));

    // A rude edit (a static field with an initializer, which a running program would
    // read as 0) restarts the app with the new build.
    assert_eq!(add_initialized_field(&source, "Extra", 33), 99);
    let rude = w.event(&["rude", "applied"]);
    assert_eq!(rude["event"], "rude", "{rude}");
    assert!(rude["member"].as_str().unwrap_or_default().contains("Calculator"), "{rude}");
    assert!(rude["change"].as_str().unwrap_or_default().contains("Extra"), "{rude}");
    let restarted = w.event(&["restarted"]);
    let new_pid = restarted["pid"].as_u64().unwrap() as u32;
    assert_ne!(new_pid, pid);
    assert!(!alive(pid), "the old app {pid} is still running");
    assert_eq!(w.value(), (99, new_pid));

    // SIGTERM to watch alone: the app is gone and the socket removed.
    let socket = PathBuf::from(restarted["socket"].as_str().unwrap());
    assert!(socket.exists());
    let status = w.terminate().expect("watch stops within 10 s of SIGTERM");
    assert_eq!(status.code(), Some(0), "{}", w.log());
    std::thread::sleep(Duration::from_millis(200));
    assert!(!alive(new_pid), "the app {new_pid} outlived watch");
    assert!(!socket.exists(), "{} was not removed", socket.display());
    assert!(!alive(compiler), "the warm compiler {compiler} outlived watch");
}

/// C#'s nullable flow analysis is left out of fast compiles only while it can do no more
/// than warn: a nullable warning raised to an error (here CS8602 by `WarningsAsErrors`
/// and CS8600 by an `.editorconfig`) fails the fast path as it fails `dotnet build`.
#[test]
fn watch_cs_nullable_warnings_raised_to_errors_fail_the_fast_path() {
    let Some(dotnet) = support::dotnet("watch_cs_nullable_warnings_raised_to_errors_fail_the_fast_path") else {
        return;
    };
    let (_tmp, dir) = sample("cs-app");
    let project = dir.join("CsApp.csproj");
    let text = std::fs::read_to_string(&project).unwrap();
    let raised = "<WarningsAsErrors>CS8602</WarningsAsErrors></PropertyGroup>";
    std::fs::write(&project, text.replacen("</PropertyGroup>", raised, 1)).unwrap();
    std::fs::write(dir.join(".editorconfig"), "root = true\n[*.cs]\ndotnet_diagnostic.CS8600.severity = error\n")
        .unwrap();
    let source = dir.join("Program.cs");
    let mut w = Watch::start(&project, &[]);
    let pid = edits_apply_in_place(&mut w, &source, "CsApp.dll", "incremental", false, 1);
    let value = w.value().0;

    let body = |code: &str| {
        let text = std::fs::read_to_string(&source).unwrap();
        let start = text.find("        return 6 * 8;").or_else(|| text.find("        // edited")).unwrap();
        let end = start + text[start..].find("\n    }").unwrap();
        std::fs::write(&source, format!("{}        // edited\n{code}{}", &text[..start], &text[end..])).unwrap();
    };
    for (code, id) in [
        // CS8600 alone: a null literal converted to a non-nullable type.
        ("        string s = null;\n        return 6 * 8;", "CS8600"),
        // CS8602 alone: a possibly null reference dereferenced.
        (
            "        string? s = Environment.GetEnvironmentVariable(\"EMIT_DELTA_NONE\");\n        return s.Length * 0 + 48;",
            "CS8602",
        ),
    ] {
        body(code);
        let failed = w.event(&["build_failed", "applied", "rude"]);
        assert_eq!(
            (failed["event"].as_str(), failed["build"].as_str()),
            (Some("build_failed"), Some("fast")),
            "{failed}"
        );
        let errors = failed["errors"].to_string();
        assert!(errors.contains(&format!("error {id}")), "{id} as an error: {errors}");
        assert_eq!(w.value(), (value, pid), "the app keeps the code applied last");
        // What a restart would have: `dotnet build` of the same sources (in a folder of its
        // own, not to disturb the watched one) fails the same way.
        let copy = tempfile::tempdir().unwrap();
        for name in ["CsApp.csproj", "Program.cs", ".editorconfig"] {
            std::fs::copy(dir.join(name), copy.path().join(name)).unwrap();
        }
        let build = Command::new(&dotnet)
            .args(["build", "-c", "Debug", "-nologo", "-v", "q", "-clp:ErrorsOnly"])
            .arg(copy.path().join("CsApp.csproj"))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&build.stdout);
        assert!(!build.status.success() && said.contains(&format!("error {id}")), "dotnet build: {said}");
    }
    body("        return 5 * 5;");
    let applied = w.event(&["applied", "build_failed", "rude"]);
    assert_eq!(applied["event"], "applied", "{applied}\n{}", w.log());
    assert_eq!(applied["build"], "fast", "{applied}");
    assert_eq!(w.value(), (25, pid));
    assert_fast_output_is_dotnet_builds(&project, "CsApp.dll");
}

#[test]
fn watch_fs_body_edits_apply_in_place_and_a_killed_watch_frees_the_lock() {
    let Some(_dotnet) = support::dotnet("watch_fs_body_edits_apply_in_place_and_a_killed_watch_frees_the_lock") else {
        return;
    };
    let (_tmp, dir) = sample("fs-app");
    let mut w = Watch::start(&dir, &[]);
    let source = dir.join("Program.fs");
    let pid = edits_apply_in_place(&mut w, &source, "FsApp.dll", "fsc", false, 4);
    let compiler = compiler_pid(&mut w);
    assert_fast_output_is_dotnet_builds(&dir.join("FsApp.fsproj"), "FsApp.dll");

    // A project-file edit takes the fallback; the app keeps running its code.
    let project = dir.join("FsApp.fsproj");
    let text = std::fs::read_to_string(&project).unwrap();
    std::fs::write(&project, text.replace("</Project>", "  <!-- edited -->\n</Project>")).unwrap();
    let full = w.event(&["applied", "no_change", "rude", "build_failed"]);
    assert_eq!(full["build"], "full", "{full}");
    assert!(full["reason"].as_str().unwrap_or_default().contains("project file changed: FsApp.fsproj"), "{full}");
    assert_ne!(full["event"], "build_failed", "{full}");
    assert_eq!(w.value(), (20 * 21, pid));
    // The capture after the full build keeps the warm compiler that runs.
    let ready = w.event(&["fast_path"]);
    assert_eq!(ready["compiler_pid"], compiler, "{ready}");

    // The warm compiler killed mid-compile: that save falls back to `dotnet build` (or
    // fails and the next one recovers); the next saves are fast again, with a new one.
    let expected = set_product(&source, 3, 14);
    std::thread::sleep(Duration::from_millis(400));
    // SAFETY: a plain signal to the compiler host watch started (its own process group).
    unsafe {
        libc::killpg(compiler as libc::pid_t, libc::SIGKILL);
    }
    let after_kill = w.event(&["applied", "build_failed", "rude"]);
    if after_kill["event"] == "applied" {
        if after_kill["build"] == "full" {
            let reason = after_kill["reason"].as_str().unwrap_or_default();
            assert!(reason.contains("the warm compiler was lost"), "{after_kill}");
        }
        eprintln!("the save during the kill: {after_kill}");
        assert_eq!(w.value(), (expected, pid), "{after_kill}");
    }
    let mut expected = set_product(&source, 5, 17);
    let mut recovered = w.event(&["applied", "build_failed", "rude"]);
    assert_eq!(recovered["event"], "applied", "{recovered}\n{}", w.log());
    if recovered["build"] != "fast" {
        // The kill hit between compiles: this save fell back; the next one is fast.
        assert_eq!(w.value(), (expected, pid), "{recovered}");
        expected = set_product(&source, 5, 19);
        recovered = w.event(&["applied", "build_failed", "rude"]);
    }
    assert_eq!(w.value(), (expected, pid), "{recovered}");
    assert_eq!(recovered["build"], "fast", "{recovered}\n{}", w.log());
    assert!(!alive(compiler), "the killed compiler {compiler} is still there");

    // A watch killed outright leaves no lock behind: the next one starts.
    w.child.kill().unwrap();
    w.child.wait().unwrap();
    // SAFETY: the orphaned app leads its own process group; kill it.
    unsafe {
        libc::killpg(pid as libc::pid_t, libc::SIGKILL);
    }
    let mut again = Watch::start(&dir, &[]);
    let started = again.event(&["started"]);
    assert_ne!(started["pid"], pid, "{started}");
    assert_eq!(again.value().0, expected);
}

#[test]
fn watch_vb_body_edits_then_app_exit_and_start_on_next_change() {
    let Some(_dotnet) = support::dotnet("watch_vb_body_edits_then_app_exit_and_start_on_next_change") else { return };
    let (_tmp, dir) = sample("vb-app");
    let mut w = Watch::start(&dir, &[]);
    let pid = edits_apply_in_place(&mut w, &dir.join("Program.vb"), "VbApp.dll", "incremental", false, 4);
    assert_fast_output_is_dotnet_builds(&dir.join("VbApp.vbproj"), "VbApp.dll");

    // The app exits by itself (its stdin ends): watch waits, and the next change starts it.
    w.stdin = None;
    let exited = w.event(&["exited"]);
    assert_eq!(exited["pid"], pid, "{exited}");
    assert_eq!(exited["code"], 0, "{exited}");
    set_product(&dir.join("Program.vb"), 3, 3);
    let started = w.event(&["started", "applied"]);
    assert_eq!(started["event"], "started", "{started}");
    assert_ne!(started["pid"], pid, "{started}");
}

#[test]
fn watch_applies_library_edits_to_its_assembly_and_on_rude_exit_stops() {
    let Some(_dotnet) = support::dotnet("watch_applies_library_edits_to_its_assembly_and_on_rude_exit_stops") else {
        return;
    };
    let (_tmp, dir) = sample("cs-lib");
    // Without the incremental compile, C# goes through a compiler server watch owns. A
    // memory bound of 1 MiB: the warm compiler is let go after every compile, and each
    // next compile starts a fresh one: the edits still take the fast path.
    let env = [("EMIT_DELTA_INCREMENTAL", "0"), ("EMIT_DELTA_COMPILER_MAX_MB", "1")];
    let mut w = Watch::start_with(&dir.join("App"), &["--on-rude", "exit"], &env);
    let source = dir.join("Lib/Calculator.cs");
    let pid = edits_apply_in_place(&mut w, &source, "Lib.dll", "entry-point", false, 2);
    let server = w.server_pid.expect("with EMIT_DELTA_INCREMENTAL=0, C# compiles through a compiler server");
    assert!(alive(server));
    let recycled = w.log().lines().filter(|l| l.contains("\"compiler_recycled_mb\"")).count();
    assert!(recycled >= 2, "the warm compiler was recycled {recycled} times in 2 edits\n{}", w.log());

    // A file that failed to build is built again with the next save, though that save
    // is in another project: App broken, then a body edit of Lib alone still fails (Lib's
    // reference assembly did not change, so only the carried App file brings App in),
    // and fixing App applies Lib's edit.
    let program = dir.join("App/Program.cs");
    let good = std::fs::read_to_string(&program).unwrap();
    std::fs::write(&program, format!("{good}\nthis is not C#\n")).unwrap();
    let failed = w.event(&["build_failed", "applied", "rude"]);
    assert_eq!(failed["event"], "build_failed", "{failed}");
    let expected = set_product(&source, 5, 9);
    let failed = w.event(&["build_failed", "applied", "rude"]);
    assert_eq!(failed["event"], "build_failed", "App's error is still there: {failed}\n{}", w.log());
    std::fs::write(&program, &good).unwrap();
    let applied = w.event(&["applied", "build_failed", "rude"]);
    assert_eq!((applied["event"].as_str(), applied["build"].as_str()), (Some("applied"), Some("fast")), "{applied}");
    assert_eq!(w.value(), (expected, pid));

    // --on-rude exit: a static field with an initializer stops the app and watch.
    let text = std::fs::read_to_string(&source).unwrap();
    std::fs::write(
        &source,
        text.replace(
            "public static int Compute()",
            "private static readonly int Extra = 1;\n\n    public static int Compute()",
        ),
    )
    .unwrap();
    let rude = w.event(&["rude", "applied"]);
    assert_eq!(rude["event"], "rude", "{rude}");
    assert_eq!(rude["assembly"], "Lib.dll", "{rude}");
    // Located where the user wrote the initializer (1-based line of the edited file).
    let edited = std::fs::read_to_string(&source).unwrap();
    let line = edited.lines().position(|l| l.contains("static readonly int Extra")).unwrap() + 1;
    assert_eq!(rude["file"], "Calculator.cs", "{rude}");
    assert_eq!(rude["line"], line, "{rude}");
    w.event(&["stopped"]);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = w.child.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "watch did not exit after the rude edit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    assert!(!alive(pid), "the app {pid} outlived watch");
    std::thread::sleep(Duration::from_millis(200));
    assert!(!alive(server), "the compiler server {server} outlived watch");
}

/// Adds `static int {name}() => {value};` to the Calculator of cs-app and makes Compute
/// return `{name}() * 3`: a rude edit (a new method); returns what Compute then gives.
/// Adds `static int NAME() => VALUE` to Compute's class and returns `NAME() * 3` from
/// Compute; the value Compute gives then.
fn add_method(source: &Path, name: &str, value: i64) -> i64 {
    let text = std::fs::read_to_string(source).unwrap();
    let start = text.find("        return ").expect("Compute's return") + "        return ".len();
    let end = start + text[start..].find(';').unwrap();
    let text = format!("{}{name}() * 3{}", &text[..start], &text[end..]);
    let text = text.replace(
        "public static int Compute()",
        &format!("public static int {name}() => {value};\n\n    public static int Compute()"),
    );
    std::fs::write(source, text).unwrap();
    value * 3
}

/// Adds `static readonly int NAME = VALUE` (a static initializer) to Compute's class and
/// returns `NAME * 3` from Compute; the value Compute gives after a restart.
fn add_initialized_field(source: &Path, name: &str, value: i64) -> i64 {
    let text = std::fs::read_to_string(source).unwrap();
    let start = text.find("        return ").expect("Compute's return") + "        return ".len();
    let end = start + text[start..].find(';').unwrap();
    let text = format!("{}{name} * 3{}", &text[..start], &text[end..]);
    let text = text.replace(
        "public static int Compute()",
        &format!("private static readonly int {name} = {value};\n\n    public static int Compute()"),
    );
    std::fs::write(source, text).unwrap();
    value * 3
}

/// Waits up to 10 s for watch to exit; its status.
fn wait_exit(w: &mut Watch) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = w.child.try_wait().unwrap() {
            return status;
        }
        assert!(std::time::Instant::now() < deadline, "watch did not exit; it said:\n{}", w.log());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `--on-rude ask`: the question comes as an `ask` event and the answer is the next line
/// of watch's stdin (the terminal, by hand), which the app does not see. `y` restarts the
/// app on the new build; `n` stops the app and watch (README, emit-delta watch).
#[test]
fn watch_on_rude_ask_restarts_on_yes_and_stops_on_no() {
    let Some(_dotnet) = support::dotnet("watch_on_rude_ask_restarts_on_yes_and_stops_on_no") else { return };
    let (_tmp, dir) = sample("cs-app");
    let source = dir.join("Program.cs");
    let mut w = Watch::start(&dir.join("CsApp.csproj"), &["--on-rude", "ask"]);
    let pid = w.event(&["started"])["pid"].as_u64().unwrap() as u32;
    assert_eq!(w.value(), (42, pid));

    // Yes: the app restarts on the build with the new field.
    let expected = add_initialized_field(&source, "Extra", 33);
    let rude = w.event(&["rude", "applied"]);
    assert_eq!(rude["event"], "rude", "{rude}");
    let ask = w.event(&["ask", "restarted", "stopped"]);
    assert_eq!(ask["event"], "ask", "{ask}");
    assert!(ask["question"].as_str().unwrap_or_default().contains("restart"), "{ask}");
    assert!(alive(pid), "the app was stopped before the answer");
    let stdin = w.stdin.as_mut().unwrap();
    stdin.write_all(b"y\n").unwrap();
    stdin.flush().unwrap();
    let restarted = w.event(&["restarted", "stopped"]);
    assert_eq!(restarted["event"], "restarted", "{restarted}");
    let new_pid = restarted["pid"].as_u64().unwrap() as u32;
    assert_ne!(new_pid, pid);
    assert!(!alive(pid), "the old app {pid} is still running");
    // The answer was not passed to either app (it would have printed a value line).
    std::thread::sleep(Duration::from_millis(300));
    assert!(w.stdout.try_recv().is_err(), "the answer reached the app");
    assert_eq!(w.value(), (expected, new_pid));

    // No: the app and watch stop.
    add_initialized_field(&source, "More", 5);
    let rude = w.event(&["rude", "applied"]);
    assert_eq!(rude["event"], "rude", "{rude}");
    assert_eq!(w.event(&["ask", "restarted", "stopped"])["event"], "ask");
    let stdin = w.stdin.as_mut().unwrap();
    stdin.write_all(b"n\n").unwrap();
    stdin.flush().unwrap();
    let stopped = w.event(&["stopped", "restarted"]);
    assert_eq!(stopped["event"], "stopped", "{stopped}");
    assert_eq!(wait_exit(&mut w).code(), Some(0), "{}", w.log());
    assert!(!alive(new_pid), "the app {new_pid} outlived watch");
}

/// `value: V pid: P` from GET http://127.0.0.1:port/ (retried while the app starts).
fn http_value(port: u16) -> (i64, u32) {
    use std::io::Read;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let attempt = (|| -> std::io::Result<String> {
            let mut s = std::net::TcpStream::connect(("127.0.0.1", port))?;
            s.set_read_timeout(Some(Duration::from_secs(10)))?;
            s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
            let mut text = String::new();
            s.read_to_string(&mut text)?;
            Ok(text)
        })();
        if let Ok(text) = attempt
            && let Some(at) = text.find("value: ")
        {
            let rest = &text[at + 7..];
            let (v, p) = rest.split_once(" pid: ").expect("a pid");
            let p: String = p.chars().take_while(char::is_ascii_digit).collect();
            return (v.trim().parse().expect("a value"), p.parse().expect("a pid"));
        }
        assert!(std::time::Instant::now() < deadline, "no answer on port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn watch_fs_web_edit_visible_on_next_request() {
    let Some(_dotnet) = support::dotnet("watch_fs_web_edit_visible_on_next_request") else { return };
    let (_tmp, dir) = sample("fs-web");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let mut w = Watch::start(&dir, &["--", "--urls", &url]);
    let pid = w.event(&["started"])["pid"].as_u64().unwrap() as u32;
    assert_eq!(http_value(port), (42, pid));
    for (i, (a, b)) in [(9, 9), (12, 12)].into_iter().enumerate() {
        let expected = set_product(&dir.join("Program.fs"), a, b);
        let applied = w.event(&["applied", "rude", "build_failed", "restarted"]);
        assert_eq!(applied["event"], "applied", "edit {i}: {applied}\n{}", w.log());
        assert_eq!(http_value(port), (expected, pid), "edit {i}");
    }
}

fn dotnet_build(dotnet: &Path, project: &Path, out: &Path) {
    let status = Command::new(dotnet)
        .args(["build", "-nologo", "-v", "q", "-clp:ErrorsOnly", "-o"])
        .arg(out)
        .arg(project)
        .stdin(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "dotnet build {}", project.display());
}

fn frame(kind: u8, header: &[u8], sections: &[u8]) -> Vec<u8> {
    let mut f = ((1 + 4 + header.len() + sections.len()) as u32).to_le_bytes().to_vec();
    f.push(kind);
    f.extend_from_slice(&(header.len() as u32).to_le_bytes());
    f.extend_from_slice(header);
    f.extend_from_slice(sections);
    f
}

fn read_reply(conn: &mut std::os::unix::net::UnixStream) -> Value {
    use std::io::Read;
    let mut len = [0u8; 4];
    conn.read_exact(&mut len).unwrap();
    let mut body = vec![0u8; u32::from_le_bytes(len) as usize];
    conn.read_exact(&mut body).unwrap();
    assert_eq!(body[0], 3, "a result message");
    let h = u32::from_le_bytes([body[1], body[2], body[3], body[4]]) as usize;
    serde_json::from_slice(&body[5..5 + h]).unwrap()
}

/// The agent without its variable changes nothing; with a watcher that sends garbage it
/// answers with errors naming the problem (or hangs up), and the app keeps running.
#[test]
fn agent_survives_malformed_messages_and_is_inert_without_its_variable() {
    let Some(dotnet) = support::dotnet("agent_survives_malformed_messages_and_is_inert_without_its_variable") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let agent_src = tmp.path().join("agent");
    copy_dir(&support::repo().join("agent"), &agent_src);
    dotnet_build(&dotnet, &agent_src.join("EmitDeltaAgent.csproj"), &tmp.path().join("agent-bin"));
    let agent = tmp.path().join("agent-bin/EmitDeltaAgent.dll");
    let (_app_tmp, app_dir) = sample("cs-app");
    dotnet_build(&dotnet, &app_dir.join("CsApp.csproj"), &tmp.path().join("app-bin"));
    let app = tmp.path().join("app-bin/CsApp.dll");

    // No EMIT_DELTA_AGENT_SOCKET: the hook returns, the app's output is its own.
    let out = Command::new(&dotnet)
        .arg(&app)
        .env("DOTNET_STARTUP_HOOKS", &agent)
        .env_remove("EMIT_DELTA_AGENT_SOCKET")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().unwrap().write_all(b"\n")?;
            c.wait_with_output()
        })
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("value: 42 pid: "), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));

    // A fake watcher that sends malformed updates.
    let socket = tmp.path().join("agent.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let mut child = Command::new(&dotnet)
        .arg(&app)
        .env("DOTNET_STARTUP_HOOKS", &agent)
        .env("DOTNET_MODIFIABLE_ASSEMBLIES", "debug")
        .env("EMIT_DELTA_AGENT_SOCKET", &socket)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    struct Kill(u32);
    impl Drop for Kill {
        fn drop(&mut self) {
            // SAFETY: killing the app's own process group.
            unsafe {
                libc::killpg(self.0 as libc::pid_t, libc::SIGKILL);
            }
        }
    }
    let _kill = Kill(child.id());
    let (mut conn, _) = listener.accept().unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    {
        use std::io::Read;
        let mut len = [0u8; 4];
        conn.read_exact(&mut len).unwrap();
        let mut body = vec![0u8; u32::from_le_bytes(len) as usize];
        conn.read_exact(&mut body).unwrap();
        assert_eq!(body[0], 1, "hello first");
        let h = u32::from_le_bytes([body[1], body[2], body[3], body[4]]) as usize;
        let hello: Value = serde_json::from_slice(&body[5..5 + h]).unwrap();
        assert_eq!(hello["version"], 1);
        assert_eq!(hello["pid"], child.id());
        assert!(hello["capabilities"].as_str().unwrap().contains("Baseline"), "{hello}");
    }
    let cases: [(Vec<u8>, &str); 4] = [
        (frame(2, b"{not json", b""), "malformed update"),
        (frame(2, br#"{"version":9,"mvid":"x","generation":1,"updated_types":[],"sections":[0,0,0]}"#, b""), "version 9"),
        (
            frame(2, br#"{"version":1,"mvid":"00000000-0000-0000-0000-000000000000","generation":1,"updated_types":[],"sections":[5,0,0]}"#, b"ab"),
            "exceeds",
        ),
        (frame(1, b"{}", b""), "not an update"),
    ];
    for (bytes, expected) in cases {
        conn.write_all(&bytes).unwrap();
        let reply = read_reply(&mut conn);
        assert_eq!(reply["ok"], false, "{reply}");
        let error = reply["error"].as_str().unwrap_or_default();
        assert!(error.contains(expected), "`{error}` should name `{expected}`");
    }
    // An oversized length: the agent hangs up, the app runs on.
    conn.write_all(&(u32::MAX).to_le_bytes()).unwrap();
    let mut rest = Vec::new();
    std::io::Read::read_to_end(&mut conn, &mut rest).expect("the agent closes the connection");
    assert!(rest.is_empty(), "no reply to an oversized message");
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("value: 42 pid: "), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("emit-delta-agent: "), "{stderr}");
    assert!(out.status.success());
}
