//! Comparing two builds of one assembly: identities that survive a recompile
//! ([`identity`]), the changed method bodies and the rude edits ([`compare`]).

pub mod body;
pub mod classify;
pub mod compare;
pub mod display_class;
pub mod generated;
pub mod identity;
pub mod initializer;
pub mod matching;
pub mod member_edits;
pub mod old_bodies;
pub mod pairing;
pub mod renumbered;
pub mod rude;
pub mod shared_heaps;
pub mod suspects;

pub use compare::{BuildDiff, diff_builds, diff_builds_with};
pub use identity::Identities;
pub use matching::DefinitionMatch;
pub use old_bodies::OldBodies;
pub use rude::{RudeEdit, RudeKind};
