//! Command-line parsing and dispatch. Exit codes are a contract: 0 written,
//! 1 error, 2 usage, 5 no semantic change, 8 rude edit.

mod check;
mod generate;
mod watch;

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use emit_delta::dump;
use emit_delta::{Assembly, Error, FileBytes};

#[derive(Parser, Debug)]
#[command(name = "emit-delta", version, about = "Hot reload deltas for any .NET assembly")]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
#[command(after_help = "Writes DIR/<baseline file name>.<N>.dmeta, .dil and .dpdb for each generation N. \
The .dpdb (portable-PDB delta) comes from the updated build's portable PDB, embedded or next to it \
(it must match the build's CodeView id); without one, its methods have no sequence points.\n\
Exit codes: 0 delta written, 1 error, 2 usage, 5 no semantic change (nothing written), \
8 rude edit (nothing written; one line per edit on stderr).")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The baseline build (Debug) the running process loaded.
    #[arg(required = true)]
    baseline: Option<PathBuf>,
    /// The updated build, or an EDITS.json script of several changes.
    #[arg(required = true)]
    input: Option<PathBuf>,
    /// Folder for the delta files (default: the current folder).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Session folder carrying the chain between runs (default: OUT/.emit-delta).
    #[arg(long, value_name = "DIR")]
    session: Option<PathBuf>,
    /// Space-separated runtime capabilities (default: .NET 10 CoreCLR's).
    #[arg(long, value_name = "LIST")]
    capabilities: Option<String>,
    /// Print a machine-readable summary.
    #[arg(long)]
    json: bool,
    /// Under a rude edit of compiler-generated code (reported under the member the user
    /// wrote), list the generated definitions behind it (`--json` always has them).
    #[arg(long)]
    verbose: bool,
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
    /// Validate deltas against the EnC rules (docs/check-rules.md): one line per violation.
    #[command(after_help = "Each DELTA is a .dmeta; the .dil and .dpdb with the same stem are read when present.\n\
Exit codes: 0 no violation, 1 violations (one line each: generation, table, row, rule, what is wrong) \
or unreadable input, 2 usage.")]
    Check {
        /// The baseline assembly the deltas apply to.
        baseline: PathBuf,
        /// The generations' .dmeta files, in order.
        #[arg(required = true)]
        deltas: Vec<PathBuf>,
        /// Space-separated runtime capabilities; edits outside them are violations.
        #[arg(long, value_name = "LIST")]
        capabilities: Option<String>,
    },
    /// Build and run a project, and apply every save to the running app (hot reload).
    #[command(after_help = "Watch's lines go to stderr, prefixed `watch:` (or one JSON object per line with --json); \
the app's stdout and stderr are watch's, and watch's stdin is copied to the app. Rude edits restart the app (see --on-rude); a build error \
keeps the app on the code applied last. Exit codes: 0 stopped (Ctrl-C, SIGTERM, --on-rude exit), 1 error.")]
    Watch {
        /// The .csproj, .fsproj or .vbproj, or a folder with exactly one (default: the current folder).
        project: Option<PathBuf>,
        /// What to do on a rude edit: restart the app with the new build, ask on the terminal, or exit.
        #[arg(long, value_enum, default_value = "restart")]
        on_rude: watch::OnRude,
        /// One JSON object per event on stderr (started, applied, rude, build_failed, restarted, exited, ...).
        #[arg(long)]
        json: bool,
        /// Build every save with `dotnet build` (no warm compiler, no captured invocations).
        #[arg(long)]
        no_fast: bool,
        /// Arguments for the app.
        #[arg(last = true)]
        args: Vec<String>,
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
        Some(Command::Info { file }) => with_assembly(&file, dump::info::info),
        Some(Command::Dump { file, canonical: true }) => {
            read(&file).map(|bytes| dump::canonical::canonical_dump(&bytes))
        }
        Some(Command::Dump { file, canonical: false }) => with_assembly(&file, dump::rows::dump),
        Some(Command::Check { baseline, deltas, capabilities }) => {
            return check::run(&baseline, &deltas, capabilities.as_deref());
        }
        Some(Command::Watch { project, on_rude, json, no_fast, args }) => {
            return watch::run(watch::Options { project, on_rude, json, fast: !no_fast, args });
        }
        None => return generate_main(&cli),
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

fn generate_main(cli: &Cli) -> i32 {
    let (Some(baseline), Some(input)) = (&cli.baseline, &cli.input) else {
        eprintln!("usage: emit-delta <BASELINE.dll> <UPDATED.dll | EDITS.json> (see --help)");
        return 2;
    };
    let opts = generate::Options {
        baseline: baseline.clone(),
        input: input.clone(),
        out: cli.out.clone().unwrap_or_else(|| PathBuf::from(".")),
        session: cli.session.clone(),
        capabilities: cli.capabilities.clone(),
    };
    match generate::run(&opts) {
        Ok(generate::Outcome::Written(summaries)) => {
            if cli.json {
                let json = serde_json::json!({ "generations": summaries, "rude_edits": [] });
                println!("{}", serde_json::to_string_pretty(&json).unwrap_or_default());
            } else {
                for s in &summaries {
                    let files: Vec<String> = s.files.iter().map(|f| f.display().to_string()).collect();
                    println!("generation {}: {}", s.generation, files.join(" "));
                    for (verb, list) in
                        [("updated", &s.updated_methods), ("added", &s.added), ("deleted", &s.deleted_methods)]
                    {
                        for m in list {
                            println!("  {verb} {} {}", m.token, m.name);
                        }
                    }
                }
            }
            0
        }
        Ok(generate::Outcome::NoChange(message)) => {
            if cli.json {
                println!("{}", serde_json::json!({ "generations": [], "rude_edits": [], "no_change": message }));
            }
            eprintln!("emit-delta: {message}");
            5
        }
        Ok(generate::Outcome::Rude(edits)) => {
            if cli.json {
                println!("{}", serde_json::json!({ "generations": [], "rude_edits": edits }));
            }
            for e in &edits {
                eprintln!("{}rude edit: {e}", location_prefix(e));
                if cli.verbose && !e.generated.is_empty() {
                    eprintln!("  generated: {}", e.generated.join(", "));
                }
            }
            8
        }
        Err(e) => {
            eprintln!("emit-delta: {e}");
            1
        }
    }
}

/// `Program.cs(27,5): ` (or `Program.cs: ` with no line) before a rude edit, as compilers
/// print diagnostics, so editors can jump to the member; empty when its place is unknown.
pub(crate) fn location_prefix(edit: &emit_delta::diff::RudeEdit) -> String {
    match &edit.location {
        Some(l) => match (l.line, l.column) {
            (Some(line), Some(column)) => format!("{}({line},{column}): ", l.file),
            _ => format!("{}: ", l.file),
        },
        None => String::new(),
    }
}
