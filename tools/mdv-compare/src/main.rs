//! `mdv-compare`: dumps a baseline and its hot-reload deltas the way mdv
//! (dotnet/metadata-tools) does, and compares two delta chains for one baseline by what
//! their rows name. The work lives in the emit-delta library (`dump::mdv`,
//! `chain::compare`); this binary parses arguments and reports.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use emit_delta::chain::files::{OwnedDelta, read_chain_dir};
use emit_delta::chain::{Chain, DeltaFiles};
use emit_delta::{Assembly, Error, FileBytes};

#[derive(Parser)]
#[command(name = "mdv-compare", version, about)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Prints the baseline and each generation the way `mdv BASELINE /g:DMETA;DIL ...` does.
    Dump {
        baseline: PathBuf,
        /// A generation: `DMETA` or `DMETA;DIL` (repeat in generation order).
        #[arg(long = "gen", value_name = "DMETA[;DIL]")]
        generations: Vec<String>,
    },
    /// Compares two delta chains for BASELINE; exit 1 when they differ.
    Diff {
        baseline: PathBuf,
        /// Directory with our `*.G.dmeta/.dil/.dpdb`.
        #[arg(long)]
        ours: PathBuf,
        /// Directory with the reference `*.G.dmeta/.dil/.dpdb`.
        #[arg(long)]
        theirs: PathBuf,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.command {
        Command::Dump { baseline, generations } => dump(&baseline, &generations),
        Command::Diff { baseline, ours, theirs } => diff(&baseline, &ours, &theirs),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mdv-compare: {e}");
            ExitCode::from(2)
        }
    }
}

fn open_baseline(path: &Path) -> Result<FileBytes, Error> {
    FileBytes::open(path)
}

fn dump(baseline: &Path, generations: &[String]) -> Result<ExitCode, Error> {
    let bytes = open_baseline(baseline)?;
    let assembly = Assembly::parse(&bytes).map_err(|e| e.in_file(baseline))?;
    let deltas = generations
        .iter()
        .map(|g| {
            let (metadata, il) = match g.split_once(';') {
                Some((m, i)) => (m, Some(Path::new(i))),
                None => (g.as_str(), None),
            };
            OwnedDelta::read(Path::new(metadata), il, None)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let chain = open_chain(&assembly, &deltas)?;
    print!("{}", emit_delta::dump::mdv::render(&assembly, &chain));
    Ok(ExitCode::SUCCESS)
}

fn diff(baseline: &Path, ours: &Path, theirs: &Path) -> Result<ExitCode, Error> {
    let bytes = open_baseline(baseline)?;
    let assembly = Assembly::parse(&bytes).map_err(|e| e.in_file(baseline))?;
    let (ours_deltas, theirs_deltas) = (read_chain_dir(ours)?, read_chain_dir(theirs)?);
    let ours_chain = open_chain(&assembly, &ours_deltas)?;
    let theirs_chain = open_chain(&assembly, &theirs_deltas)?;
    let differences = emit_delta::chain::compare::compare_chains(&ours_chain, &theirs_chain);
    for d in &differences {
        println!("{d}");
    }
    if differences.is_empty() {
        println!("equivalent: {} generation(s)", ours_chain.generations.len());
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("{} difference(s)", differences.len());
        Ok(ExitCode::from(1))
    }
}

fn open_chain<'a>(baseline: &Assembly<'a>, deltas: &'a [OwnedDelta]) -> Result<Chain<'a>, Error> {
    let files: Vec<DeltaFiles<'a>> = deltas.iter().map(OwnedDelta::files).collect();
    Chain::open(baseline.metadata.clone(), &files)
}
