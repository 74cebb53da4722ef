//! Text helpers shared by the renderers.

/// Escapes text for Markdown (a table cell or a paragraph): each of the characters
/// `|`, `\`, `*`, `_`, `` ` ``, `[`, `]`, `<`, `>` and `#` gets a backslash, and line breaks
/// become spaces, so names from the data can neither break a table nor inject markup.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '|' | '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The SHA-256 of `bytes` as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_line_breaks() {
        assert_eq!(
            super::escape_markdown("a|b_<script>\nx"),
            r"a\|b\_\<script\> x"
        );
    }
}
