//! ECMA-335 metadata: the root and its streams, the four heaps, the tables (driven by
//! one schema), tokens and signatures.

pub mod compressed;
pub mod flags;
pub mod heaps;
pub mod reader;
pub mod root;
pub mod schema;
pub mod signature;
pub mod tables;
pub mod token;

pub use heaps::Guid;
pub use reader::MetadataReader;
pub use schema::{CodedIndex, Column, ColumnKind, Row, TableId};
pub use token::{BlobIndex, GuidIndex, StringIndex, Token, UserStringIndex};

/// EncLog operation codes (ECMA-335 has no section for them; the runtime's `CorDeltaOp`).
pub mod enc_op {
    pub const DEFAULT: u32 = 0;
    pub const METHOD_CREATE: u32 = 1;
    pub const FIELD_CREATE: u32 = 2;
    pub const PARAM_CREATE: u32 = 3;
    pub const PROPERTY_CREATE: u32 = 4;
    pub const EVENT_CREATE: u32 = 5;

    /// The name mdv and Roslyn's tests print for an operation.
    pub fn name(op: u32) -> &'static str {
        match op {
            DEFAULT => "Default",
            METHOD_CREATE => "AddMethod",
            FIELD_CREATE => "AddField",
            PARAM_CREATE => "AddParameter",
            PROPERTY_CREATE => "AddProperty",
            EVENT_CREATE => "AddEvent",
            _ => "Unknown",
        }
    }
}
