//! Enrolling and managing one's second factors: a TOTP secret generated and remembered server-side, then confirmed
//! with a current code; backup codes; the account's settings, removing a factor, the default one; an
//! administrator's reset of a user who lost them.

use crate::backend::audit;
use crate::backend::identity::mfa::BACKUP_PURPOSE;
use crate::backend::identity::mfa::PENDING_MS;
use crate::backend::identity::mfa::bad;
use crate::backend::identity::mfa::ensure_row;
use crate::backend::identity::mfa::secrets::issuer;
use crate::backend::identity::mfa::secrets::issuer_or_default;
use crate::backend::identity::mfa::secrets::masked_url;
use crate::backend::identity::mfa::secrets::qr_svg;
use crate::backend::identity::mfa::secrets::seal;
use crate::backend::identity::mfa::secrets::secret_of;
use crate::backend::identity::mfa::secrets::totp;
use crate::backend::identity::mfa::secrets::unseal;
use crate::backend::identity::mfa::stored;
use crate::backend::identity::session_cache::SessionView;
use crate::backend::identity::two_fa_settings as settings;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::tokens::hash_secret;
use crate::backend::services::Services;
use crate::model::UserId;
use crate::model::mfa::AccountTwoFaSettings;
use crate::model::mfa::TwoFaAccountConfig;
use crate::model::mfa::TwoFaProviderConfig;
use crate::model::mfa::TwoFaProviderType;
use rand::RngCore;

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
