//! IAM wildcard patterns (`*` and `?`, no escapes) for actions, resources and `Like` conditions, with ARN-segment rules.
//!
//! `*` matches any run of characters, `?` exactly one [S11]. In a `Resource`, wildcards stay
//! inside their colon-separated segment, except a `*` that ends its segment, which may run on
//! across colons [S8]. Text that came from a policy variable or an escape (`${*}`) is literal.

/// One unit of a compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A literal character.
    Char(char),
    /// `*`; `colons` says whether it may match `:`.
    Star { colons: bool },
    /// `?`; `colons` says whether it may match `:`.
    One { colons: bool },
}

/// How `*` and `?` treat colons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segments {
    /// Wildcards match any character (`StringLike`, `Action`).
    Free,
    /// Resource ARN rules: wildcards stay in their segment unless a `*` ends it [S8].
    Resource,
}

/// A piece of pattern source: text whose `*` and `?` are wildcards, or literal text.
#[derive(Debug, Clone, Copy)]
pub enum Piece<'s> {
    /// Pattern text from the policy.
    Wild(&'s str),
    /// Literal text (a substituted variable, an escape such as `${*}`).
    Literal(&'s str),
}

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    tokens: Vec<Token>,
    /// Whether matching folds ASCII case (actions).
    ignore_case: bool,
    shape: Shape,
}

/// Fast paths for the common shapes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    /// No wildcard: equality.
    Exact(String),
    /// `*` alone.
    Any,
    /// `prefix*` where the star may match anything.
    Prefix(String),
    /// Anything else: run the automaton.
    General,
}

impl Pattern {
    /// Compiles pattern text in which `*` and `?` are wildcards.
    pub fn new(text: &str, segments: Segments, ignore_case: bool) -> Self {
        Self::from_pieces(&[Piece::Wild(text)], segments, ignore_case)
    }

    /// Compiles a pattern from pieces (so that substituted text stays literal).
    pub fn from_pieces(pieces: &[Piece<'_>], segments: Segments, ignore_case: bool) -> Self {
        let mut tokens = Vec::new();
        for piece in pieces {
            match piece {
                Piece::Wild(text) => {
                    for c in text.chars() {
                        tokens.push(match c {
                            '*' => Token::Star {
                                colons: segments == Segments::Free,
                            },
                            '?' => Token::One {
                                colons: segments == Segments::Free,
                            },
                            c => Token::Char(fold(c, ignore_case)),
                        });
                    }
                }
                Piece::Literal(text) => {
                    tokens.extend(text.chars().map(|c| Token::Char(fold(c, ignore_case))));
                }
            }
        }
        if segments == Segments::Resource {
            // INVARIANT (segment-final star): a `*` directly before a `:` or at the end may cross colons.
            for i in 0..tokens.len() {
                let ends_segment = matches!(tokens.get(i + 1), None | Some(Token::Char(':')));
                if let Some(Token::Star { colons }) = tokens.get_mut(i) {
                    *colons = ends_segment;
                }
            }
        }
        let shape = shape_of(&tokens);
        Pattern {
            tokens,
            ignore_case,
            shape,
        }
    }

    /// Whether the pattern has a wildcard.
    pub fn has_wildcard(&self) -> bool {
        !matches!(self.shape, Shape::Exact(_))
    }

    /// Whether `value` matches the whole pattern.
    pub fn matches(&self, value: &str) -> bool {
        match &self.shape {
            Shape::Any => true,
            Shape::Exact(text) => {
                if self.ignore_case {
                    text.eq_ignore_ascii_case(value)
                } else {
                    text == value
                }
            }
            Shape::Prefix(prefix) => {
                value.len() >= prefix.len()
                    && value.is_char_boundary(prefix.len())
                    && value.get(..prefix.len()).is_some_and(|head| {
                        if self.ignore_case {
                            head.eq_ignore_ascii_case(prefix)
                        } else {
                            head == prefix
                        }
                    })
            }
            Shape::General => self.run(value),
        }
    }

    /// Simulates the pattern as an automaton: `states[i]` says the first `i` tokens can match
    /// the text read so far. Linear in text length times pattern length; never backtracks.
    fn run(&self, value: &str) -> bool {
        let n = self.tokens.len();
        let mut states = vec![false; n + 1];
        states[0] = true;
        close_stars(&self.tokens, &mut states);
        let mut next = vec![false; n + 1];
        for c in value.chars() {
            let c = fold(c, self.ignore_case);
            next.iter_mut().for_each(|s| *s = false);
            let mut any = false;
            for (i, token) in self.tokens.iter().enumerate() {
                if !states[i] {
                    continue;
                }
                match token {
                    Token::Char(p) if *p == c => {
                        next[i + 1] = true;
                        any = true;
                    }
                    Token::Star { colons } if *colons || c != ':' => {
                        next[i] = true;
                        any = true;
                    }
                    Token::One { colons } if *colons || c != ':' => {
                        next[i + 1] = true;
                        any = true;
                    }
                    _ => {}
                }
            }
            if !any {
                return false;
            }
            close_stars(&self.tokens, &mut next);
            std::mem::swap(&mut states, &mut next);
        }
        states[n]
    }
}

/// A star may match nothing: a state before a star also reaches the state after it.
fn close_stars(tokens: &[Token], states: &mut [bool]) {
    for (i, token) in tokens.iter().enumerate() {
        if states[i] && matches!(token, Token::Star { .. }) {
            states[i + 1] = true;
        }
    }
}

fn fold(c: char, ignore_case: bool) -> char {
    if ignore_case { c.to_ascii_lowercase() } else { c }
}

fn shape_of(tokens: &[Token]) -> Shape {
    let literal = |ts: &[Token]| -> Option<String> {
        ts.iter()
            .map(|t| match t {
                Token::Char(c) => Some(*c),
                _ => None,
            })
            .collect()
    };
    if let Some(text) = literal(tokens) {
        return Shape::Exact(text);
    }
    match tokens.split_last() {
        Some((Token::Star { colons: true }, rest)) => match literal(rest) {
            Some(prefix) if prefix.is_empty() => Shape::Any,
            Some(prefix) => Shape::Prefix(prefix),
            None => Shape::General,
        },
        _ => Shape::General,
    }
}

/// Splits an ARN into its six colon-separated components (the last keeps its colons), or
/// `None` when the text is not an ARN.
pub fn split_arn(text: &str) -> Option<[&str; 6]> {
    let mut parts = text.splitn(6, ':');
    let arn = [
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    ];
    (arn[0] == "arn").then_some(arn)
}

/// `ArnLike`/`ArnEquals`: each of the six components matched separately, wildcards inside a
/// component only [S11]. `None` when `value` is not an ARN (E41: undocumented; we say no match).
pub fn arn_like(pattern: &[Pattern; 6], value: &str) -> Option<bool> {
    let parts = split_arn(value)?;
    Some(pattern.iter().zip(parts).all(|(p, v)| p.matches(v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn free(p: &str, v: &str) -> bool {
        Pattern::new(p, Segments::Free, false).matches(v)
    }
    fn resource(p: &str, v: &str) -> bool {
        Pattern::new(p, Segments::Resource, false).matches(v)
    }

    #[test]
    fn question_mark_needs_exactly_one_character() {
        assert!(!free("a?b", "ab"));
        assert!(free("a?b", "aéb"));
    }

    #[test]
    fn star_crosses_slashes_and_colons_in_free_mode() {
        assert!(free("arn:aws:s3:::b/*/test/*", "arn:aws:s3:::b/1/2/test/3/o.jpg"));
        assert!(free(
            "arn:aws:someservice:*:111122223333:finance/*",
            "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
        ));
    }

    #[test]
    fn resource_star_stays_in_segment_unless_it_ends_it() {
        assert!(resource(
            "arn:aws:backup:us-east-1:111122223333:backup-vault:*",
            "arn:aws:backup:us-east-1:111122223333:backup-vault:My:Odd"
        ));
        assert!(!resource("arn:aws:s3:::a*b", "arn:aws:s3:::a:b"));
        assert!(resource(
            "arn:aws:kms:us-east-1:*",
            "arn:aws:kms:us-east-1:111122223333:key/k"
        ));
    }

    #[test]
    fn literal_pieces_do_not_wildcard() {
        let p = Pattern::from_pieces(
            &[Piece::Wild("a"), Piece::Literal("*"), Piece::Wild("b")],
            Segments::Free,
            false,
        );
        assert!(!p.matches("aXXb"));
        assert!(p.matches("a*b"));
    }

    #[test]
    fn ignore_case_folds_ascii() {
        assert!(Pattern::new("KMS:DECRYPT", Segments::Free, true).matches("kms:Decrypt"));
        assert!(Pattern::new("kms:ReEncrypt*", Segments::Free, true).matches("kms:reencryptfrom"));
    }
}
