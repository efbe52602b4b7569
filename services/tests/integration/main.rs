//! Integration tests of the services against real databases (SQLite and PostgreSQL).

mod fixtures;
mod smtp_server;

mod accounts;
mod admin;
mod audit;
mod bulk;
mod cases_open;
mod cases_processor;
mod cases_user;
mod full_text;
mod limits;
mod live;
#[cfg(feature = "bench")]
mod loadgen;
mod mail;
mod passwords;
mod plazos;
mod s3;
mod second_factor;
mod uploads;
