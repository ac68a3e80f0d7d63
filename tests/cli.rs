//! `emit-delta info` and `dump` on the bundled fixtures. The expected row counts are
//! the ones a System.Reflection.Metadata checker reported for these files when they
//! were built, not output of this tool.

use std::process::Command;

const EMIT_DELTA: &str = env!("CARGO_BIN_EXE_emit-delta");

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(EMIT_DELTA).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn info_prints_name_value_lines_for_assemblies_and_pdbs() {
    let (code, out, err) = run(&["info", "testdata/fixtures/bin/CsFeatures.dll"]);
    assert_eq!(code, 0, "{err}");
    for line in [
        "assembly CsFeatures",
        "version 1.0.0.0",
        "TypeDef 57",
        "MethodDef 225",
        "Field 153",
        "FieldRVA 6",
        "ImplMap 6",
    ] {
        assert!(out.lines().any(|l| l == line), "missing `{line}` in:\n{out}");
    }
    assert!(out.lines().any(|l| l.starts_with("mvid ") && l.len() == 5 + 36));
    let (code, out, _) = run(&["info", "testdata/fixtures/bin/FsFeatures.pdb"]);
    assert_eq!(code, 0);
    for line in ["MethodDebugInformation 233", "LocalScope 265", "Document 4"] {
        assert!(out.lines().any(|l| l == line), "missing `{line}` in:\n{out}");
    }
}

#[test]
fn dump_prints_every_row_with_resolved_names() {
    let (code, out, err) = run(&["dump", "testdata/fixtures/bin/CsExe.dll"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("MethodDef (1 rows)"), "{out}");
    assert!(out.contains("Name=\"Main\""), "{out}");
    assert!(out.contains("AssemblyRef"), "{out}");
}

#[test]
fn bad_files_fail_with_the_file_name_and_what_was_expected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.dll");
    std::fs::write(&path, b"").unwrap();
    let (code, _, err) = run(&["info", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("empty.dll") && err.contains("expected"), "{err}");
    let (code, _, err) = run(&["info", "does/not/exist.dll"]);
    assert_eq!(code, 1);
    assert!(err.contains("does/not/exist.dll"), "{err}");
}
