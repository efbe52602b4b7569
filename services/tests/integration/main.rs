//! Integration tests of the services against real databases (SQLite and PostgreSQL).

mod common;
mod fixtures;
mod smtp_server;

mod accounts;
mod admin;
mod audit;
mod cases_open;
mod cases_user;
mod cases_processor;
mod limits;
mod loadgen;
mod second_factor;
mod passwords;
mod uploads;
mod mail;
