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
    // A real English word is what was typed, even one letter from an FAQ word.
    assert!(matcher.explain("not waking yet").corrections.is_empty());
    // A word that is no English word, with a letter dropped, is a typo.
    assert_eq!(
        matcher.explain("not walkng yet").corrections,
        [("walkng".to_owned(), "walking".to_owned())]
    );
}

/// A small FAQ with the shape of the real one: OT entries, PT entries, one that covers both,
/// and `[alternatives] therapy = ["occupational", "physical"]`.
fn therapy_fixture() -> Matcher {
    Matcher::new(
        [
            (
                "ot-session",
                vec![
                    "what happens in an OT session",
                    "what does an OT session look like",
                    "is OT just playing games",
                ],
            ),
            (
                "pt-visit",
                vec![
                    "what happens at the first PT evaluation",
                    "what will the physio do at the first visit",
                    "PT evaluation, what to expect",
                ],
            ),
            (
                "ot-vs-pt",
                vec![
                    "what is the difference between OT and PT",
                    "OT or PT for my child",
                    "how are occupational and physical therapy different",
                ],
            ),
            (
                "fine-motor",
                vec![
                    "my child cant hold a pencil",
                    "trouble with fine motor skills like buttons",
                ],
            ),
        ],
        Synonyms::new([
            ("occupational therapy", vec!["ot"]),
            ("physical therapy", vec!["pt", "physio"]),
            ("child", vec!["son", "daughter", "kid"]),
            ("evaluation", vec!["eval"]),
        ])
        .with_alternatives(vec![vec!["occupational".into(), "physical".into()]]),
    )
}

fn help_channel(matcher: &Matcher, message: &str) -> Decision {
    matcher
        .read(message, Addressing::HelpChannel)
        .decide(&MatchConfig::DEFAULT)
}

#[test]
fn chit_chat_in_a_help_channel_is_not_a_question() {
    let m = therapy_fixture();
    for message in [
        "thanks!!",
        "my son loved his first OT session today!!",
        "did your daughter do PT too? how did she like it?",
        "we start OT next week, wish us luck",
    ] {
        let decision = help_channel(&m, message);
        assert!(
            matches!(decision, Decision::NotAQuestion(_) | Decision::NoMatch(_)),
            "{message}: {decision:?}"
        );
    }
}

#[test]
fn thanks_and_hi_addressed_to_the_bot_get_a_warm_word() {
    let m = therapy_fixture();
    let decide = |text| m.decide(text, &MatchConfig::DEFAULT);
    assert_eq!(
        decide("thank you so much!"),
        Decision::NotAQuestion(Chatter::Thanks)
    );
    assert_eq!(decide("hi"), Decision::NotAQuestion(Chatter::Greeting));
}

#[test]
fn an_ot_question_is_not_answered_with_a_pt_entry() {
    // Issue 8: "what happens at an OT evaluation" went to the PT visit entry.
    let reading =
        therapy_fixture().read("what happens at an OT evaluation?", Addressing::HelpChannel);
    let window = reading
        .deciding_window(MatchConfig::DEFAULT.threshold)
        .expect("a window");
    let pt = window
        .candidates
        .iter()
        .find(|j| j.candidate.id == "pt-visit")
        .expect("pt-visit ranked");
    assert!(
        matches!(pt.refusal, Some(Refusal::OtherAlternative { .. })),
        "{pt:?}"
    );
    assert!(
        !matches!(reading.decide(&MatchConfig::DEFAULT), Decision::Answer(ref c) if c.id == "pt-visit")
    );
}

#[test]
fn a_question_whose_topic_no_entry_covers_is_refused() {
    // Issue 8: on-topic but uncovered questions were answered by the entry sharing "OT session".
    let m = therapy_fixture();
    for message in [
        "do you offer telehealth or online OT sessions?",
        "how long is each OT session?",
    ] {
        let decision = help_channel(&m, message);
        assert!(
            !matches!(decision, Decision::Answer(_)),
            "{message}: {decision:?}"
        );
    }
}

#[test]
fn a_message_with_two_questions_answers_the_covered_one() {
    let m = therapy_fixture();
    let decision = help_channel(
        &m,
        "does insurance cover it? and what happens in an OT session?",
    );
    assert!(
        matches!(&decision, Decision::Answer(c) if c.id == "ot-session"),
        "{decision:?}"
    );
}

#[test]
fn a_question_with_too_little_of_its_own_is_read_with_the_sentence_before() {
    let m = therapy_fixture();
    let reading = m.read(
        "my daughter cant hold a pencil and struggles with buttons. any advice?",
        Addressing::HelpChannel,
    );
    let window = reading
        .deciding_window(MatchConfig::DEFAULT.threshold)
        .expect("a window");
    assert_eq!(window.parts, 0..2);
    assert!(
        matches!(reading.decide(&MatchConfig::DEFAULT), Decision::Answer(ref c) if c.id == "fine-motor")
    );
}

#[test]
fn an_acronym_or_a_name_is_not_corrected_into_an_english_word() {
    let explanation = fixture().explain("will the OT come to his IEP meeting with Noor");
    assert!(
        explanation.corrections.is_empty(),
        "{:?}",
        explanation.corrections
    );
    assert!(explanation.words.contains(&"iep".to_owned()));
    // Typed in lower case, the same word is a typo as before.
    let lower = fixture().explain("how do i book an apointment");
    assert!(!lower.corrections.is_empty());
}

#[test]
fn a_colon_ends_a_lead_in() {
    let parts = message::split("two quick questions: what is OT, and is there parking");
    assert_eq!(parts[0].text, "two quick questions");
    assert!(parts.len() >= 2, "{parts:?}");
}

#[test]
fn but_opens_a_clause_of_its_own() {
    let parts = message::split("i know it isnt your area but can OT help with buttons");
    let texts: Vec<&str> = parts.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(
        texts,
        ["i know it isnt your area", "but can OT help with buttons"]
    );
    // Inside a word it is no break ("button", "butter").
    assert_eq!(message::split("buttons and butter").len(), 1);
}

#[test]
fn the_last_question_asked_decides_when_both_are_answerable() {
    // The first question is a remark; the one after it is what the parent wants to know.
    let matcher = therapy_fixture();
    let decision = help_channel(
        &matcher,
        "isnt OT or PT for my child the same? what happens in an OT session",
    );
    assert_eq!(decision.best().map(|c| c.id.as_str()), Some("ot-session"));
    let decision = help_channel(
        &matcher,
        "what happens in an OT session? OT or PT for my child, what is the difference",
    );
    assert_eq!(decision.best().map(|c| c.id.as_str()), Some("ot-vs-pt"));
}

#[test]
fn the_ot_version_of_a_pt_entry_is_not_answered_by_another_ot_entry() {
    // "the first OT evaluation" is the PT visit entry's question asked of OT: the OT session
    // entry, which shares "what happens" and "OT", does not answer it.
    let matcher = therapy_fixture();
    let decision = help_channel(&matcher, "what happens at the first OT evaluation?");
    assert!(
        !matches!(decision, Decision::Answer(_) | Decision::Ambiguous(_)),
        "{decision:?}"
    );
}

#[test]
fn a_candidate_that_leaves_the_topic_uncovered_keeps_half_its_score() {
    let judged = |id: &str, entry: usize, score: f32, refusal: Option<Refusal>| Judged {
        candidate: Candidate {
            entry,
            id: id.into(),
            score,
        },
        refusal,
        parts: [0.0; 4],
        matched: Vec::new(),
    };
    let window = Window {
        parts: 0..1,
        question: 0..1,
        words: Vec::new(),
        candidates: vec![
            judged(
                "a",
                0,
                0.8,
                Some(Refusal::TopicNotCovered(vec!["helmet".into()])),
            ),
            judged("b", 1, 0.5, None),
            judged("c", 2, 0.45, Some(Refusal::NothingShared)),
        ],
    };
    let kept = window.admissible();
    let ids: Vec<&str> = kept.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["b", "a"]);
    assert!((kept[1].score - 0.8 * UNCOVERED_TOPIC_FACTOR).abs() < 1e-6);
}

#[test]
fn a_message_of_many_misspelt_words_looks_up_a_bounded_number() {
    // "apointment" is corrected each time it is looked up; past the bound it is read as typed.
    let message = "apointment. ".repeat(MAX_TYPO_LOOKUPS * 2);
    let reading = fixture().read(&message, Addressing::Direct);
    assert_eq!(reading.corrections.len(), MAX_TYPO_LOOKUPS);
}

#[test]
fn top_k_in_one_pass_is_the_sorted_best_with_ties_to_the_first_entry() {
    let docs: Vec<(String, Vec<String>)> = (0..8)
        .map(|i| (format!("e{i}"), vec![format!("word{i}")]))
        .collect();
    let matcher = Matcher::new(docs, Synonyms::default());
    // Ties (entries 1, 4, 6), zeros and a negative, which never rank.
    let scores = [0.2, 0.5, 0.0, 0.9, 0.5, -0.1, 0.5, 0.3];
    // One scorer holds the scores, so that each entry's mean is its score over four.
    let parts: [Vec<f32>; 4] = std::array::from_fn(|i| {
        if i == 0 {
            scores.to_vec()
        } else {
            vec![0.0; 8]
        }
    });
    for k in 1..=9 {
        let mut expected: Vec<(usize, f32)> = scores
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, s)| *s > 0.0)
            .map(|(entry, s)| (entry, s / 4.0))
            .collect();
        expected.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        expected.truncate(k);
        let got: Vec<(usize, f32)> = matcher
            .top(&parts, k)
            .iter()
            .map(|c| (c.entry, c.score))
            .collect();
        assert_eq!(got, expected, "k = {k}");
    }
}

#[test]
fn an_uncovered_name_of_two_words_counts_as_one_thing() {
    // "hong kong" is one place: two unknown words side by side name one thing, and one unknown
    // thing in a question whose other topic word the entry holds is a detail, not the subject
    // (CLINC150's in-scope queries are full of such names). Counted as two words, it refused
    // the entry.
    // The timezone entry names one city, and two other entries say "timezone": it is not open
    // (see OPEN_ENTRY_SHARE) and "timezone" is not its own word (see OWN_WORD_MAX_ENTRIES).
    let matcher = Matcher::new(
        [
            (
                "timezone",
                vec![
                    "what timezone is paris in",
                    "tell me the timezone of paris",
                    "which timezone does paris use",
                ],
            ),
            (
                "weather",
                vec![
                    "what is the weather like today",
                    "will it rain in my timezone",
                ],
            ),
            ("clock", vec!["set the clock to my timezone"]),
        ],
        Synonyms::default(),
    );
    let reading = matcher.read("what timezone is hong kong in", Addressing::Direct);
    let window = reading.deciding_window(0.0).expect("a window");
    let best = &window.candidates[0];
    assert_eq!(best.candidate.id, "timezone");
    assert_eq!(best.refusal, None, "{best:?}");
    // Two unknown words apart are two things the entry does not hold.
    let reading = matcher.read("what timezone is hong in or else kong", Addressing::Direct);
    let window = reading.deciding_window(0.0).expect("a window");
    assert!(
        matches!(
            window.candidates[0].refusal,
            Some(Refusal::TopicNotCovered(_))
        ),
        "{window:?}"
    );
}

/// A refusal's verdict on the best candidate for `question`, asked directly.
fn best_refusal(matcher: &Matcher, question: &str) -> (String, Option<Refusal>) {
    let reading = matcher.read(question, Addressing::Direct);
    let window = reading.deciding_window(0.0).expect("a window");
    let best = &window.candidates[0];
    (best.candidate.id.clone(), best.refusal.clone())
}

#[test]
fn a_city_asked_of_an_entry_whose_texts_each_name_one_is_not_an_uncovered_topic() {
    // CLINC150's timezone intent names a different city in each utterance: it answers for any
    // city, and "saigon", which the FAQ has never seen, refused it. "timezone" is in three
    // entries here, so only the open-entry rule lets it answer.
    let documents = |cities: [&str; 3]| {
        [
            (
                "timezone",
                cities.map(|c| format!("what timezone is {c} in")).to_vec(),
            ),
            ("weather", vec!["will it rain in my timezone".to_owned()]),
            ("clock", vec!["set the clock to my timezone".to_owned()]),
        ]
    };
    let open = Matcher::new(documents(["paris", "tokyo", "denver"]), Synonyms::default());
    assert_eq!(
        best_refusal(&open, "what is the timezone of saigon"),
        ("timezone".to_owned(), None)
    );
    // The same entry naming one city throughout is about that city: "saigon" is not covered.
    let closed = Matcher::new(documents(["paris", "paris", "paris"]), Synonyms::default());
    let (id, refusal) = best_refusal(&closed, "what is the timezone of saigon");
    assert_eq!(id, "timezone");
    assert!(
        matches!(refusal, Some(Refusal::TopicNotCovered(_))),
        "{refusal:?}"
    );
}

#[test]
fn a_word_only_its_entry_holds_outweighs_the_thing_asked_about() {
    // "calories" is what the calories entry is about: "mashed potatoes", a dish the FAQ has
    // never seen, is what the question asks it of, not a topic it lacks (CLINC150). Counted as
    // one word against the dish's two, it refused the entry.
    let matcher = Matcher::new(
        [
            (
                "calories",
                vec![
                    "what are the calories in a banana",
                    "calories in a banana split",
                    "is a banana low in calories",
                ],
            ),
            ("recipe", vec!["how do i make a banana split"]),
            ("timer", vec!["set a timer for ten minutes"]),
        ],
        Synonyms::default(),
    );
    assert_eq!(
        best_refusal(&matcher, "what are the calories in mashed potatoes"),
        ("calories".to_owned(), None)
    );
    // Two things the entry lacks, apart, still outweigh it.
    let (_, refusal) = best_refusal(&matcher, "calories in mashed potatoes or in tuna casserole");
    assert!(
        matches!(refusal, Some(Refusal::TopicNotCovered(_))),
        "{refusal:?}"
    );
}

#[test]
fn a_how_question_is_answered_by_an_entry_that_holds_the_rest_of_it() {
    // CLINC150: "how much money is in my bank accounts" asked of a balance entry whose texts
    // never say "how much". The kind of answer a "how" question asks for used to refuse such an
    // entry outright; it now weighs as much as three topic words the entry holds.
    let matcher = Matcher::new(
        [
            (
                "balance",
                vec![
                    "what is the balance of my bank accounts",
                    "tell me the money in my bank account",
                    "what is my checking balance",
                ],
            ),
            ("transfer", vec!["move money to my savings"]),
            ("timer", vec!["set a timer for ten minutes"]),
        ],
        Synonyms::default(),
    );
    assert_eq!(
        best_refusal(
            &matcher,
            "how much money is in my checking and bank accounts"
        ),
        ("balance".to_owned(), None)
    );
    // With fewer of its words held, the missing "how much" still refuses.
    let (id, refusal) = best_refusal(&matcher, "how much is my checking");
    assert_eq!(id, "balance");
    assert!(
        matches!(refusal, Some(Refusal::TopicNotCovered(_))),
        "{refusal:?}"
    );
}

#[test]
fn best_admissible_score_is_the_first_admissible_candidates() {
    let matcher = therapy_fixture();
    let messages = [
        "what happens at an OT evaluation?",
        "my son is 3 and not walking well. would PT help? or is OT better for that?",
        "is OT or PT right for a toddler who cant hold a spoon, and how long is a session?",
        "thanks! and what does a physical therapist do",
    ];
    let mut windows = 0;
    for message in messages {
        for addressing in [Addressing::Direct, Addressing::HelpChannel] {
            for window in &matcher.read(message, addressing).windows {
                windows += 1;
                assert_eq!(
                    window.best_admissible_score(),
                    window.admissible().first().map(|c| c.score),
                    "{message}: {window:?}"
                );
            }
        }
    }
    assert!(windows > 8, "{windows}");
}

#[test]
fn span_scores_pad_score_vectors_with_zeros_past_the_entries() {
    let matcher = therapy_fixture();
    let words = Words {
        words: vec!["physical".into(), "therapy".into()],
        stems: vec!["physic".into(), "therapi".into()],
        stop: vec![false, false],
    };
    for scores in matcher.scores(&words) {
        assert_eq!(scores.len(), index::score_len(matcher.len()));
        assert!(scores[matcher.len()..].iter().all(|&s| s == 0.0));
    }
}

#[test]
fn windows_scored_together_score_as_each_scored_alone() {
    // A long message's question is scored in several windows and beside the whole story; the
    // features found once in it are added once, into their segment's sums (see
    // `add_segment_sums`). Each window must still score as its text scored alone, up to the
    // order in which floats were added.
    let matcher = therapy_fixture();
    let message = "my son is 3 and he is not walking well yet. the pediatrician said PT. \
                   would physical therapy help him walk, or is occupational therapy better?";
    let lookups = &mut typos::MAX_TYPO_LOOKUPS.clone();
    let parts: Vec<Words> = message::split(message)
        .iter()
        .map(|part| {
            read_words(
                &part.text,
                &matcher.synonyms,
                (&matcher.vocabulary, &mut *lookups),
            )
            .0
        })
        .collect();
    assert!(parts.len() >= 3, "{parts:?}");
    let n = parts.len();
    let spans = [n - 1..n, n - 2..n, 0..n, 1..2];
    let together = matcher.span_scores(&parts, &spans);
    for (span, scores) in spans.iter().zip(&together) {
        let whole = 0..span.len();
        let alone = matcher.span_scores(&parts[span.clone()], std::slice::from_ref(&whole));
        for (scorer, (a, b)) in scores.iter().zip(&alone[0]).enumerate() {
            for (entry, (a, b)) in a.iter().zip(b).enumerate() {
                assert!(
                    (a - b).abs() <= 1e-5 * b.abs().max(1e-3),
                    "{span:?}, scorer {scorer}, entry {entry}: {a} together, {b} alone"
                );
            }
        }
        assert!(scores.iter().flatten().any(|&s| s > 0.0), "{span:?}");
    }
}
