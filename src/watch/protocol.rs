//! The watcher ↔ agent wire format (docs/watch-protocol.md): frames of a 4-byte
//! little-endian length, a 1-byte kind and a payload; the payload is a 4-byte LE header
//! length, a UTF-8 JSON header, and raw byte sections whose lengths the header lists.
//! Every frame is checked (size cap, kind, version, section lengths) before use.

use std::io::{Read, Write};

use serde::{Deserialize, Serialize};

pub const VERSION: u32 = 1;
/// The largest frame either side accepts (kind + payload).
pub const MAX_FRAME: usize = 64 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    Hello = 1,
    Update = 2,
    Result = 3,
}

impl Kind {
    fn from_byte(b: u8) -> Option<Kind> {
        match b {
            1 => Some(Kind::Hello),
            2 => Some(Kind::Update),
            3 => Some(Kind::Result),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    #[error("agent connection: {0}")]
    Io(#[from] std::io::Error),
    #[error("message of {0} bytes is outside 5..={MAX_FRAME}")]
    Size(usize),
    #[error("message kind {0} is unknown")]
    UnknownKind(u8),
    #[error("expected a {expected:?} message, got {got:?}")]
    WrongKind { expected: Kind, got: Kind },
    #[error("{0:?} message: {1}")]
    Malformed(Kind, String),
    #[error("{0:?} message: protocol version {1}, this watcher speaks {VERSION}")]
    Version(Kind, u32),
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LoadedAssembly {
    pub name: Option<String>,
    pub mvid: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Hello {
    pub version: u32,
    pub pid: u32,
    pub capabilities: String,
    #[serde(default)]
    pub supported: bool,
    #[serde(default)]
    pub assemblies: Vec<LoadedAssembly>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct UpdateHeader {
    pub version: u32,
    pub mvid: String,
    pub generation: u32,
    /// TypeDef tokens (as integers) of the updated types.
    pub updated_types: Vec<u32>,
    /// Lengths of the .dmeta, .dil and .dpdb sections that follow the header.
    pub sections: Vec<u32>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ApplyResult {
    pub version: u32,
    pub ok: bool,
    #[serde(default)]
    pub error: Option<String>,
    /// The assembly was not loaded yet; the agent applies it when it loads.
    #[serde(default)]
    pub deferred: bool,
    #[serde(default)]
    pub apply_ms: f64,
    #[serde(default)]
    pub handler_errors: Vec<String>,
}

/// One decoded frame: its kind, the JSON header, the sections after it.
#[derive(Debug)]
pub struct Frame {
    pub kind: Kind,
    pub header: Vec<u8>,
    pub sections: Vec<u8>,
}

pub fn encode(kind: Kind, header: &[u8], sections: &[&[u8]]) -> Result<Vec<u8>, ProtocolError> {
    let body: usize = 1 + 4 + header.len() + sections.iter().map(|s| s.len()).sum::<usize>();
    if body > MAX_FRAME {
        return Err(ProtocolError::Size(body));
    }
    let mut out = Vec::with_capacity(4 + body);
    out.extend_from_slice(&(body as u32).to_le_bytes());
    out.push(kind as u8);
    out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    out.extend_from_slice(header);
    for s in sections {
        out.extend_from_slice(s);
    }
    Ok(out)
}

/// Splits the bytes after the length prefix into kind, header, sections.
pub fn decode_body(body: &[u8]) -> Result<Frame, ProtocolError> {
    if body.len() < 5 || body.len() > MAX_FRAME {
        return Err(ProtocolError::Size(body.len()));
    }
    let kind = Kind::from_byte(body[0]).ok_or(ProtocolError::UnknownKind(body[0]))?;
    let header_len = u32::from_le_bytes([body[1], body[2], body[3], body[4]]) as usize;
    let rest = &body[5..];
    if header_len > rest.len() {
        return Err(ProtocolError::Malformed(
            kind,
            format!("header length {header_len} exceeds the {} bytes left", rest.len()),
        ));
    }
    Ok(Frame { kind, header: rest[..header_len].to_vec(), sections: rest[header_len..].to_vec() })
}

pub fn read_frame(r: &mut impl Read) -> Result<Frame, ProtocolError> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let len = u32::from_le_bytes(len) as usize;
    if !(5..=MAX_FRAME).contains(&len) {
        return Err(ProtocolError::Size(len));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body)?;
    decode_body(&body)
}

fn header<T: for<'de> Deserialize<'de>>(frame: &Frame, expected: Kind) -> Result<T, ProtocolError> {
    if frame.kind != expected {
        return Err(ProtocolError::WrongKind { expected, got: frame.kind });
    }
    let value: serde_json::Value = serde_json::from_slice(&frame.header)
        .map_err(|e| ProtocolError::Malformed(expected, format!("header is not JSON: {e}")))?;
    let version = value
        .get("version")
        .and_then(|v| v.as_u64())
        .ok_or_else(|| ProtocolError::Malformed(expected, "header has no numeric `version`".to_string()))?;
    if version != u64::from(VERSION) {
        return Err(ProtocolError::Version(expected, version.min(u64::from(u32::MAX)) as u32));
    }
    serde_json::from_value(value).map_err(|e| ProtocolError::Malformed(expected, e.to_string()))
}

pub fn parse_hello(frame: &Frame) -> Result<Hello, ProtocolError> {
    let hello: Hello = header(frame, Kind::Hello)?;
    if !frame.sections.is_empty() {
        return Err(ProtocolError::Malformed(Kind::Hello, format!("{} unexpected bytes", frame.sections.len())));
    }
    Ok(hello)
}

pub fn parse_result(frame: &Frame) -> Result<ApplyResult, ProtocolError> {
    let result: ApplyResult = header(frame, Kind::Result)?;
    if !frame.sections.is_empty() {
        return Err(ProtocolError::Malformed(Kind::Result, format!("{} unexpected bytes", frame.sections.len())));
    }
    if !result.ok && result.error.is_none() {
        return Err(ProtocolError::Malformed(Kind::Result, "failure without `error`".to_string()));
    }
    Ok(result)
}

/// The update header and its three sections, checked.
pub fn parse_update(frame: &Frame) -> Result<(UpdateHeader, [Vec<u8>; 3]), ProtocolError> {
    let h: UpdateHeader = header(frame, Kind::Update)?;
    if h.sections.len() != 3 {
        return Err(ProtocolError::Malformed(
            Kind::Update,
            format!("expected 3 sections (dmeta, dil, dpdb), got {}", h.sections.len()),
        ));
    }
    let total: usize = h.sections.iter().map(|&n| n as usize).sum();
    if total != frame.sections.len() {
        return Err(ProtocolError::Malformed(
            Kind::Update,
            format!("sections add up to {total} bytes, the message has {}", frame.sections.len()),
        ));
    }
    let mut at = 0;
    let parts = [0, 1, 2].map(|i| {
        let n = h.sections[i] as usize;
        let part = frame.sections[at..at + n].to_vec();
        at += n;
        part
    });
    Ok((h, parts))
}

pub fn write_update(
    w: &mut impl Write,
    mvid: &str,
    generation: u32,
    updated_types: &[u32],
    dmeta: &[u8],
    dil: &[u8],
    dpdb: &[u8],
) -> Result<(), ProtocolError> {
    let header = UpdateHeader {
        version: VERSION,
        mvid: mvid.to_string(),
        generation,
        updated_types: updated_types.to_vec(),
        sections: vec![dmeta.len() as u32, dil.len() as u32, dpdb.len() as u32],
    };
    let json = serde_json::to_vec(&header).map_err(|e| ProtocolError::Malformed(Kind::Update, e.to_string()))?;
    let frame = encode(Kind::Update, &json, &[dmeta, dil, dpdb])?;
    w.write_all(&frame)?;
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello_json(version: u32) -> Vec<u8> {
        format!(
            r#"{{"version":{version},"pid":42,"capabilities":"Baseline","assemblies":[{{"name":"App","mvid":"m"}}]}}"#
        )
        .into_bytes()
    }

    #[test]
    fn hello_round_trips() {
        let frame = encode(Kind::Hello, &hello_json(VERSION), &[]).unwrap();
        let f = read_frame(&mut frame.as_slice()).unwrap();
        let h = parse_hello(&f).unwrap();
        assert_eq!(h.pid, 42);
        assert_eq!(h.capabilities, "Baseline");
        assert_eq!(h.assemblies[0].mvid, "m");
    }

    #[test]
    fn update_round_trips() {
        let mut buf = Vec::new();
        write_update(&mut buf, "abc", 3, &[0x0200_0002], b"meta", b"il", b"").unwrap();
        let f = read_frame(&mut buf.as_slice()).unwrap();
        let (h, [m, i, p]) = parse_update(&f).unwrap();
        assert_eq!((h.mvid.as_str(), h.generation, h.updated_types), ("abc", 3, vec![0x0200_0002]));
        assert_eq!((m.as_slice(), i.as_slice(), p.as_slice()), (&b"meta"[..], &b"il"[..], &b""[..]));
    }

    #[test]
    fn wrong_version_is_named() {
        let frame = encode(Kind::Hello, &hello_json(7), &[]).unwrap();
        let err = parse_hello(&read_frame(&mut frame.as_slice()).unwrap()).unwrap_err();
        assert!(err.to_string().contains("protocol version 7"), "{err}");
    }

    #[test]
    fn oversized_length_is_refused_before_reading() {
        let mut bytes = ((MAX_FRAME + 1) as u32).to_le_bytes().to_vec();
        bytes.push(1);
        let err = read_frame(&mut bytes.as_slice()).unwrap_err();
        assert!(matches!(err, ProtocolError::Size(n) if n == MAX_FRAME + 1), "{err}");
        assert!(encode(Kind::Update, b"{}", &[&vec![0u8; MAX_FRAME]]).is_err());
    }

    #[test]
    fn malformed_frames_are_errors() {
        // too short
        assert!(matches!(read_frame(&mut &[2u8, 0, 0, 0, 1, 0][..]), Err(ProtocolError::Size(2))));
        // unknown kind
        let mut f = encode(Kind::Hello, b"{}", &[]).unwrap();
        f[4] = 9;
        assert!(matches!(read_frame(&mut f.as_slice()), Err(ProtocolError::UnknownKind(9))));
        // header length beyond the frame
        let mut f = encode(Kind::Hello, b"{}", &[]).unwrap();
        f[5] = 200;
        assert!(matches!(read_frame(&mut f.as_slice()), Err(ProtocolError::Malformed(Kind::Hello, _))));
        // truncated stream
        let f = encode(Kind::Hello, &hello_json(VERSION), &[]).unwrap();
        assert!(matches!(read_frame(&mut &f[..f.len() - 1]), Err(ProtocolError::Io(_))));
        // not JSON
        let f = encode(Kind::Hello, b"{nope", &[]).unwrap();
        let err = parse_hello(&read_frame(&mut f.as_slice()).unwrap()).unwrap_err();
        assert!(err.to_string().contains("not JSON"), "{err}");
        // missing field
        let f = encode(Kind::Hello, br#"{"version":1}"#, &[]).unwrap();
        assert!(parse_hello(&read_frame(&mut f.as_slice()).unwrap()).is_err());
        // wrong kind
        let f = encode(Kind::Result, br#"{"version":1,"ok":true}"#, &[]).unwrap();
        let err = parse_hello(&read_frame(&mut f.as_slice()).unwrap()).unwrap_err();
        assert!(matches!(err, ProtocolError::WrongKind { .. }), "{err}");
        // failure without error text
        let f = encode(Kind::Result, br#"{"version":1,"ok":false}"#, &[]).unwrap();
        assert!(parse_result(&read_frame(&mut f.as_slice()).unwrap()).is_err());
        // section lengths that do not add up
        let h = br#"{"version":1,"mvid":"m","generation":1,"updated_types":[],"sections":[4,0,0]}"#;
        let f = encode(Kind::Update, h, &[b"abc"]).unwrap();
        let err = parse_update(&read_frame(&mut f.as_slice()).unwrap()).unwrap_err();
        assert!(err.to_string().contains("add up to 4"), "{err}");
    }

    #[test]
    fn result_parses() {
        let f = encode(Kind::Result, br#"{"version":1,"ok":false,"error":"boom","apply_ms":2.5}"#, &[]).unwrap();
        let r = parse_result(&read_frame(&mut f.as_slice()).unwrap()).unwrap();
        assert_eq!((r.ok, r.error.as_deref(), r.apply_ms), (false, Some("boom"), 2.5));
    }
}
