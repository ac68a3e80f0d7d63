//! `emit_delta::hot::Session`, the prepare/commit API behind the CLI and `watch`, on the
//! bundled scenario builds: a discarded delta leaves the chain where it was, a committed
//! one moves it (and survives a reopen), rude edits and unchanged builds write nothing.

mod support;

use emit_delta::capability::Capabilities;
use emit_delta::hot::{Prepared, Session};

fn caps() -> Capabilities {
    Capabilities::CORECLR_NET10
}

#[test]
fn prepare_discard_commit_and_reopen() {
    let bin = support::repo().join("testdata/scenarios/cs-literal-arith/bin");
    let dir = tempfile::tempdir().unwrap();
    let session_dir = dir.path().join("session");
    let mut s = Session::open(&bin.join("v1/App.dll"), caps(), &session_dir).unwrap();
    assert_eq!(s.generation(), 0);
    assert_eq!(s.mvid().unwrap().len(), 36);

    let Prepared::Delta(first) = s.prepare(&bin.join("v2/App.dll"), None).unwrap() else { panic!("v2 is a delta") };
    assert_eq!(first.generation.number, 1);
    assert!(!first.generation.updated_methods.is_empty());
    s.discard(*first);
    assert_eq!(s.generation(), 0);
    assert!(!session_dir.join("state.json").exists(), "discard wrote nothing");

    let Prepared::Delta(again) = s.prepare(&bin.join("v2/App.dll"), None).unwrap() else { panic!("v2 is a delta") };
    assert_eq!(again.generation.number, 1, "after a discard the same generation is prepared again");
    s.commit(*again).unwrap();
    assert_eq!(s.generation(), 1);
    assert!(session_dir.join("state.json").is_file());

    match s.prepare(&bin.join("v2/App.dll"), None).unwrap() {
        Prepared::NoChange(message) => assert!(message.contains("no semantic change"), "{message}"),
        _ => panic!("v2 against itself is no change"),
    }

    // A session holds its folder's lock until it is dropped.
    drop(s);
    let reopened = Session::open(&bin.join("v1/App.dll"), caps(), &session_dir).unwrap();
    assert_eq!(reopened.generation(), 1);
    let Prepared::Delta(next) = reopened.prepare(&bin.join("v3/App.dll"), None).unwrap() else { panic!("v3") };
    assert_eq!(next.generation.number, 2);

    // Another baseline is refused for this session folder.
    drop(reopened);
    let err = Session::open(&bin.join("v2/App.dll"), caps(), &session_dir).err().expect("another baseline");
    assert!(err.to_string().contains("another baseline"), "{err}");
}

#[test]
fn rude_edits_and_missing_capabilities() {
    let bin = support::repo().join("testdata/scenarios/cs-literal-arith/bin");
    let dir = tempfile::tempdir().unwrap();
    let s = Session::open(&bin.join("v1/App.dll"), Capabilities::default(), dir.path()).unwrap();
    match s.prepare(&bin.join("v2/App.dll"), None).unwrap() {
        Prepared::Rude(edits) => {
            assert!(edits.iter().any(|e| e.needs == Some(emit_delta::capability::Capability::Baseline)), "{edits:?}")
        }
        _ => panic!("without Baseline every update is rude"),
    }
    let rude = support::repo().join("testdata/scenarios/cs-rude/bin");
    let s = Session::open(&rude.join("v1/App.dll"), caps(), &dir.path().join("rude")).unwrap();
    match s.prepare(&rude.join("v2/App.dll"), None).unwrap() {
        Prepared::Rude(edits) => assert!(!edits.is_empty()),
        _ => panic!("cs-rude v2 is a rude edit"),
    }
}
