//! ECMA-335 II.23.2 compressed integers, used by blob lengths, signatures and the
//! portable-PDB blobs. Reading returns `None` on a bad lead byte or short input.

/// Largest value a compressed unsigned integer can hold.
pub const MAX_UNSIGNED: u32 = 0x1FFF_FFFF;
/// Range of a compressed signed integer.
pub const MIN_SIGNED: i32 = -(1 << 28);
pub const MAX_SIGNED: i32 = (1 << 28) - 1;

/// Decodes an unsigned value; returns it with the number of bytes it took.
pub fn read_unsigned(data: &[u8]) -> Option<(u32, usize)> {
    let b0 = *data.first()? as u32;
    if b0 & 0x80 == 0 {
        Some((b0, 1))
    } else if b0 & 0xC0 == 0x80 {
        let b1 = *data.get(1)? as u32;
        Some((((b0 & 0x3F) << 8) | b1, 2))
    } else if b0 & 0xE0 == 0xC0 {
        let rest = data.get(1..4)?;
        Some((((b0 & 0x1F) << 24) | (rest[0] as u32) << 16 | (rest[1] as u32) << 8 | rest[2] as u32, 4))
    } else {
        None
    }
}

/// Decodes a signed value (the sign is carried in the low bit of the rotated form).
pub fn read_signed(data: &[u8]) -> Option<(i32, usize)> {
    let (raw, len) = read_unsigned(data)?;
    let mut value = (raw >> 1) as i32;
    if raw & 1 != 0 {
        value |= match len {
            1 => 0xFFFF_FFC0u32 as i32,
            2 => 0xFFFF_E000u32 as i32,
            _ => 0xF000_0000u32 as i32,
        };
    }
    Some((value, len))
}

/// Appends the shortest encoding of `value`; `None` when it exceeds [`MAX_UNSIGNED`].
pub fn write_unsigned(out: &mut Vec<u8>, value: u32) -> Option<()> {
    match value {
        0..=0x7F => out.push(value as u8),
        0x80..=0x3FFF => out.extend_from_slice(&((value as u16) | 0x8000).to_be_bytes()),
        0x4000..=MAX_UNSIGNED => out.extend_from_slice(&(value | 0xC000_0000).to_be_bytes()),
        _ => return None,
    }
    Some(())
}

/// Appends the shortest encoding of a signed `value`; `None` when out of range.
pub fn write_signed(out: &mut Vec<u8>, value: i32) -> Option<()> {
    let sign = (value < 0) as u32;
    let rotated = |mask: u32| ((value as u32) << 1) & mask | sign;
    match value {
        -64..=63 => out.push(rotated(0x7F) as u8),
        -8192..=8191 => out.extend_from_slice(&((rotated(0x3FFF) as u16) | 0x8000).to_be_bytes()),
        MIN_SIGNED..=MAX_SIGNED => out.extend_from_slice(&(rotated(0x1FFF_FFFF) | 0xC000_0000).to_be_bytes()),
        _ => return None,
    }
    Some(())
}

/// Size in bytes of the shortest encoding of `value`.
pub fn unsigned_len(value: u32) -> usize {
    match value {
        0..=0x7F => 1,
        0x80..=0x3FFF => 2,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecma_examples() {
        // The examples of ECMA-335 II.23.2.
        for (value, bytes) in [
            (0x03u32, &[0x03u8][..]),
            (0x7F, &[0x7F]),
            (0x80, &[0x80, 0x80]),
            (0x2E57, &[0xAE, 0x57]),
            (0x3FFF, &[0xBF, 0xFF]),
            (0x4000, &[0xC0, 0x00, 0x40, 0x00]),
            (0x1FFF_FFFF, &[0xDF, 0xFF, 0xFF, 0xFF]),
        ] {
            let mut out = Vec::new();
            write_unsigned(&mut out, value).unwrap();
            assert_eq!(out, bytes, "encode {value:#x}");
            assert_eq!(read_unsigned(bytes), Some((value, bytes.len())));
        }
        for (value, bytes) in [
            (3i32, &[0x06u8][..]),
            (-3, &[0x7B]),
            (64, &[0x80, 0x80]),
            (-64, &[0x01]),
            (8192, &[0xC0, 0x00, 0x40, 0x00]),
            (-8193, &[0xDF, 0xFF, 0xBF, 0xFF]),
            (268435455, &[0xDF, 0xFF, 0xFF, 0xFE]),
            (-268435456, &[0xC0, 0x00, 0x00, 0x01]),
        ] {
            let mut out = Vec::new();
            write_signed(&mut out, value).unwrap();
            assert_eq!(out, bytes, "encode {value}");
            assert_eq!(read_signed(bytes), Some((value, bytes.len())));
        }
    }

    #[test]
    fn rejects_bad_lead_and_short_input() {
        assert_eq!(read_unsigned(&[0xE0]), None);
        assert_eq!(read_unsigned(&[0x80]), None);
        assert_eq!(read_unsigned(&[0xC0, 0, 0]), None);
        assert_eq!(read_unsigned(&[]), None);
        assert!(write_unsigned(&mut Vec::new(), 0x2000_0000).is_none());
    }
}
