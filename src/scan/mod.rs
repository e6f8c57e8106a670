//! Scanners: text in, facts with byte spans out. Pure (no I/O, no git, no registry lookups),
//! total on any input, and linear in it. They record what the text says and never judge it.

pub mod body;
pub mod commit;
pub mod markdown;
pub mod message;
pub mod trailers;
