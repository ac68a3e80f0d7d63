//! What the chain looks like after the generations written so far ([`ChainState`]):
//! cumulative heap sizes and row counts, the EncId chain, reference rows added, and
//! where the definitions of the build applied last live in the chain. [`session`]
//! keeps it on disk between runs.

pub mod session;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::assembly::Assembly;
use crate::error::{Error, Result};
use crate::metadata::schema::{ModuleRow, TableId};
use crate::metadata::tables::TABLE_SLOTS;
use crate::metadata::{Guid, Token};

/// Where each definition of the build applied last lives in the chain, per table
/// (index = row id in that build). Empty means the identity (the baseline itself).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefinitionMap {
    pub type_def: Vec<u32>,
    pub method_def: Vec<u32>,
    pub field: Vec<u32>,
}

impl DefinitionMap {
    fn table(&self, table: TableId) -> Option<&Vec<u32>> {
        match table {
            TableId::TypeDef => Some(&self.type_def),
            TableId::MethodDef => Some(&self.method_def),
            TableId::Field => Some(&self.field),
            _ => None,
        }
    }

    /// The chain token of a definition of the build applied last.
    pub fn chain_token(&self, token: Token) -> Result<Token> {
        let table = token.table().ok_or_else(|| Error::Invalid(format!("{token} is not a definition")))?;
        let map = self.table(table).ok_or_else(|| Error::Invalid(format!("{token} is not a definition")))?;
        if map.is_empty() {
            return Ok(token);
        }
        match map.get(token.rid() as usize) {
            Some(&rid) if rid != 0 => Ok(Token::new(table, rid)),
            _ => Err(Error::Invalid(format!("definition {token} has no row in the chain"))),
        }
    }

    /// Builds the map for a new build from identity keys: each definition of the new
    /// build goes where the equal definition of the build applied last went.
    pub fn for_new_build(
        &self,
        new_definitions: &HashMap<std::rc::Rc<str>, Token>,
        old_definitions: &HashMap<std::rc::Rc<str>, Token>,
        new_rows: impl Fn(TableId) -> u32,
    ) -> Result<DefinitionMap> {
        let mut out = DefinitionMap {
            type_def: vec![0; new_rows(TableId::TypeDef) as usize + 1],
            method_def: vec![0; new_rows(TableId::MethodDef) as usize + 1],
            field: vec![0; new_rows(TableId::Field) as usize + 1],
        };
        for (key, &new) in new_definitions {
            let Some(&old) = old_definitions.get(key) else { continue };
            let slot = match new.table() {
                Some(TableId::TypeDef) => &mut out.type_def,
                Some(TableId::MethodDef) => &mut out.method_def,
                Some(TableId::Field) => &mut out.field,
                _ => continue,
            };
            if let Some(s) = slot.get_mut(new.rid() as usize) {
                *s = self.chain_token(old)?.rid();
            }
        }
        Ok(out)
    }
}

/// The state of a delta chain after its last generation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainState {
    /// Format version of this record.
    pub format: u32,
    /// FNV-1a 64 of the baseline file, as hex: a session belongs to one baseline.
    pub baseline_fingerprint: String,
    pub mvid: String,
    pub module_name: String,
    /// The last generation written (0: none yet).
    pub generation: u32,
    /// EncId of each generation written, in order.
    pub enc_ids: Vec<String>,
    pub heaps: crate::delta::heaps::HeapBases,
    /// Cumulative row count of every table slot.
    pub rows: Vec<u32>,
    /// Reference rows added by deltas, by identity key.
    pub added_references: Vec<(String, u32)>,
    pub definitions: DefinitionMap,
    /// File name (inside the session folder) of the build applied last; `None` while
    /// that is still the baseline.
    pub applied_build: Option<String>,
}

/// FNV-1a 64-bit, the baseline fingerprint.
pub fn fingerprint(bytes: &[u8]) -> String {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    format!("{h:016x}")
}

impl ChainState {
    pub const FORMAT: u32 = 1;

    /// The state before any generation: the baseline alone.
    pub fn from_baseline(bytes: &[u8], baseline: &Assembly<'_>) -> Result<Self> {
        let md = &baseline.metadata;
        if md.row_count(TableId::Module) == 0 {
            return Err(Error::Invalid("the baseline has no Module row".into()));
        }
        let module: ModuleRow = md.row(1)?;
        let mvid = md.guid(module.mvid)?.ok_or_else(|| Error::Invalid("the baseline has no MVID".into()))?;
        Ok(ChainState {
            format: Self::FORMAT,
            baseline_fingerprint: fingerprint(bytes),
            mvid: hex(&mvid.0),
            module_name: md.string(module.name)?.into_owned(),
            generation: 0,
            enc_ids: Vec::new(),
            heaps: crate::chain::baseline_heap_bases(md),
            rows: md.tables.row_counts().to_vec(),
            added_references: Vec::new(),
            definitions: DefinitionMap::default(),
            applied_build: None,
        })
    }

    pub fn row_counts(&self) -> Result<crate::metadata::tables::RowCounts> {
        self.rows.as_slice().try_into().map_err(|_| {
            Error::Invalid(format!("session row counts have {} entries, expected {TABLE_SLOTS}", self.rows.len()))
        })
    }

    pub fn mvid_guid(&self) -> Result<Guid> {
        parse_guid(&self.mvid)
    }

    pub fn last_enc_id(&self) -> Result<Option<Guid>> {
        self.enc_ids.last().map(|s| parse_guid(s)).transpose()
    }

    pub fn added_reference_map(&self) -> HashMap<String, Token> {
        self.added_references.iter().map(|(k, t)| (k.clone(), Token(*t))).collect()
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn parse_guid(s: &str) -> Result<Guid> {
    let bad = || Error::Invalid(format!("session: `{s}` is not a 32-digit hex GUID"));
    if s.len() != 32 {
        return Err(bad());
    }
    let mut g = [0u8; 16];
    for (i, b) in g.iter_mut().enumerate() {
        *b = u8::from_str_radix(s.get(2 * i..2 * i + 2).ok_or_else(bad)?, 16).map_err(|_| bad())?;
    }
    Ok(Guid(g))
}

/// A fresh random (version 4) GUID for an EncId.
pub fn fresh_guid() -> Guid {
    let mut g = [0u8; 16];
    getrandom::fill(&mut g).expect("the operating system's random source");
    g[7] = (g[7] & 0x0F) | 0x40;
    g[8] = (g[8] & 0x3F) | 0x80;
    Guid(g)
}
