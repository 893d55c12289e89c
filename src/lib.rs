//! faqbot placeholder
