//! Pieces of `emit-delta watch` that are not command-line plumbing: the wire format
//! spoken with the agent inside the app ([`protocol`]).

pub mod protocol;
