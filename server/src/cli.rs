//! The `aftercare` command line, parsed by clap: `serve` (the default),
//! `migrate`, `demo`, `import`, `user add`, `token create`, `rollup rebuild`.
//! Every command and subcommand has `--help`; `import --help` describes the
//! mapping format (see also docs/mappings/README.md).

use crate::cli_help::{EXIT_CODES, IMPORT_HELP};
use crate::config::Config;
use crate::demo::{self, DemoConfig};
use app::import::Kind;
use app::kpi::{Grain, Period};
use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Serve,
    Migrate,
    Demo(DemoConfig),
    AddUser { username: String, role: String },
    CreateToken { scope: String, label: String },
    RebuildRollup,
    Import { kind: Kind, file: String, mapping: Option<String>, rejects: Option<String> },
    ExportDemo { config: DemoConfig, dir: String },
}

/// Aftercare: a self-hosted support-analytics dashboard. Every command reads
/// DATABASE_URL (unset: a SQLite file under ./data/).
#[derive(Debug, Parser)]
#[command(name = "aftercare", version, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Option<Sub>,
}

#[derive(Debug, Subcommand)]
enum Sub {
    /// Serve the web app and the REST API (the default).
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
    /// Load generated demo data (or write it as CSV files with --export).
    Demo(DemoArgs),
    /// Import a CSV file: tickets, orders, financials, targets or benchmarks.
    #[command(after_long_help = IMPORT_HELP)]
    Import(ImportArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserSub),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenSub),
    /// Maintain the daily rollup.
    #[command(subcommand)]
    Rollup(RollupSub),
}

#[derive(Debug, Args)]
struct DemoArgs {
    /// Random seed: the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Months of data, 1–120.
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=120))]
    months: u32,
    /// The last month of data, YYYY-MM (default: last month).
    #[arg(long, value_parser = month)]
    end: Option<Period>,
    /// Volume: 1.0 ≈ 6,500 tickets and 43,000 orders a month (0 < X ≤ 10).
    #[arg(long, default_value_t = 1.0, value_parser = scale)]
    scale: f64,
    /// Write the data as CSV files into DIR instead of loading it.
    #[arg(long, value_name = "DIR")]
    export: Option<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum KindArg {
    Tickets,
    Orders,
    Financials,
    Targets,
    Benchmarks,
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// What the file holds.
    #[arg(value_enum)]
    kind: KindArg,
    /// The CSV file (any delimiter; UTF-8).
    file: String,
    /// A mapping file (TOML) from the file's columns to Aftercare's fields;
    /// without it the columns are guessed from the header.
    #[arg(long, value_name = "M.toml")]
    mapping: Option<String>,
    /// Import the valid rows and write the refused ones, with their reasons,
    /// to FILE (without it one refused row refuses the whole file).
    #[arg(long, value_name = "FILE")]
    rejects: Option<String>,
}

#[derive(Debug, Subcommand)]
enum UserSub {
    /// Create an account; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// viewer, manager or admin.
        #[arg(long)]
        role: String,
    },
}

#[derive(Debug, Subcommand)]
enum TokenSub {
    /// Create an API token and print it alone on standard output.
    Create {
        /// read, ingest or write.
        #[arg(long)]
        scope: String,
        /// A name to recognise the token by.
        #[arg(long, default_value = "command line")]
        label: String,
    },
}

#[derive(Debug, Subcommand)]
enum RollupSub {
    /// Recompute the daily rollup from the raw tickets (e.g. after the SLA changed).
    Rebuild,
}

fn month(text: &str) -> Result<Period, String> {
    Period::parse(text)
        .filter(|p| p.grain == Grain::Month)
        .ok_or(format!("'{text}' is not a month like 2025-10"))
}

fn scale(text: &str) -> Result<f64, String> {
    text.parse()
        .ok()
        .filter(|s: &f64| *s > 0.0 && *s <= 10.0)
        .ok_or(format!("'{text}' is not a number above 0 and at most 10"))
}

/// Reads the arguments after the program name. A `--help` or `--version`
/// comes back as an error too: `clap::Error::exit` prints it and exits 0.
pub fn parse(args: &[String]) -> Result<Command, clap::Error> {
    let cli = Cli::try_parse_from(std::iter::once("aftercare".to_string()).chain(args.iter().cloned()))?;
    Ok(match cli.command {
        None | Some(Sub::Serve) => Command::Serve,
        Some(Sub::Migrate) => Command::Migrate,
        Some(Sub::Demo(d)) => {
            let mut config = DemoConfig::standard(d.seed);
            config.months = d.months;
            config.scale = d.scale;
            if let Some(end) = d.end {
                config.end = end;
            }
            match d.export {
                Some(dir) => Command::ExportDemo { config, dir },
                None => Command::Demo(config),
            }
        }
        Some(Sub::Import(i)) => {
            let kind = match i.kind {
                KindArg::Tickets => Kind::Tickets,
                KindArg::Orders => Kind::Orders,
                KindArg::Financials => Kind::Financials,
                KindArg::Targets => Kind::Targets,
                KindArg::Benchmarks => Kind::Benchmarks,
            };
            Command::Import { kind, file: i.file, mapping: i.mapping, rejects: i.rejects }
        }
        Some(Sub::User(UserSub::Add { username, role })) => Command::AddUser { username, role },
        Some(Sub::Token(TokenSub::Create { scope, label })) => Command::CreateToken { scope, label },
        Some(Sub::Rollup(RollupSub::Rebuild)) => Command::RebuildRollup,
    })
}

/// Creates an account; the password is the first line of standard input.
pub async fn add_user(config: &Config, username: &str, role: &str) -> Result<(), String> {
    let mut password = String::new();
    std::io::stdin().read_line(&mut password).map_err(|e| format!("cannot read the password: {e}"))?;
    let password = password.trim_end_matches(['\r', '\n']);
    let db = config.open_database().await?;
    app::api::users::server::create(&db, "command line", username, role, password).await.map_err(
        |e| match e {
            app::error::AppError::Invalid { field, message } => format!("{field}: {message}"),
            other => other.to_string(),
        },
    )?;
    eprintln!("user {username} created");
    Ok(())
}

/// Creates an API token and prints it alone on standard output.
pub async fn create_token(config: &Config, scope: &str, label: &str) -> Result<(), String> {
    let scope = app::models::TokenScope::parse(scope)
        .ok_or(format!("--scope must be read, ingest or write, not '{scope}'"))?;
    let db = config.open_database().await?;
    let token =
        app::store::tokens::create(&db, "command line", label, scope).await.map_err(|e| e.to_string())?;
    println!("{token}");
    Ok(())
}

/// Recomputes the rollups from the raw tickets and orders. The server does
/// this by itself when the SLA or time zone changed; this forces it.
pub async fn rebuild_rollup(config: &Config) -> Result<(), String> {
    let db = config.open_database().await?;
    let started = std::time::Instant::now();
    app::store::rollup_rules::rebuild(&db).await.map_err(|e| e.to_string())?;
    db.close().await;
    eprintln!(
        "rollup rebuilt with a {} h SLA in {} time in {:.1} s",
        config.sla_hours,
        config.time_zone.name(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Loads the demo data, printing a one-line summary.
pub async fn run_demo(config: &Config, demo_config: &DemoConfig) -> Result<(), String> {
    let db = config.open_database().await?;
    let started = std::time::Instant::now();
    let summary = demo::load(&db, demo_config).await.map_err(|e| format!("demo data refused: {e}"))?;
    db.close().await;
    eprintln!(
        "loaded {} tickets and {} orders over {} months in {:.1} s",
        summary.tickets,
        summary.orders,
        summary.months,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::error::ErrorKind;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn no_command_means_serve() {
        assert_eq!(parse(&[]).unwrap(), Command::Serve);
        assert_eq!(parse(&args("serve")).unwrap(), Command::Serve);
    }

    #[test]
    fn demo_options_are_read() {
        let Ok(Command::Demo(c)) = parse(&args("demo --seed 42 --months 14 --end 2025-10 --scale 0.15"))
        else {
            panic!()
        };
        assert_eq!((c.seed, c.months, c.end.to_string(), c.scale), (42, 14, "2025-10".to_string(), 0.15));
        let Ok(Command::ExportDemo { config, dir }) = parse(&args("demo --seed 7 --export out --months 3"))
        else {
            panic!()
        };
        assert_eq!((config.seed, config.months, dir.as_str()), (7, 3, "out"));
    }

    #[test]
    fn import_user_and_token_commands_are_read() {
        assert_eq!(
            parse(&args("import orders o.csv --mapping m.toml --rejects r.csv")).unwrap(),
            Command::Import {
                kind: Kind::Orders,
                file: "o.csv".into(),
                mapping: Some("m.toml".into()),
                rejects: Some("r.csv".into())
            }
        );
        assert_eq!(
            parse(&args("user add --username ana --role manager")).unwrap(),
            Command::AddUser { username: "ana".into(), role: "manager".into() }
        );
        assert_eq!(
            parse(&args("token create --scope read")).unwrap(),
            Command::CreateToken { scope: "read".into(), label: "command line".into() }
        );
        assert!(parse(&args("user add --role admin")).unwrap_err().to_string().contains("--username"));
        assert_eq!(parse(&args("rollup rebuild")).unwrap(), Command::RebuildRollup);
    }

    #[test]
    fn bad_options_are_refused_as_usage_errors() {
        for bad in ["demo --months 0", "demo --end 2025-13", "frobnicate", "import customers f.csv"] {
            let e = parse(&args(bad)).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn every_command_has_help_that_exits_0() {
        for line in [
            "--help",
            "serve --help",
            "migrate --help",
            "demo --help",
            "import --help",
            "user --help",
            "user add --help",
            "token create --help",
            "rollup rebuild --help",
        ] {
            let e = parse(&args(line)).unwrap_err();
            assert_eq!((e.kind(), e.exit_code()), (ErrorKind::DisplayHelp, 0), "{line}");
        }
        let help = parse(&args("import --help")).unwrap_err().render().to_string();
        for key in
            ["column", "value", "format", "duration", "scale", "timezone", "values", "repeated", "pick"]
        {
            assert!(help.contains(key), "import --help explains `{key}`");
        }
        assert!(help.contains("Exit status"), "{help}");
    }
}
