//! The integration tests: one module per file of `tests/`, built as one test binary. Each test
//! binary links the library with serenity, poise, tokio and rusqlite, so one binary instead of one
//! per file is most of what `cargo test --release` saves on top of the release build (README,
//! Build times). One file's tests: `cargo test --release --test integration cli::`.
//!
//! Cargo.toml has `autotests = false`: a new file in `tests/` needs its `mod` line here, and
//! `every_file_of_tests_is_a_module` fails until it has one.

mod captured_logs;
mod cli;
mod discord_digest;
mod discord_e2e;
mod discord_edit;
mod discord_queue;
mod fake_discord_selftest;
mod faq_content;
mod faq_edit;
mod live;
mod messages;
mod moderators_loop;
mod odd_files;
mod properties;
mod reload_e2e;
mod reload_patterns;
mod store;
mod support;

/// Every `tests/*.rs` file (and folder with a `mod.rs`) is a module above, so none is left out
/// of the build silently.
#[test]
fn every_file_of_tests_is_a_module() {
    let root = include_str!("integration.rs");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/") {
        let path = entry.expect("tests/ entry").path();
        let module = if path.extension().is_some_and(|e| e == "rs") {
            path.file_stem()
        } else if path.join("mod.rs").is_file() {
            path.file_name()
        } else {
            continue;
        };
        let module = module
            .and_then(std::ffi::OsStr::to_str)
            .expect("a UTF-8 name");
        let line = format!("mod {module};");
        if module != "integration" && !root.lines().any(|l| l == line) {
            missing.push(line);
        }
    }
    assert!(
        missing.is_empty(),
        "add to tests/integration.rs: {}",
        missing.join(" ")
    );
}
