//! Properties that must hold for any input: a parent can type anything, a moderator can save
//! anything, and neither may crash the bot.

use faqbot::faq::{Faq, SourceFile};
use faqbot::knowledge::Knowledge;
use faqbot::matcher::{Decision, MatchConfig};
use proptest::prelude::*;
use std::sync::OnceLock;

fn knowledge() -> &'static Knowledge {
    static KNOWLEDGE: OnceLock<Knowledge> = OnceLock::new();
    KNOWLEDGE.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/faq");
        Knowledge::load(dir.as_ref(), MatchConfig::DEFAULT)
            .expect("faq/ loads")
            .0
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn matching_any_unicode_never_panics(question in proptest::string::string_regex("(?s).{0,20000}").expect("regex")) {
        let k = knowledge();
        let decision = k.ask(&question);
        if let Some(best) = decision.best() {
            prop_assert!((0.0..=1.0001).contains(&best.score), "{}", best.score);
        }
        let _ = k.explain(&question);
    }

    #[test]
    fn matching_any_chars_never_panics(chars in proptest::collection::vec(any::<char>(), 0..20000)) {
        let question: String = chars.into_iter().collect();
        let _ = knowledge().ask(&question);
    }

    #[test]
    fn loading_any_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..4096), name in "[a-z-]{1,12}\\.md") {
        let files = [SourceFile { name, bytes }];
        let _ = Faq::from_files(&files);
    }

    #[test]
    fn loading_mangled_entries_never_panics(cut in 0usize..2000, insert in any::<char>()) {
        // A real entry, cut or with a stray character: the shapes a half-saved edit has.
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/faq/ot-vs-pt.md")).expect("entry");
        let mut chars: Vec<char> = text.chars().collect();
        let at = cut.min(chars.len());
        chars.insert(at, insert);
        let mangled: String = chars.iter().collect();
        let truncated: String = chars[..at].iter().collect();
        for bytes in [mangled.into_bytes(), truncated.into_bytes()] {
            let _ = Faq::from_files(&[SourceFile { name: "ot-vs-pt.md".into(), bytes }]);
        }
    }
}

#[test]
fn a_huge_message_is_answered_like_a_short_one() {
    let question = format!("what is occupational therapy {}", "🙂 ".repeat(50_000));
    match knowledge().ask(&question) {
        Decision::Answer(c) => assert_eq!(c.id, "what-is-ot"),
        other => panic!("{other:?}"),
    }
}
