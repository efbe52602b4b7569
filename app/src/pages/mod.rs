//! One module per screen.

pub mod account;
pub mod admin;
pub mod case;
pub mod case_search;
pub mod contact;
pub mod dashboard;
pub mod home;
pub mod inbox;
pub mod login;
pub mod modify;
pub mod new_case;
pub mod picker;
pub mod processor_case;
pub mod search;
pub mod search_text;
pub mod second_factor;
pub mod tokens;
pub mod verify;
pub mod workspace;
pub mod workspace_bulk;
