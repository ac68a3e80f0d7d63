//! Test-only fault injection for crash-consistency tests, driven by the
//! `EMIT_DELTA_FAULT` environment variable (read once; unset costs one check per point):
//!
//! - `count`: every fault point prints `emit-delta: fault point N: WHAT PATH` on stderr;
//! - `abort:N`: the N-th point calls `std::process::abort()` (a crash: no cleanup runs);
//! - `fail:N`: the N-th point returns an I/O error instead of doing its write;
//! - `hang:N`: the N-th point prints `emit-delta: fault point N: hanging` and sleeps
//!   forever (a run stuck while it holds the session lock).
//!
//! A fault point sits before every file write, every rename and every removal a run does
//! (see [`super::session::write_atomically`] and [`super::session::Session::commit`]).

use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::error::{Error, Result};

pub const ENV: &str = "EMIT_DELTA_FAULT";

enum Mode {
    Off,
    Count,
    Abort(u32),
    Fail(u32),
    Hang(u32),
    Bad(String),
}

static MODE: OnceLock<Mode> = OnceLock::new();
static SEEN: AtomicU32 = AtomicU32::new(0);

fn mode() -> &'static Mode {
    MODE.get_or_init(|| {
        let Some(value) = std::env::var_os(ENV) else { return Mode::Off };
        let value = value.to_string_lossy().into_owned();
        if value.is_empty() {
            return Mode::Off;
        }
        if value == "count" {
            return Mode::Count;
        }
        let parsed = value.split_once(':').and_then(|(kind, n)| Some((kind, n.parse::<u32>().ok()?)));
        match parsed {
            Some(("abort", n)) => Mode::Abort(n),
            Some(("fail", n)) => Mode::Fail(n),
            Some(("hang", n)) => Mode::Hang(n),
            _ => Mode::Bad(value),
        }
    })
}

/// A point where a run is about to `what` (write, rename, remove) `path`.
pub fn point(what: &str, path: &Path) -> Result<()> {
    let mode = mode();
    if matches!(mode, Mode::Off) {
        return Ok(());
    }
    let n = SEEN.fetch_add(1, Ordering::SeqCst) + 1;
    match *mode {
        Mode::Count => eprintln!("emit-delta: fault point {n}: {what} {}", path.display()),
        Mode::Abort(k) if k == n => {
            eprintln!("emit-delta: fault point {n}: aborting before {what} {}", path.display());
            std::process::abort();
        }
        Mode::Fail(k) if k == n => {
            return Err(Error::Io {
                path: path.to_path_buf(),
                message: format!("injected fault at point {n} ({what})"),
            });
        }
        Mode::Hang(k) if k == n => {
            eprintln!("emit-delta: fault point {n}: hanging");
            loop {
                std::thread::sleep(std::time::Duration::from_secs(3600));
            }
        }
        Mode::Bad(ref value) => {
            return Err(Error::Invalid(format!("{ENV}=`{value}`: expected `count`, `abort:N`, `fail:N` or `hang:N`")));
        }
        _ => {}
    }
    Ok(())
}
