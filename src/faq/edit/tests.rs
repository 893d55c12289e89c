use super::*;
use crate::faq::Severity;

/// The shipped FAQ folder's files, as the loader reads them.
fn shipped() -> Vec<SourceFile> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("faq");
    crate::faq::read_faq_dir(&dir)
        .expect("shipped faq")
        .files()
        .to_vec()
}

fn text_of<'a>(files: &'a [SourceFile], name: &str) -> &'a str {
    let file = files.iter().find(|f| f.name == name).expect("file");
    std::str::from_utf8(&file.bytes).expect("utf-8")
}

fn add(entry: &str, phrasing: &str) -> Change {
    Change::AddPhrasing {
        entry: entry.to_owned(),
        phrasing: phrasing.to_owned(),
    }
}

/// A small valid FAQ: entry `a` with `front` as its front matter, and entry `b`.
fn small(front: &str) -> Vec<SourceFile> {
    let b = "+++\ntitle = \"B\"\nquestions = [\"how do b things work\"]\n+++\nB answer.\n";
    vec![
        SourceFile {
            name: "a.md".to_owned(),
            bytes: format!("+++\n{front}+++\nA answer.\n").into_bytes(),
        },
        SourceFile {
            name: "b.md".to_owned(),
            bytes: b.as_bytes().to_vec(),
        },
    ]
}

fn planned_text(files: &[SourceFile], change: &Change) -> String {
    String::from_utf8(plan(files, change).expect("planned").bytes).expect("utf-8")
}

#[test]
fn add_phrasing_to_every_shipped_entry_inserts_exactly_one_line() {
    let files = shipped();
    for file in files.iter().filter(|f| is_entry_file(&f.name)) {
        let entry = file.name.trim_end_matches(".md");
        let phrasing = format!("a brand new way to ask about {entry} zq");
        let planned = plan(&files, &add(entry, &phrasing)).expect("planned");
        let old = text_of(&files, &file.name);
        let new = String::from_utf8(planned.bytes).expect("utf-8");
        let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
        let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
        assert_eq!(new_lines.len(), old_lines.len() + 1, "{}", file.name);
        let at = old_lines
            .iter()
            .zip(&new_lines)
            .position(|(a, b)| a != b)
            .expect("a new line");
        assert_eq!(
            new_lines[at],
            format!("  \"{phrasing}\",\n"),
            "{}",
            file.name
        );
        assert_eq!(&new_lines[..at], &old_lines[..at], "{}", file.name);
        assert_eq!(&new_lines[at + 1..], &old_lines[at..], "{}", file.name);
        let entry = planned.checked.faq.get(entry).expect("entry");
        assert_eq!(entry.questions.last(), Some(&phrasing));
        assert_eq!(
            planned.summary,
            format!("Add phrasing to {}: \"{phrasing}\"", entry.id)
        );
    }
}

#[test]
fn add_phrasing_keeps_a_comment_after_the_last_phrasing_on_its_line() {
    let files = small("title = \"A\" # the title\nquestions = [\n    \"how do a things work\", # from a parent\n    # more below\n]\n");
    assert_eq!(
        planned_text(&files, &add("a", "what about a")),
        "+++\ntitle = \"A\" # the title\nquestions = [\n    \"how do a things work\", # from a parent\n    # more below\n    \"what about a\",\n]\n+++\nA answer.\n"
    );
}

#[test]
fn add_phrasing_to_a_list_on_one_line_or_without_a_trailing_comma() {
    let one_line = small("title = \"A\"\nquestions = [\"how do a things work\", \"a things\"]\n");
    assert_eq!(
        planned_text(&one_line, &add("a", "what about a")),
        "+++\ntitle = \"A\"\nquestions = [\"how do a things work\", \"a things\", \"what about a\"]\n+++\nA answer.\n"
    );
    let no_comma = small("title = \"A\"\nquestions = [\n  \"how do a things work\"\n]\n");
    assert_eq!(
        planned_text(&no_comma, &add("a", "what about a")),
        "+++\ntitle = \"A\"\nquestions = [\n  \"how do a things work\",\n  \"what about a\"\n]\n+++\nA answer.\n"
    );
}

#[test]
fn a_phrasing_is_one_line_and_quoted_for_toml() {
    let files = small("title = \"A\"\nquestions = [\n  \"how do a things work\",\n]\n");
    let text = planned_text(&files, &add("a", "  my \"kid\"\n  won't\tsit \\ still "));
    assert!(
        text.contains("  \"my \\\"kid\\\" won't sit \\\\ still\",\n"),
        "{text}"
    );
}

#[test]
fn add_phrasing_refusals() {
    let files = small("title = \"A\"\nquestions = [\n  \"how do a things work\",\n]\n");
    let cases: Vec<(Change, &str)> = vec![
        (add("nope", "x"), "there is no FAQ entry 'nope'"),
        (add("../a", "x"), "there is no FAQ entry '../a'"),
        (add("a", "   "), "the phrasing is empty"),
        (
            add("a", &"x".repeat(MAX_PHRASING_CHARS + 1)),
            "the phrasing is 301 characters; at most 300 fit",
        ),
        (
            add("a", "How do A   things work"),
            "'a' already has the phrasing \"How do A things work\"",
        ),
    ];
    for (change, message) in cases {
        let got = plan(&files, &change).expect_err("refused");
        assert_eq!(got.to_string(), message);
    }
}

#[test]
fn a_phrasing_another_entry_has_fails_the_check_with_its_problems() {
    let files = small("title = \"A\"\nquestions = [\n  \"how do a things work\",\n]\n");
    let Err(EditError::Invalid(problems)) = plan(&files, &add("a", "how do b things work")) else {
        panic!("not refused by the check");
    };
    assert!(
        problems
            .iter()
            .any(|p| p.severity == Severity::Error && p.message.contains("is also under a")),
        "{problems:#?}"
    );
}

#[test]
fn an_entry_the_editor_cannot_read_is_unsupported() {
    let files = small("title = \"A\"\nquestions = \"not a list\"\n");
    assert!(matches!(
        plan(&files, &add("a", "x y z")),
        Err(EditError::Unsupported { .. })
    ));
    let mut files = small("title = \"A\"\nquestions = [\"how do a things work\"]\n");
    files[0].bytes = b"no front matter".to_vec();
    assert!(matches!(
        plan(&files, &add("a", "x y z")),
        Err(EditError::Unsupported { .. })
    ));
}

fn new_entry(id: &str, answer: &str) -> Change {
    Change::NewEntry {
        id: id.to_owned(),
        title: "Do you offer aquatic therapy?".to_owned(),
        answer: answer.to_owned(),
        phrasings: vec![
            "do you do aquatic therapy".to_owned(),
            String::new(),
            "  pool therapy for kids ".to_owned(),
            "Do you do aquatic   therapy".to_owned(),
        ],
    }
}

#[test]
fn a_new_entry_is_written_like_the_shipped_ones() {
    let files = small("title = \"A\"\nquestions = [\"how do a things work\"]\n");
    let planned = plan(
        &files,
        &new_entry("aquatic-therapy", "Not yet.\r\nAsk us.\n\n"),
    )
    .expect("planned");
    assert!(planned.created);
    assert_eq!(planned.file, "aquatic-therapy.md");
    assert_eq!(
        String::from_utf8(planned.bytes).expect("utf-8"),
        "+++\ntitle = \"Do you offer aquatic therapy?\"\nquestions = [\n  \"do you do aquatic therapy\",\n  \"pool therapy for kids\",\n]\n+++\nNot yet.\nAsk us.\n"
    );
    assert_eq!(
        planned.summary,
        "New entry aquatic-therapy: \"Do you offer aquatic therapy?\""
    );
    assert!(planned.checked.faq.get("aquatic-therapy").is_some());
}

#[test]
fn a_new_entry_with_a_broken_id_or_a_long_answer_is_refused() {
    let files = small("title = \"A\"\nquestions = [\"how do a things work\"]\n");
    for id in ["Aquatic Therapy", "../../etc/x", "aqua_therapy", ""] {
        let Err(EditError::Invalid(problems)) = plan(&files, &new_entry(id, "Not yet.")) else {
            panic!("{id:?} not refused by the check");
        };
        assert!(
            problems
                .iter()
                .any(|p| p.message.contains("not a valid entry id")),
            "{id:?}: {problems:#?}"
        );
    }
    let long = "word ".repeat(MAX_ANSWER_INPUT_CHARS / 5 + 1);
    assert_eq!(
        plan(&files, &new_entry("aquatic", &long))
            .expect_err("refused")
            .to_string(),
        format!(
            "the answer is {} characters; at most 4000 fit",
            long.trim().chars().count()
        )
    );
    assert!(matches!(
        plan(&files, &new_entry("b", "Not yet.")),
        Err(EditError::EntryExists { .. })
    ));
}

fn edit(files: &[SourceFile], entry: &str, title: &str, answer: &str) -> Result<Plan, EditError> {
    let base = version_of(
        &files
            .iter()
            .find(|f| f.name == format!("{entry}.md"))
            .expect("file")
            .bytes,
    );
    plan(
        files,
        &Change::EditEntry {
            entry: entry.to_owned(),
            title: title.to_owned(),
            answer: answer.to_owned(),
            base,
        },
    )
}

#[test]
fn edit_entry_replaces_the_title_and_the_answer_only() {
    let files =
        small("# kept\ntitle   =   \"A\"   # kept too\nquestions = [\"how do a things work\"]\n");
    let planned = edit(&files, "a", "A, better", "New answer.\n\nTwo lines.").expect("planned");
    assert_eq!(
        String::from_utf8(planned.bytes).expect("utf-8"),
        "+++\n# kept\ntitle   =   \"A, better\"   # kept too\nquestions = [\"how do a things work\"]\n+++\nNew answer.\n\nTwo lines.\n"
    );
    assert_eq!(planned.summary, "Edit title and answer of a");
    let answer_only = edit(&files, "a", "A", "Other.").expect("planned");
    assert_eq!(answer_only.summary, "Edit answer of a");
    assert!(String::from_utf8(answer_only.bytes)
        .expect("utf-8")
        .starts_with("+++\n# kept\ntitle   =   \"A\"   # kept too\n"));
    assert!(matches!(
        edit(&files, "a", "A", "A answer."),
        Err(EditError::NoChange { .. })
    ));
}

#[test]
fn a_stale_edit_is_refused() {
    let files = small("title = \"A\"\nquestions = [\"how do a things work\"]\n");
    let stale = version_of(b"what the file was when the modal opened");
    let got = plan(
        &files,
        &Change::EditEntry {
            entry: "a".to_owned(),
            title: "A".to_owned(),
            answer: "New.".to_owned(),
            base: stale,
        },
    )
    .expect_err("stale");
    assert!(matches!(got, EditError::Stale { .. }));
    assert!(
        got.to_string()
            .contains("changed by someone else since you opened it"),
        "{got}"
    );
}

#[test]
fn an_edit_that_breaks_the_answer_fails_the_check() {
    let files = small("title = \"A\"\nquestions = [\"how do a things work\"]\n");
    let Err(EditError::Invalid(problems)) = edit(&files, "a", "A", "Call {clinic_phone}.") else {
        panic!("not refused");
    };
    assert!(
        problems
            .iter()
            .any(|p| p.message.contains("unknown placeholder")),
        "{problems:#?}"
    );
}

#[test]
fn versions_read_back_and_bad_ones_are_refused() {
    let v = version_of(b"x");
    assert_eq!(v.to_string().parse::<Version>(), Ok(v));
    for bad in [
        "",
        "xyz",
        "0123456789abcdeg",
        "0123456789abcdef0",
        "+123456789abcdef",
    ] {
        assert!(bad.parse::<Version>().is_err(), "{bad}");
    }
}
