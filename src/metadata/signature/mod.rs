//! Signatures (ECMA-335 II.23.2) as a typed tree that decodes from a blob and encodes
//! back to the same bytes, so the delta writer can rewrite the tokens inside them.

mod decode;
mod encode;

pub use decode::{decode_field, decode_locals, decode_method, decode_method_spec, decode_type};
pub use encode::encode;

use super::token::Token;

/// Element type codes (ECMA-335 II.23.1.16).
pub mod element {
    pub const END: u8 = 0x00;
    pub const VOID: u8 = 0x01;
    pub const BOOLEAN: u8 = 0x02;
    pub const CHAR: u8 = 0x03;
    pub const I1: u8 = 0x04;
    pub const U1: u8 = 0x05;
    pub const I2: u8 = 0x06;
    pub const U2: u8 = 0x07;
    pub const I4: u8 = 0x08;
    pub const U4: u8 = 0x09;
    pub const I8: u8 = 0x0A;
    pub const U8: u8 = 0x0B;
    pub const R4: u8 = 0x0C;
    pub const R8: u8 = 0x0D;
    pub const STRING: u8 = 0x0E;
    pub const PTR: u8 = 0x0F;
    pub const BYREF: u8 = 0x10;
    pub const VALUETYPE: u8 = 0x11;
    pub const CLASS: u8 = 0x12;
    pub const VAR: u8 = 0x13;
    pub const ARRAY: u8 = 0x14;
    pub const GENERICINST: u8 = 0x15;
    pub const TYPEDBYREF: u8 = 0x16;
    pub const I: u8 = 0x18;
    pub const U: u8 = 0x19;
    pub const FNPTR: u8 = 0x1B;
    pub const OBJECT: u8 = 0x1C;
    pub const SZARRAY: u8 = 0x1D;
    pub const MVAR: u8 = 0x1E;
    pub const CMOD_REQD: u8 = 0x1F;
    pub const CMOD_OPT: u8 = 0x20;
    pub const SENTINEL: u8 = 0x41;
    pub const PINNED: u8 = 0x45;
}

/// Signature header kinds (low nibble of the first byte) and flags.
pub mod header {
    pub const KIND_MASK: u8 = 0x0F;
    pub const FIELD: u8 = 0x06;
    pub const LOCAL_SIG: u8 = 0x07;
    pub const PROPERTY: u8 = 0x08;
    pub const METHOD_SPEC: u8 = 0x0A;
    pub const VARARG: u8 = 0x05;
    pub const GENERIC: u8 = 0x10;
    pub const HAS_THIS: u8 = 0x20;
    pub const EXPLICIT_THIS: u8 = 0x40;
}

/// A type in a signature.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TypeSig {
    /// A type with no operands: void, bool, char, i1..r8, string, typedref, i, u, object.
    Primitive(u8),
    Class(Token),
    ValueType(Token),
    Ptr(Box<TypeSig>),
    ByRef(Box<TypeSig>),
    SzArray(Box<TypeSig>),
    Pinned(Box<TypeSig>),
    Array(Box<ArraySig>),
    GenericInst {
        value_type: bool,
        generic: Token,
        args: Vec<TypeSig>,
    },
    /// `!n`, a type parameter.
    Var(u32),
    /// `!!n`, a method type parameter.
    MVar(u32),
    FnPtr(Box<MethodSig>),
    /// A custom modifier before the type it modifies.
    Modified {
        required: bool,
        modifier: Token,
        inner: Box<TypeSig>,
    },
}

/// An array type with its shape.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ArraySig {
    pub element: TypeSig,
    pub rank: u32,
    pub sizes: Vec<u32>,
    pub lower_bounds: Vec<i32>,
}

/// A method, property or function-pointer signature.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MethodSig {
    /// The raw header byte (calling convention and flags).
    pub header: u8,
    pub generic_count: u32,
    pub ret: TypeSig,
    pub params: Vec<TypeSig>,
    /// For a vararg call site: how many parameters come before the sentinel.
    pub sentinel: Option<u32>,
}

impl MethodSig {
    pub fn is_generic(&self) -> bool {
        self.header & header::GENERIC != 0
    }

    /// Parameters required before any vararg part.
    pub fn required_count(&self) -> u32 {
        self.sentinel.unwrap_or(self.params.len() as u32)
    }
}

/// Any signature blob, by what the blob holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Signature {
    Field(TypeSig),
    Method(MethodSig),
    /// Property signatures share the method layout (header kind 0x08).
    Property(MethodSig),
    Locals(Vec<TypeSig>),
    MethodSpec(Vec<TypeSig>),
    /// A TypeSpec blob: one type.
    Type(TypeSig),
}

impl TypeSig {
    /// Calls `f` on every token inside the type, letting it rewrite them.
    pub fn map_tokens(&mut self, f: &mut impl FnMut(Token) -> Token) {
        match self {
            TypeSig::Primitive(_) | TypeSig::Var(_) | TypeSig::MVar(_) => {}
            TypeSig::Class(t) | TypeSig::ValueType(t) => *t = f(*t),
            TypeSig::Ptr(inner) | TypeSig::ByRef(inner) | TypeSig::SzArray(inner) | TypeSig::Pinned(inner) => {
                inner.map_tokens(f)
            }
            TypeSig::Array(array) => array.element.map_tokens(f),
            TypeSig::GenericInst { generic, args, .. } => {
                *generic = f(*generic);
                args.iter_mut().for_each(|a| a.map_tokens(f));
            }
            TypeSig::FnPtr(method) => method.map_tokens(f),
            TypeSig::Modified { modifier, inner, .. } => {
                *modifier = f(*modifier);
                inner.map_tokens(f);
            }
        }
    }
}

impl MethodSig {
    pub fn map_tokens(&mut self, f: &mut impl FnMut(Token) -> Token) {
        self.ret.map_tokens(f);
        self.params.iter_mut().for_each(|p| p.map_tokens(f));
    }
}

impl Signature {
    /// Calls `f` on every token inside the signature, letting it rewrite them.
    pub fn map_tokens(&mut self, f: &mut impl FnMut(Token) -> Token) {
        match self {
            Signature::Field(t) | Signature::Type(t) => t.map_tokens(f),
            Signature::Method(m) | Signature::Property(m) => m.map_tokens(f),
            Signature::Locals(types) | Signature::MethodSpec(types) => types.iter_mut().for_each(|t| t.map_tokens(f)),
        }
    }

    /// Decodes a blob according to its leading header byte (field, locals, property,
    /// method spec, else method). TypeSpec blobs have no header: use [`decode_type`].
    pub fn decode_any(blob: &[u8]) -> crate::error::Result<Signature> {
        match blob.first().map(|b| b & header::KIND_MASK) {
            Some(header::FIELD) => decode_field(blob).map(Signature::Field),
            Some(header::LOCAL_SIG) => decode_locals(blob).map(Signature::Locals),
            Some(header::METHOD_SPEC) => decode_method_spec(blob).map(Signature::MethodSpec),
            Some(header::PROPERTY) => decode_method(blob).map(Signature::Property),
            _ => decode_method(blob).map(Signature::Method),
        }
    }
}
