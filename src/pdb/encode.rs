//! Writing the blobs of the portable-PDB tables (the inverse of [`super::blobs`]), and
//! rewriting the metadata tokens some blobs carry (local constant types, async stepping
//! methods) so a PDB delta can point into the chain instead of the updated build.

use super::blobs::{ImportDefinition, SequencePoint};
use crate::bytes::Cursor;
use crate::error::{Error, Result};
use crate::metadata::compressed;
use crate::metadata::schema::{CodedIndex, TableId};
use crate::metadata::{BlobIndex, Token};

fn unsigned(out: &mut Vec<u8>, value: u32, what: &str) -> Result<()> {
    compressed::write_unsigned(out, value)
        .ok_or_else(|| Error::Invalid(format!("{what}: {value} does not fit a compressed integer")))
}

fn signed(out: &mut Vec<u8>, value: i64, what: &str) -> Result<()> {
    i32::try_from(value)
        .ok()
        .and_then(|v| compressed::write_signed(out, v))
        .ok_or_else(|| Error::Invalid(format!("{what}: {value} does not fit a compressed signed integer")))
}

/// Encodes a SequencePoints blob. Returns the MethodDebugInformation.Document value
/// (the single document when all points share one, nil otherwise, in which case the
/// blob names its initial document) and the blob (empty when there are no points).
pub fn encode_sequence_points(local_signature: Token, points: &[SequencePoint]) -> Result<(Token, Vec<u8>)> {
    let what = "sequence points";
    let nil_document = Token::new(TableId::Document, 0);
    let Some(first) = points.first() else { return Ok((nil_document, Vec::new())) };
    let single = points.iter().all(|p| p.document == first.document);
    let mut out = Vec::new();
    unsigned(&mut out, local_signature.rid(), what)?;
    if !single {
        unsigned(&mut out, first.document.rid(), what)?;
    }
    let mut document = first.document;
    let mut previous: Option<&SequencePoint> = None;
    let mut previous_start: Option<(u32, u32)> = None;
    for p in points {
        if p.document != document {
            out.push(0);
            unsigned(&mut out, p.document.rid(), what)?;
            document = p.document;
        }
        let delta_il = match previous {
            None => p.il_offset,
            Some(prev) if p.il_offset > prev.il_offset => p.il_offset - prev.il_offset,
            Some(prev) => {
                return Err(Error::Invalid(format!(
                    "{what}: IL offsets must increase (IL_{:04X} after IL_{:04X})",
                    p.il_offset, prev.il_offset
                )));
            }
        };
        unsigned(&mut out, delta_il, what)?;
        previous = Some(p);
        if p.is_hidden() {
            out.extend_from_slice(&[0, 0]);
            continue;
        }
        let delta_lines = p.end_line.checked_sub(p.start_line).ok_or_else(|| {
            Error::Invalid(format!("{what}: end line {} before start line {}", p.end_line, p.start_line))
        })?;
        let delta_columns = p.end_column as i64 - p.start_column as i64;
        unsigned(&mut out, delta_lines, what)?;
        if delta_lines == 0 {
            if delta_columns <= 0 {
                return Err(Error::Invalid(format!(
                    "{what}: a one-line point at IL_{:04X} must end after it starts",
                    p.il_offset
                )));
            }
            unsigned(&mut out, delta_columns as u32, what)?;
        } else {
            signed(&mut out, delta_columns, what)?;
        }
        match previous_start {
            None => {
                unsigned(&mut out, p.start_line, what)?;
                unsigned(&mut out, p.start_column, what)?;
            }
            Some((line, column)) => {
                signed(&mut out, p.start_line as i64 - line as i64, what)?;
                signed(&mut out, p.start_column as i64 - column as i64, what)?;
            }
        }
        previous_start = Some((p.start_line, p.start_column));
    }
    let document_column = if single { first.document } else { nil_document };
    Ok((document_column, out))
}

/// Encodes a Document name blob: `separator` (0 for none), then the blob index that
/// `part` gives each UTF-8 part of `name`.
pub fn encode_document_name(name: &str, separator: u8, mut part: impl FnMut(&[u8]) -> u32) -> Result<Vec<u8>> {
    let what = "document name";
    let mut out = vec![separator];
    let parts: Vec<&[u8]> =
        if separator == 0 { vec![name.as_bytes()] } else { name.as_bytes().split(|b| *b == separator).collect() };
    for p in parts {
        unsigned(&mut out, part(p), what)?;
    }
    Ok(out)
}

/// Encodes an Imports blob (kinds 1..=9 as in [`super::decode_imports`]).
pub fn encode_imports(imports: &[ImportDefinition]) -> Result<Vec<u8>> {
    let what = "imports";
    let mut out = Vec::new();
    for i in imports {
        unsigned(&mut out, i.kind, what)?;
        let ty = |out: &mut Vec<u8>| -> Result<()> {
            let raw = CodedIndex::TypeDefOrRef
                .encode(i.target_type)
                .ok_or_else(|| Error::Invalid(format!("{what}: {} is not a type", i.target_type)))?;
            unsigned(out, raw, what)
        };
        let blob = |out: &mut Vec<u8>, b: BlobIndex| unsigned(out, b.0, what);
        match i.kind {
            1 => blob(&mut out, i.namespace)?,
            2 => {
                unsigned(&mut out, i.assembly.rid(), what)?;
                blob(&mut out, i.namespace)?;
            }
            3 => ty(&mut out)?,
            4 | 7 => {
                blob(&mut out, i.alias)?;
                blob(&mut out, i.namespace)?;
            }
            5 => blob(&mut out, i.alias)?,
            6 => {
                blob(&mut out, i.alias)?;
                unsigned(&mut out, i.assembly.rid(), what)?;
            }
            8 => {
                blob(&mut out, i.alias)?;
                unsigned(&mut out, i.assembly.rid(), what)?;
                blob(&mut out, i.namespace)?;
            }
            9 => {
                blob(&mut out, i.alias)?;
                ty(&mut out)?;
            }
            other => return Err(Error::Invalid(format!("{what}: unknown import kind {other}"))),
        }
    }
    Ok(out)
}

/// Reads a TypeDefOrRefOrSpecEncoded type, maps it and writes it to `out`.
fn map_type(
    cur: &mut Cursor<'_>,
    out: &mut Vec<u8>,
    what: &str,
    map: &mut impl FnMut(Token) -> Result<Token>,
) -> Result<()> {
    let at = cur.position() as u64;
    let raw = cur.compressed_u32()?;
    let token =
        CodedIndex::TypeDefOrRef.decode(raw).ok_or_else(|| Error::malformed(what, at, "a TypeDefOrRefOrSpec", raw))?;
    let mapped = map(token)?;
    let encoded = CodedIndex::TypeDefOrRef
        .encode(mapped)
        .ok_or_else(|| Error::Invalid(format!("{what}: {mapped} is not a type")))?;
    unsigned(out, encoded, what)
}

/// Rewrites the types in a LocalConstant signature blob (Portable PDB spec, "LocalConstantSig"):
/// custom modifiers, the enum type after a primitive value, and the type of a general constant.
pub fn map_local_constant_signature(blob: &[u8], mut map: impl FnMut(Token) -> Result<Token>) -> Result<Vec<u8>> {
    const CMOD_REQD: u8 = 0x1F;
    const CMOD_OPT: u8 = 0x20;
    let what = "local constant signature";
    let mut cur = Cursor::new(blob, what);
    let mut out = Vec::with_capacity(blob.len());
    loop {
        let at = cur.position() as u64;
        let code = cur.u8()?;
        out.push(code);
        let value_len = match code {
            CMOD_REQD | CMOD_OPT => {
                map_type(&mut cur, &mut out, what, &mut map)?;
                continue;
            }
            // BOOLEAN, I1, U1 / CHAR, I2, U2 / I4, U4, R4 / I8, U8, R8.
            0x02 | 0x04 | 0x05 => 1,
            0x03 | 0x06 | 0x07 => 2,
            0x08 | 0x09 | 0x0C => 4,
            0x0A | 0x0B | 0x0D => 8,
            // STRING (UTF-16 or 0xFF for null) and OBJECT: no tokens follow.
            0x0E | 0x1C => {
                out.extend_from_slice(cur.rest());
                return Ok(out);
            }
            // VALUETYPE / CLASS: the type, then an optional value (decimal, DateTime).
            0x11 | 0x12 => {
                map_type(&mut cur, &mut out, what, &mut map)?;
                out.extend_from_slice(cur.rest());
                return Ok(out);
            }
            other => return Err(Error::malformed(what, at, "a constant type code", format_args!("{other:#04x}"))),
        };
        out.extend_from_slice(cur.bytes(value_len)?);
        // An enum constant carries its enum type after the value (never after R4/R8).
        if !cur.is_empty() {
            if matches!(code, 0x0C | 0x0D) {
                return Err(Error::malformed(what, cur.position() as u64, "the end of a float constant", "more bytes"));
            }
            map_type(&mut cur, &mut out, what, &mut map)?;
        }
        if !cur.is_empty() {
            return Err(Error::malformed(what, cur.position() as u64, "the end of the signature", "more bytes"));
        }
        return Ok(out);
    }
}

/// Rewrites the MoveNext method row ids in an async method stepping information blob
/// (a u32 catch handler offset, then (yield offset, resume offset, method rid) triples).
pub fn map_async_stepping_methods(blob: &[u8], mut map: impl FnMut(Token) -> Result<Token>) -> Result<Vec<u8>> {
    let what = "async method stepping information";
    let mut cur = Cursor::new(blob, what);
    let mut out = Vec::with_capacity(blob.len());
    out.extend_from_slice(cur.bytes(4)?);
    while !cur.is_empty() {
        out.extend_from_slice(cur.bytes(8)?);
        let method = map(crate::pdb::blobs::row_token(&mut cur, TableId::MethodDef, what)?)?;
        unsigned(&mut out, method.rid(), what)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdb::blobs::decode_sequence_points;

    fn point(document: u32, il_offset: u32, start: (u32, u32), end: (u32, u32)) -> SequencePoint {
        SequencePoint {
            document: Token::new(TableId::Document, document),
            il_offset,
            start_line: start.0,
            start_column: start.1,
            end_line: end.0,
            end_column: end.1,
        }
    }

    fn hidden(document: u32, il_offset: u32) -> SequencePoint {
        let h = SequencePoint::HIDDEN_LINE;
        point(document, il_offset, (h, 0), (h, 0))
    }

    #[test]
    fn sequence_points_round_trip_with_one_and_several_documents() {
        let local = Token::new(TableId::StandAloneSig, 7);
        let one = vec![point(1, 0, (10, 9), (10, 10)), hidden(1, 3), point(1, 4, (12, 13), (14, 2))];
        let (doc, blob) = encode_sequence_points(local, &one).unwrap();
        assert_eq!(doc, Token::new(TableId::Document, 1));
        let back = decode_sequence_points(&blob, doc).unwrap();
        assert_eq!((back.local_signature, back.points), (local, one));

        let several = vec![point(2, 0, (5, 1), (5, 30)), point(1, 6, (3, 5), (4, 1)), point(2, 9, (6, 1), (6, 2))];
        let (doc, blob) = encode_sequence_points(local, &several).unwrap();
        assert!(doc.is_nil());
        assert_eq!(decode_sequence_points(&blob, doc).unwrap().points, several);
    }

    #[test]
    fn sequence_points_that_cannot_be_encoded_are_errors() {
        let local = Token::new(TableId::StandAloneSig, 0);
        assert!(encode_sequence_points(local, &[point(1, 4, (1, 1), (1, 2)), point(1, 4, (2, 1), (2, 2))]).is_err());
        assert!(encode_sequence_points(local, &[point(1, 0, (3, 1), (2, 2))]).is_err());
        assert!(encode_sequence_points(local, &[point(1, 0, (3, 5), (3, 5))]).is_err());
        assert_eq!(encode_sequence_points(local, &[]).unwrap().1, Vec::<u8>::new());
    }

    #[test]
    fn document_names_split_on_their_separator() {
        let mut parts = Vec::new();
        let blob = encode_document_name("/_/Program.cs", b'/', |p| {
            parts.push(p.to_vec());
            if p.is_empty() { 0 } else { parts.len() as u32 }
        })
        .unwrap();
        assert_eq!(blob, [b'/', 0, 2, 3]);
        assert_eq!(parts, [b"".to_vec(), b"_".to_vec(), b"Program.cs".to_vec()]);
        assert_eq!(encode_document_name("a/b", 0, |_| 5).unwrap(), [0, 5]);
    }

    #[test]
    fn imports_round_trip() {
        let imports = vec![
            ImportDefinition {
                kind: 1,
                alias: BlobIndex(0),
                assembly: Token::new(TableId::AssemblyRef, 0),
                namespace: BlobIndex(0x80),
                target_type: Token(0),
            },
            ImportDefinition {
                kind: 3,
                alias: BlobIndex(0),
                assembly: Token::new(TableId::AssemblyRef, 0),
                namespace: BlobIndex(0),
                target_type: Token::new(TableId::TypeRef, 15),
            },
            ImportDefinition {
                kind: 8,
                alias: BlobIndex(4),
                assembly: Token::new(TableId::AssemblyRef, 2),
                namespace: BlobIndex(9),
                target_type: Token(0),
            },
        ];
        let blob = encode_imports(&imports).unwrap();
        assert_eq!(crate::pdb::decode_imports(&blob).unwrap(), imports);
    }

    #[test]
    fn local_constant_types_are_mapped() {
        let shift = |t: Token| Ok(Token::new(t.table().unwrap(), t.rid() + 1));
        // int 5: no token.
        assert_eq!(map_local_constant_signature(&[0x08, 5, 0, 0, 0], shift).unwrap(), [0x08, 5, 0, 0, 0]);
        // enum (I4 value, then TypeRef 3 = (3 << 2) | 1).
        assert_eq!(map_local_constant_signature(&[0x08, 1, 0, 0, 0, 0x0D], shift).unwrap(), [8, 1, 0, 0, 0, 0x11]);
        // modopt TypeRef 1, then a class constant of TypeDef 2 (null).
        assert_eq!(map_local_constant_signature(&[0x20, 0x05, 0x12, 0x08], shift).unwrap(), [0x20, 0x09, 0x12, 0x0C]);
        // a string constant: copied as is.
        assert_eq!(map_local_constant_signature(&[0x0E, b'a', 0], shift).unwrap(), [0x0E, b'a', 0]);
        assert!(map_local_constant_signature(&[0x08, 1], shift).is_err());
        assert!(map_local_constant_signature(&[0x0D, 0, 0, 0, 0, 0, 0, 0, 0, 5], shift).is_err());
        assert!(map_local_constant_signature(&[0x40], shift).is_err());
    }

    #[test]
    fn async_stepping_methods_are_mapped() {
        let blob = [0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 7];
        let mapped =
            map_async_stepping_methods(&blob, |t| Ok(Token::new(TableId::MethodDef, t.rid() + 0x100))).unwrap();
        assert_eq!(mapped, [0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0x81, 0x07]);
        assert!(map_async_stepping_methods(&blob[..10], Ok).is_err());
    }
}
