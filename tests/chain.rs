//! The chain reader over a real chain: heap values and rows of later generations
//! resolve through the chain-wide offsets and the EncMap, the way the runtime sees them.

use std::path::Path;
use std::process::Command;

use emit_delta::chain::{Chain, DeltaFiles, RowLocation};
use emit_delta::metadata::schema::{MethodDefRow, ModuleRow, TableId};
use emit_delta::metadata::{StringIndex, Token};
use emit_delta::{Assembly, FileBytes};

const EMIT_DELTA: &str = env!("CARGO_BIN_EXE_emit-delta");

#[test]
fn a_written_chain_resolves_rows_and_heaps_across_generations() {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/scenarios/cs-literal-arith/bin");
    let out = tempfile::tempdir().unwrap();
    let mut updated = Vec::new();
    for version in ["v2", "v3"] {
        let o = Command::new(EMIT_DELTA)
            .arg(scenario.join("v1/App.dll"))
            .arg(scenario.join(version).join("App.dll"))
            .arg("--out")
            .arg(out.path())
            .arg("--json")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let gen_methods = json["generations"][0]["updated_methods"].as_array().unwrap().clone();
        updated.push(gen_methods);
    }

    let baseline_bytes = FileBytes::open(&scenario.join("v1/App.dll")).unwrap();
    let baseline = Assembly::parse(&baseline_bytes).unwrap();
    let files: Vec<(Vec<u8>, Vec<u8>)> = (1..=2)
        .map(|n| {
            let file = |ext: &str| std::fs::read(out.path().join(format!("App.dll.{n}.{ext}"))).unwrap();
            (file("dmeta"), file("dil"))
        })
        .collect();
    let deltas: Vec<DeltaFiles<'_>> =
        files.iter().map(|(m, i)| DeltaFiles { metadata: m, il: Some(i), pdb: None }).collect();
    let chain = Chain::open(baseline.metadata.clone(), &deltas).unwrap();
    assert_eq!(chain.generations.len(), 2);

    let base_module: ModuleRow = chain.baseline.row(1).unwrap();
    let base_mvid = chain.baseline.guid(base_module.mvid).unwrap();
    let mut previous_enc = None;
    for g in &chain.generations {
        let module: ModuleRow = g.metadata.row(1).unwrap();
        assert_eq!(module.generation as u32, g.number);
        // The Module name lives in the delta's own #Strings, past the chain's base.
        assert!(module.name.0 >= g.heap_bases.strings);
        assert_eq!(chain.string(module.name).unwrap(), "App.dll");
        assert_eq!(chain.guid(module.mvid, g.number).unwrap(), base_mvid);
        assert_eq!(chain.guid(module.enc_base_id, g.number).unwrap(), previous_enc);
        previous_enc = chain.guid(module.enc_id, g.number).unwrap();
        assert!(previous_enc.is_some());

        // Every updated method the CLI reported lives in this generation's delta, and
        // its name still resolves to the baseline's string.
        for m in &updated[g.number as usize - 1] {
            let token = Token(u32::from_str_radix(m["token"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap());
            let Some(RowLocation::Delta(n, rid)) = chain.locate(token, g.number) else {
                panic!("{token} is not in generation {}", g.number)
            };
            assert_eq!(n, g.number);
            let row: MethodDefRow = g.metadata.row(rid).unwrap();
            let base_row: MethodDefRow = chain.baseline.row(token.rid()).unwrap();
            assert_eq!(chain.string(row.name).unwrap(), chain.baseline.string(base_row.name).unwrap());
            assert_eq!(g.chain_token(TableId::MethodDef, rid), Some(token));
            // Earlier generations see the earlier version.
            assert_ne!(chain.locate(token, 0), chain.locate(token, g.number));
        }
    }
    assert!(chain.string(StringIndex(u32::MAX)).is_err());
}
