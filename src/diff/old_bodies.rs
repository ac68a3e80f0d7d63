//! A summary of the method bodies of the build applied last ([`OldBodies`]): where
//! each body lies in the file and where its token operands are. A session keeps it
//! from one prepare to the next (the build applied last changes only on commit), so a
//! comparison against a large build does not decode its 20,000 bodies again each time:
//! a body of the updated build is the same code when its bytes equal the old body's
//! outside those operands and each operand names the same thing ([`OldBodies::same_body`]).

use super::body::Operands;
use crate::assembly::Assembly;
use crate::error::Result;
use crate::il::body::flags;
use crate::il::{ExceptionKind, MethodBody, Operand, TokenOperands};
use crate::metadata::Token;
use crate::metadata::schema::TableId;

/// Marks an operand position that holds an `ldstr` literal (not a token).
const LITERAL: u32 = 1 << 31;

/// The summary of one build's method bodies, made by [`OldBodies::new`].
pub struct OldBodies {
    /// [`build_identity`] of the build summarised.
    build: u64,
    /// Per MethodDef row id (0 unused): the body, or `len == 0` when the method has no
    /// body or one this summary does not describe (those are compared in full).
    bodies: Vec<Body>,
    /// Every described body's operand positions, in ascending order per body: offsets
    /// from the body's first byte, [`LITERAL`] set for string literals.
    operands: Vec<u32>,
}

#[derive(Clone, Copy, Default)]
struct Body {
    /// File offset of the header's first byte.
    offset: u32,
    /// Bytes from the header to the end of the last data section.
    len: u32,
    /// Its operands: `operands[first..end]`.
    first: u32,
    end: u32,
}

/// What identifies the bytes of a build: a hash of the whole file (PE image or metadata
/// root), so a summary is never used with another build, even one at the same address.
fn build_identity(asm: &Assembly<'_>) -> u64 {
    let bytes = match &asm.pe {
        Some(pe) => pe.data,
        None => asm.metadata.root.data,
    };
    crate::baseline::fingerprint64(bytes)
}

impl OldBodies {
    /// Summarises the bodies of `asm`. A body that cannot be read (or has exception
    /// data laid out other than as one section) is left out, not an error: it is then
    /// compared in full, which reports what is wrong with it.
    pub fn new(asm: &Assembly<'_>) -> OldBodies {
        let methods = asm.metadata.tables.table(TableId::MethodDef);
        let count = methods.row_count() as usize;
        let mut out =
            OldBodies { build: build_identity(asm), bodies: vec![Body::default(); count + 1], operands: Vec::new() };
        let Some(pe) = &asm.pe else { return out };
        out.operands.reserve(count * 4);
        for (rid, slot) in out.bodies.iter_mut().enumerate().skip(1) {
            let first = out.operands.len();
            let described = methods
                .raw(rid as u32, 0)
                .ok()
                .filter(|&rva| rva != 0)
                .and_then(|rva| pe.rva_to_offset(rva))
                .and_then(|(offset, available)| {
                    let data = pe.data.get(offset..offset + available)?;
                    let len = summarise(data, &mut out.operands)?;
                    Some(Body { offset: u32::try_from(offset).ok()?, len: u32::try_from(len).ok()?, ..Body::default() })
                });
            match described {
                Some(body) if u32::try_from(out.operands.len()).is_ok() => {
                    *slot = Body { first: first as u32, end: out.operands.len() as u32, ..body };
                }
                _ => out.operands.truncate(first),
            }
        }
        out
    }

    /// Whether this summary was made for `asm`'s bytes.
    pub fn is_for(&self, asm: &Assembly<'_>) -> bool {
        self.build == build_identity(asm)
    }

    /// Whether method `old_rid` of `old` (the build summarised) and the body at `new_rva`
    /// in `new` are provably the same code: the new bytes equal the old body's outside
    /// its operands, and each operand names the same thing, with the same token type. So
    /// headers, instructions and exception clauses are equal, and a full comparison
    /// ([`super::body::bodies_equal_kept`]) would say equal too. False: not proven (the
    /// caller compares in full; an error on the way is left to it as well).
    pub fn same_body<F: Fn(Token, Token) -> Result<bool>>(
        &self,
        old: &Assembly<'_>,
        new: &Assembly<'_>,
        old_rid: u32,
        new_rva: u32,
        operands: &Operands<'_, '_, F>,
    ) -> bool {
        let Some(body) = self.bodies.get(old_rid as usize).filter(|b| b.len != 0) else { return false };
        let (Some(old_pe), Some(new_pe)) = (&old.pe, &new.pe) else { return false };
        let (start, len) = (body.offset as usize, body.len as usize);
        let Some(x) = old_pe.data.get(start..start + len) else { return false };
        let Some(y) = new_pe
            .rva_to_offset(new_rva)
            .filter(|&(_, available)| new_rva != 0 && available >= len)
            .and_then(|(at, _)| new_pe.data.get(at..at + len))
        else {
            return false;
        };
        let Some(positions) = self.operands.get(body.first as usize..body.end as usize) else { return false };
        let mut from = 0;
        for &position in positions {
            let at = (position & !LITERAL) as usize;
            let (Some(p), Some(q)) = (token_at(x, at), token_at(y, at)) else { return false };
            if x.get(from..at) != y.get(from..at) || p.kind() != q.kind() {
                return false;
            }
            let same = match position & LITERAL {
                0 => operands.same_token(p, q),
                _ => operands.same_literal(p, q),
            };
            if !matches!(same, Ok(true)) {
                return false;
            }
            from = at + 4;
        }
        x.get(from..) == y.get(from..)
    }
}

fn token_at(bytes: &[u8], at: usize) -> Option<Token> {
    let b = bytes.get(at..at + 4)?;
    Some(Token(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
}

/// Appends the operand positions of the body at the start of `data` to `out`, and
/// returns the body's length; `None` when it cannot be described.
fn summarise(data: &[u8], out: &mut Vec<u32>) -> Option<usize> {
    let body = MethodBody::parse(data).ok()?;
    let at = |position: usize| u32::try_from(position).ok().filter(|&p| p & LITERAL == 0);
    if !body.is_tiny {
        // The fat header's local signature token.
        out.push(8);
    }
    let code_at = body.header_size;
    let mut walk = TokenOperands::new(body.code);
    while let Some(operand) = walk.next() {
        let literal = match operand.ok()? {
            Operand::Token(_) => 0,
            Operand::String(_) => LITERAL,
            _ => continue,
        };
        // Just past the operand returned: its 4 bytes start 4 before.
        out.push(at((code_at + walk.position()).checked_sub(4)?)? | literal);
    }
    if !body.exception_regions.is_empty() {
        // The catch types: the clauses of the one exception section after the code.
        let section = (code_at + body.code.len()).next_multiple_of(4);
        let kind = *data.get(section)?;
        if kind & flags::SECTION_MORE_SECTS != 0 || kind & flags::SECTION_EH_TABLE == 0 {
            return None;
        }
        let (clause, extra) = if kind & flags::SECTION_FAT_FORMAT != 0 { (24, 20) } else { (12, 8) };
        for (i, region) in body.exception_regions.iter().enumerate() {
            if region.kind != ExceptionKind::Catch {
                continue;
            }
            let position = section + 4 + i * clause + extra;
            // The layout assumed here is the one the parser read.
            if token_at(data, position) != Some(region.catch_type) {
                return None;
            }
            out.push(at(position)?);
        }
    }
    Some(body.size)
}
