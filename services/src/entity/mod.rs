//! sea-orm entities, one per table (see the migration for the schema).

pub mod audit_log;
pub mod authorisation;
pub mod authorisation_member;
pub mod calendar;
pub mod case;
pub mod case_counter;
pub mod case_event;
pub mod case_history;
pub mod case_message;
pub mod case_note;
pub mod deadline_target;
pub mod document;
pub mod document_type;
pub mod holiday;
pub mod login_failure;
pub mod notice;
pub mod notice_read;
pub mod receipt;
pub mod recovery_code;
pub mod second_factor;
pub mod second_factor_failure;
pub mod session;
pub mod submission;
pub mod taxonomy_node;
pub mod upload;
pub mod user;
