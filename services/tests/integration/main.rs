//! Integration tests of the services against real databases (SQLite and PostgreSQL).

mod fixtures;
mod smtp_server;

mod accounts;
mod admin;
mod audit;
mod cases_open;
mod cases_processor;
mod cases_user;
mod limits;
#[cfg(feature = "bench")]
mod loadgen;
mod mail;
mod passwords;
mod plazos;
mod s3;
mod second_factor;
mod uploads;
