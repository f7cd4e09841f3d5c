//! Texts for people as data: an id, the English template and its arguments, rendered by [`Text::render`], so that evidence and remedies can be translated later without re-parsing English.

use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};

/// A sentence for people: a stable id, its English template, and the arguments.
///
/// Serialized as `{"id", "text" (English), "args": {name: value}}`.
#[derive(Clone)]
pub struct Text {
    /// Stable id of the sentence (for translations).
    pub id: &'static str,
    /// The English template; `{name}` marks an argument.
    pub template: &'static str,
    /// The arguments, in order: shared by the copies of a text (the engine keeps the evidence
    /// of answers it remembers, and every decision that reuses one copies it). Not changed
    /// after the text is made: [`Text::args_hash`] is taken then.
    pub args: std::sync::Arc<[(&'static str, String)]>,
    /// [`Text::args_hash`], taken when the text is made.
    args_hash: u64,
}

impl Text {
    /// A text with arguments.
    pub fn new(id: &'static str, template: &'static str, args: Vec<(&'static str, String)>) -> Self {
        Text {
            id,
            template,
            args_hash: hash_args(&args),
            args: args.into(),
        }
    }

    /// A text without arguments.
    pub fn plain(id: &'static str, template: &'static str) -> Self {
        Text {
            id,
            template,
            args_hash: hash_args(&[]),
            args: std::sync::Arc::new([]),
        }
    }

    /// A hash of the arguments (Fx: fast, not for keys a client chooses), taken once when the
    /// text is made: equal arguments hash equal, so a text's copies, which share its
    /// arguments, are told from others without hashing them again.
    pub fn args_hash(&self) -> u64 {
        self.args_hash
    }

    /// The English rendering.
    pub fn render(&self) -> String {
        crate::catalog::render(self.template, &self.args)
    }
}

fn hash_args(args: &[(&'static str, String)]) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(args)
}

/// As derived, without the arguments' hash (their copy).
impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Text")
            .field("id", &self.id)
            .field("template", &self.template)
            .field("args", &self.args)
            .finish()
    }
}

/// The same static text: at the same address (a text made at the same place), or else equal.
fn same_static(a: &'static str, b: &'static str) -> bool {
    std::ptr::eq(a, b) || a == b
}

/// Equal id, template and arguments, as a derived equality (checks kept to share compare their
/// evidence whole: a text made at the same place compares its id, its template and its
/// arguments' names by address, and shared arguments by their `Arc`).
impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        same_static(self.id, other.id)
            && same_static(self.template, other.template)
            && (std::sync::Arc::ptr_eq(&self.args, &other.args)
                || (self.args.len() == other.args.len()
                    && self
                        .args
                        .iter()
                        .zip(other.args.iter())
                        .all(|((name, value), (other_name, other_value))| {
                            same_static(name, other_name) && value == other_value
                        })))
    }
}

impl Eq for Text {}

/// As derived: the id, the template and the arguments.
impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id.hash(state);
        self.template.hash(state);
        self.args.hash(state);
    }
}

struct Args<'a>(&'a [(&'static str, String)]);

impl Serialize for Args<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// Serializes `(name, value)` arguments as a JSON object.
pub(crate) fn serialize_args<S: Serializer>(args: &[(&'static str, String)], serializer: S) -> Result<S::Ok, S::Error> {
    Args(args).serialize(serializer)
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Text", 3)?;
        s.serialize_field("id", self.id)?;
        s.serialize_field("text", &self.render())?;
        s.serialize_field("args", &Args(&self.args))?;
        s.end()
    }
}

/// Builds a [`Text`]: `text!("id", "template {a}", a = value, ...)`.
#[macro_export]
macro_rules! text {
    ($id:literal, $template:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::text::Text::new($id, $template, vec![$((stringify!($name), ($value).to_string())),*])
    };
}
