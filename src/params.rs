//! Parameters checked once (linfa's params → check → valid params): a computation takes a
//! [`Checked`] value, which only a parameter type's `check` makes, so an unchecked value cannot
//! reach it and nothing checks twice. A parameter out of range is an [`InvalidParam`] naming the
//! parameter by its field name; the command line shows it as its flag.

use std::ops::Deref;

/// Parameters that passed their type's `check`. Read them through `Deref`.
#[derive(Clone, Debug)]
pub struct Checked<P>(P);

impl<P> Checked<P> {
    /// Wraps parameters that the caller has just checked: for the parameter types' own
    /// `check` methods only.
    pub(crate) fn after_check(params: P) -> Self {
        Checked(params)
    }

    /// The parameters, to change and check again.
    pub fn into_inner(self) -> P {
        self.0
    }
}

impl<P> Deref for Checked<P> {
    type Target = P;
    fn deref(&self) -> &P {
        &self.0
    }
}

/// A parameter out of its range, or in conflict with another.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{name}: expected {expected}, found {found}")]
pub struct InvalidParam {
    /// The parameter: its field name (`min_group_size`), which the command line shows as the
    /// flag (`--min-group-size`).
    pub name: &'static str,
    /// What is allowed.
    pub expected: String,
    /// What was given.
    pub found: String,
}

impl InvalidParam {
    /// A parameter `name` that should be `expected` but is `found`.
    pub fn new(name: &'static str, expected: impl Into<String>, found: impl ToString) -> Self {
        InvalidParam {
            name,
            expected: expected.into(),
            found: found.to_string(),
        }
    }

    /// The message with the parameter shown as `shown` (a flag, a keyword argument).
    pub fn shown_as(&self, shown: &str) -> String {
        format!("{shown}: expected {}, found {}", self.expected, self.found)
    }
}

#[cfg(test)]
mod tests {
    use super::InvalidParam;

    #[test]
    fn names_the_parameter_what_it_should_be_and_what_it_is() {
        let e = InvalidParam::new("min_group_size", "at least 1", 0);
        assert_eq!(
            e.to_string(),
            "min_group_size: expected at least 1, found 0"
        );
        assert_eq!(
            e.shown_as("--min-group-size"),
            "--min-group-size: expected at least 1, found 0"
        );
    }
}
