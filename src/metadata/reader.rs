//! [`MetadataReader`]: a metadata root with its heaps and tables, plus the lookups that
//! need more than one row (member lists, sorted-table searches).

use std::borrow::Cow;
use std::ops::Range;

use super::heaps::{BlobHeap, Guid, GuidHeap, StringHeap, UserStringHeap};
use super::root::MetadataRoot;
use super::schema::{Row, TableId};
use super::tables::{RowCounts, TableStream};
use super::token::{BlobIndex, GuidIndex, StringIndex, Token};
use crate::error::{Error, Result};
use crate::pdb::stream::PdbStream;

/// Metadata (of an assembly, a standalone portable PDB, or an EnC delta), read lazily.
#[derive(Clone, Debug)]
pub struct MetadataReader<'a> {
    pub root: MetadataRoot<'a>,
    pub strings: StringHeap<'a>,
    pub user_strings: UserStringHeap<'a>,
    pub blobs: BlobHeap<'a>,
    pub guids: GuidHeap<'a>,
    pub tables: TableStream<'a>,
    /// The `#Pdb` stream of a portable PDB.
    pub pdb: Option<PdbStream>,
}

impl<'a> MetadataReader<'a> {
    /// Parses the metadata root at the start of `data`.
    pub fn parse(data: &'a [u8]) -> Result<Self> {
        let root = MetadataRoot::parse(data)?;
        let minimal_delta = root.header("#JTD").is_some();
        let (tables_name, tables_data) = match (root.stream("#~"), root.stream("#-")) {
            (_, Some(s)) => ("#-", s),
            (Some(s), None) => ("#~", s),
            (None, None) => {
                return Err(Error::malformed("metadata root", None, "a #~ or #- tables stream", "neither"));
            }
        };
        if minimal_delta && tables_name != "#-" {
            return Err(Error::malformed("metadata root", None, "a #- tables stream with #JTD", "#~"));
        }
        let pdb = root.stream("#Pdb").map(PdbStream::parse).transpose()?;
        let external: Option<&RowCounts> = pdb.as_ref().map(|p| &p.type_system_rows);
        let tables = TableStream::parse(tables_data, tables_name, tables_name == "#-", minimal_delta, external)?;
        let heap = |name: &str| root.stream(name).unwrap_or(&[]);
        Ok(MetadataReader {
            strings: StringHeap::new(heap("#Strings")),
            user_strings: UserStringHeap::new(heap("#US")),
            blobs: BlobHeap::new(heap("#Blob")),
            guids: GuidHeap::new(heap("#GUID")),
            tables,
            pdb,
            root,
        })
    }

    pub fn row<R: Row>(&self, rid: u32) -> Result<R> {
        self.tables.row(rid)
    }

    pub fn row_count(&self, table: TableId) -> u32 {
        self.tables.row_count(table)
    }

    pub fn string(&self, index: StringIndex) -> Result<Cow<'a, str>> {
        self.strings.get(index)
    }

    pub fn blob(&self, index: BlobIndex) -> Result<&'a [u8]> {
        self.blobs.get(index)
    }

    pub fn guid(&self, index: GuidIndex) -> Result<Option<Guid>> {
        self.guids.get(index)
    }

    /// Whether this is a minimal EnC delta (`#JTD` present).
    pub fn is_minimal_delta(&self) -> bool {
        self.tables.minimal_delta
    }

    /// The row range (in the target table, before pointer indirection) that list column
    /// `column` of `owner` row `rid` designates: from its value up to the next row's.
    pub fn list_range(&self, owner: TableId, rid: u32, column: usize) -> Result<Range<u32>> {
        let table = self.tables.table(owner);
        let start = table.raw(rid, column)?;
        let target = match owner.columns()[column].kind {
            super::schema::ColumnKind::List(t) => t,
            _ => return Err(Error::Invalid(format!("{} column {column} is not a list", owner.name()))),
        };
        let target_rows = match target.pointer_table() {
            Some(ptr) if self.row_count(ptr) > 0 => self.row_count(ptr),
            _ => self.row_count(target),
        };
        if start == 0 {
            return Ok(1..1);
        }
        let end = if rid < table.row_count() { table.raw(rid + 1, column)? } else { target_rows + 1 };
        // A list ends at most one past the target table's last row (ECMA-335 II.22): a
        // larger value would make the caller walk rows the input merely claims.
        for (value, at) in [(start, rid), (end, rid + 1)] {
            if value > target_rows + 1 {
                return Err(Error::malformed(
                    format!("table {} row {at} column {}", owner.name(), owner.columns()[column].name),
                    None,
                    format!("a {} list position at most {}", target.name(), target_rows + 1),
                    format_args!("{value:#x}"),
                ));
            }
        }
        Ok(start..end.max(start))
    }

    /// Resolves a list position through the pointer table when the metadata has one.
    pub fn resolve_list_entry(&self, target: TableId, position: u32) -> Result<Token> {
        match target.pointer_table() {
            Some(ptr) if self.row_count(ptr) > 0 => {
                let raw = self.tables.table(ptr).raw(position, 0)?;
                Token::try_new(target, raw).map_err(|_| {
                    Error::malformed(
                        format!("table {} row {position}", ptr.name()),
                        None,
                        format!("a {} row id below 2^24", target.name()),
                        format_args!("{raw:#x}"),
                    )
                })
            }
            _ => Ok(Token::new(target, position)),
        }
    }

    /// The members a list column designates, as tokens.
    pub fn list(&self, owner: TableId, rid: u32, column: usize) -> Result<Vec<Token>> {
        let range = self.list_range(owner, rid, column)?;
        let target = match owner.columns()[column].kind {
            super::schema::ColumnKind::List(t) => t,
            _ => unreachable!("list_range checked the column kind"),
        };
        range.map(|position| self.resolve_list_entry(target, position)).collect()
    }

    /// Rows of a table sorted on `column` whose raw value equals `key` (binary search,
    /// as the runtime does for the sorted tables of ECMA-335 II.22).
    pub fn equal_range(&self, table: TableId, column: usize, key: u32) -> Result<Range<u32>> {
        let t = self.tables.table(table);
        let (mut lo, mut hi) = (1u32, t.row_count() + 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if t.raw(mid, column)? < key { lo = mid + 1 } else { hi = mid }
        }
        let start = lo;
        let mut end = start;
        while end <= t.row_count() && t.raw(end, column)? == key {
            end += 1;
        }
        Ok(start..end)
    }

    /// The first row of a sorted table whose `column` equals `key`.
    pub fn find_row(&self, table: TableId, column: usize, key: u32) -> Result<Option<u32>> {
        let range = self.equal_range(table, column, key)?;
        Ok((!range.is_empty()).then_some(range.start))
    }
}
