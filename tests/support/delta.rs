//! Real deltas in memory, edited cell by cell: the defect-injection helpers of
//! `tests/check.rs` and `tests/mutation.rs` (moved here unchanged from tests/check.rs).

use std::path::{Path, PathBuf};
use std::process::Command;

use emit_delta::Assembly;
use emit_delta::capability::Capabilities;
use emit_delta::chain::{Chain, DeltaFiles};
use emit_delta::check::{Violation, check_chain};
use emit_delta::delta::root::metadata_root;
use emit_delta::il::{MethodBody, Operand, decode_instructions};
use emit_delta::metadata::schema::TableId;
use emit_delta::metadata::{MetadataReader, Token};

const EMIT_DELTA: &str = env!("CARGO_BIN_EXE_emit-delta");

/// Writes our generations 1..3 (v1 → v2, v3, v4 through one session); the .dmeta paths.
pub fn our_chain(scenario: &Path, out: &Path) -> Vec<PathBuf> {
    let v1 = scenario.join("bin/v1/App.dll");
    (1..=3)
        .map(|n| {
            let updated = scenario.join(format!("bin/v{}/App.dll", n + 1));
            let o = Command::new(EMIT_DELTA).arg(&v1).arg(&updated).arg("--out").arg(out).output().unwrap();
            assert!(o.status.success(), "{}: {}", scenario.display(), String::from_utf8_lossy(&o.stderr));
            out.join(format!("App.dll.{n}.dmeta"))
        })
        .collect()
}

/// The files of a chain, in memory, to edit byte by byte.
#[derive(Clone)]
pub struct Files {
    pub baseline: Vec<u8>,
    pub generations: Vec<Generation>,
}

#[derive(Clone)]
pub struct Generation {
    pub dmeta: Vec<u8>,
    pub dil: Vec<u8>,
    pub dpdb: Option<Vec<u8>>,
}

impl Files {
    pub fn read(baseline: &Path, deltas: &[PathBuf]) -> Files {
        let generations = deltas
            .iter()
            .map(|d| Generation {
                dmeta: std::fs::read(d).unwrap(),
                dil: std::fs::read(d.with_extension("dil")).unwrap(),
                dpdb: std::fs::read(d.with_extension("dpdb")).ok(),
            })
            .collect();
        Files { baseline: std::fs::read(baseline).unwrap(), generations }
    }

    pub fn check(&self, capabilities: Option<Capabilities>) -> Vec<Violation> {
        let baseline = Assembly::parse(&self.baseline).unwrap();
        let deltas: Vec<DeltaFiles<'_>> = self
            .generations
            .iter()
            .map(|g| DeltaFiles { metadata: &g.dmeta, il: Some(&g.dil), pdb: g.dpdb.as_deref() })
            .collect();
        let chain = Chain::open(baseline.metadata.clone(), &deltas).expect("the edited chain still opens");
        check_chain(&chain, capabilities)
    }
}

/// Byte offset of a cell (table, row, column) of the metadata root `md`.
pub fn cell(md: &[u8], table: TableId, rid: u32, column: usize) -> (usize, u8) {
    let reader = MetadataReader::parse(md).unwrap();
    let stream = reader.root.header("#-").or_else(|| reader.root.header("#~")).unwrap().offset as usize;
    let t = reader.tables.table(table);
    assert!(rid >= 1 && rid <= t.row_count(), "{} has no row {rid}", table.name());
    let layout = t.column_layouts()[column];
    (stream + t.offset() + (rid as usize - 1) * t.row_size() + layout.offset as usize, layout.width)
}

pub fn read_cell(md: &[u8], table: TableId, rid: u32, column: usize) -> u32 {
    let (at, width) = cell(md, table, rid, column);
    let mut bytes = [0u8; 4];
    bytes[..width as usize].copy_from_slice(&md[at..at + width as usize]);
    u32::from_le_bytes(bytes)
}

pub fn write_cell(md: &mut [u8], table: TableId, rid: u32, column: usize, value: u32) {
    let (at, width) = cell(md, table, rid, column);
    md[at..at + width as usize].copy_from_slice(&value.to_le_bytes()[..width as usize]);
}

/// Rebuilds a metadata root with `edit` applied to its streams (via the delta writer's
/// `metadata_root`), e.g. to drop bytes from a heap.
pub fn rebuild(md: &[u8], mut edit: impl FnMut(&str, &[u8]) -> Vec<u8>) -> Vec<u8> {
    let reader = MetadataReader::parse(md).unwrap();
    let streams: Vec<(String, Vec<u8>)> = reader
        .root
        .streams
        .iter()
        .map(|h| (h.name.to_string(), edit(h.name, &md[h.offset as usize..(h.offset + h.size) as usize])))
        .collect();
    let refs: Vec<(&str, &[u8])> = streams.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    metadata_root(reader.root.version, &refs)
}

/// Replaces every row of `table` in a minimal delta's `#-` stream with `rows` (each row a
/// list of 4-byte cells), keeping every other table.
pub fn replace_rows(md: &[u8], table: TableId, rows: &[Vec<u32>]) -> Vec<u8> {
    let rows: Vec<Vec<u8>> = rows.iter().map(|r| r.iter().flat_map(|v| v.to_le_bytes()).collect()).collect();
    replace_raw_rows(md, table, &rows)
}

/// The rows of `table` as the bytes they are stored as.
pub fn raw_rows(md: &[u8], table: TableId) -> Vec<Vec<u8>> {
    let reader = MetadataReader::parse(md).unwrap();
    let t = reader.tables.table(table);
    t.bytes().chunks_exact(t.row_size()).map(<[u8]>::to_vec).collect()
}

/// Like [`replace_rows`], with each row given as its stored bytes.
pub fn replace_raw_rows(md: &[u8], table: TableId, rows: &[Vec<u8>]) -> Vec<u8> {
    let reader = MetadataReader::parse(md).unwrap();
    let mut counts = *reader.tables.row_counts();
    counts[table as usize] = rows.len() as u32;
    rebuild(md, |name, bytes| {
        if name != "#-" {
            return bytes.to_vec();
        }
        let valid = counts.iter().enumerate().filter(|(_, c)| **c > 0).fold(0u64, |m, (i, _)| m | 1 << i);
        let mut out = bytes[..8].to_vec();
        out.extend_from_slice(&valid.to_le_bytes());
        out.extend_from_slice(&reader.tables.sorted.to_le_bytes());
        for c in counts.iter().filter(|c| **c > 0) {
            out.extend_from_slice(&c.to_le_bytes());
        }
        for &t in TableId::ALL {
            if t == table {
                rows.iter().for_each(|r| out.extend_from_slice(r));
            } else {
                out.extend_from_slice(reader.tables.table(t).bytes());
            }
        }
        out.resize((out.len() + 4) & !3, 0);
        out
    })
}

pub fn enc_map(md: &[u8]) -> Vec<u32> {
    let reader = MetadataReader::parse(md).unwrap();
    (1..=reader.row_count(TableId::EncMap)).map(|rid| read_cell(md, TableId::EncMap, rid, 0)).collect()
}

/// The first instruction of the first method body in `g` matching `wanted`: (.dil offset
/// of its operand, the operand token).
pub fn find_operand(g: &Generation, wanted: impl Fn(&Operand) -> Option<Token>) -> Option<(usize, Token)> {
    let reader = MetadataReader::parse(&g.dmeta).unwrap();
    (1..=reader.row_count(TableId::MethodDef)).find_map(|rid| {
        let rva = read_cell(&g.dmeta, TableId::MethodDef, rid, 0) as usize;
        let body = MethodBody::parse(&g.dil[rva..]).ok()?;
        let instructions = decode_instructions(body.code).ok()?;
        instructions.iter().find_map(|ins| {
            let token = wanted(&ins.operand)?;
            Some((rva + body.header_size + ins.offset as usize + ins.opcode.len(), token))
        })
    })
}
