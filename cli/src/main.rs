//! The `mita` binary: parse, set up logging, dispatch, map errors to exit codes.

mod cli;
mod commands;
mod exit;
mod logging;
mod memory;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

/// mimalloc instead of glibc malloc: glibc keeps one arena per thread (tokio workers, SQLite
/// connection threads, hashing threads) and returns little memory; mimalloc keeps the server's
/// RSS bounded and cuts allocation cost on the request path (measured in docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // No transparent huge pages for this process: with THP on ("always", as on many
    // distributions) every sparse touch of the allocator's arena made a 2 MiB page resident,
    // 20 MiB of RSS at start and more after a load (docs/performance.md, memory). Errors are
    // ignored: an older kernel simply keeps its default.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    // The core's idle threads (SQLite readers, the write thread) collect mimalloc's heap too.
    mita::memory::set_thread_collector(memory::collect_this_thread);
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_park(memory::on_park)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::ERROR);
        }
    };
    let result = runtime.block_on(async {
        match &cli.command {
            Command::Serve(args) => {
                let workers = tokio::runtime::Handle::current().metrics().num_workers();
                tokio::spawn(memory::tick(workers));
                commands::serve::run(&cli.global, args).await
            }
            Command::Migrate(args) => commands::migrate::run(&cli.global, args).await,
            Command::Metrics(args) => commands::metrics::run(&cli.global, args).await,
            Command::Config(cmd) => commands::config::run(&cli.global, cmd),
            Command::Completions(args) => commands::completions::completions(args),
            Command::Man(args) => commands::completions::man(args),
            Command::Admin(cmd) => commands::admin::run(&cli.global, cmd).await,
            Command::Ocr(cmd) => commands::ocr::run(&cli.global, cmd).await,
            Command::Doctor(args) => commands::doctor::run(&cli.global, args).await,
            Command::Db(cmd) => commands::db::run(&cli.global, cmd).await,
            Command::Import(args) => commands::import::run(&cli.global, args).await,
        }
    });
    exit::report(result)
}
