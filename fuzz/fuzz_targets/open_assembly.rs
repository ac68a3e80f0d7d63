//! Opens arbitrary bytes as an assembly (or bare metadata root) and walks everything
//! the reader offers. Any panic is a bug: hostile input must become an `Error`.
//! Inputs above 16 KiB skip the text dumps (see [`FULL_WALK_LIMIT`]).

#![no_main]

use emit_delta::Assembly;
use emit_delta::dump::{canonical::canonical_dump, rows};
use emit_delta::il::{decode_instructions, encode_instructions};
use emit_delta::metadata::schema::{ColumnKind, MethodDefRow, TableId};
use emit_delta::metadata::signature::{Signature, decode_type, encode};
use emit_delta::metadata::{BlobIndex, MetadataReader};
use libfuzzer_sys::fuzz_target;

/// Inputs larger than this skip the two text dumps (the SRM-style canonical dump and the
/// row dump), which render every row, body and heap entry as text and dominate the time
/// of an execution; the typed walks below still cover every row of such inputs.
const FULL_WALK_LIMIT: usize = 16 * 1024;

fuzz_target!(|data: &[u8]| {
    let full = data.len() <= FULL_WALK_LIMIT;
    // The SRM-aligned dump walks the PE, every table, every body and the embedded PDB.
    if full {
        let _ = canonical_dump(data);
    }

    let Ok(assembly) = Assembly::parse(data) else { return };
    if full {
        let _ = rows::dump(&assembly);
    }
    walk_typed_rows(&assembly.metadata);
    round_trip_bodies(&assembly);
    round_trip_signatures(&assembly.metadata);
});

/// Reads every row of every table, raw and through its list/heap lookups.
fn walk_typed_rows(md: &MetadataReader<'_>) {
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
                    _ => {}
                }
            }
        }
    }
}

/// Every method body's IL decodes and re-encodes to the same bytes.
fn round_trip_bodies(assembly: &Assembly<'_>) {
    let md = &assembly.metadata;
    for rid in 1..=md.row_count(TableId::MethodDef) {
        let Ok(row) = md.row::<MethodDefRow>(rid) else { continue };
        if row.rva == 0 {
            continue;
        }
        let Ok(body) = assembly.method_body(row.rva) else { continue };
        if let Ok(instructions) = decode_instructions(body.code) {
            assert_eq!(encode_instructions(&instructions), body.code, "IL round trip of method {rid}");
        }
    }
}

/// Every signature blob that decodes re-encodes to a blob that decodes to the same tree.
fn round_trip_signatures(md: &MetadataReader<'_>) {
    for &id in TableId::ALL {
        let table = md.tables.table(id);
        for (column, col) in id.columns().iter().enumerate() {
            let is_signature = col.kind == ColumnKind::Blob
                && matches!(col.name, "Signature" | "Type" | "Instantiation")
                && id != TableId::LocalConstant;
            if !is_signature {
                continue;
            }
            for rid in 1..=table.row_count() {
                let Ok(raw) = table.raw(rid, column) else { continue };
                let Ok(blob) = md.blob(BlobIndex(raw)) else { continue };
                check_signature(blob, id == TableId::TypeSpec);
            }
        }
    }
}

fn check_signature(blob: &[u8], is_type: bool) {
    let decode = |bytes: &[u8]| {
        if is_type { decode_type(bytes).map(Signature::Type) } else { Signature::decode_any(bytes) }
    };
    let Ok(sig) = decode(blob) else { return };
    let again = encode(&sig).expect("a decoded signature encodes");
    let redecoded = decode(&again).expect("an encoded signature decodes");
    assert_eq!(redecoded, sig, "signature round trip of {blob:02x?}");
}
