//! The protocol-free features: plain data with byte ranges over an owned snapshot. Only `lsp/`
//! knows the protocol and converts positions (once each way).

pub mod actions;
pub mod completion;
pub mod files;
pub mod fix_all;
pub mod hover;
pub mod snapshot;
