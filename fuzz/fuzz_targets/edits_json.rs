//! Reads fuzzed bytes as an `EDITS.json` (`Script::parse`) and the capability list
//! parser on the same text. Any panic is a bug; an accepted script has changes, each
//! relative path under the edits file's folder.

#![no_main]

use emit_delta::capability::Capabilities;
use emit_delta::edits::Script;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = Capabilities::parse(text);
    if let Ok(script) = Script::parse(text, std::path::Path::new("dir/edits.json")) {
        assert!(!script.changes.is_empty());
        // Relative `updated` paths are taken from the edits file's folder (absolute ones stay).
        assert!(script.changes.iter().all(|c| c.updated.is_absolute() || c.updated.starts_with("dir")));
    }
});
