//! Builds each save of a watched project into a staging folder, by the fast path (the
//! captured invocations in the warm compiler) when [`route`] allows it, else with
//! `dotnet build`; says which and why. After every full build the invocations are
//! captured again and the warm compiler is warmed up on them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::compiler_host::{self, Compiler, CompilerHost};
use super::compiler_server::{self, CompilerServer};
use super::fast_build::{self, FastBuild, Folders};
use super::invocation::{self, Invocation, Language};
use super::route::{Route, route};
use super::tool_cache;

/// The way a build went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildKind {
    Fast,
    Full,
}

impl BuildKind {
    pub fn name(self) -> &'static str {
        match self {
            BuildKind::Fast => "fast",
            BuildKind::Full => "full",
        }
    }
}

/// One build of a save.
#[derive(Debug)]
pub struct Build {
    pub kind: BuildKind,
    /// Why the full build (none for the fast path).
    pub reason: Option<String>,
    pub took: Duration,
    /// How the fast path compiled each project (none for a full build).
    pub compilers: Vec<Compiler>,
    /// The fast path's time in the warm compiler (the rest of `took`: the request and the
    /// staging).
    pub compile: Option<Duration>,
    /// The warm compiler's working set, in bytes, when this build left it past its
    /// memory bound and it was let go.
    pub recycled: Option<u64>,
    /// The compiler's errors when it failed.
    pub result: Result<(), Vec<String>>,
}

impl Build {
    /// The compilers of a fast build, as events and the human line name them
    /// (`incremental`, `fsc, incremental`); None for a full build.
    pub fn compiler_names(&self) -> Option<String> {
        let names: Vec<&str> = self.compilers.iter().map(Compiler::name).collect();
        (!names.is_empty()).then(|| names.join(", "))
    }
}

pub struct Builder {
    dotnet: PathBuf,
    /// The watched project, then the projects it references.
    projects: Vec<PathBuf>,
    fast: bool,
    scratch: PathBuf,
    invocations: Option<Vec<Invocation>>,
    host: Option<CompilerHost>,
    host_dll: Option<PathBuf>,
    /// The C#/VB compiler server the host sends compiles to when it cannot compile
    /// incrementally (started only then).
    server: Option<CompilerServer>,
    /// Whether the host said its incremental compile cannot run (then C#/VB go to the server).
    incremental_broken: bool,
    /// The last build that succeeded (the base of a fast build's staging folder).
    current: Option<PathBuf>,
}

impl Builder {
    /// `fast`: whether the fast path may be taken; `scratch`: a private folder for
    /// response files and warm-up outputs.
    pub fn new(dotnet: PathBuf, projects: Vec<PathBuf>, fast: bool, scratch: PathBuf) -> Builder {
        Builder {
            dotnet,
            projects,
            fast,
            scratch,
            invocations: None,
            host: None,
            host_dll: None,
            server: None,
            incremental_broken: !incremental_enabled(),
            current: None,
        }
    }

    /// The warm compiler's process id, when one runs.
    pub fn compiler_pid(&mut self) -> Option<u32> {
        let host = self.host.as_mut()?;
        if host.alive() { Some(host.pid) } else { None }
    }

    /// The C#/VB compiler server's process id, when one runs.
    pub fn server_pid(&mut self) -> Option<u32> {
        let server = self.server.as_mut()?;
        if server.alive() { Some(server.pid()) } else { None }
    }

    /// Builds the sources after a save of `changed` into `staging`.
    pub fn build(&mut self, changed: &[PathBuf], staging: &Path) -> Build {
        if !self.fast {
            return self.full(staging, "the fast path is off (--no-fast)".into());
        }
        let projects = match route(changed, self.invocations.as_deref()) {
            Route::Full(reason) => return self.full(staging, reason),
            Route::Fast(projects) => projects,
        };
        let (Some(current), Some(invocations)) = (self.current.clone(), self.invocations.as_deref()) else {
            return self.full(staging, "no build to start from".into());
        };
        let start = Instant::now();
        let roslyn = projects.iter().filter_map(|&i| invocations.get(i)).find(|inv| inv.language != Language::FSharp);
        let shared = roslyn
            .filter(|_| self.incremental_broken)
            .and_then(|inv| ensure_server(&mut self.server, &self.dotnet, &inv.compiler));
        let (dotnet, host_dll) = (self.dotnet.clone(), self.host_dll.clone());
        let mut start_host = || match &host_dll {
            Some(dll) => CompilerHost::start(&dotnet, dll),
            None => Err("the compiler host is not built".into()),
        };
        let outcome = fast_build::build(
            &mut self.host,
            &mut start_host,
            invocations,
            &projects,
            &Folders { current: &current, staging, scratch: &self.scratch },
            shared.as_deref(),
        );
        match outcome {
            FastBuild::Built { compilers, compile, recycled } => {
                self.current = Some(staging.to_path_buf());
                if compilers.iter().any(|c| matches!(c, Compiler::EntryPoint { incremental_error: Some(_) })) {
                    self.incremental_broken = true;
                }
                Build {
                    kind: BuildKind::Fast,
                    reason: None,
                    took: start.elapsed(),
                    compilers,
                    compile: Some(compile),
                    recycled,
                    result: Ok(()),
                }
            }
            FastBuild::Failed(errors) => Build {
                kind: BuildKind::Fast,
                reason: None,
                took: start.elapsed(),
                compilers: Vec::new(),
                compile: None,
                recycled: None,
                result: Err(errors),
            },
            FastBuild::Fallback(reason) => {
                let _ = std::fs::remove_dir_all(staging);
                self.full(staging, reason)
            }
        }
    }

    /// `dotnet build` into `staging`; the invocations are captured again afterwards.
    pub fn full(&mut self, staging: &Path, reason: String) -> Build {
        self.invocations = None;
        let start = Instant::now();
        let result = dotnet_build(&self.dotnet, &self.projects[0], staging);
        if result.is_ok() {
            self.current = Some(staging.to_path_buf());
        }
        Build {
            kind: BuildKind::Full,
            reason: Some(reason),
            took: start.elapsed(),
            compilers: Vec::new(),
            compile: None,
            recycled: None,
            result,
        }
    }

    /// After a full build: captures the invocations of every project (the fast path is
    /// off until this succeeds), builds the compiler host on first use, starts it and
    /// warms it up with a compile of the watched project into the scratch folder.
    /// `building` is called before the host is built for the first time.
    /// Ok(false) when there was nothing to capture.
    pub fn capture(&mut self, building: impl FnOnce()) -> Result<bool, String> {
        if !self.fast || self.invocations.is_some() || self.current.is_none() {
            return Ok(false);
        }
        let mut invocations = Vec::new();
        for project in &self.projects {
            invocations.push(invocation::capture(&self.dotnet, project)?);
        }
        if self.host_dll.is_none() {
            self.host_dll = Some(tool_cache::built(&self.dotnet, &compiler_host::tool(), building)?);
        }
        if self.host.as_mut().is_none_or(|h| !h.alive()) {
            self.host = None;
            let dll = self.host_dll.as_deref().ok_or("the compiler host is not built")?;
            self.host = Some(CompilerHost::start(&self.dotnet, dll)?);
        }
        let warm_dir = self.scratch.join("warm-up");
        std::fs::create_dir_all(&warm_dir).map_err(|e| format!("{}: {e}", warm_dir.display()))?;
        if let (Some(host), Some(first)) = (self.host.as_mut(), invocations.first()) {
            // As project 0 compiles on a save: without a reference assembly.
            let mut args = first.without_refout().redirected(&warm_dir).host_args(&self.scratch.join("warm-up.rsp"))?;
            if first.language != Language::FSharp
                && self.incremental_broken
                && let Some(option) = ensure_server(&mut self.server, &self.dotnet, &first.compiler)
            {
                args.insert(0, option);
            }
            host.warm_up(first, &args)?;
        }
        self.invocations = Some(invocations);
        Ok(true)
    }
}

/// Whether C#/VB compile incrementally in the host (`EMIT_DELTA_INCREMENTAL=0`: no, the
/// host reads the same variable).
fn incremental_enabled() -> bool {
    super::switch_on("EMIT_DELTA_INCREMENTAL")
}

/// The `/shared:<pipe>` option of a running compiler server beside `compiler` (started
/// when none runs), or None (compile in the host) when it is off or does not start.
fn ensure_server(server: &mut Option<CompilerServer>, dotnet: &Path, compiler: &Path) -> Option<String> {
    if !compiler_server::enabled() {
        return None;
    }
    if server.as_mut().is_none_or(|s| !s.alive()) {
        *server = None;
        *server = CompilerServer::start(dotnet, &compiler_server::beside(compiler)).ok();
    }
    server.as_ref().map(CompilerServer::option)
}

/// `dotnet build` (Debug) of `project` into `staging`; Err holds the error lines.
pub fn dotnet_build(dotnet: &Path, project: &Path, staging: &Path) -> Result<(), Vec<String>> {
    let result = Command::new(dotnet)
        .args(["build", "-c", "Debug", "-nologo", "-v", "q", "-clp:ErrorsOnly;NoSummary", "-o"])
        .arg(staging)
        .arg(project)
        .stdin(Stdio::null())
        .output();
    match result {
        Err(e) => Err(vec![format!("cannot run dotnet: {e}")]),
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => {
            let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
            let mut lines: Vec<String> = Vec::new();
            for l in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
                if !lines.iter().any(|x| x == l) {
                    lines.push(l.to_string());
                }
            }
            if lines.is_empty() {
                lines.push(format!("dotnet build failed ({})", o.status));
            }
            Err(lines)
        }
    }
}
