//! The `copylab` binary: hands the process's arguments and streams to `copylab::cli::run`.

use std::io::IsTerminal;

/// mimalloc: `copylab serve` allocates per request on every worker thread, where glibc's malloc
/// contends on its arena locks.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let code = copylab::cli::run(
        std::env::args_os(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
        color,
    );
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(2))
}
