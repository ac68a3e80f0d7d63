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

/// The CLI maps its inputs: a build cut short by another process while a run reads it
/// (SIGBUS on the next read of the mapping) ends the run with an error naming the
/// cause, never a crash, and the session is left as it was. The truncation comes at
/// several moments of the run; whatever it hits (before the map, mid-diff, after the
/// run), the process exits with a code, never by a signal.
#[test]
fn an_input_cut_short_during_a_run_is_an_error_not_a_crash() {
    use std::os::unix::process::ExitStatusExt;
    let bench = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/bench/bin");
    let mut cut_mid_run = 0;
    for delay_ms in [0u64, 2, 4, 6, 8, 10, 15, 20, 30, 40] {
        let tmp = tempfile::tempdir().unwrap();
        let (base, updated) = (tmp.path().join("App.dll"), tmp.path().join("upd/App.dll"));
        std::fs::create_dir_all(updated.parent().unwrap()).unwrap();
        std::fs::copy(bench.join("v1/App.dll"), &base).unwrap();
        std::fs::copy(bench.join("v3/App.dll"), &updated).unwrap();
        std::fs::copy(bench.join("v3/App.pdb"), updated.with_extension("pdb")).unwrap();
        let out = tmp.path().join("out");
        let child = Command::new(EMIT_DELTA)
            .arg(&base)
            .arg(&updated)
            .arg("--out")
            .arg(&out)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        // Cut in place, as a compiler rewriting its output does.
        std::fs::OpenOptions::new().write(true).open(&updated).unwrap().set_len(4096).unwrap();
        let o = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.signal(), None, "delay {delay_ms} ms: killed by a signal: {stderr}");
        if stderr.contains("cut short while it was read") {
            cut_mid_run += 1;
            assert_eq!(o.status.code(), Some(1));
            assert!(!out.join(".emit-delta/state.json").exists(), "a cut run saved a session");
        }
    }
    println!("{cut_mid_run} of 10 runs were cut mid-read");
}
