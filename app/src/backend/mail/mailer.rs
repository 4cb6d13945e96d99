//! Outgoing mail over SMTP (lettre). Configured by `THINGDECK_SMTP_URL` and `THINGDECK_MAIL_FROM`; without them
//! every "send" is refused with a clear message and flows that can show a link instead (activation) still work.

use crate::backend::kernel::config::Config;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::mail::templates::Mail;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How long one delivery may take before it counts as failed (a wrong relay must not hang a request).
const SEND_TIMEOUT: Duration = Duration::from_secs(15);

/// The configured relay, if any.
pub struct Mailer {
    relay: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
}

impl Mailer {
    /// A mailer from the configuration; the URL and sender were validated when the configuration was read.
    pub fn new(config: &Config) -> ServiceResult<Mailer> {
        let (Some(url), Some(from)) = (&config.smtp_url, &config.mail_from) else { return Ok(Mailer { relay: None }) };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| ServiceError::Internal(format!("THINGDECK_SMTP_URL: {e}")))?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        let from = from.parse::<Mailbox>().map_err(|e| ServiceError::Internal(format!("THINGDECK_MAIL_FROM: {e}")))?;
        Ok(Mailer { relay: Some((transport, from)) })
    }

    /// Whether mail can be sent at all.
    pub fn configured(&self) -> bool {
        self.relay.is_some()
    }

    /// Refuses up front when no relay is configured, before anything is written.
    pub fn require(&self, what: &str) -> ServiceResult<()> {
        if self.configured() {
            Ok(())
        } else {
            Err(ServiceError::InvalidArguments(format!(
                "Couldn't send {what}: no mail server is configured (THINGDECK_SMTP_URL). Use the activation link instead."
            )))
        }
    }

    /// Sends one message as plain text with an HTML alternative; the error says why delivery failed.
    pub async fn send(&self, to: &str, mail: &Mail) -> ServiceResult<()> {
        let Some((transport, from)) = &self.relay else {
            return Err(ServiceError::InvalidArguments("No mail server is configured (THINGDECK_SMTP_URL)".into()));
        };
        let to: Mailbox =
            to.parse().map_err(|_| ServiceError::InvalidArguments(format!("Invalid email address format '{to}'")))?;
        let (subject, text, html) = mail.render();
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(subject)
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map_err(|e| ServiceError::Internal(format!("mail: {e}")))?;
        transport.send(message).await.map_err(|e| {
            tracing::warn!("mail delivery failed: {e}");
            ServiceError::MailFailed(format!("the mail server did not accept the message ({e})"))
        })?;
        Ok(())
    }

    /// Sends in the background: for mails nobody waits on (notices), or whose timing must not show whether an
    /// account exists (password reset requests). Failures are logged.
    pub fn send_later(self: &std::sync::Arc<Self>, to: String, mail: Mail) {
        let me = self.clone();
        tokio::spawn(async move {
            if let Err(e) = me.send(&to, &mail).await {
                tracing::warn!("background mail not sent: {e}");
            }
        });
    }
}
