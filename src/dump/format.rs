//! Value formatting shared by every dump: strings, blobs, tokens, signatures.

use std::fmt::Write;

use crate::metadata::signature::{MethodSig, Signature, TypeSig, element};
use crate::metadata::{Guid, Token};

/// FNV-1a 32-bit, the short blob fingerprint the dumps print.
pub fn fnv1a32(bytes: &[u8]) -> u32 {
    let mut hash = 0x811c_9dc5u32;
    for &b in bytes {
        hash ^= b as u32;
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// `b<len>:<fnv>`.
pub fn blob(out: &mut String, bytes: &[u8]) {
    let _ = write!(out, "b{}:{:08x}", bytes.len(), fnv1a32(bytes));
}

/// A quoted string: printable ASCII as is, `"` and `\` escaped, others as `\u{HEX}`.
pub fn quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            other => {
                let _ = write!(out, "\\u{{{:X}}}", other as u32);
            }
        }
    }
    out.push('"');
}

/// `nil` for a nil token, otherwise `0x` and eight hex digits.
pub fn token(out: &mut String, t: Token) {
    if t.is_nil() {
        out.push_str("nil");
    } else {
        let _ = write!(out, "{t}");
    }
}

pub fn guid(out: &mut String, g: Option<Guid>) {
    match g {
        Some(g) => {
            let _ = write!(out, "{g}");
        }
        None => out.push_str("nil"),
    }
}

pub fn hex(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
}

/// `[a,b,c]` of tokens.
pub fn token_list(out: &mut String, tokens: &[Token]) {
    out.push('[');
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        token(out, *t);
    }
    out.push(']');
}

fn primitive_name(code: u8) -> &'static str {
    match code {
        element::VOID => "void",
        element::BOOLEAN => "bool",
        element::CHAR => "char",
        element::I1 => "i1",
        element::U1 => "u1",
        element::I2 => "i2",
        element::U2 => "u2",
        element::I4 => "i4",
        element::U4 => "u4",
        element::I8 => "i8",
        element::U8 => "u8",
        element::R4 => "r4",
        element::R8 => "r8",
        element::STRING => "string",
        element::TYPEDBYREF => "typedref",
        element::I => "i",
        element::U => "u",
        element::OBJECT => "object",
        _ => "?",
    }
}

/// Writes a token inside a signature; the dumps print it raw, the chain comparison
/// prints what it names.
pub type TokenWriter<'a> = &'a dyn Fn(&mut String, Token);

fn raw_token(out: &mut String, t: Token) {
    let _ = write!(out, "{t}");
}

/// The canonical signature syntax of docs/canonical-dump.md.
pub fn type_sig(out: &mut String, t: &TypeSig) {
    type_sig_with(out, t, &raw_token)
}

pub fn method_sig(out: &mut String, m: &MethodSig) {
    method_sig_with(out, m, &raw_token)
}

pub fn signature(out: &mut String, sig: &Signature) {
    signature_with(out, sig, &raw_token)
}

pub fn type_sig_with(out: &mut String, t: &TypeSig, tok: TokenWriter<'_>) {
    let wrap = |out: &mut String, name: &str, inner: &TypeSig| {
        out.push_str(name);
        out.push('(');
        type_sig_with(out, inner, tok);
        out.push(')');
    };
    match t {
        TypeSig::Primitive(code) => out.push_str(primitive_name(*code)),
        TypeSig::Class(t) => {
            out.push_str("class(");
            tok(out, *t);
            out.push(')');
        }
        TypeSig::ValueType(t) => {
            out.push_str("valuetype(");
            tok(out, *t);
            out.push(')');
        }
        TypeSig::Ptr(inner) => wrap(out, "ptr", inner),
        TypeSig::ByRef(inner) => wrap(out, "byref", inner),
        TypeSig::SzArray(inner) => wrap(out, "szarray", inner),
        TypeSig::Pinned(inner) => wrap(out, "pinned", inner),
        TypeSig::Var(n) => {
            let _ = write!(out, "!{n}");
        }
        TypeSig::MVar(n) => {
            let _ = write!(out, "!!{n}");
        }
        TypeSig::GenericInst { value_type, generic, args } => {
            let _ = write!(out, "inst({}(", if *value_type { "valuetype" } else { "class" });
            tok(out, *generic);
            out.push_str(");");
            type_list(out, args, false, tok);
            out.push(')');
        }
        TypeSig::Array(a) => {
            out.push_str("array(");
            type_sig_with(out, &a.element, tok);
            let _ = write!(out, ";{};[", a.rank);
            for (i, s) in a.sizes.iter().enumerate() {
                let _ = write!(out, "{}{s}", if i > 0 { "," } else { "" });
            }
            out.push_str("];[");
            for (i, b) in a.lower_bounds.iter().enumerate() {
                let _ = write!(out, "{}{b}", if i > 0 { "," } else { "" });
            }
            out.push_str("])");
        }
        TypeSig::Modified { required, modifier, inner } => {
            let _ = write!(out, "{}(", if *required { "modreq" } else { "modopt" });
            tok(out, *modifier);
            out.push(';');
            type_sig_with(out, inner, tok);
            out.push(')');
        }
        TypeSig::FnPtr(m) => {
            out.push_str("fnptr(");
            method_sig_with(out, m, tok);
            out.push(')');
        }
    }
}

fn type_list(out: &mut String, types: &[TypeSig], brackets: bool, tok: TokenWriter<'_>) {
    if brackets {
        out.push('[');
    }
    for (i, t) in types.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        type_sig_with(out, t, tok);
    }
    if brackets {
        out.push(']');
    }
}

pub fn method_sig_with(out: &mut String, m: &MethodSig, tok: TokenWriter<'_>) {
    let _ = write!(out, "method({};{};", m.header, m.generic_count);
    type_sig_with(out, &m.ret, tok);
    out.push(';');
    type_list(out, &m.params, true, tok);
    let _ = write!(out, ";{})", m.required_count());
}

pub fn signature_with(out: &mut String, sig: &Signature, tok: TokenWriter<'_>) {
    match sig {
        Signature::Field(t) => {
            out.push_str("field(");
            type_sig_with(out, t, tok);
            out.push(')');
        }
        Signature::Method(m) | Signature::Property(m) => method_sig_with(out, m, tok),
        Signature::Locals(types) => {
            out.push_str("locals(");
            type_list(out, types, true, tok);
            out.push(')');
        }
        Signature::MethodSpec(types) => {
            out.push_str("spec(");
            type_list(out, types, true, tok);
            out.push(')');
        }
        Signature::Type(t) => type_sig_with(out, t, tok),
    }
}
