//! Diagnostics: the errors and warnings a build collects, each with the file,
//! position and field it concerns.
//!
//! Every stage reports into `Diagnostic` values instead of stopping at the first
//! problem; only the commands decide what to print and which exit status to use.
//! The one printed shape is `error: PATH:LINE:COL: FIELD: message`, with the
//! parts that are unknown left out. Lines and columns are 1-based. The shape
//! and every error class are documented in `docs/reference.md`
//! ([Diagnostics](../docs/reference.md#diagnostics),
//! [Error classes](../docs/reference.md#error-classes)).

use std::fmt;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The site cannot be built.
    Error,
    /// Worth a look; never changes the exit status.
    Warning,
}

/// One problem found in the site, located as precisely as known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Path relative to the site root, with `/` separators.
    pub path: String,
    /// 1-based line and column, when known.
    pub position: Option<(usize, usize)>,
    /// The field concerned, as `deal.amount` or `deals[1].parties`.
    pub field: Option<String>,
    /// What is wrong, in a few words.
    pub message: String,
}

impl Diagnostic {
    /// An error about a file, with no position or field yet.
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            position: None,
            field: None,
            message: message.into(),
        }
    }

    /// A warning about a file, with no position or field yet.
    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, message)
        }
    }

    /// The same diagnostic at a 1-based line and column.
    pub fn at(mut self, line: usize, col: usize) -> Self {
        self.position = Some((line.max(1), col.max(1)));
        self
    }

    /// The same diagnostic at an optional position.
    pub fn at_opt(self, position: Option<(usize, usize)>) -> Self {
        match position {
            Some((line, col)) => self.at(line, col),
            None => self,
        }
    }

    /// The same diagnostic about a field.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        let field = field.into();
        self.field = (!field.is_empty()).then_some(field);
        self
    }

    /// True for errors, false for warnings.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    fn sort_key(&self) -> (&str, usize, usize, Severity) {
        let (line, col) = self.position.unwrap_or((0, 0));
        (&self.path, line, col, self.severity)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{label}: {}", Printable(&self.path))?;
        if let Some((line, col)) = self.position {
            write!(f, ":{line}:{col}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": {}", Printable(field))?;
        }
        write!(f, ": {}", Printable(&self.message))
    }
}

/// Text written with its control characters escaped (`\n`, `\u{1b}`), so that
/// a file name or a quoted value can neither start a new diagnostic line nor
/// send escape sequences to the terminal: one diagnostic, one line.
struct Printable<'a>(&'a str);

impl fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            match c {
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                c if c.is_control()
                    || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') =>
                {
                    write!(f, "\\u{{{:x}}}", c as u32)?
                }
                c => write!(f, "{c}")?,
            }
        }
        Ok(())
    }
}

/// The one collector of diagnostics: every stage that can find problems
/// adds them here, and the run prints them sorted by path and position.
/// It reads as a slice (`len`, `iter`, indexing).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// No diagnostics.
    pub fn new() -> Self {
        Diagnostics::default()
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Adds many diagnostics.
    pub fn extend(&mut self, more: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(more);
    }

    /// The value of `result`, or `None` with its error collected.
    pub fn ok<T>(&mut self, result: Result<T, Diagnostic>) -> Option<T> {
        result.map_err(|d| self.push(d)).ok()
    }

    /// True when at least one diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// `Ok(value)` when nothing collected is an error, else `Err(self)`.
    pub fn or_errors<T>(self, value: T) -> Result<(T, Diagnostics), Diagnostics> {
        if self.has_errors() {
            Err(self)
        } else {
            Ok((value, self))
        }
    }

    /// The diagnostics sorted by path, line and column, duplicates removed.
    pub fn sorted(mut self) -> Diagnostics {
        self.0.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.0.dedup();
        self
    }
}

impl std::ops::Deref for Diagnostics {
    type Target = [Diagnostic];
    fn deref(&self) -> &[Diagnostic] {
        &self.0
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Diagnostics(iter.into_iter().collect())
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Prints diagnostics to stderr, one a line, in the order given: the one
/// place where diagnostics leave the program.
pub fn report<'a>(diagnostics: impl IntoIterator<Item = &'a Diagnostic>) {
    use std::io::Write;
    let stderr = std::io::stderr();
    let mut lock = stderr.lock();
    for d in diagnostics {
        let _ = writeln!(lock, "{d}");
    }
}

/// `s` for counts other than one.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A count and its noun: `1 article`, `3 deals`.
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", plural(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_the_spec_shape() {
        let d = Diagnostic::error("content/a.md", "bad")
            .at(3, 5)
            .field("deal.amount");
        assert_eq!(d.to_string(), "error: content/a.md:3:5: deal.amount: bad");
        let w = Diagnostic::warning("site.yaml", "hm");
        assert_eq!(w.to_string(), "warning: site.yaml: hm");
    }

    #[test]
    fn sorts_by_path_then_line() {
        let ds: Diagnostics = [
            Diagnostic::error("b.md", "x").at(1, 1),
            Diagnostic::error("a.md", "y").at(9, 1),
            Diagnostic::error("a.md", "z").at(2, 1),
        ]
        .into_iter()
        .collect();
        let lines: Vec<String> = ds.sorted().iter().map(|d| d.to_string()).collect();
        assert_eq!(lines[0], "error: a.md:2:1: z");
        assert_eq!(lines[2], "error: b.md:1:1: x");
    }

    #[test]
    fn control_characters_cannot_forge_a_line() {
        let d = Diagnostic::error(
            "content/x\nerror: content/y.md:1:1: forged.md",
            "bad `\u{1b}[31m`",
        );
        let line = d.to_string();
        assert_eq!(line.lines().count(), 1, "{line}");
        assert_eq!(
            line,
            "error: content/x\\nerror: content/y.md:1:1: forged.md: bad `\\u{1b}[31m`"
        );
    }
}
