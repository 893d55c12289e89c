use super::*;

fn fixture() -> Matcher {
    Matcher::new(
        [
            (
                "ot-vs-pt",
                vec![
                    "what is the difference between occupational therapy and physical therapy",
                    "ot or pt",
                    "should my child see an ot or a pt",
                ],
            ),
            (
                "book-appointment",
                vec!["how do i book an appointment", "schedule a visit"],
            ),
            (
                "fine-motor-skills",
                vec![
                    "trouble with fine motor skills",
                    "holding a pencil or crayon",
                ],
            ),
        ],
        Synonyms::new([
            ("occupational therapy", vec!["ot"]),
            ("physical therapy", vec!["pt", "physio"]),
        ]),
    )
}

#[test]
fn answers_table() {
    let matcher = fixture();
    let cases = [
        ("OT or PT for my 3 year old??", "ot-vs-pt"),
        ("physio or occupational therapy", "ot-vs-pt"),
        ("how do I book an apointment", "book-appointment"),
        ("my kid has trouble holding a crayon", "fine-motor-skills"),
    ];
    for (question, expected) in cases {
        let ranked = matcher.rank(question);
        assert_eq!(ranked[0].id, expected, "{question}: {ranked:?}");
    }
}

#[test]
fn typo_is_corrected_and_explained() {
    let explanation = fixture().explain("how do I book an apointment");
    assert_eq!(
        explanation.corrections,
        [("apointment".to_owned(), "appointment".to_owned())]
    );
    let best = &explanation.candidates[0];
    assert_eq!(best.candidate.id, "book-appointment");
    assert!(best.matched_words.contains(&"appointment".to_owned()));
}

#[test]
fn scores_are_fractions() {
    let matcher = fixture();
    for question in [
        "ot or pt",
        "x",
        "what is the difference between occupational therapy and physical therapy",
    ] {
        for c in matcher.rank(question) {
            assert!((0.0..=1.0001).contains(&c.score), "{question}: {c:?}");
        }
    }
}

#[test]
fn nothing_to_match_is_no_match() {
    let matcher = fixture();
    for question in ["", "   ", "🙂🙂", "zzzz qqqq"] {
        assert!(
            matches!(
                matcher.decide(question, &MatchConfig::DEFAULT),
                Decision::NoMatch(_)
            ),
            "{question}"
        );
    }
}

#[test]
fn unrelated_words_pull_the_score_down() {
    let matcher = fixture();
    let plain = matcher.rank("ot or pt")[0].score;
    let diluted = matcher.rank("ot or pt insurance coverage deductible")[0].score;
    assert!(diluted < plain * 0.7, "{plain} -> {diluted}");
}

#[test]
fn empty_matcher_never_answers() {
    let matcher = Matcher::new(Vec::<(String, Vec<String>)>::new(), Synonyms::default());
    assert!(matcher.is_empty());
    assert_eq!(
        matcher.decide("anything", &MatchConfig::DEFAULT),
        Decision::NoMatch(None)
    );
}

#[test]
fn decide_table() {
    let c = |id: &str, score| Candidate {
        entry: 0,
        id: id.into(),
        score,
    };
    let config = MatchConfig {
        threshold: 0.5,
        ambiguity_margin: 0.05,
        max_suggestions: 2,
    };
    let outcome = |ranked: &[Candidate]| decide(ranked, &config).outcome();
    assert_eq!(outcome(&[]), "no_match");
    assert_eq!(outcome(&[c("a", 0.49)]), "no_match");
    assert_eq!(outcome(&[c("a", 0.5)]), "answer");
    assert_eq!(outcome(&[c("a", 0.7), c("b", 0.6)]), "answer");
    assert_eq!(outcome(&[c("a", 0.7), c("b", 0.66)]), "ambiguous");
    match decide(&[c("a", 0.7), c("b", 0.69), c("c", 0.69)], &config) {
        Decision::Ambiguous(list) => assert_eq!(list.len(), 2, "max_suggestions caps the list"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn real_words_one_letter_from_an_faq_word_are_not_corrected() {
    let matcher = Matcher::new(
        [("walking", vec!["my child is not walking", "late walker"])],
        Synonyms::default(),
    );
    // A different first letter is a different word, not a typo.
    assert!(matcher
        .explain("my son keeps talking")
        .corrections
        .is_empty());
    // The same word with a letter dropped is a typo.
    assert_eq!(
        matcher.explain("not waking yet").corrections,
        [("waking".to_owned(), "walking".to_owned())]
    );
}
