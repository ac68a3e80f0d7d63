//! When a save is complete: the file-system events of the watched sources, turned into
//! sets of changed paths ready to build.
//!
//! A writer that closes the file (`IN_CLOSE_WRITE`) or renames it into place has finished
//! that file, so it is built after a short grace that gathers the other files of the same
//! "save all". Any other change (a write still under way, a file created, its metadata
//! changed) is built once the file has been quiet for the settle time. Every millisecond
//! waited here is in the save-to-running-code latency.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind};

/// After a file is complete: time for the rest of a "save all" (editors write the files
/// of one save within a few milliseconds of each other).
pub const GRACE: Duration = Duration::from_millis(5);
/// After any other change: how long the file must be quiet (a writer that keeps the file
/// open between writes, a tool that writes without closing).
pub const SETTLE: Duration = Duration::from_millis(25);

/// What one event says about its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// It is in its final state: renamed into place or removed.
    Complete,
    /// A writer closed it: complete if it changed since the last build (a file opened
    /// for writing and closed untouched is no save).
    Closed,
    /// It changed and more may follow.
    Changing,
}

/// What `kind` says about the files it names; `None` for events that change nothing
/// (opened, read, closed without writing).
pub fn signal(kind: &EventKind) -> Option<Signal> {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => Some(Signal::Closed),
        EventKind::Access(_) => None,
        EventKind::Modify(ModifyKind::Name(_)) | EventKind::Remove(_) => Some(Signal::Complete),
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Any | EventKind::Other => Some(Signal::Changing),
    }
}

struct Pending {
    path: PathBuf,
    last: Instant,
    complete: bool,
}

/// The changed files not yet handed on to a build.
#[derive(Default)]
pub struct Saves {
    pending: Vec<Pending>,
}

impl Saves {
    /// Notes what happened to `path` at `now`; its latest signal is the one that counts.
    pub fn record(&mut self, path: PathBuf, signal: Signal, now: Instant) {
        let complete = match signal {
            Signal::Changing => false,
            Signal::Complete | Signal::Closed => true,
        };
        match self.pending.iter_mut().find(|p| p.path == path) {
            Some(p) => {
                p.last = now;
                p.complete = complete;
            }
            None if signal == Signal::Closed => {}
            None => self.pending.push(Pending { path, last: now, complete }),
        }
    }

    /// When every pending file will be ready (`None`: nothing pending). One deadline for
    /// all, so the files of one save are built together.
    pub fn deadline(&self) -> Option<Instant> {
        self.pending.iter().map(|p| p.last + if p.complete { GRACE } else { SETTLE }).max()
    }

    /// The pending files, in the order they first changed, once `now` is past the deadline.
    pub fn take_ready(&mut self, now: Instant) -> Option<Vec<PathBuf>> {
        let deadline = self.deadline()?;
        if now < deadline {
            return None;
        }
        Some(self.pending.drain(..).map(|p| p.path).collect())
    }
}

/// Reads a watcher's `events` until they end: each change of a path that `accept`s
/// counts, and every set of files ready to build goes to `ready` (which returns false
/// to stop). Meant for its own thread.
pub fn forward(
    events: Receiver<notify::Result<notify::Event>>,
    accept: impl Fn(&Path) -> bool,
    mut ready: impl FnMut(Vec<PathBuf>) -> bool,
) {
    let mut saves = Saves::default();
    loop {
        let received = match saves.deadline() {
            Some(deadline) => events.recv_timeout(deadline.saturating_duration_since(Instant::now())),
            None => events.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match received {
            Ok(Ok(event)) => {
                if let Some(signal) = signal(&event.kind) {
                    let now = Instant::now();
                    for path in event.paths.into_iter().filter(|p| accept(p)) {
                        saves.record(path, signal, now);
                    }
                }
            }
            // A watcher error (an overflowed queue) names no file; the next event will.
            Ok(Err(_)) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        if let Some(paths) = saves.take_ready(Instant::now())
            && !ready(paths)
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, DataChange, RemoveKind, RenameMode};

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_closed_file_is_ready_after_the_grace_a_written_one_after_the_settle_time() {
        let t0 = Instant::now();
        let mut saves = Saves::default();
        assert_eq!(saves.deadline(), None);
        assert_eq!(saves.take_ready(t0), None);

        saves.record("A.cs".into(), Signal::Changing, t0);
        assert_eq!(saves.deadline(), Some(t0 + SETTLE));
        saves.record("A.cs".into(), Signal::Closed, t0 + ms(1));
        assert_eq!(saves.deadline(), Some(t0 + ms(1) + GRACE));
        assert_eq!(saves.take_ready(t0 + ms(1)), None);
        assert_eq!(saves.take_ready(t0 + ms(1) + GRACE), Some(vec![PathBuf::from("A.cs")]));
        assert_eq!(saves.deadline(), None, "taken");

        // Opened for writing and closed untouched: nothing to build.
        saves.record("A.cs".into(), Signal::Closed, t0 + ms(50));
        assert_eq!(saves.deadline(), None);
    }

    #[test]
    fn the_files_of_one_save_are_built_together_and_a_write_after_a_close_waits_again() {
        let t0 = Instant::now();
        let mut saves = Saves::default();
        saves.record("A.cs".into(), Signal::Complete, t0);
        saves.record("B.cs".into(), Signal::Complete, t0 + ms(3));
        assert_eq!(saves.take_ready(t0 + GRACE), None, "B.cs is still within its grace");
        assert_eq!(saves.take_ready(t0 + ms(3) + GRACE), Some(vec!["A.cs".into(), "B.cs".into()]));

        // Written again without a close: the settle time counts from that write.
        saves.record("A.cs".into(), Signal::Complete, t0);
        saves.record("A.cs".into(), Signal::Changing, t0 + ms(2));
        assert_eq!(saves.take_ready(t0 + ms(2) + GRACE), None);
        assert_eq!(saves.take_ready(t0 + ms(2) + SETTLE), Some(vec!["A.cs".into()]));
    }

    #[test]
    fn events_are_read_as_their_writers_mean_them() {
        let close = EventKind::Access(AccessKind::Close(AccessMode::Write));
        assert_eq!(signal(&close), Some(Signal::Closed));
        assert_eq!(signal(&EventKind::Modify(ModifyKind::Name(RenameMode::To))), Some(Signal::Complete));
        assert_eq!(signal(&EventKind::Modify(ModifyKind::Name(RenameMode::Both))), Some(Signal::Complete));
        assert_eq!(signal(&EventKind::Remove(RemoveKind::File)), Some(Signal::Complete));
        assert_eq!(signal(&EventKind::Modify(ModifyKind::Data(DataChange::Any))), Some(Signal::Changing));
        assert_eq!(signal(&EventKind::Create(CreateKind::File)), Some(Signal::Changing));
        assert_eq!(signal(&EventKind::Access(AccessKind::Close(AccessMode::Read))), None);
        assert_eq!(signal(&EventKind::Access(AccessKind::Open(AccessMode::Any))), None);
    }
}
