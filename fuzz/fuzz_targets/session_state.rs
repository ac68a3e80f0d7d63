//! Reads fuzzed bytes as a session's `state.json`: `ChainState::from_json` (parse,
//! format check, validation), then, for a state it accepts, the checks against the
//! fixture baseline and the lookups a run makes on it. Any panic is a bug; so is an
//! accepted state whose counts do not fit the format.

#![no_main]

use emit_delta::Assembly;
use emit_delta::baseline::ChainState;
use emit_delta::metadata::Token;
use libfuzzer_sys::fuzz_target;

static BASELINE: &[u8] = include_bytes!("../../testdata/scenarios/cs-literal-arith/bin/v1/App.dll");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(state) = ChainState::from_json(text, std::path::Path::new("state.json")) else { return };
    assert!(state.rows.iter().all(|&r| r <= Token::MAX_RID));
    assert!(state.heaps.user_strings <= Token::MAX_RID);
    let _ = state.row_counts();
    let _ = state.mvid_guid();
    let _ = state.last_enc_id();
    let _ = state.added_reference_map();
    let baseline = Assembly::parse(BASELINE).expect("the baseline fixture parses");
    let base = ChainState::from_baseline(BASELINE, &baseline).expect("the baseline fixture has a Module row");
    if state.validate_against(&base).is_ok() {
        assert!(state.heaps.guids as u64 <= base.heaps.guids as u64 + 3 * state.generation as u64);
    }
});
