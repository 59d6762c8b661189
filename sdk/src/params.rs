//! Region parameters: the numbers and lists a manifest sets, read by plugins with typed getters.
//!
//! Every number in the rules is a parameter, so most policy changes need no rebuild.

use crate::types::PolicyError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One parameter value, as written in the manifest's `[parameters]` table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// `true` / `false`.
    Flag(bool),
    /// A whole number.
    Integer(i64),
    /// A decimal number.
    Number(f64),
    /// A text.
    Text(String),
    /// A list of texts.
    TextList(Vec<String>),
}

/// A region's parameters by name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Params(pub BTreeMap<String, ParamValue>);

fn bad(name: &str, expected: &str, found: &ParamValue) -> PolicyError {
    PolicyError::new(
        "BAD_PARAMETER",
        format!("parameter `{name}` must be {expected}, found {found:?}"),
    )
}

impl Params {
    /// Set a parameter (builder style, for tests).
    pub fn with(mut self, name: &str, value: ParamValue) -> Params {
        self.0.insert(name.to_owned(), value);
        self
    }

    /// The raw value, if set.
    pub fn get(&self, name: &str) -> Option<&ParamValue> {
        self.0.get(name)
    }

    /// A whole number in `range`, or `default` when unset.
    pub fn integer_or(
        &self,
        name: &str,
        default: i64,
        range: std::ops::RangeInclusive<i64>,
    ) -> Result<i64, PolicyError> {
        let value = match self.get(name) {
            None => default,
            Some(ParamValue::Integer(v)) => *v,
            Some(other) => return Err(bad(name, "a whole number", other)),
        };
        if range.contains(&value) {
            Ok(value)
        } else {
            Err(PolicyError::new(
                "BAD_PARAMETER",
                format!(
                    "parameter `{name}` = {value} is outside {}..={}",
                    range.start(),
                    range.end()
                ),
            ))
        }
    }

    /// A number (whole or decimal) in `range`, or `default` when unset.
    pub fn number_or(
        &self,
        name: &str,
        default: f64,
        range: std::ops::RangeInclusive<f64>,
    ) -> Result<f64, PolicyError> {
        let value = match self.get(name) {
            None => default,
            Some(ParamValue::Number(v)) => *v,
            Some(ParamValue::Integer(v)) => *v as f64,
            Some(other) => return Err(bad(name, "a number", other)),
        };
        if range.contains(&value) {
            Ok(value)
        } else {
            Err(PolicyError::new(
                "BAD_PARAMETER",
                format!(
                    "parameter `{name}` = {value} is outside {}..={}",
                    range.start(),
                    range.end()
                ),
            ))
        }
    }

    /// A flag, or `default` when unset.
    pub fn flag_or(&self, name: &str, default: bool) -> Result<bool, PolicyError> {
        match self.get(name) {
            None => Ok(default),
            Some(ParamValue::Flag(v)) => Ok(*v),
            Some(other) => Err(bad(name, "true or false", other)),
        }
    }

    /// A text, or `default` when unset.
    pub fn text_or<'a>(&'a self, name: &str, default: &'a str) -> Result<&'a str, PolicyError> {
        match self.get(name) {
            None => Ok(default),
            Some(ParamValue::Text(v)) => Ok(v),
            Some(other) => Err(bad(name, "a text", other)),
        }
    }

    /// A list of texts, empty when unset.
    pub fn text_list(&self, name: &str) -> Result<&[String], PolicyError> {
        match self.get(name) {
            None => Ok(&[]),
            Some(ParamValue::TextList(v)) => Ok(v),
            Some(other) => Err(bad(name, "a list of texts", other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_getters_check_kind_and_range() {
        let p = Params::default()
            .with("cap", ParamValue::Integer(4))
            .with("share", ParamValue::Number(0.5))
            .with("name", ParamValue::Text("x".into()));
        assert_eq!(p.integer_or("cap", 0, 0..=5).unwrap(), 4);
        assert!(p.integer_or("cap", 0, 0..=3).is_err());
        assert!(p.integer_or("share", 0, 0..=5).is_err());
        assert_eq!(p.number_or("cap", 0.0, 0.0..=5.0).unwrap(), 4.0);
        assert_eq!(p.integer_or("missing", 7, 0..=9).unwrap(), 7);
        assert!(p.text_list("name").is_err());
    }

    #[test]
    fn json_shape_is_plain() {
        let p: Params = serde_json::from_str(r#"{"a":1,"b":0.5,"c":"x","d":["y"],"e":true}"#).unwrap();
        assert_eq!(p.get("a"), Some(&ParamValue::Integer(1)));
        assert_eq!(p.get("b"), Some(&ParamValue::Number(0.5)));
        assert_eq!(p.get("d"), Some(&ParamValue::TextList(vec!["y".into()])));
        assert_eq!(p.get("e"), Some(&ParamValue::Flag(true)));
    }
}
