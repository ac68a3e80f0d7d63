//! Property tests of the reader foundation: compressed integers, signature trees,
//! heap bounds, and the canonical dump on hostile input.

use emit_delta::dump::canonical::canonical_dump;
use emit_delta::metadata::compressed::{
    MAX_SIGNED, MAX_UNSIGNED, MIN_SIGNED, read_signed, read_unsigned, unsigned_len, write_signed, write_unsigned,
};
use emit_delta::metadata::heaps::{BlobHeap, GuidHeap, StringHeap, UserStringHeap};
use emit_delta::metadata::signature::{ArraySig, MethodSig, Signature, TypeSig, decode_type, element, encode, header};
use emit_delta::metadata::{BlobIndex, GuidIndex, StringIndex, TableId, Token, UserStringIndex};
use proptest::prelude::*;

/// `cases` cases (or `PROPTEST_CASES` when set, for longer runs), without writing
/// `.proptest-regressions` files next to the tests.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(cases);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

// ---------------------------------------------------------------------------------
// Compressed integers
// ---------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn unsigned_round_trips(value in 0u32..=MAX_UNSIGNED) {
        let mut out = Vec::new();
        prop_assert!(write_unsigned(&mut out, value).is_some());
        prop_assert_eq!(out.len(), unsigned_len(value));
        prop_assert_eq!(read_unsigned(&out), Some((value, out.len())));
        // Trailing bytes are not consumed.
        out.extend_from_slice(&[0xFF, 0x00]);
        prop_assert_eq!(read_unsigned(&out), Some((value, unsigned_len(value))));
    }

    #[test]
    fn unsigned_rejects_out_of_range(value in (MAX_UNSIGNED + 1)..=u32::MAX) {
        let mut out = Vec::new();
        prop_assert!(write_unsigned(&mut out, value).is_none());
        prop_assert!(out.is_empty());
    }

    #[test]
    fn signed_round_trips(value in MIN_SIGNED..=MAX_SIGNED) {
        let mut out = Vec::new();
        prop_assert!(write_signed(&mut out, value).is_some());
        let expected_len = match value {
            -64..=63 => 1,
            -8192..=8191 => 2,
            _ => 4,
        };
        prop_assert_eq!(out.len(), expected_len);
        prop_assert_eq!(read_signed(&out), Some((value, out.len())));
    }

    #[test]
    fn signed_rejects_out_of_range(value in prop_oneof![i32::MIN..MIN_SIGNED, (MAX_SIGNED + 1)..=i32::MAX]) {
        prop_assert!(write_signed(&mut Vec::new(), value).is_none());
    }

    /// Canonical encodings (the encoder's output) decode and re-encode to themselves.
    #[test]
    fn canonical_bytes_decode_then_encode_to_themselves(value in 0u32..=MAX_UNSIGNED, tail in prop::collection::vec(any::<u8>(), 0..4)) {
        let mut canonical = Vec::new();
        write_unsigned(&mut canonical, value).unwrap();
        let mut input = canonical.clone();
        input.extend_from_slice(&tail);
        let (decoded, n) = read_unsigned(&input).unwrap();
        prop_assert_eq!(&input[..n], &canonical[..]);
        let mut again = Vec::new();
        write_unsigned(&mut again, decoded).unwrap();
        prop_assert_eq!(again, canonical);
    }

    /// Any byte string: decoding never reads past the input, and when the decoded
    /// form is canonical, re-encoding gives exactly the bytes that were consumed.
    #[test]
    fn arbitrary_bytes_decode_consistently(input in prop::collection::vec(any::<u8>(), 0..6)) {
        if let Some((value, n)) = read_unsigned(&input) {
            prop_assert!(n <= input.len());
            prop_assert!(value <= MAX_UNSIGNED);
            let mut again = Vec::new();
            write_unsigned(&mut again, value).unwrap();
            if again.len() == n {
                prop_assert_eq!(&again[..], &input[..n]);
            } else {
                // A non-canonical (over-long) form: the encoder picks a shorter one.
                prop_assert!(again.len() < n);
            }
        }
        if let Some((value, n)) = read_signed(&input) {
            prop_assert!(n <= input.len());
            prop_assert!((MIN_SIGNED..=MAX_SIGNED).contains(&value));
        }
    }
}

// ---------------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------------

/// Element types that stand alone (no operands).
const PRIMITIVES: &[u8] = &[
    element::VOID,
    element::BOOLEAN,
    element::CHAR,
    element::I1,
    element::U1,
    element::I2,
    element::U2,
    element::I4,
    element::U4,
    element::I8,
    element::U8,
    element::R4,
    element::R8,
    element::STRING,
    element::TYPEDBYREF,
    element::I,
    element::U,
    element::OBJECT,
];

fn type_token() -> impl Strategy<Value = Token> {
    (prop::sample::select(&[TableId::TypeDef, TableId::TypeRef, TableId::TypeSpec][..]), 0u32..(1 << 20))
        .prop_map(|(table, rid)| Token::new(table, rid))
}

/// The generic type of a GENERICINST is a TypeDef or TypeRef (ECMA-335 II.23.2.12);
/// the decoder rejects a TypeSpec there.
fn generic_type_token() -> impl Strategy<Value = Token> {
    (prop::sample::select(&[TableId::TypeDef, TableId::TypeRef][..]), 0u32..(1 << 20))
        .prop_map(|(table, rid)| Token::new(table, rid))
}

fn small_u32() -> impl Strategy<Value = u32> {
    prop_oneof![0u32..0x80, 0x80u32..0x4000, 0x4000u32..=MAX_UNSIGNED]
}

fn leaf_type() -> impl Strategy<Value = TypeSig> {
    prop_oneof![
        prop::sample::select(PRIMITIVES).prop_map(TypeSig::Primitive),
        type_token().prop_map(TypeSig::Class),
        type_token().prop_map(TypeSig::ValueType),
        small_u32().prop_map(TypeSig::Var),
        small_u32().prop_map(TypeSig::MVar),
    ]
}

/// Headers a method (or function pointer) signature may carry; `generic_count` is only
/// encoded when the GENERIC flag is set, so non-generic headers must carry 0.
fn method_header() -> impl Strategy<Value = u8> {
    prop::sample::select(
        &[
            0x00u8, // default
            0x20,   // instance
            0x60,   // explicit this
            0x01,   // C
            0x02,   // stdcall
            0x03,   // thiscall
            0x04,   // fastcall
            0x09,   // unmanaged
            0x10,   // generic
            0x30,   // generic instance
        ][..],
    )
}

fn method_sig_with(ty: BoxedStrategy<TypeSig>) -> impl Strategy<Value = MethodSig> {
    let plain = (method_header(), 1u32..0x5000, ty.clone(), prop::collection::vec(ty.clone(), 0..4)).prop_map(
        |(header_byte, count, ret, params)| {
            let generic_count = if header_byte & header::GENERIC != 0 { count } else { 0 };
            MethodSig { header: header_byte, generic_count, ret, params, sentinel: None }
        },
    );
    // A vararg call site: the sentinel sits before one of the parameters.
    let vararg = (ty.clone(), prop::collection::vec(ty, 1..4), any::<prop::sample::Index>(), any::<bool>()).prop_map(
        |(ret, params, at, has_sentinel)| {
            let sentinel = has_sentinel.then(|| at.index(params.len()) as u32);
            MethodSig { header: header::VARARG | 0x20, generic_count: 0, ret, params, sentinel }
        },
    );
    prop_oneof![3 => plain, 1 => vararg]
}

fn type_sig() -> BoxedStrategy<TypeSig> {
    leaf_type()
        .prop_recursive(4, 48, 4, |inner| {
            prop_oneof![
                inner.clone().prop_map(|t| TypeSig::Ptr(Box::new(t))),
                inner.clone().prop_map(|t| TypeSig::ByRef(Box::new(t))),
                inner.clone().prop_map(|t| TypeSig::SzArray(Box::new(t))),
                inner.clone().prop_map(|t| TypeSig::Pinned(Box::new(t))),
                (any::<bool>(), type_token(), inner.clone()).prop_map(|(required, modifier, t)| {
                    TypeSig::Modified { required, modifier, inner: Box::new(t) }
                }),
                (any::<bool>(), generic_type_token(), prop::collection::vec(inner.clone(), 1..4))
                    .prop_map(|(value_type, generic, args)| TypeSig::GenericInst { value_type, generic, args }),
                (
                    inner.clone(),
                    1u32..=4,
                    prop::collection::vec(small_u32(), 0..4),
                    prop::collection::vec(MIN_SIGNED..=MAX_SIGNED, 0..4)
                )
                    .prop_map(|(element, rank, mut sizes, mut lower_bounds)| {
                        sizes.truncate(rank as usize);
                        lower_bounds.truncate(rank as usize);
                        TypeSig::Array(Box::new(ArraySig { element, rank, sizes, lower_bounds }))
                    }),
                method_sig_with(inner).prop_map(|m| TypeSig::FnPtr(Box::new(m))),
            ]
        })
        .boxed()
}

fn signature() -> impl Strategy<Value = Signature> {
    let property =
        (any::<bool>(), type_sig(), prop::collection::vec(type_sig(), 0..4)).prop_map(|(has_this, ret, params)| {
            let header_byte = header::PROPERTY | if has_this { header::HAS_THIS } else { 0 };
            Signature::Property(MethodSig { header: header_byte, generic_count: 0, ret, params, sentinel: None })
        });
    prop_oneof![
        type_sig().prop_map(Signature::Field),
        method_sig_with(type_sig()).prop_map(Signature::Method),
        property,
        prop::collection::vec(type_sig(), 0..5).prop_map(Signature::Locals),
        prop::collection::vec(type_sig(), 1..5).prop_map(Signature::MethodSpec),
        type_sig().prop_map(Signature::Type),
    ]
}

fn decode(sig: &Signature, blob: &[u8]) -> emit_delta::Result<Signature> {
    match sig {
        Signature::Type(_) => decode_type(blob).map(Signature::Type),
        _ => Signature::decode_any(blob),
    }
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn signatures_round_trip(sig in signature()) {
        let blob = encode(&sig).expect("generated signatures are encodable");
        let decoded = decode(&sig, &blob);
        prop_assert!(decoded.is_ok(), "decode failed: {:?} for {:02x?}", decoded, blob);
        let decoded = decoded.unwrap();
        prop_assert_eq!(&decoded, &sig, "blob {:02x?}", blob);
        prop_assert_eq!(encode(&decoded).unwrap(), blob);
    }

    /// A prefix of a signature blob is an error, never a panic (and never the same tree).
    #[test]
    fn truncated_signatures_are_errors(sig in signature(), cut in any::<prop::sample::Index>()) {
        let blob = encode(&sig).unwrap();
        let cut = cut.index(blob.len());
        if let Ok(decoded) = decode(&sig, &blob[..cut]) {
            prop_assert_ne!(decoded, sig);
        }
    }

    /// Arbitrary blobs decode to an error or to a tree that re-encodes and decodes to
    /// itself.
    #[test]
    fn arbitrary_blobs_decode_without_panicking(blob in prop::collection::vec(any::<u8>(), 0..48)) {
        for decoded in [Signature::decode_any(&blob), decode_type(&blob).map(Signature::Type)] {
            if let Ok(sig) = decoded
                && let Ok(again) = encode(&sig)
            {
                prop_assert_eq!(decode(&sig, &again).ok(), Some(sig));
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// Heaps stay inside their stream
// ---------------------------------------------------------------------------------

fn within(heap: &[u8], slice: &[u8]) -> bool {
    let start = heap.as_ptr() as usize;
    let end = start + heap.len();
    let s = slice.as_ptr() as usize;
    slice.is_empty() || (s >= start && s + slice.len() <= end)
}

fn heap_index(len: usize) -> impl Strategy<Value = u32> {
    let len = len as u32;
    prop_oneof![0..=len.saturating_add(2), any::<u32>(), Just(u32::MAX), Just(u32::MAX / 16 + 1)]
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn heaps_never_read_past_their_stream(
        (data, indexes) in prop::collection::vec(any::<u8>(), 0..96)
            .prop_flat_map(|d| { let n = d.len(); (Just(d), prop::collection::vec(heap_index(n), 1..16)) })
    ) {
        let strings = StringHeap::new(&data);
        let blobs = BlobHeap::new(&data);
        let user_strings = UserStringHeap::new(&data);
        let guids = GuidHeap::new(&data);
        for &index in &indexes {
            if let Ok(bytes) = strings.get_bytes(StringIndex(index)) {
                prop_assert!(within(&data, bytes));
                prop_assert!(!bytes.contains(&0));
                prop_assert!(strings.get(StringIndex(index)).is_ok());
            } else {
                prop_assert!(strings.get(StringIndex(index)).is_err());
            }
            if let Ok(bytes) = blobs.get(BlobIndex(index)) {
                prop_assert!(within(&data, bytes));
            }
            if let Ok(bytes) = user_strings.get_raw(UserStringIndex(index)) {
                prop_assert!(within(&data, bytes));
                prop_assert!(user_strings.get(UserStringIndex(index)).is_ok());
            } else {
                prop_assert!(user_strings.get(UserStringIndex(index)).is_err());
            }
            match guids.get(GuidIndex(index)) {
                Ok(Some(g)) => {
                    let at = (index as usize - 1) * 16;
                    prop_assert!(at + 16 <= data.len());
                    prop_assert_eq!(&g.0[..], &data[at..at + 16]);
                }
                Ok(None) => prop_assert_eq!(index, 0),
                Err(_) => prop_assert!(index as usize > data.len() / 16),
            }
            let _ = blobs.next_offset(index);
            let _ = user_strings.next_offset(index);
            if index < 4096 {
                let _ = user_strings.is_entry_start(index);
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// The canonical dump on hostile input
// ---------------------------------------------------------------------------------

const FIXTURE: &[u8] = include_bytes!("../testdata/fixtures/bin/CsFeatures.dll");

fn assert_dump_is_total(data: &[u8]) {
    let out = canonical_dump(data);
    // Either a complete dump or one that ends with an error line; never empty.
    assert!(!out.is_empty());
}

#[derive(Clone, Debug)]
enum Mutation {
    Flip { at: prop::sample::Index, value: u8 },
    Truncate(prop::sample::Index),
    Zero { at: prop::sample::Index, len: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        6 => (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(at, value)| Mutation::Flip { at, value }),
        1 => any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        1 => (any::<prop::sample::Index>(), 1usize..64).prop_map(|(at, len)| Mutation::Zero { at, len }),
    ]
}

fn apply(data: &mut Vec<u8>, m: &Mutation) {
    if data.is_empty() {
        return;
    }
    match m {
        Mutation::Flip { at, value } => {
            let i = at.index(data.len());
            data[i] ^= value | 1;
        }
        Mutation::Truncate(at) => data.truncate(at.index(data.len())),
        Mutation::Zero { at, len } => {
            let i = at.index(data.len());
            let end = (i + len).min(data.len());
            data[i..end].fill(0);
        }
    }
}

/// Offsets inside the metadata, where most of the interesting structure is: flips
/// there are far more likely to reach the table and heap readers than flips anywhere.
fn metadata_range() -> std::ops::Range<usize> {
    let asm = emit_delta::Assembly::parse(FIXTURE).unwrap();
    let md = asm.pe.as_ref().unwrap().metadata().unwrap();
    let start = md.as_ptr() as usize - FIXTURE.as_ptr() as usize;
    start..start + md.len()
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn dump_survives_bsjb_prefixed_garbage(rest in prop::collection::vec(any::<u8>(), 0..512)) {
        let mut data = b"BSJB".to_vec();
        data.extend_from_slice(&rest);
        assert_dump_is_total(&data);
    }

    #[test]
    fn dump_survives_mutated_fixture(mutations in prop::collection::vec(mutation(), 1..8)) {
        let mut data = FIXTURE.to_vec();
        for m in &mutations {
            apply(&mut data, m);
        }
        assert_dump_is_total(&data);
    }

    #[test]
    fn dump_survives_mutated_metadata(flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let range = metadata_range();
        let mut data = FIXTURE.to_vec();
        for (at, value) in &flips {
            let i = range.start + at.index(range.len());
            data[i] ^= value | 1;
        }
        assert_dump_is_total(&data);
    }
}

#[test]
fn fixture_dumps_without_error() {
    let out = canonical_dump(FIXTURE);
    assert!(!out.lines().any(|l| l.starts_with("error")), "{}", &out[out.len().saturating_sub(400)..]);
}
