//! Portable PDB (standalone `.pdb` or embedded): the `#Pdb` stream and the blobs of
//! the debug tables (document names, sequence points, imports), read ([`blobs`]) and
//! written ([`encode`]). The debug tables themselves go through the common metadata schema.

pub mod blobs;
pub mod encode;
pub mod locate;
pub mod location;
pub mod stream;

pub use blobs::{ImportDefinition, SequencePoint, decode_document_name, decode_imports, decode_sequence_points};
pub use encode::{encode_document_name, encode_imports, encode_sequence_points};
pub use stream::PdbStream;

/// Well-known CustomDebugInformation kinds.
pub mod cdi_kind {
    use crate::metadata::Guid;

    const fn guid(d1: u32, d2: u16, d3: u16, d4: [u8; 8]) -> Guid {
        let a = d1.to_le_bytes();
        let b = d2.to_le_bytes();
        let c = d3.to_le_bytes();
        Guid([a[0], a[1], a[2], a[3], b[0], b[1], c[0], c[1], d4[0], d4[1], d4[2], d4[3], d4[4], d4[5], d4[6], d4[7]])
    }

    pub const ENC_LOCAL_SLOT_MAP: Guid =
        guid(0x755F52A8, 0x91C5, 0x45BE, [0xB4, 0xB8, 0x20, 0x95, 0x71, 0xE5, 0x52, 0xBD]);
    pub const ENC_LAMBDA_AND_CLOSURE_MAP: Guid =
        guid(0xA643004C, 0x0240, 0x496F, [0xA7, 0x83, 0x30, 0xD6, 0x4F, 0x49, 0x79, 0xDE]);
    pub const ENC_STATE_MACHINE_STATE_MAP: Guid =
        guid(0x8B78CD68, 0x2EDE, 0x420B, [0x98, 0x0B, 0xE1, 0x58, 0x84, 0xB8, 0xAA, 0xA3]);
    pub const STATE_MACHINE_HOISTED_LOCAL_SCOPES: Guid =
        guid(0x6DA9A61E, 0xF8C7, 0x4874, [0xBE, 0x62, 0x68, 0xBC, 0x56, 0x30, 0xDF, 0x71]);
    pub const DYNAMIC_LOCAL_VARIABLES: Guid =
        guid(0x83C563C4, 0xB4F3, 0x47D5, [0xB8, 0x24, 0xBA, 0x54, 0x41, 0x47, 0x7E, 0xA8]);
    pub const TUPLE_ELEMENT_NAMES: Guid =
        guid(0xED9FDF71, 0x8879, 0x4747, [0x8E, 0xD3, 0xFE, 0x5E, 0xDE, 0x3C, 0xE7, 0x10]);
    pub const ASYNC_METHOD_STEPPING_INFORMATION: Guid =
        guid(0x54FD2AC5, 0xE925, 0x401A, [0x9C, 0x2A, 0xF9, 0x4F, 0x17, 0x10, 0x72, 0xF8]);
    pub const PRIMARY_CONSTRUCTOR_INFORMATION: Guid =
        guid(0x9D40ACE1, 0xC703, 0x4D0E, [0xBF, 0x41, 0x72, 0x43, 0x06, 0x0A, 0x8F, 0xB5]);
    /// The documents of a type none of whose methods has sequence points.
    pub const TYPE_DEFINITION_DOCUMENTS: Guid =
        guid(0x932E74BC, 0xDBA9, 0x4478, [0x8D, 0x46, 0x0F, 0x32, 0xA7, 0xBA, 0xB3, 0xD3]);
    pub const EMBEDDED_SOURCE: Guid =
        guid(0x0E8A571B, 0x6926, 0x466E, [0xB4, 0xAD, 0x8A, 0xB0, 0x46, 0x11, 0xF5, 0xFE]);
}
