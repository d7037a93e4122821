//! The `aftercare` command line: `serve` (default), `migrate`, `demo`.

use crate::config::Config;
use crate::demo::{self, DemoConfig};
use app::import::Kind;
use app::kpi::{Grain, Period};

pub const USAGE: &str = "usage: aftercare [serve | migrate | demo [--seed N] [--months N] [--end YYYY-MM] [--scale X] [--export DIR]
  | import tickets|orders|financials|targets|benchmarks FILE [--mapping M.toml] [--rejects FILE]
  | user add --username U --role viewer|manager|admin | token create --scope read|ingest|write [--label L]
  | rollup rebuild]";

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

/// Reads the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Command, String> {
    match args.first().map(String::as_str) {
        None | Some("serve") => Ok(Command::Serve),
        Some("migrate") => Ok(Command::Migrate),
        Some("demo") => {
            let export = args.iter().position(|a| a == "--export");
            match export {
                Some(i) => {
                    let dir = args.get(i + 1).ok_or(format!("--export needs a directory\n{USAGE}"))?.clone();
                    let rest: Vec<String> = args[1..]
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| *j + 1 != i && *j != i)
                        .map(|p| p.1.clone())
                        .collect();
                    Ok(Command::ExportDemo { config: parse_demo(&rest)?, dir })
                }
                None => parse_demo(&args[1..]).map(Command::Demo),
            }
        }
        Some("import") => {
            let kind = args.get(1).and_then(|k| Kind::from_key(k)).ok_or(format!(
                "import needs a kind: tickets, orders, financials, targets or benchmarks\n{USAGE}"
            ))?;
            let file = args
                .get(2)
                .filter(|f| !f.starts_with("--"))
                .ok_or(format!("import needs a FILE\n{USAGE}"))?;
            let opts = options(&args[3..], &["--mapping", "--rejects"])?;
            Ok(Command::Import {
                kind,
                file: file.clone(),
                mapping: opts.get("--mapping").cloned(),
                rejects: opts.get("--rejects").cloned(),
            })
        }
        Some("user") if args.get(1).map(String::as_str) == Some("add") => {
            let opts = options(&args[2..], &["--username", "--role"])?;
            Ok(Command::AddUser {
                username: required(&opts, "--username")?,
                role: required(&opts, "--role")?,
            })
        }
        Some("rollup") if args.get(1).map(String::as_str) == Some("rebuild") => Ok(Command::RebuildRollup),
        Some("token") if args.get(1).map(String::as_str) == Some("create") => {
            let opts = options(&args[2..], &["--scope", "--label"])?;
            let label = opts.get("--label").cloned().unwrap_or_else(|| "command line".to_string());
            Ok(Command::CreateToken { scope: required(&opts, "--scope")?, label })
        }
        Some("-h" | "--help" | "help") => Err(USAGE.to_string()),
        Some(other) => Err(format!("unknown command '{other}'\n{USAGE}")),
    }
}

fn parse_demo(args: &[String]) -> Result<DemoConfig, String> {
    let mut config = DemoConfig::standard(42);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value\n{USAGE}"))?;
        let bad = || format!("{flag}: '{value}' is not valid\n{USAGE}");
        match flag.as_str() {
            "--seed" => config.seed = value.parse().map_err(|_| bad())?,
            "--months" => {
                config.months = value.parse().ok().filter(|m| (1..=120).contains(m)).ok_or_else(bad)?
            }
            "--end" => {
                config.end = Period::parse(value).filter(|p| p.grain == Grain::Month).ok_or_else(bad)?
            }
            "--scale" => {
                config.scale = value.parse().ok().filter(|s: &f64| *s > 0.0 && *s <= 10.0).ok_or_else(bad)?
            }
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    Ok(config)
}

/// `--flag value` pairs, refusing flags not in `allowed`.
fn options(args: &[String], allowed: &[&str]) -> Result<std::collections::HashMap<String, String>, String> {
    let mut out = std::collections::HashMap::new();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if !allowed.contains(&flag.as_str()) {
            return Err(format!("unknown option {flag}\n{USAGE}"));
        }
        let value = it.next().ok_or(format!("{flag} needs a value\n{USAGE}"))?;
        out.insert(flag.clone(), value.clone());
    }
    Ok(out)
}

fn required(opts: &std::collections::HashMap<String, String>, flag: &str) -> Result<String, String> {
    opts.get(flag).cloned().ok_or(format!("{flag} is required\n{USAGE}"))
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

/// Recomputes the daily rollup from the raw tickets, e.g. after the SLA changed.
pub async fn rebuild_rollup(config: &Config) -> Result<(), String> {
    let db = config.open_database().await?;
    let started = std::time::Instant::now();
    app::store::rollup::rebuild(&db).await.map_err(|e| e.to_string())?;
    eprintln!("rollup rebuilt with a {} h SLA in {:.1} s", config.sla_hours, started.elapsed().as_secs_f64());
    Ok(())
}

/// Loads the demo data, printing a one-line summary.
pub async fn run_demo(config: &Config, demo_config: &DemoConfig) -> Result<(), String> {
    let db = config.open_database().await?;
    let started = std::time::Instant::now();
    let summary = demo::load(&db, demo_config).await.map_err(|e| format!("demo data refused: {e}"))?;
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

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn no_command_means_serve() {
        assert_eq!(parse(&[]), Ok(Command::Serve));
    }

    #[test]
    fn demo_options_are_read() {
        let Ok(Command::Demo(c)) = parse(&args("demo --seed 7 --months 3 --end 2025-06")) else { panic!() };
        assert_eq!((c.seed, c.months, c.end.to_string()), (7, 3, "2025-06".to_string()));
    }

    #[test]
    fn user_and_token_commands_are_read() {
        assert_eq!(
            parse(&args("user add --username ana --role manager")),
            Ok(Command::AddUser { username: "ana".into(), role: "manager".into() })
        );
        assert_eq!(
            parse(&args("token create --scope read")),
            Ok(Command::CreateToken { scope: "read".into(), label: "command line".into() })
        );
        assert!(parse(&args("user add --role admin")).unwrap_err().contains("--username is required"));
        assert_eq!(parse(&args("rollup rebuild")), Ok(Command::RebuildRollup));
    }

    #[test]
    fn bad_options_are_refused_with_usage() {
        assert!(parse(&args("demo --months 0")).unwrap_err().contains("usage"));
        assert!(parse(&args("demo --end 2025-13")).is_err());
        assert!(parse(&args("frobnicate")).is_err());
    }
}
