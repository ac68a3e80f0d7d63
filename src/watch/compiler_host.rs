//! The warm compiler: `compiler-host/` (a C# program, built on first use) that loads the
//! SDK's own F#, C# and VB compilers once and compiles each request in-process; C# and
//! VB incrementally (the project's compilation kept in memory, only changed files parsed
//! again, `compiler-host/IncrementalRoslyn.cs`). One per
//! watch: started by it, in its own process group, killed with it (on drop; and by the
//! kernel when watch dies, `PR_SET_PDEATHSIG`; and it exits when its stdin ends).
//! Recycled once its working set passes [`memory_bound`].

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use serde_json::{Value, json};

use super::invocation::Invocation;
use super::tool_cache::Tool;

pub const HOST_PROJECT: &str = include_str!("../../compiler-host/EmitDeltaCompilerHost.csproj");
pub const HOST_SOURCE: &str = include_str!("../../compiler-host/CompilerHost.cs");
pub const HOST_INCREMENTAL: &str = include_str!("../../compiler-host/IncrementalRoslyn.cs");

/// The compiler host's sources, for [`super::tool_cache::built`].
pub fn tool() -> Tool<'static> {
    Tool {
        name: "compiler-host",
        files: &[
            ("EmitDeltaCompilerHost.csproj", HOST_PROJECT),
            ("CompilerHost.cs", HOST_SOURCE),
            ("IncrementalRoslyn.cs", HOST_INCREMENTAL),
        ],
        project_file: "EmitDeltaCompilerHost.csproj",
        assembly: "EmitDeltaCompilerHost.dll",
    }
}

/// The default bound on the host's working set, in MiB, past which it is recycled
/// (after the compile that crossed it); `EMIT_DELTA_COMPILER_MAX_MB` overrides it.
pub const DEFAULT_MEMORY_BOUND_MB: u64 = 1536;

pub fn memory_bound() -> u64 {
    std::env::var("EMIT_DELTA_COMPILER_MAX_MB")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&mb| mb > 0)
        .unwrap_or(DEFAULT_MEMORY_BOUND_MB)
        * 1024
        * 1024
}

/// How long one compile may take before the host is given up on.
const COMPILE_TIMEOUT: Duration = Duration::from_secs(300);

/// What a compile ended with.
#[derive(Debug)]
pub enum Compiled {
    /// The compiler ran: its exit code (0: the outputs are written) and diagnostics.
    /// `working_set`: the host's, in bytes, after the compile.
    Ran { exit: i32, output: String, host_ms: f64, working_set: u64, how: Compiler },
    /// The host died or misbehaved; it is gone and the next compile starts a new one.
    HostLost(String),
}

/// Which compiler of the host compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Compiler {
    /// C#/VB in memory, only the changed files parsed again; whether C#'s nullable flow
    /// analysis was left out (it can only report warnings there; IncrementalRoslyn.cs).
    Incremental { skipped_nullable_analysis: bool },
    /// csc/vbc's entry point (through the compiler server when one is given), with why
    /// the incremental compile did not run when it was tried.
    EntryPoint { incremental_error: Option<String> },
    /// F#: `FSharpChecker.Compile`.
    Fsc,
}

impl Compiler {
    fn from_reply(v: &Value) -> Compiler {
        match v["how"].as_str() {
            Some("incremental") => {
                Compiler::Incremental { skipped_nullable_analysis: v["nullable_analysis"].as_str() == Some("skipped") }
            }
            Some("fsc") => Compiler::Fsc,
            _ => Compiler::EntryPoint { incremental_error: v["incremental_error"].as_str().map(str::to_string) },
        }
    }

    /// The name in watch's events: `incremental`, `entry-point`, `fsc`.
    pub fn name(&self) -> &'static str {
        match self {
            Compiler::Incremental { .. } => "incremental",
            Compiler::EntryPoint { .. } => "entry-point",
            Compiler::Fsc => "fsc",
        }
    }
}

/// A running compiler host.
pub struct CompilerHost {
    child: Child,
    stdin: ChildStdin,
    replies: Receiver<String>,
    /// Requests whose reply was not read yet (a warm-up).
    pending: usize,
    pub pid: u32,
    memory_bound: u64,
}

impl CompilerHost {
    /// Starts `dotnet HOST_DLL` and waits for its ready line.
    pub fn start(dotnet: &Path, host_dll: &Path) -> Result<CompilerHost, String> {
        let mut command = Command::new(dotnet);
        command
            .arg(host_dll)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            // Every method compiled once, fully optimized, ahead-of-time code not used: the
            // warm-up compile takes about twice as long (in the background, after the
            // first build), and every compile after it 2x (F#) to 5x (C# incremental)
            // faster than with tiered compilation from ReadyToRun code (BENCHMARKS.md,
            // "Watch latency").
            .env("DOTNET_TieredCompilation", "0")
            .env("DOTNET_ReadyToRun", "0")
            // A 256 MB young generation, emptied by the host after each compile: a C#
            // compile (about 9 MB allocated for the 20-file sample) runs without a GC
            // instead of with 1–2 (5–10 ms of pauses), an F# one (about 280 MB) with 2 GCs
            // instead of about 36 (BENCHMARKS.md, "Sessions 7–8").
            .env("DOTNET_GCgen0size", "0x10000000")
            .process_group(0);
        die_with_parent(&mut command);
        let mut child = command.spawn().map_err(|e| format!("cannot start the compiler host: {e}"))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            kill(&mut child);
            return Err("the compiler host has no pipes".into());
        };
        let (tx, replies) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let mut host =
            CompilerHost { pid: child.id(), child, stdin, replies, pending: 0, memory_bound: memory_bound() };
        let ready = host.reply(Duration::from_secs(60)).and_then(|line| {
            let v: Value = serde_json::from_str(&line).map_err(|e| format!("the compiler host's hello: {e}"))?;
            if v["ready"] == json!(true) {
                Ok(())
            } else {
                Err(format!("unexpected hello from the compiler host: {line}"))
            }
        });
        match ready {
            Ok(()) => Ok(host),
            Err(e) => Err(e),
        }
    }

    fn reply(&mut self, timeout: Duration) -> Result<String, String> {
        match self.replies.recv_timeout(timeout) {
            Ok(line) => Ok(line),
            Err(RecvTimeoutError::Timeout) => Err(format!("the compiler host did not answer within {timeout:?}")),
            Err(RecvTimeoutError::Disconnected) => {
                let status = self.child.try_wait().ok().flatten();
                Err(match status {
                    Some(s) => format!("the compiler host died ({s})"),
                    None => "the compiler host closed its output".into(),
                })
            }
        }
    }

    fn send(&mut self, invocation: &Invocation, args: &[String]) -> Result<(), String> {
        let request = json!({
            "language": invocation.language.host_name(),
            "compiler": invocation.compiler,
            "cwd": invocation.dir,
            "args": args,
        });
        writeln!(self.stdin, "{request}")
            .and_then(|_| self.stdin.flush())
            .map_err(|e| format!("writing to the compiler host: {e}"))
    }

    /// Sends a compile without waiting for it (a warm-up); the next [`Self::compile`]
    /// waits for it first.
    pub fn warm_up(&mut self, invocation: &Invocation, args: &[String]) -> Result<(), String> {
        self.send(invocation, args)?;
        self.pending += 1;
        Ok(())
    }

    /// Compiles with `args` (see [`Invocation::host_args`]).
    pub fn compile(&mut self, invocation: &Invocation, args: &[String]) -> Compiled {
        while self.pending > 0 {
            if let Err(e) = self.reply(COMPILE_TIMEOUT) {
                return Compiled::HostLost(e);
            }
            self.pending -= 1;
        }
        if let Err(e) = self.send(invocation, args) {
            return Compiled::HostLost(e);
        }
        let line = match self.reply(COMPILE_TIMEOUT) {
            Ok(l) => l,
            Err(e) => return Compiled::HostLost(e),
        };
        let Ok(v) = serde_json::from_str::<Value>(&line) else {
            return Compiled::HostLost(format!("the compiler host's reply is not JSON: {line}"));
        };
        let (Some(exit), Some(output)) = (v["exit"].as_i64(), v["output"].as_str()) else {
            return Compiled::HostLost(format!("the compiler host's reply lacks exit or output: {line}"));
        };
        let exit = i32::try_from(exit).unwrap_or(1);
        Compiled::Ran {
            exit,
            output: output.to_string(),
            host_ms: v["ms"].as_f64().unwrap_or_default(),
            working_set: v["working_set"].as_u64().unwrap_or_default(),
            how: Compiler::from_reply(&v),
        }
    }

    /// Whether `compiled` left this host above its memory bound (then drop it: the next
    /// compile starts a fresh one).
    pub fn over_memory_bound(&self, compiled: &Compiled) -> bool {
        matches!(compiled, Compiled::Ran { working_set, .. } if *working_set > self.memory_bound)
    }

    /// Whether the host is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

fn kill(child: &mut Child) {
    let pgid = child.id() as libc::pid_t;
    // SAFETY: killpg has no memory-safety preconditions; the group is the host's own.
    unsafe {
        libc::killpg(pgid, libc::SIGKILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

impl Drop for CompilerHost {
    fn drop(&mut self) {
        kill(&mut self.child);
    }
}

/// Makes the child started by `command` die with watch (Linux: the kernel sends it
/// SIGKILL when watch exits, even when watch is killed).
pub(super) fn die_with_parent(command: &mut Command) {
    // SAFETY: prctl is async-signal-safe; it only sets this child's parent-death signal.
    unsafe {
        command.pre_exec(|| {
            #[cfg(target_os = "linux")]
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
            Ok(())
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reply_says_which_compiler_ran_and_why_not_the_incremental_one() {
        let incremental = |skipped| Compiler::Incremental { skipped_nullable_analysis: skipped };
        assert_eq!(Compiler::from_reply(&json!({ "how": "incremental" })), incremental(false));
        let skipped = json!({ "how": "incremental", "nullable_analysis": "skipped" });
        assert_eq!(Compiler::from_reply(&skipped), incremental(true));
        assert_eq!(incremental(true).name(), "incremental");
        assert_eq!(Compiler::from_reply(&json!({ "how": "fsc" })), Compiler::Fsc);
        let fallback = Compiler::from_reply(&json!({ "how": "entry-point", "incremental_error": "no Roslyn" }));
        assert_eq!(fallback, Compiler::EntryPoint { incremental_error: Some("no Roslyn".into()) });
        // An older host without the field compiled with the entry point.
        assert_eq!(Compiler::from_reply(&json!({ "exit": 0 })), Compiler::EntryPoint { incremental_error: None });
        assert_eq!(fallback.name(), "entry-point");
    }
}
