//! When a save is complete: the file-system events of the watched sources, turned into
//! sets of changed paths ready to build.
//!
//! A writer that closes the file (`IN_CLOSE_WRITE`) or renames it into place has finished
//! that file, so it is built at once (after a millisecond that gathers files written back
//! to back). Any other change (a write still under way, a file created, its metadata
//! changed) is built once the file has been quiet for the settle time. Every millisecond
//! waited here is in the save-to-running-code latency. The other files of a "save all"
//! usually come in while the first is compiling: [`SaveCount`] tells the build that it was
//! overtaken, so that it is built again with them instead of applied half-saved.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind};

/// After a file is complete: time for files written back to back to come together.
pub const GRACE: Duration = Duration::from_millis(1);
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
    /// False when it changes nothing (closed without a change since the last build).
    pub fn record(&mut self, path: PathBuf, signal: Signal, now: Instant) -> bool {
        let complete = match signal {
            Signal::Changing => false,
            Signal::Complete | Signal::Closed => true,
        };
        match self.pending.iter_mut().find(|p| p.path == path) {
            Some(p) => {
                p.last = now;
                p.complete = complete;
            }
            None if signal == Signal::Closed => return false,
            None => self.pending.push(Pending { path, last: now, complete }),
        }
        true
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

/// How many changes of watched files have been seen: a build that started at one count
/// and ended at another was overtaken by a newer save.
#[derive(Clone, Default)]
pub struct SaveCount(Arc<AtomicU64>);

impl SaveCount {
    pub fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    fn add(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Reads a watcher's `events` until they end: each change of a path that `accept`s
/// counts (in `count`), and every set of files ready to build goes to `ready` (which
/// returns false to stop). Meant for its own thread.
pub fn forward(
    events: Receiver<notify::Result<notify::Event>>,
    accept: impl Fn(&Path) -> bool,
    count: SaveCount,
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
                        if saves.record(path, signal, now) {
                            count.add();
                        }
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

        assert!(saves.record("A.cs".into(), Signal::Changing, t0));
        assert_eq!(saves.deadline(), Some(t0 + SETTLE));
        assert!(saves.record("A.cs".into(), Signal::Closed, t0 + ms(1)));
        assert_eq!(saves.deadline(), Some(t0 + ms(1) + GRACE));
        assert_eq!(saves.take_ready(t0 + ms(1)), None);
        assert_eq!(saves.take_ready(t0 + ms(1) + GRACE), Some(vec![PathBuf::from("A.cs")]));
        assert_eq!(saves.deadline(), None, "taken");

        // Opened for writing and closed untouched: nothing to build.
        assert!(!saves.record("A.cs".into(), Signal::Closed, t0 + ms(50)));
        assert_eq!(saves.deadline(), None);
    }

    #[test]
    fn files_written_back_to_back_are_built_together_and_a_write_after_a_close_waits_again() {
        let t0 = Instant::now();
        let mut saves = Saves::default();
        saves.record("A.cs".into(), Signal::Complete, t0);
        saves.record("B.cs".into(), Signal::Complete, t0 + GRACE / 2);
        assert_eq!(saves.take_ready(t0 + GRACE), None, "B.cs is still within its grace");
        assert_eq!(saves.take_ready(t0 + GRACE / 2 + GRACE), Some(vec!["A.cs".into(), "B.cs".into()]));

        // Written again without a close: the settle time counts from that write.
        saves.record("A.cs".into(), Signal::Complete, t0);
        saves.record("A.cs".into(), Signal::Changing, t0 + ms(2));
        assert_eq!(saves.take_ready(t0 + ms(2) + GRACE), None);
        assert_eq!(saves.take_ready(t0 + ms(2) + SETTLE), Some(vec!["A.cs".into()]));
    }

    #[test]
    fn forwarding_counts_changes_and_hands_on_each_completed_save() {
        use notify::event::{DataChange, RenameMode};
        let event = |kind, path: &str| Ok(notify::Event::new(kind).add_path(PathBuf::from(path)));
        let (events, received) = std::sync::mpsc::channel();
        let (ready_tx, ready) = std::sync::mpsc::channel();
        let count = SaveCount::default();
        let counted = count.clone();
        let forwarding = std::thread::spawn(move || {
            let accept = |p: &Path| p.extension().is_some_and(|e| e == "cs");
            forward(received, accept, counted, |paths| ready_tx.send(paths).is_ok())
        });
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let close = EventKind::Access(AccessKind::Close(AccessMode::Write));
        events.send(event(write, "A.cs")).unwrap();
        events.send(event(write, "notes.txt")).unwrap();
        events.send(event(close, "A.cs")).unwrap();
        assert_eq!(ready.recv_timeout(Duration::from_secs(5)).unwrap(), vec![PathBuf::from("A.cs")]);
        assert_eq!(count.now(), 2, "the write and the close of A.cs; notes.txt is not watched");
        // Closed again untouched: no save, not counted.
        events.send(event(close, "A.cs")).unwrap();
        events.send(event(EventKind::Modify(ModifyKind::Name(RenameMode::To)), "B.cs")).unwrap();
        assert_eq!(ready.recv_timeout(Duration::from_secs(5)).unwrap(), vec![PathBuf::from("B.cs")]);
        assert_eq!(count.now(), 3);
        drop(events);
        forwarding.join().unwrap();
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
