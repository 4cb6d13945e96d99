//! Password hashing and policy. Argon2id at OWASP's parameters (19 MiB, t=2, p=1); a semaphore bounds how many
//! hashes run at once so a burst of logins cannot take more than `max_parallel_hashes × 19 MiB`.

use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::model::UserPasswordPolicy;

/// The policy in force (the system administrator's security settings, or the defaults).
pub async fn policy(svc: &crate::backend::services::Services) -> ServiceResult<UserPasswordPolicy> {
    Ok(crate::backend::identity::security_settings::current(svc).await?.password_policy)
}

/// Checks a new password against the policy in force.
pub async fn check(svc: &crate::backend::services::Services, password: &str) -> ServiceResult<()> {
    check_policy(&policy(svc).await?, password)
}

/// Whether the whole password is one of the commonly used ones (zxcvbn's list of 30,000, with l33t spellings),
/// which guessing attacks try first (ASVS 5.0 6.2.4).
pub fn is_common(password: &str) -> bool {
    let entropy = zxcvbn::zxcvbn(password, &[]);
    match entropy.sequence() {
        [m] => matches!(
            &m.pattern,
            zxcvbn::matching::patterns::MatchPattern::Dictionary(d)
                // zxcvbn does not export its dictionary enum; its default variant is the password list.
                if d.dictionary_name == Default::default() && !d.reversed
        ),
        _ => false,
    }
}

fn count(password: &str, f: impl Fn(char) -> bool) -> u32 {
    password.chars().filter(|c| f(*c)).count() as u32
}

/// A composition rule: its minimum, what counts, and its name in messages.
type Rule = (Option<u32>, fn(char) -> bool, &'static str);

/// Checks a new password against `p`, with ThingsBoard-style messages, all problems joined by newlines.
pub fn check_policy(p: &UserPasswordPolicy, password: &str) -> ServiceResult<()> {
    let mut problems = Vec::new();
    let n = password.chars().count() as u32;
    if n < p.minimum_length {
        problems.push(format!("Password must be {} or more characters in length.", p.minimum_length));
    }
    if n > p.maximum_length {
        problems.push(format!("Password must be no more than {} characters in length.", p.maximum_length));
    }
    let rules: [Rule; 4] = [
        (p.minimum_uppercase_letters, char::is_uppercase, "uppercase characters"),
        (p.minimum_lowercase_letters, char::is_lowercase, "lowercase characters"),
        (p.minimum_digits, |c| c.is_ascii_digit(), "digit characters"),
        (p.minimum_special_characters, |c| !c.is_alphanumeric() && !c.is_whitespace(), "special characters"),
    ];
    for (min, f, what) in rules {
        if let Some(min) = min.filter(|m| *m > 0)
            && count(password, f) < min
        {
            problems.push(format!("Password must contain {min} or more {what}."));
        }
    }
    if !p.allow_whitespaces && password.chars().any(char::is_whitespace) {
        problems.push("Password contains a whitespace character.".into());
    }
    if problems.is_empty() && is_common(password) {
        problems.push("This password is too common: it is among the first tried by attackers. Choose another.".into());
    }
    if problems.is_empty() { Ok(()) } else { Err(ServiceError::InvalidArguments(problems.join("\n"))) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::identity::hasher::PasswordHasherPool;

    #[tokio::test]
    async fn hashes_verify_and_use_owasp_parameters() {
        let pool = PasswordHasherPool::new(2).unwrap();
        let h = pool.hash("correct horse").await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(pool.verify("correct horse", Some(&h)).await.unwrap());
        assert!(!pool.verify("wrong horse", Some(&h)).await.unwrap());
        assert!(!pool.verify("correct horse", None).await.unwrap());
    }

    #[test]
    fn default_policy_is_length_and_common_passwords_only() {
        let p = UserPasswordPolicy::default();
        assert!(check_policy(&p, "short").is_err());
        assert!(check_policy(&p, "longenough-horse").is_ok());
        assert!(check_policy(&p, &"x".repeat(129)).is_err());
        for common in ["password", "12345678", "qwertyuiop", "P@ssw0rd", "iloveyou"] {
            assert!(is_common(common), "{common}");
            assert!(check_policy(&p, common).is_err(), "{common}");
        }
        assert!(!is_common("correct horse battery"));
    }

    #[test]
    fn composition_rules_apply_only_when_set() {
        let p = UserPasswordPolicy { minimum_digits: Some(2), allow_whitespaces: false, ..Default::default() };
        let e = check_policy(&p, "no digits here").unwrap_err().to_string();
        assert!(e.contains("2 or more digit") && e.contains("whitespace"), "{e}");
        assert!(check_policy(&p, "two-digits-42").is_ok());
    }
}
