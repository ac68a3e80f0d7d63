//! C# and VB on the fast path: the SDK's own compiler server (`VBCSCompiler.dll`, the one
//! `dotnet build` uses when `UseSharedCompilation` is on), started by watch under a private
//! pipe name whatever that setting says, and owned by it: own process group, killed on
//! drop and by the kernel when watch dies. The warm compiler host passes C#/VB compiles
//! to it with `/shared:<pipe>` (side by side it measured faster than compiling in the host
//! itself: the server keeps analyzers and references loaded; BENCHMARKS.md). When the
//! server is gone, csc/vbc compile in the host instead, so the result never depends on it.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct CompilerServer {
    child: Child,
    pub pipe: String,
}

/// Whether C#/VB compiles go through the server (`EMIT_DELTA_COMPILER_SERVER=0`: no,
/// compile in the host).
pub fn enabled() -> bool {
    super::switch_on("EMIT_DELTA_COMPILER_SERVER")
}

/// The server beside a `csc.dll` or `vbc.dll`.
pub fn beside(compiler: &Path) -> PathBuf {
    compiler.with_file_name("VBCSCompiler.dll")
}

/// Where the server listens: Roslyn puts a pipe name that is not a path in the
/// temporary folder (a Unix socket).
fn socket_path(pipe: &str) -> PathBuf {
    std::env::temp_dir().join(pipe)
}

impl CompilerServer {
    /// Starts `dotnet VBCSCompiler.dll -pipename:<pipe>` and waits until it listens (a
    /// client arriving earlier would start a server of its own, which nobody would stop).
    pub fn start(dotnet: &Path, server_dll: &Path) -> Result<CompilerServer, String> {
        if !server_dll.is_file() {
            return Err(format!("{}: no compiler server", server_dll.display()));
        }
        static STARTED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let pipe = format!("emit-delta-{}-{n}", std::process::id());
        let mut command = Command::new(dotnet);
        command
            .arg(server_dll)
            .arg(format!("-pipename:{pipe}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        super::compiler_host::die_with_parent(&mut command);
        let child = command.spawn().map_err(|e| format!("cannot start the compiler server: {e}"))?;
        let mut server = CompilerServer { child, pipe };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !socket_path(&server.pipe).exists() {
            if !server.alive() {
                return Err("the compiler server exited at start".into());
            }
            if Instant::now() > deadline {
                return Err("the compiler server did not listen within 60 s".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The compiler option that sends a compile to this server.
    pub fn option(&self) -> String {
        format!("/shared:{}", self.pipe)
    }
}

impl Drop for CompilerServer {
    fn drop(&mut self) {
        let pgid = self.child.id() as libc::pid_t;
        // SAFETY: killpg has no memory-safety preconditions; the group is the server's own.
        unsafe {
            libc::killpg(pgid, libc::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(socket_path(&self.pipe));
        // The server's named mutex, which .NET keeps as a file.
        let _ = std::fs::remove_file(std::env::temp_dir().join(format!(".dotnet/shm/global/{}.server", self.pipe)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_is_found_beside_the_compiler_and_refuses_a_missing_one() {
        let csc = Path::new("/sdk/Roslyn/bincore/csc.dll");
        assert_eq!(beside(csc), PathBuf::from("/sdk/Roslyn/bincore/VBCSCompiler.dll"));
        let missing = CompilerServer::start(Path::new("dotnet"), Path::new("/nonexistent/VBCSCompiler.dll"));
        assert!(missing.err().unwrap_or_default().contains("no compiler server"));
    }
}
