//! `money::parse_amount` over arbitrary text, in English and French, and the
//! display of what it reads.
//!
//! Invariants: no panic; a figure is above zero and at most 10^20; an error's
//! offset is a character boundary of the input.

#![no_main]

use dealwire::i18n::Lang;
use dealwire::money::{self, Amount};
use dealwire_fuzz::ensure;
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;

fuzz_target!(|text: &str| {
    for lang in [Lang::En, Lang::Fr] {
        match money::parse_amount(text, lang) {
            Ok(parsed) => {
                if let Amount::Figure { money, .. } = parsed.amount {
                    ensure(money.value > Decimal::ZERO, "figure-positive", || {
                        format!("{text:?} → {money:?}")
                    });
                    let limit = Decimal::from(10u128.pow(20));
                    ensure(money.value <= limit, "figure-bounded", || {
                        format!("{text:?} → {money:?}")
                    });
                }
                let shown = money::format::amount(&parsed.amount, lang);
                ensure(!shown.is_empty(), "figure-shown", || format!("{text:?}"));
            }
            Err(e) => {
                ensure(
                    e.offset <= text.len() && text.is_char_boundary(e.offset),
                    "error-offset",
                    || format!("{text:?}: offset {} ({})", e.offset, e.message),
                );
                ensure(!e.message.is_empty(), "error-message", || {
                    format!("{text:?}")
                });
            }
        }
    }
});
