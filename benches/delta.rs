//! Delta-emission benchmark: one changed method (App.C42::M17) against a baseline with
//! 20,000 methods (testdata/bench, made by testdata/bench/generate.sh). Measures the
//! emission with the session already loaded (diff + emit, and each alone) and a whole
//! `emit-delta` process run. See BENCHMARKS.md.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use emit_delta::Assembly;
use emit_delta::baseline::{ChainState, fresh_guid};
use emit_delta::delta::{Builds, emit_generation};
use emit_delta::diff::diff_builds;

fn bench_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/bench/bin"))
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("reading {} (run testdata/bench/generate.sh): {e}", path.display()))
}

fn session_loaded(c: &mut Criterion) {
    let dir = bench_dir();
    let (v1, v2) = (read(&dir.join("v1/App.dll")), read(&dir.join("v2/App.dll")));
    let baseline = Assembly::parse(&v1).expect("baseline parses");
    let new = Assembly::parse(&v2).expect("updated build parses");
    let state = ChainState::from_baseline(&v1, &baseline).expect("chain state");
    // The updated build's PDB is read with the session (the .dpdb copies from it).
    let pdb_bytes = read(&dir.join("v2/App.pdb"));
    let pdb = emit_delta::metadata::MetadataReader::parse(&pdb_bytes).expect("portable PDB");
    // Generation 1: the build applied last is the baseline itself.
    let old = &baseline;

    let diff = diff_builds(old, &new).expect("diff");
    assert!(diff.rude_edits.is_empty(), "unexpected rude edits: {:?}", diff.rude_edits);
    assert_eq!(diff.updated_methods.len(), 1, "exactly one method changes");
    assert_eq!(diff.updated_methods[0].display, "App.C42::M17");
    let builds = Builds { baseline: &baseline, old, new: &new, new_pdb: Some(&pdb) };
    let generation = emit_generation(&state, &builds, &diff, &diff.updated_methods, fresh_guid()).unwrap();
    assert_eq!(generation.updated_methods.len(), 1);
    assert!(generation.dpdb.len() > 100, "the .dpdb carries the method's debug rows");

    let mut group = c.benchmark_group("delta");
    group.bench_function("emit with session loaded (diff + emit)", |b| {
        b.iter(|| {
            let diff = diff_builds(black_box(old), black_box(&new)).unwrap();
            let generation = emit_generation(&state, &builds, &diff, &diff.updated_methods, fresh_guid()).unwrap();
            black_box(generation)
        })
    });
    group.bench_function("diff_builds alone", |b| b.iter(|| black_box(diff_builds(black_box(old), &new).unwrap())));
    // Part of diff_builds: whether a type initializer reaches the changed method.
    group.bench_function("type-initializer check alone (part of diff_builds)", |b| {
        let ids = emit_delta::diff::Identities::new(&new.metadata).unwrap();
        b.iter(|| {
            let edits =
                emit_delta::diff::initializer::initializer_rude_edits(old, &new, &ids, &diff.updated_methods).unwrap();
            black_box(edits)
        })
    });
    // The general comparison diff_builds falls back to when an edit adds metadata rows
    // (new references, locals signatures) and the same-rows fast path does not apply.
    group.bench_function("diff_by_key alone (general path)", |b| {
        b.iter(|| black_box(emit_delta::diff::compare::diff_by_key(black_box(old), &new).unwrap()))
    });
    group.bench_function("emit_generation alone (diff precomputed)", |b| {
        b.iter(|| {
            black_box(emit_generation(&state, black_box(&builds), &diff, &diff.updated_methods, fresh_guid()).unwrap())
        })
    });
    group.finish();
}

/// The release `emit-delta` binary: `$CARGO_TARGET_DIR/release/emit-delta`, else next
/// to the target folder holding this bench executable (`target/release/deps/delta-…`).
fn release_binary() -> PathBuf {
    let name = format!("emit-delta{}", std::env::consts::EXE_SUFFIX);
    let mut candidates = Vec::new();
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        let dir = PathBuf::from(dir);
        let dir = if dir.is_absolute() { dir } else { Path::new(env!("CARGO_MANIFEST_DIR")).join(dir) };
        candidates.push(dir.join("release").join(&name));
    }
    if let Ok(exe) = std::env::current_exe()
        && let Some(deps) = exe.parent()
    {
        candidates.push(deps.join("..").join(&name));
    }
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release").join(&name));
    candidates.into_iter().find(|p| p.is_file()).unwrap_or_else(|| {
        panic!("the release emit-delta binary was not found; run `cargo build --release --offline` first")
    })
}

fn run(binary: &Path, v1: &Path, v2: &Path, out: &Path) -> std::process::ExitStatus {
    Command::new(binary)
        .arg(v1)
        .arg(v2)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("running emit-delta")
}

fn whole_process(c: &mut Criterion) {
    let binary = release_binary();
    eprintln!("whole-process benchmark binary: {}", binary.display());
    let dir = bench_dir();
    let (v1, v2) = (dir.join("v1/App.dll"), dir.join("v2/App.dll"));
    let check = tempfile::tempdir().unwrap();
    let status = run(&binary, &v1, &v2, check.path());
    assert_eq!(status.code(), Some(0), "emit-delta exits 0 on the benchmark input");
    assert!(check.path().join("App.dll.1.dmeta").is_file() && check.path().join("App.dll.1.dil").is_file());

    let mut group = c.benchmark_group("delta");
    group.sample_size(20);
    group.bench_function("whole process (emit-delta v1 v2 --out fresh)", |b| {
        b.iter_batched(
            // A fresh output folder per run, so the session starts empty (not timed).
            || tempfile::tempdir().unwrap(),
            |out| {
                black_box(run(&binary, &v1, &v2, out.path()));
                out
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

/// An edit that adds a method and calls it (v1 → v3: `App.C42::Added`, called from
/// `App.C42::M17`): the rows differ, so this takes the general comparison, then the
/// classification against the runtime's capabilities and the emission of the added rows.
fn added_method(c: &mut Criterion) {
    use emit_delta::capability::Capabilities;
    use emit_delta::diff::Identities;
    use emit_delta::diff::classify::classify;
    let dir = bench_dir();
    let (v1, v3) = (read(&dir.join("v1/App.dll")), read(&dir.join("v3/App.dll")));
    let baseline = Assembly::parse(&v1).expect("baseline parses");
    let new = Assembly::parse(&v3).expect("updated build parses");
    let state = ChainState::from_baseline(&v1, &baseline).expect("chain state");
    let pdb_bytes = read(&dir.join("v3/App.pdb"));
    let pdb = emit_delta::metadata::MetadataReader::parse(&pdb_bytes).expect("portable PDB");
    let builds = Builds { baseline: &baseline, old: &baseline, new: &new, new_pdb: Some(&pdb) };
    let prepare = || {
        let diff = diff_builds(&baseline, &new).unwrap();
        let (old_ids, new_ids) =
            (Identities::new(&baseline.metadata).unwrap(), Identities::new(&new.metadata).unwrap());
        let rude =
            classify(&diff, &new, &old_ids, &new_ids, &diff.updated_methods, Capabilities::CORECLR_NET10).unwrap();
        assert!(rude.is_empty() && diff.rude_edits.is_empty(), "{rude:?} {:?}", diff.rude_edits);
        emit_generation(&state, &builds, &diff, &diff.updated_methods, fresh_guid()).unwrap()
    };
    let generation = prepare();
    let added: Vec<&str> = generation.added.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(added, ["App.C42::Added"]);
    let updated: Vec<&str> = generation.updated_methods.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(updated, ["App.C42::M17"]);

    let mut group = c.benchmark_group("delta");
    group.bench_function("add a method and call it: prepare (diff + classify + emit)", |b| {
        b.iter(|| black_box(prepare()))
    });
    group.bench_function("add a method and call it: diff_builds alone", |b| {
        b.iter(|| black_box(diff_builds(black_box(&baseline), &new).unwrap()))
    });
    group.finish();

    let binary = release_binary();
    let v1_path = dir.join("v1/App.dll");
    let v3_path = dir.join("v3/App.dll");
    let mut group = c.benchmark_group("delta");
    group.sample_size(20);
    group.bench_function("add a method and call it: whole process (emit-delta v1 v3 --out fresh)", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |out| {
                black_box(run(&binary, &v1_path, &v3_path, out.path()));
                out
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, session_loaded, whole_process, added_method);
criterion_main!(benches);
