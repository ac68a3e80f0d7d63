//! Writing one generation of an EnC delta: minimal heaps that continue the chain
//! ([`heaps`]), `#-` tables with EncLog/EncMap ([`tables`]), the metadata root
//! ([`root`]), tokens of the updated build rewritten into the chain ([`importer`]) and
//! the IL stream ([`il`]) and the portable-PDB delta ([`pdb`]). [`emit`] puts them together.

pub mod definitions;
pub mod deleted;
pub mod emit;
pub mod heaps;
pub mod il;
pub mod importer;
pub mod member_updates;
pub mod pdb;
pub mod root;
pub mod tables;

pub use emit::{Builds, Generation, Member, emit_generation};
