//! zeef turns licensed Dutch text into a clean, consented, deduplicated, auditable pretraining
//! corpus. This crate wires the stage crates into runs and holds the command line.
#![warn(missing_docs)]

pub mod apply;
pub mod audit;
pub mod calibrate;
pub mod config;
pub mod init;
pub mod lookup;
pub mod plan;
#[cfg(feature = "pretrain")]
pub mod pretrain_cli;
pub mod profiles;
pub mod progress;
pub mod reporting;
pub mod runner;
pub mod slurm;
pub mod summary;
pub mod trace;
pub mod withdraw;
