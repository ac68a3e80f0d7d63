//! A delta method body as comparable lines: the header facts, each instruction with
//! its operand resolved (tokens to what they name, branch targets to instruction
//! numbers, so an inserted instruction does not shift every later line), and the
//! exception regions (offsets as instruction numbers too).

use std::collections::HashMap;

use super::resolve::Resolver;
use crate::il::MethodBody;
use crate::il::instruction::{Operand, decode_instructions};

/// `(label, text)` lines of the body at `rva` of a `.dil` (labels are `IL_xxxx`
/// offsets for instructions); a body that cannot be read yields one `error` line, so
/// two unreadable bodies still compare.
pub fn method_il(resolver: &Resolver<'_, '_>, il: Option<&[u8]>, rva: u32) -> Vec<(String, String)> {
    let Some(il) = il else { return vec![("body".into(), "no .dil".into())] };
    let Some(data) = il.get(rva as usize..) else {
        return vec![("body".into(), format!("RVA {rva:#x} is past the .dil"))];
    };
    let body = match MethodBody::parse(data) {
        Ok(b) => b,
        Err(e) => return vec![("body".into(), format!("error {e}"))],
    };
    let mut lines = vec![
        ("maxstack".to_string(), body.max_stack.to_string()),
        ("initlocals".to_string(), body.init_locals.to_string()),
        ("locals".to_string(), resolver.token(body.local_signature)),
    ];
    match decode_instructions(body.code) {
        Ok(instructions) => {
            let index: HashMap<i64, usize> =
                instructions.iter().enumerate().map(|(i, ins)| (ins.offset as i64, i)).collect();
            let at = |offset: i64| index.get(&offset).map_or(format!("IL_{offset:04x}?"), |i| format!("#{i}"));
            for ins in &instructions {
                let targets = ins.branch_targets();
                let operand = match &ins.operand {
                    Operand::None => String::new(),
                    Operand::Int8(v) => v.to_string(),
                    Operand::UInt8(v) => v.to_string(),
                    Operand::UInt16(v) => v.to_string(),
                    Operand::Int32(v) => v.to_string(),
                    Operand::Int64(v) => v.to_string(),
                    Operand::Float32(bits) => format!("{} (0x{bits:08x})", f32::from_bits(*bits)),
                    Operand::Float64(bits) => format!("{} (0x{bits:016x})", f64::from_bits(*bits)),
                    Operand::BranchShort(_) | Operand::Branch(_) | Operand::Switch(_) => {
                        targets.iter().map(|&t| at(t)).collect::<Vec<_>>().join(", ")
                    }
                    Operand::Token(t) | Operand::String(t) => resolver.token(*t),
                };
                let text = if operand.is_empty() {
                    ins.opcode.name().to_string()
                } else {
                    format!("{} {operand}", ins.opcode.name())
                };
                lines.push((format!("IL_{:04x}", ins.offset), text));
            }
        }
        Err(e) => lines.push(("code".into(), format!("error {e}"))),
    }
    let offsets: HashMap<u32, usize> = decode_instructions(body.code)
        .map(|all| all.iter().enumerate().map(|(i, ins)| (ins.offset, i)).collect())
        .unwrap_or_default();
    let at = |offset: u32| offsets.get(&offset).map_or(format!("IL_{offset:04x}"), |i| format!("#{i}"));
    let end = body.code.len() as u32;
    let at_end = |offset: u32| if offset == end { "end".to_string() } else { at(offset) };
    for (i, r) in body.exception_regions.iter().enumerate() {
        let text = format!(
            "{} try {}..{} handler {}..{} catch {} filter {}",
            r.kind.name(),
            at(r.try_offset),
            at_end(r.try_offset + r.try_length),
            at(r.handler_offset),
            at_end(r.handler_offset + r.handler_length),
            resolver.token(r.catch_type),
            if r.filter_offset == 0 { "-".to_string() } else { at(r.filter_offset) }
        );
        lines.push((format!("EH {}", i + 1), text));
    }
    lines
}
