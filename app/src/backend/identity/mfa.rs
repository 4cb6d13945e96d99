//! A user's second factors: TOTP (authenticator apps) and single-use backup codes. Enrolment is two-step (a
//! secret is generated and remembered server-side, then confirmed with a code from it), sign-in checks a code
//! once per time step, wrong codes end the pending sign-in after a few and lock the account after the configured
//! number, and code checks are rate-limited per user. Secrets are stored sealed with the link key, backup codes
//! only as hashes.

use crate::backend::accounts::records::UserRecord;
use crate::backend::audit;
use crate::backend::identity::lockout;
use crate::backend::identity::session_cache::SessionView;
use crate::backend::identity::sessions;
use crate::backend::identity::sessions::SessionKind;
use crate::backend::identity::sessions::Stage;
use crate::backend::identity::two_fa_settings as settings;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::tokens::hash_secret;
use crate::backend::services::Services;
use crate::model::JwtPair;
use crate::model::UserId;
use crate::model::mfa::AccountTwoFaSettings;
use crate::model::mfa::PlatformTwoFaSettings;
use crate::model::mfa::TwoFaAccountConfig;
use crate::model::mfa::TwoFaProviderConfig;
use crate::model::mfa::TwoFaProviderInfo;
use crate::model::mfa::TwoFaProviderType;
use rand::RngCore;
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

/// The pad that seals a user's TOTP secret: whoever has only the database cannot compute codes when the signing
/// secret is configured outside it.
fn pad(svc: &Services, user: UserId, nonce: &str) -> ServiceResult<Vec<u8>> {
    let d = crate::backend::kernel::tokens::derive_secret(&svc.link_key, "totp-seal", user.0, nonce)?;
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(d).map_err(|e| ServiceError::Internal(e.to_string()))
}

fn seal(svc: &Services, user: UserId, secret: &[u8]) -> ServiceResult<String> {
    let nonce = crate::backend::kernel::tokens::new_alphanumeric(16);
    let p = pad(svc, user, &nonce)?;
    Ok(format!("{nonce}:{}", hex::encode(secret.iter().zip(p).map(|(a, b)| a ^ b).collect::<Vec<u8>>())))
}

fn unseal(svc: &Services, user: UserId, sealed: &str) -> ServiceResult<Vec<u8>> {
    let broken = || ServiceError::Internal("sealed TOTP secret unreadable".into());
    let (nonce, hexed) = sealed.split_once(':').ok_or_else(broken)?;
    let bytes = hex::decode(hexed).map_err(|_| broken())?;
    let p = pad(svc, user, nonce)?;
    if bytes.len() > p.len() {
        return Err(broken());
    }
    Ok(bytes.iter().zip(p).map(|(a, b)| a ^ b).collect())
}

fn totp(secret: Vec<u8>, issuer: &str, account: &str) -> ServiceResult<totp_rs::Totp> {
    totp_rs::Builder::new()
        .with_secret(secret)
        .with_issuer(Some(issuer))
        .with_account_name(account)
        .build()
        .map_err(|e| ServiceError::InvalidArguments(format!("Cannot build a TOTP for this account: {e}")))
}

fn issuer(s: &PlatformTwoFaSettings) -> ServiceResult<String> {
    match settings::provider(s, TwoFaProviderType::Totp) {
        Some(TwoFaProviderConfig::Totp { issuer_name }) => Ok(issuer_name.clone()),
        _ => Err(bad("TOTP 2FA provider is not configured")),
    }
}

/// The issuer for a factor already enrolled (the provider may have been disabled since).
fn issuer_or_default(s: &PlatformTwoFaSettings) -> String {
    issuer(s).unwrap_or_else(|_| "Thingdeck".into())
}

/// The authenticator-app link without its secret: what account settings show after enrolment.
fn masked_url(issuer: &str, account: &str) -> String {
    let enc = |s: &str| s.replace('%', "%25").replace(' ', "%20").replace('?', "%3F").replace('&', "%26");
    format!("otpauth://totp/{}:{}?issuer={}", enc(issuer), enc(account), enc(issuer))
}

fn qr_svg(data: &str) -> ServiceResult<String> {
    let code = qrcode::QrCode::new(data.as_bytes()).map_err(|e| ServiceError::Internal(format!("qr: {e}")))?;
    Ok(code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).build())
}

/// The `secret` parameter of an otpauth link.
pub fn secret_of(url: &str) -> Option<&str> {
    url.split_once('?')?.1.split('&').find_map(|kv| kv.strip_prefix("secret="))
}

/// The caller enrols, not an impersonator.
fn own(view: &SessionView) -> ServiceResult<()> {
    view.principal.require_own_session()
}

/// `POST /api/2fa/account/config/generate?providerType=`: a new secret (with its link and QR code) or a new set of
/// backup codes, remembered until confirmed.
pub async fn generate(svc: &Services, view: &SessionView, t: TwoFaProviderType) -> ServiceResult<TwoFaAccountConfig> {
    own(view)?;
    let u = &view.user;
    let s = settings::effective(svc, u.tenant_id).await?;
    ensure_row(svc, u.id).await?;
    match t {
        TwoFaProviderType::Totp => {
            let issuer = issuer(&s)?;
            let mut secret = vec![0u8; 20];
            rand::rngs::OsRng.fill_bytes(&mut secret);
            let url = totp(secret.clone(), &issuer, &u.email)?.to_url().map_err(|e| bad(&e.to_string()))?;
            sqlx::query("UPDATE user_mfa SET pending_secret = $1, pending_time = $2 WHERE user_id = $3")
                .bind(seal(svc, u.id, &secret)?)
                .bind(now_ms())
                .bind(u.id.0.to_string())
                .execute(svc.db.writer())
                .await?;
            Ok(TwoFaAccountConfig::Totp { use_by_default: false, qr_code_svg: Some(qr_svg(&url)?), auth_url: url })
        }
        TwoFaProviderType::BackupCode => {
            let Some(TwoFaProviderConfig::BackupCode { codes_quantity }) = settings::provider(&s, t) else {
                return Err(bad("BACKUP_CODE 2FA provider is not configured"));
            };
            if stored(svc, u.id).await?.totp.is_none() {
                return Err(bad("Backup codes need another 2FA provider configured first"));
            }
            let codes: Vec<String> = (0..*codes_quantity)
                .map(|_| {
                    let mut b = [0u8; 5];
                    rand::rngs::OsRng.fill_bytes(&mut b);
                    hex::encode(b)
                })
                .collect();
            let hashes: Vec<String> = codes.iter().map(|c| hash_secret(BACKUP_PURPOSE, c)).collect();
            sqlx::query("UPDATE user_mfa SET pending_codes = $1, pending_time = $2 WHERE user_id = $3")
                .bind(serde_json::Value::from(hashes).to_string())
                .bind(now_ms())
                .bind(u.id.0.to_string())
                .execute(svc.db.writer())
                .await?;
            Ok(TwoFaAccountConfig::BackupCode {
                use_by_default: false,
                codes_left: Some(codes.len()),
                codes: Some(codes),
            })
        }
    }
}

/// `POST /api/2fa/account/config?verificationCode=`: confirms what `generate` gave. A TOTP needs a current code
/// from it (proof the app has it); backup codes must be the ones generated.
pub async fn verify_and_save(
    svc: &Services,
    view: &SessionView,
    config: TwoFaAccountConfig,
    code: Option<&str>,
) -> ServiceResult<AccountTwoFaSettings> {
    own(view)?;
    let u = &view.user;
    let st = stored(svc, u.id).await?;
    if now_ms() - st.pending_time > PENDING_MS {
        return Err(bad("The generated configuration has expired; generate a new one"));
    }
    match config {
        TwoFaAccountConfig::Totp { auth_url, use_by_default, .. } => {
            let sealed = st.pending_secret.ok_or_else(|| bad("Generate a TOTP configuration first"))?;
            let secret = unseal(svc, u.id, &sealed)?;
            let s = settings::effective(svc, u.tenant_id).await?;
            let t = totp(secret, &issuer(&s)?, &u.email)?;
            if secret_of(&auth_url) != Some(t.secret().to_base32().as_str()) {
                return Err(bad("The configuration is not the one generated for this account"));
            }
            let code =
                code.map(str::trim).filter(|c| !c.is_empty()).ok_or_else(|| bad("Verification code is required"))?;
            let step = t.check(code, now_ms() as u64 / 1000).ok_or_else(|| bad("Verification code is incorrect"))?;
            let default = (use_by_default || st.default.is_none()).then_some("TOTP").or(st.default.map(|d| d.as_str()));
            sqlx::query(
                "UPDATE user_mfa SET totp_secret = pending_secret, pending_secret = NULL, last_step = $1, failures = 0, \
                 default_provider = $2, enrolled_session = $5 WHERE user_id = $3 AND pending_secret = $4",
            )
            .bind(step as i64)
            .bind(default)
            .bind(u.id.0.to_string())
            .bind(sealed)
            .bind(view.principal.session_id.to_string())
            .execute(svc.db.writer())
            .await?;
        }
        TwoFaAccountConfig::BackupCode { codes, .. } => {
            if st.totp.is_none() {
                return Err(bad("Backup codes need another 2FA provider configured first"));
            }
            let mut given: Vec<String> =
                codes.unwrap_or_default().iter().map(|c| hash_secret(BACKUP_PURPOSE, c.trim())).collect();
            let mut expected = st.pending_codes.clone();
            given.sort();
            expected.sort();
            if expected.is_empty() || given != expected {
                return Err(bad("The backup codes are not the ones generated for this account"));
            }
            sqlx::query("UPDATE user_mfa SET backup_codes = pending_codes, pending_codes = NULL WHERE user_id = $1")
                .bind(u.id.0.to_string())
                .execute(svc.db.writer())
                .await?;
        }
    }
    audit::record(
        svc,
        audit::Entry::by_user_itself(u, audit::Action::CredentialsUpdated)
            .with(serde_json::json!({"twoFa": "configured"})),
    )
    .await;
    account_settings(svc, view).await
}

/// `GET /api/2fa/account/settings`: the factors the user has, without their secrets.
pub async fn account_settings(svc: &Services, view: &SessionView) -> ServiceResult<AccountTwoFaSettings> {
    let u = &view.user;
    let st = stored(svc, u.id).await?;
    let mut out = AccountTwoFaSettings::default();
    if st.totp.is_some() {
        let s = settings::effective(svc, u.tenant_id).await?;
        let issuer = issuer_or_default(&s);
        let use_by_default = st.default != Some(TwoFaProviderType::BackupCode);
        out.configs.insert(
            "TOTP".into(),
            TwoFaAccountConfig::Totp { use_by_default, auth_url: masked_url(&issuer, &u.email), qr_code_svg: None },
        );
        if !st.backup.is_empty() {
            out.configs.insert(
                "BACKUP_CODE".into(),
                TwoFaAccountConfig::BackupCode {
                    use_by_default: !use_by_default,
                    codes: None,
                    codes_left: Some(st.backup.len()),
                },
            );
        }
    }
    Ok(out)
}

/// `DELETE /api/2fa/account/config?providerType=`: removing TOTP removes the backup codes too (they are not a
/// factor on their own).
pub async fn delete(svc: &Services, view: &SessionView, t: TwoFaProviderType) -> ServiceResult<AccountTwoFaSettings> {
    own(view)?;
    let sql = match t {
        TwoFaProviderType::Totp => {
            "UPDATE user_mfa SET totp_secret = NULL, backup_codes = NULL, default_provider = NULL WHERE user_id = $1"
        }
        TwoFaProviderType::BackupCode => "UPDATE user_mfa SET backup_codes = NULL WHERE user_id = $1",
    };
    sqlx::query(sql).bind(view.user.id.0.to_string()).execute(svc.db.writer()).await?;
    let e = audit::Entry::by_user_itself(&view.user, audit::Action::CredentialsUpdated);
    audit::record(svc, e.with(serde_json::json!({"twoFa": format!("{} removed", t.as_str())}))).await;
    account_settings(svc, view).await
}

/// `DELETE /api/thingdeck/user/{id}/2fa` (Thingdeck's addition): the way back for a user who lost the phone and
/// the backup codes. Needs WRITE on the user from an administrator's own session, never on oneself (one's own
/// factors go through `/api/2fa/account/config`, which needs the session the factors guard).
pub async fn reset_for(
    svc: &Services,
    p: &crate::backend::kernel::principal::Principal,
    target: UserId,
) -> ServiceResult<()> {
    p.require_own_session()?;
    let u = crate::backend::accounts::users::get(svc, p, target).await?;
    if u.id == p.user_id {
        return Err(bad("Use your own 2FA settings to change your own factors"));
    }
    crate::backend::accounts::users::check(svc, p, crate::backend::authz::Operation::Write, &u).await?;
    sqlx::query(
        "UPDATE user_mfa SET totp_secret = NULL, backup_codes = NULL, default_provider = NULL, pending_secret = NULL, \
         pending_codes = NULL, failures = 0 WHERE user_id = $1",
    )
    .bind(u.id.0.to_string())
    .execute(svc.db.writer())
    .await?;
    let e = audit::Entry::on_user(Some(p), &u, audit::Action::CredentialsUpdated);
    audit::record(svc, e.with(serde_json::json!({"twoFa": "reset by an administrator"}))).await;
    Ok(())
}

/// `PUT /api/2fa/account/config?providerType=` `{useByDefault}`: which factor sign-in offers first.
pub async fn set_default(
    svc: &Services,
    view: &SessionView,
    t: TwoFaProviderType,
    use_by_default: bool,
) -> ServiceResult<AccountTwoFaSettings> {
    own(view)?;
    let current = account_settings(svc, view).await?;
    if !current.configs.contains_key(t.as_str()) {
        return Err(bad(&format!("{} is not configured for this account", t.as_str())));
    }
    let chosen = match (t, use_by_default) {
        (TwoFaProviderType::BackupCode, true) => TwoFaProviderType::BackupCode,
        _ => TwoFaProviderType::Totp,
    };
    sqlx::query("UPDATE user_mfa SET default_provider = $1 WHERE user_id = $2")
        .bind(chosen.as_str())
        .bind(view.user.id.0.to_string())
        .execute(svc.db.writer())
        .await?;
    account_settings(svc, view).await
}

/// `GET /api/2fa/providers`: the providers the user may enrol.
pub async fn available(svc: &Services, view: &SessionView) -> ServiceResult<Vec<TwoFaProviderType>> {
    let s = settings::effective(svc, view.user.tenant_id).await?;
    Ok(s.providers.iter().map(|p| p.provider_type()).collect())
}

/// `GET /api/auth/2fa/providers`: what a pending sign-in may answer with.
pub async fn sign_in_providers(svc: &Services, view: &SessionView) -> ServiceResult<Vec<TwoFaProviderInfo>> {
    let a = account_settings(svc, view).await?;
    Ok(a.configs
        .iter()
        .filter_map(|(name, c)| {
            let default = match c {
                TwoFaAccountConfig::Totp { use_by_default, .. } => *use_by_default,
                TwoFaAccountConfig::BackupCode { use_by_default, .. } => *use_by_default,
            };
            Some(TwoFaProviderInfo {
                provider_type: TwoFaProviderType::parse(name)?,
                default,
                contact: None,
                min_verification_code_send_period: None,
            })
        })
        .collect())
}

/// Counts one code check against the user's rate limit; 429 when the window is full.
async fn take_check(svc: &Services, user: UserId, s: &PlatformTwoFaSettings) -> ServiceResult<()> {
    let Some((n, secs)) = settings::rate_limit(s) else { return Ok(()) };
    ensure_row(svc, user).await?;
    let now = now_ms();
    let checks: i64 = sqlx::query_scalar(
        "UPDATE user_mfa SET window_start = CASE WHEN window_start <= $1 THEN $2 ELSE window_start END, \
         window_checks = CASE WHEN window_start <= $1 THEN 1 ELSE window_checks + 1 END \
         WHERE user_id = $3 RETURNING window_checks",
    )
    .bind(now - secs * 1000)
    .bind(now)
    .bind(user.0.to_string())
    .fetch_one(svc.db.writer())
    .await?;
    if checks > n {
        return Err(ServiceError::TooManyRequests("Too many verification code checks; try again later".into()));
    }
    Ok(())
}

/// Whether `code` is right for factor `t`, spending it (a TOTP step or a backup code is accepted once).
async fn spend(svc: &Services, u: &UserRecord, t: TwoFaProviderType, code: &str) -> ServiceResult<bool> {
    let st = stored(svc, u.id).await?;
    let code = code.trim();
    match t {
        TwoFaProviderType::Totp => {
            let Some(sealed) = st.totp else { return Ok(false) };
            let s = settings::effective(svc, u.tenant_id).await?;
            let issuer = issuer_or_default(&s);
            let t = totp(unseal(svc, u.id, &sealed)?, &issuer, &u.email)?;
            let Some(step) = t.check(code, now_ms() as u64 / 1000) else { return Ok(false) };
            let step = step as i64;
            // The conditional update is what makes a step usable once, across nodes.
            let spent = sqlx::query("UPDATE user_mfa SET last_step = $1 WHERE user_id = $2 AND last_step < $1")
                .bind(step)
                .bind(u.id.0.to_string())
                .execute(svc.db.writer())
                .await?
                .rows_affected();
            Ok(spent == 1 && step > st.last_step)
        }
        TwoFaProviderType::BackupCode => {
            let h = hash_secret(BACKUP_PURPOSE, code);
            if code.is_empty() || !st.backup.contains(&h) {
                return Ok(false);
            }
            let old = serde_json::Value::from(st.backup.clone()).to_string();
            let rest: Vec<String> = st.backup.into_iter().filter(|c| *c != h).collect();
            let spent = sqlx::query("UPDATE user_mfa SET backup_codes = $1 WHERE user_id = $2 AND backup_codes = $3")
                .bind(serde_json::Value::from(rest).to_string())
                .bind(u.id.0.to_string())
                .bind(old)
                .execute(svc.db.writer())
                .await?
                .rows_affected();
            Ok(spent == 1)
        }
    }
}

/// `POST /api/auth/2fa/verification/check`: completes a pending sign-in with a code. Wrong codes count against
/// the pending sign-in (it ends after `CODES_PER_SIGN_IN`) and the account (locked after the configured number).
pub async fn check(
    svc: &Services,
    view: &SessionView,
    kind: SessionKind,
    t: TwoFaProviderType,
    code: &str,
) -> ServiceResult<()> {
    let u = &view.user;
    let s = settings::effective(svc, u.tenant_id).await?;
    take_check(svc, u.id, &s).await?;
    if code.len() > 64 || !spend(svc, u, t, code).await? {
        let sid = view.principal.session_id;
        let e = audit::Entry::by_user_itself(u, audit::Action::Login).failed("Verification code is incorrect");
        audit::record(svc, e.with(serde_json::json!({"twoFaProvider": t.as_str()}))).await;
        let user_failures: i64 =
            sqlx::query_scalar("UPDATE user_mfa SET failures = failures + 1 WHERE user_id = $1 RETURNING failures")
                .bind(u.id.0.to_string())
                .fetch_optional(svc.db.writer())
                .await?
                .unwrap_or(0);
        let max = s.max_verification_failures_before_user_lockout;
        if max > 0 && user_failures > max {
            lockout::lock(svc, u, user_failures).await?;
            return Err(ServiceError::BadCredentials("User account is locked due to security policy".into()));
        }
        if sessions::count_code_failure(svc, sid).await? >= CODES_PER_SIGN_IN {
            sessions::revoke(svc, sid).await?;
            return Err(ServiceError::Unauthenticated("Too many wrong codes; sign in again".into()));
        }
        return Err(bad("Verification code is incorrect"));
    }
    sqlx::query("UPDATE user_mfa SET failures = 0 WHERE user_id = $1")
        .bind(u.id.0.to_string())
        .execute(svc.db.writer())
        .await?;
    complete(svc, view, kind, Some(t)).await
}

/// Turns a pending session into a full one (once) and audits the sign-in.
pub async fn complete(
    svc: &Services,
    view: &SessionView,
    kind: SessionKind,
    factor: Option<TwoFaProviderType>,
) -> ServiceResult<()> {
    if !sessions::promote(svc, view.principal.session_id, view.user.id, kind).await? {
        return Err(ServiceError::Unauthenticated("Authentication failed".into()));
    }
    let e = audit::Entry::by_user_itself(&view.user, audit::Action::Login);
    audit::record(svc, e.with(serde_json::json!({"twoFaProvider": factor.map(|f| f.as_str())}))).await;
    Ok(())
}

/// The session that enrolled the user's TOTP, if any.
async fn enrolled_by(svc: &Services, user: UserId) -> ServiceResult<Option<String>> {
    Ok(sqlx::query_scalar::<_, Option<String>>(
        "SELECT enrolled_session FROM user_mfa WHERE user_id = $1 AND totp_secret IS NOT NULL",
    )
    .bind(user.0.to_string())
    .fetch_optional(&svc.db.pool)
    .await?
    .flatten())
}

/// A sign-in held for enrolment may enrol only while the user has no factor, or the one it enrolled itself:
/// someone who knows only the password cannot replace a factor the user has set up meanwhile.
pub async fn guard_configure(svc: &Services, view: &SessionView) -> ServiceResult<()> {
    if stored(svc, view.user.id).await?.totp.is_none() {
        return Ok(());
    }
    match enrolled_by(svc, view.user.id).await? {
        Some(s) if s == view.principal.session_id.to_string() => Ok(()),
        _ => Err(ServiceError::Unauthenticated("A second factor is set up already; sign in again".into())),
    }
}

/// `POST /api/auth/2fa/login`: the enrolment this pending sign-in made is done; the session becomes a full one.
/// A factor enrolled through another session does not count (that would let a password alone in).
pub async fn finish_configuration(svc: &Services, view: &SessionView) -> ServiceResult<JwtPair> {
    if enrolled_by(svc, view.user.id).await?.as_deref() != Some(view.principal.session_id.to_string().as_str()) {
        return Err(bad("Configure a 2FA provider first"));
    }
    complete(svc, view, SessionKind::Api, None).await?;
    sessions::issue_pair(svc, &view.user, view.principal.session_id, None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_is_read_from_the_link() {
        assert_eq!(secret_of("otpauth://totp/A:b%40c?secret=ABC&issuer=A"), Some("ABC"));
        assert_eq!(secret_of("otpauth://totp/A:b?issuer=A"), None);
        assert!(masked_url("My Co", "a@b.c").starts_with("otpauth://totp/My%20Co:a@b.c?issuer="));
        assert!(!masked_url("A", "b").contains("secret"));
    }

    #[test]
    fn qr_code_is_svg() {
        let svg = qr_svg("otpauth://totp/A:b?secret=ABC").unwrap();
        assert!(svg.contains("<svg"));
    }
}
