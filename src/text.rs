//! Text helpers shared by the renderers.

/// Escapes text for Markdown (a table cell or a paragraph): each of the characters
/// `|`, `\`, `*`, `_`, `` ` ``, `[`, `]`, `<`, `>` and `#` gets a backslash, line breaks and
/// tabs become spaces and other control characters U+FFFD, so names from the data can neither
/// break a table, inject markup nor carry terminal escape sequences.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '|' | '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Wraps each line of `s` at spaces so that no line is longer than `width` characters (a word
/// longer than that stays whole on its own line); a wrapped line's continuations are indented
/// as it is; line breaks and trailing blank lines are kept.
pub fn wrap(s: &str, width: usize) -> String {
    let width = width.max(1);
    let mut out = String::with_capacity(s.len() + s.len() / width);
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let body = line.trim_start_matches(' ');
        // At most half the width: a line's own spaces (from the data) cannot push its
        // continuations past the width.
        let indent = &line[..(line.len() - body.len()).min(width / 2)];
        let body = &line[indent.len()..];
        out.push_str(indent);
        let mut len = indent.len();
        let mut first = true;
        for word in body.split(' ') {
            let w = word.chars().count();
            if !first && len + 1 + w > width {
                out.push('\n');
                out.push_str(indent);
                len = indent.len();
            } else if !first {
                out.push(' ');
                len += 1;
            }
            out.push_str(word);
            len += w;
            first = false;
        }
    }
    out
}

/// Text for a terminal: every control character but line feed and tab is written as its
/// escape (`\u{1b}`), so text from the data or a file (a group name, a header) cannot clear
/// the screen, set the window title or hide what follows.
pub fn escape_terminal(s: &str) -> String {
    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return s.to_string();
    }
    s.chars()
        .map(|c| match c {
            '\n' | '\t' => c.to_string(),
            c if c.is_control() => format!("\\u{{{:x}}}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// Escapes text for HTML and XML element content and attribute values (`&`, `<`, `>`, `"`,
/// `'`); control characters that XML 1.0 cannot hold become spaces.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The first `n` characters of `s` (never splits a character, whatever the input).
pub fn prefix(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

/// The 1-based line of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The SHA-256 of `bytes` as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A p-value as people read it: three decimals, or `< 0.001` below that (never `0.00e0`).
pub fn p_value(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".into()
    } else {
        format!("{p:.3}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn p_values_read_right() {
        assert_eq!(super::p_value(0.0), "< 0.001");
        assert_eq!(super::p_value(0.000_999), "< 0.001");
        assert_eq!(super::p_value(0.001), "0.001");
        assert_eq!(super::p_value(0.0456), "0.046");
        assert_eq!(super::p_value(1.0), "1.000");
    }

    #[test]
    fn prefix_never_splits_a_character_and_escape_html_covers_xml() {
        assert_eq!(super::prefix("2026-06-30T00:00:00Z", 10), "2026-06-30");
        assert_eq!(super::prefix("ééé", 2), "éé");
        assert_eq!(super::prefix("ab", 10), "ab");
        assert_eq!(
            super::escape_html("<a href='x'>&\u{1}"),
            "&lt;a href=&#39;x&#39;&gt;&amp; "
        );
        assert_eq!(super::line_of("a\nb\nc", 4), 3);
    }

    #[test]
    fn wrapping_keeps_words_whole_and_lines_within_the_width() {
        let s = "a bb ccc dddd eeeee\n\nffffffffffff g\n";
        let w = super::wrap(s, 6);
        assert_eq!(w, "a bb\nccc\ndddd\neeeee\n\nffffffffffff\ng\n");
        assert_eq!(
            w.replace('\n', " ").split_whitespace().collect::<Vec<_>>(),
            s.split_whitespace().collect::<Vec<_>>()
        );
        assert_eq!(super::wrap("short line\n", 100), "short line\n");
        assert_eq!(
            super::wrap("  1. aaa bbb ccc\n", 10),
            "  1. aaa\n  bbb ccc\n"
        );
    }

    #[test]
    fn escapes_markup_and_line_breaks() {
        assert_eq!(
            super::escape_markdown("a|b_<script>\nx"),
            r"a\|b\_\<script\> x"
        );
        assert_eq!(
            super::escape_markdown("a\u{1b}]0;t\u{7}b\tc"),
            "a\u{fffd}\\]0;t\u{fffd}b c"
        );
        assert_eq!(
            super::escape_terminal("g\u{1b}[2J\u{9b}x\r\n\ty"),
            "g\\u{1b}[2J\\u{9b}x\\u{d}\n\ty"
        );
    }
}
