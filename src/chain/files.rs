//! Reading a chain's files from disk: a directory of `<name>.<G>.dmeta/.dil/.dpdb`
//! (what emit-delta and tools/roslyn-deltas write), or explicit file lists.

use std::path::{Path, PathBuf};

use super::DeltaFiles;
use crate::error::{Error, Result};

/// The bytes of one generation, owned.
#[derive(Clone, Debug, Default)]
pub struct OwnedDelta {
    pub metadata: Vec<u8>,
    pub il: Option<Vec<u8>>,
    pub pdb: Option<Vec<u8>>,
}

impl OwnedDelta {
    pub fn files(&self) -> DeltaFiles<'_> {
        DeltaFiles { metadata: &self.metadata, il: self.il.as_deref(), pdb: self.pdb.as_deref() }
    }

    /// Reads a `.dmeta` with the `.dil` and `.dpdb` beside it, each when it exists.
    pub fn read_beside(metadata: &Path) -> Result<Self> {
        let (il, pdb) = companions(metadata);
        OwnedDelta::read(metadata, il.is_file().then_some(il.as_path()), pdb.is_file().then_some(pdb.as_path()))
    }

    /// Reads a `.dmeta` and optionally its `.dil` and `.dpdb`.
    pub fn read(metadata: &Path, il: Option<&Path>, pdb: Option<&Path>) -> Result<Self> {
        let read = |p: &Path| std::fs::read(p).map_err(|e| Error::io(p, e));
        Ok(OwnedDelta { metadata: read(metadata)?, il: il.map(read).transpose()?, pdb: pdb.map(read).transpose()? })
    }
}

/// The `.dil` and `.dpdb` that belong to a `.dmeta` (same stem, same folder).
pub fn companions(metadata: &Path) -> (PathBuf, PathBuf) {
    (metadata.with_extension("dil"), metadata.with_extension("dpdb"))
}

/// The `*.G.dmeta` files of `dir` for G = 1, 2, ... (contiguous, one name stem), each
/// with the `.dil` and `.dpdb` beside it when they exist.
pub fn read_chain_dir(dir: &Path) -> Result<Vec<OwnedDelta>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut found: Vec<(u32, PathBuf)> = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        let Some(stem) = name.strip_suffix(".dmeta") else { continue };
        let Some(generation) = stem.rsplit('.').next().and_then(|g| g.parse::<u32>().ok()) else { continue };
        found.push((generation, path));
    }
    found.sort();
    if found.is_empty() {
        return Err(Error::Invalid(format!("{}: no *.1.dmeta delta", dir.display())));
    }
    let mut deltas = Vec::with_capacity(found.len());
    for (i, (generation, metadata)) in found.iter().enumerate() {
        if *generation != i as u32 + 1 {
            return Err(Error::Invalid(format!(
                "{}: generation {} is missing or repeated (found {})",
                dir.display(),
                i + 1,
                metadata.display()
            )));
        }
        deltas.push(OwnedDelta::read_beside(metadata)?);
    }
    Ok(deltas)
}
