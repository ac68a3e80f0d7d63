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
    expected: Vec<String>,
    rude: bool,
}

fn scenarios() -> Vec<Scenario> {
    let root = support::repo().join("testdata/scenarios");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(dir.join("scenario.json")) else { continue };
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        out.push(Scenario {
            name: dir.file_name().unwrap().to_string_lossy().into_owned(),
            expected: json["expected"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect(),
            rude: json.get("rude").is_some(),
            dir,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
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
    let shared = support::repo().join("testdata/scenarios/_shared");
    let mut checked = 0;
    for s in scenarios().iter().filter(|s| !s.rude) {
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
        let run = Command::new(&dotnet)
            .arg(&host)
            .arg(build(s, "v1"))
            .arg("App.Program::Run")
            .arg("--probe")
            .arg(&shared)
            .args(&prefixes)
            .env("DOTNET_MODIFIABLE_ASSEMBLIES", "debug")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&run.stdout);
        let results: Vec<&str> = stdout.lines().filter(|l| l.starts_with("gen ")).collect();
        let expected: Vec<String> = s.expected.iter().enumerate().map(|(i, e)| format!("gen {i}: {e}")).collect();
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
    let s = scenarios().into_iter().find(|s| s.name == "cs-rude").expect("testdata/scenarios/cs-rude");
    let out = tempfile::tempdir().unwrap();
    // One good generation first, so there is a session to keep intact.
    let good = emit(&[&build(&s, "v1"), &build(&s, "v1"), Path::new("--out"), out.path()]);
    assert_eq!(good.status.code(), Some(5), "identical builds: {}", String::from_utf8_lossy(&good.stderr));
    assert!(snapshot(out.path()).is_empty(), "no-change run wrote files");
    let before = snapshot(out.path());
    for (version, member, change) in [
        ("v2", "App.Program::Suffix", "added"),
        ("v3", "App.Program::Compute", "signature"),
        ("v4", "App.Program::factor", "added"),
    ] {
        let o = emit(&[&build(&s, "v1"), &build(&s, version), Path::new("--out"), out.path()]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(8), "{version}: {stderr}");
        assert!(
            stderr.lines().any(|l| l.starts_with("rude edit: ") && l.contains(member) && l.contains(change)),
            "{version}: stderr does not name {member} ({change}):\n{stderr}"
        );
        assert_eq!(snapshot(out.path()), before, "{version}: a rude edit changed the output folder");
    }
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
    // A build of another program is refused and the session stays at generation 1.
    let bad = emit(&[&build(s, "v1"), &build(rude, "v2"), Path::new("--out"), out.path()]);
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
