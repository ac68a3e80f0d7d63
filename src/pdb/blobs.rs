//! Blobs of the portable-PDB tables (Portable PDB specification): document names,
//! sequence points and import scopes.

use crate::bytes::Cursor;
use crate::error::{Error, Result};
use crate::metadata::heaps::BlobHeap;
use crate::metadata::schema::{CodedIndex, TableId};
use crate::metadata::{BlobIndex, Token};

/// Longest document name [`decode_document_name`] builds, in bytes: a Windows long path
/// (32767 UTF-16 units) in UTF-8 fits. Without a cap, a name blob of many parts each
/// naming one large blob would build a name of (parts × blob size) bytes.
pub const MAX_DOCUMENT_NAME: usize = 128 * 1024;

/// Decodes a Document name blob: a separator byte, then blob indexes of the UTF-8 parts.
/// A name longer than [`MAX_DOCUMENT_NAME`] bytes is an error.
pub fn decode_document_name(blobs: &BlobHeap<'_>, blob: &[u8]) -> Result<String> {
    let mut cur = Cursor::new(blob, "document name");
    let separator = cur.u8()?;
    if separator >= 0x80 {
        return Err(Error::malformed("document name", 0, "an ASCII separator", format_args!("{separator:#04x}")));
    }
    let mut name = Vec::new();
    let mut first = true;
    while !cur.is_empty() {
        if !first && separator != 0 {
            name.push(separator);
        }
        first = false;
        let at = cur.position();
        let part = cur.compressed_u32()?;
        let bytes = blobs.get(BlobIndex(part))?;
        if name.len() + bytes.len() > MAX_DOCUMENT_NAME {
            return Err(Error::malformed(
                "document name",
                at as u64,
                format!("a name of at most {MAX_DOCUMENT_NAME} bytes"),
                format_args!("part #Blob {part:#x} making it {} bytes", name.len() + bytes.len()),
            ));
        }
        name.extend_from_slice(bytes);
    }
    Ok(String::from_utf8_lossy(&name).into_owned())
}

/// A compressed row id of `table` read from a blob, refused past a token's 24 bits.
pub(crate) fn row_token(cur: &mut Cursor<'_>, table: TableId, what: &str) -> Result<Token> {
    let at = cur.position() as u64;
    let rid = cur.compressed_u32()?;
    Token::try_new(table, rid).map_err(|_| {
        Error::malformed(what, at, format!("a {} row id below 2^24", table.name()), format_args!("{rid:#x}"))
    })
}

/// A sequence point as System.Reflection.Metadata reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SequencePoint {
    pub document: Token,
    pub il_offset: u32,
    pub start_line: u32,
    pub start_column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl SequencePoint {
    /// The line number hidden sequence points carry.
    pub const HIDDEN_LINE: u32 = 0xFEEFEE;

    pub fn is_hidden(&self) -> bool {
        self.start_line == Self::HIDDEN_LINE
    }
}

/// The decoded SequencePoints blob of a MethodDebugInformation row.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SequencePoints {
    pub local_signature: Token,
    pub points: Vec<SequencePoint>,
}

/// Decodes a SequencePoints blob; `document` is the row's Document column (nil when
/// the blob names its initial document).
pub fn decode_sequence_points(blob: &[u8], document: Token) -> Result<SequencePoints> {
    let what = "sequence points";
    let mut cur = Cursor::new(blob, what);
    // F# writes the whole StandAloneSig token (0x11xxxxxx) here rather than a row id;
    // the table byte is dropped. Any other value past 2^24 is malformed.
    let at = cur.position() as u64;
    let raw = cur.compressed_u32()?;
    let rid = if raw >> 24 == TableId::StandAloneSig as u32 { raw & Token::MAX_RID } else { raw };
    let local_signature = Token::try_new(TableId::StandAloneSig, rid).map_err(|_| {
        Error::malformed(
            what,
            at,
            "a StandAloneSig row id below 2^24 (or an F# StandAloneSig token)",
            format_args!("{raw:#x}"),
        )
    })?;
    let mut document = if document.is_nil() { row_token(&mut cur, TableId::Document, what)? } else { document };
    let mut points = Vec::new();
    let mut il_offset = 0u32;
    let mut previous_start: Option<(u32, u32)> = None;
    let mut first = true;
    while !cur.is_empty() {
        let at = cur.position() as u64;
        let delta_il = cur.compressed_u32()?;
        if delta_il == 0 && !first {
            document = row_token(&mut cur, TableId::Document, what)?;
            continue;
        }
        il_offset = if first {
            delta_il
        } else {
            il_offset
                .checked_add(delta_il)
                .ok_or_else(|| Error::malformed(what, at, "an IL offset below 2^32", "overflow"))?
        };
        first = false;
        let delta_lines = cur.compressed_u32()?;
        let delta_columns = if delta_lines == 0 { cur.compressed_u32()? as i64 } else { cur.compressed_i32()? as i64 };
        if delta_lines == 0 && delta_columns == 0 {
            points.push(SequencePoint {
                document,
                il_offset,
                start_line: SequencePoint::HIDDEN_LINE,
                start_column: 0,
                end_line: SequencePoint::HIDDEN_LINE,
                end_column: 0,
            });
            continue;
        }
        let (start_line, start_column) = match previous_start {
            None => (cur.compressed_u32()? as i64, cur.compressed_u32()? as i64),
            Some((line, column)) => {
                (line as i64 + cur.compressed_i32()? as i64, column as i64 + cur.compressed_i32()? as i64)
            }
        };
        let end_line = start_line + delta_lines as i64;
        let end_column = start_column + delta_columns;
        let in_range = |v: i64| (0..=0x1FFF_FFFF).contains(&v);
        if !in_range(start_line) || !in_range(start_column) || !in_range(end_line) || !in_range(end_column) {
            return Err(Error::malformed(
                what,
                at,
                "lines and columns in 0..2^29",
                format_args!("{start_line}:{start_column}-{end_line}:{end_column}"),
            ));
        }
        previous_start = Some((start_line as u32, start_column as u32));
        points.push(SequencePoint {
            document,
            il_offset,
            start_line: start_line as u32,
            start_column: start_column as u32,
            end_line: end_line as u32,
            end_column: end_column as u32,
        });
    }
    Ok(SequencePoints { local_signature, points })
}

/// One import of an ImportScope (Portable PDB spec, "Imports Blob").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportDefinition {
    /// 1..=9, as in SRM's `ImportDefinitionKind`.
    pub kind: u32,
    pub alias: BlobIndex,
    pub assembly: Token,
    pub namespace: BlobIndex,
    pub target_type: Token,
}

pub fn decode_imports(blob: &[u8]) -> Result<Vec<ImportDefinition>> {
    let what = "imports";
    let mut cur = Cursor::new(blob, what);
    let mut out = Vec::new();
    while !cur.is_empty() {
        let at = cur.position() as u64;
        let kind = cur.compressed_u32()?;
        let mut import = ImportDefinition {
            kind,
            alias: BlobIndex(0),
            assembly: Token::new(TableId::AssemblyRef, 0),
            namespace: BlobIndex(0),
            target_type: Token(0),
        };
        let ty = |cur: &mut Cursor| -> Result<Token> {
            let raw = cur.compressed_u32()?;
            CodedIndex::TypeDefOrRef
                .decode(raw)
                .ok_or_else(|| Error::malformed(what, at, "a TypeDefOrRefOrSpecEncoded type", raw))
        };
        let assembly = |cur: &mut Cursor| -> Result<Token> { row_token(cur, TableId::AssemblyRef, what) };
        match kind {
            1 => import.namespace = BlobIndex(cur.compressed_u32()?),
            2 => {
                import.assembly = assembly(&mut cur)?;
                import.namespace = BlobIndex(cur.compressed_u32()?);
            }
            3 => import.target_type = ty(&mut cur)?,
            4 | 7 => {
                import.alias = BlobIndex(cur.compressed_u32()?);
                import.namespace = BlobIndex(cur.compressed_u32()?);
            }
            5 => import.alias = BlobIndex(cur.compressed_u32()?),
            6 => {
                import.alias = BlobIndex(cur.compressed_u32()?);
                import.assembly = assembly(&mut cur)?;
            }
            8 => {
                import.alias = BlobIndex(cur.compressed_u32()?);
                import.assembly = assembly(&mut cur)?;
                import.namespace = BlobIndex(cur.compressed_u32()?);
            }
            9 => {
                import.alias = BlobIndex(cur.compressed_u32()?);
                import.target_type = ty(&mut cur)?;
            }
            other => return Err(Error::malformed(what, at, "an import kind in 1..=9", other)),
        }
        out.push(import);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_signature_past_24_bits_is_refused_unless_it_is_an_fsharp_token() {
        let document = Token::try_new(TableId::Document, 1).unwrap();
        // Compressed 0x11000005 (4-byte form): F#'s whole StandAloneSig token.
        let fsharp = decode_sequence_points(&[0xD1, 0x00, 0x00, 0x05], document).unwrap();
        assert_eq!(fsharp.local_signature, Token(0x1100_0005));
        // Compressed 0x01000005: a row id past 2^24, not a token; not row 5.
        let err = decode_sequence_points(&[0xC1, 0x00, 0x00, 0x05], document).unwrap_err().to_string();
        assert!(err.contains("sequence points") && err.contains("0x1000005"), "{err}");
        let plain = decode_sequence_points(&[0x05], document).unwrap();
        assert_eq!(plain.local_signature, Token(0x1100_0005));
    }

    #[test]
    fn a_document_name_of_many_parts_naming_one_large_blob_is_bounded() {
        // #Blob: nil byte, then one 12 KiB blob at offset 1 (length 0x3000: 2-byte header).
        let mut heap = vec![0u8, 0x80 | 0x30, 0x00];
        heap.extend(std::iter::repeat_n(b'a', 0x3000));
        let blobs = BlobHeap::new(&heap);
        // '/' separator, then 1000 parts all naming blob 1: 12 MB unbounded.
        let mut name = vec![b'/'];
        name.extend(std::iter::repeat_n(1u8, 1000));
        let err = decode_document_name(&blobs, &name).unwrap_err().to_string();
        assert!(err.contains("document name") && err.contains("at most 131072 bytes"), "{err}");
        // Seven parts fit.
        let ok = decode_document_name(&blobs, &name[..8]).unwrap();
        assert_eq!(ok.len(), 7 * 0x3000 + 6);
    }
}
