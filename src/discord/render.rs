//! What a [`Reply`] looks like on Discord: an embed with the answer, a "Book an appointment"
//! link button and buttons for related entries; a "did you mean" with one button per choice; the
//! kind fallback with the link button. Pure builders (tested without Discord): the handlers only
//! send what comes out of here.
//!
//! Every message and interaction response built here carries allowed mentions that parse
//! nothing, and replies do not ping the person replied to: the bot never pings anyone, even when
//! the FAQ text or a parent's words contain `@everyone` or a mention.

use super::action::Action;
use super::recent::Asked;
use crate::reply::{Answer, Choice, Clinic, Reply};
use crate::store::{AnswerId, VoteOutcome};
use poise::serenity_prelude::{
    ButtonStyle, ChannelId, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
    CreateEmbedFooter, CreateInteractionResponseMessage, CreateMessage, GuildId, Message,
    MessageReference, UserId,
};
use std::time::Duration;

/// Discord's limits (characters), from the API documentation.
pub mod limits {
    /// Message content.
    pub const CONTENT: usize = 2000;
    /// Embed title.
    pub const EMBED_TITLE: usize = 256;
    /// Embed description.
    pub const EMBED_DESCRIPTION: usize = 4096;
    /// Embed field value.
    pub const FIELD_VALUE: usize = 1024;
    /// All text of one embed together.
    pub const EMBED_TOTAL: usize = 6000;
    /// Button label.
    pub const BUTTON_LABEL: usize = 80;
    /// Buttons in one action row.
    pub const BUTTONS_PER_ROW: usize = 5;
    /// Action rows in one message.
    pub const ROWS: usize = 5;
}

/// The most choices a "did you mean" offers: more is a list to read, not a question.
pub const MAX_CHOICES: usize = 3;

/// The label of the booking link button.
pub const BOOK_LABEL: &str = "Book an appointment";

/// The embed colour of answers: a calm teal, neither alarm red nor link blue.
const ANSWER_COLOUR: u32 = 0x002a_9d8f;

/// A message ready to send as a channel message or an interaction response.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Plain text, if any.
    pub content: Option<String>,
    /// Embeds.
    pub embeds: Vec<CreateEmbed>,
    /// Action rows of buttons.
    pub components: Vec<CreateActionRow>,
}

/// Allowed mentions that parse nothing: no `@everyone`, no roles, no users.
pub fn no_pings() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
        .everyone(false)
        .all_users(false)
        .all_roles(false)
}

impl Rendered {
    /// Plain text only.
    #[must_use]
    pub fn text(content: impl Into<String>) -> Self {
        Rendered {
            content: Some(truncate(&content.into(), limits::CONTENT)),
            ..Rendered::default()
        }
    }

    /// A channel message that pings no one.
    pub fn into_message(self) -> CreateMessage {
        let mut message = CreateMessage::new()
            .embeds(self.embeds)
            .components(self.components)
            .allowed_mentions(no_pings());
        if let Some(content) = self.content {
            message = message.content(content);
        }
        message
    }

    /// A reply to `question` that does not ping its author (nor anyone else). If the question
    /// has been deleted meanwhile, the reply is posted without the reference instead of failing.
    pub fn into_reply(self, question: &Message) -> CreateMessage {
        self.into_message()
            .reference_message(MessageReference::from(question).fail_if_not_exists(false))
            .allowed_mentions(no_pings().replied_user(false))
    }

    /// An interaction response that pings no one.
    pub fn into_interaction(self, ephemeral: bool) -> CreateInteractionResponseMessage {
        let mut message = CreateInteractionResponseMessage::new()
            .embeds(self.embeds)
            .components(self.components)
            .allowed_mentions(no_pings())
            .ephemeral(ephemeral);
        if let Some(content) = self.content {
            message = message.content(content);
        }
        message
    }

    /// A poise reply (slash commands) that pings no one.
    #[must_use]
    pub fn into_poise(self, ephemeral: bool) -> poise::CreateReply {
        let mut reply = poise::CreateReply::default()
            .components(self.components)
            .allowed_mentions(no_pings())
            .ephemeral(ephemeral);
        for embed in self.embeds {
            reply = reply.embed(embed);
        }
        if let Some(content) = self.content {
            reply = reply.content(content);
        }
        reply
    }
}

/// The buttons under a reply to a logged question: "Helpful" / "Not helpful" on an answer, and
/// "Ask a moderator" on the fallback when a moderators' channel is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Feedback {
    /// The question log's id of the answer.
    pub answer: AnswerId,
    /// Offer "Ask a moderator".
    pub ask_moderator: bool,
}

/// The label of the "helpful" vote button.
pub const HELPFUL_LABEL: &str = "👍 Helpful";
/// The label of the "not helpful" vote button.
pub const NOT_HELPFUL_LABEL: &str = "👎 Not helpful";
/// The label of the "ask a moderator" button.
pub const ASK_MODERATOR_LABEL: &str = "Ask a moderator";

/// Renders a reply (no feedback buttons: an entry someone picked, not a question answered).
#[must_use]
pub fn render(reply: &Reply) -> Rendered {
    render_with(reply, None)
}

/// Renders a reply to a logged question, with its feedback buttons.
#[must_use]
pub fn render_with(reply: &Reply, feedback: Option<Feedback>) -> Rendered {
    match reply {
        Reply::Answer(answer) => render_answer(answer, feedback),
        Reply::DidYouMean { text, choices } => Rendered {
            content: Some(truncate(text, limits::CONTENT)),
            embeds: Vec::new(),
            components: rows(
                choices
                    .iter()
                    .take(MAX_CHOICES)
                    .filter_map(|c| show_button(c, ButtonStyle::Primary))
                    .collect(),
            ),
        },
        Reply::Warm { text } => Rendered {
            content: Some(truncate(text, limits::CONTENT)),
            embeds: Vec::new(),
            components: Vec::new(),
        },
        Reply::Fallback {
            text,
            appointment_prompt,
            appointment_url,
        } => Rendered {
            content: Some(truncate(
                &format!("{text}\n\n{appointment_prompt}"),
                limits::CONTENT,
            )),
            embeds: Vec::new(),
            components: rows(
                std::iter::once(book_button(appointment_url))
                    .chain(
                        feedback
                            .filter(|f| f.ask_moderator)
                            .and_then(|f| ask_moderator_button(f.answer)),
                    )
                    .collect(),
            ),
        },
    }
}

fn render_answer(answer: &Answer, feedback: Option<Feedback>) -> Rendered {
    let title = truncate(&answer.title, limits::EMBED_TITLE);
    let source = (!answer.sources.is_empty())
        .then(|| truncate(&answer.sources.join("\n"), limits::FIELD_VALUE));
    let prompt = truncate(&answer.appointment_prompt, limits::FIELD_VALUE);
    let footer = "From the clinic's FAQ: general information, not a diagnosis.";
    let used = title.chars().count()
        + source
            .as_ref()
            .map_or(0, |s| s.chars().count() + "Source".len())
        + prompt.chars().count()
        + "Appointments".len()
        + footer.len();
    let room = limits::EMBED_DESCRIPTION.min(limits::EMBED_TOTAL.saturating_sub(used));
    let mut embed = CreateEmbed::new()
        .title(title)
        .description(truncate(&answer.body, room))
        .colour(ANSWER_COLOUR);
    if let Some(source) = source {
        embed = embed.field("Source", source, false);
    }
    // An answer that offers booking itself (the booking entry) gets no second booking line.
    if !prompt.is_empty() {
        embed = embed.field("Appointments", prompt, false);
    }
    embed = embed.footer(CreateEmbedFooter::new(footer));
    let mut buttons = vec![book_button(&answer.appointment_url)];
    buttons.extend(
        answer
            .related
            .iter()
            .filter_map(|c| show_button(c, ButtonStyle::Secondary)),
    );
    let mut components = rows(buttons);
    if let Some(feedback) = feedback {
        // The votes always fit: they take the last row if the related entries filled them all.
        components.truncate(limits::ROWS - 1);
        components.push(vote_row(feedback.answer));
    }
    Rendered {
        content: None,
        embeds: vec![embed],
        components,
    }
}

/// "Helpful" / "Not helpful" for one answer.
fn vote_row(answer: AnswerId) -> CreateActionRow {
    let vote = |helpful: bool, label: &str, style: ButtonStyle| {
        let id = Action::Vote { answer, helpful }.to_string();
        CreateButton::new(id).label(label).style(style)
    };
    CreateActionRow::Buttons(vec![
        vote(true, HELPFUL_LABEL, ButtonStyle::Success),
        vote(false, NOT_HELPFUL_LABEL, ButtonStyle::Secondary),
    ])
}

/// "Ask a moderator" about one answer.
#[must_use]
pub fn ask_moderator_button(answer: AnswerId) -> Option<CreateButton> {
    let id = Action::AskModerator { answer }.custom_id()?;
    Some(
        CreateButton::new(id)
            .label(ASK_MODERATOR_LABEL)
            .style(ButtonStyle::Primary),
    )
}

/// What a voter is told (only them); after "not helpful", with "Ask a moderator" if offered.
#[must_use]
pub fn vote_thanks(helpful: bool, outcome: Option<VoteOutcome>, ask: Option<AnswerId>) -> Rendered {
    let mut text = match (outcome, helpful) {
        (Some(VoteOutcome::Unchanged), _) => "You already told us, thank you!".to_owned(),
        (Some(VoteOutcome::Changed), _) => "Thanks, I've changed your vote.".to_owned(),
        (_, true) => "Thanks for letting us know, I'm glad it helped!".to_owned(),
        (_, false) => {
            "Thanks for telling us: the moderators read these to make the FAQ better.".to_owned()
        }
    };
    let mut components = Vec::new();
    if !helpful {
        if let Some(button) = ask.and_then(ask_moderator_button) {
            text.push_str(" If you'd like a person to help, ask a moderator.");
            components = rows(vec![button]);
        }
    }
    Rendered {
        content: Some(text),
        embeds: Vec::new(),
        components,
    }
}

/// What the moderators' channel gets when a parent asks for a moderator: who, where, the
/// question (when still known), what the bot said, and a link to the question.
#[must_use]
pub fn moderator_request(
    requester: UserId,
    channel: ChannelId,
    guild: Option<GuildId>,
    asked: Option<&Asked>,
) -> String {
    use std::fmt::Write as _;
    let place = if guild.is_some() {
        format!("in <#{channel}>")
    } else {
        "in a DM with the bot (reply to them in a DM)".to_owned()
    };
    let mut text = format!("{MODERATOR_REQUEST_HEADER} <@{requester}> {place}.");
    // Writing to a String cannot fail.
    match asked {
        Some(asked) => {
            if asked.author != requester {
                let _ = write!(text, " The question was asked by <@{}>.", asked.author);
            }
            text.push('\n');
            for line in asked.question.lines() {
                let _ = writeln!(text, "> {line}");
            }
            match &asked.answered {
                Some(title) => {
                    let _ = write!(
                        text,
                        "The bot answered with \"{title}\", and it did not help."
                    );
                }
                None => text.push_str("The bot had no answer in the FAQ."),
            }
            if let (Some(guild), Some(message)) = (asked.guild, asked.message) {
                let _ = write!(
                    text,
                    "\nThe question: https://discord.com/channels/{guild}/{}/{message}",
                    asked.channel
                );
            }
        }
        None => text.push_str(
            "\n(The bot no longer has the question in memory; it restarted since, or answered \
             many others.)",
        ),
    }
    truncate(&text, limits::CONTENT)
}

/// The link button to the booking page.
pub fn book_button(url: &str) -> CreateButton {
    CreateButton::new_link(url).label(BOOK_LABEL)
}

/// A button that shows an entry, or `None` if its custom id would be too long.
fn show_button(choice: &Choice, style: ButtonStyle) -> Option<CreateButton> {
    let id = Action::Show {
        entry: choice.id.clone(),
    }
    .custom_id()?;
    Some(
        CreateButton::new(id)
            .label(truncate(&choice.title, limits::BUTTON_LABEL))
            .style(style),
    )
}

/// Buttons in rows of five, at most five rows (the rest are dropped).
#[must_use]
pub fn rows(buttons: Vec<CreateButton>) -> Vec<CreateActionRow> {
    let mut rows = Vec::new();
    let mut buttons = buttons.into_iter().peekable();
    while buttons.peek().is_some() && rows.len() < limits::ROWS {
        rows.push(CreateActionRow::Buttons(
            buttons.by_ref().take(limits::BUTTONS_PER_ROW).collect(),
        ));
    }
    rows
}

/// What the bot says when addressed with nothing to ask.
#[must_use]
pub fn hello_text(clinic: &Clinic) -> String {
    format!(
        "Hi! I answer common questions about occupational and physical therapy for children \
         from {}'s FAQ. Ask me in your own words, for example \"what is OT?\" or \"my toddler \
         is not walking yet\", or use /ask.",
        clinic.name
    )
}

/// The one note someone gets when the cooldown holds back a reply they asked for.
#[must_use]
pub fn cooldown_text(remaining: Duration) -> String {
    let secs = remaining.as_secs() + u64::from(remaining.subsec_nanos() > 0);
    format!(
        "I can answer one question at a time: please ask me again in {secs} second{}.",
        if secs == 1 { "" } else { "s" }
    )
}

/// The text cut to `max` characters, ending in "…" when cut.
#[must_use]
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Splits text into pieces of at most `max` characters, at line breaks where possible (a
/// longer line is cut), for lists and reports longer than one message.
#[must_use]
pub fn split_text(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut current_len = 0;
    for line in text.lines() {
        let mut line: Vec<char> = line.chars().collect();
        loop {
            let sep = usize::from(current_len > 0);
            if current_len + sep + line.len() <= max {
                if sep == 1 {
                    current.push('\n');
                }
                current.extend(line.iter());
                current_len += sep + line.len();
                break;
            }
            if current_len > 0 {
                pieces.push(std::mem::take(&mut current));
                current_len = 0;
                continue;
            }
            let rest = line.split_off(max);
            pieces.push(line.iter().collect());
            line = rest;
        }
    }
    if current_len > 0 {
        pieces.push(current);
    }
    pieces
}

// ----- the review queue (moderators' channel) ------------------------------------------------

/// The first words of every review queue post, so moderators (and tests) tell them apart from
/// the other posts of the moderators' channel.
pub const QUEUE_HEADER: &str = "**Review queue**";

/// The label of the queue post's "Add as a phrasing" button.
pub const ADD_PHRASING_LABEL: &str = "Add as a phrasing of…";
/// The label of the queue post's "New entry" button.
pub const NEW_ENTRY_LABEL: &str = "New entry…";
/// The label of the queue post's "Dismiss" button.
pub const DISMISS_LABEL: &str = "Dismiss";

/// Options in one select menu (Discord's limit).
pub const SELECT_OPTIONS: usize = 25;

/// Closest entries named in a queue post.
pub const QUEUE_CANDIDATES: usize = 3;

/// Discord's limits on modals and their text inputs.
pub mod modal_limits {
    /// A modal's title, and a text input's label.
    pub const TITLE: usize = 45;
    /// What a text input holds.
    pub const INPUT: u16 = 4000;
}

/// The custom ids of the text inputs of the forms.
pub mod inputs {
    /// The phrasing (Add as a phrasing).
    pub const PHRASING: &str = "phrasing";
    /// The entry id (New entry).
    pub const ID: &str = "id";
    /// The title (New entry, edit).
    pub const TITLE: &str = "title";
    /// The answer (New entry, edit).
    pub const ANSWER: &str = "answer";
    /// The phrasings, one per line (New entry).
    pub const PHRASINGS: &str = "phrasings";
}

/// What a review queue post shows.
#[derive(Debug, Clone, Copy)]
pub struct QueueView<'a> {
    /// The item.
    pub item: &'a crate::store::QueueItem,
    /// The bot's best candidates (the matcher's ranking), best first.
    pub candidates: &'a [Choice],
    /// For a not-helpful item: the title of the entry the bot answered with.
    pub answered_title: Option<&'a str>,
    /// Once a moderator acted: who did what (then the buttons go).
    pub done: Option<&'a str>,
}

/// A review queue post: the question (masked, as the log keeps it), how often it was asked,
/// the closest entries, a moderator's captured answer, and the buttons (until someone acted).
#[must_use]
pub fn queue_post(view: &QueueView<'_>) -> Rendered {
    use crate::store::QueueKind;
    use std::fmt::Write as _;
    let item = view.item;
    let why = match item.kind {
        QueueKind::Unanswered => "a question the bot could not answer".to_owned(),
        QueueKind::NotHelpful => format!(
            "an answer voted not helpful (\"{}\")",
            view.answered_title
                .or(item.entry_id.as_deref())
                .unwrap_or("?")
        ),
    };
    let times = if item.count == 1 {
        "asked once".to_owned()
    } else {
        format!("asked {} times", item.count)
    };
    let mut text = format!("{QUEUE_HEADER} · {why} · {times}\n");
    // Writing to a String cannot fail.
    for line in item.question.lines() {
        let _ = writeln!(text, "> {line}");
    }
    if view.candidates.is_empty() {
        text.push_str("Closest entries: none\n");
    } else {
        let names: Vec<String> = view
            .candidates
            .iter()
            .take(QUEUE_CANDIDATES)
            .map(|c| format!("\"{}\" (`{}`)", c.title, c.id))
            .collect();
        let _ = writeln!(text, "Closest entries: {}", names.join(", "));
    }
    if let Some(answer) = &item.answer {
        text.push_str("**A moderator answered:**\n");
        for line in answer.lines() {
            let _ = writeln!(text, "> {line}");
        }
    }
    let components = if let Some(done) = view.done {
        let _ = write!(text, "✅ {done}");
        Vec::new()
    } else {
        queue_buttons(item.id)
    };
    Rendered {
        content: Some(truncate(text.trim_end(), limits::CONTENT)),
        embeds: Vec::new(),
        components,
    }
}

/// A review queue item's buttons: Add as a phrasing, New entry, Dismiss (on its post and under
/// the weekly digest's top groups).
#[must_use]
pub fn queue_buttons(id: crate::store::QueueItemId) -> Vec<CreateActionRow> {
    {
        let buttons = [
            (
                Action::QueuePhrasing { item: id },
                ADD_PHRASING_LABEL,
                ButtonStyle::Primary,
            ),
            (
                Action::QueueNewEntry { item: id },
                NEW_ENTRY_LABEL,
                ButtonStyle::Secondary,
            ),
            (
                Action::QueueDismiss { item: id },
                DISMISS_LABEL,
                ButtonStyle::Danger,
            ),
        ]
        .into_iter()
        .filter_map(|(action, label, style)| {
            Some(
                CreateButton::new(action.custom_id()?)
                    .label(label)
                    .style(style),
            )
        })
        .collect();
        rows(buttons)
    }
}

/// The entry menus of "Add as a phrasing of...": the closest entries first, then every entry by
/// title, 25 to a menu (Discord's limit), as many menus as a message holds. With more entries
/// than that, the moderator is pointed to `/faq add-phrasing`, which searches them all.
#[must_use]
pub fn entry_menus(
    item: crate::store::QueueItemId,
    question: &str,
    closest: &[Choice],
    by_title: &[Choice],
) -> Rendered {
    use poise::serenity_prelude::{CreateSelectMenu, CreateSelectMenuKind, CreateSelectMenuOption};
    use std::fmt::Write as _;
    let option = |c: &Choice| CreateSelectMenuOption::new(truncate(&c.title, 100), c.id.clone());
    let menu = |n: usize, placeholder: String, choices: &[Choice]| {
        let id = Action::QueuePick {
            item,
            menu: u8::try_from(n).unwrap_or(0),
        }
        .custom_id()?;
        let options = choices.iter().take(SELECT_OPTIONS).map(option).collect();
        Some(CreateActionRow::SelectMenu(
            CreateSelectMenu::new(id, CreateSelectMenuKind::String { options })
                .placeholder(truncate(&placeholder, 150)),
        ))
    };
    let mut components = Vec::new();
    if !closest.is_empty() {
        components.extend(menu(0, "Closest entries, best first".to_owned(), closest));
    }
    let chunks: Vec<&[Choice]> = by_title.chunks(SELECT_OPTIONS).collect();
    let room = limits::ROWS - components.len();
    for (i, chunk) in chunks.iter().take(room).enumerate() {
        let (first, last) = (&chunk[0].title, &chunk[chunk.len() - 1].title);
        let placeholder = format!(
            "All entries by title: {} … {}",
            truncate(first, 40),
            truncate(last, 40)
        );
        components.extend(menu(i + 1, placeholder, chunk));
    }
    let shown = room.min(chunks.len()) * SELECT_OPTIONS;
    let mut text = format!(
        "Which entry should this question become a phrasing of? You can edit the words next.\n> {}",
        truncate(question, 300)
    );
    if by_title.len() > shown {
        // Writing to a String cannot fail.
        let _ = write!(
            text,
            "\nThe menus hold {shown} of the {} entries by title; for another one, use \
             `/faq add-phrasing`, which searches them all.",
            by_title.len()
        );
    }
    Rendered {
        content: Some(truncate(&text, limits::CONTENT)),
        embeds: Vec::new(),
        components,
    }
}

/// One text input of a form, in its own row.
fn input(
    style: poise::serenity_prelude::InputTextStyle,
    label: &str,
    id: &str,
    value: Option<&str>,
    max: u16,
) -> CreateActionRow {
    let mut text = poise::serenity_prelude::CreateInputText::new(
        style,
        truncate(label, modal_limits::TITLE),
        id,
    )
    .max_length(max);
    if let Some(value) = value.filter(|v| !v.is_empty()) {
        text = text.value(truncate(value, usize::from(max)));
    }
    CreateActionRow::InputText(text)
}

/// The form of "Add as a phrasing": the question, to edit (remove a child's name) before it
/// goes into the FAQ. `None` if the custom id would not fit.
#[must_use]
pub fn phrasing_form(
    item: crate::store::QueueItemId,
    entry: &str,
    entry_title: &str,
    question: &str,
) -> Option<poise::serenity_prelude::CreateModal> {
    use poise::serenity_prelude::{CreateModal, InputTextStyle};
    let id = Action::SubmitPhrasing {
        item,
        entry: entry.to_owned(),
    }
    .custom_id()?;
    let title = truncate(&format!("Phrasing of: {entry_title}"), modal_limits::TITLE);
    Some(CreateModal::new(id, title).components(vec![input(
        InputTextStyle::Paragraph,
        "The question (remove names, personal details)",
        inputs::PHRASING,
        Some(question),
        u16::try_from(crate::store::MAX_QUESTION_CHARS).unwrap_or(300),
    )]))
}

/// The form of "New entry...": id, title, answer (pre-filled with a moderator's captured
/// answer) and phrasings (pre-filled with the question).
#[must_use]
pub fn new_entry_form(
    item: crate::store::QueueItemId,
    question: &str,
    answer: Option<&str>,
) -> Option<poise::serenity_prelude::CreateModal> {
    use poise::serenity_prelude::{CreateModal, InputTextStyle};
    let id = Action::SubmitNewEntry { item }.custom_id()?;
    Some(CreateModal::new(id, "New FAQ entry").components(vec![
        input(
            InputTextStyle::Short,
            "Id (the file name, e.g. swimming-lessons)",
            inputs::ID,
            None,
            64,
        ),
        input(InputTextStyle::Short, "Title", inputs::TITLE, None, 200),
        input(
            InputTextStyle::Paragraph,
            "Answer",
            inputs::ANSWER,
            answer,
            modal_limits::INPUT,
        ),
        input(
            InputTextStyle::Paragraph,
            "Phrasings, one per line",
            inputs::PHRASINGS,
            Some(question),
            modal_limits::INPUT,
        ),
    ]))
}

/// The form of `/faq edit`: the entry's title and answer, the entry's version in the custom id.
#[must_use]
pub fn edit_form(
    entry: &str,
    version: &str,
    title: &str,
    answer: &str,
) -> Option<poise::serenity_prelude::CreateModal> {
    use poise::serenity_prelude::{CreateModal, InputTextStyle};
    let id = Action::SubmitEdit {
        entry: entry.to_owned(),
        version: version.to_owned(),
    }
    .custom_id()?;
    let heading = truncate(&format!("Edit: {title}"), modal_limits::TITLE);
    Some(CreateModal::new(id, heading).components(vec![
        input(
            InputTextStyle::Short,
            "Title",
            inputs::TITLE,
            Some(title),
            200,
        ),
        input(
            InputTextStyle::Paragraph,
            "Answer",
            inputs::ANSWER,
            Some(answer),
            modal_limits::INPUT,
        ),
    ]))
}

/// The question quoted in a [`moderator_request`] post (its `> ` lines), to capture a
/// moderator's reply to it.
///
/// ```
/// use faqbot::discord::render::moderator_request_question;
/// let post = "**A parent asked for a moderator:** <@1> in <#2>.\n> is swimming ok\n> at 2?\nThe bot had no answer in the FAQ.";
/// assert_eq!(moderator_request_question(post).as_deref(), Some("is swimming ok\nat 2?"));
/// assert_eq!(moderator_request_question("hello"), None);
/// ```
#[must_use]
pub fn moderator_request_question(post: &str) -> Option<String> {
    if !post.starts_with(MODERATOR_REQUEST_HEADER) {
        return None;
    }
    let quoted: Vec<&str> = post
        .lines()
        .filter_map(|line| line.strip_prefix("> "))
        .collect();
    (!quoted.is_empty()).then(|| quoted.join("\n"))
}

/// The first words of a [`moderator_request`] post.
pub const MODERATOR_REQUEST_HEADER: &str = "**A parent asked for a moderator:**";

#[cfg(test)]
mod tests {
    use super::*;

    fn queue_item(learned: bool) -> crate::store::QueueItem {
        crate::store::QueueItem {
            id: crate::store::QueueItemId::new(7),
            kind: crate::store::QueueKind::Unanswered,
            question: "how long is a session".into(),
            entry_id: None,
            count: 3,
            post: None,
            answer: Some("45 minutes.".into()),
            learned: learned.then_some(crate::store::Learned::Dismissed),
            learned_entry: None,
        }
    }

    fn choices(n: usize) -> Vec<Choice> {
        (0..n)
            .map(|i| Choice {
                id: format!("e{i:03}"),
                title: format!("Entry {i:03}"),
            })
            .collect()
    }

    #[test]
    fn queue_post_shows_the_question_candidates_answer_and_buttons_until_done() {
        let item = queue_item(false);
        let candidates = choices(2);
        let view = QueueView {
            item: &item,
            candidates: &candidates,
            answered_title: None,
            done: None,
        };
        let open = queue_post(&view);
        let text = open.content.clone().unwrap_or_default();
        for want in [
            QUEUE_HEADER,
            "asked 3 times",
            "> how long is a session",
            "\"Entry 000\" (`e000`)",
            "**A moderator answered:**\n> 45 minutes.",
        ] {
            assert!(text.contains(want), "{want:?} in {text}");
        }
        let json = serde_json::to_value(&open.components).expect("json");
        let ids: Vec<&str> = json[0]["components"]
            .as_array()
            .expect("buttons")
            .iter()
            .filter_map(|b| b["custom_id"].as_str())
            .collect();
        assert_eq!(ids, ["faq:qphr:7", "faq:qnew:7", "faq:qdis:7"]);
        let done = queue_post(&QueueView {
            done: Some("Dismissed by <@1>."),
            ..view
        });
        assert!(done.components.is_empty());
        assert!(done
            .content
            .unwrap_or_default()
            .ends_with("✅ Dismissed by <@1>."));
    }

    #[test]
    fn entry_menus_hold_25_each_and_point_past_a_full_message() {
        let item = crate::store::QueueItemId::new(7);
        // (closest, entries, menus, pointed to /faq add-phrasing)
        let table = [
            (3, 10, 2, false),
            (0, 30, 2, false),
            (5, 100, 5, false),
            (5, 130, 5, true),
            (30, 101, 5, true),
        ];
        for (near, all, menus, pointed) in table {
            let rendered = entry_menus(item, "q", &choices(near), &choices(all));
            let json = serde_json::to_value(&rendered.components).expect("json");
            let rows = json.as_array().expect("rows");
            assert_eq!(rows.len(), menus, "{near} {all}");
            let mut ids = Vec::new();
            for row in rows {
                let menu = &row["components"][0];
                let options = menu["options"].as_array().expect("options").len();
                assert!(
                    (1..=SELECT_OPTIONS).contains(&options),
                    "{near} {all}: {options}"
                );
                ids.push(menu["custom_id"].as_str().expect("id").to_owned());
            }
            ids.dedup();
            assert_eq!(ids.len(), menus, "distinct custom ids");
            let text = rendered.content.unwrap_or_default();
            assert_eq!(
                text.contains("/faq add-phrasing"),
                pointed,
                "{near} {all}: {text}"
            );
        }
    }

    use serde_json::{json, Value};

    fn answer(related: usize, body: &str) -> Reply {
        Reply::Answer(Answer {
            id: "what-is-ot".into(),
            title: "What is OT?".into(),
            body: body.into(),
            sources: vec!["Article A".into(), "Article B".into()],
            related: (0..related)
                .map(|i| Choice {
                    id: format!("entry-{i}"),
                    title: format!("Entry {i}"),
                })
                .collect(),
            appointment_prompt: "Book with C at https://x.test/book or call 1.".into(),
            appointment_url: "https://x.test/book".into(),
            score: 0.8,
        })
    }

    fn message_json(rendered: Rendered) -> Value {
        serde_json::to_value(rendered.into_message()).expect("serialises")
    }

    #[test]
    fn answer_is_an_embed_with_link_and_related_buttons() {
        let v = message_json(render(&answer(2, "OT helps.")));
        let embed = &v["embeds"][0];
        assert_eq!(embed["title"], "What is OT?");
        assert_eq!(embed["description"], "OT helps.");
        assert_eq!(embed["fields"][0]["name"], "Source");
        assert_eq!(embed["fields"][0]["value"], "Article A\nArticle B");
        assert_eq!(
            embed["fields"][1]["value"],
            "Book with C at https://x.test/book or call 1."
        );
        let buttons = &v["components"][0]["components"];
        assert_eq!(buttons[0]["style"], 5, "link");
        assert_eq!(buttons[0]["url"], "https://x.test/book");
        assert_eq!(buttons[0]["label"], BOOK_LABEL);
        assert_eq!(buttons[1]["custom_id"], "faq:show:entry-0");
        assert_eq!(buttons[2]["label"], "Entry 1");
        assert_eq!(v["allowed_mentions"]["parse"], json!([]));
        assert!(v.get("content").is_none());
    }

    #[test]
    fn many_related_wrap_into_rows() {
        let v = message_json(render(&answer(7, "x")));
        let rows = v["components"].as_array().expect("rows");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["components"].as_array().map(Vec::len), Some(5));
        assert_eq!(rows[1]["components"].as_array().map(Vec::len), Some(3));
        assert!(super::rows(vec![book_button("https://x.test"); 30]).len() <= limits::ROWS);
    }

    #[test]
    fn long_answer_fits_discord_limits() {
        let v = message_json(render(&answer(0, &"é".repeat(10_000))));
        let embed = &v["embeds"][0];
        let chars = |k: &Value| k.as_str().map_or(0, |s| s.chars().count());
        let total = chars(&embed["title"])
            + chars(&embed["description"])
            + chars(&embed["footer"]["text"])
            + embed["fields"]
                .as_array()
                .expect("fields")
                .iter()
                .map(|f| chars(&f["name"]) + chars(&f["value"]))
                .sum::<usize>();
        assert!(chars(&embed["description"]) <= limits::EMBED_DESCRIPTION);
        assert!(total <= limits::EMBED_TOTAL, "{total}");
        assert!(embed["description"]
            .as_str()
            .is_some_and(|d| d.ends_with('…')));
    }

    #[test]
    fn did_you_mean_offers_at_most_three_buttons() {
        let choices: Vec<Choice> = (0..5)
            .map(|i| Choice {
                id: format!("e{i}"),
                title: format!("T{i}"),
            })
            .collect();
        let v = message_json(render(&Reply::DidYouMean {
            text: "Did you mean?".into(),
            choices,
        }));
        assert_eq!(v["content"], "Did you mean?");
        let buttons = v["components"][0]["components"].as_array().expect("row");
        let ids: Vec<&str> = buttons
            .iter()
            .filter_map(|b| b["custom_id"].as_str())
            .collect();
        assert_eq!(ids, ["faq:show:e0", "faq:show:e1", "faq:show:e2"]);
    }

    #[test]
    fn fallback_has_the_prompt_and_the_link() {
        let v = message_json(render(&Reply::Fallback {
            text: "I don't know.".into(),
            appointment_prompt: "Book.".into(),
            appointment_url: "https://x.test/book".into(),
        }));
        assert_eq!(v["content"], "I don't know.\n\nBook.");
        assert_eq!(
            v["components"][0]["components"][0]["url"],
            "https://x.test/book"
        );
    }

    #[test]
    fn interaction_and_poise_replies_ping_no_one() {
        let v = serde_json::to_value(render(&answer(1, "x")).into_interaction(true))
            .expect("serialises");
        assert_eq!(v["allowed_mentions"]["parse"], json!([]));
        assert_eq!(v["flags"], 64, "ephemeral");
        let reply = render(&answer(1, "x"))
            .into_poise(false)
            .to_slash_initial_response(CreateInteractionResponseMessage::new());
        let v = serde_json::to_value(reply).expect("serialises");
        assert_eq!(v["allowed_mentions"]["parse"], json!([]));
        assert_eq!(v["embeds"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn feedback_adds_votes_to_answers_and_ask_moderator_to_the_fallback() {
        let feedback = Feedback {
            answer: AnswerId::from_u64(255),
            ask_moderator: true,
        };
        let v = message_json(render_with(&answer(1, "x"), Some(feedback)));
        let rows = v["components"].as_array().expect("rows");
        let votes = &rows[rows.len() - 1]["components"];
        assert_eq!(votes[0]["custom_id"], "faq:vote:00000000000000ff:y");
        assert_eq!(votes[0]["label"], HELPFUL_LABEL);
        assert_eq!(votes[1]["custom_id"], "faq:vote:00000000000000ff:n");
        // With related entries filling every row, the votes still get the last one.
        let v = message_json(render_with(&answer(40, "x"), Some(feedback)));
        let rows = v["components"].as_array().expect("rows");
        assert_eq!(rows.len(), limits::ROWS);
        assert_eq!(
            rows[limits::ROWS - 1]["components"][0]["custom_id"],
            "faq:vote:00000000000000ff:y"
        );
        let fallback = Reply::Fallback {
            text: "I don't know.".into(),
            appointment_prompt: "Book.".into(),
            appointment_url: "https://x.test/book".into(),
        };
        let v = message_json(render_with(&fallback, Some(feedback)));
        assert_eq!(
            v["components"][0]["components"][1]["custom_id"],
            "faq:askmod:00000000000000ff"
        );
        let without = Feedback {
            ask_moderator: false,
            ..feedback
        };
        let v = message_json(render_with(&fallback, Some(without)));
        assert_eq!(
            v["components"][0]["components"].as_array().map(Vec::len),
            Some(1)
        );
    }

    #[test]
    fn vote_thanks_table() {
        let ask = Some(AnswerId::from_u64(1));
        let table = [
            (true, Some(VoteOutcome::Recorded), ask, "glad it helped", 0),
            (
                false,
                Some(VoteOutcome::Recorded),
                ask,
                "ask a moderator",
                1,
            ),
            (
                false,
                Some(VoteOutcome::Recorded),
                None,
                "make the FAQ better",
                0,
            ),
            (
                false,
                Some(VoteOutcome::Unchanged),
                ask,
                "already told us",
                1,
            ),
            (
                true,
                Some(VoteOutcome::Changed),
                ask,
                "changed your vote",
                0,
            ),
            (true, None, ask, "glad it helped", 0),
        ];
        for (helpful, outcome, ask, text, rows) in table {
            let r = vote_thanks(helpful, outcome, ask);
            assert!(
                r.content.as_deref().is_some_and(|c| c.contains(text)),
                "{helpful} {outcome:?}: {:?}",
                r.content
            );
            assert_eq!(r.components.len(), rows, "{helpful} {outcome:?}");
        }
    }

    #[test]
    fn moderator_request_says_who_where_and_what() {
        let asked = Asked {
            question: "line one\nline two".into(),
            answered: Some("What is OT?".into()),
            author: UserId::new(5),
            channel: ChannelId::new(6),
            guild: Some(GuildId::new(7)),
            message: Some(poise::serenity_prelude::MessageId::new(8)),
        };
        let text = moderator_request(
            UserId::new(5),
            ChannelId::new(6),
            Some(GuildId::new(7)),
            Some(&asked),
        );
        assert!(text.contains("<@5> in <#6>"), "{text}");
        assert!(text.contains("> line one\n> line two"), "{text}");
        assert!(text.contains("\"What is OT?\""), "{text}");
        assert!(
            text.contains("https://discord.com/channels/7/6/8"),
            "{text}"
        );
        let dm = moderator_request(UserId::new(5), ChannelId::new(6), None, None);
        assert!(
            dm.contains("DM") && dm.contains("no longer has the question"),
            "{dm}"
        );
    }

    #[test]
    fn truncate_table() {
        let table = [
            ("abc", 3, "abc"),
            ("abcd", 3, "ab…"),
            ("ééé", 2, "é…"),
            ("", 0, ""),
        ];
        for (text, max, want) in table {
            assert_eq!(truncate(text, max), want, "{text:?} {max}");
        }
    }

    #[test]
    fn split_text_table() {
        let table: [(&str, usize, &[&str]); 5] = [
            ("a\nb\nc", 3, &["a\nb", "c"]),
            ("a\nb\nc", 5, &["a\nb\nc"]),
            ("abcdefg", 3, &["abc", "def", "g"]),
            ("ab\ncdefg\nh", 3, &["ab", "cde", "fg", "h"]),
            ("", 3, &[]),
        ];
        for (text, max, want) in table {
            assert_eq!(split_text(text, max), want, "{text:?} {max}");
        }
        for piece in split_text(&"line of text\n".repeat(500), limits::CONTENT) {
            assert!(piece.chars().count() <= limits::CONTENT);
        }
    }

    #[test]
    fn cooldown_text_rounds_up() {
        assert!(cooldown_text(Duration::from_millis(1500)).contains("in 2 seconds"));
        assert!(cooldown_text(Duration::from_secs(1)).contains("in 1 second."));
    }
}
