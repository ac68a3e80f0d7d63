//! Random edit sequences through the real runtime: for each seed, a random F# program
//! and a random C# program (`support::random_program`) are edited version after version
//! (a literal, a regenerated subexpression with closures and calls coming and going, an
//! added function, an added or edited module value / static field, lines inserted at the
//! top, an added function returning a closure that `Run` keeps from its first call on
//! and calls every time), every version is built with `dotnet build` as Debug, and
//! emit-delta is run as `watch --on-rude restart` would: each version against the
//! session's baseline, and after a refusal a new session from the refused version (the
//! restart).
//!
//! The promise checked at every step: an edit is either refused (exit 8, nothing
//! written) or applied so that, in a CoreCLR child process that applies the session's
//! generations in order and forces the JIT over every method (`tools/hotreload-host`),
//! the entry method returns what a fresh run of that version's build returns. An edit of
//! literals only must apply. One documented exception (README, "Semantics worth
//! knowing"): when the update deleted generated code, a closure kept from before that
//! calls it throws `HotReloadException`, as with Roslyn's deltas; that is counted apart
//! and the app restarted. Each applied chain is also checked by `emit-delta check`
//! and by System.Reflection.Metadata (`tools/delta-verify`).
//!
//! `EMIT_DELTA_RANDOM_SEEDS` (default `1 2`; ranges like `10-40` allowed) and
//! `EMIT_DELTA_RANDOM_VERSIONS` (default 6) make longer runs; a failing run keeps its
//! sources, builds and deltas under the target folder and prints where
//! (`EMIT_DELTA_RANDOM_KEEP=1` keeps them after a passing run too).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::random_program::{EditKind, Language, Program, Rng};

const EMIT_DELTA: &str = env!("CARGO_BIN_EXE_emit-delta");

/// One seed's versions of one program, as a scenario folder build.sh can build.
struct Sequence {
    name: String,
    dir: PathBuf,
    versions: Vec<String>,
    /// `edits[i]` made `versions[i + 1]` from `versions[i]`.
    edits: Vec<EditKind>,
}

impl Sequence {
    fn generate(root: &Path, language: Language, seed: u64, count: usize) -> Sequence {
        let name = format!("{}-{seed}", language.name());
        let dir = root.join(&name);
        let mut rng = Rng::new(seed.wrapping_mul(2).wrapping_add(language as u64));
        let mut program = Program::random(language, &mut rng);
        let mut versions = Vec::new();
        let mut edits = Vec::new();
        for n in 1..=count {
            if n > 1 {
                edits.push(program.edit(&mut rng));
            }
            let version = format!("v{n}");
            std::fs::create_dir_all(dir.join(&version)).unwrap();
            std::fs::write(dir.join(&version).join(language.source_file()), program.render()).unwrap();
            versions.push(version);
        }
        let json = serde_json::json!({
            "language": language.name(),
            "entry": "App.Program::Run",
            "versions": versions,
            "edits": edits.iter().map(|e| e.name()).collect::<Vec<_>>(),
        });
        std::fs::write(dir.join("scenario.json"), serde_json::to_string_pretty(&json).unwrap()).unwrap();
        Sequence { name, dir, versions, edits }
    }

    fn dll(&self, version: usize) -> PathBuf {
        self.dir.join("bin").join(&self.versions[version]).join("App.dll")
    }
}

fn seeds() -> Vec<u64> {
    let text = std::env::var("EMIT_DELTA_RANDOM_SEEDS").unwrap_or_else(|_| "1 2".into());
    let mut seeds = Vec::new();
    for token in text.split([' ', ',']).filter(|t| !t.is_empty()) {
        let bad = || panic!("EMIT_DELTA_RANDOM_SEEDS: `{token}` is not a seed or a range like 3-9");
        match token.split_once('-') {
            Some((a, b)) => {
                let (a, b): (u64, u64) = (a.parse().unwrap_or_else(|_| bad()), b.parse().unwrap_or_else(|_| bad()));
                seeds.extend(a..=b);
            }
            None => seeds.push(token.parse().unwrap_or_else(|_| bad())),
        }
    }
    seeds
}

fn version_count() -> usize {
    std::env::var("EMIT_DELTA_RANDOM_VERSIONS")
        .map(|v| v.parse().expect("EMIT_DELTA_RANDOM_VERSIONS is a number"))
        .unwrap_or(6)
}

struct Tools {
    dotnet: PathBuf,
    host: PathBuf,
    verify: PathBuf,
    probe: PathBuf,
}

impl Tools {
    /// The host's `gen N: …` lines after loading `dll` and applying `prefixes` in order.
    fn host_run(&self, dll: &Path, prefixes: &[PathBuf]) -> (Vec<String>, Output) {
        let run = Command::new(&self.dotnet)
            .arg(&self.host)
            .arg(dll)
            .arg("App.Program::Run")
            .arg("--probe")
            .arg(&self.probe)
            .args(prefixes)
            .env("DOTNET_MODIFIABLE_ASSEMBLIES", "debug")
            .output()
            .unwrap();
        let lines = String::from_utf8_lossy(&run.stdout)
            .lines()
            .filter(|l| l.starts_with("gen "))
            .map(str::to_string)
            .collect();
        (lines, run)
    }

    fn fresh(&self, dll: &Path) -> Result<String, String> {
        let (lines, run) = self.host_run(dll, &[]);
        match lines.first().and_then(|l| l.strip_prefix("gen 0: ")) {
            Some(result) if run.status.success() => Ok(result.to_string()),
            _ => Err(format!("fresh run of {} failed: {}", dll.display(), String::from_utf8_lossy(&run.stderr))),
        }
    }
}

/// A session: the build it started from and the versions applied to it, in order.
struct Session {
    base: usize,
    out: PathBuf,
    applied: Vec<usize>,
}

/// What happened to each version after the first, for the summary.
#[derive(Default)]
struct Tally {
    applied: usize,
    refused: usize,
    unchanged: usize,
    /// Applied, and then a closure kept from before called deleted generated code.
    deleted_code_threw: usize,
    lines: Vec<String>,
}

fn run_sequence(tools: &Tools, s: &Sequence, tally: &mut Tally) -> Result<(), String> {
    let fresh: Vec<String> = (0..s.versions.len()).map(|v| tools.fresh(&s.dll(v))).collect::<Result<_, _>>()?;
    let mut sessions = vec![Session { base: 0, out: s.dir.join("out-v1"), applied: vec![] }];
    for version in 1..s.versions.len() {
        let session = sessions.last_mut().unwrap();
        let last = session.applied.last().copied().unwrap_or(session.base);
        let pending = &s.edits[last..version];
        let label = format!(
            "{} {} ({})",
            s.name,
            s.versions[version],
            pending.iter().map(|e| e.name()).collect::<Vec<_>>().join(" + ")
        );
        let before = support::snapshot(&session.out);
        let o = Command::new(EMIT_DELTA)
            .arg(s.dll(session.base))
            .arg(s.dll(version))
            .arg("--out")
            .arg(&session.out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        match o.status.code() {
            Some(0) => {
                let generation = session.applied.len() + 1;
                for ext in ["dmeta", "dil", "dpdb"] {
                    let file = session.out.join(format!("App.dll.{generation}.{ext}"));
                    if !file.is_file() {
                        return Err(format!("{label}: applied but {} is missing", file.display()));
                    }
                }
                session.applied.push(version);
                tally.applied += 1;
                match runtime_check(tools, s, session, &fresh)? {
                    None => tally.lines.push(format!("{label}: applied as generation {generation}")),
                    Some(threw) => {
                        // Roslyn's rule, which emit-delta follows: the methods of generated
                        // code the update deleted throw when an old closure calls them.
                        if !String::from_utf8_lossy(&o.stdout).lines().any(|l| l.trim_start().starts_with("deleted ")) {
                            return Err(format!("{label}: {threw}, but the update deleted nothing"));
                        }
                        tally.deleted_code_threw += 1;
                        tally.lines.push(format!(
                            "{label}: applied as generation {generation}; a kept closure throws: {threw}"
                        ));
                        // Its app would be restarted: the next session starts from this build.
                        sessions.push(Session {
                            base: version,
                            out: s.dir.join(format!("out-v{}", version + 1)),
                            applied: vec![],
                        });
                    }
                }
            }
            Some(5) => {
                if fresh[version] != fresh[last] {
                    return Err(format!(
                        "{label}: reported no change, but a fresh run gives {:?} instead of {:?}",
                        fresh[version], fresh[last]
                    ));
                }
                tally.unchanged += 1;
                tally.lines.push(format!("{label}: no change"));
            }
            Some(8) => {
                if pending.iter().all(|e| *e == EditKind::Literal) {
                    return Err(format!("{label}: an edit of literals only was refused: {stderr}"));
                }
                if support::snapshot(&session.out) != before {
                    return Err(format!("{label}: refused, but the session folder changed"));
                }
                tally.refused += 1;
                let reason = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim().to_string();
                tally.lines.push(format!("{label}: refused: {reason}"));
                // The restart: the refused version's build becomes the next baseline.
                sessions.push(Session {
                    base: version,
                    out: s.dir.join(format!("out-v{}", version + 1)),
                    applied: vec![],
                });
            }
            code => return Err(format!("{label}: emit-delta exit {code:?}: {stderr}")),
        }
    }
    for session in sessions.iter().filter(|s| !s.applied.is_empty()) {
        check_chain(tools, s, session)?;
    }
    Ok(())
}

/// The generation files of a session, in order.
fn prefixes(session: &Session) -> Vec<PathBuf> {
    (1..=session.applied.len()).map(|g| session.out.join(format!("App.dll.{g}"))).collect()
}

/// Applies a session's generations in CoreCLR: each must give what a fresh run of its
/// version gives. `Some(error)` when all do but the last, which throws because a
/// closure kept from before called generated code the update deleted.
fn runtime_check(tools: &Tools, s: &Sequence, session: &Session, fresh: &[String]) -> Result<Option<String>, String> {
    let (results, run) = tools.host_run(&s.dll(session.base), &prefixes(session));
    let expected: Vec<String> = std::iter::once(session.base)
        .chain(session.applied.iter().copied())
        .enumerate()
        .map(|(g, v)| format!("gen {g}: {}", fresh[v]))
        .collect();
    if let ([before @ .., last], [same @ .., _]) = (&results[..], &expected[..])
        && before == same
        && results.len() == expected.len()
        && let Some((_, error)) = last.split_once(": error ")
        && error.starts_with(DELETED_CODE_THREW)
    {
        return Ok(Some(error.to_string()));
    }
    if results != expected || !run.status.success() {
        return Err(format!(
            "{} from {}: the runtime gave\n  {}\nbut fresh runs of {} give\n  {}\n(stderr: {})",
            s.name,
            s.versions[session.base],
            results.join("\n  "),
            std::iter::once(session.base)
                .chain(session.applied.iter().copied())
                .map(|v| s.versions[v].as_str())
                .collect::<Vec<_>>()
                .join(", "),
            expected.join("\n  "),
            String::from_utf8_lossy(&run.stderr)
        ));
    }
    Ok(None)
}

/// What the host prints when a deleted method's body throws.
const DELETED_CODE_THREW: &str =
    "System.Runtime.CompilerServices.HotReloadException: Attempted to invoke a deleted method implementation";

/// Checks a session's chain with `emit-delta check` and System.Reflection.Metadata.
fn check_chain(tools: &Tools, s: &Sequence, session: &Session) -> Result<(), String> {
    let base = s.dll(session.base);
    let deltas: Vec<PathBuf> =
        prefixes(session).iter().map(|p| PathBuf::from(format!("{}.dmeta", p.display()))).collect();
    let check = Command::new(EMIT_DELTA).arg("check").arg(&base).args(&deltas).output().unwrap();
    if !check.status.success() {
        return Err(format!("{}: emit-delta check:\n{}", s.name, String::from_utf8_lossy(&check.stdout)));
    }
    let v = Command::new(&tools.dotnet).arg(&tools.verify).arg("-q").arg(&base).args(&deltas).output().unwrap();
    if !v.status.success() {
        return Err(format!(
            "{}: System.Reflection.Metadata rejected the chain:\n{}",
            s.name,
            String::from_utf8_lossy(&v.stdout)
        ));
    }
    Ok(())
}

#[test]
fn random_edit_sequences_apply_like_a_restart_or_are_refused() {
    let Some(dotnet) = support::dotnet("random_edit_sequences_apply_like_a_restart_or_are_refused") else { return };
    let host = support::build_tool(&dotnet, "hotreload-host", "HotReloadHost");
    let verify = support::build_tool(&dotnet, "delta-verify", "DeltaVerify");
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("random-edits-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let count = version_count();
    assert!(count >= 2, "EMIT_DELTA_RANDOM_VERSIONS must be at least 2");
    let sequences: Vec<Sequence> = seeds()
        .into_iter()
        .flat_map(|seed| [Language::FSharp, Language::CSharp].map(|l| (seed, l)))
        .map(|(seed, language)| Sequence::generate(&root, language, seed, count))
        .collect();
    let started = std::time::Instant::now();
    let names: Vec<&str> = sequences.iter().map(|s| s.name.as_str()).collect();
    if let Err(e) = support::build_scenarios(&root, &names, None) {
        panic!("{e}\n(sources kept in {})", root.display());
    }
    println!("built {} versions in {:.1?}", sequences.len() * count, started.elapsed());

    let tools = Tools { dotnet, host, verify, probe: root.join("_shared") };
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for s in &sequences {
        if let Err(e) = run_sequence(&tools, s, &mut tally) {
            failures.push(e);
        }
    }
    for line in &tally.lines {
        println!("{line}");
    }
    println!(
        "{} sequences, {} edits: {} applied ({} of them with a kept closure calling deleted code), {} refused, {} unchanged",
        sequences.len(),
        sequences.len() * (count - 1),
        tally.applied,
        tally.deleted_code_threw,
        tally.refused,
        tally.unchanged
    );
    if !failures.is_empty() {
        panic!(
            "{} of {} sequences broke the promise:\n{}\n(sources, builds and deltas kept in {})",
            failures.len(),
            sequences.len(),
            failures.join("\n"),
            root.display()
        );
    }
    // Most random edits are of method bodies: a run where few apply tests little.
    assert!(
        tally.applied * 2 >= tally.applied + tally.refused,
        "fewer than half of the edits applied ({} of {})",
        tally.applied,
        tally.applied + tally.refused
    );
    if std::env::var_os("EMIT_DELTA_RANDOM_KEEP").is_some() {
        println!("sources, builds and deltas kept in {}", root.display());
    } else {
        std::fs::remove_dir_all(&root).unwrap();
    }
}
