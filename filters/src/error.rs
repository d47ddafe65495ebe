//! The error of building a stage from its configuration.

/// A stage configuration that cannot be built: a pattern that does not compile, a list or
/// evaluation set that cannot be read, a setting out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConfigError {
    /// The stage type.
    pub stage: &'static str,
    /// What is wrong, naming the setting or file.
    pub message: String,
}

impl ConfigError {
    pub(crate) fn wrap(stage: &'static str) -> impl Fn(String) -> ConfigError {
        move |message| ConfigError { stage, message }
    }
}
