//! TOTP secrets: sealed at rest with a pad derived from the link key and a nonce, the authenticator's otpauth URL
//! (its issuer from the settings) and its QR code.

use crate::backend::identity::mfa::bad;
use crate::backend::identity::two_fa_settings as settings;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::services::Services;
use crate::model::UserId;
use crate::model::mfa::PlatformTwoFaSettings;
use crate::model::mfa::TwoFaProviderConfig;
use crate::model::mfa::TwoFaProviderType;

/// The pad that seals a user's TOTP secret: whoever has only the database cannot compute codes when the signing
/// secret is configured outside it.
fn pad(svc: &Services, user: UserId, nonce: &str) -> ServiceResult<Vec<u8>> {
    let d = crate::backend::kernel::tokens::derive_secret(&svc.link_key, "totp-seal", user.0, nonce)?;
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(d).map_err(|e| ServiceError::Internal(e.to_string()))
}

pub(crate) fn seal(svc: &Services, user: UserId, secret: &[u8]) -> ServiceResult<String> {
    let nonce = crate::backend::kernel::tokens::new_alphanumeric(16);
    let p = pad(svc, user, &nonce)?;
    Ok(format!("{nonce}:{}", hex::encode(secret.iter().zip(p).map(|(a, b)| a ^ b).collect::<Vec<u8>>())))
}

pub(crate) fn unseal(svc: &Services, user: UserId, sealed: &str) -> ServiceResult<Vec<u8>> {
    let broken = || ServiceError::Internal("sealed TOTP secret unreadable".into());
    let (nonce, hexed) = sealed.split_once(':').ok_or_else(broken)?;
    let bytes = hex::decode(hexed).map_err(|_| broken())?;
    let p = pad(svc, user, nonce)?;
    if bytes.len() > p.len() {
        return Err(broken());
    }
    Ok(bytes.iter().zip(p).map(|(a, b)| a ^ b).collect())
}

pub(crate) fn totp(secret: Vec<u8>, issuer: &str, account: &str) -> ServiceResult<totp_rs::Totp> {
    totp_rs::Builder::new()
        .with_secret(secret)
        .with_issuer(Some(issuer))
        .with_account_name(account)
        .build()
        .map_err(|e| ServiceError::InvalidArguments(format!("Cannot build a TOTP for this account: {e}")))
}

pub(crate) fn issuer(s: &PlatformTwoFaSettings) -> ServiceResult<String> {
    match settings::provider(s, TwoFaProviderType::Totp) {
        Some(TwoFaProviderConfig::Totp { issuer_name }) => Ok(issuer_name.clone()),
        _ => Err(bad("TOTP 2FA provider is not configured")),
    }
}

/// The issuer for a factor already enrolled (the provider may have been disabled since).
pub(crate) fn issuer_or_default(s: &PlatformTwoFaSettings) -> String {
    issuer(s).unwrap_or_else(|_| "Thingdeck".into())
}

/// The authenticator-app link without its secret: what account settings show after enrolment.
pub(crate) fn masked_url(issuer: &str, account: &str) -> String {
    let enc = |s: &str| s.replace('%', "%25").replace(' ', "%20").replace('?', "%3F").replace('&', "%26");
    format!("otpauth://totp/{}:{}?issuer={}", enc(issuer), enc(account), enc(issuer))
}

pub(crate) fn qr_svg(data: &str) -> ServiceResult<String> {
    let code = qrcode::QrCode::new(data.as_bytes()).map_err(|e| ServiceError::Internal(format!("qr: {e}")))?;
    Ok(code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).build())
}

/// The `secret` parameter of an otpauth link.
pub fn secret_of(url: &str) -> Option<&str> {
    url.split_once('?')?.1.split('&').find_map(|kv| kv.strip_prefix("secret="))
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
