//! Added and deleted members beyond what `tests/hot_reload.rs` checks for every scenario
//! (each generation equal to a fresh run in CoreCLR): a deleted method's body throws,
//! every addition needs its runtime capability, and `--json` says what was added.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use emit_delta::capability::Capability;

const EMIT_DELTA: &str = env!("CARGO_BIN_EXE_emit-delta");

fn emit(args: &[&Path]) -> Output {
    Command::new(EMIT_DELTA).args(args).output().unwrap()
}

fn build(scenario: &str, version: &str) -> PathBuf {
    support::repo().join("testdata/scenarios").join(scenario).join("bin").join(version).join("App.dll")
}

/// The `--json` report of one run of v1 → `version` into a fresh folder.
fn json_of(scenario: &str, version: &str, extra: &[&str]) -> (Output, serde_json::Value) {
    let out = tempfile::tempdir().unwrap();
    let mut args: Vec<&Path> = vec![Path::new("--json"), Path::new("--out"), out.path()];
    args.extend(extra.iter().map(Path::new));
    let (v1, updated) = (build(scenario, "v1"), build(scenario, version));
    args.insert(0, updated.as_path());
    args.insert(0, v1.as_path());
    let o = emit(&args);
    let v = serde_json::from_slice(&o.stdout).unwrap_or(serde_json::Value::Null);
    (o, v)
}

fn names(list: &serde_json::Value) -> Vec<String> {
    list.as_array().into_iter().flatten().map(|m| m["name"].as_str().unwrap_or_default().to_string()).collect()
}

/// The method cs-add-method adds in generation 1, updates in 2 and deletes in 3.
const TWICE: &str = "App.Program::Twice";

/// cs-add-method's chain v1 → v2, v3, v4 (with `--capabilities` when given), applied by
/// the host, which calls `Twice` after each generation: every line it prints about that
/// call (`call N: ...`, and `created N: ...` from the HotReloadException hook).
fn twice_after_each_generation(dotnet: &Path, host: &Path, capabilities: Option<&str>) -> Vec<String> {
    let out = tempfile::tempdir().unwrap();
    let mut prefixes = Vec::new();
    let v1 = build("cs-add-method", "v1");
    for (n, version) in ["v2", "v3", "v4"].iter().enumerate() {
        let updated = build("cs-add-method", version);
        let mut args: Vec<&Path> = vec![&v1, &updated, Path::new("--out"), out.path()];
        if let Some(list) = capabilities {
            args.extend([Path::new("--capabilities"), Path::new(list)]);
        }
        let o = emit(&args);
        assert!(o.status.success(), "{version}: {}", String::from_utf8_lossy(&o.stderr));
        prefixes.push(out.path().join(format!("App.dll.{}", n + 1)));
    }
    run_host(dotnet, host, &v1, &prefixes)
}

fn run_host(dotnet: &Path, host: &Path, dll: &Path, prefixes: &[PathBuf]) -> Vec<String> {
    let o = Command::new(dotnet)
        .arg(host)
        .arg(dll)
        .args(["App.Program::Run", "--call", TWICE])
        .args(prefixes)
        .env("DOTNET_MODIFIABLE_ASSEMBLIES", "debug")
        .output()
        .unwrap();
    assert!(o.status.success(), "host: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| l.starts_with("call ") || l.starts_with("created "))
        .map(str::to_string)
        .collect()
}

/// cs-add-method: `Twice` is added in generation 1, updated in 2 and deleted in 3. The
/// host calls it after each generation: it runs the new code, then throws Roslyn's
/// synthesized `HotReloadException` (the default capabilities have
/// `NewTypeDefinition`) naming the method, with the code of a deleted method, and the
/// exception's `Created` hook hears of it. A fresh start of v4 has no such method at all.
#[test]
fn a_method_added_then_updated_then_deleted_throws_once_deleted() {
    let Some(dotnet) = support::dotnet("a_method_added_then_updated_then_deleted_throws_once_deleted") else { return };
    let host = support::build_tool(&dotnet, "hotreload-host", "HotReloadHost");
    let fresh: Vec<String> = ["v1", "v2", "v3", "v4"]
        .iter()
        .map(|v| run_host(&dotnet, &host, &build("cs-add-method", v), &[])[0].clone())
        .collect();
    assert_eq!(fresh[0], "call 0: missing");
    assert_eq!(fresh[3], "call 0: missing");
    let lines = twice_after_each_generation(&dotnet, &host, None);
    let calls: Vec<&String> = lines.iter().filter(|l| l.starts_with("call ")).collect();
    assert_eq!(calls.len(), 4, "{lines:?}");
    assert_eq!(calls[0], "call 0: missing");
    // Generations 1 and 2 run what a fresh start of v2 and v3 runs.
    assert_eq!(calls[1].strip_prefix("call 1: "), fresh[1].strip_prefix("call 0: "));
    assert_eq!(calls[2].strip_prefix("call 2: "), fresh[2].strip_prefix("call 0: "));
    // Roslyn's type, and its HotReloadExceptionCode.DeletedMethodInvoked (2), stored negated.
    let exception = "System.Runtime.CompilerServices.HotReloadException";
    let code = "[Code -2]";
    let thrown = calls[3].strip_prefix(&format!("call 3: error {exception}: ")).unwrap_or_else(|| {
        panic!("generation 3 throws {exception}: {lines:?}");
    });
    assert!(thrown.contains(TWICE), "the message names the deleted method: {thrown}");
    assert!(thrown.contains("deleted"), "the message says it was deleted: {thrown}");
    assert!(thrown.ends_with(code), "{thrown}");
    // The hook the constructor calls saw that one instance, before the call threw it.
    let created: Vec<&String> = lines.iter().filter(|l| l.starts_with("created ")).collect();
    assert_eq!(created, [&format!("created 3: {exception} {code}")], "{lines:?}");
}

/// Without `NewTypeDefinition` no type can be added: a deleted method throws
/// `MissingMethodException`, with the same message.
#[test]
fn a_deleted_method_throws_missing_method_exception_without_new_type_definition() {
    let Some(dotnet) = support::dotnet("a_deleted_method_throws_missing_method_exception_without_new_type_definition")
    else {
        return;
    };
    let host = support::build_tool(&dotnet, "hotreload-host", "HotReloadHost");
    let capabilities: Vec<&str> =
        Capability::ALL.iter().filter(|&&c| c != Capability::NewTypeDefinition).map(|c| c.name()).collect();
    let lines = twice_after_each_generation(&dotnet, &host, Some(&capabilities.join(" ")));
    let last = lines.last().unwrap();
    let thrown = last.strip_prefix("call 3: error System.MissingMethodException: ").unwrap_or_else(|| {
        panic!("generation 3 throws MissingMethodException: {lines:?}");
    });
    assert!(thrown.contains(TWICE), "the message names the deleted method: {thrown}");
    assert!(!lines.iter().any(|l| l.starts_with("created ")), "{lines:?}");
}

/// Every applying scenario whose edit adds members: with `--capabilities Baseline` the
/// run is refused (exit 8, nothing written), each refusal naming the capability it
/// needs; with the capabilities the additions need, it applies.
#[test]
fn additions_are_refused_without_their_capability() {
    let mut checked = 0;
    for (name, _, rude) in support::scenarios() {
        if rude {
            continue;
        }
        for version in ["v2", "v3", "v4"] {
            let (o, full) = json_of(&name, version, &[]);
            assert!(o.status.success(), "{name} {version}: {}", String::from_utf8_lossy(&o.stderr));
            if names(&full["generations"][0]["added"]).is_empty() {
                continue;
            }
            let out = tempfile::tempdir().unwrap();
            let before = support::snapshot(out.path());
            let o = emit(&[
                &build(&name, "v1"),
                &build(&name, version),
                Path::new("--out"),
                out.path(),
                Path::new("--json"),
                Path::new("--capabilities"),
                Path::new("Baseline"),
            ]);
            assert_eq!(o.status.code(), Some(8), "{name} {version}: {}", String::from_utf8_lossy(&o.stderr));
            assert_eq!(support::snapshot(out.path()), before, "{name} {version}: a refused run wrote files");
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            let edits = v["rude_edits"].as_array().unwrap();
            assert!(
                edits.iter().any(|e| e["code"] == "missing-capability" && e["needs"].is_string()),
                "{name} {version}: no missing-capability edit: {v}"
            );
            for e in edits.iter().filter(|e| e["code"] == "missing-capability") {
                let needs = e["needs"].as_str().unwrap();
                assert!(e["reason"].as_str().unwrap().contains(needs), "{name} {version}: {e}");
                assert!(!e["member"].as_str().unwrap().is_empty());
            }
            let stderr = String::from_utf8_lossy(&o.stderr);
            // Each line is a rude edit, after its source location when the PDB has it.
            let is_rude_edit =
                |l: &str| l.split_once("rude edit: ").is_some_and(|(at, _)| at.is_empty() || at.ends_with(": "));
            assert!(stderr.lines().all(is_rude_edit), "{name} {version}: {stderr}");
            checked += 1;
        }
    }
    println!("{checked} additions refused without their capability");
    assert!(checked >= 16, "expected at least 16 edits with additions, found {checked}");
}

/// `--json` names what a generation updated, added and deleted, and the types a
/// `MetadataUpdateHandler` is told about.
#[test]
fn json_lists_updated_added_and_deleted_members() {
    let (o, v) = json_of("cs-add-method", "v2", &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let g = &v["generations"][0];
    assert!(names(&g["updated_methods"]).contains(&"App.Program::Run".to_string()), "{g}");
    let added = names(&g["added"]);
    for m in ["App.Program::Twice", "App.Program::Describe", "App.Counter::Skip", "App.Counter::.ctor"] {
        assert!(added.contains(&m.to_string()), "{m} not in {added:?}");
    }
    let types: Vec<&str> = g["updated_types"].as_array().unwrap().iter().filter_map(|t| t.as_str()).collect();
    assert_eq!(types, ["App.Counter", "App.Program"]);

    let (o, v) = json_of("cs-add-type", "v2", &[]);
    assert!(o.status.success());
    let added = names(&v["generations"][0]["added"]);
    for t in ["App.Circle", "App.Point", "App.Box`1"] {
        assert!(added.contains(&t.to_string()), "{t} not in {added:?}");
    }
    let types = v["generations"][0]["updated_types"].as_array().unwrap();
    assert!(types.iter().any(|t| t == "App.Circle"), "{types:?}");

    let (o, v) = json_of("cs-rename-method", "v2", &[]);
    assert!(o.status.success());
    assert_eq!(names(&v["generations"][0]["deleted_methods"]), ["App.Program::Helper"]);
    assert_eq!(names(&v["generations"][0]["added"]), ["App.Program::Compute"]);

    // Renamed parameters and changed attributes are listed by member: each renamed
    // parameter's new name is in v2's source and not in v1's.
    let source = |scenario: &str, version: &str| {
        let dir = support::repo().join("testdata/scenarios").join(scenario).join(version);
        std::fs::read_to_string(dir.join("Program.cs")).unwrap()
    };
    let (o, v) = json_of("cs-rename-parameter", "v2", &[]);
    assert!(o.status.success());
    let renamed: Vec<&str> =
        v["generations"][0]["parameters_renamed"].as_array().unwrap().iter().filter_map(|p| p.as_str()).collect();
    assert!(!renamed.is_empty(), "{v}");
    for p in renamed {
        let name = p.rsplit_once("(parameter ").and_then(|(_, n)| n.strip_suffix(')')).unwrap();
        let word = |text: &str| text.split(|c: char| !c.is_alphanumeric()).any(|w| w == name);
        assert!(word(&source("cs-rename-parameter", "v2")) && !word(&source("cs-rename-parameter", "v1")), "{p}");
    }
    let (o, v) = json_of("cs-change-attribute", "v2", &[]);
    assert!(o.status.success());
    let changed = v["generations"][0]["attributes_changed"].as_array().unwrap();
    assert!(!changed.is_empty() && changed.iter().all(|m| m.as_str().unwrap().starts_with("App.")), "{v}");
}

/// fs-closure-moved: v2 deletes the closure class `first@3` (moved to `second`); a
/// later build that brings it back is refused, since its old row cannot be reused and a
/// second type of that name would be ambiguous. The session stays at generation 1.
#[test]
fn a_generated_type_deleted_earlier_coming_back_is_refused() {
    let out = tempfile::tempdir().unwrap();
    let first =
        emit(&[&build("fs-closure-moved", "v1"), &build("fs-closure-moved", "v2"), Path::new("--out"), out.path()]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let state = std::fs::read(out.path().join(".emit-delta/state.json")).unwrap();
    let back =
        emit(&[&build("fs-closure-moved", "v1"), &build("fs-closure-moved", "v1"), Path::new("--out"), out.path()]);
    let stderr = String::from_utf8_lossy(&back.stderr);
    assert_eq!(back.status.code(), Some(8), "{stderr}");
    assert!(stderr.contains("a compiler-generated type that an earlier update deleted is back"), "{stderr}");
    assert!(stderr.contains("Scn.Program::first"), "the message names the user's function: {stderr}");
    assert_eq!(std::fs::read(out.path().join(".emit-delta/state.json")).unwrap(), state);
}

/// The CoreCLR (.NET 10) capabilities without `missing`, as `--capabilities` takes them.
fn all_capabilities_but(missing: &str) -> String {
    const CORECLR_NET10: &str = "Baseline AddMethodToExistingType AddStaticFieldToExistingType \
        AddInstanceFieldToExistingType NewTypeDefinition ChangeCustomAttributes UpdateParameters \
        GenericUpdateMethod GenericAddMethodToExistingType GenericAddFieldToExistingType AddFieldRva";
    CORECLR_NET10.split_whitespace().filter(|c| *c != missing).collect::<Vec<_>>().join(" ")
}

/// Edits of existing members that need a capability beyond `Baseline`: an attribute
/// added, changed or removed (`ChangeCustomAttributes`), a parameter renamed
/// (`UpdateParameters`), new static data in a body (`AddFieldRva`). With `Baseline`
/// alone, and with every capability but that one, the run exits 8, writes nothing and
/// names the missing capability; with all of them it applies.
#[test]
fn member_edits_are_refused_without_their_capability() {
    for (scenario, capability, change) in [
        ("cs-change-attribute", "ChangeCustomAttributes", "custom attributes changed"),
        ("cs-rename-parameter", "UpdateParameters", "parameter renamed"),
        ("cs-add-static-data", "AddFieldRva", "static data field added (FieldRVA)"),
    ] {
        for version in ["v2", "v3"] {
            let all = all_capabilities_but("");
            let (o, _) = json_of(scenario, version, &["--capabilities", &all]);
            assert!(o.status.success(), "{scenario} {version}: {}", String::from_utf8_lossy(&o.stderr));
            for capabilities in ["Baseline".to_string(), all_capabilities_but(capability)] {
                let out = tempfile::tempdir().unwrap();
                let before = support::snapshot(out.path());
                let (v1, updated) = (build(scenario, "v1"), build(scenario, version));
                let o = emit(&[
                    &v1,
                    &updated,
                    Path::new("--out"),
                    out.path(),
                    Path::new("--json"),
                    Path::new("--capabilities"),
                    Path::new(&capabilities),
                ]);
                let what = format!("{scenario} {version} with `{capabilities}`");
                assert_eq!(o.status.code(), Some(8), "{what}: {}", String::from_utf8_lossy(&o.stderr));
                assert_eq!(support::snapshot(out.path()), before, "{what}: a refused run wrote files");
                let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
                let edits = v["rude_edits"].as_array().unwrap();
                let named: Vec<&serde_json::Value> =
                    edits.iter().filter(|e| e["code"] == "missing-capability" && e["needs"] == capability).collect();
                assert!(!named.is_empty(), "{what}: no edit needs {capability}: {v}");
                assert!(named.iter().any(|e| e["change"] == change), "{what}: no `{change}` edit: {v}");
                for e in &named {
                    assert!(e["reason"].as_str().unwrap().contains(capability), "{what}: {e}");
                    assert!(!e["member"].as_str().unwrap().is_empty(), "{what}: {e}");
                }
                if capabilities != "Baseline" {
                    assert!(
                        edits.iter().all(|e| e["needs"] == capability),
                        "{what}: only {capability} is missing, yet: {v}"
                    );
                }
                let stderr = String::from_utf8_lossy(&o.stderr);
                assert!(stderr.contains(capability), "{what}: stderr does not name {capability}: {stderr}");
            }
        }
    }
}

/// A refused edit of compiler-generated code is one line under the member the user
/// wrote; the generated definitions behind it are in `--json` (`generated`) and, with
/// `--verbose`, on a line under it, never in the line itself.
#[test]
fn generated_members_are_reported_under_the_member_the_user_wrote() {
    use emit_delta::diff::generated::user_facing;
    for scenario in ["cs-add-lambda", "fs-add-closure"] {
        let (o, v) = json_of(scenario, "v2", &["--capabilities", "Baseline"]);
        assert_eq!(o.status.code(), Some(8), "{scenario}: {}", String::from_utf8_lossy(&o.stderr));
        let edits = v["rude_edits"].as_array().unwrap();
        let mut generated = Vec::new();
        let mut lines = std::collections::HashSet::new();
        for e in edits {
            let member = e["member"].as_str().unwrap();
            assert_eq!(user_facing(member), member, "{scenario}: a generated name reported as the member: {e}");
            assert!(lines.insert((member, e["change"].as_str().unwrap())), "{scenario}: the same cause twice: {v}");
            for g in e["generated"].as_array().into_iter().flatten() {
                let g = g.as_str().unwrap();
                assert_ne!(user_facing(g), g, "{scenario}: {g} is not a generated name");
                // A lambda's cache field names only the type; it is reported under its lambda's method.
                assert!(member.starts_with(&user_facing(g)), "{scenario}: {g} is reported under another member: {e}");
                assert!(member.contains("::"), "{scenario}: not named by its method: {e}");
                generated.push(g.to_string());
            }
        }
        assert!(!generated.is_empty(), "{scenario}: no generated definition behind any rude edit: {v}");

        let run = |verbose: bool| {
            let out = tempfile::tempdir().unwrap();
            let mut args = vec![build(scenario, "v1"), build(scenario, "v2"), "--out".into(), out.path().into()];
            args.extend(["--capabilities".into(), "Baseline".into()]);
            if verbose {
                args.push("--verbose".into());
            }
            let o = Command::new(EMIT_DELTA).args(&args).output().unwrap();
            assert_eq!(o.status.code(), Some(8));
            String::from_utf8_lossy(&o.stderr).into_owned()
        };
        let (plain, verbose) = (run(false), run(true));
        assert_eq!(plain.lines().count(), edits.len(), "{scenario}: one line per rude edit:\n{plain}");
        for g in &generated {
            assert!(!plain.contains(g.as_str()), "{scenario}: {g} printed without --verbose:\n{plain}");
            let listed = verbose.lines().any(|l| l.starts_with("  generated: ") && l.contains(g.as_str()));
            assert!(listed, "{scenario}: {g} not listed with --verbose:\n{verbose}");
        }
    }
}
