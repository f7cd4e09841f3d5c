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
    /// Bit-parallel automaton for general patterns of fewer than 127 tokens.
    automaton: Option<Box<BitAutomaton>>,
}

/// A bit-parallel (shift-and) form of a general pattern: bit `i` of the state says the first
/// `i` tokens match the text read so far. One step per character, no allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
struct BitAutomaton {
    /// For each ASCII character, the tokens that are that literal character.
    ascii: [u128; 128],
    /// `?` tokens that may match `:`.
    one_colon: u128,
    /// `?` tokens that may not match `:`.
    one_plain: u128,
    /// `*` tokens that may match `:`.
    star_colon: u128,
    /// `*` tokens that may not match `:`.
    star_plain: u128,
    /// The accepting bit.
    accept: u128,
}

impl BitAutomaton {
    fn new(tokens: &[Token]) -> Option<Self> {
        if tokens.len() >= 127 {
            return None;
        }
        let mut automaton = BitAutomaton {
            ascii: [0; 128],
            one_colon: 0,
            one_plain: 0,
            star_colon: 0,
            star_plain: 0,
            accept: 1 << tokens.len(),
        };
        for (i, token) in tokens.iter().enumerate() {
            let bit = 1u128 << i;
            match token {
                Token::Char(c) if c.is_ascii() => automaton.ascii[*c as usize] |= bit,
                Token::Char(_) => {}
                Token::One { colons: true } => automaton.one_colon |= bit,
                Token::One { colons: false } => automaton.one_plain |= bit,
                Token::Star { colons: true } => automaton.star_colon |= bit,
                Token::Star { colons: false } => automaton.star_plain |= bit,
            }
        }
        Some(automaton)
    }

    /// Adds the states reachable by letting stars match nothing.
    fn close(&self, mut states: u128) -> u128 {
        let stars = self.star_colon | self.star_plain;
        loop {
            let more = states | ((states & stars) << 1);
            if more == states {
                return states;
            }
            states = more;
        }
    }

    fn matches(&self, tokens: &[Token], value: &str, ignore_case: bool) -> bool {
        let mut states = self.close(1);
        for c in value.chars() {
            let c = fold(c, ignore_case);
            let literal = if c.is_ascii() {
                self.ascii[c as usize]
            } else {
                tokens
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| **t == Token::Char(c))
                    .fold(0, |m, (i, _)| m | (1 << i))
            };
            let (one, star) = if c == ':' {
                (self.one_colon, self.star_colon)
            } else {
                (self.one_colon | self.one_plain, self.star_colon | self.star_plain)
            };
            states = self.close(((states & (literal | one)) << 1) | (states & star));
            if states == 0 {
                return false;
            }
        }
        states & self.accept != 0
    }
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
    /// Anything else: run the automaton, after checking the literal text before the first
    /// wildcard and after the last (which rejects most values at once).
    General {
        /// Literal characters before the first wildcard.
        prefix: String,
        /// Literal characters after the last wildcard.
        suffix: String,
    },
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
        let automaton = matches!(shape, Shape::General { .. })
            .then(|| BitAutomaton::new(&tokens).map(Box::new))
            .flatten();
        Pattern {
            tokens,
            ignore_case,
            shape,
            automaton,
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
            Shape::General { prefix, suffix } => {
                let (starts, ends) = if self.ignore_case {
                    (
                        value
                            .get(..prefix.len())
                            .is_some_and(|h| h.eq_ignore_ascii_case(prefix)),
                        value.len() >= suffix.len()
                            && value
                                .get(value.len() - suffix.len()..)
                                .is_some_and(|t| t.eq_ignore_ascii_case(suffix)),
                    )
                } else {
                    (value.starts_with(prefix.as_str()), value.ends_with(suffix.as_str()))
                };
                starts
                    && ends
                    && value.len() >= prefix.len() + suffix.len()
                    && match &self.automaton {
                        Some(automaton) => automaton.matches(&self.tokens, value, self.ignore_case),
                        None => self.run(value),
                    }
            }
        }
    }

    /// Simulates the pattern as an automaton: `states[i]` says the first `i` tokens can match
    /// the text read so far. Linear in text length times pattern length; never backtracks.
    fn run(&self, value: &str) -> bool {
        let n = self.tokens.len();
        // Small patterns (nearly all) run on the stack: no allocation per match.
        const STACK: usize = 128;
        let (mut states_stack, mut next_stack) = ([false; STACK], [false; STACK]);
        let (mut states_heap, mut next_heap);
        let (mut states, mut next): (&mut [bool], &mut [bool]) = if n < STACK {
            (&mut states_stack[..=n], &mut next_stack[..=n])
        } else {
            states_heap = vec![false; n + 1];
            next_heap = vec![false; n + 1];
            (&mut states_heap[..], &mut next_heap[..])
        };
        states[0] = true;
        close_stars(&self.tokens, states);
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
            close_stars(&self.tokens, next);
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
    if let Some((Token::Star { colons: true }, rest)) = tokens.split_last()
        && let Some(prefix) = literal(rest)
    {
        return if prefix.is_empty() {
            Shape::Any
        } else {
            Shape::Prefix(prefix)
        };
    }
    let chars = |ts: &[Token]| -> String {
        ts.iter()
            .map_while(|t| match t {
                Token::Char(c) => Some(*c),
                _ => None,
            })
            .collect()
    };
    let prefix = chars(tokens);
    let reversed: Vec<Token> = tokens.iter().rev().cloned().collect();
    let suffix: String = chars(&reversed).chars().rev().collect();
    Shape::General { prefix, suffix }
}

/// Splits an ARN into its six colon-separated components (the last keeps its colons), or
/// `None` when the text is not an ARN.
pub fn split_arn(text: &str) -> Option<[&str; 6]> {
    // The four colons after `arn:`, found byte by byte (every copy splits a dozen ARNs; a
    // general `splitn`, or a `memchr` per field, costs several times this on fields this short).
    let rest = text.strip_prefix("arn:")?;
    let bytes = rest.as_bytes();
    let mut colons = [0_usize; 4];
    let mut from = 0;
    for colon in &mut colons {
        *colon = from + bytes.get(from..)?.iter().position(|b| *b == b':')?;
        from = *colon + 1;
    }
    let [a, b, c, d] = colons;
    // Cut at ASCII colons: every cut is at a character boundary.
    Some([
        "arn",
        rest.get(..a)?,
        rest.get(a + 1..b)?,
        rest.get(b + 1..c)?,
        rest.get(c + 1..d)?,
        rest.get(d + 1..)?,
    ])
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

    /// [`split_arn`] as `splitn` gives it (what it was written as), for every text over a few
    /// characters up to six long, alone and after `arn:`.
    #[test]
    fn split_arn_is_splitn_at_colons() {
        fn reference(text: &str) -> Option<[&str; 6]> {
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
        let alphabet = ['a', 'r', 'n', ':', 'é', '/'];
        let mut texts = vec![String::new()];
        let mut checked = 0;
        for _ in 0..6 {
            texts = texts
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            for text in &texts {
                for text in [text.clone(), format!("arn:{text}")] {
                    assert_eq!(split_arn(&text), reference(&text), "{text:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 90_000);
        assert_eq!(
            split_arn("arn:aws:iam::111122223333:role/a:b"),
            Some(["arn", "aws", "iam", "", "111122223333", "role/a:b"])
        );
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
