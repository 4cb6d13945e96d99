//! Field checks shared by every service, with ThingsBoard's messages.

use crate::backend::kernel::error::ServiceError;

/// A pragmatic email check: one `@`, something on both sides, a dot in the domain, no spaces.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && s.len() <= 255
}

/// Refuses text longer than ThingsBoard's 255-character columns, or holding control characters (a NUL, which
/// PostgreSQL cannot store, a tab or a line break): these fields are names and titles shown on one line.
pub fn max_len(field: &str, value: &Option<String>) -> Result<(), ServiceError> {
    if let Some(v) = value {
        if v.chars().count() > 255 {
            return Err(ServiceError::InvalidArguments(format!("{field} length must be equal or less than 255")));
        }
        single_line(field, v)?;
    }
    Ok(())
}

/// Refuses control characters in a one-line text.
pub fn single_line(field: &str, value: &str) -> Result<(), ServiceError> {
    if value.chars().any(char::is_control) {
        return Err(ServiceError::InvalidArguments(format!("{field} must not contain control characters")));
    }
    Ok(())
}

/// A required, non-blank, one-line string.
pub fn required(entity: &str, field: &str, value: &Option<String>) -> Result<String, ServiceError> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => {
            single_line(field, v)?;
            Ok(v.to_string())
        }
        _ => Err(ServiceError::InvalidArguments(format!("{entity} {field} should be specified"))),
    }
}

/// An optional email that, when present, must look like one.
pub fn optional_email(value: &Option<String>) -> Result<(), ServiceError> {
    if let Some(e) = value.as_deref().filter(|e| !e.is_empty())
        && !is_email(e)
    {
        return Err(ServiceError::InvalidArguments(format!("Invalid email address format '{e}'")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(is_email("a@b.co"));
        assert!(!is_email("invalid@mail"));
        assert!(!is_email("a b@c.de"));
        assert!(!is_email("@c.de"));
        assert!(!is_email("a@@c.de"));
    }

    #[test]
    fn names_are_one_line() {
        assert!(required("Device", "name", &Some("Boiler 1".into())).is_ok());
        for bad in ["a\0b", "a\tb", "a\nb", "a\u{1b}b"] {
            assert!(required("Device", "name", &Some(bad.into())).is_err(), "{bad:?}");
            assert!(max_len("label", &Some(bad.into())).is_err(), "{bad:?}");
        }
    }
}
