//! copylab's training lab: the exercises (the built-in scenarios that fail, rated and grouped by the check that fails), the changes a trainee may make, a seeded exam, and their words in English and Japanese.
//!
//! Without features this crate is pure (no HTTP, no tokio): the terminal quiz (`copylab quiz`)
//! uses it so. With `web`, [`web`] adds the browser lab on `copylab serve`'s port: its pages,
//! its sessions (each a world of its own, run through the server's call pipeline) and its routes.

pub mod exam;
pub mod exercises;
pub mod i18n;
pub mod text;
#[cfg(feature = "web")]
pub mod web;
