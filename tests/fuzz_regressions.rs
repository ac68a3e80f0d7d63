//! Inputs the `open_assembly` fuzz target (fuzz/) once crashed on, kept in
//! testdata/fuzz-regressions/. Each must go through everything the fuzz target does
//! without panicking, and the canonical dump must end in an `error` line: the inputs
//! are invalid, and the reader has to say so instead of panicking.
//!
//! A file whose name ends in `.valid.bin` is one the reader must accept: its dump must
//! have no error line.
//!
//! Every input also goes through what the `check_delta` fuzz target does (framed as
//! `u32 .dmeta length, u32 .dpdb length, .dmeta, .dpdb, .dil`) and through the
//! `open_delta` one (the whole input as a delta), so crash inputs of those targets
//! belong here too.

use std::path::PathBuf;

use emit_delta::Assembly;
use emit_delta::chain::{Chain, DeltaFiles};
use emit_delta::check::check_chain;
use emit_delta::dump::{canonical::canonical_dump, rows};
use emit_delta::il::{decode_instructions, encode_instructions};
use emit_delta::metadata::schema::{ColumnKind, MethodDefRow, TableId};
use emit_delta::metadata::signature::{Signature, decode_type, encode};
use emit_delta::metadata::{BlobIndex, MetadataReader};

fn inputs() -> Vec<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/fuzz-regressions"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no regression inputs in {}", dir.display());
    files
}

/// What the fuzz target does after the canonical dump (kept in step with
/// fuzz/fuzz_targets/open_assembly.rs).
fn walk(data: &[u8]) {
    let Ok(assembly) = Assembly::parse(data) else { return };
    let _ = rows::dump(&assembly);
    let md = &assembly.metadata;
    for &id in TableId::ALL {
        let table = md.tables.table(id);
        for rid in 1..=table.row_count() {
            let Ok(raw) = table.raw_row(rid) else { continue };
            for (column, col) in id.columns().iter().enumerate() {
                match col.kind {
                    ColumnKind::List(_) => {
                        let _ = md.list(id, rid, column);
                    }
                    ColumnKind::Coded(c) => {
                        let _ = c.decode(raw[column]);
                    }
                    ColumnKind::Blob if matches!(col.name, "Signature" | "Type" | "Instantiation") => {
                        if let Ok(blob) = md.blob(BlobIndex(raw[column])) {
                            check_signature(blob, id == TableId::TypeSpec);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    round_trip_bodies(&assembly, md);
}

fn round_trip_bodies(assembly: &Assembly<'_>, md: &MetadataReader<'_>) {
    for rid in 1..=md.row_count(TableId::MethodDef) {
        let Ok(row) = md.row::<MethodDefRow>(rid) else { continue };
        if row.rva == 0 {
            continue;
        }
        let Ok(body) = assembly.method_body(row.rva) else { continue };
        if let Ok(instructions) = decode_instructions(body.code) {
            assert_eq!(encode_instructions(&instructions), body.code);
        }
    }
}

fn check_signature(blob: &[u8], is_type: bool) {
    let decode = |bytes: &[u8]| {
        if is_type { decode_type(bytes).map(Signature::Type) } else { Signature::decode_any(bytes) }
    };
    let Ok(sig) = decode(blob) else { return };
    let again = encode(&sig).expect("a decoded signature encodes");
    assert_eq!(decode(&again).expect("an encoded signature decodes"), sig);
}

#[test]
fn regression_inputs_do_not_panic() {
    for path in inputs() {
        let data = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let dump = std::panic::catch_unwind(|| canonical_dump(&data))
            .unwrap_or_else(|_| panic!("canonical_dump panicked on {name}"));
        let has_error = dump.lines().any(|l| l.starts_with("error"));
        if name.ends_with(".valid.bin") {
            assert!(!has_error, "{name}: unexpected error in dump:\n{}", tail(&dump));
        } else {
            assert!(has_error, "{name}: the dump of an invalid input has no error line:\n{}", tail(&dump));
        }
        std::panic::catch_unwind(|| walk(&data)).unwrap_or_else(|_| panic!("the fuzz walk panicked on {name}"));
        std::panic::catch_unwind(|| check_as_delta(&data)).unwrap_or_else(|_| panic!("check panicked on {name}"));
    }
}

fn tail(s: &str) -> &str {
    let mut start = s.len().saturating_sub(600);
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

/// What fuzz/fuzz_targets/check_delta.rs and open_delta.rs do, on the fixed baseline.
fn check_as_delta(data: &[u8]) {
    let baseline_bytes =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/scenarios/cs-literal-arith/bin/v1/App.dll"))
            .unwrap();
    let baseline = Assembly::parse(&baseline_bytes).unwrap();
    let whole = [DeltaFiles { metadata: data, il: Some(data), pdb: Some(data) }];
    if let Ok(chain) = Chain::open(baseline.metadata.clone(), &whole) {
        let _ = check_chain(&chain, None);
    }
    let len = |at: usize| data.get(at..at + 4).map(|b| u32::from_le_bytes(b.try_into().unwrap()) as usize);
    let (Some(metadata_len), Some(pdb_len)) = (len(0), len(4)) else { return };
    let rest = &data[8..];
    let Some(metadata) = rest.get(..metadata_len) else { return };
    let Some(pdb) = metadata_len.checked_add(pdb_len).and_then(|end| rest.get(metadata_len..end)) else { return };
    let il = &rest[metadata_len + pdb_len..];
    let framed = [DeltaFiles { metadata, il: Some(il), pdb: (!pdb.is_empty()).then_some(pdb) }];
    if let Ok(chain) = Chain::open(baseline.metadata.clone(), &framed) {
        let _ = check_chain(&chain, Some(emit_delta::capability::Capabilities::parse("Baseline")));
    }
}
