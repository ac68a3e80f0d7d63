//! The same-rows fast path of `diff_builds` must find exactly what the general
//! key-matching comparison finds, on every pair of consecutive builds we have: the
//! scenarios (C#, F#, rude edits) and the 20,000-method benchmark fixture.

use std::path::{Path, PathBuf};

use emit_delta::Assembly;
use emit_delta::diff::DefinitionMatch;
use emit_delta::diff::compare::{BuildDiff, diff_builds, diff_by_key};

fn pairs() -> Vec<(PathBuf, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root.join("scenarios")).unwrap() {
        let bin = entry.unwrap().path().join("bin");
        let versions = ["v1", "v2", "v3", "v4"].map(|v| bin.join(v).join("App.dll"));
        if versions.iter().all(|p| p.is_file()) {
            out.extend(versions.windows(2).map(|w| (w[0].clone(), w[1].clone())));
            // Against the baseline too: later builds differ from v1 in more ways.
            out.push((versions[0].clone(), versions[3].clone()));
        }
    }
    out.push((root.join("bench/bin/v1/App.dll"), root.join("bench/bin/v2/App.dll")));
    out.sort();
    out
}

fn summary(d: &BuildDiff) -> (Vec<(String, u32, u32)>, Vec<String>) {
    (
        d.updated_methods.iter().map(|m| (m.display.clone(), m.old.0, m.new.0)).collect(),
        d.rude_edits.iter().map(|e| e.to_string()).collect(),
    )
}

#[test]
fn the_same_rows_path_agrees_with_key_matching() {
    let (mut fast, mut general) = (0, 0);
    for (old_path, new_path) in pairs() {
        let (old_bytes, new_bytes) = (std::fs::read(&old_path).unwrap(), std::fs::read(&new_path).unwrap());
        let (old, new) = (Assembly::parse(&old_bytes).unwrap(), Assembly::parse(&new_bytes).unwrap());
        let chosen = diff_builds(&old, &new).unwrap();
        let by_key = diff_by_key(&old, &new).unwrap();
        let name = format!("{} -> {}", old_path.display(), new_path.display());
        assert_eq!(summary(&chosen), summary(&by_key), "{name}");
        match chosen.definitions {
            DefinitionMatch::SameRows => {
                fast += 1;
                // Same rows means every definition kept its token.
                let DefinitionMatch::ByKey { old: o, new: n } = &by_key.definitions else { unreachable!() };
                for (key, token) in n {
                    assert_eq!(o.get(key), Some(token), "{name}: {key}");
                }
            }
            DefinitionMatch::ByKey { .. } => general += 1,
        }
    }
    eprintln!("{fast} pairs took the same-rows path, {general} the key-matching path");
    // Both paths must have been exercised: literal edits keep the rows, new calls
    // and locals add references and signatures.
    assert!(fast >= 5 && general >= 5, "same-rows pairs {fast}, key-matched pairs {general}");
}
