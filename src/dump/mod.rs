//! Text renderings of a file: `info` (one line per fact), `dump` (every row resolved),
//! and the canonical dump that System.Reflection.Metadata's side prints identically.

pub mod canonical;
pub mod format;
pub mod info;
pub mod mdv;
pub mod rows;
