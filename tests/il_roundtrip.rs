//! Every IL body of the installed shared framework decodes without error, and the
//! decoded instruction stream re-encodes to the same bytes; the token-only walk the
//! diff uses finds the same token operands as the full decoder.

mod support;

use emit_delta::Assembly;
use emit_delta::il::{Operand, TokenOperands, decode_instructions, encode_instructions};
use emit_delta::metadata::schema::MethodDefRow;

#[test]
fn every_shared_framework_body_decodes_and_reencodes_byte_for_byte() {
    let Some(dotnet) = support::dotnet("every_shared_framework_body_decodes_and_reencodes_byte_for_byte") else {
        return;
    };
    let framework = support::shared_framework(&dotnet);
    let (mut files, mut bodies, mut instructions) = (0, 0usize, 0usize);
    for path in support::files_with_extension(&framework, "dll") {
        let bytes = std::fs::read(&path).unwrap();
        let Ok(asm) = Assembly::parse(&bytes) else { continue };
        if asm.pe.as_ref().is_none_or(|pe| pe.cli.is_none()) {
            continue;
        }
        files += 1;
        for (rid, row) in asm.metadata.tables.rows::<MethodDefRow>() {
            let row = row.unwrap();
            if row.rva == 0 || row.impl_flags & 3 != 0 {
                continue;
            }
            let body = asm.method_body(row.rva).unwrap_or_else(|e| panic!("{}: method {rid}: {e}", path.display()));
            let decoded =
                decode_instructions(body.code).unwrap_or_else(|e| panic!("{}: method {rid}: {e}", path.display()));
            assert_eq!(
                encode_instructions(&decoded),
                body.code,
                "{}: method {rid} re-encodes differently",
                path.display()
            );
            // The token-only walk sees exactly the token and literal operands.
            let tokens: Vec<Operand> = TokenOperands::new(body.code).map(Result::unwrap).collect();
            let expected: Vec<Operand> = decoded
                .iter()
                .filter(|i| matches!(i.operand, Operand::Token(_) | Operand::String(_)))
                .map(|i| i.operand.clone())
                .collect();
            assert_eq!(tokens, expected, "{}: method {rid}: token operands", path.display());
            bodies += 1;
            instructions += decoded.len();
        }
    }
    println!("{files} assemblies, {bodies} bodies, {instructions} instructions decoded and re-encoded");
    assert!(files > 100 && bodies > 100_000, "too little was read: {files} files, {bodies} bodies");
}
