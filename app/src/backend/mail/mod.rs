//! Outgoing mail: the relay and the messages.

pub mod mailer;
pub mod templates;
