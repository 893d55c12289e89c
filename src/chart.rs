//! The chart of the moderators' report: questions per UTC day, stacked by outcome, as a PNG.
//!
//! Pure drawing: [`per_day_png`] takes the days ([`Report::by_day`]) and returns the PNG's
//! bytes; writing a file (`faqbot report --png`) or posting it (the weekly digest) is the
//! caller's. plotters draws into an RGB buffer (its bitmap backend, no image crate), the text
//! with the `DejaVu Sans` font shipped in `assets/fonts/` (no system fonts needed), and the `png`
//! crate encodes the buffer.
//!
//! ```
//! use faqbot::chart::{per_day_png, HEIGHT, WIDTH};
//! let png = per_day_png(&[], "No questions yet").unwrap();
//! assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
//! assert_eq!(faqbot::chart::png_size(&png), Some((WIDTH, HEIGHT)));
//! ```

use std::sync::OnceLock;

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{register_font, FontStyle, RGBColor};

use crate::store::{DayCount, Outcome, Report};

/// Width of the chart in pixels: Discord shows an attached image up to about 550 px wide in
/// the channel, so the text sizes below stay readable when it is scaled down by a third.
pub const WIDTH: u32 = 800;

/// Height of the chart in pixels (16:9-ish, the shape Discord previews without cropping).
pub const HEIGHT: u32 = 450;

/// The font family name the chart registers its font under.
const FAMILY: &str = "faqbot-sans";

/// `DejaVu Sans` (licence in `assets/fonts/LICENSE-DejaVu.txt`).
const FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");

/// Text sizes in pixels: title, axis names, tick labels and legend, the bars' totals.
const TITLE_SIZE: u32 = 28;
const AXIS_SIZE: u32 = 20;
const LABEL_SIZE: u32 = 17;
const VALUE_SIZE: u32 = 15;

/// Colours of the outcomes, from the Okabe–Ito palette (told apart with colour blindness too).
const fn colour(outcome: Outcome) -> RGBColor {
    match outcome {
        Outcome::Answer => RGBColor(0x00, 0x72, 0xB2), // blue
        Outcome::Ambiguous => RGBColor(0xE6, 0x9F, 0x00), // orange
        Outcome::NoMatch => RGBColor(0xD5, 0x5E, 0x00), // vermilion
    }
}

/// Dark grey for text and axes: softer than black on white.
const INK: RGBColor = RGBColor(0x33, 0x33, 0x33);

/// Light grey for the horizontal grid lines.
const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);

/// Why the chart could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The shipped font could not be read.
    #[error("the chart's font could not be loaded")]
    Font,
    /// plotters failed to draw.
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    /// The PNG could not be encoded.
    #[error("encoding the chart as PNG failed: {0}")]
    Encode(#[from] png::EncodingError),
}

fn draw_error(e: impl std::fmt::Display) -> ChartError {
    ChartError::Draw(e.to_string())
}

/// Registers the shipped font with plotters, once per process.
fn font_ready() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok {
        Ok(())
    } else {
        Err(ChartError::Font)
    }
}

/// The report's chart: its days ([`Report::by_day`]) titled with the period.
pub fn report_png(report: &Report) -> Result<Vec<u8>, ChartError> {
    let title = match (report.by_day.first(), report.by_day.last()) {
        (Some(first), Some(last)) if first.start_unix != last.start_unix => format!(
            "Questions per day, {} to {} (UTC)",
            first.label(),
            last.label()
        ),
        (Some(day), _) => format!("Questions on {} (UTC)", day.label()),
        _ => "Questions per day (UTC)".to_owned(),
    };
    per_day_png(&report.by_day, &title)
}

/// The y axis's top for the tallest bar `max`: a little headroom for the total above it, and
/// at least 5 so an empty or quiet week still has a readable scale.
fn y_top(max: u64) -> u64 {
    (max + max.div_ceil(8)).max(max + 1).max(5)
}

/// A PNG ([`WIDTH`] × [`HEIGHT`]) of `days` as bars stacked by outcome (answered at the bottom,
/// then ambiguous, then no match), each bar's total above it, with a legend and axis names.
/// With no questions at all it says so in the middle.
pub fn per_day_png(days: &[DayCount], title: &str) -> Result<Vec<u8>, ChartError> {
    font_ready()?;
    let mut pixels = vec![0u8; WIDTH as usize * HEIGHT as usize * 3];
    draw(&mut pixels, days, title)?;
    encode(&pixels)
}

/// Height of the band above the plot: the title, and the legend in one row under it.
const HEADER: u32 = 78;

/// The legend's colour swatch (pixels a side) and the space between its entries.
const SWATCH: i32 = 14;
const SPACE: i32 = 28;

fn draw(pixels: &mut [u8], days: &[DayCount], title: &str) -> Result<(), ChartError> {
    let root = BitMapBackend::with_buffer(pixels, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE).map_err(draw_error)?;
    let (header, body) = root.split_vertically(HEADER);
    draw_header(&header, title)?;

    let n = days.len().max(1);
    let max = days.iter().map(DayCount::total).max().unwrap_or(0);
    let top = y_top(max);
    let font = |size: u32| (FAMILY, size).into_font().color(&INK);

    // Integer ranges are inclusive in plotters: 0..n-1 is n segments, one per day.
    let mut chart = ChartBuilder::on(&body)
        .margin_left(14)
        .margin_right(24)
        .margin_bottom(10)
        .x_label_area_size(52)
        .y_label_area_size(64)
        .build_cartesian_2d((0..n - 1).into_segmented(), 0..top)
        .map_err(draw_error)?;

    let every = n.div_ceil(10);
    let labels = day_labels(days);
    let x_label = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(i) if i % every == 0 => labels.get(*i).cloned().unwrap_or_default(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(INK)
        .x_labels(n)
        .x_label_formatter(&x_label)
        .y_labels(6)
        .y_label_formatter(&|v: &u64| v.to_string())
        .x_desc("Day (UTC)")
        .y_desc("Questions")
        .label_style(font(LABEL_SIZE))
        .axis_desc_style(font(AXIS_SIZE))
        .draw()
        .map_err(draw_error)?;

    // Bars narrower than the day, with a gap that shrinks with many days.
    let gap = ((WIDTH as usize / n) / 6).clamp(1, 14) as u32;
    let mut base = vec![0u64; days.len()];
    for outcome in Outcome::ALL {
        let style = colour(outcome).filled();
        let bars: Vec<Rectangle<(SegmentValue<usize>, u64)>> = days
            .iter()
            .enumerate()
            .filter(|(_, d)| d.count(outcome) > 0)
            .map(|(i, d)| {
                let from = base[i];
                let to = from + d.count(outcome);
                base[i] = to;
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), from),
                        (SegmentValue::Exact(i + 1), to),
                    ],
                    style,
                );
                bar.set_margin(0, 0, gap, gap);
                bar
            })
            .collect();
        chart.draw_series(bars).map_err(draw_error)?;
    }

    // Each bar's total above it, while there is room for the numbers.
    let above = font(VALUE_SIZE).pos(Pos::new(HPos::Center, VPos::Bottom));
    let totals = days
        .iter()
        .enumerate()
        .filter(|(_, d)| d.total() > 0 && n <= 31)
        .map(|(i, d)| {
            Text::new(
                d.total().to_string(),
                (SegmentValue::CenterOf(i), d.total()),
                above.clone(),
            )
        });
    chart.draw_series(totals).map_err(draw_error)?;

    if max == 0 {
        let middle = font(AXIS_SIZE).pos(Pos::new(HPos::Center, VPos::Center));
        let x = if n % 2 == 0 {
            SegmentValue::Exact(n / 2)
        } else {
            SegmentValue::CenterOf(n / 2)
        };
        let note = Text::new("No questions in this period", (x, top / 2), middle);
        chart
            .draw_series(std::iter::once(note))
            .map_err(draw_error)?;
    }
    root.present().map_err(draw_error)?;
    Ok(())
}

/// A week: "Mon 23" under each bar (the month is in the title). Longer: "23 Nov" (shown under
/// about ten evenly spaced days).
fn day_labels(days: &[DayCount]) -> Vec<String> {
    days.iter()
        .map(|d| {
            let label = d.label();
            let mut parts = label.split(' ');
            let (weekday, day, month) = (parts.next(), parts.next(), parts.next());
            if days.len() <= 10 {
                format!("{} {}", weekday.unwrap_or(""), day.unwrap_or(""))
            } else {
                format!("{} {}", day.unwrap_or(""), month.unwrap_or(""))
            }
        })
        .collect()
}

/// The title, centred, and under it the legend in one row: a swatch and a name per outcome.
fn draw_header<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
) -> Result<(), ChartError> {
    let (width, _) = area.dim_in_pixel();
    let centre = |size: u32| {
        (FAMILY, size)
            .into_font()
            .color(&INK)
            .pos(Pos::new(HPos::Center, VPos::Top))
    };
    let middle = i32::try_from(width / 2).unwrap_or(0);
    area.draw(&Text::new(title, (middle, 10), centre(TITLE_SIZE)))
        .map_err(draw_error)?;

    let label_font = (FAMILY, LABEL_SIZE).into_font().color(&INK);
    let widths: Vec<i32> = Outcome::ALL
        .iter()
        .map(|o| {
            area.estimate_text_size(o.label(), &label_font)
                .map(|(w, _)| i32::try_from(w).unwrap_or(0))
                .map_err(draw_error)
        })
        .collect::<Result<_, _>>()?;
    let row: i32 = widths.iter().map(|w| SWATCH + 6 + w).sum::<i32>() + SPACE * 2;
    let mut x = middle - row / 2;
    let y = 52;
    let label_style = label_font.pos(Pos::new(HPos::Left, VPos::Center));
    for (outcome, w) in Outcome::ALL.into_iter().zip(widths) {
        area.draw(&Rectangle::new(
            [(x, y - SWATCH / 2), (x + SWATCH, y + SWATCH / 2)],
            colour(outcome).filled(),
        ))
        .map_err(draw_error)?;
        area.draw(&Text::new(
            outcome.label(),
            (x + SWATCH + 6, y),
            label_style.clone(),
        ))
        .map_err(draw_error)?;
        x += SWATCH + 6 + w + SPACE;
    }
    Ok(())
}

/// The RGB buffer as a PNG.
fn encode(pixels: &[u8]) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(pixels)?;
    writer.finish()?;
    Ok(out)
}

/// The width and height a PNG's header gives, if `bytes` starts like a PNG.
#[must_use]
pub fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if !bytes.starts_with(SIGNATURE) || bytes.get(12..16) != Some(b"IHDR") {
        return None;
    }
    let word = |at: usize| {
        bytes
            .get(at..at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_be_bytes)
    };
    Some((word(16)?, word(20)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(i: i64, answer: u64, ambiguous: u64, no_match: u64) -> DayCount {
        // 2026-11-23, a Monday.
        let start_unix = 1_795_392_000 + i * 86_400;
        DayCount {
            date: String::new(),
            start_unix,
            answer,
            ambiguous,
            no_match,
        }
    }

    fn week() -> Vec<DayCount> {
        vec![
            day(0, 12, 2, 4),
            day(1, 9, 1, 3),
            day(2, 0, 0, 0),
            day(3, 15, 3, 6),
            day(4, 7, 0, 1),
            day(5, 2, 0, 2),
            day(6, 4, 1, 0),
            day(7, 3, 0, 1),
        ]
    }

    /// The decoded pixels of a PNG (RGB).
    fn pixels(png_bytes: &[u8]) -> (png::OutputInfo, Vec<u8>) {
        let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = decoder.read_info().expect("a PNG header");
        let mut buf = vec![0; reader.output_buffer_size().expect("size")];
        let info = reader.next_frame(&mut buf).expect("a PNG frame");
        (info, buf)
    }

    fn has_colour(rgb: &[u8], c: RGBColor) -> bool {
        rgb.chunks_exact(3).any(|p| p == [c.0, c.1, c.2])
    }

    /// Writes the chart where `FAQBOT_CHART_PREVIEW` says, to look at it while changing it.
    fn preview(name: &str, png_bytes: &[u8]) {
        if let Some(dir) = std::env::var_os("FAQBOT_CHART_PREVIEW") {
            let _ = std::fs::write(std::path::Path::new(&dir).join(name), png_bytes);
        }
    }

    #[test]
    fn chart_is_a_png_of_the_stated_size_with_every_outcome_drawn() {
        let png_bytes = per_day_png(&week(), "Questions per day, Mon 23 Nov to Mon 30 Nov (UTC)")
            .expect("chart");
        preview("week.png", &png_bytes);
        assert_eq!(png_size(&png_bytes), Some((WIDTH, HEIGHT)));
        let (info, rgb) = pixels(&png_bytes);
        assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
        assert_eq!(info.color_type, png::ColorType::Rgb);
        for outcome in Outcome::ALL {
            assert!(has_colour(&rgb, colour(outcome)), "{outcome:?} not drawn");
        }
        // Text was drawn: dark pixels (the font works).
        assert!(rgb.chunks_exact(3).filter(|p| p[0] < 0x60).count() > 1000);
    }

    #[test]
    fn chart_of_an_empty_week_has_no_bars_but_a_legend_and_text() {
        let empty: Vec<DayCount> = (0..8).map(|i| day(i, 0, 0, 0)).collect();
        let png_bytes = per_day_png(&empty, "Questions per day (UTC)").expect("chart");
        preview("empty.png", &png_bytes);
        assert_eq!(png_size(&png_bytes), Some((WIDTH, HEIGHT)));
        let (_, rgb) = pixels(&png_bytes);
        // The legend's swatches are the only coloured pixels: a few hundred, not bars.
        let blue = rgb
            .chunks_exact(3)
            .filter(|p| *p == [0x00, 0x72, 0xB2])
            .count();
        assert!(blue > 0 && blue < 400, "{blue} blue pixels");
        assert!(per_day_png(&[], "nothing").is_ok());
    }

    #[test]
    fn chart_of_a_quarter_draws_every_day() {
        let days: Vec<DayCount> = (0..91)
            .map(|i| day(i, (i as u64 * 7) % 13, (i as u64) % 3, (i as u64 * 5) % 7))
            .collect();
        let png_bytes = per_day_png(&days, "Questions per day, 91 days").expect("chart");
        preview("quarter.png", &png_bytes);
        assert_eq!(png_size(&png_bytes), Some((WIDTH, HEIGHT)));
    }

    #[test]
    fn y_top_table() {
        for (max, want) in [(0, 5), (1, 5), (4, 5), (5, 6), (8, 9), (16, 18), (100, 113)] {
            assert_eq!(y_top(max), want, "{max}");
        }
    }

    #[test]
    fn png_size_rejects_what_is_not_a_png() {
        assert_eq!(png_size(b""), None);
        assert_eq!(png_size(b"GIF89a........................"), None);
    }
}
