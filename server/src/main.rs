//! `aftercare`: wiring only; see the `server` library.

use leptos::prelude::get_configuration;
use server::cli::{self, Command};
use server::config::Config;
use server::{demo, import_cli};

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=error".into()),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Help and version exit 0, a wrong command line 2 (see `aftercare --help`).
    let command = cli::parse(&args).unwrap_or_else(|e| e.exit());
    if let Err(message) = run(command).await {
        eprintln!("aftercare: {message}");
        std::process::exit(1);
    }
}

async fn run(command: Command) -> Result<(), String> {
    let config = Config::from_env()?;
    match command {
        Command::Migrate => config.open_database().await.map(|_| eprintln!("migrations applied")),
        Command::Demo(demo) => cli::run_demo(&config, &demo).await,
        Command::AddUser { username, role } => cli::add_user(&config, &username, &role).await,
        Command::CreateToken { scope, label } => cli::create_token(&config, &scope, &label).await,
        Command::RebuildRollup => cli::rebuild_rollup(&config).await,
        Command::Import { kind, file, mapping, rejects } => {
            import_cli::run(&config, kind, &file, mapping.as_deref(), rejects.as_deref()).await
        }
        Command::ExportDemo { config: demo_config, dir } => demo::export::write(&demo_config, &dir),
        Command::Serve => {
            let options =
                get_configuration(None).map_err(|e| format!("Leptos configuration: {e}"))?.leptos_options;
            let db = config.open_database().await?;
            if config.load_demo_when_empty && db.is_empty().await.map_err(|e| e.to_string())? {
                eprintln!("empty database: loading the demo data (set AFTERCARE_DEMO=0 to skip)");
                cli::run_demo(&config, &server::demo::DemoConfig::standard(42)).await?;
            }
            let addr = options.site_addr;
            let app = server::http::router_behind(db, options, config.secure_cookies, config.trusted_proxies);
            server::http::serve(app, addr).await
        }
    }
}
