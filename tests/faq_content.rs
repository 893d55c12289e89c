//! The shipped FAQ: the fixed ids of `faq-topics.md`, enough phrasings, sourced answers that fit
//! an embed, and contact details left to configuration.

use faqbot::faq::{load_dir, MIN_QUESTIONS};

/// The ids the evaluation sets label questions with (`shared/faq-topics.md`).
const IDS: [&str; 19] = [
    "book-appointment",
    "daily-living-skills",
    "fine-motor-skills",
    "gross-motor-skills",
    "helping-at-home",
    "injury-recovery",
    "low-muscle-tone",
    "ot-and-pt-together",
    "ot-session",
    "ot-vs-pt",
    "pt-visit",
    "school-skills",
    "sensory-processing",
    "services-offered",
    "therapist-qualifications",
    "therapy-methods",
    "what-is-ot",
    "what-is-pt",
    "when-to-seek-therapy",
];

#[test]
fn the_shipped_faq_has_exactly_the_fixed_ids_and_checks_clean() {
    let checked =
        load_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/faq").as_ref()).expect("faq/ is valid");
    assert!(checked.warnings.is_empty(), "{:#?}", checked.warnings);
    let mut ids: Vec<&str> = checked
        .faq
        .entries()
        .iter()
        .map(|e| e.id.as_str())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, IDS);
}

#[test]
fn every_entry_is_sourced_phrased_many_ways_and_fits_an_embed() {
    let checked =
        load_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/faq").as_ref()).expect("faq/ is valid");
    for entry in checked.faq.entries() {
        assert!(entry.questions.len() >= MIN_QUESTIONS, "{}", entry.id);
        assert!(!entry.sources.is_empty(), "{} names no source", entry.id);
        assert!(entry.answer.chars().count() <= 1200, "{} is long", entry.id);
        assert!(
            !entry.related.is_empty(),
            "{} has no related entries",
            entry.id
        );
        // The clinic is configuration: no answer names one or gives a phone number or link.
        assert!(!entry.answer.contains("Circle of Care"), "{}", entry.id);
        assert!(!entry.answer.contains("http"), "{}", entry.id);
    }
    let booking = checked
        .faq
        .get("book-appointment")
        .expect("book-appointment");
    for placeholder in ["{clinic_name}", "{appointment_url}", "{appointment_phone}"] {
        assert!(booking.answer.contains(placeholder), "{placeholder}");
    }
}
