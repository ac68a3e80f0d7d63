//! The main job: `emit-delta BASELINE UPDATED|EDITS.json` writes the next generation(s).
//! The work is [`emit_delta::hot::Session`]'s; this module reads the script, writes the
//! files and says what it wrote.

use std::path::{Path, PathBuf};

use emit_delta::baseline::session::write_atomically;
use emit_delta::capability::Capabilities;
use emit_delta::diff::RudeEdit;
use emit_delta::edits::{Change, Script};
use emit_delta::hot::{Delta, Prepared, Session};
use emit_delta::{Error, ReadMode};

/// How a run ended, mapped to the exit-code contract by the caller.
pub enum Outcome {
    Written(Vec<Summary>),
    NoChange(String),
    Rude(Vec<RudeEdit>),
}

#[derive(serde::Serialize)]
pub struct Summary {
    pub generation: u32,
    pub files: Vec<PathBuf>,
    pub updated_methods: Vec<MethodSummary>,
    /// Added types and members.
    pub added: Vec<MethodSummary>,
    /// Deleted methods (their bodies now throw).
    pub deleted_methods: Vec<MethodSummary>,
    pub updated_types: Vec<String>,
    /// Definitions whose custom attributes changed.
    pub attributes_changed: Vec<String>,
    /// Renamed parameters.
    pub parameters_renamed: Vec<String>,
}

#[derive(serde::Serialize)]
pub struct MethodSummary {
    pub name: String,
    /// The chain token.
    pub token: String,
    /// The token in the build it comes from (the updated build; for a deleted method,
    /// the build applied last).
    pub build_token: String,
}

pub struct Options {
    pub baseline: PathBuf,
    pub input: PathBuf,
    pub out: PathBuf,
    pub session: Option<PathBuf>,
    pub capabilities: Option<String>,
}

pub fn run(opts: &Options) -> Result<Outcome, Error> {
    let script = if opts.input.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
        Script::load(&opts.input)?
    } else {
        Script { capabilities: None, changes: vec![Change { updated: opts.input.clone(), edits: None }] }
    };
    let capabilities = match (&opts.capabilities, &script.capabilities) {
        (Some(text), _) => Capabilities::parse(text),
        (None, Some(list)) => *list,
        (None, None) => Capabilities::CORECLR_NET10,
    };
    let session_dir = opts.session.clone().unwrap_or_else(|| opts.out.join(".emit-delta"));
    // One run: the inputs are mapped, not copied (the copy cost more CPU than the diff).
    exit_cleanly_if_an_input_is_cut_short();
    let mut session = Session::open_with(&opts.baseline, capabilities, &session_dir, ReadMode::Map)?;
    let file_name = opts
        .baseline
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::Invalid(format!("{}: not a file name", opts.baseline.display())))?;

    // Every generation is computed in memory first: nothing is written unless all are valid.
    let mut pending: Vec<Summary> = Vec::new();
    let mut outputs: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for change in &script.changes {
        let delta: Delta = match session.prepare(&change.updated, change.edits.as_deref())? {
            Prepared::Delta(d) => *d,
            Prepared::NoChange(message) => return Ok(Outcome::NoChange(message)),
            Prepared::Rude(edits) => return Ok(Outcome::Rude(edits)),
        };
        if let Some(reason) = &delta.pdb_note {
            eprintln!("emit-delta: note: {reason}; the .dpdb has no sequence points");
        }
        let generation = &delta.generation;
        let prefix = opts.out.join(format!("{file_name}.{}", generation.number));
        let files = ["dmeta", "dil", "dpdb"].map(|ext| with_ext(&prefix, ext));
        outputs.push((files[0].clone(), generation.dmeta.clone()));
        outputs.push((files[1].clone(), generation.dil.clone()));
        outputs.push((files[2].clone(), generation.dpdb.clone()));
        pending.push(Summary {
            generation: generation.number,
            files: files.to_vec(),
            updated_methods: summaries(&generation.updated_methods),
            added: summaries(&generation.added),
            deleted_methods: summaries(&generation.deleted_methods),
            updated_types: delta.updated_type_names.clone(),
            attributes_changed: generation.attributes_changed.clone(),
            parameters_renamed: generation.parameters_renamed.clone(),
        });
        session.advance(delta);
    }
    for (path, bytes) in &outputs {
        write_atomically(path, bytes)?;
    }
    session.save()?;
    Ok(Outcome::Written(pending))
}

/// The inputs are mapped ([`ReadMode::Map`]): one truncated by another process (a build
/// writing it) faults on the next read with SIGBUS. End with a clear message instead of a
/// crash; the session and the outputs are written atomically, so they keep what they held.
fn exit_cleanly_if_an_input_is_cut_short() {
    extern "C" fn on_sigbus(_: libc::c_int) {
        const MESSAGE: &[u8] = b"emit-delta: an input file was cut short while it was read (is a build writing it?); \
the session keeps its previous generation; run again once the build is done\n";
        // SAFETY: write(2) and _exit(2) are async-signal-safe; MESSAGE is static.
        unsafe {
            libc::write(2, MESSAGE.as_ptr().cast(), MESSAGE.len());
            libc::_exit(1);
        }
    }
    // SAFETY: installs a handler that only calls async-signal-safe functions.
    unsafe {
        libc::signal(libc::SIGBUS, on_sigbus as extern "C" fn(libc::c_int) as libc::sighandler_t);
    }
}

fn summaries(list: &[emit_delta::delta::Member]) -> Vec<MethodSummary> {
    list.iter()
        .map(|m| MethodSummary { name: m.name.clone(), token: m.chain.to_string(), build_token: m.build.to_string() })
        .collect()
}

fn with_ext(prefix: &Path, ext: &str) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}
