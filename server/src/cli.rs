//! Operator commands: serve, migrate, demo data, accounts and authorisations.

use std::path::PathBuf;

use casia_domain::model::ApiScope;
use casia_domain::{Lang, Role};
use casia_services::accounts::{self, NewUser};
use casia_services::api_tokens;
use casia_services::authorisations::{self, NewAuthorisation};
use casia_services::entity::{authorisation, user};
use casia_services::{Config, ServiceError, Services};
use clap::{Parser, Subcommand};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

#[derive(Parser)]
#[command(
    name = "casia",
    version,
    about = "Casia: case management for RED authorised users"
)]
pub struct Cli {
    /// Configuration file (TOML). Environment variables `CASIA_*` override it.
    #[arg(long, global = true, env = "CASIA_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default). Applies migrations; loads the demo accounts into an
    /// empty database when `demo_data = true` (CASIA_DEMO_DATA=true, as scripts/run.sh does).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo accounts and authorisations into an empty database.
    Demo,
    /// Create a personal account. The password is read from the terminal or `CASIA_NEW_PASSWORD`.
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// autorizado, tramitador, supervisor or administrador.
        #[arg(long)]
        role: String,
        #[arg(long)]
        email: Option<String>,
        /// es or en.
        #[arg(long, default_value = "es")]
        lang: String,
    },
    /// Create an authorisation (autorización RED).
    CreateAuthorisation {
        /// Nº Autorización (digits).
        #[arg(long)]
        number: String,
        /// Razón Social.
        #[arg(long)]
        name: String,
        #[arg(long)]
        nif: String,
        /// Contact address for notices.
        #[arg(long)]
        email: Option<String>,
        /// The authorisation consents to receive notices by email.
        #[arg(long)]
        consent: bool,
    },
    /// Fill an empty PostgreSQL database with a realistic volume for benchmarks (bench/run.sh):
    /// authorisations of skewed sizes, their users, cases over the last months with history,
    /// documents and ratings. Every generated account's password is `casia-bench`.
    /// Only in a build with the `bench` feature (bench/run.sh makes one).
    #[cfg(feature = "bench")]
    Generate {
        #[arg(long, default_value_t = 1_000_000)]
        cases: u64,
        #[arg(long, default_value_t = 2_000)]
        authorisations: u32,
        #[arg(long, default_value_t = 24)]
        months: u32,
        /// Zipf exponent of the authorisations' sizes.
        #[arg(long, default_value_t = 1.0)]
        skew: f64,
        /// Between 0 and 1: the same seed gives the same data.
        #[arg(long, default_value_t = 0.42)]
        seed: f64,
    },
    /// Create an integration API token for an authorised user acting for one of their
    /// authorisations. Prints the token (shown this once: only its hash is kept) alone on the
    /// last line.
    CreateToken {
        #[arg(long)]
        username: String,
        /// Nº Autorización.
        #[arg(long)]
        authorisation: String,
        /// A name to recognise it on `Tokens de acceso` (e.g. the program that uses it).
        #[arg(long, default_value = "API")]
        name: String,
        /// Comma-separated: cases:read, cases:write, notices:read, webhooks.
        #[arg(long, default_value = "cases:read,cases:write,notices:read")]
        scopes: String,
        /// Days until it stops working (none: until revoked).
        #[arg(long)]
        expires_days: Option<i64>,
    },
    /// Print the integration API's OpenAPI 3.1 document.
    Openapi,
    /// Add an authorised user to an authorisation.
    AddMember {
        /// Nº Autorización.
        #[arg(long)]
        authorisation: String,
        #[arg(long)]
        username: String,
        /// Make them the authorisation's main user.
        #[arg(long)]
        main: bool,
    },
}

pub async fn run(cli: Cli) -> Result<(), String> {
    let config = Config::load(cli.config.as_deref()).map_err(|e| format!("configuration: {e}"))?;
    crate::telemetry::init_tracing(&config.log, config.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => crate::web::serve(config).await,
        Command::Migrate => {
            start(config).await?;
            println!("Migraciones aplicadas.");
            Ok(())
        }
        Command::Demo => {
            let s = start(config).await?;
            if casia_services::demo::load(&s).await.map_err(explain)? {
                print_demo_logins(s.config.auth.staff_mfa);
            } else {
                println!(
                    "La base de datos ya tiene cuentas: no se cargan los datos de demostración."
                );
            }
            Ok(())
        }
        Command::CreateUser {
            username,
            name,
            role,
            email,
            lang,
        } => {
            let role = Role::from_code(&role).ok_or_else(|| {
                format!(
                    "role must be one of: {}",
                    Role::ALL
                        .iter()
                        .map(|r| r.code())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
            let lang = Lang::from_code(&lang).ok_or("lang must be es or en")?;
            let password = match std::env::var("CASIA_NEW_PASSWORD") {
                Ok(p) => p,
                Err(_) => rpassword::prompt_password("Contraseña: ").map_err(|e| e.to_string())?,
            };
            let s = start(config).await?;
            let u = accounts::create_user(
                &s.db,
                NewUser {
                    username: &username,
                    full_name: &name,
                    email: email.as_deref(),
                    password: &password,
                    role,
                    lang,
                },
            )
            .await
            .map_err(explain)?;
            println!("Usuario creado: {} ({})", u.username, u.role);
            Ok(())
        }
        Command::CreateAuthorisation {
            number,
            name,
            nif,
            email,
            consent,
        } => {
            let s = start(config).await?;
            let a = authorisations::create_authorisation(
                &s.db,
                NewAuthorisation {
                    number: &number,
                    company_name: &name,
                    nif: &nif,
                    contact_email: email.as_deref(),
                    notices_consent: consent,
                },
            )
            .await
            .map_err(explain)?;
            println!("Autorización creada: {} {}", a.number, a.company_name);
            Ok(())
        }
        #[cfg(feature = "bench")]
        Command::Generate {
            cases,
            authorisations,
            months,
            skew,
            seed,
        } => {
            use casia_services::loadgen::{self, LoadPlan};
            if authorisations == 0 || cases < u64::from(authorisations) {
                return Err(
                    "--cases must be at least --authorisations (every authorisation gets a case)"
                        .into(),
                );
            }
            let plan = LoadPlan {
                cases,
                authorisations,
                months,
                skew,
                seed,
                ..LoadPlan::default()
            };
            let s = start(config).await?;
            let started = std::time::Instant::now();
            let report = loadgen::generate(&s, &plan, |step| println!("… {step}"))
                .await
                .map_err(explain)?;
            println!(
                "Generados en {:.1} s: {} autorizaciones, {} usuarios, {} casos, {} filas de histórico, {} documentos, {} valoraciones.",
                started.elapsed().as_secs_f64(),
                report.authorisations,
                report.users,
                report.cases,
                report.history_rows,
                report.documents,
                report.rated
            );
            for (step, seconds) in &report.steps {
                println!("  {step:<15} {seconds:>7.1} s");
            }
            println!(
                "La mayor autorización es {}; su primer usuario, {} (contraseña {}).",
                report.largest_authorisation,
                report.largest_user,
                loadgen::LOAD_PASSWORD
            );
            Ok(())
        }
        Command::CreateToken {
            username,
            authorisation,
            name,
            scopes,
            expires_days,
        } => {
            let scopes = ApiScope::parse_list(&scopes).map_err(|e| {
                format!(
                    "unknown scope {:?}; the scopes are: {}",
                    e.code,
                    ApiScope::join(ApiScope::ALL)
                )
            })?;
            let s = start(config).await?;
            let issued = api_tokens::create(
                &s.db,
                api_tokens::NewToken {
                    username: &username,
                    authorisation_number: &authorisation,
                    name: &name,
                    scopes,
                    expires_days,
                },
            )
            .await
            .map_err(explain)?;
            println!(
                "Token «{}» creado para {} en la autorización {} ({}). Guárdelo ahora: no volverá a mostrarse.",
                issued.row.name,
                accounts::normalise_username(&username),
                authorisation.trim(),
                issued.row.scopes
            );
            println!("{}", issued.token);
            Ok(())
        }
        Command::Openapi => {
            println!("{}", app::api_v1::openapi_json());
            Ok(())
        }
        Command::AddMember {
            authorisation,
            username,
            main,
        } => {
            let s = start(config).await?;
            let a = authorisation::Entity::find()
                .filter(authorisation::Column::Number.eq(authorisation.trim()))
                .one(&s.db)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no authorisation number {authorisation}"))?;
            let u = user::Entity::find()
                .filter(user::Column::Username.eq(accounts::normalise_username(&username)))
                .one(&s.db)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no user {username}"))?;
            authorisations::add_member(&s.db, a.id, u.id, main)
                .await
                .map_err(explain)?;
            println!(
                "{} añadido a la autorización {}{}",
                u.username,
                a.number,
                if main { " como usuario principal" } else { "" }
            );
            Ok(())
        }
    }
}

async fn start(config: Config) -> Result<Services, String> {
    Services::start(config).await.map_err(explain)
}

/// Operator-facing text for a service error (the operator may see details).
pub fn explain(e: ServiceError) -> String {
    match e {
        ServiceError::Invalid(errors) => errors
            .iter()
            .map(|e| {
                format!(
                    "{}: {}",
                    e.field,
                    casia_domain::i18n::field_problem_text(&e.problem, Lang::En)
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

pub fn print_demo_logins(staff_mfa: casia_services::config::StaffMfa) {
    println!(
        "Datos de demostración cargados. Cuentas (contraseña para todas: {}):",
        casia_services::demo::DEMO_PASSWORD
    );
    for (username, name, role) in casia_services::demo::DEMO_USERS {
        println!("  {username:<12} {role:<14} {name}", role = role.code());
    }
    match staff_mfa {
        casia_services::config::StaffMfa::Optional => println!(
            "La demostración funciona con la verificación en dos pasos opcional para el personal \
             (tramitadores, supervisores y administradores); para exigirla: CASIA_AUTH__STAFF_MFA=required."
        ),
        casia_services::config::StaffMfa::Required => println!(
            "La verificación en dos pasos es obligatoria para el personal: tramitadores, supervisores y \
             administradores la activarán en /cuenta/segundo-factor al entrar (CASIA_AUTH__STAFF_MFA=optional la hace opcional)."
        ),
    }
}
