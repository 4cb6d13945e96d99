//! A user's second factors: TOTP (authenticator apps) and single-use backup codes. Enrolment is two-step (a
//! secret is generated and remembered server-side, then confirmed with a code from it), sign-in checks a code
//! once per time step, wrong codes end the pending sign-in after a few and lock the account after the configured
//! number, and code checks are rate-limited per user. Secrets are stored sealed with the link key, backup codes
//! only as hashes.

pub mod enrolment;
pub mod secrets;
pub mod verification;

use crate::backend::accounts::records::UserRecord;
use crate::backend::identity::sessions::Stage;
use crate::backend::identity::two_fa_settings as settings;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::services::Services;
use crate::model::UserId;
use crate::model::mfa::PlatformTwoFaSettings;
use crate::model::mfa::TwoFaProviderType;
use sqlx::Row;

/// How long a generated, unconfirmed secret or set of codes can still be confirmed.
const PENDING_MS: i64 = 15 * 60_000;
/// Wrong codes one pending sign-in may send before it ends (a fresh password sign-in is needed).
pub const CODES_PER_SIGN_IN: i64 = 5;
const BACKUP_PURPOSE: &str = "mfa-backup";

/// What a password sign-in still needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requirement {
    /// Nothing: sign the user in.
    None,
    /// A code from a factor the user has.
    Verify,
    /// The settings enforce a second factor and the user has none yet.
    Configure,
}

impl Requirement {
    /// The session stage that waits for it.
    pub fn stage(self) -> Stage {
        match self {
            Requirement::None => Stage::Full,
            Requirement::Verify => Stage::Verify,
            Requirement::Configure => Stage::Configure,
        }
    }
}

/// The user's stored factors.
#[derive(Default)]
struct Stored {
    totp: Option<String>,
    backup: Vec<String>,
    last_step: i64,
    default: Option<TwoFaProviderType>,
    pending_secret: Option<String>,
    pending_codes: Vec<String>,
    pending_time: i64,
}

async fn stored(svc: &Services, user: UserId) -> ServiceResult<Stored> {
    let Some(r) = sqlx::query(
        "SELECT totp_secret, backup_codes, last_step, default_provider, pending_secret, pending_codes, pending_time \
         FROM user_mfa WHERE user_id = $1",
    )
    .bind(user.0.to_string())
    .fetch_optional(&svc.db.pool)
    .await?
    else {
        return Ok(Stored::default());
    };
    let list = |s: Option<String>| s.and_then(|s| serde_json::from_str::<Vec<String>>(&s).ok()).unwrap_or_default();
    Ok(Stored {
        totp: r.try_get("totp_secret")?,
        backup: list(r.try_get("backup_codes")?),
        last_step: r.try_get("last_step")?,
        default: r.try_get::<Option<String>, _>("default_provider")?.and_then(|s| TwoFaProviderType::parse(&s)),
        pending_secret: r.try_get("pending_secret")?,
        pending_codes: list(r.try_get("pending_codes")?),
        pending_time: r.try_get("pending_time")?,
    })
}

async fn ensure_row(svc: &Services, user: UserId) -> ServiceResult<()> {
    sqlx::query("INSERT INTO user_mfa (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING")
        .bind(user.0.to_string())
        .execute(svc.db.writer())
        .await?;
    Ok(())
}

/// What a user who just gave the right password must still do.
pub async fn requirement(svc: &Services, user: &UserRecord) -> ServiceResult<(Requirement, PlatformTwoFaSettings)> {
    let s = settings::effective(svc, user.tenant_id).await?;
    // A factor the user has is always asked for, even if the administrator has since disabled the provider.
    let r = if stored(svc, user.id).await?.totp.is_some() {
        Requirement::Verify
    } else if s.enforce_two_fa {
        Requirement::Configure
    } else {
        Requirement::None
    };
    Ok((r, s))
}

fn bad(m: &str) -> ServiceError {
    ServiceError::InvalidArguments(m.to_string())
}
