//! Portable-PDB deltas read back with System.Reflection.Metadata: for every scenario and
//! generation, each updated method's sequence points (document, lines, columns), local
//! scopes, locals, constants, imports and custom debug information in the `.dpdb` equal
//! what the updated build's own PDB says about that method. The expectations come from
//! the updated build's PDB as SRM reads it (tools/delta-verify `--debug-info`), never
//! from this crate.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use emit_delta::Assembly;
use emit_delta::diff::Identities;
use emit_delta::diff::compare::display_name;
use emit_delta::metadata::{TableId, Token};

const EMIT_DELTA: &str = env!("CARGO_BIN_EXE_emit-delta");

fn build(dir: &Path, version: &str) -> PathBuf {
    dir.join("bin").join(version).join("App.dll")
}

/// One updated method of a generation: its name, chain token and token in the updated build.
struct Updated {
    name: String,
    chain: String,
    new: String,
}

/// Runs emit-delta for `version` into `out`; returns the generation's updated methods.
fn emit(dir: &Path, version: &str, out: &Path) -> Vec<Updated> {
    let o = Command::new(EMIT_DELTA)
        .arg(build(dir, "v1"))
        .arg(build(dir, version))
        .arg("--out")
        .arg(out)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{} {version}: emit-delta failed: {}",
        dir.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let generation = &json["generations"][0];
    let files: Vec<&str> = generation["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(files.iter().any(|f| f.ends_with(".dpdb")), "{version}: no .dpdb in {files:?}");

    // Updated and added methods (a deleted one has no lines), by their tokens in the
    // chain and in the updated build.
    let added_methods =
        generation["added"].as_array().unwrap().iter().filter(|m| m["token"].as_str().unwrap().starts_with("0x06"));
    generation["updated_methods"]
        .as_array()
        .unwrap()
        .iter()
        .chain(added_methods)
        .map(|m| Updated {
            name: m["name"].as_str().unwrap().to_string(),
            chain: m["token"].as_str().unwrap().to_string(),
            new: m["build_token"].as_str().unwrap().to_string(),
        })
        .collect()
}

/// What SRM reads about `tokens` in `pdb`: one block per method, headed by `names`.
fn debug_info(dotnet: &Path, tool: &Path, assembly: &Path, pdb: &Path, tokens: &[&str], names: &[&str]) -> String {
    let o = Command::new(dotnet).arg(tool).arg("--debug-info").arg(assembly).arg(pdb).args(tokens).output().unwrap();
    assert!(o.status.success(), "--debug-info {}: {}", pdb.display(), String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    // Replace the token headers by names: a method's token in a build and in the chain may differ.
    let mut blocks = text.split("method 0x").skip(1);
    names
        .iter()
        .map(|name| {
            let block = blocks.next().expect("one block per token");
            let body = block.split_once('\n').map_or("", |(_, rest)| rest);
            format!("method {name}\n{body}")
        })
        .collect()
}

fn sequence_point_lines(info: &str) -> Vec<&str> {
    info.lines().filter(|l| l.trim_start().starts_with("sp ")).collect()
}

#[test]
fn every_updated_method_reads_back_like_the_updated_builds_pdb() {
    let Some(dotnet) = support::dotnet("every_updated_method_reads_back_like_the_updated_builds_pdb") else { return };
    let tool = support::build_tool(&dotnet, "delta-verify", "DeltaVerify");
    let (mut methods, mut points, mut locals) = (0, 0, 0);
    let mut scenarios = 0;
    for (name, dir, rude) in support::scenarios() {
        if rude {
            continue;
        }
        let out = tempfile::tempdir().unwrap();
        // Methods the chain added, by chain token: delta-verify names a kickoff method
        // that only the chain has (an added async method) by its token.
        let mut chain_methods: Vec<(String, String)> = Vec::new();
        for (n, version) in ["v2", "v3", "v4"].into_iter().enumerate() {
            let updated = emit(&dir, version, out.path());
            chain_methods.extend(updated.iter().map(|u| (u.chain.clone(), u.name.clone())));
            if updated.is_empty() {
                // Only attributes or parameter names changed: no method body to compare.
                continue;
            }
            let names: Vec<&str> = updated.iter().map(|u| u.name.as_str()).collect();
            let new_tokens: Vec<&str> = updated.iter().map(|u| u.new.as_str()).collect();
            let chain_tokens: Vec<&str> = updated.iter().map(|u| u.chain.as_str()).collect();
            let pdb = build(&dir, version).with_extension("pdb");
            let expected = debug_info(&dotnet, &tool, &build(&dir, version), &pdb, &new_tokens, &names);
            let dpdb = out.path().join(format!("App.dll.{}.dpdb", n + 1));
            let mut actual = debug_info(&dotnet, &tool, &build(&dir, "v1"), &dpdb, &chain_tokens, &names);
            // Async stepping information names each resume method by its row: the chain's in
            // the delta, the build's in the build's PDB.
            let rows: Vec<(u32, u32)> = updated.iter().map(|u| (row_of(&u.chain), row_of(&u.new))).collect();
            actual = actual.lines().map(|l| async_stepping_in_build_rows(l, &rows) + "\n").collect();
            for (token, name) in &chain_methods {
                let hex = format!("0x{:08X}", u32::from_str_radix(token.trim_start_matches("0x"), 16).unwrap());
                actual = actual
                    .replace(&format!("state machine kickoff {hex}\n"), &format!("state machine kickoff {name}\n"));
            }
            assert_eq!(actual, expected, "{name} generation {}: .dpdb vs {}", n + 1, pdb.display());
            methods += updated.len();
            points += sequence_point_lines(&expected).len();
            locals += expected.lines().filter(|l| l.trim_start().starts_with("local ")).count();
        }
        scenarios += 1;
    }
    println!("{scenarios} scenarios, {methods} updated methods, {points} sequence points, {locals} locals compared");
    assert!(scenarios >= 10, "expected at least 10 scenarios, found {scenarios}");
    // Guard against a vacuous comparison (e.g. both sides empty).
    assert!(points >= methods, "only {points} sequence points for {methods} methods");
    assert!(locals > 0, "no local variable was compared");
}

/// The row id of a `0x06……` token.
fn row_of(token: &str) -> u32 {
    u32::from_str_radix(token.trim_start_matches("0x"), 16).unwrap() & 0x00FF_FFFF
}

/// A `cdi` line of async stepping information (catch handler offset, then per await a
/// yield offset, a resume offset and the resume method's row, compressed) with each
/// resume method's chain row replaced by its row in the updated build (`rows`: chain →
/// build); other lines as they are.
fn async_stepping_in_build_rows(line: &str, rows: &[(u32, u32)]) -> String {
    let prefix = "  cdi 54fd2ac5-e925-401a-9c2a-f94f171072f8 ";
    let Some(hex) = line.strip_prefix(prefix) else { return line.to_string() };
    let bytes: Vec<u8> = (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
    let mut out = bytes[..4].to_vec();
    let mut at = 4;
    while at + 8 < bytes.len() {
        out.extend_from_slice(&bytes[at..at + 8]);
        at += 8;
        // Row ids below 128 take one byte (the scenarios' methods are far below).
        let row = bytes[at] as u32;
        assert!(row < 0x80, "{line}: a resume method row of more than one byte");
        let build = rows.iter().find(|(chain, _)| *chain == row).map_or(row, |&(_, b)| b);
        out.push(build as u8);
        at += 1;
    }
    format!("{prefix}{}", out.iter().map(|b| format!("{b:02X}")).collect::<String>())
}

#[test]
fn a_literal_changed_in_place_keeps_its_lines_and_still_gets_its_new_sequence_points() {
    let Some(dotnet) = support::dotnet("a_literal_changed_in_place_keeps_its_lines") else { return };
    let tool = support::build_tool(&dotnet, "delta-verify", "DeltaVerify");
    let dir = support::repo().join("testdata/scenarios/cs-literal-arith");
    let out = tempfile::tempdir().unwrap();
    let updated = emit(&dir, "v2", out.path());
    let run = updated.iter().find(|u| u.name == "App.Program::Run").expect("Run is updated");
    let info = |version: &str, token: &str| {
        let dll = build(&dir, version);
        debug_info(&dotnet, &tool, &dll, &dll.with_extension("pdb"), &[token], &["Run"])
    };
    let (before, after) = (info("v1", &run.new), info("v2", &run.new));
    let lines = |info: &str| -> Vec<String> {
        sequence_point_lines(info)
            .iter()
            .map(|l| {
                let span = l.rsplit(' ').next().unwrap();
                let (start, end) = span.split_once('-').unwrap();
                format!("{}-{}", start.split(':').next().unwrap(), end.split(':').next().unwrap())
            })
            .collect()
    };
    // The premise: same source lines, but the body (and so the IL offsets and columns) changed.
    assert!(!lines(&after).is_empty());
    assert_eq!(lines(&before), lines(&after), "the edit was meant to keep Run's lines");
    assert_ne!(sequence_point_lines(&before), sequence_point_lines(&after), "the edit was meant to move IL offsets");

    let dpdb = out.path().join("App.dll.1.dpdb");
    let delta = debug_info(&dotnet, &tool, &build(&dir, "v1"), &dpdb, &[&run.chain], &["Run"]);
    assert_eq!(delta, after, "the .dpdb row for Run must be v2's, not v1's");
    assert!(delta.lines().any(|l| l.trim_start().starts_with("local 0 a")), "{delta}");
}

/// A generation that "updates" every method with a body of `dll` to itself: its `.dpdb`
/// must describe each method exactly as the build's own PDB does. Returns the folder with
/// `delta.dpdb` and `build.pdb` (the PDB found for `dll`, embedded ones extracted) and the
/// method tokens (equal in the build and the chain).
fn self_delta(dll: &Path) -> (tempfile::TempDir, Vec<String>, Vec<String>) {
    use emit_delta::baseline::ChainState;
    use emit_delta::delta::{Builds, emit_generation};
    use emit_delta::diff::compare::UpdatedMethod;
    use emit_delta::metadata::schema::MethodDefRow;
    use emit_delta::metadata::{Guid, MetadataReader};
    use emit_delta::pdb::locate::find_portable_pdb;

    let bytes = std::fs::read(dll).unwrap();
    let asm = Assembly::parse(&bytes).unwrap();
    let state = ChainState::from_baseline(&bytes, &asm).unwrap();
    let diff = emit_delta::diff::diff_builds(&asm, &asm).unwrap();
    let ids = Identities::new(&asm).unwrap();
    let methods: Vec<UpdatedMethod> = (1..=asm.metadata.row_count(TableId::MethodDef))
        .filter(|&rid| asm.metadata.row::<MethodDefRow>(rid).unwrap().rva != 0)
        .map(|rid| Token::new(TableId::MethodDef, rid))
        .map(|t| UpdatedMethod { old: t, new: t, display: display_name(&ids, t) })
        .collect();
    let lookup = find_portable_pdb(dll, &asm).unwrap();
    let pdb_bytes = lookup.bytes().expect("the fixture has a portable PDB").to_vec();
    let pdb = MetadataReader::parse(&pdb_bytes).unwrap();
    let builds = Builds { baseline: &asm, old: &asm, new: &asm, new_pdb: Some(&pdb) };
    let generation = emit_generation(
        &state,
        &builds,
        &diff,
        &methods,
        Guid([7; 16]),
        emit_delta::capability::Capabilities::CORECLR_NET10,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("delta.dpdb"), &generation.dpdb).unwrap();
    std::fs::write(dir.path().join("build.pdb"), &pdb_bytes).unwrap();
    let tokens = methods.iter().map(|m| m.new.to_string()).collect();
    let names = methods.iter().map(|m| format!("{} {}", m.display, m.new)).collect();
    (dir, tokens, names)
}

#[test]
fn state_machines_constants_dynamic_locals_and_embedded_pdbs_read_back_like_the_build() {
    let Some(dotnet) = support::dotnet("state_machines_constants_dynamic_locals_and_embedded_pdbs") else { return };
    let tool = support::build_tool(&dotnet, "delta-verify", "DeltaVerify");
    for fixture in ["CsFeatures", "CsEmbedded", "FsFeatures"] {
        let dll = support::repo().join("testdata/fixtures/bin").join(format!("{fixture}.dll"));
        let (dir, tokens, names) = self_delta(&dll);
        let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let expected = debug_info(&dotnet, &tool, &dll, &dir.path().join("build.pdb"), &tokens, &names);
        let actual = debug_info(&dotnet, &tool, &dll, &dir.path().join("delta.dpdb"), &tokens, &names);
        for (e, a) in expected.split("method ").zip(actual.split("method ")) {
            assert_eq!(a, e, "{fixture}: .dpdb vs the build's PDB");
        }
        assert_eq!(actual, expected);
        let count = |what: &str| expected.lines().filter(|l| l.trim_start().starts_with(what)).count();
        println!(
            "{fixture}: {} methods, {} sequence points, {} locals, {} constants, {} state machines, {} cdi",
            tokens.len(),
            count("sp "),
            count("local "),
            count("constant "),
            count("state machine"),
            expected.matches("cdi ").count()
        );
        if fixture == "CsFeatures" {
            // The fixture's PDB has all of these (see testdata/fixtures/README.md).
            for what in ["constant ", "state machine kickoff", "cdi 6da9a61e", "cdi 54fd2ac5", "cdi 83c563c4"] {
                assert!(expected.contains(what), "{fixture}: nothing like `{what}` compared");
            }
        }
    }
}

#[test]
fn without_a_pdb_the_dpdb_has_empty_rows_and_a_stale_pdb_is_refused() {
    let Some(dotnet) = support::dotnet("without_a_pdb_the_dpdb_has_empty_rows") else { return };
    let tool = support::build_tool(&dotnet, "delta-verify", "DeltaVerify");
    let dir = support::repo().join("testdata/scenarios/cs-literal-arith");
    let work = tempfile::tempdir().unwrap();
    let updated = work.path().join("App.dll");
    std::fs::copy(build(&dir, "v2"), &updated).unwrap();
    let emit = |out: &str| {
        Command::new(EMIT_DELTA).arg(build(&dir, "v1")).arg(&updated).arg("--out").arg(work.path().join(out)).output()
    };

    let o = emit("no-pdb").unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("note: no portable PDB") && stderr.contains("no sequence points"), "{stderr}");
    let dpdb = work.path().join("no-pdb/App.dll.1.dpdb");
    let info = debug_info(&dotnet, &tool, &build(&dir, "v1"), &dpdb, &["0x06000001"], &["Run"]);
    assert_eq!(info, "method Run\n", "an empty MethodDebugInformation row reads as no debug info");
    let dmeta = work.path().join("no-pdb/App.dll.1.dmeta");
    let v = Command::new(&dotnet).arg(&tool).arg("-q").arg(build(&dir, "v1")).arg(dmeta).output().unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));

    // v3's PDB next to v2's build: another id than the CodeView entry names.
    std::fs::copy(build(&dir, "v3").with_extension("pdb"), work.path().join("App.pdb")).unwrap();
    let o = emit("stale").unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("does not belong to"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!work.path().join("stale").join("App.dll.1.dmeta").exists(), "nothing is written");
}
