//! Languages: the two the briefing is written in and their date formats
//! (month names, French `1er`). Interface words live in the theme's
//! `strings/`; amounts are written by `money::format`.
//!
//! Input: a language code and values; output: text in that language. This module
//! holds no state and touches nothing outside itself.

use serde::Serialize;

/// A language the site can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    En,
    /// French.
    Fr,
}

impl Lang {
    /// Every supported language, in a stable order.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    /// Parses a language code (`en`, `fr`), as written in `site.yaml` or front matter.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "en" => Some(Lang::En),
            "fr" => Some(Lang::Fr),
            _ => None,
        }
    }

    /// The language code, as used in `lang` attributes and URL prefixes.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// A month as a heading shows it: `November 2025` / `novembre 2025`.
pub fn format_month(year: i16, month: i8, lang: Lang) -> String {
    let at = usize::try_from(month - 1).unwrap_or(0).min(11);
    match lang {
        Lang::En => format!("{} {year}", MONTHS_EN[at]),
        Lang::Fr => format!("{} {year}", MONTHS_FR[at]),
    }
}

/// The names of the months in `lang`, January first (as `format_date` writes them).
pub fn month_names(lang: Lang) -> &'static [&'static str; 12] {
    match lang {
        Lang::En => &MONTHS_EN,
        Lang::Fr => &MONTHS_FR,
    }
}

/// A date as the press writes it: `November 3, 2025` / `3 novembre 2025`, and
/// `1er novembre 2025` for the first of the month in French.
pub fn format_date(date: jiff::civil::Date, lang: Lang) -> String {
    let month = usize::try_from(date.month() - 1).unwrap_or(0).min(11);
    match lang {
        Lang::En => format!("{} {}, {}", MONTHS_EN[month], date.day(), date.year()),
        Lang::Fr if date.day() == 1 => format!("1er {} {}", MONTHS_FR[month], date.year()),
        Lang::Fr => format!("{} {} {}", date.day(), MONTHS_FR[month], date.year()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn dates_in_both_languages() {
        assert_eq!(format_date(date(2025, 11, 3), Lang::En), "November 3, 2025");
        assert_eq!(format_date(date(2025, 11, 3), Lang::Fr), "3 novembre 2025");
        assert_eq!(
            format_date(date(2025, 11, 1), Lang::Fr),
            "1er novembre 2025"
        );
        assert_eq!(format_date(date(2025, 8, 15), Lang::Fr), "15 août 2025");
    }

    #[test]
    fn codes_round_trip() {
        for l in Lang::ALL {
            assert_eq!(Lang::from_code(l.code()), Some(l));
        }
        assert_eq!(Lang::from_code("de"), None);
    }
}
