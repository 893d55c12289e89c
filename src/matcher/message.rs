//! Reading a message the way a moderator would: where its sentences and clauses are, which of
//! them ask something, and whether the whole message is chatter (thanks, greetings, reactions,
//! news) rather than a question.
//!
//! Pure and cheap: one pass over the characters to split, then word lists. The words that mark
//! a question or chatter are English discourse words, not FAQ words: they say *that* someone
//! asks, never *what*.

use crate::text;

/// A message is read up to this many characters: Discord's longest message (Nitro) is 4 000,
/// and a question is never further in than that.
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// At most this many parts (sentences or clauses) are read; the rest of a pasted essay joins the
/// last one. Each asking part is scored on its own, so this bounds a message's work.
pub const MAX_PARTS: usize = 24;

/// A part is read up to this many words: a sentence longer than that is pasted text (or the
/// rest of a message past [`MAX_PARTS`]), and a question says what it asks well before. It
/// bounds the work of each window a part is scored in.
pub const MAX_PART_WORDS: usize = 80;

/// Openings of a sentence that ask: interrogatives and auxiliaries that start a question
/// ("what is", "is it normal", "should we", "can someone explain", "any advice"), sorted.
pub const ASK_OPENINGS: &[&str] = &[
    "any", "anybody", "anyone", "are", "arent", "can", "cant", "could", "did", "didnt", "do",
    "does", "doesnt", "has", "have", "how", "hows", "is", "isnt", "should", "shouldnt", "somebody",
    "someone", "what", "whats", "when", "where", "which", "who", "why", "will", "would",
];

/// Words skipped before an opening is looked for ("so what is OT", "ok quick question how ..."),
/// sorted.
pub const LEAD_IN_WORDS: &[&str] = &[
    "actually",
    "all",
    "also",
    "and",
    "anyway",
    "basically",
    "btw",
    "but",
    "everyone",
    "guys",
    "hello",
    "hey",
    "hi",
    "honestly",
    "just",
    "lol",
    "now",
    "oh",
    "ok",
    "okay",
    "question",
    "quick",
    "so",
    "sorry",
    "then",
    "um",
    "well",
];

/// Question words that ask wherever they stand, in an indirect question too ("ok dumb question
/// but whats the diff", "i dont know what OT is"). Sorted.
pub const WH_WORDS: &[&str] = &["how", "what", "whats", "when", "where", "which", "why"];

/// Words that make a sentence a request wherever they stand ("home exercise ideas pls", "low
/// tone toddler help", "i was wondering what they check"), sorted.
pub const REQUEST_WORDS: &[&str] = &[
    "advice",
    "curious",
    "explain",
    "help",
    "ideas",
    "info",
    "information",
    "please",
    "pls",
    "plz",
    "recommend",
    "recommendations",
    "suggestions",
    "thoughts",
    "tips",
    "wonder",
    "wondering",
];

/// Words of thanks: a message of these that asks nothing gets a short "you're welcome" when it
/// is addressed to the bot, and nothing in a help channel. Sorted.
pub const THANKS_WORDS: &[&str] = &[
    "appreciate",
    "appreciated",
    "thank",
    "thankful",
    "thanks",
    "thx",
    "ty",
    "tysm",
];

/// Words of greeting, likewise answered with a short hello when addressed to the bot. Sorted.
pub const GREETING_WORDS: &[&str] = &[
    "afternoon",
    "evening",
    "hello",
    "hey",
    "hi",
    "hiya",
    "howdy",
    "morning",
    "welcome",
    "yo",
];

/// Words of reaction and small talk: a statement holding one of them is chatter between
/// parents ("so proud of him", "wish us luck", "lol same", "bumping this"), not a terse
/// question. Sorted.
pub const REACTION_WORDS: &[&str] = &[
    "agree",
    "alright",
    "amazing",
    "awesome",
    "aww",
    "bump",
    "bumping",
    "congrats",
    "congratulations",
    "cool",
    "cute",
    "excited",
    "following",
    "glad",
    "great",
    "haha",
    "idk",
    "ikr",
    "imo",
    "lmao",
    "lol",
    "love",
    "loved",
    "luck",
    "lucky",
    "nah",
    "np",
    "ok",
    "okay",
    "omg",
    "proud",
    "same",
    "see",
    "smh",
    "sure",
    "sweet",
    "tbh",
    "tia",
    "ugh",
    "wow",
    "yay",
    "yeah",
    "yep",
    "yes",
];

/// Words that stand for something said elsewhere ("that kind of thing", "this stuff"): never
/// what a question is about on their own. Sorted.
pub const VAGUE_WORDS: &[&str] = &[
    "anything",
    "everything",
    "kind",
    "kinda",
    "something",
    "sort",
    "stuff",
    "thing",
    "things",
];

/// "your" + a word the synonyms read as "child": a question about the reader's own child ("did
/// your daughter do PT too?") asks another parent, not the bot.
pub const OTHER_PARENTS_CHILD: [&str; 2] = ["your", "child"];

/// Bits of [`class`]: which of the word lists above a word is in.
mod bits {
    pub const ASK_OPENING: u16 = 1;
    pub const LEAD_IN: u16 = 1 << 1;
    pub const WH: u16 = 1 << 2;
    pub const REQUEST: u16 = 1 << 3;
    pub const THANKS: u16 = 1 << 4;
    pub const GREETING: u16 = 1 << 5;
    pub const REACTION: u16 = 1 << 6;
    pub const VAGUE: u16 = 1 << 7;
    pub const AUXILIARY: u16 = 1 << 8;
    pub const BACK_POINTING: u16 = 1 << 9;
    /// The lists of [`super::is_discourse`].
    pub const DISCOURSE: u16 =
        ASK_OPENING | LEAD_IN | REQUEST | THANKS | GREETING | REACTION | VAGUE;
    /// The lists of a part of chatter words alone ([`super::Form::only_chatter`]).
    pub const CHATTER: u16 = REACTION | THANKS | GREETING | LEAD_IN;
}

/// Each word list [`class`] knows, with its bit.
const CLASS_LISTS: [(&[&str], u16); 10] = [
    (ASK_OPENINGS, bits::ASK_OPENING),
    (LEAD_IN_WORDS, bits::LEAD_IN),
    (WH_WORDS, bits::WH),
    (REQUEST_WORDS, bits::REQUEST),
    (THANKS_WORDS, bits::THANKS),
    (GREETING_WORDS, bits::GREETING),
    (REACTION_WORDS, bits::REACTION),
    (VAGUE_WORDS, bits::VAGUE),
    (AUXILIARY_OPENINGS, bits::AUXILIARY),
    (BACK_POINTING_PRONOUNS, bits::BACK_POINTING),
];

/// The word lists `word` is in, as [`bits`]: one hash lookup instead of a binary search per
/// list (the searches of [`form`] were a fourteenth of reading a long message).
fn class(word: &str) -> u16 {
    static CLASSES: std::sync::OnceLock<rustc_hash::FxHashMap<&'static str, u16>> =
        std::sync::OnceLock::new();
    CLASSES
        .get_or_init(|| {
            let mut classes = rustc_hash::FxHashMap::default();
            for (list, bit) in CLASS_LISTS {
                for &word in list {
                    *classes.entry(word).or_insert(0) |= bit;
                }
            }
            classes
        })
        .get(word)
        .copied()
        .unwrap_or(0)
}

/// Is `word` a discourse word of one of the lists above (it says that someone asks, thanks or
/// reacts, never what about)? Such words are never typo-corrected ("lol" is not "low") and do
/// not count as what a question is about.
#[must_use]
pub fn is_discourse(word: &str) -> bool {
    class(word) & bits::DISCOURSE != 0
}

/// One sentence or clause of a message, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The text of the part.
    pub text: String,
    /// Whether it ended with a question mark.
    pub question_mark: bool,
}

/// Is `c` a sentence break? Terminal punctuation, line breaks and pictographs (emoji end a
/// thought in chat: "panic a bit 😟 how do i know").
fn is_break(c: char) -> bool {
    matches!(c, '?' | '!' | '.' | ';' | '\n' | '？' | '！' | '。')
        || (!c.is_ascii()
            && !c.is_alphanumeric()
            && !c.is_whitespace()
            && !matches!(
                c,
                '’' | '‘' | '“' | '”' | '–' | '—' | '…' | '\u{200d}' | '\u{fe0f}'
            ))
}

/// Splits a message into sentences, and a sentence into clauses where a comma is followed by
/// an opening that asks ("i dont know the difference, what does each one do").
#[must_use]
pub fn split(message: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut current = String::with_capacity(128);
    let mut question_mark = false;
    let chars: Vec<char> = message.chars().take(MAX_MESSAGE_CHARS).collect();
    let flush = |current: &mut String, question_mark: &mut bool, parts: &mut Vec<Part>| {
        if current.chars().any(char::is_alphanumeric) {
            parts.push(Part {
                text: current.trim().to_owned(),
                question_mark: *question_mark,
            });
        }
        // Cleared, not taken: the next part reuses its buffer.
        current.clear();
        *question_mark = false;
    };
    // A run of breaks ("??!", "?? 😅", ". ") ends one part: the part is flushed when the next
    // word starts.
    let mut pending = false;
    for (i, &c) in chars.iter().enumerate() {
        let decimal_point = c == '.'
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if is_break(c) && !decimal_point {
            question_mark |= matches!(c, '?' | '？');
            pending = true;
            continue;
        }
        if c.is_whitespace() {
            current.push(c);
            continue;
        }
        if pending && parts.len() + 1 < MAX_PARTS {
            flush(&mut current, &mut question_mark, &mut parts);
        }
        pending = false;
        if c == ',' && parts.len() + 1 < MAX_PARTS && opens_question(&chars[i + 1..]) {
            flush(&mut current, &mut question_mark, &mut parts);
            continue;
        }
        // "quick background: ...", "two questions lol: what is OT": a colon before a space
        // ends a lead-in (a time such as 10:30 has none).
        if c == ':' && chars.get(i + 1).is_some_and(|n| n.is_whitespace()) {
            pending = true;
            continue;
        }
        let word_start =
            i == 0 || !chars[i - 1].is_alphanumeric() && !text::is_apostrophe(chars[i - 1]);
        if word_start
            && parts.len() + 1 < MAX_PARTS
            && starts_with_contrast(&chars[i..])
            && current.chars().any(char::is_alphanumeric)
        {
            flush(&mut current, &mut question_mark, &mut parts);
        }
        current.push(c);
    }
    flush(&mut current, &mut question_mark, &mut parts);
    parts
}

/// Words that open a clause turning from what was said ("i know ADHD isnt your thing but can
/// OT help with dressing", "totally unrelated but what does the PT do"): the clause is read
/// on its own, so that the aside before it is not taken as what the question is about.
/// Sorted.
pub const CONTRAST_WORDS: &[&str] = &["but", "however"];

/// Does the text start with one of the [`CONTRAST_WORDS`] as a whole word?
fn starts_with_contrast(rest: &[char]) -> bool {
    CONTRAST_WORDS.iter().any(|w| {
        // ASCII words: as many characters as bytes.
        let n = w.len();
        rest.len() > n
            && rest[..n]
                .iter()
                .zip(w.chars())
                .all(|(a, b)| a.to_ascii_lowercase() == b)
            && !rest[n].is_alphanumeric()
    })
}

/// How far after a comma an opening that asks is looked for, in characters.
const OPENING_CHARS: usize = 40;

/// Does the text after a comma open with a word that asks?
fn opens_question(rest: &[char]) -> bool {
    let head = &rest[..rest.len().min(OPENING_CHARS)];
    if head.iter().all(char::is_ascii) {
        ascii_opens_question(head)
    } else {
        words_open_question(head)
    }
}

/// [`words_open_question`] of ASCII text, a word at a time and without a copy of the text:
/// the words as `text::words` splits them (letters or digits, apostrophes dropped, lower case).
/// Three commas of a long message took a fortieth of its reading in copies.
fn ascii_opens_question(head: &[char]) -> bool {
    let mut word = [0_u8; OPENING_CHARS];
    let mut at = 0;
    while at < head.len() {
        let mut len = 0;
        let mut digits = None;
        while let Some(&c) = head.get(at) {
            if c == '\'' || c == '`' {
                at += 1;
                continue;
            }
            if !c.is_ascii_alphanumeric() || digits.is_some_and(|d| d != c.is_ascii_digit()) {
                break;
            }
            digits = Some(c.is_ascii_digit());
            if let Some(slot) = word.get_mut(len) {
                *slot = (c as u8).to_ascii_lowercase();
                len += 1;
            }
            at += 1;
        }
        if len == 0 {
            at += 1;
            continue;
        }
        let word = std::str::from_utf8(&word[..len]).unwrap_or_default();
        if !is_lead_in(word) {
            return class(word) & bits::ASK_OPENING != 0;
        }
    }
    false
}

/// Does the first word of `head` after the lead-in words ask?
fn words_open_question(head: &[char]) -> bool {
    let head: String = head.iter().collect();
    let words = text::words(&head);
    first_opening(&words).is_some_and(|w| class(w) & bits::ASK_OPENING != 0)
}

/// Is `word` one of the [`LEAD_IN_WORDS`]?
#[must_use]
pub fn is_lead_in(word: &str) -> bool {
    class(word) & bits::LEAD_IN != 0
}

/// The first word after the lead-in words.
fn first_opening(words: &[String]) -> Option<&str> {
    words.iter().map(String::as_str).find(|w| !is_lead_in(w))
}

/// Auxiliary verbs that open a yes/no question ("does", "is", "would"), sorted.
pub const AUXILIARY_OPENINGS: &[&str] = &[
    "are", "can", "could", "did", "do", "does", "has", "is", "should", "was", "will", "would",
];

/// Pronouns that stand for something said before ("it", "that"), sorted. "they" is not among
/// them: in these messages it is most often the therapists ("do they see toddlers?").
pub const BACK_POINTING_PRONOUNS: &[&str] = &["it", "that", "these", "this", "those"];

/// True when the part opens with an auxiliary and a pronoun that points back: it asks about
/// what was said before it ("does it make a difference?" after the question it is about).
/// `classes` are the words' [`class`]es.
fn points_back(classes: &[u16]) -> bool {
    let mut opening = classes.iter().skip_while(|&&c| c & bits::LEAD_IN != 0);
    matches!(
        (opening.next(), opening.next()),
        (Some(aux), Some(pronoun))
            if aux & bits::AUXILIARY != 0 && pronoun & bits::BACK_POINTING != 0
    )
}

/// How a part (its words normalised, synonyms applied, typos corrected) reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[allow(clippy::struct_excessive_bools)] // independent facts about one sentence
pub struct Form {
    /// It asks: a question mark, an opening that asks, or a request word.
    pub asks: bool,
    /// It asks another parent about their child.
    pub asks_another_parent: bool,
    /// It holds words of thanks.
    pub thanks: bool,
    /// It holds words of greeting.
    pub greeting: bool,
    /// It asks about what was said before it: an auxiliary opening followed by a pronoun
    /// that points back ("does it make a difference?", "is that normal?").
    pub points_back: bool,
    /// It holds words of reaction or small talk.
    pub reaction: bool,
    /// All its words are words of chatter ("ok", "yeah", "thanks", "hi"): it says nothing an
    /// entry could answer, wherever it is sent.
    pub only_chatter: bool,
    /// It is a short question with no asking word of its own, only its question mark
    /// ("shorts?", "sneakers or barefoot?", "like 30 min or a full hour?"): after a question it
    /// spells that question out (see [`ELABORATION_MAX_WORDS`]).
    pub elaborates: bool,
}

/// A question of at most this many words with no asking word of its own ("shorts? sneakers or
/// barefoot?" after "what should my son wear to PT?") spells out the question before it, and
/// is read as part of it: its words say what that question is about.
pub const ELABORATION_MAX_WORDS: usize = 6;

/// Reads the form of one part from its words and its punctuation.
#[must_use]
pub fn form(words: &[String], question_mark: bool) -> Form {
    // Each word's lists, looked up once.
    let mut classes = [0_u16; MAX_PART_WORDS];
    let classes = match words.len() {
        n if n <= classes.len() => {
            for (class_of, word) in classes.iter_mut().zip(words) {
                *class_of = class(word);
            }
            &classes[..n]
        }
        _ => &words.iter().map(|w| class(w)).collect::<Vec<u16>>()[..],
    };
    let any: u16 = classes.iter().fold(0, |all, &c| all | c);
    let has = |bit: u16| any & bit != 0;
    let asks_another_parent = words
        .windows(2)
        .any(|pair| pair[0] == OTHER_PARENTS_CHILD[0] && pair[1] == OTHER_PARENTS_CHILD[1]);
    let opens_asking = classes
        .iter()
        .find(|&&c| c & bits::LEAD_IN == 0)
        .is_some_and(|&c| c & bits::ASK_OPENING != 0);
    let asks_by_its_words = opens_asking || has(bits::REQUEST) || has(bits::WH);
    let only_chatter = !words.is_empty() && classes.iter().all(|&c| c & bits::CHATTER != 0);
    Form {
        // "ok?", "lol?", "yeah?": a reaction said with a rising tone asks nothing.
        asks: (question_mark && !only_chatter) || asks_by_its_words,
        only_chatter,
        elaborates: question_mark
            && !asks_by_its_words
            && !words.is_empty()
            && words.len() <= ELABORATION_MAX_WORDS,
        asks_another_parent,
        points_back: points_back(classes),
        thanks: has(bits::THANKS),
        greeting: has(bits::GREETING),
        reaction: has(bits::REACTION),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(message: &str) -> Vec<(String, bool)> {
        split(message)
            .into_iter()
            .map(|p| (p.text, p.question_mark))
            .collect()
    }

    fn form_of(text: &str) -> Form {
        let part = &split(text)[0];
        form(&text::words(&part.text), part.question_mark)
    }

    #[test]
    fn an_ascii_opening_reads_as_its_words_do() {
        for head in [
            " what does each one do",
            " so what's OT",
            " ok quick question: how long",
            "what",
            " and   ,, is it",
            " i dont know",
            " 3yo, does he need PT",
            " hey guys lol so um which one",
            " don't know",
            " `can` he",
            "",
            ", , ,",
            " basicallyeverythingisonelongwordthatgoespastforty what",
            " just so so so so so so so so so so so so so so so so what",
        ] {
            let chars: Vec<char> = head.chars().collect();
            let head = &chars[..chars.len().min(OPENING_CHARS)];
            assert_eq!(
                ascii_opens_question(head),
                words_open_question(head),
                "{head:?}"
            );
        }
        assert!(opens_question(
            &" what does each one do".chars().collect::<Vec<_>>()
        ));
        assert!(!opens_question(&" i dont know".chars().collect::<Vec<_>>()));
    }

    #[test]
    fn word_lists_are_sorted_for_binary_search() {
        for list in [
            ASK_OPENINGS,
            AUXILIARY_OPENINGS,
            BACK_POINTING_PRONOUNS,
            LEAD_IN_WORDS,
            REQUEST_WORDS,
            WH_WORDS,
            THANKS_WORDS,
            GREETING_WORDS,
            REACTION_WORDS,
            VAGUE_WORDS,
        ] {
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            assert_eq!(sorted, list);
        }
    }

    #[test]
    fn a_words_class_is_the_lists_it_is_in() {
        for word in CLASS_LISTS
            .iter()
            .flat_map(|(list, _)| list.iter())
            .chain(&["ot", "walk"])
        {
            for (list, bit) in CLASS_LISTS {
                assert_eq!(class(word) & bit != 0, list.contains(word), "{word}");
            }
        }
        assert!(is_discourse("thanks") && is_discourse("kinda") && !is_discourse("was"));
    }

    #[test]
    fn a_story_then_a_question_splits_into_sentences() {
        let parts = texts(
            "my son is 20 months and still not walking. im starting to panic a bit 😟 how do i \
             know if this is normal?? and who decides that?",
        );
        assert_eq!(
            parts,
            [
                (
                    "my son is 20 months and still not walking".to_owned(),
                    false
                ),
                ("im starting to panic a bit".to_owned(), false),
                ("how do i know if this is normal".to_owned(), true),
                ("and who decides that".to_owned(), true),
            ]
        );
    }

    #[test]
    fn a_comma_before_a_question_splits_a_run_on_sentence() {
        let parts = texts("i dont know the diffrence between the two lol, what does each one do??");
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert!(parts[1].1 && parts[1].0.starts_with("what"));
        // A comma inside a statement does not split it.
        assert_eq!(texts("he is 4, clumsy, and loves swings").len(), 1);
    }

    #[test]
    fn decimals_do_not_end_a_sentence() {
        assert_eq!(texts("my daughter is 2.5 and not talking").len(), 1);
    }

    #[test]
    fn a_pasted_essay_has_bounded_parts() {
        let essay = "one sentence. ".repeat(2000);
        assert!(split(&essay).len() <= MAX_PARTS);
    }

    #[test]
    fn forms_of_questions_requests_and_chatter() {
        assert!(form_of("pt or ot?").asks);
        assert!(form_of("so what does a PT do with a baby").asks);
        assert!(form_of("home excercise ideas pls").asks);
        assert!(form_of("any advice").asks);
        assert!(!form_of("my son loved his first session today!!").asks);
        assert!(form_of("my son loved his first session today!!").reaction);
        assert!(form_of("thank you so much, this really helps 🙏").thanks);
        assert!(form_of("good morning everyone").greeting);
        assert!(form_of("sneakers or barefoot?").elaborates);
        assert!(!form_of("ok?").asks && form_of("ok?").only_chatter);
        assert!(form_of("ok so what is OT?").asks);
        assert!(!form_of("what should he wear?").elaborates);
        assert!(!form_of("sneakers or barefoot").elaborates);
        let between_parents = form(&text::words("did your child do PT too"), true);
        assert!(between_parents.asks && between_parents.asks_another_parent);
    }
}
