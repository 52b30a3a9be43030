//! `mita completions` and `mita man`: generated from the clap definitions, committed, and checked
//! fresh in CI (`--check`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{CommandFactory, ValueEnum};
use clap_complete::Shell;

use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::exit;

const BIN: &str = "mita";

fn script(shell: Shell) -> anyhow::Result<Vec<u8>> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, BIN, &mut out);
    Ok(out)
}

fn script_name(shell: Shell) -> String {
    match shell {
        Shell::Bash => format!("{BIN}.bash"),
        Shell::Zsh => format!("_{BIN}"),
        Shell::Fish => format!("{BIN}.fish"),
        Shell::Elvish => format!("{BIN}.elv"),
        Shell::PowerShell => format!("_{BIN}.ps1"),
        _ => format!("{BIN}.{shell}"),
    }
}

/// Every generated completion file: (name, content).
fn all_scripts() -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    Shell::value_variants()
        .iter()
        .map(|s| Ok((script_name(*s), script(*s)?)))
        .collect()
}

/// Every generated man page: (file name, content), one per command and subcommand.
fn all_pages() -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut pages = Vec::new();
    fn walk(
        cmd: &clap::Command,
        prefix: &str,
        pages: &mut Vec<(String, Vec<u8>)>,
    ) -> anyhow::Result<()> {
        let name = if prefix.is_empty() {
            cmd.get_name().to_string()
        } else {
            format!("{prefix}-{}", cmd.get_name())
        };
        let mut out = Vec::new();
        let page_cmd = cmd.clone().name(name.clone());
        clap_mangen::Man::new(page_cmd).render(&mut out)?;
        pages.push((format!("{name}.1"), out));
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            walk(sub, &name, pages)?;
        }
        Ok(())
    }
    let mut cmd = Cli::command();
    cmd.build();
    walk(&cmd, "", &mut pages)?;
    Ok(pages)
}

fn write_all(dir: &Path, files: &[(String, Vec<u8>)]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (name, content) in files {
        let path = dir.join(name);
        std::fs::write(&path, content).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// Compares generated files with those in `dir`; lists the stale or missing ones.
fn check_all(dir: &Path, files: &[(String, Vec<u8>)], regen: &str) -> anyhow::Result<ExitCode> {
    let stale: Vec<PathBuf> = files
        .iter()
        .filter(|(name, content)| {
            std::fs::read(dir.join(name)).ok().as_deref() != Some(content.as_slice())
        })
        .map(|(name, _)| dir.join(name))
        .collect();
    if stale.is_empty() {
        println!("{} files in {} are up to date", files.len(), dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    for p in &stale {
        eprintln!("stale or missing: {}", p.display());
    }
    eprintln!("regenerate with: {regen}");
    Ok(ExitCode::from(exit::ERROR))
}

pub fn completions(args: &CompletionsArgs) -> anyhow::Result<ExitCode> {
    if let Some(dir) = &args.check {
        return check_all(
            dir,
            &all_scripts()?,
            &format!("mita completions --dir {}", dir.display()),
        );
    }
    if let Some(dir) = &args.dir {
        let files = all_scripts()?;
        write_all(dir, &files)?;
        println!(
            "wrote {} completion scripts to {}",
            files.len(),
            dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let shell = args.shell.context("name a shell, or use --dir / --check")?;
    use std::io::Write;
    std::io::stdout().lock().write_all(&script(shell)?)?;
    Ok(ExitCode::SUCCESS)
}

pub fn man(args: &ManArgs) -> anyhow::Result<ExitCode> {
    let pages = all_pages()?;
    if args.check {
        return check_all(
            &args.dir,
            &pages,
            &format!("mita man {}", args.dir.display()),
        );
    }
    write_all(&args.dir, &pages)?;
    println!("wrote {} man pages to {}", pages.len(), args.dir.display());
    Ok(ExitCode::SUCCESS)
}
