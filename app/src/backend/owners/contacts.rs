//! The address and contact fields tenants and customers share: one place to read, check and bind them.

use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::validate;
use crate::model::Contact;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Row};

/// Reads them from a row that selected `country, state, city, address, address2, zip, phone, email`.
pub fn from_row(r: &AnyRow) -> ServiceResult<Contact> {
    Ok(Contact {
        country: r.try_get("country")?,
        state: r.try_get("state")?,
        city: r.try_get("city")?,
        address: r.try_get("address")?,
        address2: r.try_get("address2")?,
        zip: r.try_get("zip")?,
        phone: r.try_get("phone")?,
        email: r.try_get("email")?,
    })
}

/// ThingsBoard's limits: 255 characters each, a valid email when given.
pub fn check(c: &Contact) -> ServiceResult<()> {
    for (name, v) in [
        ("country", &c.country),
        ("state", &c.state),
        ("city", &c.city),
        ("address", &c.address),
        ("address2", &c.address2),
        ("zip or postal code", &c.zip),
        ("phone", &c.phone),
        ("email", &c.email),
    ] {
        validate::max_len(name, v)?;
    }
    validate::optional_email(&c.email)
}

/// Binds the fields in that order: country, state, city, address, address2, zip, phone, email.
pub trait BindContact {
    fn bind_contact(self, c: &Contact) -> Self;
}

impl<'q> BindContact for Query<'q, Any, AnyArguments<'q>> {
    fn bind_contact(self, c: &Contact) -> Self {
        self.bind(c.country.clone())
            .bind(c.state.clone())
            .bind(c.city.clone())
            .bind(c.address.clone())
            .bind(c.address2.clone())
            .bind(c.zip.clone())
            .bind(c.phone.clone())
            .bind(c.email.clone())
    }
}
