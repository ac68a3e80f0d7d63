//! `emit-delta check BASELINE DELTA...`: opens the chain and prints its violations.

use std::path::{Path, PathBuf};

use emit_delta::chain::{Chain, DeltaFiles};
use emit_delta::check::check_chain;
use emit_delta::edits::parse_capabilities;
use emit_delta::metadata::MetadataReader;
use emit_delta::{Assembly, Error, FileBytes};

/// The bytes of one generation's files.
struct Generation {
    metadata: (PathBuf, FileBytes),
    il: Option<FileBytes>,
    pdb: Option<(PathBuf, FileBytes)>,
}

fn open_optional(path: &Path) -> Result<Option<FileBytes>, Error> {
    if path.is_file() { FileBytes::open(path).map(Some) } else { Ok(None) }
}

fn load(dmeta: &Path) -> Result<Generation, Error> {
    let metadata = FileBytes::open(dmeta)?;
    let il = open_optional(&dmeta.with_extension("dil"))?;
    let pdb_path = dmeta.with_extension("dpdb");
    let pdb = open_optional(&pdb_path)?.map(|bytes| (pdb_path, bytes));
    Ok(Generation { metadata: (dmeta.to_path_buf(), metadata), il, pdb })
}

/// Exit code 0 (clean), 1 (violations or an unreadable file).
pub fn run(baseline: &Path, deltas: &[PathBuf], capabilities: Option<&str>) -> i32 {
    match check(baseline, deltas, capabilities) {
        Ok(lines) => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            for line in &lines {
                // A closed pipe (`| head`) is not an error of the check.
                let _ = writeln!(stdout, "{line}");
            }
            i32::from(!lines.is_empty())
        }
        Err(e) => {
            eprintln!("emit-delta: {e}");
            1
        }
    }
}

fn check(baseline: &Path, deltas: &[PathBuf], capabilities: Option<&str>) -> Result<Vec<String>, Error> {
    let baseline_bytes = FileBytes::open(baseline)?;
    let assembly = Assembly::parse(&baseline_bytes).map_err(|e| e.in_file(baseline))?;
    let generations = deltas.iter().map(|d| load(d)).collect::<Result<Vec<_>, _>>()?;
    // Parse each file on its own first so an unreadable one is named.
    for g in &generations {
        let (path, bytes) = &g.metadata;
        MetadataReader::parse(bytes).map_err(|e| e.in_file(path))?;
        if let Some((path, bytes)) = &g.pdb {
            MetadataReader::parse(bytes).map_err(|e| e.in_file(path))?;
        }
    }
    let files: Vec<DeltaFiles<'_>> = generations
        .iter()
        .map(|g| DeltaFiles { metadata: &g.metadata.1, il: g.il.as_deref(), pdb: g.pdb.as_ref().map(|(_, b)| &**b) })
        .collect();
    let chain = Chain::open(assembly.metadata.clone(), &files)?;
    let names = capabilities.map(parse_capabilities);
    Ok(check_chain(&chain, names.as_deref()).iter().map(ToString::to_string).collect())
}
