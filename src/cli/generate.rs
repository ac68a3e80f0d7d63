//! The main job: `emit-delta BASELINE UPDATED|EDITS.json` writes the next generation(s).

use std::path::{Path, PathBuf};

use emit_delta::baseline::session::{Session, write_atomically};
use emit_delta::baseline::{ChainState, fresh_guid};
use emit_delta::delta::{Generation, emit_generation};
use emit_delta::diff::{RudeEdit, diff_builds};
use emit_delta::edits::{CORECLR_NET10_CAPABILITIES, Change, Script, parse_capabilities};
use emit_delta::metadata::MetadataReader;
use emit_delta::metadata::schema::TableId;
use emit_delta::pdb::locate::{PdbLookup, find_portable_pdb};
use emit_delta::{Assembly, Error, FileBytes};

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
    pub updated_types: Vec<String>,
}

#[derive(serde::Serialize)]
pub struct MethodSummary {
    pub name: String,
    pub token: String,
}

pub struct Options {
    pub baseline: PathBuf,
    pub input: PathBuf,
    pub out: PathBuf,
    pub session: Option<PathBuf>,
    pub capabilities: Option<String>,
}

fn load(path: &Path) -> Result<FileBytes, Error> {
    FileBytes::open(path)
}

fn parse<'a>(path: &Path, bytes: &'a [u8]) -> Result<Assembly<'a>, Error> {
    Assembly::parse(bytes).map_err(|e| e.in_file(path))
}

/// Generic methods and methods of generic types need `GenericUpdateMethod`.
fn is_generic(asm: &Assembly<'_>, method: emit_delta::metadata::Token, owner: emit_delta::metadata::Token) -> bool {
    let md = &asm.metadata;
    let has_params = |t: emit_delta::metadata::Token| {
        emit_delta::metadata::CodedIndex::TypeOrMethodDef
            .encode(t)
            .and_then(|k| md.equal_range(TableId::GenericParam, 2, k).ok())
            .is_some_and(|r| !r.is_empty())
    };
    has_params(method) || has_params(owner)
}

pub fn run(opts: &Options) -> Result<Outcome, Error> {
    let script = if opts.input.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
        Script::load(&opts.input)?
    } else {
        Script { capabilities: None, changes: vec![Change { updated: opts.input.clone(), edits: None }] }
    };
    let capabilities = match (&opts.capabilities, &script.capabilities) {
        (Some(text), _) => parse_capabilities(text),
        (None, Some(list)) => list.clone(),
        (None, None) => parse_capabilities(CORECLR_NET10_CAPABILITIES),
    };
    let has = |c: &str| capabilities.iter().any(|x| x == c);

    let baseline_bytes = load(&opts.baseline)?;
    let baseline = parse(&opts.baseline, &baseline_bytes)?;
    let session = Session::new(opts.session.clone().unwrap_or_else(|| opts.out.join(".emit-delta")));
    // One writer per session: held from reading the state until the commit is done.
    let _lock = session.lock()?;
    let mut state = match session.load()? {
        Some(s) => {
            if s.baseline_fingerprint != emit_delta::baseline::fingerprint(&baseline_bytes) {
                return Err(Error::Invalid(format!(
                    "{}: the session was made for another baseline (fingerprint {}); use a new --session folder",
                    session.dir.display(),
                    s.baseline_fingerprint
                )));
            }
            session.check_against_baseline(&s, &baseline_bytes, &baseline)?;
            s
        }
        None => ChainState::from_baseline(&baseline_bytes, &baseline).map_err(|e| e.in_file(&opts.baseline))?,
    };
    let file_name = opts
        .baseline
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::Invalid(format!("{}: not a file name", opts.baseline.display())))?;

    // Every generation is computed in memory first: nothing is written unless all are valid.
    let mut applied: Option<Vec<u8>> = session.applied_build(&state)?;
    let mut pending: Vec<(Generation, Vec<u8>)> = Vec::new();
    for change in &script.changes {
        let new_bytes = std::fs::read(&change.updated).map_err(|e| Error::io(&change.updated, e))?;
        let new = parse(&change.updated, &new_bytes)?;
        let old_bytes: &[u8] = applied.as_deref().unwrap_or(&baseline_bytes);
        let old = parse(&opts.baseline, old_bytes)?;
        let diff = diff_builds(&old, &new).map_err(|e| e.in_file(&change.updated))?;
        let mut rude = diff.rude_edits.clone();
        let mut methods = diff.updated_methods.clone();
        if let Some(listed) = &change.edits {
            let ids = emit_delta::diff::Identities::new(&new.metadata)?;
            let names: std::collections::HashSet<String> = (1..=new.metadata.row_count(TableId::MethodDef))
                .map(|rid| {
                    emit_delta::diff::compare::display_name(
                        &ids,
                        emit_delta::metadata::Token::new(TableId::MethodDef, rid),
                    )
                })
                .collect();
            for name in listed {
                if !names.contains(name) {
                    return Err(Error::Invalid(format!("{}: edit `{name}`: no such method", change.updated.display())));
                }
                if !methods.iter().any(|m| &m.display == name) {
                    return Err(Error::Invalid(format!(
                        "{}: edit `{name}`: the method did not change",
                        change.updated.display()
                    )));
                }
            }
            methods.retain(|m| listed.contains(&m.display));
        }
        if !has("Baseline") {
            rude.push(RudeEdit::new("<runtime>", "no Baseline capability", "the runtime cannot apply any update"));
        }
        if !has("GenericUpdateMethod") {
            let ids = emit_delta::diff::Identities::new(&new.metadata)?;
            for m in &methods {
                if is_generic(&new, m.new, ids.owner_of(m.new)) {
                    rude.push(RudeEdit::new(
                        m.display.clone(),
                        "generic method body updated",
                        "the runtime lacks the GenericUpdateMethod capability",
                    ));
                }
            }
        }
        if !rude.is_empty() {
            return Ok(Outcome::Rude(rude));
        }
        if methods.is_empty() {
            return Ok(Outcome::NoChange(format!(
                "{}: no semantic change against the build applied last",
                change.updated.display()
            )));
        }
        let pdb_lookup = find_portable_pdb(&change.updated, &new).map_err(|e| e.in_file(&change.updated))?;
        if let PdbLookup::Missing(reason) = &pdb_lookup {
            eprintln!("emit-delta: note: {reason}; the .dpdb has no sequence points");
        }
        let pdb = pdb_lookup.bytes().map(MetadataReader::parse).transpose().map_err(|e| e.in_file(&change.updated))?;
        let generation = emit_generation(&state, &baseline, &new, pdb.as_ref(), &diff, &methods, fresh_guid())
            .map_err(|e| e.in_file(&change.updated))?;
        state = generation.next.clone();
        pending.push((generation, new_bytes.clone()));
        applied = Some(new_bytes);
    }

    let mut summaries = Vec::new();
    for (generation, _) in &pending {
        let prefix = opts.out.join(format!("{file_name}.{}", generation.number));
        let dmeta = with_ext(&prefix, "dmeta");
        let dil = with_ext(&prefix, "dil");
        let dpdb = with_ext(&prefix, "dpdb");
        write_atomically(&dmeta, &generation.dmeta)?;
        write_atomically(&dil, &generation.dil)?;
        write_atomically(&dpdb, &generation.dpdb)?;
        summaries.push(Summary {
            generation: generation.number,
            files: vec![dmeta, dil, dpdb],
            updated_methods: generation
                .updated_methods
                .iter()
                .map(|(name, token)| MethodSummary { name: name.clone(), token: token.to_string() })
                .collect(),
            updated_types: generation
                .updated_types
                .iter()
                .map(|t| type_name(&baseline, t.rid()).unwrap_or_else(|| t.to_string()))
                .collect(),
        });
    }
    if let Some((_, last)) = pending.last() {
        session.commit(&mut state, last)?;
    }
    Ok(Outcome::Written(summaries))
}

fn with_ext(prefix: &Path, ext: &str) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

fn type_name(asm: &Assembly<'_>, rid: u32) -> Option<String> {
    let ids = emit_delta::diff::Identities::new(&asm.metadata).ok()?;
    Some(emit_delta::diff::compare::display_name(&ids, emit_delta::metadata::Token::new(TableId::TypeDef, rid)))
}
