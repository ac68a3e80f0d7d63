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
        let before = support::snapshot(out.path());
        assert!(before.is_empty(), "{}: a no-change run wrote files", s.name);
        for r in &s.rude {
            let o = emit(&[&build(s, "v1"), &build(s, &r.version), Path::new("--out"), out.path()]);
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(8), "{} {}: {stderr}", s.name, r.version);
            // After the member's source location when the PDB has it (`Program.cs(7,39): `).
            let prefix = format!("rude edit: {}: ", r.member);
            assert!(
                stderr.lines().any(|l| l.split_once(&prefix).is_some_and(|(_, rest)| rest.contains(&r.change))),
                "{} {}: stderr does not name {} ({}):\n{stderr}",
                s.name,
                r.version,
                r.member,
                r.change
            );
            assert_eq!(
                support::snapshot(out.path()),
                before,
                "{} {}: a rude edit changed the output folder",
                s.name,
                r.version
            );
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

/// Issue #11 item 4: every applying scenario still applies when its edit also moves
/// lines. For each one, a blank line is inserted at the top of every source file of
/// the versions after v1 (so the generation both shifts every line below and carries
/// the scenario's edit), those versions are rebuilt with the shipped compilers by
/// `testdata/scenarios/build.sh` in a temporary folder (`SCENARIO_ROOT`,
/// `SCENARIO_VERSIONS`), and the chain from the committed v1 through the shifted
/// versions is applied in CoreCLR, each generation compared with a fresh run of its
/// shifted build. Failures are collected and reported together, naming each scenario.
///
/// Cost: by default each scenario is covered once, v1 → v2'. The full set (v2', v3',
/// v4': 45 builds) passed too, but its builds took 13 and 25 minutes in two runs on the
/// 2-core machine shared with other builds (about 4.6 s per build when it is idle,
/// 20–30 s under that load), far over the ~3 minutes this test may add to CI. `EMIT_DELTA_SHIFTED_VERSIONS="v2 v3 v4"`
/// runs the full set. The builds run in two `build.sh` processes side by side, each
/// with its own scratch folder.
#[test]
fn every_applying_scenario_applies_after_a_blank_line_at_the_top_of_every_file() {
    let Some(dotnet) = support::dotnet("every_applying_scenario_applies_after_a_blank_line_at_the_top_of_every_file")
    else {
        return;
    };
    let host = support::build_tool(&dotnet, "hotreload-host", "HotReloadHost");
    let versions = std::env::var("EMIT_DELTA_SHIFTED_VERSIONS").unwrap_or_else(|_| "v2".into());
    let versions: Vec<String> = versions.split_whitespace().map(str::to_string).collect();
    let root = tempfile::tempdir().unwrap();
    let shifted: Vec<Scenario> = scenarios()
        .into_iter()
        .filter(|s| s.rude.is_empty())
        .map(|s| {
            let dir = root.path().join(&s.name);
            std::fs::create_dir_all(dir.join("bin/v1")).unwrap();
            std::fs::copy(s.dir.join("scenario.json"), dir.join("scenario.json")).unwrap();
            for file in ["App.dll", "App.pdb"] {
                std::fs::copy(s.dir.join("bin/v1").join(file), dir.join("bin/v1").join(file)).unwrap();
            }
            for version in &versions {
                assert!(s.versions.contains(version), "{}: no version {version}", s.name);
                std::fs::create_dir_all(dir.join(version)).unwrap();
                for e in std::fs::read_dir(s.dir.join(version)).unwrap() {
                    let path = e.unwrap().path();
                    let mut text = std::fs::read(&path).unwrap();
                    if path.extension().is_some_and(|x| x == "cs" || x == "fs" || x == "vb") {
                        text.insert(0, b'\n');
                    }
                    std::fs::write(dir.join(version).join(path.file_name().unwrap()), text).unwrap();
                }
            }
            let versions = std::iter::once("v1".to_string()).chain(versions.iter().cloned()).collect();
            Scenario { dir, versions, ..s }
        })
        .collect();
    assert!(shifted.len() >= 15, "expected at least 15 applying scenarios, found {}", shifted.len());

    let started = std::time::Instant::now();
    let names: Vec<&str> = shifted.iter().map(|s| s.name.as_str()).collect();
    if let Err(e) = support::build_scenarios(root.path(), &names, Some(&versions.join(" "))) {
        panic!("{e}");
    }
    println!("built {} shifted versions in {:.1?}", shifted.len() * versions.len(), started.elapsed());

    let mut failures = Vec::new();
    for s in &shifted {
        let fresh: Vec<String> = s.versions.iter().map(|v| fresh_result(&dotnet, &host, s, v)).collect();
        let out = tempfile::tempdir().unwrap();
        let mut prefixes = Vec::new();
        for (n, version) in s.versions[1..].iter().enumerate() {
            let o = emit(&[&build(s, "v1"), &build(s, version), Path::new("--out"), out.path()]);
            if !o.status.success() {
                failures.push(format!(
                    "{} {version}': exit {:?}: {}",
                    s.name,
                    o.status.code(),
                    String::from_utf8_lossy(&o.stderr)
                ));
                break;
            }
            prefixes.push(out.path().join(format!("App.dll.{}", n + 1)));
        }
        if prefixes.len() != s.versions.len() - 1 {
            continue;
        }
        let (results, run) = host_run(&dotnet, &host, s, &build(s, "v1"), &prefixes);
        let expected: Vec<String> = fresh.iter().enumerate().map(|(i, e)| format!("gen {i}: {e}")).collect();
        if results != expected || !run.status.success() {
            failures.push(format!(
                "{}: runtime gave {results:?}, fresh runs {expected:?} (stderr: {})",
                s.name,
                String::from_utf8_lossy(&run.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "scenarios that fail with shifted lines:\n{}", failures.join("\n"));
    println!("{} scenarios applied with every line shifted", shifted.len());
}

/// Issue #11 item 3, adversarial pairings of F# closures: two closures of one function
/// swapped (`fs-closure-swap`), one moved below its sibling with its body changed and a
/// line inserted above (`fs-closure-move-edit`), one moved to another function
/// (`fs-closure-moved`), and only the second of two changed while lines move around
/// them (`fs-two-closures`). Every version is compared with v1 alone: it must either be
/// refused (exit 8, nothing written) or applied so that the entry method, which calls
/// every closure of the program, returns what a fresh run of that version returns.
/// Pairing the first two by rank would give each closure class the other's body: a
/// fresh call still computes the new results, but a closure object created before the
/// update would run the other closure's code, so they must be refused.
#[test]
fn moved_closures_are_applied_correctly_or_refused_never_mispaired() {
    let Some(dotnet) = support::dotnet("moved_closures_are_applied_correctly_or_refused_never_mispaired") else {
        return;
    };
    let (applied, refused) = each_version_against_v1(
        &dotnet,
        &["fs-closure-swap", "fs-closure-move-edit", "fs-closure-moved", "fs-two-closures"],
        "the closures do not run the new code",
    );
    println!("applied {applied:?}, refused {refused:?}");
    // A closure moved to another function applies (its class is deleted, the new one added);
    // the swapped and moved-and-edited closures are refused as ambiguous.
    assert!(applied.len() >= 3 && refused.len() >= 2, "applied {applied:?}, refused {refused:?}");
}

/// Issue #11, C#: code Roslyn numbers by position (lambdas, local functions, state
/// machines, anonymous types, display classes) renumbered by code added before it. Every version is
/// compared with v1 alone, so several insertions and edits meet in one generation: it
/// must either be refused (exit 8, nothing written) or applied so that the entry method
/// returns what a fresh run of that version returns. Run caches its non-capturing
/// lambdas' delegates in static fields on the first call (gen 0), so a lambda or cache
/// field paired with the wrong one would make gen 1 run the old delegate of another
/// lambda and differ; cs-display-class-renumbered keeps closures made on the first call
/// (of two methods whose display classes have the same fields) the same way.
#[test]
fn renumbered_csharp_generated_code_is_applied_correctly_or_refused_never_mispaired() {
    let Some(dotnet) =
        support::dotnet("renumbered_csharp_generated_code_is_applied_correctly_or_refused_never_mispaired")
    else {
        return;
    };
    let (applied, refused) = each_version_against_v1(
        &dotnet,
        &[
            "cs-lambda-inserted",
            "cs-lambda-inserted-edited",
            "cs-local-function-added",
            "cs-state-machine-added",
            "cs-anonymous-type-added",
            "cs-display-class-renumbered",
            "cs-display-class-lambda-inserted",
            "cs-display-class-lambda-inserted-edited",
        ],
        "does not run the new code",
    );
    println!("applied {applied:?}, refused {refused:?}");
    // Lambdas inserted before an unchanged one apply (cs-lambda-inserted v4 against v1:
    // two inserted, one of them edited since); inserted beside an edited one is refused.
    // Display classes renumbered by methods added above apply, their closures edited or
    // not (cs-display-class-renumbered v3 against v1: two methods added, three edited),
    // and so do lambdas inserted before others of a display class, unless one changed.
    assert_eq!(
        refused,
        ["cs-lambda-inserted-edited v2", "cs-display-class-lambda-inserted-edited v2"],
        "applied {applied:?}"
    );
    assert_eq!(applied.len(), 18, "applied {applied:?}");
}

/// Emits every version of each scenario against v1 alone (several edits meet in one
/// generation). Each must be refused (exit 8, nothing written) or applied so that the
/// entry method returns what a fresh run of that version returns (`wrong`: what an
/// applied version that differs means). Returns the labels applied and refused.
fn each_version_against_v1(dotnet: &Path, names: &[&str], wrong: &str) -> (Vec<String>, Vec<String>) {
    let host = support::build_tool(dotnet, "hotreload-host", "HotReloadHost");
    let all = scenarios();
    let (mut applied, mut refused) = (Vec::new(), Vec::new());
    for &name in names {
        let s = all.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("scenario {name} missing"));
        let before = fresh_result(dotnet, &host, s, "v1");
        for version in &s.versions[1..] {
            let out = tempfile::tempdir().unwrap();
            let o = emit(&[&build(s, "v1"), &build(s, version), Path::new("--out"), out.path()]);
            let label = format!("{name} {version}");
            match o.status.code() {
                Some(8) => {
                    assert!(support::snapshot(out.path()).is_empty(), "{label}: a refused edit wrote files");
                    refused.push(label);
                }
                Some(0) => {
                    let (results, run) = host_run(dotnet, &host, s, &build(s, "v1"), &[out.path().join("App.dll.1")]);
                    let expected =
                        vec![format!("gen 0: {before}"), format!("gen 1: {}", fresh_result(dotnet, &host, s, version))];
                    assert_eq!(results, expected, "{label}: applied, but {wrong}");
                    assert!(run.status.success(), "{label}: host exit {:?}", run.status);
                    applied.push(label);
                }
                code => panic!("{label}: exit {code:?}: {}", String::from_utf8_lossy(&o.stderr)),
            }
        }
    }
    (applied, refused)
}
