//! The one home of HTML escaping: text and attribute values, and URLs in
//! attributes. Every module that writes HTML by hand uses these, on top of
//! `pulldown_cmark_escape` (the escaper pulldown-cmark itself uses), so a page
//! never mixes two ideas of what is safe.

/// Escapes text for HTML element content and double- or single-quoted
/// attribute values (`& < > " '`).
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_html(&mut out, text);
    out
}

/// Appends `text`, escaped as `html` does, to `out`.
pub fn push_html(out: &mut String, text: &str) {
    // Writing to a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(out, text);
}

/// Appends a URL for a quoted `href`/`src` attribute: unsafe bytes
/// percent-encoded, `&` and `'` as entities.
pub fn push_href(out: &mut String, url: &str) {
    let _ = pulldown_cmark_escape::escape_href(out, url);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_attributes_and_urls() {
        assert_eq!(
            html(r#"<a href="x" title='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
        let mut url = String::new();
        push_href(&mut url, "/a b\"c'<d>&é");
        assert_eq!(url, "/a%20b%22c&#x27;%3Cd%3E&amp;%C3%A9");
    }
}
