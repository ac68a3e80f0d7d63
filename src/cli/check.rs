//! `emit-delta check BASELINE DELTA...`: opens the chain and prints its violations.

use std::path::{Path, PathBuf};

use emit_delta::capability::Capabilities;
use emit_delta::chain::files::{OwnedDelta, companions};
use emit_delta::chain::{Chain, DeltaFiles};
use emit_delta::check::check_chain;
use emit_delta::metadata::MetadataReader;
use emit_delta::{Assembly, Error, FileBytes};

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
    let generations = deltas.iter().map(|d| OwnedDelta::read_beside(d)).collect::<Result<Vec<_>, _>>()?;
    // Parse each file on its own first so an unreadable one is named.
    for (path, g) in deltas.iter().zip(&generations) {
        MetadataReader::parse(&g.metadata).map_err(|e| e.in_file(path))?;
        if let Some(pdb) = &g.pdb {
            MetadataReader::parse(pdb).map_err(|e| e.in_file(companions(path).1))?;
        }
    }
    let files: Vec<DeltaFiles<'_>> = generations.iter().map(OwnedDelta::files).collect();
    let chain = Chain::open(assembly.metadata.clone(), &files)?;
    let names = capabilities.map(Capabilities::parse);
    Ok(check_chain(&chain, names).iter().map(ToString::to_string).collect())
}
