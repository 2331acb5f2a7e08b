//! `ssmq-fixtures`: writes generated sync lakes to disk.
//!
//! In: a subcommand and its flags. Out: a lake in the `--out` directory and a per-type summary
//! on stderr (stdout stays empty). Exit code 0 on success, 2 on any error.

use clap::{Parser, Subcommand, ValueEnum};
use ssmq_fixtures::{LakeSpec, LakeSummary, Profile};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Generate AWS Systems Manager resource data sync lakes for ssmq's fixtures, tests and benchmarks.
#[derive(Debug, Parser)]
#[command(
    version,
    about,
    after_help = "Examples:\n  ssmq-fixtures sample --out fixtures/sample\n  ssmq-fixtures malformed --out fixtures/malformed\n  ssmq-fixtures generate --out \"$(mktemp -d)/lake\" --nodes 1000 --profile realistic --prefix ResourceDataSync"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write the committed Sample lake (16 nodes, every quirk) at the root of DIR.
    Sample {
        #[command(flatten)]
        output: Output,
    },
    /// Write the malformed lake (objects with broken JSON lines) at the root of DIR.
    Malformed {
        #[command(flatten)]
        output: Output,
    },
    /// Write a lake of any size.
    Generate {
        #[command(flatten)]
        output: Output,
        /// Number of managed nodes.
        #[arg(long)]
        nodes: usize,
        /// Seed of all randomness (default: the profile's fixed seed).
        #[arg(long)]
        seed: Option<u64>,
        /// Line counts and quirks to generate.
        #[arg(long, value_enum, default_value_t = ProfileArg::Realistic)]
        profile: ProfileArg,
        /// Key prefix in front of the TypeName folders, e.g. `ResourceDataSync`.
        #[arg(long)]
        prefix: Option<String>,
        /// Writer threads (default: one per CPU).
        #[arg(long, default_value_t = 0)]
        jobs: usize,
    },
}

#[derive(Debug, clap::Args)]
struct Output {
    /// Directory to write the lake into.
    #[arg(long)]
    out: PathBuf,
    /// Write even if the directory is not empty (files with the same names are overwritten).
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ProfileArg {
    Sample,
    Realistic,
    /// Realistic nodes with small objects (tens of applications, few patches)
    Minimal,
}

impl From<ProfileArg> for Profile {
    fn from(profile: ProfileArg) -> Self {
        match profile {
            ProfileArg::Sample => Profile::Sample,
            ProfileArg::Realistic => Profile::Realistic,
            ProfileArg::Minimal => Profile::Minimal,
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Sample { output } => {
            check_output(&output)?;
            write(&LakeSpec::sample(), &output.out, 0)
        }
        Command::Malformed { output } => {
            check_output(&output)?;
            for (object, malformed_lines) in ssmq_fixtures::malformed_lake() {
                let path = output.out.join(&object.key);
                let folder = path.parent().expect("object keys have folders");
                std::fs::create_dir_all(folder)
                    .map_err(|e| format!("Failed to create `{}`: {e}", folder.display()))?;
                std::fs::write(&path, &object.body)
                    .map_err(|e| format!("Failed to write `{}`: {e}", path.display()))?;
                eprintln!("{}  malformed lines: {malformed_lines:?}", object.key);
            }
            Ok(())
        }
        Command::Generate {
            output,
            nodes,
            seed,
            profile,
            prefix,
            jobs,
        } => {
            check_output(&output)?;
            let profile = Profile::from(profile);
            let default_seed = match profile {
                Profile::Sample => ssmq_fixtures::SAMPLE_SEED,
                Profile::Realistic | Profile::Minimal => ssmq_fixtures::REALISTIC_SEED,
            };
            let spec = LakeSpec {
                nodes,
                seed: seed.unwrap_or(default_seed),
                profile,
                prefix,
            };
            write(&spec, &output.out, jobs)
        }
    }
}

/// Refuses a non-empty output directory unless `--force`.
fn check_output(output: &Output) -> Result<(), String> {
    let has_entries = match std::fs::read_dir(&output.out) {
        Ok(mut entries) => entries.next().is_some(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => false,
        Err(error) => {
            return Err(format!(
                "Failed to read `{}`: {error}",
                output.out.display()
            ));
        }
    };
    if has_entries && !output.force {
        return Err(format!(
            "`{}` is not empty; pass --force to write into it anyway",
            output.out.display()
        ));
    }
    Ok(())
}

fn write(spec: &LakeSpec, out: &Path, jobs: usize) -> Result<(), String> {
    let started = Instant::now();
    let summary = ssmq_fixtures::write_lake(spec, out, jobs)
        .map_err(|e| format!("Failed to write the lake to `{}`: {e}", out.display()))?;
    print_summary(spec, &summary, started.elapsed().as_secs_f64());
    Ok(())
}

fn print_summary(spec: &LakeSpec, summary: &LakeSummary, seconds: f64) {
    const MB: f64 = 1024.0 * 1024.0;
    eprintln!(
        "{:<34} {:>9} {:>12} {:>10}",
        "type", "objects", "lines", "MB"
    );
    for (type_name, totals) in &summary.types {
        eprintln!(
            "{type_name:<34} {:>9} {:>12} {:>10.2}",
            totals.objects,
            totals.lines,
            totals.bytes as f64 / MB
        );
    }
    let bytes = summary.total_bytes() as f64;
    eprintln!(
        "{:<34} {:>9} {:>12} {:>10.2}",
        "total",
        summary.total_objects(),
        summary.total_lines(),
        bytes / MB
    );
    for skipped in &summary.skipped {
        eprintln!("skipped `{}`: {}", skipped.key, skipped.reason);
    }
    eprintln!(
        "{} nodes ({:?}, seed {}) in {seconds:.2}s: {:.1} MB/s",
        spec.nodes,
        spec.profile,
        spec.seed,
        bytes / MB / seconds.max(1e-9)
    );
}
