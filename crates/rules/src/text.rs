//! Texts for people as data: an id, the English template and its arguments, rendered by [`Text::render`], so that evidence and remedies can be translated later without re-parsing English.

use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};

/// A sentence for people: a stable id, its English template, and the arguments.
///
/// Serialized as `{"id", "text" (English), "args": {name: value}}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Text {
    /// Stable id of the sentence (for translations).
    pub id: &'static str,
    /// The English template; `{name}` marks an argument.
    pub template: &'static str,
    /// The arguments, in order: shared by the copies of a text (the engine keeps the evidence
    /// of answers it remembers, and every decision that reuses one copies it).
    pub args: std::sync::Arc<[(&'static str, String)]>,
}

impl Text {
    /// A text with arguments.
    pub fn new(id: &'static str, template: &'static str, args: Vec<(&'static str, String)>) -> Self {
        Text {
            id,
            template,
            args: args.into(),
        }
    }

    /// A text without arguments.
    pub fn plain(id: &'static str, template: &'static str) -> Self {
        Text {
            id,
            template,
            args: std::sync::Arc::new([]),
        }
    }

    /// The English rendering.
    pub fn render(&self) -> String {
        crate::catalog::render(self.template, &self.args)
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
