//! Money: currencies, exact amounts, and the arithmetic the deal tables need.
//!
//! This module owns the amount types (`Currency`, `Money`, `Bound`, `Amount`),
//! conversion into the reporting currency, and the plain-digit and rounding
//! rules used in `deals.json` and `deals.csv`. Reading editor-written text is in
//! [`parse`]; display in a language is in [`format`].
//!
//! Input: decimals, currencies and exchange rates; output: decimals and strings.
//! It must never use floating point (amounts are exact `Decimal`s), never panic,
//! and never read files, site configuration or front matter: callers pass what
//! it needs.

pub mod format;
pub mod parse;

pub use parse::{AmountError, Parsed, parse_amount};

use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;

/// An ISO 4217 currency code: three ASCII uppercase letters.
///
/// A newtype over the bytes so it is `Copy` and cheap to compare; construct it
/// with [`Currency::new`], which guarantees the invariant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    /// United States dollar.
    pub const USD: Currency = Currency(*b"USD");
    /// Euro.
    pub const EUR: Currency = Currency(*b"EUR");
    /// Pound sterling.
    pub const GBP: Currency = Currency(*b"GBP");
    /// Japanese yen.
    pub const JPY: Currency = Currency(*b"JPY");

    /// Makes a currency from a code such as `"USD"`; `None` unless the code is
    /// exactly three ASCII uppercase letters. Any such code is accepted here
    /// (a `rates:` table may name codes the text parser does not know).
    pub fn new(code: &str) -> Option<Currency> {
        let bytes = code.as_bytes();
        match bytes {
            [a, b, c] if bytes.iter().all(u8::is_ascii_uppercase) => Some(Currency([*a, *b, *c])),
            _ => None,
        }
    }

    /// The three-letter code, e.g. `"EUR"`.
    pub fn code(&self) -> &str {
        // The constructor admits ASCII only, so this never falls back.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl serde::Serialize for Currency {
    /// Serializes as the code string (`"USD"`), the form `deals.json` uses.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// An exact value in a currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Money {
    /// The value in units of `currency` (dollars, not cents).
    pub value: Decimal,
    /// The currency the value is in.
    pub currency: Currency,
}

/// How precisely a figure is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// The figure as stated (`$38 billion`).
    Exact,
    /// An upper bound (`up to $100 billion`).
    AtMost,
    /// A lower bound (`at least $10 billion`, `more than $10B`).
    AtLeast,
    /// An approximation (`about $10 billion`).
    About,
}

impl Bound {
    /// The machine-readable name used in `deals.json` and `deals.csv`:
    /// `"exact"`, `"at_most"`, `"at_least"` or `"about"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Bound::Exact => "exact",
            Bound::AtMost => "at_most",
            Bound::AtLeast => "at_least",
            Bound::About => "about",
        }
    }
}

/// A deal amount: a figure with its bound, or undisclosed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Amount {
    /// A known figure.
    Figure {
        /// The value and currency.
        money: Money,
        /// Whether the value is exact, a maximum, a minimum or an approximation.
        bound: Bound,
    },
    /// The parties did not disclose the amount.
    Undisclosed,
}

impl Amount {
    /// The precision name used in `deals.json` and `deals.csv`: the bound's
    /// name for a figure, `"undisclosed"` otherwise.
    pub fn precision(&self) -> &'static str {
        match self {
            Amount::Figure { bound, .. } => bound.as_str(),
            Amount::Undisclosed => "undisclosed",
        }
    }

    /// The money of a figure; `None` when undisclosed.
    pub fn money(&self) -> Option<Money> {
        match self {
            Amount::Figure { money, .. } => Some(*money),
            Amount::Undisclosed => None,
        }
    }
}

/// The largest value an amount may have, in its own currency or converted:
/// 10^18, a million times the largest deal on record. Below it, no sum of the
/// deals a machine can hold comes near `Decimal`'s limit (about 7.9 × 10^28).
pub const MAX_VALUE: Decimal = Decimal::from_parts(0xA764_0000, 0x0DE0_B6B3, 0, false, 0);

/// A currency's value in the reporting currency: one rate for every date,
/// or rates by date, each in force from its date until the next one's.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Rates {
    /// One rate, whatever the date.
    Fixed(Decimal),
    /// Rates from their dates, sorted by date, at least one.
    Dated(Vec<(jiff::civil::Date, Decimal)>),
}

impl Rates {
    /// The rate in force on `date`, or the date of the first rate when
    /// `date` is before every rate.
    pub fn on(&self, date: jiff::civil::Date) -> Result<Decimal, jiff::civil::Date> {
        match self {
            Rates::Fixed(rate) => Ok(*rate),
            // Sorted by date: the last one from `date` or before, found by
            // halving (a currency may have a rate for every day of a century).
            Rates::Dated(rates) => match rates.partition_point(|(from, _)| *from <= date) {
                0 => Err(rates.first().map(|(d, _)| *d).unwrap_or(date)),
                after => Ok(rates[after - 1].1),
            },
        }
    }

    /// Each rate with the date it is in force from (none for a fixed rate).
    pub fn periods(&self) -> Vec<(Option<jiff::civil::Date>, Decimal)> {
        match self {
            Rates::Fixed(rate) => vec![(None, *rate)],
            Rates::Dated(rates) => rates.iter().map(|(d, r)| (Some(*d), *r)).collect(),
        }
    }
}

/// Converts to the reporting currency on a date: `value * rate`, where
/// `rates` gives the value of 1 unit of each currency in the reporting
/// currency, by date.
///
/// The same currency returns the value unchanged (no rate needed). Returns
/// `None` when there is no rate in force on `date`, or when the product
/// would overflow `Decimal` (rather than panicking).
pub fn convert(
    money: Money,
    reporting: Currency,
    rates: &BTreeMap<Currency, Rates>,
    date: jiff::civil::Date,
) -> Option<Decimal> {
    if money.currency == reporting {
        return Some(money.value);
    }
    let rate = rates.get(&money.currency)?.on(date).ok()?;
    money.value.checked_mul(rate)
}

/// Plain digits for machine-readable output: no exponent, no trailing
/// fractional zeros (`"38000000000"`, `"1.5"`, `"0"`).
pub fn plain_decimal(d: Decimal) -> String {
    // `normalize` drops trailing zeros and the sign of zero; `Decimal`'s
    // `Display` never uses an exponent.
    d.normalize().to_string()
}

/// Rounds half-even to 2 decimals, the rule for reporting-currency values.
pub fn round_reporting(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn currency_codes() {
        assert_eq!(Currency::new("USD"), Some(Currency::USD));
        assert_eq!(Currency::new("CHF").unwrap().code(), "CHF");
        for bad in ["usd", "US", "USDX", "", "U$D", "ÉUR"] {
            assert_eq!(Currency::new(bad), None, "{bad}");
        }
        assert_eq!(Currency::EUR.to_string(), "EUR");
        assert_eq!(Currency::GBP.code(), "GBP");
        assert_eq!(Currency::JPY.code(), "JPY");
    }

    #[test]
    fn currency_serializes_as_code() {
        assert_eq!(serde_json::to_string(&Currency::USD).unwrap(), "\"USD\"");
    }

    #[test]
    fn amount_accessors() {
        let m = Money {
            value: dec("5"),
            currency: Currency::EUR,
        };
        let a = Amount::Figure {
            money: m,
            bound: Bound::AtMost,
        };
        assert_eq!(a.precision(), "at_most");
        assert_eq!(a.money(), Some(m));
        assert_eq!(Amount::Undisclosed.precision(), "undisclosed");
        assert_eq!(Amount::Undisclosed.money(), None);
        assert_eq!(Bound::Exact.as_str(), "exact");
        assert_eq!(Bound::About.as_str(), "about");
        assert_eq!(Bound::AtLeast.as_str(), "at_least");
    }

    #[test]
    fn dated_rates_are_in_force_from_their_date_until_the_next() {
        let d = |s: &str| s.parse::<jiff::civil::Date>().expect("date");
        let rates = Rates::Dated(vec![
            (d("2024-01-01"), dec("1.08")),
            (d("2025-07-01"), dec("1.17")),
        ]);
        assert_eq!(rates.on(d("2024-01-01")), Ok(dec("1.08")));
        assert_eq!(rates.on(d("2025-06-30")), Ok(dec("1.08")));
        assert_eq!(rates.on(d("2025-07-01")), Ok(dec("1.17")));
        assert_eq!(rates.on(d("2031-01-01")), Ok(dec("1.17")));
        assert_eq!(
            rates.on(d("2023-12-31")),
            Err(d("2024-01-01")),
            "before every rate"
        );
        assert_eq!(Rates::Fixed(dec("2")).on(d("1990-01-01")), Ok(dec("2")));
        let eur = Money {
            value: dec("100"),
            currency: Currency::EUR,
        };
        let table = BTreeMap::from([(Currency::EUR, rates)]);
        assert_eq!(
            convert(eur, Currency::USD, &table, d("2025-08-01")),
            Some(dec("117.00"))
        );
        assert_eq!(convert(eur, Currency::USD, &table, d("2023-01-01")), None);
    }

    #[test]
    fn conversion() {
        let on = jiff::civil::date(2025, 1, 1);
        let rates = BTreeMap::from([(Currency::EUR, Rates::Fixed(dec("1.08")))]);
        let eur = Money {
            value: dec("1200000000"),
            currency: Currency::EUR,
        };
        assert_eq!(
            convert(eur, Currency::USD, &rates, on),
            Some(dec("1296000000"))
        );
        let usd = Money {
            value: dec("7"),
            currency: Currency::USD,
        };
        assert_eq!(convert(usd, Currency::USD, &rates, on), Some(dec("7")));
        let gbp = Money {
            value: dec("7"),
            currency: Currency::GBP,
        };
        assert_eq!(convert(gbp, Currency::USD, &rates, on), None);
        let huge = Money {
            value: Decimal::MAX,
            currency: Currency::EUR,
        };
        assert_eq!(
            convert(
                huge,
                Currency::USD,
                &BTreeMap::from([(Currency::EUR, Rates::Fixed(dec("2")))]),
                on
            ),
            None
        );
    }

    #[test]
    fn max_value_is_ten_to_the_eighteenth() {
        assert_eq!(MAX_VALUE, dec("1000000000000000000"));
    }

    #[test]
    fn plain_and_rounding() {
        for (input, want) in [
            ("38000000000", "38000000000"),
            ("38e9", "38000000000"),
            ("1.50", "1.5"),
            ("0.000", "0"),
            ("-0.0", "0"),
            ("1400000000000.00", "1400000000000"),
        ] {
            let d = Decimal::from_scientific(input)
                .or_else(|_| Decimal::from_str(input))
                .unwrap();
            assert_eq!(plain_decimal(d), want, "{input}");
        }
        for (input, want) in [
            ("1.005", "1.00"),
            ("1.015", "1.02"),
            ("2.345", "2.34"),
            ("7", "7"),
        ] {
            assert_eq!(round_reporting(dec(input)), dec(want), "{input}");
        }
    }
}
