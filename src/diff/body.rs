//! Whether two method bodies are the same code: same header, same exception clauses,
//! same instructions, with operands that name the same things. How tokens of the two
//! builds correspond is the caller's (equal raw tokens when the builds have the same
//! rows, equal identity keys otherwise); string literals compare by content.

use crate::assembly::Assembly;
use crate::error::Result;
use crate::il::{Instructions, MethodBody, Operand, TokenOperands};
use crate::metadata::{Token, UserStringIndex};

/// Compares the bodies at `old_rva` in `old` and `new_rva` in `new` (0: no body).
pub fn bodies_equal(
    old: &Assembly<'_>,
    new: &Assembly<'_>,
    old_rva: u32,
    new_rva: u32,
    same_token: impl Fn(Token, Token) -> Result<bool>,
) -> Result<bool> {
    if old_rva == 0 || new_rva == 0 {
        return Ok(old_rva == new_rva);
    }
    let (a, b) = (old.method_body(old_rva)?, new.method_body(new_rva)?);
    if !same_shape(&a, &b) || !same_token(a.local_signature, b.local_signature)? {
        return Ok(false);
    }
    for (x, y) in a.exception_regions.iter().zip(&b.exception_regions) {
        if !same_token(x.catch_type, y.catch_type)? {
            return Ok(false);
        }
    }
    let (old_us, new_us) = (&old.metadata.user_strings, &new.metadata.user_strings);
    let same_literal = |p: Token, q: Token| -> Result<bool> {
        Ok(old_us.get_raw(UserStringIndex(p.rid()))? == new_us.get_raw(UserStringIndex(q.rid()))?)
    };
    if a.code == b.code {
        // Equal bytes: only what tokens and literals name can differ.
        for operand in TokenOperands::new(a.code) {
            let same = match operand? {
                Operand::Token(p) => same_token(p, p)?,
                Operand::String(p) => same_literal(p, p)?,
                _ => true,
            };
            if !same {
                return Ok(false);
            }
        }
        return Ok(true);
    }
    let mut theirs = Instructions::new(b.code);
    for x in Instructions::new(a.code) {
        let x = x?;
        // Equal code lengths: while the instructions agree, both streams have more.
        let Some(y) = theirs.next().transpose()? else { return Ok(false) };
        if x.opcode != y.opcode {
            return Ok(false);
        }
        let same = match (&x.operand, &y.operand) {
            (Operand::Token(p), Operand::Token(q)) => same_token(*p, *q)?,
            (Operand::String(p), Operand::String(q)) => same_literal(*p, *q)?,
            (p, q) => p == q,
        };
        if !same {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Header and clause layout equal (everything but tokens). Equal instruction streams
/// have equal lengths, since every operand has a fixed size given its opcode.
fn same_shape(a: &MethodBody<'_>, b: &MethodBody<'_>) -> bool {
    a.max_stack == b.max_stack
        && a.init_locals == b.init_locals
        && a.code.len() == b.code.len()
        && a.exception_regions.len() == b.exception_regions.len()
        && a.exception_regions.iter().zip(&b.exception_regions).all(|(x, y)| {
            (x.kind, x.try_offset, x.try_length, x.handler_offset, x.handler_length, x.filter_offset)
                == (y.kind, y.try_offset, y.try_length, y.handler_offset, y.handler_length, y.filter_offset)
        })
}

/// The fast check for builds with the same rows: bodies with equal headers and equal
/// code bytes are equal without decoding when no literal can differ (the same `#US`,
/// or no byte that could be an `ldstr` opcode).
pub fn bytes_equal(a: &MethodBody<'_>, b: &MethodBody<'_>) -> bool {
    same_shape(a, b)
        && a.local_signature == b.local_signature
        && a.code == b.code
        && a.exception_regions.iter().zip(&b.exception_regions).all(|(x, y)| x.catch_type == y.catch_type)
}
