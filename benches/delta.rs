//! Delta-emission benchmark: one changed method (App.C42::M17) against a baseline with
//! 20,000 methods (testdata/bench, made by testdata/bench/generate.sh). Measures the
//! emission with the session already loaded (diff + emit, and each alone) and a whole
//! `emit-delta` process run. Also the F# matching benchmark: 2,000 closures
//! (testdata/bench-fs, made by testdata/bench-fs/generate.sh) with one line inserted at
//! the top of the file, and what emitting line-only updates for it would cost. See
//! BENCHMARKS.md.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use emit_delta::Assembly;
use emit_delta::baseline::{ChainState, fresh_guid};
use emit_delta::capability::Capabilities;
use emit_delta::delta::{Builds, emit_generation};
use emit_delta::diff::compare::{BuildDiff, UpdatedMethod};
use emit_delta::diff::{OldBodies, diff_builds, diff_builds_with};
use emit_delta::metadata::{MetadataReader, Token};

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
    let pdb = MetadataReader::parse(&pdb_bytes).expect("portable PDB");
    // Generation 1: the build applied last is the baseline itself.
    let old = &baseline;

    let diff = diff_builds(old, &new).expect("diff");
    assert!(diff.rude_edits.is_empty(), "unexpected rude edits: {:?}", diff.rude_edits);
    assert_eq!(diff.updated_methods.len(), 1, "exactly one method changes");
    assert_eq!(diff.updated_methods[0].display, "App.C42::M17");
    let builds = Builds { baseline: &baseline, old, new: &new, new_pdb: Some(&pdb) };
    let generation =
        emit_generation(&state, &builds, &diff, &diff.updated_methods, fresh_guid(), Capabilities::CORECLR_NET10)
            .unwrap();
    assert_eq!(generation.updated_methods.len(), 1);
    assert!(generation.dpdb.len() > 100, "the .dpdb carries the method's debug rows");

    let mut group = c.benchmark_group("delta");
    // A session keeps the summary of the old build's bodies from one prepare to the next.
    let old_bodies = OldBodies::new(old);
    group.bench_function("emit with session loaded (diff + emit)", |b| {
        b.iter(|| {
            let diff = diff_builds_with(black_box(old), black_box(&new), &old_bodies).unwrap();
            let generation = emit_generation(
                &state,
                &builds,
                &diff,
                &diff.updated_methods,
                fresh_guid(),
                Capabilities::CORECLR_NET10,
            )
            .unwrap();
            black_box(generation)
        })
    });
    group.bench_function("diff_builds alone", |b| b.iter(|| black_box(diff_builds(black_box(old), &new).unwrap())));
    group.bench_function("diff_builds_with alone (summary kept)", |b| {
        b.iter(|| black_box(diff_builds_with(black_box(old), &new, &old_bodies).unwrap()))
    });
    // Part of diff_builds: whether a type initializer reaches the changed method.
    group.bench_function("type-initializer check alone (part of diff_builds)", |b| {
        let ids = emit_delta::diff::Identities::new(&new).unwrap();
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
            black_box(
                emit_generation(
                    &state,
                    black_box(&builds),
                    &diff,
                    &diff.updated_methods,
                    fresh_guid(),
                    Capabilities::CORECLR_NET10,
                )
                .unwrap(),
            )
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
    // What a loaded session keeps: the summary of the build applied last's bodies.
    let old_bodies = OldBodies::new(&baseline);
    let prepare = || {
        let diff = diff_builds_with(&baseline, &new, &old_bodies).unwrap();
        let (old_ids, new_ids) = (Identities::new(&baseline).unwrap(), Identities::new(&new).unwrap());
        let rude =
            classify(&diff, &new, &old_ids, &new_ids, &diff.updated_methods, Capabilities::CORECLR_NET10).unwrap();
        assert!(rude.is_empty() && diff.rude_edits.is_empty(), "{rude:?} {:?}", diff.rude_edits);
        emit_generation(&state, &builds, &diff, &diff.updated_methods, fresh_guid(), Capabilities::CORECLR_NET10)
            .unwrap()
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
    group.bench_function("add a method and call it: diff_builds_with alone (summary kept)", |b| {
        b.iter(|| black_box(diff_builds_with(black_box(&baseline), &new, &old_bodies).unwrap()))
    });
    group.bench_function("add a method and call it: summary of the old bodies alone", |b| {
        b.iter(|| black_box(OldBodies::new(black_box(&baseline))))
    });
    // What a host pays per edit: `hot::Session::prepare` on an opened session, reading
    // the updated build and its PDB from disk (copied, as `watch` reads them) each time.
    let session_dir = tempfile::tempdir().unwrap();
    let v1_path = dir.join("v1/App.dll");
    let v3_path = dir.join("v3/App.dll");
    let session = emit_delta::hot::Session::open(&v1_path, Capabilities::CORECLR_NET10, session_dir.path()).unwrap();
    group.bench_function("add a method and call it: Session::prepare (files read each time)", |b| {
        b.iter(|| match session.prepare(black_box(&v3_path), None).unwrap() {
            emit_delta::hot::Prepared::Delta(delta) => black_box(delta),
            _ => panic!("v1 -> v3 is a delta"),
        })
    });
    drop(session);
    group.finish();

    let binary = release_binary();
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

/// CPU time this thread has used, in milliseconds.
#[cfg(unix)]
fn thread_cpu_ms() -> f64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime only writes the timespec it is given.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    t.tv_sec as f64 * 1e3 + t.tv_nsec as f64 / 1e6
}

/// The methods of `new` whose sequence points differ from their match in `old` (the
/// methods a line-only update would have to carry), each paired by the diff's match.
fn methods_with_moved_lines(
    old_pdb: &MetadataReader<'_>,
    new: &Assembly<'_>,
    new_pdb: &MetadataReader<'_>,
    diff: &BuildDiff,
) -> Vec<UpdatedMethod> {
    use emit_delta::metadata::schema::{MethodDebugInformationRow, TableId};
    let ids = emit_delta::diff::Identities::new(new).unwrap();
    let points = |pdb: &MetadataReader<'_>, rid: u32| -> Vec<u8> {
        let row: MethodDebugInformationRow = pdb.row(rid).unwrap();
        pdb.blob(row.sequence_points).unwrap().to_vec()
    };
    let mut moved = Vec::new();
    for rid in 1..=new.metadata.row_count(TableId::MethodDef) {
        let n = Token::new(TableId::MethodDef, rid);
        let o = diff.definitions.old_token(&ids, n).unwrap();
        let (a, b) = (points(old_pdb, o.rid()), points(new_pdb, rid));
        if a != b {
            moved.push(UpdatedMethod { old: o, new: n, display: emit_delta::diff::compare::display_name(&ids, n) });
        }
    }
    moved
}

/// F#: 2,000 closure classes, and v2 is v1 with one line inserted at the top, so every
/// closure class and debug helper has another name and every sequence point moved.
fn fsharp_line_insertion(c: &mut Criterion) {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/bench-fs/bin"));
    let (v1, v2) = (read(&dir.join("v1/App.dll")), read(&dir.join("v2/App.dll")));
    let old = Assembly::parse(&v1).expect("baseline parses");
    let new = Assembly::parse(&v2).expect("updated build parses");
    let closures = (1..=new.metadata.row_count(emit_delta::metadata::schema::TableId::TypeDef))
        .filter(|&rid| {
            let row: emit_delta::metadata::schema::TypeDefRow = new.metadata.row(rid).unwrap();
            new.metadata.string(row.name).unwrap().contains('@')
        })
        .count();
    assert!(closures >= 2000, "the fixture has {closures} closure classes");
    let diff = diff_builds(&old, &new).expect("diff");
    assert!(
        diff.rude_edits.is_empty(),
        "unexpected rude edits: {:?}",
        &diff.rude_edits[..3.min(diff.rude_edits.len())]
    );
    assert!(diff.updated_methods.is_empty(), "no IL changed, yet {} methods differ", diff.updated_methods.len());

    // The machine this runs on is often shared: wall-clock figures then grow with the
    // load, while the thread's CPU time per run does not.
    #[cfg(unix)]
    {
        let runs = 50;
        let start = thread_cpu_ms();
        for _ in 0..runs {
            black_box(diff_builds(black_box(&old), black_box(&new)).unwrap());
        }
        eprintln!(
            "matching + diff: {:.2} ms of CPU time per run (mean of {runs})",
            (thread_cpu_ms() - start) / runs as f64
        );
        // The general key-matching comparison on the same pair, for comparison.
        let runs = 10;
        let start = thread_cpu_ms();
        for _ in 0..runs {
            black_box(emit_delta::diff::compare::diff_by_key(black_box(&old), black_box(&new)).unwrap());
        }
        eprintln!(
            "diff_by_key alone (general path): {:.2} ms of CPU time per run (mean of {runs})",
            (thread_cpu_ms() - start) / runs as f64
        );
    }

    let mut group = c.benchmark_group("fsharp");
    group.bench_function("2,000 closures, one line inserted at the top: matching + diff", |b| {
        b.iter(|| black_box(diff_builds(black_box(&old), black_box(&new)).unwrap()))
    });

    // Line-only updates: what emitting a method update for every method whose
    // sequence points moved would cost (README, "F# closures survive inserted lines").
    let (old_pdb_bytes, new_pdb_bytes) = (read(&dir.join("v1/App.pdb")), read(&dir.join("v2/App.pdb")));
    let old_pdb = MetadataReader::parse(&old_pdb_bytes).expect("portable PDB");
    let new_pdb = MetadataReader::parse(&new_pdb_bytes).expect("portable PDB");
    let moved = methods_with_moved_lines(&old_pdb, &new, &new_pdb, &diff);
    let state = ChainState::from_baseline(&v1, &old).expect("chain state");
    let builds = Builds { baseline: &old, old: &old, new: &new, new_pdb: Some(&new_pdb) };
    let generation =
        emit_generation(&state, &builds, &diff, &moved, fresh_guid(), Capabilities::CORECLR_NET10).unwrap();
    #[cfg(unix)]
    {
        let runs = 20;
        let start = thread_cpu_ms();
        for _ in 0..runs {
            black_box(
                emit_generation(&state, &builds, &diff, &moved, fresh_guid(), Capabilities::CORECLR_NET10).unwrap(),
            );
        }
        eprintln!(
            "line-only updates: emit_generation {:.2} ms of CPU time per run (mean of {runs})",
            (thread_cpu_ms() - start) / runs as f64
        );
    }
    eprintln!(
        "line-only updates: {} of {} methods have moved sequence points; one generation carrying them: \
         .dmeta {} B, .dil {} B, .dpdb {} B",
        moved.len(),
        new.metadata.row_count(emit_delta::metadata::schema::TableId::MethodDef),
        generation.dmeta.len(),
        generation.dil.len(),
        generation.dpdb.len()
    );
    group.sample_size(20);
    group.bench_function("line-only updates of every moved method: emit_generation alone", |b| {
        b.iter(|| {
            black_box(
                emit_generation(&state, &builds, &diff, &moved, fresh_guid(), Capabilities::CORECLR_NET10).unwrap(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, session_loaded, whole_process, added_method, fsharp_line_insertion);
criterion_main!(benches);
