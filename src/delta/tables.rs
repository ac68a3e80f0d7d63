//! The delta's tables: rows keyed by table and row id, the EncLog and EncMap derived
//! from them, and the uncompressed `#-` stream every column of which is 4 bytes wide
//! (except fixed-size constants).

use std::collections::BTreeMap;

use crate::metadata::schema::{ColumnKind, MAX_COLUMNS, TableId};
use crate::metadata::tables::heap_sizes;
use crate::metadata::{Token, enc_op};

/// The order Roslyn's DeltaMetadataWriter logs tables in (references first, then
/// definitions, then the tables that hang off them).
pub const ENC_LOG_ORDER: &[TableId] = &[
    TableId::AssemblyRef,
    TableId::ModuleRef,
    TableId::MemberRef,
    TableId::MethodSpec,
    TableId::TypeRef,
    TableId::TypeSpec,
    TableId::StandAloneSig,
    TableId::TypeDef,
    TableId::EventMap,
    TableId::PropertyMap,
    TableId::Event,
    TableId::Field,
    TableId::MethodDef,
    TableId::Property,
    TableId::Param,
    TableId::Constant,
    TableId::CustomAttribute,
    TableId::DeclSecurity,
    TableId::ClassLayout,
    TableId::FieldLayout,
    TableId::MethodSemantics,
    TableId::MethodImpl,
    TableId::ImplMap,
    TableId::FieldRVA,
    TableId::NestedClass,
    TableId::GenericParam,
    TableId::InterfaceImpl,
    TableId::GenericParamConstraint,
    TableId::ManifestResource,
];

/// Type-system tables Roslyn declares sorted in every delta (`.dmeta` and `.dpdb`).
pub const SORTED_TABLES: u64 = 0x0000_1600_3301_EA00;
/// Debug tables declared sorted when present (LocalScope, StateMachineMethod,
/// CustomDebugInformation), as System.Reflection.Metadata's writer does.
pub const SORTED_DEBUG_TABLES: u64 = 0x00C4_0000_0000_0000;

/// One row: its raw column values in schema order.
pub type RawRow = [u32; MAX_COLUMNS];

#[derive(Default, Debug, Clone)]
pub struct DeltaTables {
    rows: BTreeMap<TableId, BTreeMap<u32, RawRow>>,
    /// Parent announcements: (parent token, operation) logged right before a row.
    announcements: BTreeMap<Token, (Token, u32)>,
}

impl DeltaTables {
    /// Adds or replaces row `rid` of `table`; an error when `rid` is 0 or does not fit
    /// in a token (a generation that would need a row past 2^24). Every row id stored
    /// here fits, so the EncLog and EncMap tokens built from them are exact.
    pub fn set(&mut self, table: TableId, rid: u32, row: RawRow) -> crate::error::Result<()> {
        if rid == 0 {
            return Err(crate::error::Error::Invalid(format!("{} row id 0 is not a row", table.name())));
        }
        Token::try_new(table, rid)?;
        self.rows.entry(table).or_default().insert(rid, row);
        Ok(())
    }

    pub fn contains(&self, table: TableId, rid: u32) -> bool {
        self.rows.get(&table).is_some_and(|t| t.contains_key(&rid))
    }

    /// Announces an added member on its parent in the EncLog (AddMethod and kin).
    pub fn announce(&mut self, member: Token, parent: Token, operation: u32) {
        self.announcements.insert(member, (parent, operation));
    }

    pub fn row_count(&self, table: TableId) -> u32 {
        self.rows.get(&table).map_or(0, |t| t.len() as u32)
    }

    /// EncLog entries: per table in [`ENC_LOG_ORDER`], rows by id, announcements first.
    pub fn enc_log(&self) -> Vec<(Token, u32)> {
        let mut log = Vec::new();
        for &table in ENC_LOG_ORDER {
            for &rid in self.rows.get(&table).into_iter().flat_map(|t| t.keys()) {
                let token = Token::new(table, rid);
                if let Some(&(parent, operation)) = self.announcements.get(&token) {
                    log.push((parent, operation));
                }
                log.push((token, enc_op::DEFAULT));
            }
        }
        log
    }

    /// EncMap entries: every row's token, sorted (Module, EncLog and EncMap excepted).
    pub fn enc_map(&self) -> Vec<Token> {
        let mut map: Vec<Token> = self
            .rows
            .iter()
            .filter(|(t, _)| !matches!(t, TableId::Module | TableId::EncLog | TableId::EncMap))
            .flat_map(|(&t, rows)| rows.keys().map(move |&rid| Token::new(t, rid)))
            .collect();
        map.sort();
        map
    }

    /// Serializes a `#-` stream of a minimal delta: `enc` adds EncLog and EncMap; `debug`
    /// (a PDB delta) adds the EncMap of its MethodDebugInformation rows.
    pub fn serialize(&self, enc: bool, debug: bool) -> Vec<u8> {
        let mut all = self.rows.clone();
        if enc {
            let log = self.enc_log();
            let log_rows = all.entry(TableId::EncLog).or_default();
            for (i, (token, operation)) in log.iter().enumerate() {
                log_rows.insert(i as u32 + 1, row(&[token.0, *operation]));
            }
            let map = self.enc_map();
            let map_rows = all.entry(TableId::EncMap).or_default();
            for (i, token) in map.iter().enumerate() {
                map_rows.insert(i as u32 + 1, row(&[token.0]));
            }
        } else if debug {
            // A PDB delta maps only its MethodDebugInformation rows (to the methods' row
            // ids, as Roslyn does); its other debug rows are numbered within the delta.
            let map: Vec<Token> =
                self.enc_map().into_iter().filter(|t| t.table() == Some(TableId::MethodDebugInformation)).collect();
            let map_rows = all.entry(TableId::EncMap).or_default();
            for (i, token) in map.iter().enumerate() {
                map_rows.insert(i as u32 + 1, row(&[token.0]));
            }
        }
        let valid = all.iter().filter(|(_, r)| !r.is_empty()).fold(0u64, |m, (t, _)| m | 1 << (*t as u8));
        let mut out = Vec::new();
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&[2, 0]);
        out.push(
            heap_sizes::LARGE_STRINGS
                | heap_sizes::LARGE_GUIDS
                | heap_sizes::LARGE_BLOBS
                | heap_sizes::ENC_DELTA
                | heap_sizes::DELETED_MARKS,
        );
        out.push(1);
        out.extend_from_slice(&valid.to_le_bytes());
        out.extend_from_slice(&(SORTED_TABLES | (valid & SORTED_DEBUG_TABLES)).to_le_bytes());
        for (_, rows) in all.iter().filter(|(_, r)| !r.is_empty()) {
            out.extend_from_slice(&(rows.len() as u32).to_le_bytes());
        }
        for (table, rows) in &all {
            for values in rows.values() {
                for (column, value) in table.columns().iter().zip(values) {
                    match column.kind {
                        ColumnKind::U16 | ColumnKind::U8Padded => out.extend_from_slice(&(*value as u16).to_le_bytes()),
                        _ => out.extend_from_slice(&value.to_le_bytes()),
                    }
                }
            }
        }
        out.push(0);
        out.resize((out.len() + 3) & !3, 0);
        out
    }
}

/// A raw row from the leading column values.
pub fn row(values: &[u32]) -> RawRow {
    let mut r = [0u32; MAX_COLUMNS];
    r[..values.len()].copy_from_slice(values);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_refuses_row_ids_that_do_not_fit_a_token() {
        let mut t = DeltaTables::default();
        t.set(TableId::TypeRef, Token::MAX_RID, row(&[0x6, 1, 2])).unwrap();
        let err = t.set(TableId::TypeRef, Token::MAX_RID + 1, row(&[0x6, 1, 2])).unwrap_err().to_string();
        assert!(err.contains("TypeRef row id 16777216"), "{err}");
        let err = t.set(TableId::MethodDef, 0, row(&[0; 6])).unwrap_err().to_string();
        assert!(err.contains("MethodDef row id 0"), "{err}");
        // Only the row that fits was stored, and its token is exact.
        assert_eq!(t.enc_map(), vec![Token(0x01FF_FFFF)]);
        assert_eq!(t.enc_log(), vec![(Token(0x01FF_FFFF), enc_op::DEFAULT)]);
    }

    #[test]
    fn enc_log_announces_parents_and_map_is_sorted() {
        let mut t = DeltaTables::default();
        t.set(TableId::MethodDef, 7, row(&[4, 0, 0x96, 10, 20, 0])).unwrap();
        t.set(TableId::MethodDef, 2, row(&[4, 0, 0x96, 10, 20, 0])).unwrap();
        t.set(TableId::TypeRef, 12, row(&[0x6, 1, 2])).unwrap();
        t.announce(Token::new(TableId::MethodDef, 7), Token::new(TableId::TypeDef, 2), enc_op::METHOD_CREATE);
        assert_eq!(
            t.enc_log(),
            vec![
                (Token(0x0100_000C), enc_op::DEFAULT),
                (Token(0x0600_0002), enc_op::DEFAULT),
                (Token(0x0200_0002), enc_op::METHOD_CREATE),
                (Token(0x0600_0007), enc_op::DEFAULT),
            ]
        );
        assert_eq!(t.enc_map(), vec![Token(0x0100_000C), Token(0x0600_0002), Token(0x0600_0007)]);
    }
}
