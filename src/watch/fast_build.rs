//! The fast path of a save: compile the changed projects with their captured invocations
//! in the warm compiler (the outputs land where `dotnet build` puts them, in `obj/`, so the
//! bytes, the PDB path inside them included, are the same), then stage a new build
//! folder: the current one hard-linked, with the compiled assemblies and PDBs copied over.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::compiler_host::{Compiled, Compiler, CompilerHost};
use super::invocation::{Invocation, Language};

/// What a fast build ended with.
#[derive(Debug)]
pub enum FastBuild {
    /// The staging folder holds the new build; how each project compiled, the time the
    /// warm compiler took (all projects), and its working set when it passed its bound and
    /// was let go (the next compile starts a fresh one).
    Built { compilers: Vec<Compiler>, compile: Duration, recycled: Option<u64> },
    /// The compiler reported errors in the sources (the app keeps its code).
    Failed(Vec<String>),
    /// The fast path cannot decide: build with `dotnet build`, for this reason.
    Fallback(String),
}

/// Diagnostics that say the invocation names something that is not there any more:
/// a metadata file or source file not found (C#, VB, F#).
const STALE_MARKERS: [&str; 6] = ["CS0006", "CS2001", "BC2017", "BC2001", "FS0225", "FS0078"];

/// Where a fast build reads and writes: the build it starts from, the new staging
/// folder, and a private folder for response files.
pub struct Folders<'a> {
    pub current: &'a Path,
    pub staging: &'a Path,
    pub scratch: &'a Path,
}

/// Compiles `projects` (indexes into `invocations`, in order) with `host` (started by
/// `start` when there is none), C# and VB incrementally in the host, or through the
/// compiler server named by `shared` (a `/shared:<pipe>` option) when the host cannot,
/// then stages `current` + the outputs into `staging`.
/// A host that dies is dropped (the next build starts a new one); one past its memory
/// bound is dropped after the compile.
pub fn build(
    host: &mut Option<CompilerHost>,
    start: &mut dyn FnMut() -> Result<CompilerHost, String>,
    invocations: &[Invocation],
    projects: &[usize],
    folders: &Folders,
    shared: Option<&str>,
) -> FastBuild {
    let mut compiled = Vec::new();
    let mut compilers = Vec::new();
    let mut compile = Duration::ZERO;
    let mut recycled = None;
    for &i in projects {
        let Some(inv) = invocations.get(i) else {
            return FastBuild::Fallback(format!("no invocation {i}"));
        };
        // No watched project compiles against the watched one (project 0): its compile
        // leaves out the reference assembly (about a tenth of a C# compile) and removes
        // the one in obj/, so that the next `dotnet build` compiles again instead of
        // taking an out-of-date file as up to date.
        let lean;
        let compiled_inv = match &inv.refout {
            Some(refout) if i == 0 => {
                let _ = std::fs::remove_file(refout);
                lean = inv.without_refout();
                &lean
            }
            _ => inv,
        };
        let mut args = match compiled_inv.host_args(&folders.scratch.join(format!("{i}.rsp"))) {
            Ok(a) => a,
            Err(e) => return FastBuild::Fallback(e),
        };
        if let Some(option) = shared.filter(|_| inv.language != Language::FSharp) {
            args.insert(0, option.to_string());
        }
        let ref_before = inv.refout.as_ref().and_then(|r| std::fs::read(r).ok());
        if host.is_none() {
            match start() {
                Ok(h) => *host = Some(h),
                Err(e) => return FastBuild::Fallback(format!("the warm compiler did not start: {e}")),
            }
        }
        let Some(h) = host.as_mut() else { return FastBuild::Fallback("no warm compiler".into()) };
        let result = h.compile(compiled_inv, &args);
        if h.over_memory_bound(&result) {
            *host = None;
            if let Compiled::Ran { working_set, .. } = result {
                recycled = Some(working_set);
            }
        }
        match result {
            Compiled::HostLost(e) => {
                *host = None;
                remove_outputs(inv);
                return FastBuild::Fallback(format!("the warm compiler was lost: {e}"));
            }
            Compiled::Ran { exit: 0, how, host_ms, .. } => {
                compilers.push(how);
                compile += Duration::from_secs_f64(host_ms.max(0.0) / 1000.0);
            }
            Compiled::Ran { output, .. } => {
                remove_outputs(inv);
                if let Some(marker) = STALE_MARKERS.iter().find(|m| output.contains(*m)) {
                    return FastBuild::Fallback(format!("the compiler reported {marker} (a stale invocation?)"));
                }
                return FastBuild::Failed(diagnostics(&output));
            }
        }
        if i > 0 {
            let ref_after = inv.refout.as_ref().and_then(|r| std::fs::read(r).ok());
            if ref_before.is_none() || ref_before != ref_after {
                return FastBuild::Fallback(format!(
                    "the public surface of {} changed: the projects referencing it compile again",
                    inv.project.file_name().unwrap_or_default().to_string_lossy()
                ));
            }
        }
        compiled.push(inv);
    }
    match stage(folders.current, folders.staging, &compiled) {
        Ok(()) => FastBuild::Built { compilers, compile, recycled },
        Err(e) => FastBuild::Fallback(format!("staging the fast build: {e}")),
    }
}

/// Removes what a compile that did not finish may have left half-written in `obj/`, so
/// that the next `dotnet build` compiles again instead of taking it as up to date.
fn remove_outputs(inv: &Invocation) {
    for out in inv.outputs().into_iter().chain(inv.refout.clone()) {
        let _ = std::fs::remove_file(out);
    }
}

/// The compiler's error lines (without its banner and blank lines), each once.
fn diagnostics(output: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for l in output.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if l.starts_with("Microsoft (R)") || l.starts_with("Copyright (C)") || lines.iter().any(|x| x == l) {
            continue;
        }
        lines.push(l.to_string());
    }
    if lines.is_empty() {
        lines.push("the compiler failed without a message".into());
    }
    lines
}

/// `staging` = `current` (hard links, copies where linking fails) with each compiled
/// output copied over the file of the same name.
pub fn stage(current: &Path, staging: &Path, compiled: &[&Invocation]) -> Result<(), String> {
    link_tree(current, staging)?;
    for inv in compiled {
        for out in inv.outputs() {
            let Some(name) = out.file_name() else { continue };
            let target = staging.join(name);
            let _ = std::fs::remove_file(&target);
            std::fs::copy(&out, &target).map_err(|e| format!("{} -> {}: {e}", out.display(), target.display()))?;
        }
    }
    Ok(())
}

fn link_tree(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let entries = std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let target: PathBuf = to.join(entry.file_name());
        let kind = entry.file_type().map_err(|e| format!("{}: {e}", path.display()))?;
        if kind.is_dir() {
            link_tree(&path, &target)?;
        } else if std::fs::hard_link(&path, &target).is_err() {
            std::fs::copy(&path, &target).map_err(|e| format!("{} -> {}: {e}", path.display(), target.display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_links_the_current_build_and_replaces_the_compiled_outputs() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        std::fs::create_dir_all(d.join("current/runtimes/x")).unwrap();
        std::fs::write(d.join("current/App.dll"), "old").unwrap();
        std::fs::write(d.join("current/App.pdb"), "old pdb").unwrap();
        std::fs::write(d.join("current/Dep.dll"), "dep").unwrap();
        std::fs::write(d.join("current/runtimes/x/n.so"), "native").unwrap();
        std::fs::create_dir_all(d.join("obj")).unwrap();
        std::fs::write(d.join("obj/App.dll"), "new").unwrap();
        std::fs::write(d.join("obj/App.pdb"), "new pdb").unwrap();
        let inv = Invocation {
            project: d.join("App.csproj"),
            dir: d.to_path_buf(),
            language: Language::CSharp,
            compiler: d.join("csc.dll"),
            args: Vec::new(),
            sources: Vec::new(),
            output: d.join("obj/App.dll"),
            pdb: Some(d.join("obj/App.pdb")),
            refout: None,
        };
        stage(&d.join("current"), &d.join("next"), &[&inv]).unwrap();
        let read = |p: &str| std::fs::read_to_string(d.join(p)).unwrap();
        assert_eq!(read("next/App.dll"), "new");
        assert_eq!(read("next/App.pdb"), "new pdb");
        assert_eq!(read("next/Dep.dll"), "dep");
        assert_eq!(read("next/runtimes/x/n.so"), "native");
        // The current build is untouched.
        assert_eq!(read("current/App.dll"), "old");
        assert!(stage(&d.join("missing"), &d.join("next2"), &[]).is_err());
    }

    #[test]
    fn diagnostics_drop_the_banner_and_repeats() {
        let out = "Microsoft (R) Visual C# Compiler version 5\nCopyright (C) Microsoft\n\nA.cs(1,1): error CS1002: ; expected\nA.cs(1,1): error CS1002: ; expected\n";
        assert_eq!(diagnostics(out), vec!["A.cs(1,1): error CS1002: ; expected".to_string()]);
        assert_eq!(diagnostics(""), vec!["the compiler failed without a message".to_string()]);
    }
}
