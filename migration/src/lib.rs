//! Casia's schema, as ordered migrations. They run at start-up and at the start of every test
//! database; nothing builds the schema from the entities.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_initial;
mod m20261123_000001_search_indexes;
mod m20261201_000001_audit_log;
mod m20261201_000002_second_factor;
mod m20261201_000003_passwords_sessions;
mod m20261201_000004_verification_limits;
mod m20261201_000005_audit_indexes;
mod m20261201_000006_receipt_classification;
mod m20261202_000001_plazos;
mod m20261203_000001_api;
mod m20261204_000001_full_text;
mod m20261205_000001_case_events;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_initial::Migration),
            Box::new(m20261123_000001_search_indexes::Migration),
            Box::new(m20261201_000001_audit_log::Migration),
            Box::new(m20261201_000002_second_factor::Migration),
            Box::new(m20261201_000005_audit_indexes::Migration),
            Box::new(m20261201_000004_verification_limits::Migration),
            Box::new(m20261201_000003_passwords_sessions::Migration),
            Box::new(m20261201_000006_receipt_classification::Migration),
            Box::new(m20261202_000001_plazos::Migration),
            Box::new(m20261203_000001_api::Migration),
            Box::new(m20261204_000001_full_text::Migration),
            Box::new(m20261205_000001_case_events::Migration),
        ]
    }
}
pub use m20261202_000001_plazos::NATIONAL as NATIONAL_CALENDAR;
