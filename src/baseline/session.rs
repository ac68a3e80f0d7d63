//! The session folder: `state.json` (the [`ChainState`]) and a copy of the build
//! applied last. Every write goes to a temporary file that is renamed into place, and
//! `state.json` is replaced last, so a failed or killed run leaves the previous
//! generation's session intact.
//!
//! One run at a time: [`Session::lock`] takes an exclusive OS lock on the session folder
//! (released by the OS when the process ends, however it ends), which the caller holds
//! from reading `state.json` until after [`Session::commit`].

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{ChainState, fault};
use crate::error::{Error, Result};

pub const STATE_FILE: &str = "state.json";
/// Prefix of the temporary files of [`write_atomically`]; a crashed run can leave some.
pub const TEMP_PREFIX: &str = ".emit-delta-tmp-";
/// Seconds a run waits for the session lock before giving up (default
/// [`DEFAULT_LOCK_WAIT`]; `0`: refuse at once).
pub const LOCK_WAIT_ENV: &str = "EMIT_DELTA_LOCK_WAIT";
pub const DEFAULT_LOCK_WAIT: u64 = 120;

pub struct Session {
    pub dir: PathBuf,
}

/// The exclusive lock of a session folder, held until dropped.
#[derive(Debug)]
pub struct SessionLock {
    _file: File,
}

/// Writes `bytes` to `path` atomically (temporary file in the same folder, fsync, rename,
/// fsync of the folder). The file's mode follows the umask (0666 & !umask).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Applied through open(2)'s mode, so the umask applies as for any new file.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    fault::point("write", path)?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    fault::point("rename", path)?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    sync_dir(dir);
    Ok(())
}

/// Makes a rename durable (best effort: not every platform can open a folder).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

impl Session {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Session { dir: dir.into() }
    }

    /// Takes the session's exclusive lock, creating the folder if needed. While another
    /// process holds it, waits (saying so once on stderr) up to `EMIT_DELTA_LOCK_WAIT`
    /// seconds, then fails naming the folder. Temporary files a crashed run left in the
    /// folder are removed once the lock is held.
    pub fn lock(&self) -> Result<SessionLock> {
        let wait = match std::env::var(LOCK_WAIT_ENV) {
            Ok(v) => v
                .trim()
                .parse::<u64>()
                .map_err(|_| Error::Invalid(format!("{LOCK_WAIT_ENV}=`{v}`: expected a number of seconds")))?,
            Err(_) => DEFAULT_LOCK_WAIT,
        };
        self.lock_waiting(Duration::from_secs(wait))
    }

    /// [`Session::lock`] with an explicit longest wait.
    pub fn lock_waiting(&self, wait: Duration) -> Result<SessionLock> {
        std::fs::create_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        // On Unix the folder itself is locked (flock), so the lock adds no file to it.
        #[cfg(unix)]
        let (path, file) = (self.dir.clone(), File::open(&self.dir));
        #[cfg(not(unix))]
        let (path, file) = {
            let path = self.dir.join("lock");
            let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path);
            (path, file)
        };
        let file = file.map_err(|e| Error::io(&path, e))?;
        let start = Instant::now();
        let mut said = false;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) => {
                    if start.elapsed() >= wait {
                        return Err(Error::Invalid(format!(
                            "{}: the session is locked by another emit-delta run (waited {} s; {LOCK_WAIT_ENV} sets the wait)",
                            self.dir.display(),
                            wait.as_secs()
                        )));
                    }
                    if !said {
                        eprintln!(
                            "emit-delta: waiting for session lock held by another emit-delta ({})",
                            self.dir.display()
                        );
                        said = true;
                    }
                    std::thread::sleep(Duration::from_millis(25));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
            }
        }
        self.clean_after_crash();
        Ok(SessionLock { _file: file })
    }

    /// The saved state, or `None` for a new session.
    pub fn load(&self) -> Result<Option<ChainState>> {
        let path = self.dir.join(STATE_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&path, e)),
        };
        ChainState::from_json(&text, &path).map(Some)
    }

    /// Removes every `applied.*.dll` of the folder but `keep` (a crash can leave one
    /// behind before or after its commit). The state is committed already: a failed
    /// removal is not an error.
    fn remove_other_builds(&self, keep: Option<&str>) {
        let mut stale: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                Some(n.as_str()) != keep && n.starts_with("applied.") && n.ends_with(".dll")
            })
            .map(|e| e.path())
            .collect();
        stale.sort();
        for old in stale {
            if fault::point("remove", &old).is_ok() {
                let _ = std::fs::remove_file(&old);
            }
        }
    }

    /// With the lock held: removes what a crashed run left (temporary files, applied
    /// builds `state.json` does not name). An unreadable state is left for
    /// [`Session::load`] to report.
    fn clean_after_crash(&self) {
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        let keep = match std::fs::read(self.dir.join(STATE_FILE)) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(_) => return,
            Ok(bytes) => match serde_json::from_slice::<serde_json::Value>(&bytes) {
                Ok(v) => v.get("applied_build").and_then(|b| b.as_str()).map(String::from),
                Err(_) => return,
            },
        };
        self.remove_other_builds(keep.as_deref());
    }

    /// [`ChainState::validate_against`] the state of `baseline` alone, naming `state.json`.
    pub fn check_against_baseline(
        &self,
        state: &ChainState,
        baseline_bytes: &[u8],
        baseline: &crate::assembly::Assembly<'_>,
    ) -> Result<()> {
        let path = self.dir.join(STATE_FILE);
        let base = ChainState::from_baseline(baseline_bytes, baseline)?;
        state.validate_against(&base).map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))
    }

    /// The build applied last, if it is not the baseline.
    pub fn applied_build(&self, state: &ChainState, mode: crate::ReadMode) -> Result<Option<crate::FileBytes>> {
        match &state.applied_build {
            None => Ok(None),
            Some(name) => crate::FileBytes::load(&self.dir.join(name), mode).map(Some),
        }
    }

    /// Saves `state` with `applied` as the build applied last: the build first, then the
    /// state that names it (the commit point: the generation it records has all its delta
    /// files written), then every other applied build is removed, including ones a run
    /// that crashed before or after its commit left behind.
    pub fn commit(&self, state: &mut ChainState, applied: &[u8]) -> Result<()> {
        let name = format!("applied.{}.dll", state.generation);
        write_atomically(&self.dir.join(&name), applied)?;
        let previous = state.applied_build.replace(name.clone());
        let json = serde_json::to_vec_pretty(state).map_err(|e| Error::Invalid(format!("session: {e}")))?;
        if let Err(e) = write_atomically(&self.dir.join(STATE_FILE), &json) {
            state.applied_build = previous;
            return Err(e);
        }
        self.remove_other_builds(Some(&name));
        Ok(())
    }
}
