//! A realistic volume of data for benchmarks (`casia generate`, `bench/run.sh`): thousands of
//! authorisations of very different sizes, a million cases over two years in the substates
//! a real service would have, their history, documents (metadata) and ratings.
//!
//! PostgreSQL only: the rows are made by the database itself (`INSERT … SELECT` over
//! `generate_series`), which fills a million cases in about a minute on two cores. What runs
//! here is plain SQL on the real schema, so the application reads the result as its own.

mod plan;

use std::time::Instant;

use casia_domain::Role;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait, Statement,
    TransactionTrait,
};
use sha2::{Digest, Sha256};

use crate::Services;
use crate::accounts::hash_password;
use crate::entity::case;
use crate::error::{ServiceError, ServiceResult};

pub use plan::{
    LoadPlan, PlannedAuthorisation, authorisation_number, plan_authorisations, user_name,
};

/// Password of every generated account.
pub const LOAD_PASSWORD: &str = "casia-bench";

/// Where every generated document points (one real PDF, so downloads work).
pub const SAMPLE_DOCUMENT_KEY: &str = "bench/documento-de-ejemplo.pdf";

/// What was generated, with the time each step took.
#[derive(Clone, Debug, Default)]
pub struct LoadReport {
    pub authorisations: u64,
    pub users: u64,
    pub cases: u64,
    pub history_rows: u64,
    pub documents: u64,
    pub rated: u64,
    /// The largest authorisation's number and its first user (for benchmarks).
    pub largest_authorisation: String,
    pub largest_user: String,
    pub steps: Vec<(String, f64)>,
}

fn pg_only(db: &DatabaseConnection) -> ServiceResult<()> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Err(ServiceError::Internal(
            "the data generator needs PostgreSQL: set CASIA_DATABASE_URL=postgres://…".into(),
        ));
    }
    Ok(())
}

async fn count(db: &DatabaseConnection, sql: &str) -> ServiceResult<u64> {
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql.to_owned()))
        .await?
        .ok_or_else(|| ServiceError::Internal("no row".into()))?;
    Ok(row.try_get_by_index::<i64>(0)? as u64)
}

/// A small real PDF for the generated documents to point to.
fn sample_pdf() -> Vec<u8> {
    let body = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
                2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
                3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n";
    let xref_at = body.len();
    let mut pdf = body.to_owned();
    pdf.push_str("xref\n0 4\n0000000000 65535 f \n");
    let mut offset = 9; // after "%PDF-1.4\n"
    for line in body.lines().skip(1) {
        pdf.push_str(&format!("{offset:010} 00000 n \n"));
        offset += line.len() + 1;
    }
    pdf.push_str(&format!(
        "trailer << /Size 4 /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n"
    ));
    pdf.into_bytes()
}

/// Fills an empty PostgreSQL database (reference data only: no cases yet) with `plan`.
pub async fn generate(
    services: &Services,
    plan: &LoadPlan,
    mut progress: impl FnMut(&str),
) -> ServiceResult<LoadReport> {
    let db = &services.db;
    pg_only(db)?;
    if case::Entity::find().count(db).await? > 0 {
        return Err(ServiceError::Internal(
            "the database already has cases: generate into a new, empty database".into(),
        ));
    }
    if !(0.0..=1.0).contains(&plan.seed) {
        return Err(ServiceError::Internal(
            "the seed must be between 0 and 1".into(),
        ));
    }
    let mut report = LoadReport::default();
    let planned = plan_authorisations(plan);
    let largest = &planned[0];
    report.largest_authorisation = largest.number.clone();
    report.largest_user = user_name(&largest.number, 1);

    let pdf = sample_pdf();
    let pdf_sha = hex::encode(Sha256::digest(&pdf));
    let pdf_size = pdf.len();
    services.storage.put(SAMPLE_DOCUMENT_KEY, pdf).await?;
    // One hash for every generated account: argon2 is slow on purpose.
    let hash = hash_password(LOAD_PASSWORD)?;
    let autorizado = Role::Autorizado.code();
    let tramitador = Role::Tramitador.code();
    let supervisor = Role::Supervisor.code();

    let plan_rows: Vec<String> = planned
        .iter()
        .map(|p| format!("({}, '{}', {}, {})", p.rank, p.number, p.cases, p.users))
        .collect();
    let months = plan.months.max(1);
    let days = f64::from(months) * 30.44;

    let steps: Vec<(&str, String)> = vec![
        ("seed", format!("SELECT setseed({})", plan.seed)),
        (
            "plan",
            format!(
                "CREATE TEMP TABLE load_plan (rank int PRIMARY KEY, number text NOT NULL, n_cases int NOT NULL, n_users int NOT NULL);
                 INSERT INTO load_plan VALUES {};",
                plan_rows.join(",")
            ),
        ),
        (
            "authorisations",
            "INSERT INTO authorisations (number, company_name, nif, contact_email, notices_consent, active, created_at)
             SELECT number,
                    (ARRAY['Gestoría','Asesoría Laboral','Consultores','Graduados Sociales','Despacho'])[1 + rank % 5]
                      || ' ' || (ARRAY['del Norte','Levante','Central','Atlántica','del Sur','Mediterránea','Castellana'])[1 + rank % 7]
                      || ' ' || rank || (CASE WHEN rank % 3 = 0 THEN ', S.A.' ELSE ', S.L.' END),
                    (CASE WHEN rank % 3 = 0 THEN 'A' ELSE 'B' END) || lpad(rank::text, 8, '0'),
                    CASE WHEN rank % 2 = 0 THEN 'avisos' || rank || '@carga.example' END,
                    rank % 2 = 0, true, now()
             FROM load_plan ORDER BY rank"
                .to_owned(),
        ),
        (
            "users",
            format!(
                "INSERT INTO users (username, full_name, email, password_hash, role, lang, active, created_at)
                 SELECT 'bench-' || p.number || '-' || k,
                        (ARRAY['Ana','Luis','Marta','Jorge','Elena','Pablo','Lucía','Javier','Carmen','Raúl'])[1 + (p.rank + k) % 10]
                          || ' ' || (ARRAY['García','Martínez','López','Sánchez','Pérez','Gómez','Fernández','Ruiz'])[1 + (p.rank * 7 + k) % 8]
                          || ' ' || (ARRAY['Díaz','Moreno','Álvarez','Romero','Navarro','Torres'])[1 + (p.rank + k * 3) % 6],
                        NULL, '{hash}', '{autorizado}', 'es', true, now()
                 FROM load_plan p, generate_series(1, p.n_users) k ORDER BY p.rank, k;
                 INSERT INTO users (username, full_name, email, password_hash, role, lang, active, created_at)
                 SELECT 'bench-tramitador-' || g, 'Tramitador de carga ' || g, NULL, '{hash}', '{tramitador}', 'es', true, now()
                 FROM generate_series(1, {processors}) g;
                 INSERT INTO users (username, full_name, email, password_hash, role, lang, active, created_at)
                 SELECT 'bench-supervisor-' || g, 'Supervisor de carga ' || g, NULL, '{hash}', '{supervisor}', 'es', true, now()
                 FROM generate_series(1, 4) g;",
                processors = plan.processors.max(1)
            ),
        ),
        (
            "members",
            "INSERT INTO authorisation_members (authorisation_id, user_id, added_at)
             SELECT a.id, u.id, now() FROM users u
             JOIN authorisations a ON a.number = split_part(u.username, '-', 2)
             WHERE u.username LIKE 'bench-%' AND u.role = 'autorizado';
             UPDATE authorisations a SET main_user_id = m.first_user
             FROM (SELECT authorisation_id, min(user_id) AS first_user FROM authorisation_members GROUP BY 1) m
             WHERE m.authorisation_id = a.id AND a.number IN (SELECT number FROM load_plan);
             CREATE TEMP TABLE load_auth AS
             SELECT p.rank, a.id AS auth_id, p.n_cases, array_agg(m.user_id ORDER BY m.user_id) AS users
             FROM load_plan p JOIN authorisations a ON a.number = p.number
             JOIN authorisation_members m ON m.authorisation_id = a.id
             GROUP BY p.rank, a.id, p.n_cases;
             CREATE TEMP TABLE load_staff AS
             SELECT array_agg(id ORDER BY id) AS ids FROM users WHERE username LIKE 'bench-tramitador-%';
             CREATE TEMP TABLE load_doc_types AS
             SELECT array_agg(id ORDER BY id) AS ids FROM document_types WHERE active;"
                .to_owned(),
        ),
        (
            "classification",
            // Popular subjects get more cases: the leaf is drawn with a skew towards the
            // first ones.
            "CREATE TEMP TABLE load_leaves AS
             SELECT (row_number() OVER (ORDER BY s.id) - 1)::int AS k, t.case_type, t.id AS subject_id,
                    c.id AS category_id, s.id AS subcategory_id
             FROM taxonomy_nodes s JOIN taxonomy_nodes c ON c.id = s.parent_id JOIN taxonomy_nodes t ON t.id = c.parent_id
             WHERE s.depth = 3 AND s.active AND c.active AND t.active;"
                .to_owned(),
        ),
        (
            "cases",
            format!(
                "CREATE TEMP TABLE load_cases AS
                 SELECT a.auth_id, a.users[1 + floor(random() * cardinality(a.users))::int] AS opened_by,
                        LEAST(now() - interval '1 minute',
                              date_trunc('day', now() - random() * interval '{days} days')
                                + interval '7 hours' + random() * interval '12 hours') AS opened_at,
                        random() AS u_state, random() AS u_time, random() AS u_rate, random() AS u_misc,
                        floor(pow(random(), 1.6) * (SELECT count(*) FROM load_leaves))::int AS leaf
                 FROM load_auth a, generate_series(1, a.n_cases) g;
                 CREATE TEMP TABLE load_cases2 AS
                 SELECT c.*, l.case_type, l.subject_id, l.category_id, l.subcategory_id,
                        CASE
                          WHEN now() - c.opened_at < interval '3 days' THEN
                            CASE WHEN u_state < 0.40 THEN 'presentado' WHEN u_state < 0.70 THEN 'asignado'
                                 WHEN u_state < 0.80 THEN 'solicitada_informacion' WHEN u_state < 0.83 THEN 'solicitada_reclasificacion'
                                 WHEN u_state < 0.88 THEN 'escalado' WHEN u_state < 0.98 THEN 'resuelto' ELSE 'anulado' END
                          WHEN now() - c.opened_at < interval '30 days' THEN
                            CASE WHEN u_state < 0.05 THEN 'presentado' WHEN u_state < 0.25 THEN 'asignado'
                                 WHEN u_state < 0.33 THEN 'solicitada_informacion' WHEN u_state < 0.35 THEN 'solicitada_reclasificacion'
                                 WHEN u_state < 0.40 THEN 'escalado' WHEN u_state < 0.95 THEN 'resuelto' ELSE 'anulado' END
                          ELSE
                            CASE WHEN u_state < 0.015 THEN 'asignado' WHEN u_state < 0.025 THEN 'solicitada_informacion'
                                 WHEN u_state < 0.03 THEN 'escalado' WHEN u_state < 0.91 THEN 'resuelto' ELSE 'anulado' END
                        END AS substate
                 FROM load_cases c JOIN load_leaves l ON l.k = c.leaf;
                 INSERT INTO cases (number, authorisation_id, opened_by, opened_at, channel, state, substate, substate_at,
                                    case_type, subject_id, category_id, subcategory_id, affects_current_period, title,
                                    description, resolution, resolved_at, closed_at, assigned_to, cancellation_pending,
                                    cancellation_requested_at, rating, rating_observations, rated_at, version,
                                    resolution_deadline)
                 SELECT extract(year FROM opened_at AT TIME ZONE 'Europe/Madrid')::bigint * 10000000
                          + row_number() OVER (PARTITION BY extract(year FROM opened_at AT TIME ZONE 'Europe/Madrid') ORDER BY opened_at),
                        auth_id, opened_by, opened_at,
                        CASE WHEN u_misc < 0.95 THEN 'web' WHEN u_misc < 0.98 THEN 'telefono' ELSE 'correo' END,
                        CASE WHEN substate IN ('resuelto', 'anulado') THEN 'cerrado' ELSE 'abierto' END,
                        substate,
                        CASE WHEN substate = 'presentado' THEN opened_at
                             ELSE opened_at + LEAST(now() - opened_at, pow(u_time, 2) * interval '20 days') END,
                        case_type, subject_id, category_id, subcategory_id, u_misc < 0.15,
                        (ARRAY['Alta fuera de plazo de un trabajador','Error en la liquidación del mes',
                               'Consulta sobre bonificación por contratación','Devolución de cuotas ingresadas de más',
                               'Baja por fin de contrato no reflejada','Incidencia al enviar el fichero CRA',
                               'Aplazamiento de deuda: documentación','Parte de IT no recibido',
                               'Cambio de base de cotización','Acceso al Sistema RED denegado'])[1 + floor(u_misc * 1000)::int % 10],
                        'Caso generado para las pruebas de rendimiento. Se describe la situación del trabajador, '
                          || 'los periodos afectados y la documentación que se aporta para su tramitación.',
                        CASE WHEN substate = 'resuelto' THEN 'Se ha revisado la solicitud y se ha corregido la situación indicada. '
                          || 'Puede comprobarlo en la consulta de movimientos del Sistema RED.' END,
                        CASE WHEN substate = 'resuelto' THEN opened_at + LEAST(now() - opened_at, pow(u_time, 2) * interval '20 days') END,
                        CASE WHEN substate IN ('resuelto', 'anulado') THEN opened_at + LEAST(now() - opened_at, pow(u_time, 2) * interval '20 days') END,
                        CASE WHEN substate = 'presentado' OR (substate = 'anulado' AND u_rate < 0.5) THEN NULL
                             ELSE staff.ids[1 + floor(u_rate * 997)::int % cardinality(staff.ids)] END,
                        substate = 'asignado' AND u_rate > 0.97,
                        CASE WHEN substate = 'asignado' AND u_rate > 0.97 THEN now() - u_time * interval '2 days' END,
                        CASE WHEN substate = 'resuelto' AND u_rate < 0.35 THEN
                          CASE WHEN u_misc < 0.07 THEN 1 WHEN u_misc < 0.15 THEN 2 WHEN u_misc < 0.30 THEN 3 WHEN u_misc < 0.60 THEN 4 ELSE 5 END END,
                        CASE WHEN substate = 'resuelto' AND u_rate < 0.10 THEN 'Atención rápida y clara.' END,
                        CASE WHEN substate = 'resuelto' AND u_rate < 0.35 THEN LEAST(now(), opened_at + interval '21 days') END,
                        CASE WHEN substate = 'presentado' THEN 0 ELSE 2 END,
                        -- Plazos: about 20 business days (the generator has no calendar).
                        (opened_at AT TIME ZONE 'Europe/Madrid')::date + 28
                 FROM load_cases2, load_staff staff;
                 INSERT INTO case_counters (year, last_value)
                 SELECT (number / 10000000)::int, max(number % 10000000) FROM cases GROUP BY 1
                 ON CONFLICT (year) DO UPDATE SET last_value = GREATEST(case_counters.last_value, excluded.last_value);"
            ),
        ),
        (
            "history",
            // The path each case took: opened; taken by a processor (unless cancelled before);
            // then where it is now.
            "INSERT INTO case_history (case_id, state, substate, at, observations, action, actor_id)
             SELECT id, 'abierto', 'presentado', opened_at, '', 'open', opened_by FROM cases;
             INSERT INTO case_history (case_id, state, substate, at, observations, action, actor_id)
             SELECT id, 'abierto', 'asignado', opened_at + (substate_at - opened_at) * 0.3, '', 'take', assigned_to
             FROM cases WHERE assigned_to IS NOT NULL;
             INSERT INTO case_history (case_id, state, substate, at, observations, action, actor_id)
             SELECT id, state, substate, substate_at,
                    CASE substate WHEN 'resuelto' THEN coalesce(resolution, '')
                                  WHEN 'solicitada_informacion' THEN 'Aporte el contrato de trabajo firmado.'
                                  WHEN 'solicitada_reclasificacion' THEN 'El caso corresponde a otra materia.'
                                  ELSE '' END,
                    CASE substate WHEN 'resuelto' THEN 'resolve' WHEN 'escalado' THEN 'escalate'
                                  WHEN 'solicitada_informacion' THEN 'request_information'
                                  WHEN 'solicitada_reclasificacion' THEN 'request_reclassification'
                                  ELSE CASE WHEN assigned_to IS NULL THEN 'request_cancellation' ELSE 'approve_cancellation' END END,
                    CASE WHEN substate = 'anulado' AND assigned_to IS NULL THEN opened_by ELSE assigned_to END
             FROM cases WHERE substate NOT IN ('presentado', 'asignado');"
                .to_owned(),
        ),
        (
            "documents",
            format!(
                "INSERT INTO documents (case_id, document_type_id, title, original_name, size_bytes, media_type, sha256,
                                        storage_key, attached_at, attached_by, from_processor)
                 SELECT c.id, t.ids[1 + ((c.id + d) % cardinality(t.ids))::int],
                        'Documento ' || d, 'documento-' || d || '.pdf', {pdf_size}, 'application/pdf', '{pdf_sha}',
                        '{SAMPLE_DOCUMENT_KEY}', c.opened_at, c.opened_by, false
                 FROM load_doc_types t, cases c, generate_series(1, CASE WHEN c.case_type = 'tramite' THEN 1 + (c.id % 3)::int
                                                       WHEN c.id % 10 < 3 THEN 1 ELSE 0 END) d;"
            ),
        ),
    ];

    // One transaction: the temporary tables and the random seed live on its connection, and
    // a failure leaves the database as it was.
    let tx = db.begin().await?;
    for (name, sql) in steps {
        progress(name);
        let started = Instant::now();
        tx.execute_unprepared(&sql).await?;
        report
            .steps
            .push((name.to_owned(), started.elapsed().as_secs_f64()));
    }
    tx.execute_unprepared("DROP TABLE load_plan, load_auth, load_staff, load_doc_types, load_leaves, load_cases, load_cases2")
        .await?;
    progress("commit");
    let started = Instant::now();
    tx.commit().await?;
    report
        .steps
        .push(("commit".to_owned(), started.elapsed().as_secs_f64()));
    progress("analyse");
    let started = Instant::now();
    db.execute_unprepared("ANALYZE").await?;
    report
        .steps
        .push(("analyse".to_owned(), started.elapsed().as_secs_f64()));

    report.authorisations = count(
        db,
        "SELECT count(*) FROM authorisations WHERE number >= '1000000'",
    )
    .await?;
    report.users = count(
        db,
        "SELECT count(*) FROM users WHERE username LIKE 'bench-%'",
    )
    .await?;
    report.cases = count(db, "SELECT count(*) FROM cases").await?;
    report.history_rows = count(db, "SELECT count(*) FROM case_history").await?;
    report.documents = count(db, "SELECT count(*) FROM documents").await?;
    report.rated = count(db, "SELECT count(*) FROM cases WHERE rating IS NOT NULL").await?;
    Ok(report)
}
