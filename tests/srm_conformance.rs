//! Our reader against System.Reflection.Metadata: `tools/srm-dump` prints the canonical
//! dump (docs/canonical-dump.md) of each file with SRM, we print ours, and every line
//! must match, for the fixtures and every assembly of the installed SDK.

mod support;

use std::path::PathBuf;
use std::process::Command;

use emit_delta::dump::canonical::canonical_dump;

fn is_error(line: &str) -> bool {
    line.starts_with("error")
}

/// Compares two dumps; both may stop at an `error` line (the message text differs by
/// design: SRM prints the exception type, we print the message).
fn compare(ours: &str, theirs: &str) -> Result<usize, String> {
    let mut a = ours.lines();
    let mut b = theirs.lines();
    let mut n = 0;
    loop {
        match (a.next(), b.next()) {
            (None, None) => return Ok(n),
            (Some(x), Some(y)) if is_error(x) && is_error(y) => return Ok(n),
            (Some(x), Some(y)) if x == y => n += 1,
            (x, y) => {
                return Err(format!(
                    "line {}:\n  ours: {}\n  srm:  {}",
                    n + 1,
                    x.unwrap_or("<end>"),
                    y.unwrap_or("<end>")
                ));
            }
        }
    }
}

#[test]
fn canonical_dump_matches_system_reflection_metadata() {
    let Some(dotnet) = support::dotnet("canonical_dump_matches_system_reflection_metadata") else { return };
    let tool = support::build_tool(&dotnet, "srm-dump", "SrmDump");

    let repo = support::repo();
    let mut inputs: Vec<PathBuf> = Vec::new();
    let fixtures = repo.join("testdata/fixtures/bin");
    inputs.extend(support::files_with_extension(&fixtures, "dll"));
    inputs.extend(support::files_with_extension(&fixtures, "pdb"));
    let fixture_count = inputs.len();
    assert!(fixture_count >= 5, "fixtures missing in {}", fixtures.display());
    let framework = support::shared_framework(&dotnet);
    let sdk = support::sdk(&dotnet);
    for dir in [framework.clone(), sdk.join("Roslyn/bincore"), sdk.join("FSharp")] {
        let found = support::files_with_extension(&dir, "dll");
        assert!(!found.is_empty(), "no DLLs in {}", dir.display());
        inputs.extend(found);
    }

    let work = tempfile::tempdir().unwrap();
    let mut list = String::new();
    let outputs: Vec<PathBuf> = (0..inputs.len()).map(|i| work.path().join(format!("{i}.txt"))).collect();
    for (input, output) in inputs.iter().zip(&outputs) {
        list.push_str(&format!("{}\t{}\n", input.display(), output.display()));
    }
    let list_file = work.path().join("list.txt");
    std::fs::write(&list_file, list).unwrap();
    let status = Command::new(&dotnet).arg(&tool).arg(&list_file).status().unwrap();
    assert!(status.success(), "SrmDump failed");

    let mut failures = Vec::new();
    let mut lines = 0usize;
    let mut errors_both = 0usize;
    for (input, output) in inputs.iter().zip(&outputs) {
        let bytes = std::fs::read(input).unwrap();
        let ours = canonical_dump(&bytes);
        let theirs = std::fs::read_to_string(output).unwrap();
        if theirs.lines().any(is_error) {
            errors_both += 1;
        }
        match compare(&ours, &theirs) {
            Ok(n) => lines += n,
            Err(diff) => failures.push(format!("{}: {diff}", input.display())),
        }
    }
    println!(
        "compared {} files ({} fixtures, {} from the SDK), {lines} lines; files SRM could not read: {errors_both}",
        inputs.len(),
        fixture_count,
        inputs.len() - fixture_count
    );
    assert!(failures.is_empty(), "{} files differ:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(errors_both, 0, "SRM reported errors on SDK files");
}
