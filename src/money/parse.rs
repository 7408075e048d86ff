//! Reading amounts as editors write them, in English or French.
//!
//! Input: the text of an `amount` field (`$38B`, `1,2 milliard d'euros`,
//! `up to $100B`, `non divulgué`) and the article's language, which decides how
//! `,` and `.` and the size words are read. Output: an [`Amount`], or an
//! [`AmountError`] naming the part not understood and its byte offset, so the
//! caller can point at file, line and column.
//!
//! This module does not read the mapping form (`{ value, currency }`), does not
//! know about rates or the reporting currency, and never uses floating point or
//! panics, whatever the input.

use super::{Amount, Bound, Currency, Money};
use crate::i18n::Lang;
use rust_decimal::Decimal;

/// A successfully read amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// The amount read.
    pub amount: Amount,
    /// True when French text used the word `billion` (10^12 in French, a likely
    /// translation slip of the English 10^9); callers warn.
    pub french_billion: bool,
}

/// Why an amount could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmountError {
    /// What went wrong: one short lowercase sentence fragment that names the
    /// part not understood, e.g. "could not understand `zillion` in `38 zillion
    /// dollars`".
    pub message: String,
    /// Byte offset into the input of the part not understood (0 if none).
    pub offset: usize,
}

impl std::fmt::Display for AmountError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AmountError {}

/// The ISO 4217 codes accepted in text. `Currency::new` accepts any three
/// uppercase letters, but in prose a fixed list avoids reading stray words
/// (`AND`, `THE`) as currencies.
const ISO_CODES: &[&str] = &[
    "USD", "EUR", "GBP", "JPY", "CHF", "CNY", "CAD", "AUD", "INR", "KRW", "SGD", "HKD", "AED",
    "SAR", "SEK", "NOK", "DKK", "BRL", "MXN", "TWD", "ILS", "ZAR", "NZD", "PLN", "RUB", "TRY",
    "QAR",
];

/// Words meaning "no figure"; either language accepts both languages' words,
/// since there is nothing to misread in them. Matched ignoring accents.
#[rustfmt::skip]
const UNDISCLOSED: &[&str] = &["undisclosed", "not disclosed", "non divulgué", "non divulguée",
    "non communiqué", "non communiquée"];

/// Leading qualifiers, matched ignoring case and accents (`jusqu'a` is fine).
/// Synonyms share a bound; display uses one qualifier per bound and language
/// (see [`super::format::amount`]).
#[rustfmt::skip]
const QUALIFIERS_EN: &[(&str, Bound)] = &[("up to", Bound::AtMost), ("at least", Bound::AtLeast),
    ("more than", Bound::AtLeast), ("over", Bound::AtLeast), ("about", Bound::About),
    ("around", Bound::About), ("approximately", Bound::About), ("roughly", Bound::About),
    ("~", Bound::About), ("≈", Bound::About)];

#[rustfmt::skip]
const QUALIFIERS_FR: &[(&str, Bound)] = &[("jusqu'à", Bound::AtMost), ("au moins", Bound::AtLeast),
    ("plus de", Bound::AtLeast), ("environ", Bound::About), ("près de", Bound::About),
    ("~", Bound::About), ("≈", Bound::About)];

/// The forms an error suggests when a part is not understood, in the
/// language the amount is read in: one of each shape the grammar accepts.
fn accepted_forms(lang: Lang) -> &'static str {
    match lang {
        Lang::En => {
            "accepted forms: `$38B`, `38 billion USD`, `€1.2bn`, `up to $100B`, \
             `at least $10B`, `about $10B`, `undisclosed`"
        }
        Lang::Fr => {
            "accepted forms (read as French): `38 milliards de dollars`, `38 Md$`, \
             `1,2 milliard d'euros`, `jusqu'à 100 milliards de dollars`, \
             `au moins 10 milliards de dollars`, `environ 10 milliards de dollars`, `non divulgué`"
        }
    }
}

/// Amounts above this are refused: no deal comes near, and it keeps every
/// later sum and conversion far from `Decimal`'s overflow.
const LIMIT: Decimal = Decimal::from_parts(1_661_992_960, 1_808_227_885, 5, false, 0); // 10^20

/// Reads an amount written in `lang`.
///
/// Accepts a currency (ISO code, `$ US$ € £ ¥`, or a word such as `dollars`)
/// before or after the number, an optional size word (`bn`, `milliards`…), an
/// optional leading qualifier (`up to`, `at least`, `environ`, `plus de`…), or a
/// word for undisclosed.
pub fn parse_amount(text: &str, lang: Lang) -> Result<Parsed, AmountError> {
    let quote = text.trim();
    if quote.is_empty() {
        return Err(error(
            "empty amount: write e.g. `$38 billion` or `undisclosed`",
            0,
        ));
    }
    let start = text.len() - text.trim_start().len();
    if UNDISCLOSED
        .iter()
        .any(|w| match_phrase(quote, w) == Some(quote.len()))
    {
        return Ok(Parsed {
            amount: Amount::Undisclosed,
            french_billion: false,
        });
    }
    let qualifiers = match lang {
        Lang::En => QUALIFIERS_EN,
        Lang::Fr => QUALIFIERS_FR,
    };
    let (bound, body) = qualifiers
        .iter()
        .find_map(|(phrase, bound)| match_phrase(quote, phrase).map(|n| (*bound, start + n)))
        .unwrap_or((Bound::Exact, start));
    let tokens = tokenize(text, body, quote, lang)?;
    read_tokens(&tokens, text, quote, lang, bound, body)
}

/// Matches `phrase` at the start of `s`, ignoring case, reading `’` as `'` and
/// any run of whitespace as one space. Returns the bytes of `s` consumed. A
/// phrase ending in a letter must end a word (`about` does not match `abouts`).
fn match_phrase(s: &str, phrase: &str) -> Option<usize> {
    let mut rest = s;
    for p in phrase.chars() {
        if p == ' ' {
            let trimmed = rest.trim_start();
            if trimmed.len() == rest.len() {
                return None;
            }
            rest = trimmed;
        } else {
            let c = rest.chars().next()?;
            if !same_char(c, p) {
                return None;
            }
            rest = &rest[c.len_utf8()..];
        }
    }
    let ends_word = phrase.chars().last().is_some_and(char::is_alphabetic);
    if ends_word && rest.chars().next().is_some_and(char::is_alphabetic) {
        return None;
    }
    Some(s.len() - rest.len())
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

fn same_char(a: char, b: char) -> bool {
    fold(a).eq(fold(b))
}

/// Lowercases, drops the accents French editors may omit (`a` for `à`) and
/// spells `’` as `'`, so comparisons ignore all three.
fn fold(c: char) -> impl Iterator<Item = char> {
    let plain = match c {
        'à' | 'â' | 'À' | 'Â' => 'a',
        'é' | 'è' | 'ê' | 'É' | 'È' | 'Ê' => 'e',
        c if is_apostrophe(c) => '\'',
        c => c,
    };
    plain.to_lowercase()
}

/// A word in the folded form used for table lookups.
fn key(word: &str) -> String {
    word.chars().flat_map(fold).collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Digits with their separators, still to be read in the text's language.
    Number,
    /// Letters, possibly ending in an apostrophe (`d'`).
    Word,
    /// A currency symbol, including a prefixed dollar (`US$`).
    Symbol(Currency),
}

#[derive(Clone, Copy, Debug)]
struct Token<'a> {
    text: &'a str,
    offset: usize,
    kind: Kind,
}

/// Characters that may group thousands inside a number.
fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}')
}

/// Splits `text[from..]` into tokens, keeping byte offsets into `text`.
fn tokenize<'a>(
    text: &'a str,
    from: usize,
    quote: &str,
    lang: Lang,
) -> Result<Vec<Token<'a>>, AmountError> {
    let mut tokens = Vec::new();
    let mut i = from;
    while let Some(c) = text.get(i..).and_then(|r| r.chars().next()) {
        let begin = i;
        let rest = &text[i..];
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        let kind = if c.is_ascii_digit() {
            i += number_len(rest);
            Kind::Number
        } else if c.is_alphabetic() {
            i += rest
                .find(|c: char| !c.is_alphabetic())
                .unwrap_or(rest.len());
            // Keep an elision apostrophe with its word, so `d'euros` is `d'` + `euros`.
            if let Some(a) = text[i..].chars().next().filter(|c| is_apostrophe(*c)) {
                i += a.len_utf8();
            }
            match dollar_prefix(&text[begin..i]) {
                Some(currency) if text[i..].starts_with('$') => {
                    i += 1;
                    Kind::Symbol(currency)
                }
                _ => Kind::Word,
            }
        } else if let Some(currency) = symbol(c) {
            i += c.len_utf8();
            Kind::Symbol(currency)
        } else {
            let part = &rest[..c.len_utf8()];
            let hint = if c == '-' {
                ": amounts are positive"
            } else {
                ""
            };
            let forms = accepted_forms(lang);
            return Err(error(
                format!("could not understand `{part}` in `{quote}`{hint}; {forms}"),
                begin,
            ));
        };
        tokens.push(Token {
            text: &text[begin..i],
            offset: begin,
            kind,
        });
    }
    Ok(tokens)
}

/// Length of the number starting `s`: digits, and `,` `.` or a grouping space
/// when a digit follows (so `38, USD` stops before the comma).
fn number_len(s: &str) -> usize {
    let mut chars = s.char_indices().peekable();
    let mut end = 0;
    while let Some((i, c)) = chars.next() {
        let next_is_digit = chars.peek().is_some_and(|(_, n)| n.is_ascii_digit());
        if c.is_ascii_digit() {
            end = i + 1;
        } else if (c == ',' || c == '.' || is_group_space(c)) && next_is_digit {
            continue;
        } else {
            break;
        }
    }
    end
}

fn symbol(c: char) -> Option<Currency> {
    match c {
        '$' => Some(Currency::USD),
        '€' => Some(Currency::EUR),
        '£' => Some(Currency::GBP),
        '¥' => Some(Currency::JPY),
        _ => None,
    }
}

/// Prefixes written glued to `$` for other dollars (`US$`, `C$`, `HK$`…).
fn dollar_prefix(word: &str) -> Option<Currency> {
    let code = match word {
        "US" => "USD",
        "C" | "CA" => "CAD",
        "A" | "AU" => "AUD",
        "HK" => "HKD",
        "S" | "SG" => "SGD",
        "NZ" => "NZD",
        _ => return None,
    };
    Currency::new(code)
}

/// What a token means in the text's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Number,
    /// A power of ten; `true` for the French `billion` (10^12).
    Magnitude(u32, bool),
    Currency(Currency),
    /// French `de` / `d'` before a currency word.
    Of,
    Unknown,
}

fn classify(token: &Token, lang: Lang) -> Class {
    let word = match token.kind {
        Kind::Number => return Class::Number,
        Kind::Symbol(currency) => return Class::Currency(currency),
        Kind::Word => key(token.text),
    };
    if let Some((exp, slip)) = magnitude(&word, lang) {
        return Class::Magnitude(exp, slip);
    }
    if let Some(currency) = currency_word(&word) {
        return Class::Currency(currency);
    }
    if lang == Lang::Fr && (word == "de" || word == "d'") {
        return Class::Of;
    }
    Class::Unknown
}

fn magnitude(word: &str, lang: Lang) -> Option<(u32, bool)> {
    let found = match (lang, word) {
        (_, "k") | (Lang::En, "thousand") => (3, false),
        (_, "m" | "million" | "millions") | (Lang::En, "mn") => (6, false),
        (Lang::En, "b" | "bn" | "billion" | "billions") => (9, false),
        (Lang::En, "tn" | "trillion" | "trillions") => (12, false),
        (Lang::Fr, "md" | "mds" | "mrd" | "mrds" | "milliard" | "milliards") => (9, false),
        (Lang::Fr, "billion" | "billions") => (12, true),
        _ => return None,
    };
    Some(found)
}

fn currency_word(word: &str) -> Option<Currency> {
    match word {
        "dollar" | "dollars" => Some(Currency::USD),
        "euro" | "euros" => Some(Currency::EUR),
        "livre" | "livres" | "pound" | "pounds" => Some(Currency::GBP),
        "yen" | "yens" => Some(Currency::JPY),
        _ => {
            let code = word.to_ascii_uppercase();
            ISO_CODES
                .contains(&code.as_str())
                .then(|| Currency::new(&code))
                .flatten()
        }
    }
}

/// Checks the token sequence `currency* number size? ((de)? currency)*` and
/// builds the amount.
fn read_tokens(
    tokens: &[Token],
    text: &str,
    quote: &str,
    lang: Lang,
    bound: Bound,
    body: usize,
) -> Result<Parsed, AmountError> {
    let parts = parts(tokens, quote, lang)?;
    let Some((value, number_offset)) = parts.number else {
        return Err(error(format!("no number in `{quote}`"), 0));
    };
    let currency = match parts.currencies.as_slice() {
        [] => return Err(no_currency(text, quote, body, parts.size.is_some(), lang)),
        [(first, _), rest @ ..] => {
            if let Some((other, at)) = rest.iter().find(|(c, _)| c != first) {
                let msg = format!("two currencies in `{quote}`: `{first}` and `{other}`");
                return Err(error(msg, *at));
            }
            *first
        }
    };
    let (exp, french_billion) = parts.size.unwrap_or((0, false));
    let value = Decimal::from(10u64.pow(exp))
        .checked_mul(value)
        .filter(|v| *v <= LIMIT)
        .ok_or_else(|| error(format!("amount too large in `{quote}`"), number_offset))?;
    if value <= Decimal::ZERO {
        let msg = format!("amount must be greater than zero in `{quote}`");
        return Err(error(msg, number_offset));
    }
    let money = Money {
        value: value.normalize(),
        currency,
    };
    Ok(Parsed {
        amount: Amount::Figure { money, bound },
        french_billion,
    })
}

/// The parts of an amount's words, each where grammar allows it.
struct Parts {
    /// The number and its offset.
    number: Option<(Decimal, usize)>,
    /// The size word's power of ten, and whether it is French `billion`.
    size: Option<(u32, bool)>,
    /// Every currency named, with its offset.
    currencies: Vec<(Currency, usize)>,
}

fn parts(tokens: &[Token], quote: &str, lang: Lang) -> Result<Parts, AmountError> {
    let classes: Vec<Class> = tokens.iter().map(|t| classify(t, lang)).collect();
    let mut number: Option<(Decimal, usize)> = None;
    let mut number_at = None;
    let mut size: Option<(u32, bool)> = None;
    let mut currencies: Vec<(Currency, usize)> = Vec::new();
    for (idx, (token, class)) in tokens.iter().zip(&classes).enumerate() {
        let misplaced = |why: &str| {
            let part = token.text;
            error(
                format!("could not understand `{part}` in `{quote}`: {why}"),
                token.offset,
            )
        };
        match *class {
            Class::Number => {
                if number.is_some() {
                    return Err(misplaced("it has more than one number"));
                }
                let value = read_number(token.text, lang).map_err(|why| {
                    let part = token.text;
                    let msg =
                        format!("could not understand the number `{part}` in `{quote}`: {why}");
                    error(msg, token.offset)
                })?;
                number = Some((value, token.offset));
                number_at = Some(idx);
            }
            Class::Magnitude(exp, slip) => {
                if size.is_some() || number_at.is_none_or(|at| at + 1 != idx) {
                    return Err(misplaced("a size word must come right after the number"));
                }
                size = Some((exp, slip));
            }
            Class::Currency(currency) => currencies.push((currency, token.offset)),
            Class::Of => {
                let currency_follows = matches!(classes.get(idx + 1), Some(Class::Currency(_)));
                if number.is_none() || !currency_follows {
                    return Err(misplaced(
                        "`de` must come between the number and the currency",
                    ));
                }
            }
            Class::Unknown => return Err(unknown_word(token, quote, lang)),
        }
    }
    Ok(Parts {
        number,
        size,
        currencies,
    })
}

fn unknown_word(token: &Token, quote: &str, lang: Lang) -> AmountError {
    let part = token.text;
    let (other, name, other_name) = match lang {
        Lang::En => (Lang::Fr, "English", "French"),
        Lang::Fr => (Lang::En, "French", "English"),
    };
    // A word that only the other language knows usually means a wrong `lang`.
    let hint = if magnitude(&key(part), other).is_some() || classify(token, other) == Class::Of {
        format!(": that is {other_name}, and this amount is read as {name}")
    } else {
        String::new()
    };
    let forms = accepted_forms(lang);
    error(
        format!("could not understand `{part}` in `{quote}`{hint}; {forms}"),
        token.offset,
    )
}

fn no_currency(text: &str, quote: &str, body: usize, sized: bool, lang: Lang) -> AmountError {
    let start = text.len() - text.trim_start().len();
    let qualifier = text.get(start..body).unwrap_or("").trim();
    let rest = text.get(body..).unwrap_or("").trim();
    let space = if qualifier.is_empty() { "" } else { " " };
    let example = match (lang, sized) {
        (Lang::En, _) => format!("{qualifier}{space}${rest}"),
        (Lang::Fr, true) => format!("{quote} de dollars"),
        (Lang::Fr, false) => format!("{quote} dollars"),
    };
    error(
        format!("no currency in `{quote}`: write `{example}` or `{quote} USD`"),
        0,
    )
}

/// Reads digits with separators: in English `.` is the decimal mark and `,`
/// groups thousands; in French `,` is the decimal mark, and `.` is read as one
/// too unless three digits follow (then it could be a thousands dot). Spaces
/// group thousands in both. Returns the reason on failure.
fn read_number(raw: &str, lang: Lang) -> Result<Decimal, &'static str> {
    let mut runs: Vec<&str> = Vec::new();
    let mut seps: Vec<char> = Vec::new();
    let mut run_start = 0;
    for (i, c) in raw.char_indices() {
        if !c.is_ascii_digit() {
            runs.push(&raw[run_start..i]);
            seps.push(if is_group_space(c) { ' ' } else { c });
            run_start = i + c.len_utf8();
        }
    }
    runs.push(&raw[run_start..]);
    let is_decimal = |sep: char, next: &str| -> Result<bool, &'static str> {
        match (lang, sep) {
            (_, ' ') | (Lang::En, ',') => Ok(false),
            (Lang::Fr, '.') if next.len() == 3 => {
                Err("`.` before three digits is ambiguous in French: write `1,5` or `1 500`")
            }
            _ => Ok(true),
        }
    };
    let mut decimal_at = None;
    for (i, sep) in seps.iter().enumerate() {
        if is_decimal(*sep, runs.get(i + 1).copied().unwrap_or(""))? {
            if decimal_at.is_some() {
                return Err("it has more than one decimal mark");
            }
            decimal_at = Some(i);
        } else if decimal_at.is_some() {
            return Err("digits cannot be grouped after the decimal mark");
        }
    }
    let int_runs = &runs[..decimal_at.map_or(runs.len(), |i| i + 1)];
    let groups = &seps[..int_runs.len() - 1];
    if groups.iter().any(|g| *g != groups[0]) {
        return Err("it mixes thousands separators");
    }
    let grouped_ok = int_runs.len() == 1
        || (int_runs[0].len() <= 3 && int_runs[1..].iter().all(|r| r.len() == 3));
    if !grouped_ok {
        return Err("thousands groups must have three digits");
    }
    let int: String = int_runs.concat();
    let frac = decimal_at
        .and_then(|i| runs.get(i + 1))
        .copied()
        .unwrap_or("");
    if int.trim_start_matches('0').len() > 21 {
        return Err("it is too large");
    }
    if frac.len() > 20 {
        return Err("it has too many decimals");
    }
    let canonical = if frac.is_empty() {
        int
    } else {
        format!("{int}.{frac}")
    };
    Decimal::from_str_exact(&canonical).map_err(|_| "it is too large")
}

fn error(message: impl Into<String>, offset: usize) -> AmountError {
    AmountError {
        message: message.into(),
        offset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Lang::{En as EN, Fr as FR};

    /// Parses `text` and describes the result as `"VALUE CODE BOUND"`, with
    /// ` slip` appended when French `billion` was seen.
    fn read(text: &str, lang: Lang) -> String {
        let parsed = parse_amount(text, lang).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
        let slip = if parsed.french_billion { " slip" } else { "" };
        match parsed.amount {
            Amount::Figure { money, bound } => {
                let value = super::super::plain_decimal(money.value);
                format!("{value} {} {}{slip}", money.currency, bound.as_str())
            }
            Amount::Undisclosed => format!("undisclosed{slip}"),
        }
    }

    #[test]
    fn accepted() {
        let (b38, b12, b10) = (
            "38000000000 USD exact",
            "1200000000 EUR exact",
            "10000000000 USD about",
        );
        let (t14, up100) = ("1400000000000 USD exact", "100000000000 USD at_most");
        let m500 = "500000000 GBP exact";
        let m1500 = "1500000000 GBP exact";
        let l10 = "10000000000 USD at_least";
        #[rustfmt::skip]
        let table: &[(&str, Lang, &str)] = &[
            ("$38B", EN, b38), ("$38 billion", EN, b38), ("US$38bn", EN, b38), ("USD 38bn", EN, b38),
            ("38 billion USD", EN, b38), ("38 milliards de dollars", FR, b38), ("38 Md$", FR, b38),
            ("38 Mds USD", FR, b38), ("$38 Billion", EN, b38), ("  $38B  ", EN, b38),
            ("$38 billion dollars", EN, b38), ("38 Mrd USD", FR, b38),
            ("€1.2bn", EN, b12), ("1,2 milliard d'euros", FR, b12), ("1,2 milliard d’euros", FR, b12),
            ("EUR 1.2 billion", EN, b12), ("1.2 milliard €", FR, b12), ("1.2 Md€", FR, b12),
            ("£500m", EN, m500), ("500 millions de livres", FR, m500), ("£500 M", EN, m500),
            ("$1.4 trillion", EN, t14), ("1 400 milliards de dollars", FR, t14),
            ("1\u{a0}400 milliards de dollars", FR, t14), ("1\u{202f}400\u{a0}milliards de dollars", FR, t14),
            ("1\u{2009}400 Mds $", FR, t14), ("$1,400 billion", EN, t14), ("$1 400bn", EN, t14),
            ("up to $100B", EN, up100), ("UP TO $100B", EN, up100),
            ("jusqu'à 100 milliards de dollars", FR, up100), ("jusqu’à 100 milliards de dollars", FR, up100),
            ("Jusqu'a 100 Mds $", FR, up100),
            ("~$10B", EN, b10), ("~ $10B", EN, b10), ("about $10B", EN, b10), ("Around $10B", EN, b10),
            ("approximately $10 billion", EN, b10), ("roughly 10bn dollars", EN, b10), ("≈ $10B", EN, b10),
            ("environ 10 milliards de dollars", FR, b10), ("près de 10 milliards de dollars", FR, b10),
            ("pres de 10 Md$", FR, b10),
            ("more than $10B", EN, l10), ("More Than $10 billion", EN, l10), ("over $10B", EN, l10),
            ("OVER 10bn dollars", EN, l10), ("at least $10B", EN, l10), ("at  least USD 10 billion", EN, l10),
            ("at least 10 billion USD", EN, l10), ("over US$10bn", EN, l10),
            ("at least €2bn", EN, "2000000000 EUR at_least"), ("more than £500m", EN, "500000000 GBP at_least"),
            ("over CHF 5 billion", EN, "5000000000 CHF at_least"),
            ("plus de 10 milliards de dollars", FR, l10), ("Plus de 10 Md$", FR, l10),
            ("plus de 10 Mds USD", FR, l10), ("au moins 10 milliards de dollars", FR, l10),
            ("AU MOINS 10 milliards $", FR, l10), ("au\u{a0}moins USD 10 milliards", FR, l10),
            ("au moins 2 milliards d'euros", FR, "2000000000 EUR at_least"),
            ("plus de 1,2 milliard d’euros", FR, "1200000000 EUR at_least"),
            ("plus de 500 millions de livres", FR, "500000000 GBP at_least"),
            ("1 500 millions de livres", FR, m1500), ("1\u{a0}500 millions de livres", FR, m1500),
            ("1\u{202f}500 millions de livres", FR, m1500), ("£1,500 million", EN, m1500),
            ("$12.5B", EN, "12500000000 USD exact"), ("$250 million", EN, "250000000 USD exact"),
            ("2,5 milliards d'euros", FR, "2500000000 EUR exact"), ("USD 300m", EN, "300000000 USD exact"),
            ("€9.7bn", EN, "9700000000 EUR exact"), ("¥2 billion", EN, "2000000000 JPY exact"),
            ("$500k", EN, "500000 USD exact"), ("$5K", EN, "5000 USD exact"), ("$5 mn", EN, "5000000 USD exact"),
            ("$2tn", EN, "2000000000000 USD exact"), ("5 trillion yens", EN, "5000000000000 JPY exact"),
            ("38 dollars", EN, "38 USD exact"), ("$38", EN, "38 USD exact"), ("5 €", FR, "5 EUR exact"),
            ("38,5 millions d'euros", FR, "38500000 EUR exact"), ("$12,500", EN, "12500 USD exact"),
            ("12 500 dollars", FR, "12500 USD exact"), ("£1,234,567.5", EN, "1234567.5 GBP exact"),
            ("CHF 5 billion", EN, "5000000000 CHF exact"), ("5 milliards de CHF", FR, "5000000000 CHF exact"),
            ("C$3m", EN, "3000000 CAD exact"), ("0.5 pounds", EN, "0.5 GBP exact"),
            ("1,50 $", FR, "1.5 USD exact"), ("38 usd", EN, "38 USD exact"),
            ("10 billions d'euros", FR, "10000000000000 EUR exact slip"),
            ("undisclosed", EN, "undisclosed"), ("non divulgué", FR, "undisclosed"),
            ("Non Divulgué", EN, "undisclosed"), ("not  disclosed", FR, "undisclosed"),
            ("non communiquée", FR, "undisclosed"), ("NON DIVULGUE", FR, "undisclosed"),
        ];
        for (text, lang, want) in table {
            assert_eq!(read(text, *lang), *want, "{text:?}");
        }
    }

    #[test]
    fn rejected() {
        // (text, lang, expected message fragment, expected offset)
        #[rustfmt::skip]
        let table: &[(&str, Lang, &str, usize)] = &[
            ("38 billion", EN, "no currency in `38 billion`: write `$38 billion` or `38 billion USD`", 0),
            ("up to 38 billion", EN, "write `up to $38 billion`", 0),
            ("38 milliards", FR, "write `38 milliards de dollars` or `38 milliards USD`", 0),
            ("38 zillion dollars", EN, "could not understand `zillion` in `38 zillion dollars`", 3),
            ("$38B EUR", EN, "two currencies in `$38B EUR`: `USD` and `EUR`", 5),
            ("38 milliards de dollars", EN, "that is French", 3),
            ("$38 bn", FR, "that is English", 4),
            ("$1,50 billion", EN, "three digits", 1),
            ("1.500 milliard d'euros", FR, "ambiguous", 0),
            ("1,2,3 €", FR, "more than one decimal mark", 0),
            ("1,500 000 $", EN, "mixes thousands separators", 0),
            ("1.5 000 $", EN, "grouped after the decimal mark", 0),
            ("$0", EN, "greater than zero", 1), ("$0.00B", EN, "greater than zero", 1),
            ("-$5B", EN, "could not understand `-`", 0),
            ("$5B 6", EN, "more than one number", 4),
            ("$ billion 5", EN, "`billion`", 2), ("$5 billion million", EN, "`million`", 11),
            ("$", EN, "no number in `$`", 0), ("about", EN, "no number", 0),
            ("", EN, "empty amount", 0), ("   ", FR, "empty amount", 0),
            ("$1000000000 trillion", EN, "too large", 1),
            ("$123456789012345678901234567890", EN, "too large", 1),
            ("$1.123456789012345678901234567", EN, "too many decimals", 1),
            ("38 de dollars de", FR, "`de` must come", 14),
            ("$38B.", EN, "could not understand `.`", 4),
            ("38 dollars US", EN, "could not understand `US`", 11),
            ("aboutt $5", EN, "`aboutt`", 0), ("abc é $5", EN, "`abc`", 0), ("5 $ é", EN, "`é`", 4),
            (" x", EN, "`x`", 1),
            ("more $10B", EN, "could not understand `more`", 0), ("overall $10B", EN, "`overall`", 0),
            ("at $10B", EN, "`at`", 0), ("plus 10 milliards de dollars", FR, "`plus`", 0),
            ("au-moins 10 Md$", FR, "`-`", 2), ("at least", EN, "no number", 0),
            ("plus de 10 milliards", FR, "write `plus de 10 milliards de dollars`", 0),
            ("more than 10 billion", EN, "write `more than $10 billion`", 0),
        ];
        for (text, lang, fragment, offset) in table {
            let err = parse_amount(text, *lang).expect_err(text);
            assert!(err.message.contains(fragment), "{text:?}: {}", err.message);
            assert_eq!(err.offset, *offset, "{text:?}: {}", err.message);
        }
        assert_eq!(LIMIT, Decimal::from(10u128.pow(20)));
    }

    /// A part not understood is named, then the accepted forms are listed in
    /// the language the amount is read in.
    #[test]
    fn errors_list_the_accepted_forms() {
        let en = parse_amount("38 zillion dollars", EN).expect_err("zillion");
        assert_eq!(
            en.message,
            "could not understand `zillion` in `38 zillion dollars`; accepted forms: `$38B`, \
             `38 billion USD`, `€1.2bn`, `up to $100B`, `at least $10B`, `about $10B`, `undisclosed`"
        );
        let fr = parse_amount("38 zillions de dollars", FR).expect_err("zillions");
        assert!(
            fr.message
                .starts_with("could not understand `zillions` in `38 zillions de dollars`; "),
            "{}",
            fr.message
        );
        for form in [
            "`38 milliards de dollars`",
            "`jusqu'à 100 milliards de dollars`",
            "`au moins 10 milliards de dollars`",
            "`environ 10 milliards de dollars`",
            "`non divulgué`",
        ] {
            assert!(fr.message.contains(form), "{form}: {}", fr.message);
        }
        // Every form listed is itself accepted, with the bound it illustrates.
        for lang in Lang::ALL {
            let forms = accepted_forms(lang);
            let listed: Vec<&str> = forms.split('`').skip(1).step_by(2).collect();
            assert!(listed.len() >= 6, "{forms}");
            for form in listed {
                assert!(parse_amount(form, lang).is_ok(), "{form} in {lang:?}");
            }
        }
        let symbol = parse_amount("5 $ é", EN).expect_err("é");
        assert!(
            symbol.message.contains("; accepted forms: `$38B`"),
            "{}",
            symbol.message
        );
        let wrong_lang = parse_amount("38 milliards de dollars", EN).expect_err("fr");
        assert!(
            wrong_lang
                .message
                .contains("that is French, and this amount is read as English; accepted forms"),
            "{}",
            wrong_lang.message
        );
    }

    /// Deterministic pseudo-random strings from amount-like pieces and
    /// multibyte characters: parsing (and formatting what parses) never panics.
    #[test]
    fn never_panics() {
        #[rustfmt::skip]
        const PIECES: &[&str] = &[
            "$", "€", "£", "¥", "US", "US$", "1", "38", "0", "999999999999", ",", ".", " ", "\u{a0}",
            "\u{202f}", "'", "’", "billion", "bn", "Md", "mds", "de", "d'", "jusqu'à", "~", "up to",
            "é", "日本", "🙂", "-", "k", "USD", "EUR", "milliards", "x", "\u{301}", "\t", "\n",
            "over", "more than", "at least", "plus de", "au moins",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize % n
        };
        for _ in 0..20_000 {
            let text: String = (0..next(9)).map(|_| PIECES[next(PIECES.len())]).collect();
            for lang in Lang::ALL {
                match parse_amount(&text, lang) {
                    Ok(parsed) => {
                        assert!(!super::super::format::amount(&parsed.amount, lang).is_empty())
                    }
                    Err(e) => assert!(text.is_char_boundary(e.offset), "{text:?}"),
                }
            }
        }
    }
}
