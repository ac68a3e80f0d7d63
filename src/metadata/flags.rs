//! Attribute flags of definitions (ECMA-335 II.23.1) that the diff and the checks test.

/// TypeAttributes (II.23.1.15).
pub mod type_attr {
    pub const LAYOUT_MASK: u32 = 0x0000_0018;
    pub const INTERFACE: u32 = 0x0000_0020;
    pub const ABSTRACT: u32 = 0x0000_0080;
}

/// MethodAttributes (II.23.1.10).
pub mod method_attr {
    pub const STATIC: u16 = 0x0010;
    pub const VIRTUAL: u16 = 0x0040;
    pub const ABSTRACT: u16 = 0x0400;
    pub const SPECIAL_NAME: u16 = 0x0800;
    pub const PINVOKE_IMPL: u16 = 0x2000;
    pub const RT_SPECIAL_NAME: u16 = 0x1000;
}

/// FieldAttributes (II.23.1.5).
pub mod field_attr {
    pub const STATIC: u16 = 0x0010;
    pub const LITERAL: u16 = 0x0040;
    pub const HAS_FIELD_RVA: u16 = 0x0100;
}
