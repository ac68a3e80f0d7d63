//! Crash safety of a session (issue 14): one writer per session folder (an OS lock held
//! from reading `state.json` to the commit), every write and rename of a run survives an
//! abort at that point (`EMIT_DELTA_FAULT`, see src/baseline/fault.rs), output files
//! follow the umask, and a hostile `state.json` is refused naming the field.
//!
//! Every chain these tests end with passes `emit-delta check`, and, when `dotnet` is
//! there, applies in CoreCLR through tools/hotreload-host.

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const EMIT_DELTA: &str = env!("CARGO_BIN_EXE_emit-delta");
const SCENARIO: &str = "cs-literal-arith";

fn build(version: &str) -> PathBuf {
    support::repo().join("testdata/scenarios").join(SCENARIO).join("bin").join(version).join("App.dll")
}

/// What a fresh start of each version's build (v1..v4) returns: the expected result of
/// the generation that applies that version. Computed once, by the host without deltas.
fn expected(host: &Option<(PathBuf, PathBuf)>) -> Vec<String> {
    static FRESH: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let Some((dotnet, host)) = host else { return Vec::new() };
    FRESH
        .get_or_init(|| {
            ["v1", "v2", "v3", "v4"]
                .iter()
                .map(|v| {
                    let run = Command::new(dotnet)
                        .arg(host)
                        .arg(build(v))
                        .arg("App.Program::Run")
                        .arg("--probe")
                        .arg(support::repo().join("testdata/scenarios/_shared"))
                        .env("DOTNET_MODIFIABLE_ASSEMBLIES", "debug")
                        .output()
                        .unwrap();
                    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
                    let line =
                        stdout.lines().find(|l| l.starts_with("gen 0: ")).unwrap_or_else(|| panic!("{v}: {stdout}"));
                    line["gen 0: ".len()..].to_string()
                })
                .collect()
        })
        .clone()
}

/// `emit-delta v1 VERSION --out OUT` with extra environment.
fn command(out: &Path, version: &str, env: &[(&str, &str)]) -> Command {
    let mut c = Command::new(EMIT_DELTA);
    c.arg(build("v1")).arg(build(version)).arg("--out").arg(out);
    c.env_remove("EMIT_DELTA_FAULT").env_remove("EMIT_DELTA_LOCK_WAIT");
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

fn emit(out: &Path, version: &str, env: &[(&str, &str)]) -> Output {
    command(out, version, env).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Children that are killed and reaped however the test ends.
#[derive(Default)]
struct Children(Vec<Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn state(out: &Path) -> serde_json::Value {
    let path = out.join(".emit-delta/state.json");
    serde_json::from_slice(&std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn generation(out: &Path) -> u64 {
    state(out)["generation"].as_u64().unwrap()
}

/// `emit-delta check` over generations 1..=n of `out`.
fn assert_chain_checks(out: &Path, n: u64, context: &str) {
    let deltas: Vec<PathBuf> = (1..=n).map(|g| out.join(format!("App.dll.{g}.dmeta"))).collect();
    for d in &deltas {
        for ext in ["dmeta", "dil", "dpdb"] {
            let f = d.with_extension(ext);
            assert!(f.is_file(), "{context}: {} missing", f.display());
        }
    }
    let check = Command::new(EMIT_DELTA).arg("check").arg(build("v1")).args(&deltas).output().unwrap();
    assert!(
        check.status.success(),
        "{context}: emit-delta check:\n{}{}",
        String::from_utf8_lossy(&check.stdout),
        stderr(&check)
    );
}

/// Applies generations 1..=n of `out` in CoreCLR; `results[g]` is what generation g prints.
fn assert_applies(host: &Option<(PathBuf, PathBuf)>, out: &Path, results: &[String], context: &str) {
    let Some((dotnet, host)) = host else { return };
    let prefixes: Vec<PathBuf> = (1..results.len()).map(|g| out.join(format!("App.dll.{g}"))).collect();
    let run = Command::new(dotnet)
        .arg(host)
        .arg(build("v1"))
        .arg("App.Program::Run")
        .arg("--probe")
        .arg(support::repo().join("testdata/scenarios/_shared"))
        .args(&prefixes)
        .env("DOTNET_MODIFIABLE_ASSEMBLIES", "debug")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let got: Vec<&str> = stdout.lines().filter(|l| l.starts_with("gen ")).collect();
    let want: Vec<String> = results.iter().enumerate().map(|(i, e)| format!("gen {i}: {e}")).collect();
    assert_eq!(got, want, "{context}: runtime output (stderr: {})", stderr(&run));
    assert!(run.status.success(), "{context}: host exit {:?}", run.status);
}

fn host(test: &str) -> Option<(PathBuf, PathBuf)> {
    let dotnet = support::dotnet(test)?;
    let host = support::build_tool(&dotnet, "hotreload-host", "HotReloadHost");
    Some((dotnet, host))
}

#[test]
fn twelve_concurrent_runs_on_one_session_write_one_consistent_chain() {
    let host = host("twelve_concurrent_runs_on_one_session_write_one_consistent_chain");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let versions: Vec<&str> = (0..12).map(|i| if i % 2 == 0 { "v2" } else { "v3" }).collect();
    let mut children = Children::default();
    for v in &versions {
        let child = command(out, v, &[]).arg("--json").stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        children.0.push(child);
    }
    // generation number -> the version it applied.
    let mut applied: Vec<(u64, &str)> = Vec::new();
    let mut no_change = 0;
    for (child, v) in std::mem::take(&mut children.0).into_iter().zip(&versions) {
        let o = child.wait_with_output().unwrap();
        match o.status.code() {
            Some(0) => {
                let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
                let gens = json["generations"].as_array().unwrap();
                assert_eq!(gens.len(), 1, "{v}: one generation per run");
                applied.push((gens[0]["generation"].as_u64().unwrap(), v));
            }
            Some(5) => no_change += 1,
            other => panic!("{v}: exit {other:?}: {}", stderr(&o)),
        }
    }
    let last = emit(out, "v4", &[]);
    assert!(last.status.success(), "v4 after the concurrent runs: {}", stderr(&last));
    let n = generation(out);
    applied.push((n, "v4"));
    applied.sort();
    // Every successful run wrote its own generation: 1, 2, ..., n, none twice.
    let numbers: Vec<u64> = applied.iter().map(|(g, _)| *g).collect();
    assert_eq!(numbers, (1..=n).collect::<Vec<_>>(), "generations written ({no_change} runs saw no change)");
    assert_eq!(applied.len() - 1 + no_change, 12);
    // Consecutive generations never apply the same build (each run diffed against the
    // build applied last, read under the lock).
    assert!(applied.windows(2).all(|w| w[0].1 != w[1].1), "{applied:?}");
    assert_chain_checks(out, n, "concurrent chain");
    let exp = expected(&host);
    let index = |v: &str| ["v1", "v2", "v3", "v4"].iter().position(|x| *x == v).unwrap();
    if !exp.is_empty() {
        let mut results = vec![exp[0].clone()];
        results.extend(applied.iter().map(|(_, v)| exp[index(v)].clone()));
        assert_applies(&host, out, &results, "concurrent chain");
    }
    println!("12 concurrent runs: {} generations, {no_change} no-change runs", n - 1);
}

/// Reads `child`'s stderr until a line containing `needle`; a thread keeps draining the
/// rest so the child never writes into a closed or full pipe.
fn wait_for_line(child: &mut Child, needle: &str) {
    let reader = BufReader::new(child.stderr.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in reader.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = Vec::new();
    for line in rx {
        if line.contains(needle) {
            return;
        }
        seen.push(line);
    }
    panic!("stderr ended without `{needle}`: {seen:?}");
}

#[test]
fn a_second_run_waits_for_the_lock_and_a_killed_holder_releases_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let first = emit(out, "v2", &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = std::fs::read(out.join(".emit-delta/state.json")).unwrap();

    let mut children = Children::default();
    // A run that stops at its first write while it holds the session lock.
    children.0.push(command(out, "v3", &[("EMIT_DELTA_FAULT", "hang:1")]).stderr(Stdio::piped()).spawn().unwrap());
    wait_for_line(&mut children.0[0], "fault point 1: hanging");

    // Refusing at once names the folder and the reason.
    let refused = emit(out, "v3", &[("EMIT_DELTA_LOCK_WAIT", "0")]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    let text = stderr(&refused);
    assert!(text.contains(".emit-delta") && text.contains("locked by another emit-delta"), "{text}");

    // A waiting run says so, then proceeds once the holder is killed (SIGKILL).
    children.0.push(command(out, "v3", &[]).stderr(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap());
    wait_for_line(&mut children.0[1], "waiting for session lock held by another emit-delta");
    assert_eq!(std::fs::read(out.join(".emit-delta/state.json")).unwrap(), before, "the hung run committed");
    children.0[0].kill().unwrap();
    let status = children.0[0].wait().unwrap();
    assert!(!status.success());
    let waited = children.0[1].wait().unwrap();
    assert!(waited.success(), "the waiting run failed after the holder was killed: {waited:?}");
    assert_eq!(generation(out), 2);
    assert_chain_checks(out, 2, "after a killed lock holder");
    // No temporary file of the killed run stays in the session folder.
    let leftovers: Vec<String> = std::fs::read_dir(out.join(".emit-delta"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".emit-delta-tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// What a run from generation `before` with build `version` left: the state is at
/// generation `before` (no state.json for 0) or `before + 1`, whole; its applied build
/// exists; the new generation's files are complete when the state records it.
/// Rerunning the command ends at `before + 1` with a chain that checks (and applies)
/// and leaves one applied build and no temporary file in the session folder.
fn assert_recovers(out: &Path, host: &Option<(PathBuf, PathBuf)>, before: u64, version: &str, context: &str) -> u64 {
    let next = before + 1;
    let g = if out.join(".emit-delta/state.json").exists() {
        let s = state(out);
        let applied = s["applied_build"].as_str().unwrap();
        assert!(out.join(".emit-delta").join(applied).is_file(), "{context}: {applied} missing");
        s["generation"].as_u64().unwrap()
    } else {
        0
    };
    assert!(g == before || g == next, "{context}: state at generation {g}");
    if g == next {
        assert_chain_checks(out, next, context);
    }
    let rerun = emit(out, version, &[]);
    let want = if g == next { 5 } else { 0 };
    assert_eq!(rerun.status.code(), Some(want), "{context}: rerun: {}", stderr(&rerun));
    assert_eq!(generation(out), next, "{context}: after the rerun");
    assert_chain_checks(out, next, &format!("{context}, rerun"));
    let builds: Vec<String> = std::fs::read_dir(out.join(".emit-delta"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("applied.") || n.starts_with(".emit-delta-tmp-"))
        .collect();
    assert_eq!(builds, vec![format!("applied.{next}.dll")], "{context}: session folder after the rerun");
    let exp = expected(host);
    if !exp.is_empty() {
        assert_applies(host, out, &exp[..next as usize + 1], context);
    }
    g
}

/// Counts the fault points of `version` run on a copy of `template`, then for each point
/// k aborts (and, separately, fails) a run there and checks that the session recovers.
/// Returns the points.
fn crash_at_every_point(
    dir: &Path,
    template: &Path,
    before: u64,
    version: &str,
    host: &Option<(PathBuf, PathBuf)>,
) -> Vec<String> {
    let counted = dir.join("count");
    copy_dir(template, &counted);
    let o = emit(&counted, version, &[("EMIT_DELTA_FAULT", "count")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let points: Vec<String> = stderr(&o).lines().filter(|l| l.contains("fault point ")).map(String::from).collect();
    let mut at_next = 0;
    for k in 1..=points.len() {
        let out = dir.join(format!("abort-{k}"));
        copy_dir(template, &out);
        let o = emit(&out, version, &[("EMIT_DELTA_FAULT", &format!("abort:{k}"))]);
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(o.status.signal(), Some(6), "abort at point {k}: {:?}: {}", o.status, stderr(&o));
        }
        assert!(!o.status.success());
        let context = format!("abort at point {k} ({})", points[k - 1]);
        if assert_recovers(&out, host, before, version, &context) == before + 1 {
            at_next += 1;
        }

        let out = dir.join(format!("fail-{k}"));
        copy_dir(template, &out);
        let o = emit(&out, version, &[("EMIT_DELTA_FAULT", &format!("fail:{k}"))]);
        let text = stderr(&o);
        // A failed removal after the commit is not an error: the run succeeds.
        if points[k - 1].contains(": remove ") {
            assert!(o.status.success(), "fail at point {k}: {text}");
        } else {
            assert_eq!(o.status.code(), Some(1), "fail at point {k}: {text}");
            assert!(text.contains("injected fault"), "{text}");
        }
        assert_recovers(&out, host, before, version, &format!("failure at point {k} ({})", points[k - 1]));
    }
    // Only an abort at a removal (after the commit) leaves the next generation.
    let removals = points.iter().filter(|p| p.contains(": remove ")).count();
    assert_eq!(at_next, removals, "{points:#?}");
    points
}

#[test]
fn an_abort_or_failure_at_every_fault_point_leaves_a_whole_generation() {
    let host = host("an_abort_or_failure_at_every_fault_point_leaves_a_whole_generation");
    let dir = tempfile::tempdir().unwrap();

    // Generation 1 on a new session.
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let first = crash_at_every_point(&dir.path().join("gen1"), &empty, 0, "v2", &host);
    // 3 delta files, the applied build and state.json: a write and a rename each.
    assert_eq!(first.len(), 10, "{first:#?}");

    // Generation 2 on a session at generation 1.
    let template = dir.path().join("template");
    let one = emit(&template, "v2", &[]);
    assert!(one.status.success(), "{}", stderr(&one));
    let points = crash_at_every_point(&dir.path().join("gen2"), &template, 1, "v3", &host);
    // The same, and the removal of the previous applied build.
    assert_eq!(points.len(), 11, "{points:#?}");
    for what in ["write", "rename"] {
        for file in ["App.dll.2.dmeta", "App.dll.2.dil", "App.dll.2.dpdb", "applied.2.dll", "state.json"] {
            assert!(points.iter().any(|p| p.contains(&format!(": {what} ")) && p.ends_with(file)), "{what} {file}");
        }
    }
    assert!(points.iter().any(|p| p.contains(": remove ") && p.ends_with("applied.1.dll")));
    println!("{} fault points exercised (abort and fail each)", first.len() + points.len());
}

#[test]
fn a_bad_fault_setting_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = emit(dir.path(), "v2", &[("EMIT_DELTA_FAULT", "explode")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("EMIT_DELTA_FAULT=`explode`"), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn delta_and_session_files_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    for (umask, mode) in [("022", 0o644), ("077", 0o600), ("002", 0o664)] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let o = Command::new("sh")
            .arg("-c")
            .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
            .arg(EMIT_DELTA)
            .arg(build("v1"))
            .arg(build("v2"))
            .arg("--out")
            .arg(out)
            .env_remove("EMIT_DELTA_FAULT")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        for file in [
            out.join("App.dll.1.dmeta"),
            out.join("App.dll.1.dil"),
            out.join("App.dll.1.dpdb"),
            out.join(".emit-delta/state.json"),
            out.join(".emit-delta/applied.1.dll"),
        ] {
            let got = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(got, mode, "umask {umask}: {} is {got:o}", file.display());
        }
    }
}

#[test]
fn a_state_json_claiming_impossible_counts_is_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let o = emit(out, "v2", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let path = out.join(".emit-delta/state.json");
    let good: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    type Edit = fn(&mut serde_json::Value);
    let cases: [(&str, Edit, &str); 9] = [
        ("2^32 - 1 MethodDef rows", |s| s["rows"][6] = 4294967295u64.into(), "rows[6] (MethodDef)"),
        ("2^24 TypeRef rows", |s| s["rows"][1] = (1u64 << 24).into(), "rows[1] (TypeRef)"),
        ("2^32 rows (not a u32)", |s| s["rows"][6] = (1u64 << 32).into(), "not a valid session state"),
        ("a short row list", |s| s["rows"] = serde_json::json!([1, 2, 3]), "field `rows`"),
        ("2^32 - 1 GUIDs", |s| s["heaps"]["guids"] = 4294967295u64.into(), "heaps.guids"),
        ("GUIDs past 3 per generation", |s| s["heaps"]["guids"] = 1000.into(), "heaps.guids"),
        ("a #US past 2^24", |s| s["heaps"]["user_strings"] = (1u64 << 24).into(), "heaps.user_strings"),
        ("an applied build outside the folder", |s| s["applied_build"] = "../../etc/passwd".into(), "applied_build"),
        (
            "a definition past the rows",
            |s| s["definitions"]["method_def"] = serde_json::json!([0, 99999]),
            "definitions.method_def[1]",
        ),
    ];
    for (what, edit, field) in cases {
        let mut bad = good.clone();
        edit(&mut bad);
        let text = serde_json::to_vec_pretty(&bad).unwrap();
        std::fs::write(&path, &text).unwrap();
        let o = emit(out, "v3", &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{what}: {err}");
        assert!(err.contains("state.json") && err.contains(field), "{what}: stderr does not name {field}:\n{err}");
        assert_eq!(std::fs::read(&path).unwrap(), text, "{what}: the refused run changed state.json");
        assert!(!out.join("App.dll.2.dmeta").exists(), "{what}: a refused run wrote a delta");
    }
}

#[test]
fn a_generation_that_would_need_ids_past_24_bits_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let o = emit(out, "v2", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let path = out.join(".emit-delta/state.json");
    let good: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    type Edit = fn(&mut serde_json::Value);
    let cases: [(&str, Edit, &str); 2] = [
        (
            "every appendable table full",
            |s| {
                // TypeRef, MemberRef, StandAloneSig, TypeSpec, AssemblyRef, MethodSpec.
                for slot in [0x01, 0x0A, 0x11, 0x1B, 0x23, 0x2B] {
                    s["rows"][slot] = 0x00FF_FFFFu32.into();
                }
            },
            "does not fit in a metadata token",
        ),
        (
            "a #US at its 24-bit end",
            |s| s["heaps"]["user_strings"] = 0x00FF_FFF0u32.into(),
            "past the 24 bits a user-string token holds",
        ),
    ];
    for (what, edit, message) in cases {
        let mut bad = good.clone();
        edit(&mut bad);
        std::fs::write(&path, serde_json::to_vec_pretty(&bad).unwrap()).unwrap();
        let o = emit(out, "v3", &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{what}: {err}");
        assert!(err.contains(message), "{what}: {err}");
        assert!(!out.join("App.dll.2.dmeta").exists(), "{what}: a refused generation wrote a delta");
    }
}
