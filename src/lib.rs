//! faqbot: answers parents' questions about pediatric occupational and physical therapy from a
//! moderator-kept FAQ, and says so when it does not know.
//!
//! The library holds all the logic; the `faqbot` binary parses arguments and calls it.
//!
//! - [`text`], [`synonyms`] and [`matcher`]: the pure matching core (no I/O).
//! - [`faq`]: the FAQ files, parsed and checked; [`knowledge`]: an FAQ with its index;
//!   [`live`]: the FAQ in service, reloaded whole when moderators edit it.
//! - [`editor`]: moderators' changes to the FAQ files from Discord (planned and checked by
//!   [`faq::edit`]), written safely and versioned.
//! - [`reply`]: what a parent reads; [`eval`]: figures on labelled questions.
//! - [`config`]: settings from the environment; [`cli`]: the terminal reports.
//! - [`store`]: the question log, votes and the moderators' report (`SQLite`).
//! - [`discord`]: the Discord bot (poise on serenity), a thin layer over the above.
#![deny(missing_docs)]

pub mod cli;
pub mod config;
pub mod discord;
pub mod editor;
pub mod eval;
pub mod faq;
pub mod knowledge;
pub mod live;
pub mod matcher;
pub mod reply;
pub mod store;
pub mod synonyms;
pub mod text;
