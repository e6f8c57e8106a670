//! Dates for windows: `--since 2026-10-01`, `--since 2026-10-01T12:30+02:00`, `--since "4 weeks
//! ago"`, `--since 30d`, and how dates are shown (`2026-10-01`).
//!
//! Calendar arithmetic and time zones are jiff's: a date or a time without an offset is local
//! time, as git reads `--since` (`TZ` applies); "3 months ago" is three calendar months, not
//! 90 days. Times are Unix seconds everywhere else in plan-lint. Dates outside jiff's range
//! (years -9999 to 9999) are refused, so no window can be absurdly large.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, Zoned};

/// Seconds in a day (windows and weeks are counted in days).
pub const DAY: i64 = 24 * 3600;

/// Seconds since the Unix epoch for a date or relative time, relative to `now`.
pub fn parse(text: &str, now: i64) -> Result<i64, String> {
    parse_in(text, now, &TimeZone::system())
}

/// [`parse`] in a given time zone (tests pin one).
pub fn parse_in(text: &str, now: i64, tz: &TimeZone) -> Result<i64, String> {
    let t = text.trim().to_ascii_lowercase();
    if t == "now" || t == "today" {
        return Ok(now);
    }
    if let Some(ts) = absolute(&t, tz) {
        return ts;
    }
    // "4 weeks ago", "4 weeks", "4w", "30d", "30 days", "3 months ago"
    let t = t.strip_suffix("ago").unwrap_or(&t).trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: i64 = n.parse().map_err(|_| bad(text))?;
    let span: Span = match unit.trim() {
        "d" | "day" | "days" => Span::new().try_days(n),
        "w" | "week" | "weeks" => Span::new().try_weeks(n),
        "m" | "month" | "months" => Span::new().try_months(n),
        "y" | "year" | "years" => Span::new().try_years(n),
        "h" | "hour" | "hours" => Span::new().try_hours(n),
        _ => return Err(bad(text)),
    }
    .map_err(|_| too_far(text))?;
    let now = zoned(now, tz)?;
    now.checked_sub(span).map(|z| z.timestamp().as_second()).map_err(|_| too_far(text))
}

fn bad(text: &str) -> String {
    format!(
        "`{text}` is not a date: write 2026-10-01, 2026-10-01T12:30, 2026-10-01T12:30+02:00, \"4 weeks ago\" or 30d"
    )
}

fn too_far(text: &str) -> String {
    format!("`{text}` is too far from today: dates run from year -9999 to 9999")
}

fn zoned(ts: i64, tz: &TimeZone) -> Result<Zoned, String> {
    Timestamp::from_second(ts).map(|t| t.to_zoned(tz.clone())).map_err(|e| e.to_string())
}

/// An absolute date or time: `None` when the text does not look like one, an error when it does
/// but is not valid (`2023-02-29`).
fn absolute(t: &str, tz: &TimeZone) -> Option<Result<i64, String>> {
    if !t.starts_with(|c: char| c.is_ascii_digit() || c == '-') || !t.contains('-') {
        return None;
    }
    // With an offset or `Z`: an instant.
    if let Ok(ts) = t.to_uppercase().parse::<Timestamp>() {
        return Some(Ok(ts.as_second()));
    }
    // A civil date or date and time: local time.
    let civil = t
        .parse::<DateTime>()
        .or_else(|_| t.parse::<Date>().map(|d| d.to_datetime(jiff::civil::Time::midnight())))
        .ok()?;
    Some(civil.to_zoned(tz.clone()).map(|z| z.timestamp().as_second()).map_err(|e| e.to_string()))
}

/// The local date of a Unix time, `2026-10-01`.
pub fn date(ts: i64) -> String {
    match zoned(ts, &TimeZone::system()) {
        Ok(z) => z.date().to_string(),
        Err(_) => "????-??-??".to_string(),
    }
}

/// The local calendar date of a Unix time.
pub fn local_date(ts: i64) -> Option<jiff::civil::Date> {
    zoned(ts, &TimeZone::system()).ok().map(|z| z.date())
}

/// The end of the local day that `ts` falls in (the last second), for `--until 2026-10-31`.
pub fn end_of_day(ts: i64) -> i64 {
    zoned(ts, &TimeZone::system())
        .and_then(|z| z.end_of_day().map_err(|e| e.to_string()))
        .map_or(ts + DAY - 1, |z| z.timestamp().as_second())
}

/// Now, from the system clock.
pub fn now() -> i64 {
    Timestamp::now().as_second()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str, now: i64) -> Result<i64, String> {
        parse_in(text, now, &TimeZone::UTC)
    }

    #[test]
    fn absolute_dates() {
        assert_eq!(utc("2026-01-01", 0), Ok(1_767_225_600));
        assert_eq!(utc("2026-01-01T12:30Z", 0), Ok(1_767_225_600 + 45_000));
        assert_eq!(utc("2026-01-01T12:30", 0), Ok(1_767_225_600 + 45_000));
        // An offset is honoured, whatever the local zone.
        assert_eq!(utc("2026-01-01T12:30+02:00", 0), Ok(1_767_225_600 + 45_000 - 7_200));
        let paris = TimeZone::get("Europe/Paris").unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(1)));
        assert_eq!(parse_in("2026-01-01T12:30+02:00", 0, &paris), Ok(1_767_225_600 + 45_000 - 7_200));
        // Without one, local time: midnight in Paris is 23:00 UTC the day before.
        assert_eq!(parse_in("2026-01-01", 0, &paris), Ok(1_767_225_600 - 3_600));
        assert!(utc("2024-02-29", 0).is_ok());
        assert!(utc("2023-02-29", 0).is_err());
        assert!(utc("99999999-12-31", 0).is_err());
    }

    #[test]
    fn relative_times() {
        let now = 1_767_225_600; // 2026-01-01
        assert_eq!(utc("4 weeks ago", now), Ok(now - 28 * DAY));
        assert_eq!(utc("30d", now), Ok(now - 30 * DAY));
        assert_eq!(utc(" 2 Days ", now), Ok(now - 2 * DAY));
        assert_eq!(utc("now", now), Ok(now));
        // Calendar months: 2026-01-01 minus one month is 2025-12-01 (31 days).
        assert_eq!(utc("1 month ago", now), Ok(now - 31 * DAY));
        assert!(utc("soon", now).is_err());
        assert!(utc("3 fortnights", now).is_err());
        assert!(utc("99999999999 weeks ago", now).is_err());
    }
}
