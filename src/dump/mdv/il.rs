//! Method bodies as mdv's IL visualizer prints them: `Method '<name>' (<token>)`, the
//! locals signature, then `IL_xxxx:  opcode    operand` lines between braces.

use std::fmt::Write;

use super::View;
use crate::il::MethodBody;
use crate::il::instruction::{Operand, decode_instructions};
use crate::metadata::schema::TableId;
use crate::metadata::{Token, UserStringIndex};

impl View<'_, '_> {
    pub(super) fn method_bodies(&self, out: &mut String) {
        for (rid, r) in self.rows(TableId::MethodDef) {
            let rva = r[0];
            if rva == 0 {
                continue;
            }
            let token = self.chain_token(TableId::MethodDef, rid);
            let body = match self.chain.generation(self.number) {
                Some(g) => g.il.and_then(|il| il.get(rva as usize..)).map(MethodBody::parse),
                None => Some(self.assembly.method_body(rva)),
            };
            let Some(Ok(body)) = body else { continue };
            let _ = writeln!(out, "Method '{}' ({})", self.type_name(token), self.token_text(token, false));
            if !body.local_signature.is_nil() {
                let signature = self
                    .chain
                    .raw_row(body.local_signature, self.number)
                    .map_or(super::BAD.to_string(), |row| self.signature(row[0], super::SigKind::Any));
                let _ = writeln!(out, "  Locals: {signature}");
            }
            out.push_str("{\n");
            let size = body.code.len();
            if size == 0 {
                out.push_str("  // Unrealized IL\n");
            } else {
                let _ = writeln!(out, "  // Code size {size:>8} (0x{size:x})");
            }
            let _ = writeln!(out, "  .maxstack  {}", body.max_stack);
            self.instructions(out, body.code);
            out.push_str("}\n\n");
        }
    }

    fn instructions(&self, out: &mut String, code: &[u8]) {
        let Ok(instructions) = decode_instructions(code) else {
            out.push_str("  <bad IL>\n");
            return;
        };
        for ins in &instructions {
            let _ = write!(out, "  IL_{:04x}:  ", ins.offset);
            let name = ins.opcode.name();
            let targets = ins.branch_targets();
            let operand = match &ins.operand {
                Operand::None => None,
                Operand::Int8(v) => Some(v.to_string()),
                Operand::UInt8(v) => Some(format!("V_{v}")),
                Operand::UInt16(v) => Some(format!("V_{v}")),
                Operand::Int32(v) => Some(format!("0x{:x}", *v as u32)),
                Operand::Int64(v) => Some(format!("0x{:08x}", *v as u64)),
                Operand::Float32(bits) => Some(format!("{}", f32::from_bits(*bits))),
                Operand::Float64(bits) => Some(format!("{}", f64::from_bits(*bits))),
                Operand::BranchShort(_) | Operand::Branch(_) => targets.first().map(|t| format!("IL_{t:04x}")),
                Operand::Switch(_) => {
                    Some(targets.iter().map(|t| format!("IL_{t:04x}")).collect::<Vec<_>>().join(", "))
                }
                Operand::Token(t) => Some(self.symbol(*t)),
                Operand::String(t) => Some(match self.chain.user_string(UserStringIndex(t.rid())) {
                    Ok((s, _)) => format!("\"{s}\""),
                    Err(_) => super::BAD.into(),
                }),
            };
            match operand {
                Some(o) => {
                    let _ = writeln!(out, "{name:<10} {o}");
                }
                None => {
                    let _ = writeln!(out, "{name}");
                }
            }
        }
    }

    fn symbol(&self, token: Token) -> String {
        format!("'{}' ({})", self.type_name(token), self.token_text(token, false))
    }
}
