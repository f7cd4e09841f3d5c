//! The `copylab` command line as a library, so that tests run it in-process: `cli::run` takes arguments and output streams and returns the exit code.

pub mod cli;
mod policy_cmd;
