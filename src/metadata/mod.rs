//! ECMA-335 metadata: the root and its streams, the four heaps, the tables (driven by
//! one schema), tokens and signatures.

pub mod compressed;
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
