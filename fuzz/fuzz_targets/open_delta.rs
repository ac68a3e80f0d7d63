//! Reads fuzzed bytes as a delta: `MetadataReader::parse`, then `Chain::open` on a fixed
//! baseline (the bytes as both the .dmeta and the .dpdb), then every chain lookup a
//! dump or a validator makes: each EncMap token located and its row read, every heap
//! index of every cell resolved. Any panic is a bug.

#![no_main]

use emit_delta::Assembly;
use emit_delta::chain::{Chain, DeltaFiles};
use emit_delta::metadata::schema::{ColumnKind, TableId};
use emit_delta::metadata::{BlobIndex, GuidIndex, MetadataReader, StringIndex, Token, UserStringIndex};
use libfuzzer_sys::fuzz_target;

static BASELINE: &[u8] = include_bytes!("../../testdata/scenarios/cs-literal-arith/bin/v1/App.dll");

fuzz_target!(|data: &[u8]| {
    let Ok(md) = MetadataReader::parse(data) else { return };
    let baseline = Assembly::parse(BASELINE).expect("the baseline fixture parses");
    let files = [DeltaFiles { metadata: data, il: Some(data), pdb: Some(data) }];
    let Ok(chain) = Chain::open(baseline.metadata.clone(), &files) else { return };
    let g = &chain.generations[0];
    for &token in &g.enc_map {
        let _ = chain.locate(token, 1);
        let _ = chain.raw_row(token, 1);
        let _ = chain.raw_row(token, 0);
    }
    for &table in TableId::ALL {
        let t = md.tables.table(table);
        for rid in 1..=t.row_count() {
            let _ = g.chain_token(table, rid);
            let Ok(raw) = t.raw_row(rid) else { continue };
            for (column, value) in table.columns().iter().zip(raw) {
                match column.kind {
                    ColumnKind::String => drop(chain.string(StringIndex(value))),
                    ColumnKind::Blob => drop(chain.blob(BlobIndex(value))),
                    ColumnKind::Guid => drop(chain.guid(GuidIndex(value), 1)),
                    ColumnKind::Table(target) => {
                        if let Ok(token) = Token::try_new(target, value) {
                            let _ = chain.locate(token, 1);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let _ = chain.user_string(UserStringIndex(g.heap_bases.user_strings + 1));
});
