//! Writes a generated FAQ (the one `benches/faq_check.rs` loads, with the shipped synonyms)
//! into a folder, to time
//! `faqbot check` and `faqbot ask` on a large FAQ by hand:
//!
//! ```sh
//! cargo run --release --example big_faq -- /tmp/faq3000 3000
//! time target/release/faqbot check --faq /tmp/faq3000
//! ```

use anyhow::Context;
use std::path::Path;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), entries) = (args.next(), args.next()) else {
        anyhow::bail!("usage: big_faq DIR [ENTRIES]   (default 3000 entries)");
    };
    let entries: usize = entries
        .map(|n| n.parse().context("ENTRIES must be a number"))
        .transpose()?
        .unwrap_or(3000);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {dir}"))?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let list = root.join("data/english-words.txt");
    let words = std::fs::read_to_string(&list)
        .with_context(|| format!("cannot read {}", list.display()))?;
    faqbot::faq::generated::write(Path::new(&dir), entries, &words)
        .with_context(|| format!("cannot write the FAQ into {dir}"))?;
    // The shipped synonyms, so that loading applies them as it does to the real FAQ.
    let synonyms = root.join("faq/synonyms.toml");
    std::fs::copy(&synonyms, Path::new(&dir).join("synonyms.toml"))
        .with_context(|| format!("cannot copy {}", synonyms.display()))?;
    println!("{entries} entries written to {dir}");
    Ok(())
}
