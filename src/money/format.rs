//! Displaying amounts in the article's language.
//!
//! Input: an [`Amount`] or [`Money`] and a language; output: the text a reader
//! sees (`$38 billion`, `up to $100 billion`, `1,2 milliard d’euros`,
//! `1 400 milliards de dollars`). French uses U+202F to group thousands and
//! U+00A0 between the number and the word after it, so lines never break
//! inside an amount.
//!
//! This module only formats: it does not convert currencies, round for the
//! machine-readable files (see [`super::round_reporting`]), escape HTML, or use
//! floating point.

use super::{Amount, Bound, Currency, Money};
use crate::i18n::Lang;
use rust_decimal::{Decimal, RoundingStrategy};

/// Decimals shown on the scaled figure by [`amount`]: enough for `$1.235 billion`.
const AMOUNT_DECIMALS: u32 = 3;

/// French thousands separator (narrow no-break space).
const FR_GROUP: char = '\u{202f}';
/// French space between a number and the word after it (no-break space).
const FR_SPACE: char = '\u{a0}';

/// Displays an amount in `lang`, with its bound word: En `"$38 billion"`,
/// `"up to $100 billion"`, `"at least $10 billion"`, `"about $10 billion"`,
/// `"CHF 5 billion"`, `"undisclosed"`; Fr `"38 milliards de dollars"`,
/// `"jusqu'à 100 milliards de dollars"`, `"au moins 10 milliards de dollars"`,
/// `"environ 10 milliards de dollars"`, `"non divulgué"`.
///
/// Each bound has one qualifier per language, whichever synonym the editor
/// wrote (`more than`, `over` and `at least` all show as `at least`; `plus de`
/// and `au moins` as `au moins`): the lists and totals compare like with like.
pub fn amount(amount: &Amount, lang: Lang) -> String {
    let (money, bound) = match amount {
        Amount::Undisclosed => {
            return match lang {
                Lang::En => "undisclosed",
                Lang::Fr => "non divulgué",
            }
            .to_string();
        }
        Amount::Figure { money, bound } => (*money, *bound),
    };
    let prefix = match (bound, lang) {
        (Bound::Exact, _) => "",
        (Bound::AtMost, Lang::En) => "up to ",
        (Bound::AtLeast, Lang::En) => "at least ",
        (Bound::About, Lang::En) => "about ",
        (Bound::AtMost, Lang::Fr) => "jusqu'à ",
        (Bound::AtLeast, Lang::Fr) => "au moins ",
        (Bound::About, Lang::Fr) => "environ ",
    };
    format!("{prefix}{}", self::money(money, lang, AMOUNT_DECIMALS))
}

/// Displays money alone (no bound word), with at most `max_decimals` decimals
/// on the scaled figure and trailing zeros dropped.
///
/// The unit is the largest of trillion (≥10^12), billion (≥10^9) and million
/// (≥10^6) that fits; under a million the full number is shown with grouping
/// (En `,`, Fr U+202F). French never says `billion` (it means 10^12 there), so
/// 1.4×10^12 is `1 400 milliards`. English words do not change in the plural
/// (`1 billion`, `2 billion`); French ones do from 2 (`1,5 milliard`,
/// `2 milliards`).
pub fn money(money: Money, lang: Lang, max_decimals: u32) -> String {
    // Units by power of ten, smallest first.
    let units: &[(u32, &str)] = match lang {
        Lang::En => &[(6, "million"), (9, "billion"), (12, "trillion")],
        Lang::Fr => &[(6, "million"), (9, "milliard")],
    };
    let sign = if money.value < Decimal::ZERO { "-" } else { "" };
    let (scaled, unit) = scale(money.value.abs(), units, max_decimals.min(20));
    let number = number(scaled, lang);
    let currency = money.currency;
    match lang {
        Lang::En => {
            let unit = unit.map(|u| format!(" {u}")).unwrap_or_default();
            match en_symbol(currency) {
                Some(symbol) => format!("{sign}{symbol}{number}{unit}"),
                None => format!("{sign}{currency} {number}{unit}"),
            }
        }
        Lang::Fr => {
            let plural = scaled >= Decimal::TWO;
            let s = if plural { "s" } else { "" };
            match unit {
                // After a unit the currency is a complement: always plural, with `de`.
                Some(unit) => {
                    let of = match fr_word(currency, true) {
                        Some(word) if word.starts_with('e') => format!("d’{word}"),
                        Some(word) => format!("de {word}"),
                        None => format!("de {currency}"),
                    };
                    format!("{sign}{number}{FR_SPACE}{unit}{s} {of}")
                }
                None => {
                    let word = fr_word(currency, plural)
                        .map_or_else(|| currency.to_string(), String::from);
                    format!("{sign}{number}{FR_SPACE}{word}")
                }
            }
        }
    }
}

/// Picks the unit and the rounded figure in it. Returns the figure and the
/// unit word, `None` for plain units.
fn scale(
    value: Decimal,
    units: &[(u32, &'static str)],
    decimals: u32,
) -> (Decimal, Option<&'static str>) {
    let in_unit = |exp: u32| {
        let divisor = Decimal::from(10u64.pow(exp));
        value
            .checked_div(divisor)
            .unwrap_or(value)
            .round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero)
            .normalize()
    };
    let mut pick = units
        .iter()
        .rposition(|(exp, _)| value >= Decimal::from(10u64.pow(*exp)));
    let exp_of = |pick: Option<usize>| pick.and_then(|i| units.get(i)).map_or(0, |u| u.0);
    let mut scaled = in_unit(exp_of(pick));
    // Rounding can carry into the next unit (999.9996 million is 1 billion).
    let next = pick.map_or(0, |i| i + 1);
    let carried = units
        .get(next)
        .filter(|(next_exp, _)| scaled >= Decimal::from(10u64.pow(next_exp - exp_of(pick))));
    if let Some((next_exp, _)) = carried {
        pick = Some(next);
        scaled = in_unit(*next_exp);
    }
    (scaled, pick.and_then(|i| units.get(i)).map(|u| u.1))
}

/// Writes a non-negative decimal with the language's grouping and decimal mark.
fn number(value: Decimal, lang: Lang) -> String {
    let (group, mark) = match lang {
        Lang::En => (',', '.'),
        Lang::Fr => (FR_GROUP, ','),
    };
    let plain = value.normalize().to_string();
    let (int, frac) = plain.split_once('.').unwrap_or((&plain, ""));
    let mut out = String::with_capacity(plain.len() + plain.len() / 3 * 3);
    for (i, digit) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(digit);
    }
    if !frac.is_empty() {
        out.push(mark);
        out.push_str(frac);
    }
    out
}

fn en_symbol(currency: Currency) -> Option<&'static str> {
    match currency {
        Currency::USD => Some("$"),
        Currency::EUR => Some("€"),
        Currency::GBP => Some("£"),
        Currency::JPY => Some("¥"),
        _ => None,
    }
}

/// The French word for a currency, if it has a common one.
fn fr_word(currency: Currency, plural: bool) -> Option<&'static str> {
    let (one, many) = match currency {
        Currency::USD => ("dollar", "dollars"),
        Currency::EUR => ("euro", "euros"),
        Currency::GBP => ("livre", "livres"),
        Currency::JPY => ("yen", "yens"),
        _ => return None,
    };
    Some(if plural { many } else { one })
}

#[cfg(test)]
mod tests {
    use super::super::parse_amount;
    use super::*;
    use std::str::FromStr;

    fn figure(value: &str, code: &str, bound: Bound) -> Amount {
        let money = Money {
            value: Decimal::from_str(value).unwrap(),
            currency: Currency::new(code).unwrap(),
        };
        Amount::Figure { money, bound }
    }

    /// French output with visible spaces: `_` for U+00A0, `.` for U+202F.
    fn shown(s: String) -> String {
        s.replace(FR_SPACE, "_").replace(FR_GROUP, ".")
    }

    #[test]
    fn amounts() {
        use Bound::*;
        #[rustfmt::skip]
        let table: &[(&str, &str, Bound, &str, &str)] = &[
            ("38000000000", "USD", Exact, "$38 billion", "38_milliards de dollars"),
            ("100000000000", "USD", AtMost, "up to $100 billion", "jusqu'à 100_milliards de dollars"),
            ("10000000000", "USD", About, "about $10 billion", "environ 10_milliards de dollars"),
            ("10000000000", "USD", AtLeast, "at least $10 billion", "au moins 10_milliards de dollars"),
            ("2000000000", "EUR", AtLeast, "at least €2 billion", "au moins 2_milliards d’euros"),
            ("5000000000", "CHF", AtLeast, "at least CHF 5 billion", "au moins 5_milliards de CHF"),
            ("1200000000", "EUR", Exact, "€1.2 billion", "1,2_milliard d’euros"),
            ("500000000", "GBP", Exact, "£500 million", "500_millions de livres"),
            ("1400000000000", "USD", Exact, "$1.4 trillion", "1.400_milliards de dollars"),
            ("2000000000", "JPY", Exact, "¥2 billion", "2_milliards de yens"),
            ("5000000000", "CHF", Exact, "CHF 5 billion", "5_milliards de CHF"),
            ("12500", "USD", Exact, "$12,500", "12.500_dollars"),
            ("12500000000", "USD", Exact, "$12.5 billion", "12,5_milliards de dollars"),
            ("1234567890", "USD", Exact, "$1.235 billion", "1,235_milliard de dollars"),
            ("1000000", "EUR", Exact, "€1 million", "1_million d’euros"),
            ("999999999999", "USD", Exact, "$1 trillion", "1.000_milliards de dollars"),
            ("999999700", "USD", Exact, "$1 billion", "1_milliard de dollars"),
            ("999999.9999", "USD", Exact, "$1 million", "1_million de dollars"),
            ("999999.5", "USD", Exact, "$999,999.5", "999.999,5_dollars"),
            ("1", "EUR", Exact, "€1", "1_euro"),
            ("2", "GBP", Exact, "£2", "2_livres"),
            ("5000", "CHF", Exact, "CHF 5,000", "5.000_CHF"),
            ("5000000000000000", "USD", Exact, "$5,000 trillion", "5.000.000_milliards de dollars"),
        ];
        for (value, code, bound, en, fr) in table {
            let a = figure(value, code, *bound);
            assert_eq!(amount(&a, Lang::En), *en, "{value} {code}");
            assert_eq!(shown(amount(&a, Lang::Fr)), *fr, "{value} {code}");
        }
        assert_eq!(amount(&Amount::Undisclosed, Lang::En), "undisclosed");
        assert_eq!(amount(&Amount::Undisclosed, Lang::Fr), "non divulgué");
    }

    #[test]
    fn money_decimals_and_sign() {
        let m = |v: &str| Money {
            value: Decimal::from_str(v).unwrap(),
            currency: Currency::USD,
        };
        assert_eq!(money(m("1234567890"), Lang::En, 1), "$1.2 billion");
        assert_eq!(money(m("1250000000"), Lang::En, 0), "$1 billion");
        assert_eq!(
            money(m("1500000000"), Lang::Fr, 1),
            "1,5\u{a0}milliard de dollars"
        );
        assert_eq!(money(m("-5000000"), Lang::En, 3), "-$5 million");
        assert_eq!(money(m("0"), Lang::En, 3), "$0");
        assert_eq!(money(m("1300000000"), Lang::En, 99), "$1.3 billion");
        let max = Money {
            value: Decimal::MAX,
            currency: Currency::EUR,
        };
        assert!(money(max, Lang::Fr, 3).starts_with("79\u{202f}228\u{202f}162"));
    }

    /// What `amount` prints, `parse_amount` reads back in the same language.
    #[test]
    fn round_trip() {
        for (value, code) in [
            ("38000000000", "USD"),
            ("1200000000", "EUR"),
            ("1400000000000", "USD"),
            ("12500", "USD"),
            ("5000000000", "CHF"),
            ("2000000000", "JPY"),
            ("500000000", "GBP"),
            ("1", "EUR"),
        ] {
            for bound in [Bound::Exact, Bound::AtMost, Bound::AtLeast, Bound::About] {
                let a = figure(value, code, bound);
                for lang in Lang::ALL {
                    let text = amount(&a, lang);
                    let back =
                        parse_amount(&text, lang).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
                    assert_eq!(back.amount, a, "{text:?}");
                }
            }
        }
        for lang in Lang::ALL {
            let text = amount(&Amount::Undisclosed, lang);
            assert_eq!(
                parse_amount(&text, lang).map(|p| p.amount),
                Ok(Amount::Undisclosed)
            );
        }
    }
}
