//! fairgate's version, in a leaf module: every layer records it without importing the crate
//! root.

/// fairgate's version, as recorded in every output.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
