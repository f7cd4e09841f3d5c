//! A strict JSON reader (RFC 8259) that keeps the position of every value and rejects duplicate keys.
//!
//! `serde_json` neither reports where a value stands nor refuses a repeated key (a map keeps the
//! last one), and IAM forbids duplicates in every object [S16], including `Condition` and
//! `Principal` maps. This reader is the first stage of [`crate::parse`]: it produces a tree that
//! the typed parser consumes immediately; the tree is never evaluated.

/// Where something stands in the policy text: byte offset, 1-based line and 1-based column
/// (counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Span {
    /// Byte offset of the first character.
    pub offset: usize,
    /// Byte length of the element (0 when unknown).
    pub len: usize,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

/// A JSON value with its position.
#[derive(Debug, Clone)]
pub(crate) struct Json {
    pub span: Span,
    pub value: JsonValue,
}

/// The shape of a JSON value; objects keep their members in document order.
#[derive(Debug, Clone)]
pub(crate) enum JsonValue {
    Null,
    Bool(bool),
    /// The number's text as written (IAM treats numbers as strings in conditions).
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<Member>),
}

/// One `"key": value` member of an object.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub key: String,
    pub key_span: Span,
    pub value: Json,
}

impl JsonValue {
    /// The JSON type name, for error messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            JsonValue::Null => "null",
            JsonValue::Bool(_) => "a boolean",
            JsonValue::Number(_) => "a number",
            JsonValue::String(_) => "a string",
            JsonValue::Array(_) => "an array",
            JsonValue::Object(_) => "an object",
        }
    }
}

/// What went wrong while reading JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonErrorKind {
    /// The text is not JSON.
    Syntax(String),
    /// A key appears twice in one object; the span is the second occurrence.
    DuplicateKey(String),
}

#[derive(Debug, Clone)]
pub(crate) struct JsonError {
    pub kind: JsonErrorKind,
    pub span: Span,
    /// JSON path of the element being read when the error happened.
    pub path: String,
}

/// One step of a JSON path.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// Nesting deeper than this is refused instead of recursing further (policies are shallow).
const MAX_DEPTH: usize = 64;

/// Reads one JSON document; trailing non-whitespace is an error.
pub(crate) fn read(text: &str) -> Result<Json, JsonError> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        line: 1,
        column: 1,
        path: Vec::new(),
    };
    reader.skip_whitespace();
    let value = reader.value(0)?;
    reader.skip_whitespace();
    if reader.pos < reader.bytes.len() {
        return Err(reader.error_here("unexpected text after the end of the JSON document"));
    }
    Ok(value)
}

struct Reader<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    line: u32,
    column: u32,
    path: Vec<Step>,
}

impl Reader<'_> {
    fn path_string(&self) -> String {
        let mut out = String::from("$");
        for step in &self.path {
            match step {
                Step::Key(key) => {
                    out.push('.');
                    out.push_str(key);
                }
                Step::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        out
    }

    fn error_at(&self, kind: JsonErrorKind, span: Span) -> JsonError {
        JsonError {
            kind,
            span,
            path: self.path_string(),
        }
    }

    fn here(&self) -> Span {
        Span {
            offset: self.pos,
            len: 0,
            line: self.line,
            column: self.column,
        }
    }

    fn error_here(&self, message: &str) -> JsonError {
        self.error_at(JsonErrorKind::Syntax(message.to_owned()), self.here())
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Advances over one character (UTF-8 aware, so columns count characters).
    fn bump(&mut self) -> Option<char> {
        let c = self.text.get(self.pos..)?.chars().next()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.bump();
        }
    }

    fn expect_byte(&mut self, byte: u8, what: &str) -> Result<(), JsonError> {
        if self.peek() == Some(byte) {
            self.bump();
            Ok(())
        } else {
            Err(self.error_here(what))
        }
    }

    fn finish(&self, start: Span, value: JsonValue) -> Json {
        Json {
            span: Span {
                len: self.pos - start.offset,
                ..start
            },
            value,
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error_here("JSON nesting is too deep"));
        }
        let start = self.here();
        match self.peek() {
            Some(b'{') => self.object(start, depth),
            Some(b'[') => self.array(start, depth),
            Some(b'"') => {
                let s = self.string()?;
                Ok(self.finish(start, JsonValue::String(s)))
            }
            Some(b't') => self.literal(start, "true", JsonValue::Bool(true)),
            Some(b'f') => self.literal(start, "false", JsonValue::Bool(false)),
            Some(b'n') => self.literal(start, "null", JsonValue::Null),
            Some(b'-' | b'0'..=b'9') => self.number(start),
            Some(_) => Err(self.error_here("expected a JSON value")),
            None => Err(self.error_here("unexpected end of input: expected a JSON value")),
        }
    }

    fn literal(&mut self, start: Span, word: &str, value: JsonValue) -> Result<Json, JsonError> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            for _ in 0..word.len() {
                self.bump();
            }
            Ok(self.finish(start, value))
        } else {
            Err(self.error_here("expected a JSON value"))
        }
    }

    fn digits(&mut self) -> usize {
        let mut count = 0;
        while let Some(b'0'..=b'9') = self.peek() {
            self.bump();
            count += 1;
        }
        count
    }

    fn number(&mut self, start: Span) -> Result<Json, JsonError> {
        if self.peek() == Some(b'-') {
            self.bump();
        }
        match self.peek() {
            Some(b'0') => {
                self.bump();
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error_here("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.bump();
            if self.digits() == 0 {
                return Err(self.error_here("invalid number: expected a digit after the decimal point"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.bump();
            if let Some(b'+' | b'-') = self.peek() {
                self.bump();
            }
            if self.digits() == 0 {
                return Err(self.error_here("invalid number: expected a digit in the exponent"));
            }
        }
        let text = self.text.get(start.offset..self.pos).unwrap_or_default().to_owned();
        Ok(self.finish(start, JsonValue::Number(text)))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut code = 0u32;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| (b as char).to_digit(16))
                .ok_or_else(|| self.error_here("invalid unicode escape: expected four hex digits"))?;
            self.bump();
            code = code * 16 + digit;
        }
        Ok(code)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.expect_byte(b'"', "expected a string")?;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(self.error_here("unterminated string")),
                Some(b'"') => {
                    self.bump();
                    return Ok(out);
                }
                Some(b'\\') => {
                    let escape_at = self.here();
                    self.bump();
                    let c = match self.bump() {
                        Some('"') => '"',
                        Some('\\') => '\\',
                        Some('/') => '/',
                        Some('b') => '\u{8}',
                        Some('f') => '\u{c}',
                        Some('n') => '\n',
                        Some('r') => '\r',
                        Some('t') => '\t',
                        Some('u') => {
                            let high = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&high) {
                                if self.peek() == Some(b'\\') {
                                    self.bump();
                                    self.expect_byte(b'u', "invalid unicode escape: expected a low surrogate")?;
                                } else {
                                    return Err(self.error_here("invalid unicode escape: expected a low surrogate"));
                                }
                                let low = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&low) {
                                    return Err(self.error_here("invalid unicode escape: expected a low surrogate"));
                                }
                                0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                high
                            };
                            char::from_u32(code).ok_or_else(|| {
                                self.error_at(JsonErrorKind::Syntax("invalid unicode escape".to_owned()), escape_at)
                            })?
                        }
                        _ => {
                            return Err(
                                self.error_at(JsonErrorKind::Syntax("invalid escape in string".to_owned()), escape_at)
                            );
                        }
                    };
                    out.push(c);
                }
                Some(b) if b < 0x20 => {
                    return Err(self.error_here("control character in string: escape it"));
                }
                Some(_) => {
                    if let Some(c) = self.bump() {
                        out.push(c);
                    }
                }
            }
        }
    }

    fn array(&mut self, start: Span, depth: usize) -> Result<Json, JsonError> {
        self.bump();
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.bump();
            return Ok(self.finish(start, JsonValue::Array(items)));
        }
        loop {
            self.skip_whitespace();
            self.path.push(Step::Index(items.len()));
            let item = self.value(depth + 1);
            self.path.pop();
            items.push(item?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    self.bump();
                }
                Some(b']') => {
                    self.bump();
                    return Ok(self.finish(start, JsonValue::Array(items)));
                }
                _ => return Err(self.error_here("expected `,` or `]` in array")),
            }
        }
    }

    fn object(&mut self, start: Span, depth: usize) -> Result<Json, JsonError> {
        self.bump();
        let mut members: Vec<Member> = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.bump();
            return Ok(self.finish(start, JsonValue::Object(members)));
        }
        loop {
            self.skip_whitespace();
            let key_start = self.here();
            if self.peek() != Some(b'"') {
                return Err(self.error_here("expected a string key in object"));
            }
            let key = self.string()?;
            let key_span = Span {
                len: self.pos - key_start.offset,
                ..key_start
            };
            self.path.push(Step::Key(key.clone()));
            if members.iter().any(|m| m.key == key) {
                return Err(self.error_at(JsonErrorKind::DuplicateKey(key), key_span));
            }
            self.skip_whitespace();
            self.expect_byte(b':', "expected `:` after object key")?;
            self.skip_whitespace();
            let value = self.value(depth + 1)?;
            self.path.pop();
            members.push(Member { key, key_span, value });
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    self.bump();
                }
                Some(b'}') => {
                    self.bump();
                    return Ok(self.finish(start, JsonValue::Object(members)));
                }
                _ => return Err(self.error_here("expected `,` or `}` in object")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_key_points_at_second_occurrence() {
        let err = read("{\"a\": 1,\n \"a\": 2}").unwrap_err();
        assert_eq!(err.kind, JsonErrorKind::DuplicateKey("a".into()));
        assert_eq!((err.span.line, err.span.column), (2, 2));
        assert_eq!(err.path, "$.a");
    }

    #[test]
    fn escapes_and_surrogates_decode() {
        let json = read(r#""a\u00e9\ud83d\ude00\n""#).unwrap();
        match json.value {
            JsonValue::String(s) => assert_eq!(s, "aé😀\n"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn trailing_text_and_bad_numbers_are_errors() {
        assert!(read("{} x").is_err());
        assert!(read("01").is_err());
        assert!(read("1.").is_err());
        assert!(read("[1,]").is_err());
        assert!(read(&"[".repeat(100)).is_err());
    }
}
