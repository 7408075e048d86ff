//! Bylines as old sites wrote them, split into the people they name.
//!
//! An old site's `author:` is often one string for several people ("A, B
//! and C", "A et B", "A & B") or a name with a title or an affiliation
//! ("Josh Aas, ISRG Executive Director", "Sarah McClure (Let's Encrypt)").
//! Kept whole, each string would be an author page of its own. A byline is
//! split at commas, `and`, `et` and `&`; a part in parentheses is left out;
//! the first part is always a person; a later part is one when it looks like
//! a person's name (two to five capitalised words, initials and particles
//! such as `de` or `van` allowed, no word of a job title), else it is the
//! previous person's title or affiliation, and left out.

/// Words of job titles and affiliations, which a person's name does not
/// hold (compared lowercased).
const TITLE_WORDS: &[&str] = &[
    "analyst",
    "board",
    "ceo",
    "cfo",
    "chair",
    "chief",
    "coo",
    "contributor",
    "correspondent",
    "counsel",
    "cto",
    "desk",
    "developer",
    "director",
    "directors",
    "editor",
    "engineer",
    "executive",
    "fellow",
    "founder",
    "head",
    "intern",
    "lead",
    "manager",
    "member",
    "officer",
    "partner",
    "president",
    "principal",
    "product",
    "reliability",
    "reporter",
    "researcher",
    "scientist",
    "senior",
    "site",
    "software",
    "staff",
    "team",
    "vice",
    "vp",
    "writer",
];

/// Particles a name may hold in lowercase.
const PARTICLES: &[&str] = &[
    "de", "da", "del", "della", "di", "du", "le", "la", "van", "von", "der", "den", "bin", "al",
    "y", "dos", "das",
];

/// A byline split: the people it names, and what was left out of it (titles,
/// affiliations), in order.
#[derive(Debug, Default, PartialEq)]
pub struct Byline {
    /// The people.
    pub people: Vec<String>,
    /// The titles and affiliations left out.
    pub left_out: Vec<String>,
}

/// Splits one byline.
pub fn split(byline: &str) -> Byline {
    let mut out = Byline::default();
    // Parentheses: an affiliation.
    let mut text = String::with_capacity(byline.len());
    let mut depth = 0usize;
    let mut aside = String::new();
    for c in byline.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.left_out.push(aside.trim().to_string());
                    aside.clear();
                }
            }
            c if depth > 0 => aside.push(c),
            c => text.push(c),
        }
    }
    let parts = parts(&text);
    // A list of handles or single names (`waj, bcardiff`): each is a person.
    let handles = parts.len() > 1
        && parts
            .iter()
            .all(|p| !p.contains(' ') && !TITLE_WORDS.contains(&p.to_lowercase().as_str()));
    for (i, part) in parts.into_iter().enumerate() {
        if i == 0 || handles || looks_like_a_name(&part) {
            out.people.push(part);
        } else {
            out.left_out.push(part);
        }
    }
    out
}

/// The parts of a byline: split at commas, then at ` and `, ` et `, ` & `.
fn parts(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    for piece in text.split([',', ';']) {
        let mut rest = piece.trim().to_string();
        for word in ["and ", "et ", "& "] {
            if let Some(r) = rest.strip_prefix(word) {
                rest = r.to_string();
            }
        }
        let mut current = Vec::new();
        for word in rest.split_whitespace() {
            if matches!(word, "and" | "et" | "&") {
                if !current.is_empty() {
                    parts.push(current.join(" "));
                    current.clear();
                }
            } else {
                current.push(word);
            }
        }
        if !current.is_empty() {
            parts.push(current.join(" "));
        }
    }
    parts
}

/// Whether `part` looks like a person's name.
fn looks_like_a_name(part: &str) -> bool {
    let words: Vec<&str> = part.split_whitespace().collect();
    if !(2..=5).contains(&words.len()) {
        return false;
    }
    words.iter().all(|w| {
        let lower = w.to_lowercase();
        let capitalised = w.chars().next().is_some_and(char::is_uppercase);
        !TITLE_WORDS.contains(&lower.trim_matches(|c: char| !c.is_alphanumeric()))
            && (capitalised || PARTICLES.contains(&lower.as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people(byline: &str) -> Vec<String> {
        split(byline).people
    }

    #[test]
    fn bylines_of_a_real_archive() {
        let cases: [(&str, &[&str]); 13] = [
            ("Josh Aas, ISRG Executive Director", &["Josh Aas"]),
            ("Josh Aas", &["Josh Aas"]),
            (
                "Shannon Robinson, Sarah Gran and Jonathan Weber-Mendez",
                &["Shannon Robinson", "Sarah Gran", "Jonathan Weber-Mendez"],
            ),
            (
                "Sarah McClure (Let’s Encrypt) & Andrew Lytvynov (Tailscale)",
                &["Sarah McClure", "Andrew Lytvynov"],
            ),
            (
                "Josh Aas, Daniel McCarney, and Roland Shoemaker",
                &["Josh Aas", "Daniel McCarney", "Roland Shoemaker"],
            ),
            (
                "Jon Millican, Software Engineer, Facebook",
                &["Jon Millican"],
            ),
            (
                "Jacob Hoffman-Andrews, Boulder developer",
                &["Jacob Hoffman-Andrews"],
            ),
            ("J.C. Jones", &["J.C. Jones"]),
            ("Franklin Angulo, Squarespace", &["Franklin Angulo"]),
            (
                "Marie Curie et Pierre de Coubertin",
                &["Marie Curie", "Pierre de Coubertin"],
            ),
            ("Ada", &["Ada"]),
            ("waj,bcardiff", &["waj", "bcardiff"]),
            ("beta-ziliani, Remilia", &["beta-ziliani", "Remilia"]),
        ];
        for (byline, want) in cases {
            assert_eq!(people(byline), want, "{byline}");
        }
        assert_eq!(
            split("Phil Porada, Site Reliability Engineer").left_out,
            ["Site Reliability Engineer"]
        );
    }
}
