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
    match zoned(now, tz) {
        Ok(now) => now.checked_sub(span).map(|z| z.timestamp().as_second()).map_err(|_| too_far(text)),
        // `now` is the end of a window past jiff's last instant (`--until 9999-12-31`): the
        // same arithmetic on the calendar.
        Err(_) => {
            let civil = civil(now, tz).ok_or_else(|| too_far(text))?;
            civil.checked_sub(span).map_err(|_| too_far(text)).and_then(|c| instant(c, tz).map_err(|_| too_far(text)))
        }
    }
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

/// 1970-01-01T00:00, the civil start of Unix time.
const EPOCH: DateTime = jiff::civil::datetime(1970, 1, 1, 0, 0, 0, 0);

/// Unix seconds of a civil date and time in `tz`. jiff's instants stop a day short of its
/// calendar (at 9999-12-30T22:00Z, and as far from -9999-01-01), so that every instant is a
/// date in every zone; a civil time beyond them (`--until 9999-12-31`, which the calendar has) is
/// placed with the zone's offset at that end, in plain seconds.
fn instant(civil: DateTime, tz: &TimeZone) -> Result<i64, String> {
    match civil.to_zoned(tz.clone()) {
        Ok(z) => Ok(z.timestamp().as_second()),
        Err(e) => {
            let edge = if civil > EPOCH { Timestamp::MAX } else { Timestamp::MIN };
            let local = civil.duration_since(EPOCH).as_secs();
            if Timestamp::from_second(local).is_ok() {
                return Err(e.to_string());
            }
            Ok(local - i64::from(tz.to_offset(edge).seconds()))
        }
    }
}

/// The civil date and time of Unix seconds in `tz`, also beyond jiff's last instant (see
/// [`instant`]); `None` off the calendar.
fn civil(ts: i64, tz: &TimeZone) -> Option<DateTime> {
    if let Ok(z) = zoned(ts, tz) {
        return Some(z.datetime());
    }
    let edge = if ts > 0 { Timestamp::MAX } else { Timestamp::MIN };
    let local = ts.checked_add(i64::from(tz.to_offset(edge).seconds()))?;
    EPOCH.checked_add(jiff::SignedDuration::from_secs(local)).ok()
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
    Some(instant(civil, tz))
}

/// The local date of a Unix time, `2026-10-01`.
pub fn date(ts: i64) -> String {
    date_in(ts, &TimeZone::system())
}

fn date_in(ts: i64, tz: &TimeZone) -> String {
    civil(ts, tz).map_or_else(|| "????-??-??".to_string(), |c| c.date().to_string())
}

/// The local calendar date of a Unix time.
pub fn local_date(ts: i64) -> Option<jiff::civil::Date> {
    civil(ts, &TimeZone::system()).map(|c| c.date())
}

/// The end of the local day that `ts` falls in (the last second), for `--until 2026-10-31`.
pub fn end_of_day(ts: i64) -> i64 {
    end_of_day_in(ts, &TimeZone::system())
}

fn end_of_day_in(ts: i64, tz: &TimeZone) -> i64 {
    let end = zoned(ts, tz).and_then(|z| z.end_of_day().map_err(|e| e.to_string())).map(|z| z.timestamp().as_second());
    end.ok()
        .or_else(|| {
            let last = civil(ts, tz)?.date().to_datetime(jiff::civil::time(23, 59, 59, 0));
            instant(last, tz).ok()
        })
        .unwrap_or(ts + DAY - 1)
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

    /// The calendar's last days are past jiff's last instant (9999-12-30T22:00Z): they are
    /// dates all the same, shown as themselves.
    #[test]
    fn the_calendars_last_and_first_days_are_dates() {
        let paris = TimeZone::fixed(jiff::tz::offset(1));
        let behind = TimeZone::fixed(jiff::tz::offset(-5));
        for tz in [TimeZone::UTC, paris, behind] {
            let last = parse_in("9999-12-31", 0, &tz).unwrap();
            assert_eq!(date_in(last, &tz), "9999-12-31");
            let end = end_of_day_in(last, &tz);
            assert_eq!((end - last, date_in(end, &tz).as_str()), (DAY - 1, "9999-12-31"));
            let before = parse_in("9999-12-30", 0, &tz).unwrap();
            assert_eq!((last - before, date_in(end_of_day_in(before, &tz), &tz).as_str()), (DAY, "9999-12-30"));
            // A span back from there is calendar arithmetic too.
            assert_eq!(parse_in("28d", end, &tz).map(|s| date_in(s, &tz)), Ok("9999-12-03".to_string()));
            let first = parse_in("-009999-01-01", 0, &tz).unwrap();
            assert_eq!(date_in(first, &tz), "-009999-01-01");
        }
        assert!(utc("10000-01-01", 0).is_err());
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
