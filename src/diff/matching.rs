//! How the definitions of two builds correspond. Usually a body edit recompiles to
//! the very same metadata apart from RVAs, string literals and the MVID; then every
//! token names the same entity in both builds and nothing needs identity keys
//! ([`DefinitionMatch::SameRows`]). Otherwise definitions are matched by key.

use super::identity::Identities;
use super::pairing::Pairing;
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
    /// Paired as identity keys pair them (a recompile renumbered rows or heaps).
    Paired(Box<Pairing>),
}

impl Default for DefinitionMatch {
    fn default() -> Self {
        DefinitionMatch::Paired(Box::default())
    }
}

impl DefinitionMatch {
    /// The identities of the newer build (`asm`) whose keys this match uses.
    pub fn new_identities<'m, 'a>(&self, asm: &'m crate::Assembly<'a>) -> Result<Identities<'m, 'a>> {
        match self {
            DefinitionMatch::Paired(pairing) if !pairing.new_names.is_empty() => {
                Identities::with_pairing(asm, pairing.new_names.clone())
            }
            _ => Identities::new(asm),
        }
    }

    /// The old build's token of a definition of the new build.
    pub fn old_token(&self, new_ids: &Identities<'_, '_>, new: Token) -> Result<Token> {
        match self {
            DefinitionMatch::SameRows => Ok(new),
            DefinitionMatch::Paired(pairing) => pairing.old_of(new).ok_or_else(|| {
                let key = new_ids.key(new).unwrap_or_else(|_| format!("{new}").into());
                Error::Invalid(format!("{key} is not defined in the build applied last (an added member)"))
            }),
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
            DefinitionMatch::Paired(pairing) => applied_last.for_new_build(
                [TableId::TypeDef, TableId::MethodDef, TableId::Field].into_iter().flat_map(|t| pairing.pairs(t)),
                new_rows,
            ),
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

/// Whether `old` and `new` have the same rows apart from the names of F# definitions
/// named after their source line that only moved ([`Identities::line_free`]): the same
/// row counts and `#Blob` heap, and every column equal except RVAs, with strings
/// compared by content and the name of a line-named TypeDef, MethodDef or Field
/// compared by its line-free name. A line inserted or removed above F# closures gives
/// such builds. Then a token names the same definition in both, as with
/// [`same_rows`], and that pairing is the one the identity keys would make (a row's
/// line-free name is its key's name, and every other column is equal).
pub fn same_rows_but_line_names(old: &Identities<'_, '_>, new: &Identities<'_, '_>) -> Result<bool> {
    use crate::metadata::{ColumnKind, StringIndex};
    let (om, nm) = (old.metadata(), new.metadata());
    if om.blobs.bytes() != nm.blobs.bytes() || om.tables.row_counts() != nm.tables.row_counts() {
        return Ok(false);
    }
    for &table in TableId::ALL.iter() {
        let (a, b) = (om.tables.table(table), nm.tables.table(table));
        // The name column of the tables whose rows can have line-free names.
        let name_column = match table {
            TableId::TypeDef | TableId::Field => Some(1),
            TableId::MethodDef => Some(3),
            _ => None,
        };
        let rva_column = matches!(table, TableId::MethodDef | TableId::FieldRVA).then_some(0);
        for rid in 1..=a.row_count() {
            let (x, y) = (a.raw_row(rid)?, b.raw_row(rid)?);
            for (c, column) in table.columns().iter().enumerate() {
                if Some(c) == rva_column || (x[c] == y[c] && column.kind != ColumnKind::String) {
                    continue;
                }
                if column.kind != ColumnKind::String {
                    return Ok(false);
                }
                let (p, q) = (om.strings.get_bytes(StringIndex(x[c]))?, nm.strings.get_bytes(StringIndex(y[c]))?);
                if p == q {
                    continue;
                }
                let token = Token::new(table, rid);
                let renamed = Some(c) == name_column
                    && matches!((old.line_free(token), new.line_free(token)), (Some(l), Some(r)) if l.name == r.name);
                if !renamed {
                    return Ok(false);
                }
            }
        }
    }
    Ok(true)
}
