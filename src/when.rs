//! Dates for windows: `--since 2026-10-01`, `--since "4 weeks ago"`, `--since 30d`, and how dates
//! are shown (`2026-10-01`, UTC). Hand-written civil-date arithmetic (Howard Hinnant's
//! algorithms) rather than a date crate: plan-lint needs days, not time zones.

pub const DAY: i64 = 24 * 3600;

/// Seconds since the Unix epoch for a date or relative time, relative to `now`.
pub fn parse(text: &str, now: i64) -> Result<i64, String> {
    let t = text.trim().to_ascii_lowercase();
    if t == "now" || t == "today" {
        return Ok(now);
    }
    if let Some(ts) = parse_date(&t) {
        return Ok(ts);
    }
    // "4 weeks ago", "4 weeks", "4w", "30d", "30 days"
    let t = t.strip_suffix("ago").unwrap_or(&t).trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: i64 = n.parse().map_err(|_| bad(text))?;
    let unit = unit.trim();
    let seconds = match unit {
        "d" | "day" | "days" => DAY,
        "w" | "week" | "weeks" => 7 * DAY,
        "m" | "month" | "months" => 30 * DAY,
        "y" | "year" | "years" => 365 * DAY,
        "h" | "hour" | "hours" => 3600,
        _ => return Err(bad(text)),
    };
    Ok(now - n.saturating_mul(seconds))
}

fn bad(text: &str) -> String {
    format!("`{text}` is not a date: write 2026-10-01, 2026-10-01T12:00:00Z, \"4 weeks ago\" or 30d")
}

/// `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM[:SS][Z]`.
fn parse_date(t: &str) -> Option<i64> {
    let (date, time) = match t.split_once(['t', ' ']) {
        Some((d, rest)) => (d, Some(rest.trim_end_matches('z'))),
        None => (t, None),
    };
    let mut parts = date.split('-');
    let (y, m, d) =
        (parts.next()?.parse::<i64>().ok()?, parts.next()?.parse::<u32>().ok()?, parts.next()?.parse::<u32>().ok()?);
    if parts.next().is_some() || !(1..=12).contains(&m) || !(1..=days_in_month(y, m)).contains(&d) {
        return None;
    }
    let mut secs = days_from_civil(y, m, d) * DAY;
    if let Some(time) = time {
        let mut hms = time.split(':');
        let h: i64 = hms.next()?.parse().ok()?;
        let min: i64 = hms.next()?.parse().ok()?;
        let s: i64 = hms.next().map_or(Some(0), |s| s.parse().ok())?;
        if h > 23 || min > 59 || s > 60 {
            return None;
        }
        secs += h * 3600 + min * 60 + s;
    }
    Some(secs)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (UTC) of a Unix time.
pub fn civil(ts: i64) -> (i64, u32, u32) {
    let z = ts.div_euclid(DAY) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `2026-10-01`.
pub fn date(ts: i64) -> String {
    let (y, m, d) = civil(ts);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Now, from the system clock.
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for ts in [0, 951_782_400, 1_767_225_600, 1_798_761_599, -86_400] {
            let (y, m, d) = civil(ts);
            assert_eq!(days_from_civil(y, m, d) * DAY, ts.div_euclid(DAY) * DAY, "{ts}");
        }
        assert_eq!(date(1_767_225_600), "2026-01-01");
        assert_eq!(parse("2026-01-01", 0), Ok(1_767_225_600));
        assert_eq!(parse("2026-01-01T12:30Z", 0), Ok(1_767_225_600 + 45_000));
        assert_eq!(parse("2024-02-29", 0).map(date), Ok("2024-02-29".into()));
        assert!(parse("2023-02-29", 0).is_err());
    }

    #[test]
    fn relative_times() {
        let now = 1_767_225_600;
        assert_eq!(parse("4 weeks ago", now), Ok(now - 28 * DAY));
        assert_eq!(parse("30d", now), Ok(now - 30 * DAY));
        assert_eq!(parse(" 2 Days ", now), Ok(now - 2 * DAY));
        assert_eq!(parse("now", now), Ok(now));
        assert!(parse("soon", now).is_err());
        assert!(parse("3 fortnights", now).is_err());
    }
}
