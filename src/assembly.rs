//! A file opened as a .NET assembly (PE), or as a bare metadata root (standalone
//! portable PDB, `.dmeta`, `.dpdb`). The bytes are owned by [`FileBytes`]; [`Assembly`]
//! is a borrowed, zero-copy view over them.

use std::path::Path;

use crate::error::{Error, Result};
use crate::il::MethodBody;
use crate::metadata::MetadataReader;
use crate::pe::PeImage;
use crate::pe::debug::kind;

/// The bytes of a file, memory-mapped when possible.
pub enum FileBytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

/// How a file is brought into memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadMode {
    /// Copied into the process: safe to keep while the file is rebuilt in place (a
    /// long-lived session).
    Copy,
    /// Memory-mapped ([`FileBytes::open`]): no copy, for a run that ends before the
    /// file could be rebuilt. Copying 3 MB costs a one-shot run more CPU than its diff.
    Map,
}

impl FileBytes {
    pub fn open(path: &Path) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        // SAFETY: the map is read-only and private to this process; a concurrent
        // writer could change what we read, which at worst yields a format error, or
        // a SIGBUS if it truncates the file: map only for a run that ends soon after
        // ([`ReadMode`]).
        match unsafe { memmap2::Mmap::map(&file) } {
            Ok(map) => Ok(FileBytes::Mapped(map)),
            Err(_) => Self::read(path),
        }
    }

    /// The file copied into memory.
    pub fn read(path: &Path) -> Result<Self> {
        std::fs::read(path).map(FileBytes::Owned).map_err(|e| Error::io(path, e))
    }

    /// Opens `path` as `mode` says.
    pub fn load(path: &Path, mode: ReadMode) -> Result<Self> {
        match mode {
            ReadMode::Copy => Self::read(path),
            ReadMode::Map => Self::open(path),
        }
    }
}

impl std::fmt::Debug for FileBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if matches!(self, FileBytes::Mapped(_)) { "Mapped" } else { "Owned" };
        write!(f, "FileBytes::{kind}({} bytes)", self.len())
    }
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(m) => m,
            FileBytes::Owned(v) => v,
        }
    }
}

/// An assembly or metadata file.
#[derive(Clone, Debug)]
pub struct Assembly<'a> {
    /// `None` when the file is a bare metadata root.
    pub pe: Option<PeImage<'a>>,
    pub metadata: MetadataReader<'a>,
}

impl<'a> Assembly<'a> {
    /// Opens PE images (`MZ`) and bare metadata roots (`BSJB`).
    pub fn parse(data: &'a [u8]) -> Result<Self> {
        if data.starts_with(b"MZ") {
            let pe = PeImage::parse(data)?;
            let metadata = MetadataReader::parse(pe.metadata()?)?;
            Ok(Assembly { pe: Some(pe), metadata })
        } else if data.starts_with(b"BSJB") {
            Ok(Assembly { pe: None, metadata: MetadataReader::parse(data)? })
        } else {
            Err(Error::malformed(
                "file",
                0,
                "a PE image (MZ) or a metadata root (BSJB)",
                format_args!("{:02x?}", &data[..data.len().min(4)]),
            ))
        }
    }

    /// The body of the method at `rva`.
    /// The initial data of a field with an RVA: as many bytes as its type
    /// (`signature`) holds, a primitive or a value type with an explicit size.
    pub fn field_data(&self, rva: u32, signature: crate::metadata::BlobIndex) -> Result<&'a [u8]> {
        use crate::metadata::schema::{ClassLayoutRow, TableId};
        use crate::metadata::signature::{Signature, TypeSig};
        let md = &self.metadata;
        let size = match Signature::decode_any(md.blob(signature)?)? {
            Signature::Field(TypeSig::Primitive(code)) => match code {
                0x02 | 0x04 | 0x05 => 1, // bool, i1, u1
                0x03 | 0x06 | 0x07 => 2, // char, i2, u2
                0x08 | 0x09 | 0x0C => 4, // i4, u4, r4
                0x0A | 0x0B | 0x0D => 8, // i8, u8, r8
                _ => 0,
            },
            Signature::Field(TypeSig::ValueType(t)) if t.table() == Some(TableId::TypeDef) => {
                match md.find_row(TableId::ClassLayout, 2, t.rid())? {
                    Some(layout) => md.row::<ClassLayoutRow>(layout)?.class_size,
                    None => 0,
                }
            }
            _ => 0,
        };
        if size == 0 {
            return Err(Error::Invalid(format!(
                "field data at RVA {rva:#x}: its type has no size emit-delta can tell (a primitive or a value type of this assembly with an explicit size)"
            )));
        }
        let pe = self.pe.as_ref().ok_or_else(|| Error::Invalid("field data needs a PE image".into()))?;
        let rest = pe.rest_at_rva(rva, "field data")?;
        rest.get(..size as usize).ok_or_else(|| {
            Error::malformed(
                "field data",
                None,
                format!("{size} bytes at RVA {rva:#x}"),
                format_args!("{} bytes", rest.len()),
            )
        })
    }

    pub fn method_body(&self, rva: u32) -> Result<MethodBody<'a>> {
        let pe = self.pe.as_ref().ok_or_else(|| Error::Invalid("method bodies live in a PE image".into()))?;
        MethodBody::parse(pe.rest_at_rva(rva, "method body")?).map_err(|e| match e {
            Error::Truncated { what, offset, needed, available } => {
                Error::Truncated { what: format!("{what} at RVA {rva:#x}"), offset, needed, available }
            }
            Error::Malformed { what, offset, expected, found } => {
                Error::Malformed { what: format!("{what} at RVA {rva:#x}"), offset, expected, found }
            }
            other => other,
        })
    }

    /// The decompressed embedded portable PDB, if the PE has one.
    pub fn embedded_pdb(&self) -> Result<Option<Vec<u8>>> {
        let Some(pe) = &self.pe else { return Ok(None) };
        for entry in pe.debug_entries()? {
            if entry.kind == kind::EMBEDDED_PORTABLE_PDB {
                return entry.embedded_pdb(pe).map(Some);
            }
        }
        Ok(None)
    }
}
