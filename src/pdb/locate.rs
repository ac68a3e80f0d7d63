//! Finding the portable PDB of a build: embedded in the PE, or a standalone file next
//! to it (the file name the CodeView entry records, then `<name>.pdb`). A standalone
//! PDB must carry the id the CodeView entry names: a stale PDB would describe other code.

use std::path::{Path, PathBuf};

use crate::assembly::{Assembly, FileBytes, ReadMode};
use crate::error::{Error, Result};
use crate::metadata::MetadataReader;
use crate::pe::debug::kind;

/// Where a build's portable PDB was found, or why none was.
#[derive(Debug)]
pub enum PdbLookup {
    Embedded(Vec<u8>),
    Standalone(PathBuf, FileBytes),
    /// No usable portable PDB; the reason is for a note to the user.
    Missing(String),
}

impl PdbLookup {
    /// The PDB's bytes, if one was found.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            PdbLookup::Embedded(b) => Some(b),
            PdbLookup::Standalone(_, b) => Some(b),
            PdbLookup::Missing(_) => None,
        }
    }
}

/// Finds the portable PDB of `assembly`, read from `path` (a standalone PDB is copied
/// into memory).
pub fn find_portable_pdb(path: &Path, assembly: &Assembly<'_>) -> Result<PdbLookup> {
    find_portable_pdb_with(path, assembly, ReadMode::Copy)
}

/// [`find_portable_pdb`], reading a standalone PDB as `mode` says.
pub fn find_portable_pdb_with(path: &Path, assembly: &Assembly<'_>, mode: ReadMode) -> Result<PdbLookup> {
    if let Some(bytes) = assembly.embedded_pdb()? {
        return Ok(PdbLookup::Embedded(bytes));
    }
    let Some(pe) = &assembly.pe else {
        return Ok(PdbLookup::Missing(format!("{} is not a PE image", path.display())));
    };
    let codeview = pe.debug_entries()?.into_iter().find(|e| e.kind == kind::CODEVIEW);
    let mut candidates = Vec::new();
    if let Some(entry) = &codeview {
        let recorded = entry.codeview(pe)?.path;
        // The recorded path may be from another machine (or Windows): keep its file name only.
        if let Some(name) = recorded.rsplit(['/', '\\']).next().filter(|n| !n.is_empty()) {
            candidates.push(path.with_file_name(name));
        }
    }
    candidates.push(path.with_extension("pdb"));
    let Some(file) = candidates.into_iter().find(|p| p.is_file()) else {
        return Ok(PdbLookup::Missing(format!("no portable PDB embedded in or next to {}", path.display())));
    };
    let bytes = FileBytes::load(&file, mode)?;
    if !bytes.starts_with(b"BSJB") {
        return Ok(PdbLookup::Missing(format!("{} is not a portable PDB", file.display())));
    }
    let pdb = MetadataReader::parse(&bytes).map_err(|e| e.in_file(&file))?;
    let Some(stream) = &pdb.pdb else {
        return Err(Error::Invalid(format!("{}: metadata without a #Pdb stream is not a PDB", file.display())));
    };
    if let Some(entry) = &codeview {
        let expected = entry.codeview(pe)?.guid;
        let stamp = u32::from_le_bytes([stream.id[16], stream.id[17], stream.id[18], stream.id[19]]);
        if stream.id[..16] != expected.0 || stamp != entry.stamp {
            return Err(Error::Invalid(format!(
                "{}: the PDB does not belong to {} (its id differs from the CodeView entry); rebuild both",
                file.display(),
                path.display()
            )));
        }
    }
    Ok(PdbLookup::Standalone(file, bytes))
}
