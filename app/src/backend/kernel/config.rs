//! Settings from the environment (and an optional TOML file), validated once at start so a mistake is one clear
//! line naming the setting instead of a failure later.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::Path;

/// Everything the server reads from its environment.
#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite:…` (embedded default) or `postgres://…` (shared by several nodes).
    pub database_url: String,
    pub listen: SocketAddr,
    /// Base of links in mails and of activation links; no trailing slash.
    pub public_url: String,
    /// Whether `public_url` was configured (otherwise it follows the bound address).
    pub public_url_configured: bool,
    pub sysadmin_email: Option<String>,
    pub sysadmin_password: Option<String>,
    /// Signing key; `None` means "generate once and keep it in the database".
    pub jwt_secret: Option<String>,
    pub access_token_ttl_secs: i64,
    pub refresh_token_ttl_secs: i64,
    /// Concurrent argon2 hashes; each takes 19 MiB, so this bounds login memory.
    pub max_parallel_hashes: usize,
    /// Whether cookies get the `Secure` flag (derived from `public_url`).
    pub secure_cookies: bool,
    /// `smtp://` or `smtps://` URL of the mail relay, with credentials if it needs them; no mail without it.
    pub smtp_url: Option<String>,
    /// Sender of every mail (`Thingdeck <noreply@example.com>`); required with `smtp_url`.
    pub mail_from: Option<String>,
}

/// A configuration problem, phrased for the operator.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {problem}")]
pub struct ConfigError {
    pub setting: &'static str,
    pub problem: String,
}

fn err(setting: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError { setting, problem: problem.into() }
}

/// The optional file: same keys as the variables, lower case without the prefix.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    listen: Option<String>,
    public_url: Option<String>,
    sysadmin_email: Option<String>,
    sysadmin_password: Option<String>,
    jwt_secret: Option<String>,
    access_token_ttl_secs: Option<i64>,
    refresh_token_ttl_secs: Option<i64>,
    max_parallel_hashes: Option<usize>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
}

/// Default SQLite database, relative to the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://thingdeck-data/thingdeck.db";

impl Config {
    /// Once the listener is bound: an unconfigured public URL follows the real address (port 0 picks one).
    pub fn bound_to(&mut self, addr: SocketAddr) {
        if !self.public_url_configured {
            self.public_url = format!("http://{addr}");
        }
    }

    /// Reads the optional TOML file, then lets `THINGDECK_*` variables override it.
    pub fn load(file: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let fc: FileConfig = match file {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| err("--config", format!("cannot read {}: {e}", p.display())))?;
                toml::from_str(&text).map_err(|e| err("--config", format!("{}: {}", p.display(), e.message())))?
            }
            None => FileConfig::default(),
        };
        let get = |name: &str, file_value: Option<String>| -> Option<String> {
            env(name).filter(|v| !v.is_empty()).or(file_value)
        };
        let int = |name: &'static str, file_value: Option<i64>, default: i64, min: i64, max: i64| {
            let v = match env(name).filter(|v| !v.is_empty()) {
                Some(s) => s.trim().parse::<i64>().map_err(|_| err(name, format!("'{s}' is not a whole number")))?,
                None => file_value.unwrap_or(default),
            };
            if v < min || v > max {
                return Err(err(name, format!("{v} is outside {min}..={max}")));
            }
            Ok(v)
        };

        let database_url =
            get("THINGDECK_DATABASE_URL", fc.database_url).unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(err("THINGDECK_DATABASE_URL", "must start with sqlite:, postgres:// or postgresql://"));
        }
        let listen_s = get("THINGDECK_LISTEN", fc.listen).unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr = listen_s
            .parse()
            .map_err(|_| err("THINGDECK_LISTEN", format!("'{listen_s}' is not an address like 127.0.0.1:8080")))?;
        let configured_url = get("THINGDECK_PUBLIC_URL", fc.public_url);
        let public_url_configured = configured_url.is_some();
        let public_url = match configured_url {
            Some(u) => {
                let u = u.trim_end_matches('/').to_string();
                if !(u.starts_with("http://") || u.starts_with("https://")) || u.len() < 10 {
                    return Err(err("THINGDECK_PUBLIC_URL", format!("'{u}' must be an http:// or https:// URL")));
                }
                u
            }
            None => format!("http://{listen}"),
        };
        let sysadmin_email = get("THINGDECK_SYSADMIN_EMAIL", fc.sysadmin_email);
        let sysadmin_password = get("THINGDECK_SYSADMIN_PASSWORD", fc.sysadmin_password);
        if sysadmin_email.is_some() != sysadmin_password.is_some() {
            return Err(err(
                "THINGDECK_SYSADMIN_EMAIL",
                "THINGDECK_SYSADMIN_EMAIL and THINGDECK_SYSADMIN_PASSWORD must be set together",
            ));
        }
        if let Some(e) = &sysadmin_email
            && !crate::backend::kernel::validate::is_email(e)
        {
            return Err(err("THINGDECK_SYSADMIN_EMAIL", format!("'{e}' is not an email address")));
        }
        let jwt_secret = get("THINGDECK_JWT_SECRET", fc.jwt_secret);
        if let Some(s) = &jwt_secret
            && s.len() < 32
        {
            return Err(err("THINGDECK_JWT_SECRET", "must be at least 32 characters"));
        }
        let access_token_ttl_secs =
            int("THINGDECK_ACCESS_TOKEN_TTL_SECS", fc.access_token_ttl_secs, 9000, 60, 7 * 24 * 3600)?;
        let refresh_token_ttl_secs =
            int("THINGDECK_REFRESH_TOKEN_TTL_SECS", fc.refresh_token_ttl_secs, 604_800, 60, 90 * 24 * 3600)?;
        let max_parallel_hashes = int(
            "THINGDECK_MAX_PARALLEL_HASHES",
            fc.max_parallel_hashes.map(|v| v as i64),
            std::thread::available_parallelism().map(|n| n.get() as i64).unwrap_or(2),
            1,
            64,
        )? as usize;
        let secure_cookies = public_url.starts_with("https://");
        let smtp_url = get("THINGDECK_SMTP_URL", fc.smtp_url);
        let mail_from = get("THINGDECK_MAIL_FROM", fc.mail_from);
        if let Some(u) = &smtp_url
            && !(u.starts_with("smtp://") || u.starts_with("smtps://"))
        {
            return Err(err("THINGDECK_SMTP_URL", "must start with smtp:// or smtps://"));
        }
        match (&smtp_url, &mail_from) {
            (Some(_), None) => return Err(err("THINGDECK_MAIL_FROM", "is required with THINGDECK_SMTP_URL")),
            (_, Some(f)) if f.parse::<lettre::message::Mailbox>().is_err() => {
                return Err(err("THINGDECK_MAIL_FROM", format!("'{f}' is not a mail address")));
            }
            _ => {}
        }
        Ok(Config {
            database_url,
            listen,
            public_url,
            public_url_configured,
            sysadmin_email,
            sysadmin_password,
            jwt_secret,
            access_token_ttl_secs,
            refresh_token_ttl_secs,
            max_parallel_hashes,
            secure_cookies,
            smtp_url,
            mail_from,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let m: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::load(None, &|k| m.get(k).cloned())
    }

    #[test]
    fn defaults_are_sqlite_on_localhost() {
        let c = load(&[]).unwrap();
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.public_url, "http://127.0.0.1:8080");
        assert_eq!(c.access_token_ttl_secs, 9000);
        assert_eq!(c.refresh_token_ttl_secs, 604_800);
    }

    #[test]
    fn errors_name_the_setting() {
        let e = load(&[("THINGDECK_LISTEN", "nonsense")]).unwrap_err();
        assert!(e.to_string().starts_with("THINGDECK_LISTEN:"), "{e}");
        let e = load(&[("THINGDECK_DATABASE_URL", "mysql://x")]).unwrap_err();
        assert!(e.to_string().starts_with("THINGDECK_DATABASE_URL:"), "{e}");
        let e = load(&[("THINGDECK_SYSADMIN_EMAIL", "a@b.co")]).unwrap_err();
        assert!(e.to_string().contains("THINGDECK_SYSADMIN_PASSWORD"), "{e}");
        let e = load(&[("THINGDECK_SMTP_URL", "smtp://127.0.0.1:25")]).unwrap_err();
        assert!(e.to_string().starts_with("THINGDECK_MAIL_FROM:"), "{e}");
        let e = load(&[("THINGDECK_SMTP_URL", "http://x"), ("THINGDECK_MAIL_FROM", "a@b.co")]).unwrap_err();
        assert!(e.to_string().starts_with("THINGDECK_SMTP_URL:"), "{e}");
        let e = load(&[("THINGDECK_ACCESS_TOKEN_TTL_SECS", "x")]).unwrap_err();
        assert!(e.to_string().starts_with("THINGDECK_ACCESS_TOKEN_TTL_SECS:"), "{e}");
    }
}
