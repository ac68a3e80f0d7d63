//! How the definitions of two builds correspond. Usually a body edit recompiles to
//! the very same metadata apart from RVAs, string literals and the MVID; then every
//! token names the same entity in both builds and nothing needs identity keys
//! ([`DefinitionMatch::SameRows`]). Otherwise definitions are matched by key.

use std::collections::HashMap;
use std::rc::Rc;

use super::identity::Identities;
use crate::baseline::DefinitionMap;
use crate::error::{Error, Result};
use crate::metadata::schema::TableId;
use crate::metadata::{MetadataReader, Token};

/// The correspondence between the definitions of the build applied last (old) and
/// the updated build (new).
#[derive(Debug)]
pub enum DefinitionMatch {
    /// Both builds have the same rows: a definition's token is the same in both.
    SameRows,
    /// Matched by identity key (a recompile renumbered rows or heaps).
    ByKey {
        /// Identity key → token of each definition of the older build.
        old: HashMap<Rc<str>, Token>,
        /// Identity key → token of each definition of the newer build.
        new: HashMap<Rc<str>, Token>,
    },
}

impl Default for DefinitionMatch {
    fn default() -> Self {
        DefinitionMatch::ByKey { old: HashMap::new(), new: HashMap::new() }
    }
}

impl DefinitionMatch {
    /// The old build's token of a definition of the new build.
    pub fn old_token(&self, new_ids: &Identities<'_, '_>, new: Token) -> Result<Token> {
        match self {
            DefinitionMatch::SameRows => Ok(new),
            DefinitionMatch::ByKey { old, .. } => {
                let key = new_ids.key(new)?;
                old.get(&key).copied().ok_or_else(|| {
                    Error::Invalid(format!("{key} is not defined in the build applied last (an added member)"))
                })
            }
        }
    }

    /// Where the new build's definitions live in the chain, given where the old
    /// build's did (`applied_last`).
    pub fn next_definition_map(
        &self,
        applied_last: &DefinitionMap,
        new_rows: impl Fn(TableId) -> u32,
    ) -> Result<DefinitionMap> {
        match self {
            // Same rows, same places.
            DefinitionMatch::SameRows => Ok(applied_last.clone()),
            DefinitionMatch::ByKey { old, new } => applied_last.for_new_build(new, old, new_rows),
        }
    }
}

/// Whether `old` and `new` have the same rows: every table byte-identical except the
/// RVA columns (bodies and field data move when a body changes size), and identical
/// `#Strings` and `#Blob` heaps, so equal raw values name equal things. `#US` (string
/// literals) and `#GUID` (the MVID) may differ; bodies are compared separately.
pub fn same_rows(old: &MetadataReader<'_>, new: &MetadataReader<'_>) -> bool {
    if old.strings.bytes() != new.strings.bytes() || old.blobs.bytes() != new.blobs.bytes() {
        return false;
    }
    if old.tables.row_counts() != new.tables.row_counts() {
        return false;
    }
    TableId::ALL.iter().all(|&table| {
        let (a, b) = (old.tables.table(table), new.tables.table(table));
        if a.row_size() != b.row_size() {
            return false;
        }
        match table {
            // Column 0 is the RVA (4 bytes at the row start).
            TableId::MethodDef | TableId::FieldRVA => {
                let size = a.row_size();
                size >= 4
                    && a.bytes().len() == b.bytes().len()
                    && a.bytes().chunks_exact(size).zip(b.bytes().chunks_exact(size)).all(|(x, y)| x[4..] == y[4..])
            }
            _ => a.bytes() == b.bytes(),
        }
    })
}
