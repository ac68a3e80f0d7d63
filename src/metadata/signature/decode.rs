//! Signature blob decoding. Nesting depth is bounded so hostile blobs cannot overflow
//! the stack, and counts are checked against the bytes left before allocating.

use super::{ArraySig, MethodSig, TypeSig, element, header};
use crate::bytes::Cursor;
use crate::error::{Error, Result};
use crate::metadata::schema::CodedIndex;
use crate::metadata::token::Token;

/// Deeper nesting than this is rejected (real signatures nest a handful of levels).
const MAX_DEPTH: u32 = 64;

struct Decoder<'a> {
    cur: Cursor<'a>,
    depth: u32,
}

fn bad(cur: &Cursor<'_>, expected: &str, found: impl std::fmt::Display) -> Error {
    Error::malformed("signature", cur.position() as u64, expected, found)
}

impl<'a> Decoder<'a> {
    fn new(blob: &'a [u8]) -> Self {
        Decoder { cur: Cursor::new(blob, "signature"), depth: 0 }
    }

    /// A count that must not exceed the bytes left (each item takes at least one byte).
    fn count(&mut self) -> Result<u32> {
        let n = self.cur.compressed_u32()?;
        if n as usize > self.cur.remaining() {
            return Err(bad(&self.cur, &format!("a count of at most {}", self.cur.remaining()), n));
        }
        Ok(n)
    }

    fn type_token(&mut self) -> Result<Token> {
        let raw = self.cur.compressed_u32()?;
        CodedIndex::TypeDefOrRef
            .decode(raw)
            .ok_or_else(|| bad(&self.cur, "a TypeDefOrRefOrSpecEncoded token", format_args!("{raw:#x}")))
    }

    fn ty(&mut self) -> Result<TypeSig> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(bad(&self.cur, "a signature nested at most 64 levels", "deeper nesting"));
        }
        let result = self.ty_inner();
        self.depth -= 1;
        result
    }

    fn ty_inner(&mut self) -> Result<TypeSig> {
        let at = self.cur.position();
        let code = self.cur.u8()?;
        Ok(match code {
            element::VOID..=element::STRING | element::TYPEDBYREF | element::I | element::U | element::OBJECT => {
                TypeSig::Primitive(code)
            }
            element::CLASS => TypeSig::Class(self.type_token()?),
            element::VALUETYPE => TypeSig::ValueType(self.type_token()?),
            element::PTR => TypeSig::Ptr(Box::new(self.ty()?)),
            element::BYREF => TypeSig::ByRef(Box::new(self.ty()?)),
            element::SZARRAY => TypeSig::SzArray(Box::new(self.ty()?)),
            element::PINNED => TypeSig::Pinned(Box::new(self.ty()?)),
            element::VAR => TypeSig::Var(self.cur.compressed_u32()?),
            element::MVAR => TypeSig::MVar(self.cur.compressed_u32()?),
            element::FNPTR => TypeSig::FnPtr(Box::new(self.method()?)),
            element::CMOD_REQD | element::CMOD_OPT => TypeSig::Modified {
                required: code == element::CMOD_REQD,
                modifier: self.type_token()?,
                inner: Box::new(self.ty()?),
            },
            element::GENERICINST => {
                let kind = self.cur.u8()?;
                if kind != element::CLASS && kind != element::VALUETYPE {
                    return Err(bad(&self.cur, "CLASS or VALUETYPE after GENERICINST", format_args!("{kind:#04x}")));
                }
                let generic = self.type_token()?;
                if generic.table() == Some(crate::metadata::TableId::TypeSpec) {
                    return Err(bad(&self.cur, "a TypeDef or TypeRef as the generic type", generic));
                }
                let count = self.count()?;
                if count == 0 {
                    return Err(bad(&self.cur, "at least one generic argument", 0));
                }
                let args = (0..count).map(|_| self.ty()).collect::<Result<_>>()?;
                TypeSig::GenericInst { value_type: kind == element::VALUETYPE, generic, args }
            }
            element::ARRAY => {
                let element = self.ty()?;
                let rank = self.cur.compressed_u32()?;
                let num_sizes = self.count()?;
                let sizes = (0..num_sizes).map(|_| self.cur.compressed_u32()).collect::<Result<_>>()?;
                let num_bounds = self.count()?;
                let lower_bounds = (0..num_bounds).map(|_| self.cur.compressed_i32()).collect::<Result<_>>()?;
                TypeSig::Array(Box::new(ArraySig { element, rank, sizes, lower_bounds }))
            }
            other => {
                return Err(Error::malformed("signature", at as u64, "an element type", format_args!("{other:#04x}")));
            }
        })
    }

    fn method(&mut self) -> Result<MethodSig> {
        let header_byte = self.cur.u8()?;
        let kind = header_byte & header::KIND_MASK;
        // 0..=5 managed and unmanaged conventions, 8 property, 9 unmanaged (function pointers).
        if !matches!(kind, 0..=header::VARARG | header::PROPERTY | 0x09) {
            return Err(bad(&self.cur, "a method or property signature header", format_args!("{header_byte:#04x}")));
        }
        let generic_count = if header_byte & header::GENERIC != 0 { self.cur.compressed_u32()? } else { 0 };
        let count = self.count()?;
        let ret = self.ty()?;
        let mut params = Vec::with_capacity(count as usize);
        let mut sentinel = None;
        while params.len() < count as usize {
            if self.cur.rest().first() == Some(&element::SENTINEL) {
                if sentinel.is_some() {
                    return Err(bad(&self.cur, "at most one sentinel", "a second one"));
                }
                self.cur.u8()?;
                sentinel = Some(params.len() as u32);
                continue;
            }
            params.push(self.ty()?);
        }
        Ok(MethodSig { header: header_byte, generic_count, ret, params, sentinel })
    }

    fn expect_header(&mut self, kind: u8, what: &str) -> Result<()> {
        let b = self.cur.u8()?;
        if b & header::KIND_MASK != kind {
            return Err(bad(&self.cur, what, format_args!("header {b:#04x}")));
        }
        Ok(())
    }
}

/// A method or property signature (MethodDef, MemberRef, Property, StandAloneSig for calli).
pub fn decode_method(blob: &[u8]) -> Result<MethodSig> {
    Decoder::new(blob).method()
}

/// A field signature.
pub fn decode_field(blob: &[u8]) -> Result<TypeSig> {
    let mut d = Decoder::new(blob);
    d.expect_header(header::FIELD, "a field signature (0x06)")?;
    d.ty()
}

/// A local variables signature.
pub fn decode_locals(blob: &[u8]) -> Result<Vec<TypeSig>> {
    let mut d = Decoder::new(blob);
    d.expect_header(header::LOCAL_SIG, "a local variables signature (0x07)")?;
    let count = d.count()?;
    (0..count).map(|_| d.ty()).collect()
}

/// A method instantiation (MethodSpec blob).
pub fn decode_method_spec(blob: &[u8]) -> Result<Vec<TypeSig>> {
    let mut d = Decoder::new(blob);
    d.expect_header(header::METHOD_SPEC, "a method instantiation (0x0A)")?;
    let count = d.count()?;
    (0..count).map(|_| d.ty()).collect()
}

/// A TypeSpec blob: one type.
pub fn decode_type(blob: &[u8]) -> Result<TypeSig> {
    Decoder::new(blob).ty()
}
