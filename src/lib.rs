//! faqbot placeholder

pub mod store;
