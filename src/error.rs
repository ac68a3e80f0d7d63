//! Errors as values. Every malformed input yields an [`Error`] that names where the
//! problem is (file, stream, table, row, offset) and what was expected there.

use std::fmt;
use std::path::PathBuf;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong while reading or writing an assembly, a PDB, a delta or a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The data ends before a structure that must be there.
    Truncated {
        /// Which structure was being read, e.g. `#~ table TypeDef row 3`.
        what: String,
        /// Offset (within the enclosing area named by `what`) where the read started.
        offset: u64,
        /// Bytes the structure needs.
        needed: u64,
        /// Bytes that were left.
        available: u64,
    },
    /// A value is out of range or has the wrong form.
    Malformed {
        /// Which structure was being read.
        what: String,
        /// Offset of the bad value, when known.
        offset: Option<u64>,
        /// What the format requires there.
        expected: String,
        /// What was found instead.
        found: String,
    },
    /// An error inside a named file.
    InFile { path: PathBuf, source: Box<Error> },
    /// An operating-system error (open, read, write, rename).
    Io { path: PathBuf, message: String },
    /// A request that cannot be fulfilled as asked (bad edits file, unknown member...).
    Invalid(String),
}

impl Error {
    /// A value that has the wrong form.
    pub fn malformed(
        what: impl Into<String>,
        offset: impl Into<Option<u64>>,
        expected: impl Into<String>,
        found: impl fmt::Display,
    ) -> Self {
        Error::Malformed {
            what: what.into(),
            offset: offset.into(),
            expected: expected.into(),
            found: found.to_string(),
        }
    }

    /// Attaches the file the error happened in (once: an error already in a file keeps it).
    pub fn in_file(self, path: impl Into<PathBuf>) -> Self {
        match self {
            Error::InFile { .. } | Error::Io { .. } => self,
            other => Error::InFile { path: path.into(), source: Box::new(other) },
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, err: std::io::Error) -> Self {
        Error::Io { path: path.into(), message: err.to_string() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Truncated { what, offset, needed, available } => {
                write!(f, "{what}: truncated at offset {offset:#x}: expected {needed} bytes, only {available} left")
            }
            Error::Malformed { what, offset: Some(offset), expected, found } => {
                write!(f, "{what}: at offset {offset:#x}: expected {expected}, found {found}")
            }
            Error::Malformed { what, offset: None, expected, found } => {
                write!(f, "{what}: expected {expected}, found {found}")
            }
            Error::InFile { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Io { path, message } => write!(f, "{}: {message}", path.display()),
            Error::Invalid(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}
