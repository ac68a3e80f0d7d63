//! The session folder: `state.json` (the [`ChainState`]) and a copy of the build
//! applied last. Every write goes to a temporary file that is renamed into place, and
//! `state.json` is replaced last, so a failed or killed run leaves the previous
//! generation's session intact.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::ChainState;
use crate::error::{Error, Result};

pub const STATE_FILE: &str = "state.json";

pub struct Session {
    pub dir: PathBuf,
}

/// Writes `bytes` to `path` atomically (temporary file in the same folder, fsync, rename).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

impl Session {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Session { dir: dir.into() }
    }

    /// The saved state, or `None` for a new session.
    pub fn load(&self) -> Result<Option<ChainState>> {
        let path = self.dir.join(STATE_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&path, e)),
        };
        let state: ChainState = serde_json::from_str(&text)
            .map_err(|e| Error::Invalid(format!("{}: not a valid session state: {e}", path.display())))?;
        if state.format != ChainState::FORMAT {
            return Err(Error::Invalid(format!(
                "{}: session format {} is not the supported {}",
                path.display(),
                state.format,
                ChainState::FORMAT
            )));
        }
        Ok(Some(state))
    }

    /// The build applied last, if it is not the baseline.
    pub fn applied_build(&self, state: &ChainState) -> Result<Option<Vec<u8>>> {
        match &state.applied_build {
            None => Ok(None),
            Some(name) => {
                let path = self.dir.join(name);
                std::fs::read(&path).map(Some).map_err(|e| Error::io(&path, e))
            }
        }
    }

    /// Saves `state` with `applied` as the build applied last: the build first, then the
    /// state that names it, then older builds are removed.
    pub fn commit(&self, state: &mut ChainState, applied: &[u8]) -> Result<()> {
        let name = format!("applied.{}.dll", state.generation);
        write_atomically(&self.dir.join(&name), applied)?;
        let previous = state.applied_build.replace(name.clone());
        let json = serde_json::to_vec_pretty(state).map_err(|e| Error::Invalid(format!("session: {e}")))?;
        if let Err(e) = write_atomically(&self.dir.join(STATE_FILE), &json) {
            state.applied_build = previous;
            return Err(e);
        }
        if let Some(old) = previous.filter(|p| *p != name) {
            let _ = std::fs::remove_file(self.dir.join(old));
        }
        Ok(())
    }
}
