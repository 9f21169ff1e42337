//! Locations rendered from templates with named fields, as Prefect's `location` formatting.

use std::collections::BTreeMap;

use super::error::StoreError;
use super::location::check_location;

/// A location template such as `"{flow}/{task}/{date}/{key}.parquet"`: text with named fields
/// in braces (`{{` and `}}` for a literal brace), checked when it is built.
///
/// ```
/// use serializer_core::store::Template;
///
/// let template = Template::new("{flow}/{task}/{date}.json")?;
/// let location = template.render([("flow", "etl"), ("task", "load"), ("date", "2026-11-24")])?;
/// assert_eq!(location, "etl/load/2026-11-24.json");
/// assert!(template.render([("flow", "etl")]).is_err()); // `task` and `date` are missing
/// assert!(template.render([("flow", ".."), ("task", "x"), ("date", "y")]).is_err());
/// # Ok::<(), serializer_core::store::StoreError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Template {
    text: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Part {
    Text(String),
    Field(String),
}

impl Template {
    /// Parses `text`; an unclosed or empty field, or a stray `}`, is an error.
    pub fn new(text: impl Into<String>) -> Result<Self, StoreError> {
        let text = text.into();
        let error = |reason: &str| StoreError::Template {
            template: text.clone(),
            reason: reason.to_owned(),
        };
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) if c.is_alphanumeric() || c == '_' => name.push(c),
                            Some(c) => return Err(error(&format!("`{c}` in a field name"))),
                            None => return Err(error("a field is not closed")),
                        }
                    }
                    if name.is_empty() {
                        return Err(error("a field has no name"));
                    }
                    if !literal.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Field(name));
                }
                '}' => {
                    return Err(error(
                        "a `}` closes no field (write `}}` for the character)",
                    ))
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        Ok(Template { text, parts })
    }

    /// The names of the fields, in order of first use.
    pub fn fields(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for part in &self.parts {
            if let Part::Field(name) = part {
                if !names.contains(&name.as_str()) {
                    names.push(name);
                }
            }
        }
        names
    }

    /// Renders the location from `fields`: every field must be given (extra ones are
    /// ignored), and the result must stay inside the store (no `..`, `.` or empty segment, not
    /// absolute).
    pub fn render<I, K, V>(&self, fields: I) -> Result<String, StoreError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: ToString,
    {
        let fields: BTreeMap<String, String> = fields
            .into_iter()
            .map(|(key, value)| (key.as_ref().to_owned(), value.to_string()))
            .collect();
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Field(name) => match fields.get(name) {
                    Some(value) => out.push_str(value),
                    None => {
                        return Err(StoreError::MissingField {
                            template: self.text.clone(),
                            field: name.clone(),
                        })
                    }
                },
            }
        }
        check_location(&out)?;
        Ok(out)
    }

    /// The template's text.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}
