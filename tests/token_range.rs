//! Row ids read from input never turn into another row's token (issue 14: `Token::new`
//! used to keep the low 24 bits of any id). A cell or list value past 2^24 or past its
//! table is reported, not masked or walked.

mod support;

use emit_delta::Assembly;
use emit_delta::dump::{canonical::canonical_dump, rows};
use emit_delta::metadata::schema::TableId;
use support::delta::{cell, write_cell};

/// Writes `value` into a cell of the metadata root that starts at `root` in `file`.
fn patch(file: &mut [u8], root: usize, table: TableId, rid: u32, column: usize, value: u32) {
    let (at, width) = cell(&file[root..], table, rid, column);
    file[root + at..root + at + width as usize].copy_from_slice(&value.to_le_bytes()[..width as usize]);
}

#[test]
fn a_list_column_past_its_table_is_an_error_naming_the_cell() {
    let mut dll = std::fs::read(support::repo().join("testdata/fixtures/bin/CsExe.dll")).unwrap();
    let root = dll.windows(4).position(|w| w == b"BSJB").unwrap();
    let types = Assembly::parse(&dll).unwrap().metadata.row_count(TableId::TypeDef);
    // The last TypeDef's MethodList (column 5) far past the MethodDef table (2-byte cell).
    patch(&mut dll, root, TableId::TypeDef, types, 5, 0xFFF0);
    let assembly = Assembly::parse(&dll).unwrap();
    let err = assembly.metadata.list(TableId::TypeDef, types, 5).unwrap_err().to_string();
    assert!(err.contains(&format!("table TypeDef row {types} column MethodList")), "{err}");
    assert!(err.contains("0xfff0"), "{err}");
    // The row before ends its list where this one claims to start: refused as well.
    let err = assembly.metadata.list(TableId::TypeDef, types - 1, 5).unwrap_err().to_string();
    assert!(err.contains(&format!("row {types} column MethodList")), "{err}");
    let dump = canonical_dump(&dll);
    let tail: Vec<&str> = dump.lines().rev().take(4).collect();
    assert!(dump.lines().any(|l| l.starts_with("error")), "the canonical dump does not report it: {tail:?}");
}

#[test]
fn cells_past_24_bits_are_shown_as_bad_not_as_another_row() {
    let seeds = support::repo().join("fuzz/seeds/open_delta");
    // A `#-` delta: every table cell is 4 bytes. MethodDef.ParamList (a list column).
    let mut dmeta = std::fs::read(seeds.join("App.dll.1.dmeta")).unwrap();
    write_cell(&mut dmeta, TableId::MethodDef, 1, 5, 0x0100_0001);
    let dump = rows::dump(&Assembly::parse(&dmeta).unwrap()).unwrap();
    assert!(dump.contains("<bad Param row 0x1000001>"), "{dump}");
    assert!(!dump.contains("0x08000001"), "the id was masked to Param row 1:\n{dump}");
    // MethodDebugInformation.Document (a table column) of the .dpdb.
    let mut dpdb = std::fs::read(seeds.join("App.dll.1.dpdb")).unwrap();
    write_cell(&mut dpdb, TableId::MethodDebugInformation, 1, 0, 0x0100_0001);
    let dump = rows::dump(&Assembly::parse(&dpdb).unwrap()).unwrap();
    assert!(dump.contains("<bad Document row 0x1000001>"), "{dump}");
    assert!(!dump.contains("0x30000001"), "the id was masked to Document row 1:\n{dump}");
}
