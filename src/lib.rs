//! emit-delta: read .NET assemblies (PE, ECMA-335 metadata, IL, portable PDB) and write
//! the Edit-and-Continue deltas that `MetadataUpdater.ApplyUpdate` applies.
//!
//! Layers, bottom up:
//! - [`pe`]: the PE container (sections, CLI header, debug directory).
//! - [`metadata`]: metadata root, heaps, the schema-driven tables, signatures.
//! - [`il`]: method bodies and instructions.
//! - [`pdb`]: portable PDB streams and blobs.
//! - [`assembly`]: a file opened as an assembly, PDB or delta.
//! - [`chain`]: a baseline and its deltas read as one chain (for validators and dumps).
//! - [`dump`]: text renderings (`info`, `dump`, the SRM-aligned canonical dump).

pub mod assembly;
pub mod baseline;
pub mod bytes;
pub mod capability;
pub mod chain;
pub mod check;
pub mod delta;
pub mod diff;
pub mod dump;
pub mod edits;
pub mod error;
pub mod hot;
pub mod il;
pub mod metadata;
pub mod pdb;
pub mod pe;
pub mod watch;

pub use assembly::{Assembly, FileBytes, ReadMode};
pub use error::{Error, Result};
