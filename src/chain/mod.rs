//! A baseline and its deltas read as one chain, the way the runtime sees them after
//! applying generation after generation: where each delta's heaps start in the chain's
//! index space, which chain token each physical delta row stands for (its EncMap), and
//! which generation holds the current version of a row.
//!
//! This is the read side shared by everything that inspects deltas without writing
//! them (`emit-delta check`, `mdv-compare`). It trusts nothing: a delta whose EncMap
//! or heaps are inconsistent still opens, and the lookups report what they cannot
//! resolve as errors, so a validator can name each rule broken.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

pub mod compare;
pub mod files;
pub mod il;
mod pdb_compare;
pub mod resolve;

use crate::delta::heaps::HeapBases;
use crate::error::{Error, Result};
use crate::metadata::schema::{EncLogRow, EncMapRow, TableId};
use crate::metadata::tables::{RowCounts, TABLE_SLOTS};
use crate::metadata::{BlobIndex, Guid, GuidIndex, MetadataReader, StringIndex, Token, UserStringIndex};

/// The bytes of one generation's files. `il` and `pdb` are optional: a metadata
/// delta alone can be read (IL lookups then fail).
#[derive(Clone, Copy, Debug)]
pub struct DeltaFiles<'a> {
    pub metadata: &'a [u8],
    pub il: Option<&'a [u8]>,
    pub pdb: Option<&'a [u8]>,
}

/// One EncLog entry: the token and the edit operation (`EncLogRow::operation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncLogEntry {
    pub token: Token,
    pub operation: u32,
}

pub use crate::metadata::enc_op;

/// A generation of the chain (numbered from 1).
#[derive(Debug)]
pub struct ChainGeneration<'a> {
    pub number: u32,
    pub metadata: MetadataReader<'a>,
    pub il: Option<&'a [u8]>,
    /// The portable-PDB delta, with its own heaps (they do not continue the chain).
    pub pdb: Option<MetadataReader<'a>>,
    pub enc_log: Vec<EncLogEntry>,
    pub enc_map: Vec<Token>,
    /// Where this delta's heaps start in the chain's index space.
    pub heap_bases: HeapBases,
    /// Row count of every table slot before and after this generation.
    pub rows_before: RowCounts,
    pub rows_after: RowCounts,
    /// Chain token → physical row of this delta, from the EncMap (the k-th EncMap
    /// token of a table is the table's k-th row).
    physical: HashMap<Token, u32>,
    /// Physical row → chain token per table slot, built on first use.
    by_physical: OnceLock<Vec<Vec<Token>>>,
}

impl ChainGeneration<'_> {
    /// The physical row of this delta that holds `token`, if it has one.
    pub fn physical_row(&self, token: Token) -> Option<u32> {
        self.physical.get(&token).copied()
    }

    /// The chain token a physical row of this delta stands for. Rows beyond the EncMap
    /// (and the EncLog/EncMap tables themselves) have none, except the Module row,
    /// which Roslyn leaves out of the EncMap and is always row 1.
    pub fn chain_token(&self, table: TableId, physical_rid: u32) -> Option<Token> {
        if matches!(table, TableId::EncLog | TableId::EncMap) {
            return None;
        }
        let by_physical = self.by_physical.get_or_init(|| {
            let mut out = vec![Vec::new(); TABLE_SLOTS];
            for &t in &self.enc_map {
                if let Some(table) = t.table() {
                    out[table as usize].push(t);
                }
            }
            out
        });
        match by_physical[table as usize].get(physical_rid.checked_sub(1)? as usize) {
            Some(&t) => Some(t),
            None if table == TableId::Module && physical_rid == 1 => Some(Token::new(TableId::Module, 1)),
            None => None,
        }
    }

    /// Whether `token` is a row this generation adds (beyond the earlier row count).
    pub fn adds(&self, token: Token) -> bool {
        token.table().is_some_and(|t| token.rid() > self.rows_before[t as usize])
    }
}

/// Where the current version of a row lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowLocation {
    Baseline(u32),
    /// (generation number, physical row in that delta).
    Delta(u32, u32),
}

/// A baseline and the deltas applied to it, in order.
#[derive(Debug)]
pub struct Chain<'a> {
    pub baseline: MetadataReader<'a>,
    pub generations: Vec<ChainGeneration<'a>>,
    /// Entry offsets of the `#US` heap of the baseline (0) and of each generation,
    /// built on first use so checking every `ldstr` stays linear in the heap size.
    user_string_starts: Vec<OnceLock<Vec<u32>>>,
}

impl<'a> Chain<'a> {
    /// Reads `deltas` in generation order on top of `baseline` (its metadata).
    pub fn open(baseline: MetadataReader<'a>, deltas: &[DeltaFiles<'a>]) -> Result<Self> {
        let mut bases = baseline_heap_bases(&baseline);
        let mut rows = *baseline.tables.row_counts();
        let mut generations = Vec::with_capacity(deltas.len());
        for (i, files) in deltas.iter().enumerate() {
            let number = i as u32 + 1;
            let what = |e: Error| Error::Invalid(format!("generation {number}: {e}"));
            let metadata = MetadataReader::parse(files.metadata).map_err(what)?;
            let pdb = files.pdb.map(MetadataReader::parse).transpose().map_err(what)?;
            let enc_log = metadata
                .tables
                .rows::<EncLogRow>()
                .map(|(_, r)| r.map(|r| EncLogEntry { token: Token(r.token), operation: r.operation }))
                .collect::<Result<Vec<_>>>()
                .map_err(what)?;
            let enc_map =
                metadata.tables.rows::<EncMapRow>().map(|(_, r)| r.map(|r| Token(r.token))).collect::<Result<Vec<_>>>();
            let enc_map = enc_map.map_err(what)?;
            let rows_before = rows;
            let mut physical = HashMap::with_capacity(enc_map.len());
            let mut next_physical = [0u32; TABLE_SLOTS];
            for &token in &enc_map {
                let Some(table) = token.table() else { continue };
                let slot = &mut next_physical[table as usize];
                *slot += 1;
                physical.entry(token).or_insert(*slot);
                rows[table as usize] = rows[table as usize].max(token.rid());
            }
            if metadata.row_count(TableId::Module) > 0 {
                physical.entry(Token::new(TableId::Module, 1)).or_insert(1);
            }
            let heap_bases = bases;
            bases = HeapBases {
                strings: bases.strings.saturating_add(metadata.strings.size() as u32),
                blobs: bases.blobs.saturating_add(metadata.blobs.size() as u32),
                user_strings: bases.user_strings.saturating_add(metadata.user_strings.size() as u32),
                // A padded #GUID holds every earlier GUID's slot; an unpadded one only its own.
                guids: metadata.guids.count().max(bases.guids),
            };
            generations.push(ChainGeneration {
                number,
                metadata,
                il: files.il,
                pdb,
                enc_log,
                enc_map,
                heap_bases,
                rows_before,
                rows_after: rows,
                physical,
                by_physical: OnceLock::new(),
            });
        }
        let user_string_starts = (0..=generations.len()).map(|_| OnceLock::new()).collect();
        Ok(Chain { baseline, generations, user_string_starts })
    }

    /// The generation numbered `number` (1-based).
    pub fn generation(&self, number: u32) -> Option<&ChainGeneration<'a>> {
        self.generations.get(number.checked_sub(1)? as usize)
    }

    /// Row counts of the chain after generation `number` (0: the baseline).
    pub fn row_counts(&self, number: u32) -> RowCounts {
        match self.generation(number) {
            Some(g) => g.rows_after,
            None => *self.baseline.tables.row_counts(),
        }
    }

    /// Where the version of `token` current after generation `as_of` lives, or `None`
    /// when the chain has no such row by then.
    pub fn locate(&self, token: Token, as_of: u32) -> Option<RowLocation> {
        let table = token.table()?;
        if token.is_nil() || token.rid() > self.row_counts(as_of)[table as usize] {
            return None;
        }
        for g in self.generations.iter().take(as_of as usize).rev() {
            if let Some(rid) = g.physical_row(token) {
                return Some(RowLocation::Delta(g.number, rid));
            }
        }
        (token.rid() <= self.baseline.row_count(table)).then_some(RowLocation::Baseline(token.rid()))
    }

    /// The raw column values of the current version of `token` after generation `as_of`.
    pub fn raw_row(&self, token: Token, as_of: u32) -> Result<[u32; crate::metadata::schema::MAX_COLUMNS]> {
        let table = token.table().ok_or_else(|| Error::Invalid(format!("{token} is not a table token")))?;
        match self.locate(token, as_of) {
            Some(RowLocation::Baseline(rid)) => self.baseline.tables.table(table).raw_row(rid),
            Some(RowLocation::Delta(n, rid)) => {
                self.generations[n as usize - 1].metadata.tables.table(table).raw_row(rid)
            }
            None => Err(Error::Invalid(format!("{token} is not a row of the chain after generation {as_of}"))),
        }
    }

    /// Which metadata holds heap offset `index` of a heap, and the offset inside it.
    fn heap_owner(
        &self,
        index: u32,
        size: impl Fn(&MetadataReader<'a>) -> usize,
        base: impl Fn(&HeapBases) -> u32,
    ) -> Option<(&MetadataReader<'a>, u32)> {
        if (index as usize) < size(&self.baseline) {
            return Some((&self.baseline, index));
        }
        self.generations.iter().rev().find_map(|g| {
            let start = base(&g.heap_bases);
            let inside = index.checked_sub(start)?;
            ((inside as usize) < size(&g.metadata)).then_some((&g.metadata, inside))
        })
    }

    /// A `#Strings` value by its chain-wide offset.
    pub fn string(&self, index: StringIndex) -> Result<Cow<'a, str>> {
        let (md, at) = self.heap_owner(index.0, |m| m.strings.size(), |b| b.strings).ok_or_else(|| {
            Error::malformed("#Strings", index.0 as u64, "an offset inside a heap of the chain", index.0)
        })?;
        md.strings.get(StringIndex(at))
    }

    /// A `#Blob` value by its chain-wide offset.
    pub fn blob(&self, index: BlobIndex) -> Result<&'a [u8]> {
        if index.0 == 0 {
            return Ok(&[]);
        }
        let (md, at) = self.heap_owner(index.0, |m| m.blobs.size(), |b| b.blobs).ok_or_else(|| {
            Error::malformed("#Blob", index.0 as u64, "an offset inside a heap of the chain", index.0)
        })?;
        md.blobs.get(BlobIndex(at))
    }

    /// A `#US` literal by its chain-wide offset (an `ldstr` operand's low 24 bits),
    /// with whether the offset is the start of an entry of the heap that holds it.
    pub fn user_string(&self, index: UserStringIndex) -> Result<(String, bool)> {
        let (md, at) = self
            .heap_owner(index.0, |m| m.user_strings.size(), |b| b.user_strings)
            .ok_or_else(|| Error::malformed("#US", index.0 as u64, "an offset inside a heap of the chain", index.0))?;
        let slot = if std::ptr::eq(md, &self.baseline) {
            Some(0)
        } else {
            self.generations.iter().position(|g| std::ptr::eq(md, &g.metadata)).map(|i| i + 1)
        };
        let is_start = match slot.and_then(|s| self.user_string_starts.get(s)) {
            Some(cache) => {
                let starts = cache.get_or_init(|| md.user_strings.entry_starts());
                (at as usize) < md.user_strings.size() && starts.binary_search(&at).is_ok()
            }
            None => md.user_strings.is_entry_start(at),
        };
        Ok((md.user_strings.get(UserStringIndex(at))?, is_start))
    }

    /// A GUID by its chain-wide index as seen by generation `number` (0: baseline): a
    /// padded delta heap holds every earlier GUID's slot as zeros, filled by the
    /// generation that added it.
    pub fn guid(&self, index: GuidIndex, number: u32) -> Result<Option<Guid>> {
        if index.0 == 0 {
            return Ok(None);
        }
        let mut n = number.min(self.generations.len() as u32);
        while n > 0 {
            let g = &self.generations[n as usize - 1];
            if index.0 > g.heap_bases.guids
                && let Some(guid) = g.metadata.guid(index)?
            {
                return Ok(Some(guid));
            }
            n -= 1;
        }
        self.baseline.guid(index)
    }
}

/// The heap bases of generation 1: the baseline's sizes (`#Strings` without its
/// alignment padding, the others as stored, GUIDs by count).
pub fn baseline_heap_bases(baseline: &MetadataReader<'_>) -> HeapBases {
    HeapBases {
        strings: baseline.strings.size() as u32,
        blobs: baseline.blobs.size() as u32,
        user_strings: baseline.user_strings.size() as u32,
        guids: baseline.guids.count(),
    }
}
