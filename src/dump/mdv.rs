//! The mdv rendering (placeholder).
use crate::assembly::Assembly;
use crate::chain::Chain;
pub fn render(_assembly: &Assembly<'_>, _chain: &Chain<'_>) -> String {
    String::new()
}
