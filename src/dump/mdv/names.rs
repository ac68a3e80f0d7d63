//! mdv's value names: .NET enum formatting of flag columns and the primitive type
//! names of its signature visualizer.

use crate::metadata::signature::element;

/// `(name, value)` of a .NET enum, as `Enum.ToString` knows them.
type Names = &'static [(&'static str, u32)];

pub const TYPE_ATTRIBUTES: Names = &[
    ("Public", 0x1),
    ("NestedPublic", 0x2),
    ("NestedPrivate", 0x3),
    ("NestedFamily", 0x4),
    ("NestedAssembly", 0x5),
    ("NestedFamANDAssem", 0x6),
    ("VisibilityMask", 0x7),
    ("SequentialLayout", 0x8),
    ("ExplicitLayout", 0x10),
    ("LayoutMask", 0x18),
    ("Interface", 0x20),
    ("Abstract", 0x80),
    ("Sealed", 0x100),
    ("SpecialName", 0x400),
    ("RTSpecialName", 0x800),
    ("Import", 0x1000),
    ("Serializable", 0x2000),
    ("WindowsRuntime", 0x4000),
    ("UnicodeClass", 0x10000),
    ("AutoClass", 0x20000),
    ("StringFormatMask", 0x30000),
    ("HasSecurity", 0x40000),
    ("ReservedMask", 0x40800),
    ("BeforeFieldInit", 0x100000),
    ("CustomFormatMask", 0xC00000),
];

pub const METHOD_ATTRIBUTES: Names = &[
    ("Private", 0x1),
    ("FamANDAssem", 0x2),
    ("Assembly", 0x3),
    ("Family", 0x4),
    ("FamORAssem", 0x5),
    ("Public", 0x6),
    ("MemberAccessMask", 0x7),
    ("UnmanagedExport", 0x8),
    ("Static", 0x10),
    ("Final", 0x20),
    ("Virtual", 0x40),
    ("HideBySig", 0x80),
    ("VtableLayoutMask", 0x100),
    ("CheckAccessOnOverride", 0x200),
    ("Abstract", 0x400),
    ("SpecialName", 0x800),
    ("RTSpecialName", 0x1000),
    ("PinvokeImpl", 0x2000),
    ("HasSecurity", 0x4000),
    ("RequireSecObject", 0x8000),
    ("ReservedMask", 0xD000),
];

pub const METHOD_IMPL_ATTRIBUTES: Names = &[
    ("Native", 0x1),
    ("OPTIL", 0x2),
    ("CodeTypeMask", 0x3),
    ("Unmanaged", 0x4),
    ("NoInlining", 0x8),
    ("ForwardRef", 0x10),
    ("Synchronized", 0x20),
    ("NoOptimization", 0x40),
    ("PreserveSig", 0x80),
    ("AggressiveInlining", 0x100),
    ("AggressiveOptimization", 0x200),
    ("InternalCall", 0x1000),
    ("MaxMethodImplVal", 0xFFFF),
];

pub const FIELD_ATTRIBUTES: Names = &[
    ("Private", 0x1),
    ("FamANDAssem", 0x2),
    ("Assembly", 0x3),
    ("Family", 0x4),
    ("FamORAssem", 0x5),
    ("Public", 0x6),
    ("FieldAccessMask", 0x7),
    ("Static", 0x10),
    ("InitOnly", 0x20),
    ("Literal", 0x40),
    ("NotSerialized", 0x80),
    ("HasFieldRVA", 0x100),
    ("SpecialName", 0x200),
    ("RTSpecialName", 0x400),
    ("HasFieldMarshal", 0x1000),
    ("PinvokeImpl", 0x2000),
    ("HasDefault", 0x8000),
    ("ReservedMask", 0x9500),
];

pub const PARAMETER_ATTRIBUTES: Names = &[
    ("In", 0x1),
    ("Out", 0x2),
    ("Lcid", 0x4),
    ("Retval", 0x8),
    ("Optional", 0x10),
    ("HasDefault", 0x1000),
    ("HasFieldMarshal", 0x2000),
    ("Reserved3", 0x4000),
    ("Reserved4", 0x8000),
    ("ReservedMask", 0xF000),
];

pub const ASSEMBLY_FLAGS: Names = &[
    ("PublicKey", 0x1),
    ("Retargetable", 0x100),
    ("WindowsRuntime", 0x200),
    ("ContentTypeMask", 0xE00),
    ("DisableJitCompileOptimizer", 0x4000),
    ("EnableJitCompileTracking", 0x8000),
];

pub const HASH_ALGORITHMS: Names =
    &[("MD5", 0x8003), ("Sha1", 0x8004), ("Sha256", 0x800C), ("Sha384", 0x800D), ("Sha512", 0x800E)];

pub const ENC_OPERATIONS: Names =
    &[("AddMethod", 1), ("AddField", 2), ("AddParameter", 3), ("AddProperty", 4), ("AddEvent", 5)];

pub const CONSTANT_TYPES: Names = &[
    ("Boolean", 2),
    ("Char", 3),
    ("SByte", 4),
    ("Byte", 5),
    ("Int16", 6),
    ("UInt16", 7),
    ("Int32", 8),
    ("UInt32", 9),
    ("Int64", 10),
    ("UInt64", 11),
    ("Single", 12),
    ("Double", 13),
    ("String", 14),
    ("NullReference", 0x12),
];

/// `Enum.ToString` of a [Flags] enum: the largest names whose bits are all set, taken
/// greedily, listed from the smallest; the number when bits remain unnamed.
fn flags_text(value: u32, names: Names) -> String {
    let mut remaining = value;
    let mut taken = Vec::new();
    for &(name, bits) in names.iter().rev() {
        if bits != 0 && remaining & bits == bits {
            taken.push(name);
            remaining &= !bits;
        }
    }
    if remaining != 0 {
        return value.to_string();
    }
    taken.reverse();
    taken.join(", ")
}

/// mdv's `EnumValue`: `0` for zero, else `0x%08x (Name, ...)`.
pub fn enum_value(value: u32, names: Names, flags: bool) -> String {
    if value == 0 {
        return "0".into();
    }
    let text = if flags {
        flags_text(value, names)
    } else {
        names.iter().find(|(_, v)| *v == value).map_or(value.to_string(), |(n, _)| n.to_string())
    };
    format!("0x{value:08x} ({text})")
}

pub fn primitive(code: u8) -> &'static str {
    match code {
        element::VOID => "void",
        element::BOOLEAN => "bool",
        element::CHAR => "char",
        element::I1 => "int8",
        element::U1 => "uint8",
        element::I2 => "int16",
        element::U2 => "uint16",
        element::I4 => "int32",
        element::U4 => "uint32",
        element::I8 => "int64",
        element::U8 => "uint64",
        element::R4 => "float32",
        element::R8 => "float64",
        element::STRING => "string",
        element::TYPEDBYREF => "typedref",
        element::I => "native int",
        element::U => "native uint",
        element::OBJECT => "object",
        _ => "<bad metadata>",
    }
}

/// SRM's `TableIndex` name of a table (ours spells FieldRVA differently).
pub fn table_name(table: crate::metadata::schema::TableId) -> &'static str {
    match table {
        crate::metadata::schema::TableId::FieldRVA => "FieldRva",
        t => t.name(),
    }
}
