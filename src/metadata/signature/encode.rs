//! Signature encoding: the inverse of decoding, byte for byte for canonical input.

use super::{MethodSig, Signature, TypeSig, element, header};
use crate::error::{Error, Result};
use crate::metadata::compressed;
use crate::metadata::schema::CodedIndex;
use crate::metadata::token::Token;

fn unsigned(out: &mut Vec<u8>, value: u32) -> Result<()> {
    compressed::write_unsigned(out, value)
        .ok_or_else(|| Error::Invalid(format!("signature value {value} does not fit a compressed integer")))
}

fn type_token(out: &mut Vec<u8>, token: Token) -> Result<()> {
    let raw = CodedIndex::TypeDefOrRef
        .encode(token)
        .ok_or_else(|| Error::Invalid(format!("token {token} cannot appear as a type in a signature")))?;
    unsigned(out, raw)
}

fn ty(out: &mut Vec<u8>, t: &TypeSig) -> Result<()> {
    match t {
        TypeSig::Primitive(code) => out.push(*code),
        TypeSig::Class(tok) => {
            out.push(element::CLASS);
            type_token(out, *tok)?;
        }
        TypeSig::ValueType(tok) => {
            out.push(element::VALUETYPE);
            type_token(out, *tok)?;
        }
        TypeSig::Ptr(inner) => {
            out.push(element::PTR);
            ty(out, inner)?;
        }
        TypeSig::ByRef(inner) => {
            out.push(element::BYREF);
            ty(out, inner)?;
        }
        TypeSig::SzArray(inner) => {
            out.push(element::SZARRAY);
            ty(out, inner)?;
        }
        TypeSig::Pinned(inner) => {
            out.push(element::PINNED);
            ty(out, inner)?;
        }
        TypeSig::Var(n) => {
            out.push(element::VAR);
            unsigned(out, *n)?;
        }
        TypeSig::MVar(n) => {
            out.push(element::MVAR);
            unsigned(out, *n)?;
        }
        TypeSig::FnPtr(m) => {
            out.push(element::FNPTR);
            method(out, m)?;
        }
        TypeSig::Modified { required, modifier, inner } => {
            out.push(if *required { element::CMOD_REQD } else { element::CMOD_OPT });
            type_token(out, *modifier)?;
            ty(out, inner)?;
        }
        TypeSig::GenericInst { value_type, generic, args } => {
            out.push(element::GENERICINST);
            out.push(if *value_type { element::VALUETYPE } else { element::CLASS });
            type_token(out, *generic)?;
            unsigned(out, args.len() as u32)?;
            for a in args {
                ty(out, a)?;
            }
        }
        TypeSig::Array(a) => {
            out.push(element::ARRAY);
            ty(out, &a.element)?;
            unsigned(out, a.rank)?;
            unsigned(out, a.sizes.len() as u32)?;
            for &s in &a.sizes {
                unsigned(out, s)?;
            }
            unsigned(out, a.lower_bounds.len() as u32)?;
            for &b in &a.lower_bounds {
                compressed::write_signed(out, b)
                    .ok_or_else(|| Error::Invalid(format!("array lower bound {b} does not fit")))?;
            }
        }
    }
    Ok(())
}

fn method(out: &mut Vec<u8>, m: &MethodSig) -> Result<()> {
    out.push(m.header);
    if m.header & header::GENERIC != 0 {
        unsigned(out, m.generic_count)?;
    }
    unsigned(out, m.params.len() as u32)?;
    ty(out, &m.ret)?;
    for (i, p) in m.params.iter().enumerate() {
        if m.sentinel == Some(i as u32) {
            out.push(element::SENTINEL);
        }
        ty(out, p)?;
    }
    Ok(())
}

fn type_list(out: &mut Vec<u8>, lead: u8, types: &[TypeSig]) -> Result<()> {
    out.push(lead);
    unsigned(out, types.len() as u32)?;
    types.iter().try_for_each(|t| ty(out, t))
}

/// Encodes a signature into a new blob.
pub fn encode(sig: &Signature) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(16);
    match sig {
        Signature::Field(t) => {
            out.push(header::FIELD);
            ty(&mut out, t)?;
        }
        Signature::Method(m) | Signature::Property(m) => method(&mut out, m)?,
        Signature::Locals(types) => type_list(&mut out, header::LOCAL_SIG, types)?,
        Signature::MethodSpec(types) => type_list(&mut out, header::METHOD_SPEC, types)?,
        Signature::Type(t) => ty(&mut out, t)?,
    }
    Ok(out)
}
