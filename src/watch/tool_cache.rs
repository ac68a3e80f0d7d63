//! The small .NET programs `watch` needs (the agent, the compiler host) are built from the
//! sources compiled into this binary, once per content hash, with the installed SDK, into
//! `~/.cache/emit-delta/<name>/<hash>/bin` (or under `$EMIT_DELTA_CACHE_DIR`).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The cache folder: `$EMIT_DELTA_CACHE_DIR`, `$XDG_CACHE_HOME/emit-delta`, `~/.cache/emit-delta`.
pub fn cache_root() -> Result<PathBuf, String> {
    std::env::var_os("EMIT_DELTA_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("emit-delta")))
        .or_else(|| std::env::var_os("HOME").map(|d| PathBuf::from(d).join(".cache/emit-delta")))
        .ok_or_else(|| "no cache folder: set HOME or EMIT_DELTA_CACHE_DIR".into())
}

/// FNV-1a over the parts, each ended by a zero byte.
pub fn content_hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// A program to build: its cache name, the files of its project (name, text), and the
/// assembly the build produces.
pub struct Tool<'a> {
    pub name: &'a str,
    pub files: &'a [(&'a str, &'a str)],
    pub project_file: &'a str,
    pub assembly: &'a str,
}

/// The built assembly of `tool`, building it first when this content was never built.
/// `building` is called before a build (for a progress note). Concurrent watches wait
/// on a lock file instead of building twice.
pub fn built(dotnet: &Path, tool: &Tool, building: impl FnOnce()) -> Result<PathBuf, String> {
    let texts: Vec<&str> = tool.files.iter().flat_map(|(n, t)| [*n, *t]).collect();
    let dir = cache_root()?.join(tool.name).join(format!("{:016x}", content_hash(&texts)));
    let dll = dir.join("bin").join(tool.assembly);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let lock_path = dir.join("build.lock");
    let lock = File::create(&lock_path).map_err(|e| format!("{}: {e}", lock_path.display()))?;
    lock.lock().map_err(|e| format!("{}: {e}", lock_path.display()))?;
    if dll.is_file() {
        return Ok(dll);
    }
    building();
    let src = dir.join("src");
    std::fs::create_dir_all(&src).map_err(|e| format!("{}: {e}", src.display()))?;
    for (name, text) in tool.files {
        std::fs::write(src.join(name), text).map_err(|e| format!("{}: {e}", src.join(name).display()))?;
    }
    let tmp_bin = dir.join("bin.tmp");
    let _ = std::fs::remove_dir_all(&tmp_bin);
    let result = Command::new(dotnet)
        .args(["build", "-c", "Release", "-nologo", "-v", "q", "-clp:ErrorsOnly", "-o"])
        .arg(&tmp_bin)
        .arg(src.join(tool.project_file))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run dotnet: {e}"))?;
    if !result.status.success() {
        return Err(format!(
            "building the {} failed:\n{}{}",
            tool.name,
            String::from_utf8_lossy(&result.stdout),
            String::from_utf8_lossy(&result.stderr)
        ));
    }
    std::fs::rename(&tmp_bin, dir.join("bin")).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dll)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_depends_on_every_part_and_its_boundaries() {
        assert_eq!(content_hash(&["a", "b"]), content_hash(&["a", "b"]));
        assert_ne!(content_hash(&["a", "b"]), content_hash(&["ab"]));
        assert_ne!(content_hash(&["a", "b"]), content_hash(&["a", "c"]));
    }
}
