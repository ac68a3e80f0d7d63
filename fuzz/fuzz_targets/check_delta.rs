//! Runs `check` on a fixed baseline (cs-literal-arith v1) and one fuzzed generation.
//! Input framing: u32 LE length of the .dmeta, u32 LE length of the .dpdb (0: none),
//! then the .dmeta, the .dpdb, and the rest is the .dil. Any panic is a bug.

#![no_main]

use emit_delta::Assembly;
use emit_delta::chain::{Chain, DeltaFiles};
use emit_delta::check::check_chain;
use emit_delta::capability::Capabilities;
use libfuzzer_sys::fuzz_target;

static BASELINE: &[u8] = include_bytes!("../../testdata/scenarios/cs-literal-arith/bin/v1/App.dll");

/// Splits a framed input into (.dmeta, .dpdb, .dil).
fn split(data: &[u8]) -> Option<(&[u8], Option<&[u8]>, &[u8])> {
    let len = |at: usize| data.get(at..at + 4).map(|b| u32::from_le_bytes(b.try_into().unwrap()) as usize);
    let (metadata_len, pdb_len) = (len(0)?, len(4)?);
    let rest = &data[8..];
    let metadata = rest.get(..metadata_len)?;
    let pdb = rest.get(metadata_len..metadata_len.checked_add(pdb_len)?)?;
    let il = &rest[metadata_len + pdb_len..];
    Some((metadata, (!pdb.is_empty()).then_some(pdb), il))
}

fuzz_target!(|data: &[u8]| {
    let Some((metadata, pdb, il)) = split(data) else { return };
    let baseline = Assembly::parse(BASELINE).expect("the baseline fixture parses");
    let files = [DeltaFiles { metadata, il: Some(il), pdb }];
    let Ok(chain) = Chain::open(baseline.metadata.clone(), &files) else { return };
    let capabilities = Capabilities::CORECLR_NET10;
    let _ = check_chain(&chain, Some(Capabilities::parse("Baseline")));
    let _ = check_chain(&chain, Some(capabilities));
    let _ = check_chain(&chain, None);
});
