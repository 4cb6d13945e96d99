//! Sign-in attempts per client address, in memory (governor): the first of the two guessing limits.

use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;

/// The in-memory part: attempts per client address.
pub struct IpLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl IpLimiter {
    /// `per_minute` attempts per address, as a burst that refills evenly.
    pub fn new(per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        IpLimiter { limiter: RateLimiter::keyed(Quota::per_minute(n)) }
    }

    /// Takes one attempt for `ip` or refuses with 429.
    pub fn check(&self, ip: IpAddr) -> ServiceResult<()> {
        self.limiter.check_key(&ip).map_err(|_| {
            ServiceError::TooManyRequests("Too many sign-in attempts from your address, try again in a minute".into())
        })
    }

    /// Forgets idle addresses; called periodically so memory stays bounded.
    pub fn prune(&self) {
        self.limiter.retain_recent();
    }
}
