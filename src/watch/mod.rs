//! Pieces of `emit-delta watch` that are not command-line plumbing: the wire format
//! spoken with the agent inside the app ([`protocol`]), the programs built on first use
//! ([`tool_cache`]), and the fast path: the captured compiler invocations
//! ([`invocation`]), the choice between them and a full build ([`route`]), the warm
//! compiler process ([`compiler_host`]), the C#/VB compiler server it uses
//! ([`compiler_server`]) and the staging of its outputs ([`fast_build`]); and when a
//! save is complete and ready to build ([`saves`]).

pub mod builder;
pub mod compiler_host;
pub mod compiler_server;
pub mod fast_build;
pub mod invocation;
pub mod protocol;
pub mod route;
pub mod saves;
pub mod tool_cache;

/// Whether the switch `name` is on: unset or anything but `0` (how
/// `EMIT_DELTA_INCREMENTAL` and `EMIT_DELTA_COMPILER_SERVER` are read).
pub(crate) fn switch_on(name: &str) -> bool {
    std::env::var(name).map_or(true, |v| v.trim() != "0")
}
