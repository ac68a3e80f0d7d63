//! Command-line parsing and dispatch. Exit codes are a contract: 0 written,
//! 1 error, 2 usage, 5 no semantic change, 8 rude edit.

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use emit_delta::dump;
use emit_delta::{Assembly, Error, FileBytes};

#[derive(Parser, Debug)]
#[command(name = "emit-delta", version, about = "Hot reload deltas for any .NET assembly")]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// One `name value` line per fact: assembly name, version, MVID, heap sizes, table row counts.
    Info { file: PathBuf },
    /// Every row of every table, heap values resolved.
    Dump {
        file: PathBuf,
        /// The canonical format checked against System.Reflection.Metadata (docs/canonical-dump.md).
        #[arg(long)]
        canonical: bool,
    },
}

pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let result = match cli.command {
        Some(Command::Info { file }) => with_assembly(&file, |a| dump::info::info(a)),
        Some(Command::Dump { file, canonical: true }) => {
            read(&file).map(|bytes| dump::canonical::canonical_dump(&bytes))
        }
        Some(Command::Dump { file, canonical: false }) => with_assembly(&file, |a| dump::rows::dump(a)),
        None => Err(Error::Invalid("usage: emit-delta <BASELINE.dll> <UPDATED.dll | EDITS.json> (see --help)".into())),
    };
    match result {
        Ok(text) => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(text.as_bytes());
            0
        }
        Err(e) => {
            eprintln!("emit-delta: {e}");
            1
        }
    }
}

fn read(path: &Path) -> Result<FileBytes, Error> {
    FileBytes::open(path)
}

fn with_assembly(path: &Path, f: impl FnOnce(&Assembly<'_>) -> Result<String, Error>) -> Result<String, Error> {
    let bytes = read(path)?;
    let assembly = Assembly::parse(&bytes).map_err(|e| e.in_file(path))?;
    f(&assembly).map_err(|e| e.in_file(path))
}
