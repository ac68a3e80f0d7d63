//! The `.dil`: every MethodDef RVA of the delta points inside it (past its 4 leading
//! zero bytes) at a body that parses, and every token in that IL resolves in the chain;
//! `ldstr` operands point at the start of a `#US` entry of the chain.

use super::{Report, describe, in_chain, rule};
use crate::chain::{Chain, ChainGeneration};
use crate::il::{MethodBody, Operand, decode_instructions};
use crate::metadata::schema::TableId;
use crate::metadata::{Token, UserStringIndex};

pub(super) fn check(chain: &Chain<'_>, g: &ChainGeneration<'_>, report: &mut Report<'_>) {
    let methods = g.metadata.tables.table(TableId::MethodDef);
    for rid in 1..=methods.row_count() {
        let Ok(rva) = methods.raw(rid, 0) else { continue };
        if rva == 0 {
            continue;
        }
        let method = describe(g, TableId::MethodDef, rid);
        let mut push = |rule: &'static str, message: String| {
            report.push("MethodDef", Some(rid), rule, format!("{method}: {message}"));
        };
        let Some(il) = g.il else {
            push(rule::METHOD_RVA, format!("RVA {rva:#x} but the generation has no .dil"));
            continue;
        };
        if rva < 4 || rva as usize >= il.len() {
            push(rule::METHOD_RVA, format!("RVA {rva:#x} is outside the .dil body area 0x4..{:#x}", il.len()));
            continue;
        }
        let body = match MethodBody::parse(&il[rva as usize..]) {
            Ok(body) => body,
            Err(e) => {
                push(rule::METHOD_BODY, format!("the body at RVA {rva:#x} does not parse: {e}"));
                continue;
            }
        };
        let mut tokens: Vec<(String, Token)> = Vec::new();
        if !body.local_signature.is_nil() {
            tokens.push(("local signature".into(), body.local_signature));
        }
        for region in body.exception_regions.iter().filter(|r| !r.catch_type.is_nil()) {
            tokens.push(("catch type".into(), region.catch_type));
        }
        let instructions = match decode_instructions(body.code) {
            Ok(i) => i,
            Err(e) => {
                push(rule::METHOD_BODY, format!("the IL at RVA {rva:#x} does not decode: {e}"));
                Vec::new()
            }
        };
        for ins in &instructions {
            match ins.operand {
                Operand::Token(t) => tokens.push((format!("IL_{:04x} {}", ins.offset, ins.opcode.name()), t)),
                Operand::String(t) => {
                    if let Some(problem) = bad_literal(chain, g, t) {
                        push(rule::LDSTR_OFFSET, format!("IL_{:04x} ldstr {t}: {problem}", ins.offset));
                    }
                }
                _ => {}
            }
        }
        for (place, t) in tokens {
            if !in_chain(g, t) {
                push(rule::IL_TOKEN_RANGE, format!("{place} {t} is not a row of the chain as of this generation"));
            }
        }
    }
}

/// Why a `ldstr` operand is not the start of a `#US` entry of the chain, if it is not.
fn bad_literal(chain: &Chain<'_>, g: &ChainGeneration<'_>, token: Token) -> Option<String> {
    let offset = token.rid();
    let end = g.heap_bases.user_strings as u64 + g.metadata.user_strings.size() as u64;
    if offset == 0 || offset as u64 >= end {
        return Some(format!("offset {offset:#x} is outside the chain's #US (1..{end:#x})"));
    }
    match chain.user_string(UserStringIndex(offset)) {
        Ok((_, true)) => None,
        Ok((_, false)) => Some(format!("offset {offset:#x} is inside a #US entry, not at its start")),
        Err(e) => Some(format!("offset {offset:#x} does not resolve: {e}")),
    }
}
