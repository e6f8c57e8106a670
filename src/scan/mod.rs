//! Scanners read text and record what it says; they never judge. Rules judge.

pub mod body;
pub mod markdown;
pub mod message;
pub mod trailers;
