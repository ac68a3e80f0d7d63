//! One hot-reload session for one assembly, as the CLI (`emit-delta BASELINE UPDATED`)
//! and `emit-delta watch` drive it: [`Session::open`] on the baseline the process
//! loaded, [`Session::prepare`] an updated build (a [`Delta`], no change, or rude
//! edits; nothing is written), then [`Session::commit`] once the runtime applied it
//! (or drop the delta to discard it). The chain state lives in memory and in the
//! session folder ([`crate::baseline::session`]).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::baseline::session::Session as SessionDir;
use crate::baseline::{ChainState, fingerprint, fresh_guid};
use crate::capability::Capabilities;
use crate::delta::{Builds, Generation, emit_generation};
use crate::diff::classify::classify;
use crate::diff::{OldBodies, RudeEdit, diff_builds_with};
use crate::metadata::schema::TableId;
use crate::metadata::{MetadataReader, Token};
use crate::pdb::locate::{PdbLookup, find_portable_pdb, find_portable_pdb_with};
use crate::pdb::location::SourceLocator;
use crate::{Assembly, Error, FileBytes, ReadMode, Result};

/// A generation computed in memory, not yet applied or saved.
pub struct Delta {
    pub generation: Generation,
    /// The updated build's bytes (saved as the build applied last on commit).
    pub updated: FileBytes,
    /// Display names of the types whose members changed (resolved in the baseline).
    pub updated_type_names: Vec<String>,
    /// Why the `.dpdb` has no sequence points, when the updated build had no portable PDB.
    pub pdb_note: Option<String>,
}

/// What [`Session::prepare`] found.
pub enum Prepared {
    Delta(Box<Delta>),
    NoChange(String),
    Rude(Vec<RudeEdit>),
}

pub struct Session {
    /// The session folder's lock (see [`SessionDir::lock`]).
    _lock: crate::baseline::session::SessionLock,
    baseline_path: PathBuf,
    baseline: FileBytes,
    /// How this session reads the baseline, the updated builds and their PDBs.
    read_mode: ReadMode,
    capabilities: Capabilities,
    dir: SessionDir,
    state: ChainState,
    /// The build applied last (`None`: the baseline).
    applied: Option<FileBytes>,
    /// The summary of the build applied last's bodies, made ahead ([`Session::open`],
    /// [`Session::prepare_ahead`]) or by the first prepare against it, and kept until the
    /// chain advances past it.
    old_bodies: OnceLock<OldBodies>,
    /// Advanced in memory since the last save.
    dirty: bool,
}

fn parse<'a>(path: &Path, bytes: &'a [u8]) -> Result<Assembly<'a>> {
    Assembly::parse(bytes).map_err(|e| e.in_file(path))
}

impl Session {
    /// Opens (or resumes, when `session_dir` holds a session for this baseline) the
    /// session of `baseline` for a runtime with `capabilities`. Files are copied into
    /// memory ([`ReadMode::Copy`]): the session may outlive a rebuild of them.
    pub fn open(baseline: &Path, capabilities: Capabilities, session_dir: &Path) -> Result<Session> {
        Self::open_with(baseline, capabilities, session_dir, ReadMode::Copy)
    }

    /// [`Session::open`], reading files as `read_mode` says ([`ReadMode::Map`] for a
    /// one-shot run).
    pub fn open_with(
        baseline: &Path,
        capabilities: Capabilities,
        session_dir: &Path,
        read_mode: ReadMode,
    ) -> Result<Session> {
        let bytes = FileBytes::load(baseline, read_mode)?;
        let asm = parse(baseline, &bytes)?;
        let dir = SessionDir::new(session_dir);
        // One writer per session folder: held from reading the state until this
        // session is dropped, so every prepare diffs against the build applied last.
        let lock = dir.lock()?;
        let state = match dir.load()? {
            Some(s) => {
                if s.baseline_fingerprint != fingerprint(&bytes) {
                    return Err(Error::Invalid(format!(
                        "{}: the session was made for another baseline (fingerprint {}); use a new --session folder",
                        session_dir.display(),
                        s.baseline_fingerprint
                    )));
                }
                dir.check_against_baseline(&s, &bytes, &asm)?;
                s
            }
            None => ChainState::from_baseline(&bytes, &asm).map_err(|e| e.in_file(baseline))?,
        };
        drop(asm);
        let applied = dir.applied_build(&state, read_mode)?;
        let session = Session {
            baseline_path: baseline.to_path_buf(),
            baseline: bytes,
            read_mode,
            capabilities,
            dir,
            state,
            applied,
            old_bodies: OnceLock::new(),
            dirty: false,
            _lock: lock,
        };
        // The first prepare compares with this build: its summary is part of loading.
        session.prepare_ahead();
        Ok(session)
    }

    /// The generation the chain is at (0: nothing applied yet).
    pub fn generation(&self) -> u32 {
        self.state.generation
    }

    /// The baseline's MVID as .NET's `Guid.ToString()` writes it (lowercase, hyphenated;
    /// the first three groups are stored little-endian).
    pub fn mvid(&self) -> Result<String> {
        let g = self.state.mvid_guid()?.0;
        let h = |r: &[u8]| r.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let rev = |r: &[u8]| r.iter().rev().map(|b| format!("{b:02x}")).collect::<String>();
        Ok(format!("{}-{}-{}-{}-{}", rev(&g[0..4]), rev(&g[4..6]), rev(&g[6..8]), h(&g[8..10]), h(&g[10..16])))
    }

    /// Compares `updated_path` with the build applied last. With `only`, only the listed
    /// methods are updated (each must exist and must have changed).
    pub fn prepare(&self, updated_path: &Path, only: Option<&[String]>) -> Result<Prepared> {
        let new_bytes = FileBytes::load(updated_path, self.read_mode)?;
        let new = parse(updated_path, &new_bytes)?;
        let baseline = parse(&self.baseline_path, &self.baseline)?;
        let old = parse(&self.baseline_path, self.applied_bytes())?;
        let old_bodies = self.old_bodies.get_or_init(|| OldBodies::new(&old));
        let diff = diff_builds_with(&old, &new, old_bodies).map_err(|e| e.in_file(updated_path))?;
        let mut rude = diff.rude_edits.clone();
        let mut methods = diff.updated_methods.clone();
        if let Some(listed) = only {
            let ids = crate::diff::Identities::new(&new)?;
            let names: HashSet<String> = (1..=new.metadata.row_count(TableId::MethodDef))
                .map(|rid| crate::diff::compare::display_name(&ids, Token::new(TableId::MethodDef, rid)))
                .collect();
            for name in listed {
                if !names.contains(name) {
                    return Err(Error::Invalid(format!("{}: edit `{name}`: no such method", updated_path.display())));
                }
                if !methods.iter().any(|m| &m.display == name) {
                    return Err(Error::Invalid(format!(
                        "{}: edit `{name}`: the method did not change",
                        updated_path.display()
                    )));
                }
            }
            methods.retain(|m| listed.contains(&m.display));
        }
        let nothing_else = diff.added.is_empty()
            && diff.deleted_methods.is_empty()
            && diff.attribute_edits.is_empty()
            && diff.parameter_edits.is_empty();
        if nothing_else && rude.is_empty() && methods.is_empty() {
            return Ok(Prepared::NoChange(format!(
                "{}: no semantic change against the build applied last",
                updated_path.display()
            )));
        }
        let old_ids = crate::diff::Identities::new(&old)?;
        let new_ids = diff.definitions.new_identities(&new)?;
        rude.extend(classify(&diff, &new, &old_ids, &new_ids, &methods, self.capabilities)?);
        // A generated type deleted by an earlier generation keeps its row: a second type
        // of that name would be ambiguous to reflection and debuggers.
        for &t in diff.added.iter().filter(|t| t.table() == Some(TableId::TypeDef)) {
            let key = new_ids.key(t)?;
            if self.state.deleted_types.iter().any(|k| **k == *key) {
                rude.push(RudeEdit::new(
                    crate::diff::generated::user_facing(&crate::diff::compare::display_name(&new_ids, t)),
                    "a compiler-generated type that an earlier update deleted is back",
                    "emit-delta cannot give a deleted type its row back yet",
                ));
            }
        }
        if let Some(t) = self.added_type_named_like_the_synthesized_exception(&diff.added, &new)? {
            rude.push(RudeEdit::new(
                crate::diff::compare::display_name(&new_ids, t),
                "a type named like the HotReloadException an earlier update synthesized for deleted methods",
                "the runtime cannot hold two types of one name; restart to use the new type",
            ));
        }
        if !rude.is_empty() {
            // Located by the generated definitions' own names, then folded under the
            // members the user wrote.
            locate(&mut rude, updated_path, &new);
            return Ok(Prepared::Rude(crate::diff::rude::by_user_member(rude)));
        }
        let pdb_lookup =
            find_portable_pdb_with(updated_path, &new, self.read_mode).map_err(|e| e.in_file(updated_path))?;
        let pdb_note = match &pdb_lookup {
            PdbLookup::Missing(reason) => Some(reason.to_string()),
            _ => None,
        };
        let pdb = pdb_lookup.bytes().map(MetadataReader::parse).transpose().map_err(|e| e.in_file(updated_path))?;
        let builds = Builds { baseline: &baseline, old: &old, new: &new, new_pdb: pdb.as_ref() };
        let generation = emit_generation(&self.state, &builds, &diff, &methods, fresh_guid(), self.capabilities)
            .map_err(|e| e.in_file(updated_path))?;
        let updated_type_names = generation.updated_type_names.clone();
        drop(pdb);
        Ok(Prepared::Delta(Box::new(Delta { generation, updated: new_bytes, updated_type_names, pdb_note })))
    }

    /// An added top-level type named `System.Runtime.CompilerServices.HotReloadException`
    /// when the chain already synthesized one (`crate::delta::deleted`).
    fn added_type_named_like_the_synthesized_exception(
        &self,
        added: &[Token],
        new: &Assembly<'_>,
    ) -> Result<Option<Token>> {
        if self.state.hot_reload_exception.is_none() {
            return Ok(None);
        }
        for &t in added.iter().filter(|t| t.table() == Some(TableId::TypeDef)) {
            let r: crate::metadata::schema::TypeDefRow = new.metadata.row(t.rid())?;
            let (namespace, name) = (new.metadata.string(r.namespace)?, new.metadata.string(r.name)?);
            if crate::delta::deleted::is_hot_reload_exception(&namespace, &name) {
                return Ok(Some(t));
            }
        }
        Ok(None)
    }

    /// The bytes of the build applied last (the baseline until a delta is committed).
    fn applied_bytes(&self) -> &[u8] {
        self.applied.as_deref().unwrap_or(&self.baseline)
    }

    /// Does now what the next [`Session::prepare`] would do first with the build applied
    /// last (summarise its bodies, about 2.5 ms for 20,000 methods), so that a host that
    /// waits for the next edit (`watch`) takes it off that edit's path; [`Session::open`]
    /// does it for the baseline, a host calls it after [`Session::commit`]. Errors are
    /// left for the prepare to report.
    pub fn prepare_ahead(&self) {
        if let Ok(old) = Assembly::parse(self.applied_bytes()) {
            self.old_bodies.get_or_init(|| OldBodies::new(&old));
        }
    }

    /// Moves the chain in memory past `delta` without saving it (a later
    /// [`Session::save`] or [`Session::commit`] saves).
    pub fn advance(&mut self, delta: Delta) {
        self.state = delta.generation.next;
        self.applied = Some(delta.updated);
        self.old_bodies = OnceLock::new();
        self.dirty = true;
    }

    /// Saves the chain as it is in memory to the session folder (atomically).
    pub fn save(&mut self) -> Result<()> {
        match &self.applied {
            Some(applied) if self.dirty => {
                self.dir.commit(&mut self.state, applied)?;
                self.dirty = false;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The runtime applied `delta`: advance the chain and save it.
    pub fn commit(&mut self, delta: Delta) -> Result<()> {
        self.advance(delta);
        self.save()
    }

    /// The runtime refused `delta` (or it was not sent): the chain stays where it was.
    pub fn discard(&self, delta: Delta) {
        drop(delta);
    }
}

/// Sets the source location of each rude edit from the updated build's portable PDB.
/// Best effort: without a PDB, or with one this cannot read, the edits keep no location
/// (the rude edit itself is what matters; a bad PDB is reported when a delta needs it).
fn locate(rude: &mut [RudeEdit], updated_path: &Path, new: &Assembly<'_>) {
    let Ok(lookup) = find_portable_pdb(updated_path, new) else { return };
    let Some(Ok(pdb)) = lookup.bytes().map(MetadataReader::parse) else { return };
    let Ok(locator) = SourceLocator::new(new, &pdb) else { return };
    for edit in rude {
        let at_subject = edit.subject.and_then(|t| locator.of_definition(t).ok().flatten());
        edit.location = at_subject.or_else(|| locator.of_member(&edit.member).ok().flatten());
    }
}
