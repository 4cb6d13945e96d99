//! The mails Thingdeck sends: subject, plain text and HTML for each. Every value put into HTML is escaped; links
//! are built by the caller from `THINGDECK_PUBLIC_URL`.

/// One message to render.
#[derive(Clone, Debug)]
pub enum Mail {
    /// A new account: set your password through this link.
    Activation { link: String, ttl_hours: i64 },
    /// The account was activated.
    Activated { login_url: String },
    /// Someone asked to reset the password.
    ResetPassword { link: String, ttl_minutes: i64 },
    /// The password was reset.
    PasswordWasReset { login_url: String },
    /// Too many failed sign-ins locked the account.
    AccountLocked { email: String, attempts: i64 },
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn html(title: &str, paragraphs: &[String], button: Option<(&str, &str)>) -> String {
    let mut body = String::new();
    for p in paragraphs {
        body.push_str(&format!("<p>{}</p>", escape(p)));
    }
    if let Some((label, href)) = button {
        let href = escape(href);
        body.push_str(&format!(
            "<p><a href=\"{href}\" style=\"display:inline-block;padding:10px 18px;background:#2f5bd3;color:#fff;\
             text-decoration:none;border-radius:4px\">{}</a></p><p style=\"color:#666;font-size:13px\">Or copy this \
             link: {href}</p>",
            escape(label)
        ));
    }
    format!(
        "<!doctype html><html><body style=\"font-family:sans-serif;line-height:1.5\"><h2>{}</h2>{body}\
         <p style=\"color:#666;font-size:13px\">Thingdeck</p></body></html>",
        escape(title)
    )
}

impl Mail {
    /// (subject, plain text, HTML).
    pub fn render(&self) -> (String, String, String) {
        match self {
            Mail::Activation { link, ttl_hours } => {
                let lines = vec![
                    "An account was created for you. Set your password to activate it.".to_string(),
                    format!("The link works once and expires in {ttl_hours} hours."),
                ];
                let text = format!("{}\n\n{link}\n\n{}\n", lines[0], lines[1]);
                (
                    "Activate your Thingdeck account".into(),
                    text,
                    html("Activate your account", &lines, Some(("Set password", link))),
                )
            }
            Mail::Activated { login_url } => {
                let lines = vec!["Your account is active. Sign in any time.".to_string()];
                let text = format!("{}\n\n{login_url}\n", lines[0]);
                (
                    "Your Thingdeck account is active".into(),
                    text,
                    html("Account activated", &lines, Some(("Sign in", login_url))),
                )
            }
            Mail::ResetPassword { link, ttl_minutes } => {
                let lines = vec![
                    "Someone asked to reset the password of your account. If it was you, choose a new password:"
                        .to_string(),
                    format!(
                        "The link works once and expires in {ttl_minutes} minutes. If you did not ask, ignore this \
                         message: your password stays as it is."
                    ),
                ];
                let text = format!("{}\n\n{link}\n\n{}\n", lines[0], lines[1]);
                (
                    "Reset your Thingdeck password".into(),
                    text,
                    html("Reset your password", &lines, Some(("Choose a new password", link))),
                )
            }
            Mail::PasswordWasReset { login_url } => {
                let lines = vec![
                    "The password of your account was just reset and every session was signed out.".to_string(),
                    "If this was not you, contact your administrator now.".to_string(),
                ];
                let text = format!("{}\n{}\n\n{login_url}\n", lines[0], lines[1]);
                (
                    "Your Thingdeck password was reset".into(),
                    text,
                    html("Password reset", &lines, Some(("Sign in", login_url))),
                )
            }
            Mail::AccountLocked { email, attempts } => {
                let lines = vec![
                    format!("The account {email} was locked after {attempts} failed sign-in attempts."),
                    "An administrator can unlock it; resetting the password does not.".to_string(),
                ];
                let text = format!("{}\n{}\n", lines[0], lines[1]);
                ("Thingdeck account locked".into(), text, html("Account locked", &lines, None))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_values_and_text_carries_the_link() {
        let m = Mail::AccountLocked { email: "<script>@x.io".into(), attempts: 4 };
        let (_, text, html) = m.render();
        assert!(text.contains("<script>@x.io"));
        assert!(html.contains("&lt;script&gt;@x.io") && !html.contains("<script>"));
        let (subject, text, html) = Mail::ResetPassword { link: "http://h/r?t=a&b".into(), ttl_minutes: 60 }.render();
        assert!(subject.contains("Reset"));
        assert!(text.contains("http://h/r?t=a&b"));
        assert!(html.contains("http://h/r?t=a&amp;b"));
    }
}
