//! The tables stream (`#~` compressed, `#-` uncompressed): header, row counts, and a
//! layout per table computed from the schema. Rows are read lazily from the stream.

use super::schema::{Column, ColumnKind, MAX_COLUMNS, Row, TableId};
use crate::bytes::{Cursor, read_uint_at};
use crate::error::{Error, Result};

/// Heap-size flag bits of the tables header (ECMA-335 II.24.2.6, plus the EnC bits).
pub mod heap_sizes {
    pub const LARGE_STRINGS: u8 = 0x01;
    pub const LARGE_GUIDS: u8 = 0x02;
    pub const LARGE_BLOBS: u8 = 0x04;
    /// Set by EnC deltas ("this metadata contains EnC changes").
    pub const ENC_DELTA: u8 = 0x20;
    /// Four extra bytes follow the row counts (written by some obfuscators).
    pub const EXTRA_DATA: u8 = 0x40;
    /// Set by EnC deltas ("rows may be marked deleted").
    pub const DELETED_MARKS: u8 = 0x80;
}

/// Number of table slots in the `valid` bit vector.
pub const TABLE_SLOTS: usize = 64;

/// Where a column sits in a row and how wide it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ColumnLayout {
    pub offset: u8,
    pub width: u8,
}

/// Row counts of all 64 table slots.
pub type RowCounts = [u32; TABLE_SLOTS];

/// The facts column widths depend on.
#[derive(Clone, Copy, Debug)]
pub struct SizingContext<'a> {
    pub heap_sizes: u8,
    /// Row counts of this metadata.
    pub rows: &'a RowCounts,
    /// For a standalone PDB: the type-system row counts from its `#Pdb` stream, used for
    /// references from debug tables to type-system tables.
    pub external_rows: Option<&'a RowCounts>,
    /// A minimal EnC delta (`#JTD` present): every table reference is 4 bytes.
    pub minimal_delta: bool,
}

impl SizingContext<'_> {
    fn rows_for(&self, referencing: TableId, target: TableId) -> u32 {
        match self.external_rows {
            Some(external) if referencing.is_debug() && !target.is_debug() => external[target as usize],
            _ => self.rows[target as usize],
        }
    }

    fn table_ref_width(&self, referencing: TableId, target: TableId) -> u8 {
        if self.minimal_delta || self.rows_for(referencing, target) >= 0x1_0000 { 4 } else { 2 }
    }

    /// Width in bytes of `column` of `table`.
    pub fn column_width(&self, table: TableId, column: &Column) -> u8 {
        let heap = |flag: u8| if self.heap_sizes & flag != 0 { 4 } else { 2 };
        match column.kind {
            ColumnKind::U16 | ColumnKind::U8Padded => 2,
            ColumnKind::U32 => 4,
            ColumnKind::String => heap(heap_sizes::LARGE_STRINGS),
            ColumnKind::Guid => heap(heap_sizes::LARGE_GUIDS),
            ColumnKind::Blob => heap(heap_sizes::LARGE_BLOBS),
            ColumnKind::Table(target) => self.table_ref_width(table, target),
            ColumnKind::List(target) => {
                let direct = self.table_ref_width(table, target);
                match target.pointer_table() {
                    Some(ptr) => direct.max(self.table_ref_width(table, ptr)),
                    None => direct,
                }
            }
            ColumnKind::Coded(coded) => {
                if self.minimal_delta {
                    return 4;
                }
                let limit = coded.small_row_limit();
                let large = coded.tables().iter().flatten().any(|&t| self.rows_for(table, t) >= limit);
                if large { 4 } else { 2 }
            }
        }
    }
}

/// One table's rows inside the tables stream.
#[derive(Clone, Copy, Debug)]
pub struct Table<'a> {
    pub id: TableId,
    rows: u32,
    row_size: usize,
    columns: [ColumnLayout; MAX_COLUMNS],
    /// `id.columns().len()`, kept here so row reads need no schema lookup.
    column_count: u8,
    data: &'a [u8],
    /// Offset of the first row from the start of the tables stream.
    offset: usize,
}

impl<'a> Table<'a> {
    pub fn row_count(&self) -> u32 {
        self.rows
    }

    pub fn row_size(&self) -> usize {
        self.row_size
    }

    /// Offset of the table's first row within the tables stream.
    pub fn offset(&self) -> usize {
        self.offset
    }

    pub fn column_layouts(&self) -> &[ColumnLayout] {
        &self.columns[..self.column_count as usize]
    }

    /// The raw bytes of the whole table.
    pub fn bytes(&self) -> &'a [u8] {
        self.data
    }

    #[inline]
    fn check_rid(&self, rid: u32) -> Result<usize> {
        if rid == 0 || rid > self.rows {
            return Err(self.bad_rid(rid));
        }
        Ok((rid as usize - 1) * self.row_size)
    }

    #[cold]
    #[inline(never)]
    fn bad_rid(&self, rid: u32) -> Error {
        Error::malformed(format!("table {}", self.id.name()), None, format!("a row id in 1..={}", self.rows), rid)
    }

    /// The raw value of column `column` of row `rid` (1-based).
    pub fn raw(&self, rid: u32, column: usize) -> Result<u32> {
        let start = self.check_rid(rid)?;
        let layout = self.column_layouts().get(column).ok_or_else(|| {
            Error::malformed(format!("table {}", self.id.name()), None, "a column of the table", column)
        })?;
        Ok(read_uint_at(self.data, start + layout.offset as usize, layout.width))
    }

    /// The bytes of row `rid`, for reading a few of its columns with [`Table::column`].
    #[inline]
    pub fn row_bytes(&self, rid: u32) -> Result<&'a [u8]> {
        let start = self.check_rid(rid)?;
        Ok(&self.data[start..start + self.row_size])
    }

    /// Column `column` of `row`, a row of this table ([`Table::row_bytes`]).
    #[inline]
    pub fn column(&self, row: &[u8], column: usize) -> u32 {
        read_column(row, self.columns[column])
    }

    /// All raw column values of row `rid`, in schema order.
    #[inline]
    pub fn raw_row(&self, rid: u32) -> Result<[u32; MAX_COLUMNS]> {
        let start = self.check_rid(rid)?;
        // One bounds check for the row; the column reads then index a short slice.
        let row = &self.data[start..start + self.row_size];
        let mut out = [0u32; MAX_COLUMNS];
        for (value, layout) in out.iter_mut().zip(self.column_layouts()) {
            *value = read_column(row, *layout);
        }
        Ok(out)
    }

    /// Row `rid` as its typed row struct.
    pub fn row<R: Row>(&self, rid: u32) -> Result<R> {
        debug_assert_eq!(R::TABLE, self.id);
        let raw = self.raw_row(rid)?;
        R::from_raw(&raw).map_err(|e| match e {
            Error::Malformed { what, offset, expected, found } => {
                Error::Malformed { what: format!("{what}, row {rid}"), offset, expected, found }
            }
            other => other,
        })
    }
}

/// A column value of a row (validated to fit when the table was laid out).
#[inline(always)]
fn read_column(row: &[u8], layout: ColumnLayout) -> u32 {
    let at = layout.offset as usize;
    match layout.width {
        2 => u16::from_le_bytes([row[at], row[at + 1]]) as u32,
        4 => u32::from_le_bytes([row[at], row[at + 1], row[at + 2], row[at + 3]]),
        _ => row[at] as u32,
    }
}

/// A parsed tables stream.
#[derive(Clone, Debug)]
pub struct TableStream<'a> {
    pub major_version: u8,
    pub minor_version: u8,
    pub heap_sizes: u8,
    /// Bit vector of present tables.
    pub valid: u64,
    /// Bit vector of tables declared sorted.
    pub sorted: u64,
    row_counts: RowCounts,
    tables: Vec<Table<'a>>,
    /// `#-` rather than `#~`.
    pub uncompressed: bool,
    pub minimal_delta: bool,
}

impl<'a> TableStream<'a> {
    /// Parses the stream header and lays out every table. `external_rows` are the
    /// type-system row counts of a standalone PDB's `#Pdb` stream.
    pub fn parse(
        data: &'a [u8],
        stream_name: &str,
        uncompressed: bool,
        minimal_delta: bool,
        external_rows: Option<&RowCounts>,
    ) -> Result<Self> {
        let what = format!("stream {stream_name}");
        let mut cur = Cursor::new(data, &what);
        let _reserved = cur.u32()?;
        let major_version = cur.u8()?;
        let minor_version = cur.u8()?;
        let heap_sizes = cur.u8()?;
        let _reserved2 = cur.u8()?;
        let valid = cur.u64()?;
        let sorted = cur.u64()?;

        let mut row_counts = [0u32; TABLE_SLOTS];
        for (slot, count) in row_counts.iter_mut().enumerate() {
            if valid & (1u64 << slot) == 0 {
                continue;
            }
            if TableId::from_index(slot as u8).is_none() {
                return Err(Error::malformed(
                    &what,
                    20,
                    "only known tables in the valid mask",
                    format_args!("table number {slot:#04x}"),
                ));
            }
            let at = cur.position();
            *count = cur.u32()?;
            if *count > 0x00FF_FFFF {
                return Err(Error::malformed(
                    &what,
                    at as u64,
                    "a row count below 2^24",
                    format_args!("{} rows in {}", count, TableId::from_index(slot as u8).unwrap().name()),
                ));
            }
        }
        if heap_sizes & heap_sizes::EXTRA_DATA != 0 {
            cur.u32()?;
        }

        let sizing = SizingContext { heap_sizes, rows: &row_counts, external_rows, minimal_delta };
        let mut offset = cur.position();
        let mut tables = Vec::with_capacity(TableId::ALL.len());
        for &id in TableId::ALL {
            let mut columns = [ColumnLayout::default(); MAX_COLUMNS];
            let mut row_size = 0usize;
            for (layout, column) in columns.iter_mut().zip(id.columns()) {
                let width = sizing.column_width(id, column);
                *layout = ColumnLayout { offset: row_size as u8, width };
                row_size += width as usize;
            }
            let rows = row_counts[id as usize];
            // Row counts are below 2^24 and rows below 64 bytes: no overflow in u64.
            let size = rows as u64 * row_size as u64;
            let available = (data.len() - offset.min(data.len())) as u64;
            if size > available {
                return Err(Error::Truncated {
                    what: format!("{what} table {} ({rows} rows of {row_size} bytes)", id.name()),
                    offset: offset as u64,
                    needed: size,
                    available,
                });
            }
            let bytes = &data[offset..offset + size as usize];
            let column_count = id.columns().len() as u8;
            tables.push(Table { id, rows, row_size, columns, column_count, data: bytes, offset });
            offset += size as usize;
        }

        Ok(TableStream {
            major_version,
            minor_version,
            heap_sizes,
            valid,
            sorted,
            row_counts,
            tables,
            uncompressed,
            minimal_delta,
        })
    }

    pub fn table(&self, id: TableId) -> &Table<'a> {
        // `tables` holds TableId::ALL in order; the index of a table in ALL is its
        // position, which differs from its number after the 0x2C..0x30 gap.
        let index = TableId::ALL.binary_search(&id).expect("every TableId is in ALL");
        &self.tables[index]
    }

    pub fn row_count(&self, id: TableId) -> u32 {
        self.row_counts[id as usize]
    }

    pub fn row_counts(&self) -> &RowCounts {
        &self.row_counts
    }

    /// Typed row `rid` of the table `R` belongs to.
    pub fn row<R: Row>(&self, rid: u32) -> Result<R> {
        self.table(R::TABLE).row(rid)
    }

    /// Iterates `(rid, row)` over a whole table.
    pub fn rows<R: Row>(&self) -> impl Iterator<Item = (u32, Result<R>)> + '_ {
        let table = *self.table(R::TABLE);
        (1..=table.row_count()).map(move |rid| (rid, table.row::<R>(rid)))
    }

    pub fn is_sorted(&self, id: TableId) -> bool {
        self.sorted & (1u64 << id as u8) != 0
    }
}
