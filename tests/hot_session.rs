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

/// A session keeps the summary of the build applied last's bodies from one prepare to
/// the next and makes a new one when it commits: every prepare along a chain must find
/// what a fresh comparison of the build applied last with the update finds. Along each
/// scenario's versions and the 20,000-method fixture (v1, v2, v3: a body edit, then an
/// added method), each delta prepared twice (discarded, then committed).
#[test]
fn a_session_along_a_chain_diffs_as_a_fresh_comparison() {
    use emit_delta::Assembly;
    use emit_delta::diff::diff_builds;
    let mut chains: Vec<Vec<std::path::PathBuf>> = Vec::new();
    for entry in std::fs::read_dir(support::repo().join("testdata/scenarios")).unwrap() {
        let bin = entry.unwrap().path().join("bin");
        let versions: Vec<_> =
            (1..).map(|n| bin.join(format!("v{n}")).join("App.dll")).take_while(|p| p.is_file()).collect();
        if versions.len() >= 3 {
            chains.push(versions);
        }
    }
    chains.sort();
    chains.push((1..=3).map(|n| support::repo().join(format!("testdata/bench/bin/v{n}/App.dll"))).collect());
    let mut committed = 0;
    for (c, versions) in chains.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Session::open(&versions[0], caps(), dir.path()).unwrap();
        let mut applied = std::fs::read(&versions[0]).unwrap();
        for next in &versions[1..] {
            let fresh = {
                let next_bytes = std::fs::read(next).unwrap();
                let (old, new) = (Assembly::parse(&applied).unwrap(), Assembly::parse(&next_bytes).unwrap());
                let d = diff_builds(&old, &new).unwrap();
                let mut names: Vec<String> = d.updated_methods.iter().map(|m| m.display.clone()).collect();
                names.sort();
                (names, d.added.len(), d.rude_edits.is_empty())
            };
            let name = next.display();
            for attempt in 0..2 {
                match s.prepare(next, None).unwrap() {
                    Prepared::Delta(delta) => {
                        let mut updated: Vec<String> =
                            delta.generation.updated_methods.iter().map(|m| m.name.clone()).collect();
                        updated.sort();
                        assert_eq!(updated, fresh.0, "{name}");
                        assert!(fresh.2, "{name}: the diff alone has rude edits");
                        assert_eq!(!delta.generation.added.is_empty(), fresh.1 > 0, "{name}");
                        if attempt == 0 {
                            s.discard(*delta);
                        } else {
                            s.commit(*delta).unwrap();
                            // As watch does: the next prepare's summary made ahead of it
                            // (every other chain; the rest make it in the prepare).
                            if c % 2 == 0 {
                                s.prepare_ahead();
                            }
                            applied = std::fs::read(next).unwrap();
                            committed += 1;
                        }
                    }
                    // The runtime's capabilities may refuse more than the diff alone.
                    Prepared::Rude(_) => {}
                    Prepared::NoChange(_) => assert!(fresh.2 && fresh.0.is_empty() && fresh.1 == 0, "{name}"),
                }
            }
        }
    }
    assert!(committed >= 10, "deltas committed along the chains: {committed}");
}
