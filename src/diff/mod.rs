//! Comparing two builds of one assembly: identities that survive a recompile
//! ([`identity`]), the changed method bodies and the rude edits ([`compare`]).

pub mod compare;
pub mod identity;
pub mod rude;

pub use compare::{BuildDiff, diff_builds};
pub use identity::Identities;
pub use rude::RudeEdit;
