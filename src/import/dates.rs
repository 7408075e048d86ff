//! Dates as other generators accept them, read into dealwire's form.
//!
//! Hugo and Jekyll accept more than RFC 3339: `2013-05-06 02:12:52 +0200`
//! (Jekyll's own format, Ruby's `Time#to_s`), `2024-05-01 10:00`, a time
//! without an offset. dealwire takes `YYYY-MM-DD` or an RFC 3339 date-time.
//! A date-time without an offset is read in the old site's time zone
//! (`timezone:` in Jekyll's `_config.yml`, `timeZone` in Hugo's
//! configuration), else as UTC, which is what both generators do on a machine
//! set to UTC (GitHub Pages, most CI).

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};

/// A post's date, read.
#[derive(Clone, Debug, PartialEq)]
pub struct PostDate {
    /// As dealwire takes it: `YYYY-MM-DD`, or an RFC 3339 date-time.
    pub text: String,
    /// The date-time as written (at midnight for a date alone), in the
    /// offset it was written with: what Hugo's URL tokens read.
    pub written: DateTime,
    /// The instant, when the text named a time: Jekyll makes its URLs from
    /// it, in the site's time zone.
    pub instant: Option<jiff::Timestamp>,
}

impl PostDate {
    /// The date-time in `zone` (UTC when `None`), as Jekyll's URL tokens
    /// read it: a post written at 01:00 +02:00 is on the day before in UTC.
    pub fn in_zone(&self, zone: Option<&TimeZone>) -> DateTime {
        match self.instant {
            Some(instant) => instant
                .to_zoned_datetime(zone.cloned().unwrap_or(TimeZone::UTC))
                .datetime(),
            None => self.written,
        }
    }
}

/// Reads a date as Hugo or Jekyll write it; a date-time without an offset
/// is in `zone` (UTC when `None`). The reason, in a few words, when it is not
/// a date.
pub fn read(text: &str, zone: Option<&TimeZone>) -> Result<PostDate, String> {
    let bad = || {
        format!(
            "`{text}` is not a date (write YYYY-MM-DD, or a date and time such as 2013-05-06 02:12:52 +0200)"
        )
    };
    let t = text.trim();
    let (day, rest) = t.split_at_checked(10).ok_or_else(bad)?;
    let date = read_day(day).ok_or_else(bad)?;
    let rest = rest.trim_start_matches([' ', 'T', 't']);
    if rest.is_empty() {
        return Ok(PostDate {
            text: date.to_string(),
            written: date.to_datetime(Time::midnight()),
            instant: None,
        });
    }
    // HH:MM[:SS[.fraction]]
    let time_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.'))
        .unwrap_or(rest.len());
    let time = read_time(&rest[..time_end]).ok_or_else(bad)?;
    let zone_text = rest[time_end..].trim();
    let written = date.to_datetime(time);
    let offset = match zone_text {
        "" => match zone {
            Some(zone) => zone.to_offset(zone.to_timestamp(written).map_err(|_| bad())?),
            None => Offset::UTC,
        },
        "Z" | "z" | "UTC" | "GMT" => Offset::UTC,
        z => read_offset(z).ok_or_else(bad)?,
    };
    let instant = offset.to_timestamp(written).map_err(|_| bad())?;
    Ok(PostDate {
        text: format!(
            "{}T{:02}:{:02}:{:02}{}",
            date,
            time.hour(),
            time.minute(),
            time.second(),
            show_offset(offset)
        ),
        written,
        instant: Some(instant),
    })
}

/// Reads a date as `read` does, or, when it is not one, as Ruby's lenient
/// `Time.parse` (which Jekyll uses) would: the first `YYYY-MM-DD`, the first
/// time after it and the last offset, anything else between them ignored
/// (`2023-01-29 18:30:22 2023 -0800`). `None` when even that finds no date.
pub fn read_lenient(text: &str, zone: Option<&TimeZone>) -> Option<PostDate> {
    let t = text.trim();
    let start = (0..t.len().saturating_sub(9))
        .filter(|&i| t.is_char_boundary(i) && t.is_char_boundary(i + 10))
        .find(|&i| read_day(&t[i..i + 10]).is_some())?;
    let day = &t[start..start + 10];
    let rest = &t[start + 10..];
    let time = rest
        .split_whitespace()
        .find(|w| w.contains(':') && read_time(w.trim_start_matches(['T', 't'])).is_some())
        .map(|w| w.trim_start_matches(['T', 't']));
    let offset = rest
        .split_whitespace()
        .rev()
        .find(|w| read_offset(w).is_some() || matches!(*w, "Z" | "UTC" | "GMT"));
    let mut cleaned = day.to_string();
    if let Some(time) = time {
        cleaned.push(' ');
        cleaned.push_str(time);
        if let Some(offset) = offset {
            cleaned.push(' ');
            cleaned.push_str(offset);
        }
    }
    read(&cleaned, zone).ok()
}

/// `YYYY-MM-DD`.
fn read_day(day: &str) -> Option<Date> {
    let b = day.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) {
        return None;
    }
    if !digits(8..10) {
        return None;
    }
    Date::new(
        day[..4].parse().ok()?,
        day[5..7].parse().ok()?,
        day[8..10].parse().ok()?,
    )
    .ok()
}

/// `HH:MM`, `HH:MM:SS`, `HH:MM:SS.fraction` (the fraction is dropped).
fn read_time(time: &str) -> Option<Time> {
    let time = time.split('.').next()?;
    let mut parts = time.split(':');
    let number = |p: Option<&str>| -> Option<i8> {
        let p = p?;
        (p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit())).then(|| p.parse().ok())?
    };
    let hour = number(parts.next())?;
    let minute = number(parts.next())?;
    let second = match parts.next() {
        Some(s) => number(Some(s))?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    Time::new(hour, minute, second, 0).ok()
}

/// `+0200`, `+02:00`, `-05`, `+02:00:00` is refused.
fn read_offset(text: &str) -> Option<Offset> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let rest = rest.replace(':', "");
    if !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes): (i32, i32) = match rest.len() {
        2 => (rest.parse().ok()?, 0),
        4 => (rest[..2].parse().ok()?, rest[2..].parse().ok()?),
        _ => return None,
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()
}

/// `Z`, or `+HH:MM` / `-HH:MM`.
fn show_offset(offset: Offset) -> String {
    let seconds = offset.seconds();
    if seconds == 0 {
        return "Z".into();
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_hugo_and_jekyll_accept() {
        let cases = [
            ("2013-05-06", "2013-05-06"),
            ("2013-05-06 02:12:52 +0200", "2013-05-06T02:12:52+02:00"),
            ("2013-05-06T02:12:52-05:00", "2013-05-06T02:12:52-05:00"),
            ("2013-05-06 02:12", "2013-05-06T02:12:00Z"),
            ("2013-05-06T02:12:52.123Z", "2013-05-06T02:12:52Z"),
            ("2013-05-06 02:12:52 -0330", "2013-05-06T02:12:52-03:30"),
            ("2013-05-06 02:12:52 UTC", "2013-05-06T02:12:52Z"),
        ];
        for (written, want) in cases {
            assert_eq!(read(written, None).expect(written).text, want, "{written}");
        }
        for bad in [
            "20240101",
            "not-a-date",
            "2024-13-01",
            "2024-02-30",
            "2024-01-01 25:00",
            "2024-01-01 10:00 +2400",
            "2024-01-01 10:00 Europe/Paris",
            "",
            "é",
            "2024-01-0é",
        ] {
            assert!(read(bad, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn rubys_lenient_reading_as_a_last_resort() {
        let d = read_lenient("2023-01-29 18:30:22 2023 -0800", None).expect("read");
        assert_eq!(d.text, "2023-01-29T18:30:22-08:00");
        assert_eq!(
            read_lenient("on 2020-02-03", None).expect("read").text,
            "2020-02-03"
        );
        assert!(read_lenient("20240101", None).is_none());
        assert!(read_lenient("é2024-01-0", None).is_none());
    }

    #[test]
    fn a_time_without_offset_is_in_the_site_zone_and_urls_follow_it() {
        let paris = TimeZone::get("Europe/Paris").expect("tzdb");
        let d = read("2013-05-06 01:00:00", Some(&paris)).expect("date");
        assert_eq!(d.text, "2013-05-06T01:00:00+02:00");
        // Jekyll's day, in UTC, is the day before; Hugo's is as written.
        assert_eq!(d.in_zone(None).date().to_string(), "2013-05-05");
        assert_eq!(d.in_zone(Some(&paris)).date().to_string(), "2013-05-06");
        assert_eq!(d.written.date().to_string(), "2013-05-06");
    }
}
