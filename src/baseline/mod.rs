//! What the chain looks like after the generations written so far ([`ChainState`]):
//! cumulative heap sizes and row counts, the EncId chain, reference rows added, and
//! where the definitions of the build applied last live in the chain. [`session`]
//! keeps it on disk between runs.

pub mod fault;
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
            Some(&rid) if rid != 0 => Token::try_new(table, rid),
            _ => Err(Error::Invalid(format!("definition {token} has no row in the chain"))),
        }
    }

    /// Records that definition `token` of the new build lives at chain row `rid`.
    pub fn set(&mut self, token: Token, rid: u32) -> Result<()> {
        let slot = match token.table() {
            Some(TableId::TypeDef) => &mut self.type_def,
            Some(TableId::MethodDef) => &mut self.method_def,
            Some(TableId::Field) => &mut self.field,
            _ => return Ok(()),
        };
        match slot.get_mut(token.rid() as usize) {
            Some(s) => {
                *s = rid;
                Ok(())
            }
            None => Err(Error::Invalid(format!("definition {token} is outside the updated build"))),
        }
    }

    /// Builds the map for a new build: each definition of the new build goes where the
    /// same definition of the build applied last went (`pairs`: old, new tokens).
    pub fn for_new_build(
        &self,
        pairs: impl Iterator<Item = (Token, Token)>,
        new_rows: impl Fn(TableId) -> u32,
    ) -> Result<DefinitionMap> {
        let mut out = DefinitionMap {
            type_def: vec![0; new_rows(TableId::TypeDef) as usize + 1],
            method_def: vec![0; new_rows(TableId::MethodDef) as usize + 1],
            field: vec![0; new_rows(TableId::Field) as usize + 1],
        };
        for (old, new) in pairs {
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
    /// [`fingerprint`] of the baseline file: a session belongs to one baseline.
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
    /// (MethodDef rid, [ImplFlags, Flags, Name, Signature]) of every method the chain
    /// added: a later update or deletion rewrites its row whole.
    #[serde(default)]
    pub added_methods: Vec<(u32, [u32; 4])>,
    /// (TypeDef rid, PropertyMap rid) of every PropertyMap row the chain added.
    #[serde(default)]
    pub property_maps: Vec<(u32, u32)>,
    /// (TypeDef rid, EventMap rid) of every EventMap row the chain added.
    #[serde(default)]
    pub event_maps: Vec<(u32, u32)>,
    /// (identity key, MethodDef rid) of the methods deleted so far (their bodies
    /// throw); a method added again with the same key gets its row back.
    #[serde(default)]
    pub deleted_methods: Vec<(String, u32)>,
    /// Identity keys of the compiler-generated types deleted so far (their rows stay).
    #[serde(default)]
    pub deleted_types: Vec<String>,
    /// The rows of the `HotReloadException` type the chain synthesized for deleted
    /// bodies to throw, once a generation added it (`crate::delta::deleted`).
    #[serde(default)]
    pub hot_reload_exception: Option<crate::delta::deleted::HotReloadExceptionRows>,
    /// (chain token of a parent, CustomAttribute rids) of the attribute rows the chain
    /// added for each parent, in order: with the parent's baseline rows, the rows a
    /// later change of its attributes rewrites.
    #[serde(default)]
    pub custom_attributes: Vec<(u32, Vec<u32>)>,
    /// (key, chain token) of the Property, Event and Param rows the chain added, keyed
    /// by [`crate::delta::member_updates::member_key`]: a later update finds them here.
    #[serde(default)]
    pub added_members: Vec<(String, u32)>,
}

/// The baseline fingerprint (64 bits, as hex): a session belongs to one baseline. Not
/// cryptographic; it tells a rebuilt or swapped baseline from the one the session was
/// made for. Eight bytes at a time in four independent lanes (the baseline is read in
/// full by every run, so this is on the path of each delta), each lane a multiply-xor
/// mix, folded with the length and a final avalanche.
pub fn fingerprint(bytes: &[u8]) -> String {
    format!("{:016x}", fingerprint64(bytes))
}

/// [`fingerprint`] as a number.
pub(crate) fn fingerprint64(bytes: &[u8]) -> u64 {
    const K: [u64; 4] = [0x9e37_79b9_7f4a_7c15, 0xc2b2_ae3d_27d4_eb4f, 0x1656_67b1_9e37_79f9, 0x85eb_ca77_c2b2_ae63];
    let mix = |lane: u64, word: u64, k: u64| (lane ^ word).wrapping_mul(k).rotate_left(29);
    let word = |chunk: &[u8]| {
        let mut w = [0u8; 8];
        w[..chunk.len()].copy_from_slice(chunk);
        u64::from_le_bytes(w)
    };
    let mut lanes = K;
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        for (i, lane) in lanes.iter_mut().enumerate() {
            *lane = mix(*lane, word(&block[i * 8..i * 8 + 8]), K[i]);
        }
    }
    // The last 0..31 bytes, zero-padded; the length below tells padding from zeros.
    for (i, chunk) in blocks.remainder().chunks(8).enumerate() {
        lanes[i] = mix(lanes[i], word(chunk), K[i]);
    }
    let mut h = (bytes.len() as u64).wrapping_mul(K[0]);
    for (i, lane) in lanes.iter().enumerate() {
        h = (h ^ lane.rotate_left(17 * i as u32)).wrapping_mul(K[(i + 1) % 4]);
    }
    // Final avalanche (the finalizer of MurmurHash3's 64-bit variant).
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

impl ChainState {
    /// 2: the baseline fingerprint is [`fingerprint`] (format 1: FNV-1a, which cost a
    /// tenth of a run on a large baseline).
    pub const FORMAT: u32 = 2;

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
            added_methods: Vec::new(),
            property_maps: Vec::new(),
            event_maps: Vec::new(),
            deleted_methods: Vec::new(),
            deleted_types: Vec::new(),
            hot_reload_exception: None,
            custom_attributes: Vec::new(),
            added_members: Vec::new(),
        })
    }

    /// Reads the text of a `state.json` (`path` names it in errors): JSON of the
    /// supported format, then [`ChainState::validate`].
    pub fn from_json(text: &str, path: &std::path::Path) -> Result<Self> {
        let state: ChainState = serde_json::from_str(text)
            .map_err(|e| Error::Invalid(format!("{}: not a valid session state: {e}", path.display())))?;
        if state.format != ChainState::FORMAT {
            return Err(Error::Invalid(format!(
                "{}: session format {} is not the supported {} (made by {} emit-delta); use a new --session folder",
                path.display(),
                state.format,
                ChainState::FORMAT,
                if state.format < ChainState::FORMAT { "an older" } else { "a newer" },
            )));
        }
        state.validate().map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?;
        Ok(state)
    }

    /// Checks what a loaded `state.json` claims before anything uses it: every count fits
    /// the format (row ids below 2^24, #US offsets below 2^24, at most 65535
    /// generations), lists agree with the counts, and the applied build is a plain file
    /// name of the session folder. The error names the field and what was expected.
    pub fn validate(&self) -> Result<()> {
        let bad = |field: &str, expected: &str, found: &dyn std::fmt::Display| {
            Err(Error::Invalid(format!("field `{field}`: expected {expected}, found {found}")))
        };
        if self.rows.len() != TABLE_SLOTS {
            return bad("rows", &format!("{TABLE_SLOTS} row counts"), &format!("{} entries", self.rows.len()));
        }
        for (slot, &count) in self.rows.iter().enumerate() {
            if count > Token::MAX_RID {
                let table = TableId::from_index(slot as u8).map_or("?", |t| t.name());
                return bad(&format!("rows[{slot}] ({table})"), &format!("at most {} rows", Token::MAX_RID), &count);
            }
        }
        if self.generation > u16::MAX as u32 {
            return bad("generation", "at most 65535", &self.generation);
        }
        if self.enc_ids.len() != self.generation as usize {
            return bad("enc_ids", &format!("{} EncIds (one per generation)", self.generation), &self.enc_ids.len());
        }
        for (i, id) in self.enc_ids.iter().enumerate() {
            parse_guid(id).map_err(|_| {
                Error::Invalid(format!("field `enc_ids[{i}]`: expected a 32-digit hex GUID, found `{id}`"))
            })?;
        }
        parse_guid(&self.mvid).map_err(|_| {
            Error::Invalid(format!("field `mvid`: expected a 32-digit hex GUID, found `{}`", self.mvid))
        })?;
        let h = &self.heaps;
        if h.user_strings > Token::MAX_RID {
            return bad("heaps.user_strings", "a #US size below 2^24 (ldstr tokens carry 24 bits)", &h.user_strings);
        }
        for (field, size) in [("heaps.strings", h.strings), ("heaps.blobs", h.blobs)] {
            if size > i32::MAX as u32 {
                return bad(field, "a heap size below 2^31", &size);
            }
        }
        if h.guids > Token::MAX_RID {
            return bad("heaps.guids", "a GUID count below 2^24", &h.guids);
        }
        let rows = |t: TableId| self.rows[t as usize];
        for (field, table, map) in [
            ("definitions.type_def", TableId::TypeDef, &self.definitions.type_def),
            ("definitions.method_def", TableId::MethodDef, &self.definitions.method_def),
            ("definitions.field", TableId::Field, &self.definitions.field),
        ] {
            if map.len() > Token::MAX_RID as usize + 1 {
                return bad(field, "at most 2^24 entries", &map.len());
            }
            if let Some((i, &rid)) = map.iter().enumerate().find(|&(_, &rid)| rid > rows(table)) {
                return bad(
                    &format!("{field}[{i}]"),
                    &format!("a {} row id of at most {}", table.name(), rows(table)),
                    &rid,
                );
            }
        }
        for (i, (key, raw)) in self.added_references.iter().enumerate() {
            let token = Token(*raw);
            match token.table() {
                Some(table) if token.rid() != 0 && token.rid() <= rows(table) => {}
                _ => {
                    return bad(
                        &format!("added_references[{i}] ({key})"),
                        "a token of a row the chain has",
                        &format_args!("{token}"),
                    );
                }
            }
        }
        let row_id = |field: &str, table: TableId, rid: u32| {
            if rid == 0 || rid > rows(table) {
                bad(field, &format!("a {} row id of at most {}", table.name(), rows(table)), &rid)
            } else {
                Ok(())
            }
        };
        let base_rows = |field: &str, i: usize, table: TableId, rid: u32| row_id(&format!("{field}[{i}]"), table, rid);
        for (i, (rid, _)) in self.added_methods.iter().enumerate() {
            base_rows("added_methods", i, TableId::MethodDef, *rid)?;
        }
        for (i, (_, rid)) in self.deleted_methods.iter().enumerate() {
            base_rows("deleted_methods", i, TableId::MethodDef, *rid)?;
        }
        if let Some(rows) = &self.hot_reload_exception {
            row_id("hot_reload_exception.type_def", TableId::TypeDef, rows.type_def)?;
            row_id("hot_reload_exception.code_field", TableId::Field, rows.code_field)?;
            row_id("hot_reload_exception.created_field", TableId::Field, rows.created_field)?;
            row_id("hot_reload_exception.constructor", TableId::MethodDef, rows.constructor)?;
        }
        for (field, maps, table) in [
            ("property_maps", &self.property_maps, TableId::PropertyMap),
            ("event_maps", &self.event_maps, TableId::EventMap),
        ] {
            for (i, (owner, map)) in maps.iter().enumerate() {
                base_rows(field, i, TableId::TypeDef, *owner)?;
                base_rows(field, i, table, *map)?;
            }
        }
        let chain_row = |field: &str, i: usize, raw: u32| -> Result<()> {
            let token = Token(raw);
            match token.table() {
                Some(table) if token.rid() != 0 && token.rid() <= rows(table) => Ok(()),
                _ => bad(&format!("{field}[{i}]"), "a token of a row the chain has", &format_args!("{token}")),
            }
        };
        for (i, (parent, attributes)) in self.custom_attributes.iter().enumerate() {
            chain_row("custom_attributes", i, *parent)?;
            for &rid in attributes {
                base_rows("custom_attributes", i, TableId::CustomAttribute, rid)?;
            }
        }
        for (i, (_, raw)) in self.added_members.iter().enumerate() {
            chain_row("added_members", i, *raw)?;
        }
        if let Some(name) = &self.applied_build {
            let plain = !name.is_empty()
                && name.starts_with("applied.")
                && !name.contains(['/', '\\'])
                && std::path::Path::new(name).file_name() == Some(std::ffi::OsStr::new(name));
            if !plain {
                return bad(
                    "applied_build",
                    "a file name `applied.N.dll` inside the session folder",
                    &format_args!("`{name}`"),
                );
            }
        }
        Ok(())
    }

    /// Checks a loaded state against the state of its baseline alone: the same module,
    /// and counts that only grew from the baseline's (GUIDs by at most 3 per generation:
    /// Module MVID, EncId, EncBaseId; a delta's #GUID stream is sized by that count).
    pub fn validate_against(&self, baseline: &ChainState) -> Result<()> {
        let bad = |field: &str, expected: String, found: &dyn std::fmt::Display| {
            Err(Error::Invalid(format!("field `{field}`: expected {expected}, found {found}")))
        };
        if self.mvid != baseline.mvid {
            return bad("mvid", format!("the baseline's MVID {}", baseline.mvid), &self.mvid);
        }
        if self.module_name != baseline.module_name {
            return bad("module_name", format!("the baseline's `{}`", baseline.module_name), &self.module_name);
        }
        let (h, b) = (&self.heaps, &baseline.heaps);
        for (field, ours, base) in [
            ("heaps.strings", h.strings, b.strings),
            ("heaps.blobs", h.blobs, b.blobs),
            ("heaps.user_strings", h.user_strings, b.user_strings),
            ("heaps.guids", h.guids, b.guids),
        ] {
            if ours < base {
                return bad(field, format!("at least the baseline's {base}"), &ours);
            }
        }
        let most = b.guids as u64 + 3 * self.generation as u64;
        if h.guids as u64 > most {
            return bad("heaps.guids", format!("at most {most} (3 per generation over the baseline's)"), &h.guids);
        }
        for (slot, (&ours, &base)) in self.rows.iter().zip(&baseline.rows).enumerate() {
            if ours < base {
                let table = TableId::from_index(slot as u8).map_or("?", |t| t.name());
                return bad(&format!("rows[{slot}] ({table})"), format!("at least the baseline's {base}"), &ours);
            }
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_sees_every_byte_and_the_length() {
        let base: Vec<u8> = (0..1000u32).map(|i| (i * 7 + 3) as u8).collect();
        let h = fingerprint(&base);
        assert_eq!(h.len(), 16);
        // Each byte position, in the 32-byte blocks and in the tail.
        for at in [0, 7, 8, 31, 32, 500, 991, 999] {
            let mut other = base.clone();
            other[at] ^= 1;
            assert_ne!(fingerprint(&other), h, "byte {at}");
        }
        // Trailing zeros are not padding.
        let mut longer = base.clone();
        longer.push(0);
        assert_ne!(fingerprint(&longer), h);
        assert_ne!(fingerprint(&[]), fingerprint(&[0]));
        assert_eq!(fingerprint(&base), h, "deterministic");
    }

    #[test]
    fn a_state_of_the_older_format_is_refused_with_a_clear_error() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/bench/bin/v1/App.dll");
        let bytes = std::fs::read(path).unwrap();
        let state = ChainState::from_baseline(&bytes, &Assembly::parse(&bytes).unwrap()).unwrap();
        let text = serde_json::to_string(&state).unwrap();
        let file = std::path::Path::new("state.json");
        assert_eq!(ChainState::from_json(&text, file).unwrap(), state);
        // Format 1 fingerprinted the baseline with FNV-1a: its fingerprint cannot match.
        let old = text.replacen(&format!("\"format\":{}", ChainState::FORMAT), "\"format\":1", 1);
        let err = ChainState::from_json(&old, file).unwrap_err().to_string();
        assert!(err.contains("session format 1 is not the supported 2"), "{err}");
        assert!(err.contains("older emit-delta") && err.contains("new --session folder"), "{err}");
    }
}
