//! faqbot: answers parents' questions about pediatric occupational and physical therapy from a
//! moderator-kept FAQ, and says so when it does not know.
//!
//! The library holds all the logic; the `faqbot` binary parses arguments and calls it.
//! [`text`], [`synonyms`] and [`matcher`] are the pure matching core (no I/O).
#![deny(missing_docs)]

pub mod faq;
pub mod matcher;
pub mod synonyms;
pub mod text;
