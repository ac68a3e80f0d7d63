//! The PE container: section table, CLI header and debug directory. Parsing of the
//! PE headers is done by the `object` crate; this module maps RVAs and reads the
//! .NET-specific directories.

pub mod debug;

use object::LittleEndian as LE;
use object::pe;
use object::read::pe::ImageNtHeaders;

use crate::bytes::Cursor;
use crate::error::{Error, Result};

pub use debug::{CodeView, DebugEntry, PdbChecksum};

/// A data directory entry: an RVA and a size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DataDirectory {
    pub rva: u32,
    pub size: u32,
}

/// A section header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    pub virtual_address: u32,
    pub virtual_size: u32,
    pub raw_pointer: u32,
    pub raw_size: u32,
}

/// The CLI header (ECMA-335 II.25.3.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CliHeader {
    pub major_runtime_version: u16,
    pub minor_runtime_version: u16,
    pub metadata: DataDirectory,
    pub flags: u32,
    pub entry_point: u32,
    pub resources: DataDirectory,
    pub strong_name_signature: DataDirectory,
}

/// A PE image held as a byte slice.
#[derive(Clone, Debug)]
pub struct PeImage<'a> {
    pub data: &'a [u8],
    pub is_pe64: bool,
    pub sections: Vec<Section>,
    /// `None` for a PE without managed code.
    pub cli: Option<CliHeader>,
    pub debug_directory: DataDirectory,
}

fn dir(d: &pe::ImageDataDirectory) -> DataDirectory {
    DataDirectory { rva: d.virtual_address.get(LE), size: d.size.get(LE) }
}

impl<'a> PeImage<'a> {
    pub fn parse(data: &'a [u8]) -> Result<Self> {
        let container = |e: object::Error| Error::malformed("PE headers", None, "a valid PE image", e);
        match object::read::pe::optional_header_magic(data).map_err(container)? {
            pe::IMAGE_NT_OPTIONAL_HDR32_MAGIC => Self::parse_with::<pe::ImageNtHeaders32>(data, false),
            pe::IMAGE_NT_OPTIONAL_HDR64_MAGIC => Self::parse_with::<pe::ImageNtHeaders64>(data, true),
            magic => {
                Err(Error::malformed("PE optional header", None, "magic 0x10b or 0x20b", format_args!("{magic:#x}")))
            }
        }
    }

    fn parse_with<H: ImageNtHeaders>(data: &'a [u8], is_pe64: bool) -> Result<Self> {
        let container = |e: object::Error| Error::malformed("PE headers", None, "a valid PE image", e);
        let dos = pe::ImageDosHeader::parse(data).map_err(container)?;
        let mut offset = dos.nt_headers_offset().into();
        let (nt, directories) = H::parse(data, &mut offset).map_err(container)?;
        let table = nt.sections(data, offset).map_err(container)?;
        let sections = table
            .iter()
            .map(|s| Section {
                name: String::from_utf8_lossy(s.raw_name()).into_owned(),
                virtual_address: s.virtual_address.get(LE),
                virtual_size: s.virtual_size.get(LE),
                raw_pointer: s.pointer_to_raw_data.get(LE),
                raw_size: s.size_of_raw_data.get(LE),
            })
            .collect();
        let debug_directory = directories.get(pe::IMAGE_DIRECTORY_ENTRY_DEBUG).map(dir).unwrap_or_default();
        let cli_dir = directories.get(pe::IMAGE_DIRECTORY_ENTRY_COM_DESCRIPTOR).map(dir).unwrap_or_default();
        let mut image = PeImage { data, is_pe64, sections, cli: None, debug_directory };
        if cli_dir.rva != 0 {
            image.cli = Some(image.read_cli_header(cli_dir)?);
        }
        Ok(image)
    }

    fn read_cli_header(&self, at: DataDirectory) -> Result<CliHeader> {
        let bytes = self.slice_at_rva(at.rva, 72, "CLI header")?;
        let mut cur = Cursor::new(bytes, "CLI header");
        let _cb = cur.u32()?;
        let major_runtime_version = cur.u16()?;
        let minor_runtime_version = cur.u16()?;
        let directory =
            |cur: &mut Cursor| -> Result<DataDirectory> { Ok(DataDirectory { rva: cur.u32()?, size: cur.u32()? }) };
        let metadata = directory(&mut cur)?;
        let flags = cur.u32()?;
        let entry_point = cur.u32()?;
        let resources = directory(&mut cur)?;
        let strong_name_signature = directory(&mut cur)?;
        Ok(CliHeader {
            major_runtime_version,
            minor_runtime_version,
            metadata,
            flags,
            entry_point,
            resources,
            strong_name_signature,
        })
    }

    /// The section containing `rva` (by virtual extent, as SRM's PEReader maps it).
    pub fn section_of(&self, rva: u32) -> Option<&Section> {
        self.sections.iter().find(|s| rva >= s.virtual_address && rva - s.virtual_address < s.virtual_size)
    }

    /// The file offset of `rva` and how many bytes of its section the file holds from there.
    pub fn rva_to_offset(&self, rva: u32) -> Option<(usize, usize)> {
        let s = self.section_of(rva)?;
        let relative = rva - s.virtual_address;
        let in_file = s.raw_size.min(s.virtual_size);
        if relative >= in_file {
            return None;
        }
        let offset = s.raw_pointer as usize + relative as usize;
        if offset > self.data.len() {
            // The section's raw data lies (partly) past the end of the file.
            return None;
        }
        let available = ((in_file - relative) as usize).min(self.data.len().saturating_sub(offset));
        Some((offset, available))
    }

    /// `len` bytes at `rva`; an error naming `what` when they are not in the file.
    pub fn slice_at_rva(&self, rva: u32, len: usize, what: &str) -> Result<&'a [u8]> {
        let (offset, available) = self.rva_to_offset(rva).ok_or_else(|| {
            Error::malformed(what, None, "an RVA inside a section with file data", format_args!("RVA {rva:#x}"))
        })?;
        if len > available {
            return Err(Error::Truncated {
                what: what.to_string(),
                offset: offset as u64,
                needed: len as u64,
                available: available as u64,
            });
        }
        Ok(&self.data[offset..offset + len])
    }

    /// Everything the file holds from `rva` to the end of its section.
    pub fn rest_at_rva(&self, rva: u32, what: &str) -> Result<&'a [u8]> {
        let (offset, available) = self.rva_to_offset(rva).ok_or_else(|| {
            Error::malformed(what, None, "an RVA inside a section with file data", format_args!("RVA {rva:#x}"))
        })?;
        Ok(&self.data[offset..offset + available])
    }

    /// The metadata block the CLI header points at.
    pub fn metadata(&self) -> Result<&'a [u8]> {
        let cli = self.cli.ok_or_else(|| Error::malformed("PE", None, "a CLI header (a .NET assembly)", "none"))?;
        self.slice_at_rva(cli.metadata.rva, cli.metadata.size as usize, "metadata")
    }

    /// The entries of the debug directory.
    pub fn debug_entries(&self) -> Result<Vec<DebugEntry>> {
        debug::read_entries(self)
    }
}
