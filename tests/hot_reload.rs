//! End to end against the real runtime: for every scenario under testdata/scenarios,
//! `emit-delta` writes generations 1..3 (v1 → v2 → v3 → v4 through one session), a
//! child process started with DOTNET_MODIFIABLE_ASSEMBLIES=debug applies them with
//! MetadataUpdater.ApplyUpdate and prints each generation's result, and
//! System.Reflection.Metadata (MetadataReader and MetadataAggregator, in
//! tools/delta-verify) checks the chain. Rude edits and unchanged builds write nothing.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EMIT_DELTA: &str = env!("CARGO_BIN_EXE_emit-delta");

struct Scenario {
    dir: PathBuf,
    name: String,
    /// `Namespace.Type::Method`: static, no parameters, returns string.
    entry: String,
    versions: Vec<String>,
    rude: Vec<RudeExpectation>,
}

/// A version that must be refused against v1: the member and what changed, as the
/// user must read them; `code` is the stable `--json` code when the scenario pins it;
/// `observable`: a fresh run of the version differs from v1 (so applying the edit
/// silently would leave the running program wrong).
struct RudeExpectation {
    version: String,
    member: String,
    change: String,
    code: Option<String>,
    observable: bool,
}

fn scenarios() -> Vec<Scenario> {
    let root = support::repo().join("testdata/scenarios");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(dir.join("scenario.json")) else { continue };
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let strings = |v: &serde_json::Value| -> Vec<String> {
            v.as_array().into_iter().flatten().map(|x| x.as_str().unwrap().to_string()).collect()
        };
        let rude = json["rude"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| RudeExpectation {
                version: r["version"].as_str().unwrap().to_string(),
                member: r["member"].as_str().unwrap().to_string(),
                change: r["change"].as_str().unwrap().to_string(),
                code: r["code"].as_str().map(str::to_string),
                observable: r["observable"].as_bool().unwrap_or(false),
            })
            .collect();
        out.push(Scenario {
            name: dir.file_name().unwrap().to_string_lossy().into_owned(),
            entry: json["entry"].as_str().unwrap().to_string(),
            versions: strings(&json["versions"]),
            rude,
            dir,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Runs the hot-reload host on `dll` with the given generations applied in order and
/// returns its `gen N: ...` lines. With no generations it is a fresh run of the build.
fn host_run(dotnet: &Path, host: &Path, s: &Scenario, dll: &Path, prefixes: &[PathBuf]) -> (Vec<String>, Output) {
    let run = Command::new(dotnet)
        .arg(host)
        .arg(dll)
        .arg(&s.entry)
        .arg("--probe")
        .arg(support::repo().join("testdata/scenarios/_shared"))
        .args(prefixes)
        .env("DOTNET_MODIFIABLE_ASSEMBLIES", "debug")
        .output()
        .unwrap();
    let lines =
        String::from_utf8_lossy(&run.stdout).lines().filter(|l| l.starts_with("gen ")).map(str::to_string).collect();
    (lines, run)
}

/// What a fresh start of `version`'s build returns from the entry method.
fn fresh_result(dotnet: &Path, host: &Path, s: &Scenario, version: &str) -> String {
    let (lines, run) = host_run(dotnet, host, s, &build(s, version), &[]);
    assert!(run.status.success(), "{} {version}: fresh run failed: {}", s.name, String::from_utf8_lossy(&run.stderr));
    let line = lines.first().unwrap_or_else(|| panic!("{} {version}: fresh run printed no result", s.name));
    line.strip_prefix("gen 0: ").unwrap().to_string()
}

fn emit(args: &[&Path]) -> Output {
    Command::new(EMIT_DELTA).args(args).output().unwrap()
}

fn build(s: &Scenario, version: &str) -> PathBuf {
    s.dir.join("bin").join(version).join("App.dll")
}

/// Every file below `dir` with its contents, to prove a run changed nothing.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() { stack.push(p) } else { files.push((p.clone(), std::fs::read(&p).unwrap())) }
        }
    }
    files.sort();
    files
}

#[test]
fn scenarios_apply_generation_after_generation_in_coreclr() {
    let Some(dotnet) = support::dotnet("scenarios_apply_generation_after_generation_in_coreclr") else { return };
    let host = support::build_tool(&dotnet, "hotreload-host", "HotReloadHost");
    let verify = support::build_tool(&dotnet, "delta-verify", "DeltaVerify");
    let mut checked = 0;
    for s in scenarios().iter().filter(|s| s.rude.is_empty()) {
        assert_eq!(s.versions, ["v1", "v2", "v3", "v4"], "{}: an applying scenario has four versions", s.name);
        // The expected result of generation N is what a fresh start of version N gives.
        let fresh: Vec<String> = s.versions.iter().map(|v| fresh_result(&dotnet, &host, s, v)).collect();
        for pair in fresh.windows(2) {
            assert_ne!(
                pair[0], pair[1],
                "{}: consecutive versions give the same result, a lost delta would pass",
                s.name
            );
        }
        let out = tempfile::tempdir().unwrap();
        let mut prefixes = Vec::new();
        for (n, version) in ["v2", "v3", "v4"].iter().enumerate() {
            let o = emit(&[&build(s, "v1"), &build(s, version), Path::new("--out"), out.path()]);
            assert!(
                o.status.success(),
                "{} {version}: emit-delta failed: {}",
                s.name,
                String::from_utf8_lossy(&o.stderr)
            );
            let prefix = out.path().join(format!("App.dll.{}", n + 1));
            for ext in ["dmeta", "dil", "dpdb"] {
                let file = out.path().join(format!("App.dll.{}.{ext}", n + 1));
                assert!(file.is_file(), "{}: {} missing", s.name, file.display());
            }
            prefixes.push(prefix);
        }
        let (results, run) = host_run(&dotnet, &host, s, &build(s, "v1"), &prefixes);
        let expected: Vec<String> = fresh.iter().enumerate().map(|(i, e)| format!("gen {i}: {e}")).collect();
        assert_eq!(results, expected, "{}: runtime output (stderr: {})", s.name, String::from_utf8_lossy(&run.stderr));
        assert!(run.status.success(), "{}: host exit {:?}", s.name, run.status);

        let deltas: Vec<PathBuf> = (1..=3).map(|n| out.path().join(format!("App.dll.{n}.dmeta"))).collect();
        let check = Command::new(EMIT_DELTA).arg("check").arg(build(s, "v1")).args(&deltas).output().unwrap();
        assert!(check.status.success(), "{}: emit-delta check:\n{}", s.name, String::from_utf8_lossy(&check.stdout));
        let v = Command::new(&dotnet).arg(&verify).arg("-q").arg(build(s, "v1")).args(&deltas).output().unwrap();
        assert!(
            v.status.success(),
            "{}: System.Reflection.Metadata rejected the chain:\n{}",
            s.name,
            String::from_utf8_lossy(&v.stdout)
        );
        checked += 1;
    }
    println!("{checked} scenarios applied over 3 generations each");
    assert!(checked >= 10, "expected at least 10 scenarios, found {checked}");
}

#[test]
fn rude_edits_exit_8_and_leave_output_and_session_untouched() {
    let mut checked = 0;
    for s in scenarios().iter().filter(|s| !s.rude.is_empty()) {
        let out = tempfile::tempdir().unwrap();
        // Identical builds are no change: exit 5, nothing written.
        let same = emit(&[&build(s, "v1"), &build(s, "v1"), Path::new("--out"), out.path()]);
        assert_eq!(
            same.status.code(),
            Some(5),
            "{}: identical builds: {}",
            s.name,
            String::from_utf8_lossy(&same.stderr)
        );
        let before = snapshot(out.path());
        assert!(before.is_empty(), "{}: a no-change run wrote files", s.name);
        for r in &s.rude {
            let o = emit(&[&build(s, "v1"), &build(s, &r.version), Path::new("--out"), out.path()]);
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(8), "{} {}: {stderr}", s.name, r.version);
            let prefix = format!("rude edit: {}: ", r.member);
            assert!(
                stderr.lines().any(|l| l.starts_with(&prefix) && l.contains(&r.change)),
                "{} {}: stderr does not name {} ({}):\n{stderr}",
                s.name,
                r.version,
                r.member,
                r.change
            );
            assert_eq!(snapshot(out.path()), before, "{} {}: a rude edit changed the output folder", s.name, r.version);
            if let Some(code) = &r.code {
                let json = emit(&[
                    &build(s, "v1"),
                    &build(s, &r.version),
                    Path::new("--out"),
                    out.path(),
                    Path::new("--json"),
                ]);
                assert_eq!(json.status.code(), Some(8));
                let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
                let edits = v["rude_edits"].as_array().unwrap();
                assert!(
                    edits.iter().any(|e| e["code"] == code.as_str() && e["member"] == r.member.as_str()),
                    "{} {}: --json has no {code} edit for {}: {v}",
                    s.name,
                    r.version,
                    r.member
                );
            }
            checked += 1;
        }
    }
    println!("{checked} rude edits refused");
    assert!(checked >= 10, "expected at least 10 rude edits, found {checked}");
}

/// The type-initializer scenarios are refused because applying them would be wrong:
/// a fresh start of the edited build gives another result than the baseline, which a
/// running program that applied the delta would never show.
#[test]
fn refused_initializer_edits_change_what_a_restart_computes() {
    let Some(dotnet) = support::dotnet("refused_initializer_edits_change_what_a_restart_computes") else { return };
    let host = support::build_tool(&dotnet, "hotreload-host", "HotReloadHost");
    let mut checked = 0;
    for s in scenarios() {
        for r in s.rude.iter().filter(|r| r.observable) {
            let (before, after) =
                (fresh_result(&dotnet, &host, &s, "v1"), fresh_result(&dotnet, &host, &s, &r.version));
            assert_ne!(
                before, after,
                "{} {}: the refused edit does not change what a restart computes",
                s.name, r.version
            );
            checked += 1;
        }
    }
    assert!(checked >= 7, "expected at least 7 observable refused edits, found {checked}");
}

#[test]
fn a_session_continues_from_the_build_applied_last_and_survives_rude_edits() {
    let scenarios = scenarios();
    let s = scenarios.iter().find(|s| s.name == "cs-literal-arith").unwrap();
    let rude = scenarios.iter().find(|s| s.name == "cs-rude").unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = emit(&[&build(s, "v1"), &build(s, "v2"), Path::new("--out"), out.path(), Path::new("--json")]);
    assert!(o.status.success());
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["generations"][0]["generation"], 1);
    assert_eq!(json["generations"][0]["updated_methods"][0]["name"], "App.Program::Run");
    assert_eq!(json["generations"][0]["updated_methods"][0]["token"], "0x06000001");
    assert_eq!(json["generations"][0]["updated_types"][0], "App.Program");
    let state = out.path().join(".emit-delta/state.json");
    let after_one = std::fs::read(&state).unwrap();

    // The same build again is no change against the build applied last (v2), not v1.
    let again = emit(&[&build(s, "v1"), &build(s, "v2"), Path::new("--out"), out.path()]);
    assert_eq!(again.status.code(), Some(5));
    // A build of another program (an F# one: other attributes, flags and base types) is
    // refused and the session stays at generation 1.
    let other = scenarios.iter().find(|s| s.name == "fs-module-fn").unwrap();
    let bad = emit(&[&build(s, "v1"), &build(other, "v1"), Path::new("--out"), out.path()]);
    assert_eq!(bad.status.code(), Some(8));
    assert_eq!(std::fs::read(&state).unwrap(), after_one);

    let next = emit(&[&build(s, "v1"), &build(s, "v3"), Path::new("--out"), out.path()]);
    assert!(next.status.success());
    assert!(out.path().join("App.dll.2.dmeta").is_file());
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join(".emit-delta/state.json")).unwrap()).unwrap();
    assert_eq!(state["generation"], 2);
    assert_eq!(state["enc_ids"].as_array().unwrap().len(), 2);

    // A session made for another baseline is refused.
    let other = emit(&[&build(rude, "v1"), &build(rude, "v1"), Path::new("--out"), out.path()]);
    assert_eq!(other.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&other.stderr).contains("another baseline"));
}

#[test]
fn edits_json_writes_each_change_as_a_generation_and_checks_listed_members() {
    let s = scenarios().into_iter().find(|s| s.name == "cs-literal-arith").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("edits.json");
    let rel = |v: &str| format!("{}", build(&s, v).display());
    std::fs::write(
        &script,
        serde_json::json!({
            "capabilities": "Baseline",
            "changes": [ { "updated": rel("v2") }, { "updated": rel("v3"), "edits": [ { "update": "App.Program::Run" } ] } ]
        })
        .to_string(),
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = emit(&[&build(&s, "v1"), &script, Path::new("--out"), &out]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join("App.dll.1.dmeta").is_file() && out.join("App.dll.2.dil").is_file());

    let listed_missing = dir.path().join("bad.json");
    std::fs::write(
        &listed_missing,
        serde_json::json!({ "changes": [ { "updated": rel("v4"), "edits": [ { "update": "App.Program::Nope" } ] } ] })
            .to_string(),
    )
    .unwrap();
    let o = emit(&[&build(&s, "v1"), &listed_missing, Path::new("--out"), &dir.path().join("out2")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("App.Program::Nope"));
}

#[test]
fn malformed_inputs_get_a_clear_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.dll");
    std::fs::write(&junk, b"MZ not really a PE").unwrap();
    let s = scenarios().into_iter().find(|s| s.name == "cs-literal-arith").unwrap();
    let o = emit(&[&build(&s, "v1"), &junk, Path::new("--out"), dir.path()]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("junk.dll"), "{stderr}");
    let usage = Command::new(EMIT_DELTA).arg("only-one-arg.dll").output().unwrap();
    assert_eq!(usage.status.code(), Some(2));
}
