//! The `copylab` command line as a library, so that tests run it in-process: `cli::run` takes arguments and output streams and returns the exit code.

pub mod cli;
mod collect_cmd;
pub mod embed;
pub mod events_cmd;
pub mod explain_cmd;
pub mod import;
mod policy_cmd;
pub mod quiz_cmd;
pub mod scenario;
mod serve_cmd;
mod state_dir;
