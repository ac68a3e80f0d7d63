//! The CIL opcode table: every opcode with its name and operand kind, one row each.

/// What follows an opcode in the instruction stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperandKind {
    None,
    /// `ShortInlineI`: signed byte.
    Int8,
    /// `ShortInlineVar`, `unaligned.`, `no.`: unsigned byte.
    UInt8,
    /// `InlineVar`: unsigned 16-bit argument or local index.
    UInt16,
    Int32,
    Int64,
    Float32,
    Float64,
    /// `ShortInlineBrTarget`: signed byte relative to the next instruction.
    BranchShort,
    /// `InlineBrTarget`: signed 32-bit relative to the next instruction.
    Branch,
    /// A metadata token (InlineMethod/Field/Type/Tok/Sig).
    Token,
    /// `InlineString`: a user-string token (0x70 table).
    String,
    /// `InlineSwitch`: a count then that many 32-bit relative targets.
    Switch,
}

impl OperandKind {
    /// Encoded size of the operand; `None` for a switch (its size is in the stream).
    pub const fn fixed_size(self) -> Option<usize> {
        Some(match self {
            OperandKind::None => 0,
            OperandKind::Int8 | OperandKind::UInt8 | OperandKind::BranchShort => 1,
            OperandKind::UInt16 => 2,
            OperandKind::Int32
            | OperandKind::Float32
            | OperandKind::Branch
            | OperandKind::Token
            | OperandKind::String => 4,
            OperandKind::Int64 | OperandKind::Float64 => 8,
            OperandKind::Switch => return None,
        })
    }
}

/// An opcode value: one byte, or 0xFE followed by a second byte (stored as 0xFExx).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OpCode(pub u16);

use OperandKind as K;

macro_rules! opcodes {
    ($( $value:literal $name:literal $kind:ident ),* $(,)?) => {
        const TABLE: &[(u16, &str, OperandKind)] = &[ $( ($value, $name, K::$kind), )* ];
    };
}

opcodes! {
    0x00 "nop" None, 0x01 "break" None, 0x02 "ldarg.0" None, 0x03 "ldarg.1" None, 0x04 "ldarg.2" None,
    0x05 "ldarg.3" None, 0x06 "ldloc.0" None, 0x07 "ldloc.1" None, 0x08 "ldloc.2" None, 0x09 "ldloc.3" None,
    0x0A "stloc.0" None, 0x0B "stloc.1" None, 0x0C "stloc.2" None, 0x0D "stloc.3" None,
    0x0E "ldarg.s" UInt8, 0x0F "ldarga.s" UInt8, 0x10 "starg.s" UInt8, 0x11 "ldloc.s" UInt8,
    0x12 "ldloca.s" UInt8, 0x13 "stloc.s" UInt8, 0x14 "ldnull" None, 0x15 "ldc.i4.m1" None,
    0x16 "ldc.i4.0" None, 0x17 "ldc.i4.1" None, 0x18 "ldc.i4.2" None, 0x19 "ldc.i4.3" None,
    0x1A "ldc.i4.4" None, 0x1B "ldc.i4.5" None, 0x1C "ldc.i4.6" None, 0x1D "ldc.i4.7" None,
    0x1E "ldc.i4.8" None, 0x1F "ldc.i4.s" Int8, 0x20 "ldc.i4" Int32, 0x21 "ldc.i8" Int64,
    0x22 "ldc.r4" Float32, 0x23 "ldc.r8" Float64, 0x25 "dup" None, 0x26 "pop" None, 0x27 "jmp" Token,
    0x28 "call" Token, 0x29 "calli" Token, 0x2A "ret" None, 0x2B "br.s" BranchShort,
    0x2C "brfalse.s" BranchShort, 0x2D "brtrue.s" BranchShort, 0x2E "beq.s" BranchShort,
    0x2F "bge.s" BranchShort, 0x30 "bgt.s" BranchShort, 0x31 "ble.s" BranchShort, 0x32 "blt.s" BranchShort,
    0x33 "bne.un.s" BranchShort, 0x34 "bge.un.s" BranchShort, 0x35 "bgt.un.s" BranchShort,
    0x36 "ble.un.s" BranchShort, 0x37 "blt.un.s" BranchShort, 0x38 "br" Branch, 0x39 "brfalse" Branch,
    0x3A "brtrue" Branch, 0x3B "beq" Branch, 0x3C "bge" Branch, 0x3D "bgt" Branch, 0x3E "ble" Branch,
    0x3F "blt" Branch, 0x40 "bne.un" Branch, 0x41 "bge.un" Branch, 0x42 "bgt.un" Branch,
    0x43 "ble.un" Branch, 0x44 "blt.un" Branch, 0x45 "switch" Switch, 0x46 "ldind.i1" None,
    0x47 "ldind.u1" None, 0x48 "ldind.i2" None, 0x49 "ldind.u2" None, 0x4A "ldind.i4" None,
    0x4B "ldind.u4" None, 0x4C "ldind.i8" None, 0x4D "ldind.i" None, 0x4E "ldind.r4" None,
    0x4F "ldind.r8" None, 0x50 "ldind.ref" None, 0x51 "stind.ref" None, 0x52 "stind.i1" None,
    0x53 "stind.i2" None, 0x54 "stind.i4" None, 0x55 "stind.i8" None, 0x56 "stind.r4" None,
    0x57 "stind.r8" None, 0x58 "add" None, 0x59 "sub" None, 0x5A "mul" None, 0x5B "div" None,
    0x5C "div.un" None, 0x5D "rem" None, 0x5E "rem.un" None, 0x5F "and" None, 0x60 "or" None,
    0x61 "xor" None, 0x62 "shl" None, 0x63 "shr" None, 0x64 "shr.un" None, 0x65 "neg" None,
    0x66 "not" None, 0x67 "conv.i1" None, 0x68 "conv.i2" None, 0x69 "conv.i4" None, 0x6A "conv.i8" None,
    0x6B "conv.r4" None, 0x6C "conv.r8" None, 0x6D "conv.u4" None, 0x6E "conv.u8" None,
    0x6F "callvirt" Token, 0x70 "cpobj" Token, 0x71 "ldobj" Token, 0x72 "ldstr" String,
    0x73 "newobj" Token, 0x74 "castclass" Token, 0x75 "isinst" Token, 0x76 "conv.r.un" None,
    0x79 "unbox" Token, 0x7A "throw" None, 0x7B "ldfld" Token, 0x7C "ldflda" Token, 0x7D "stfld" Token,
    0x7E "ldsfld" Token, 0x7F "ldsflda" Token, 0x80 "stsfld" Token, 0x81 "stobj" Token,
    0x82 "conv.ovf.i1.un" None, 0x83 "conv.ovf.i2.un" None, 0x84 "conv.ovf.i4.un" None,
    0x85 "conv.ovf.i8.un" None, 0x86 "conv.ovf.u1.un" None, 0x87 "conv.ovf.u2.un" None,
    0x88 "conv.ovf.u4.un" None, 0x89 "conv.ovf.u8.un" None, 0x8A "conv.ovf.i.un" None,
    0x8B "conv.ovf.u.un" None, 0x8C "box" Token, 0x8D "newarr" Token, 0x8E "ldlen" None,
    0x8F "ldelema" Token, 0x90 "ldelem.i1" None, 0x91 "ldelem.u1" None, 0x92 "ldelem.i2" None,
    0x93 "ldelem.u2" None, 0x94 "ldelem.i4" None, 0x95 "ldelem.u4" None, 0x96 "ldelem.i8" None,
    0x97 "ldelem.i" None, 0x98 "ldelem.r4" None, 0x99 "ldelem.r8" None, 0x9A "ldelem.ref" None,
    0x9B "stelem.i" None, 0x9C "stelem.i1" None, 0x9D "stelem.i2" None, 0x9E "stelem.i4" None,
    0x9F "stelem.i8" None, 0xA0 "stelem.r4" None, 0xA1 "stelem.r8" None, 0xA2 "stelem.ref" None,
    0xA3 "ldelem" Token, 0xA4 "stelem" Token, 0xA5 "unbox.any" Token, 0xB3 "conv.ovf.i1" None,
    0xB4 "conv.ovf.u1" None, 0xB5 "conv.ovf.i2" None, 0xB6 "conv.ovf.u2" None, 0xB7 "conv.ovf.i4" None,
    0xB8 "conv.ovf.u4" None, 0xB9 "conv.ovf.i8" None, 0xBA "conv.ovf.u8" None, 0xC2 "refanyval" Token,
    0xC3 "ckfinite" None, 0xC6 "mkrefany" Token, 0xD0 "ldtoken" Token, 0xD1 "conv.u2" None,
    0xD2 "conv.u1" None, 0xD3 "conv.i" None, 0xD4 "conv.ovf.i" None, 0xD5 "conv.ovf.u" None,
    0xD6 "add.ovf" None, 0xD7 "add.ovf.un" None, 0xD8 "mul.ovf" None, 0xD9 "mul.ovf.un" None,
    0xDA "sub.ovf" None, 0xDB "sub.ovf.un" None, 0xDC "endfinally" None, 0xDD "leave" Branch,
    0xDE "leave.s" BranchShort, 0xDF "stind.i" None, 0xE0 "conv.u" None,
    0xFE00 "arglist" None, 0xFE01 "ceq" None, 0xFE02 "cgt" None, 0xFE03 "cgt.un" None, 0xFE04 "clt" None,
    0xFE05 "clt.un" None, 0xFE06 "ldftn" Token, 0xFE07 "ldvirtftn" Token, 0xFE09 "ldarg" UInt16,
    0xFE0A "ldarga" UInt16, 0xFE0B "starg" UInt16, 0xFE0C "ldloc" UInt16, 0xFE0D "ldloca" UInt16,
    0xFE0E "stloc" UInt16, 0xFE0F "localloc" None, 0xFE11 "endfilter" None, 0xFE12 "unaligned." UInt8,
    0xFE13 "volatile." None, 0xFE14 "tail." None, 0xFE15 "initobj" Token, 0xFE16 "constrained." Token,
    0xFE17 "cpblk" None, 0xFE18 "initblk" None, 0xFE19 "no." UInt8, 0xFE1A "rethrow" None,
    0xFE1C "sizeof" Token, 0xFE1D "refanytype" None, 0xFE1E "readonly." None,
}

/// Operand kinds indexed by the opcode byte (`[0]`) or the byte after 0xFE (`[1]`),
/// made at compile time: IL walks look one up per instruction.
const KINDS: [[Option<OperandKind>; 256]; 2] = {
    let mut kinds = [[None; 256]; 2];
    let mut i = 0;
    while i < TABLE.len() {
        let (value, _, kind) = TABLE[i];
        kinds[(value >> 8 == 0xFE) as usize][(value & 0xFF) as usize] = Some(kind);
        i += 1;
    }
    kinds
};

/// Lookup tables indexed by the (second) opcode byte, built once.
struct Lookup {
    one_byte: [Option<(&'static str, OperandKind)>; 256],
    two_byte: [Option<(&'static str, OperandKind)>; 256],
}

fn lookup() -> &'static Lookup {
    static LOOKUP: std::sync::OnceLock<Lookup> = std::sync::OnceLock::new();
    LOOKUP.get_or_init(|| {
        let mut l = Lookup { one_byte: [None; 256], two_byte: [None; 256] };
        for &(value, name, kind) in TABLE {
            if value >> 8 == 0xFE {
                l.two_byte[(value & 0xFF) as usize] = Some((name, kind));
            } else {
                l.one_byte[value as usize] = Some((name, kind));
            }
        }
        l
    })
}

impl OpCode {
    /// The opcode's name and operand kind; `None` for byte values that are not opcodes.
    pub fn info(self) -> Option<(&'static str, OperandKind)> {
        let l = lookup();
        match self.0 >> 8 {
            0 => l.one_byte[self.0 as usize],
            0xFE => l.two_byte[(self.0 & 0xFF) as usize],
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        self.info().map_or("<invalid>", |(n, _)| n)
    }

    #[inline]
    pub fn operand_kind(self) -> Option<OperandKind> {
        match self.0 >> 8 {
            0 => KINDS[0][self.0 as usize],
            0xFE => KINDS[1][(self.0 & 0xFF) as usize],
            _ => None,
        }
    }

    /// Encoded length of the opcode itself.
    pub fn len(self) -> usize {
        if self.0 >> 8 == 0xFE { 2 } else { 1 }
    }

    pub fn is_empty(self) -> bool {
        false
    }

    /// Every defined opcode.
    pub fn all() -> impl Iterator<Item = OpCode> {
        TABLE.iter().map(|&(v, _, _)| OpCode(v))
    }

    pub const NOP: OpCode = OpCode(0x00);
    pub const RET: OpCode = OpCode(0x2A);
    pub const LDSTR: OpCode = OpCode(0x72);
    pub const CALL: OpCode = OpCode(0x28);
    pub const JMP: OpCode = OpCode(0x27);
    pub const CALLVIRT: OpCode = OpCode(0x6F);
    pub const NEWOBJ: OpCode = OpCode(0x73);
    pub const THROW: OpCode = OpCode(0x7A);
    pub const LDSFLD: OpCode = OpCode(0x7E);
    pub const LDSFLDA: OpCode = OpCode(0x7F);
    pub const STSFLD: OpCode = OpCode(0x80);
    pub const LDFTN: OpCode = OpCode(0xFE06);
    pub const LDVIRTFTN: OpCode = OpCode(0xFE07);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compile_time_kinds_agree_with_the_table() {
        for value in 0..=u16::MAX {
            let op = OpCode(value);
            assert_eq!(op.operand_kind(), op.info().map(|(_, k)| k), "{value:#x}");
        }
    }
}
