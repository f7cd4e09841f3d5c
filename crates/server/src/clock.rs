//! The one clock: virtual "now" is a start, plus real time elapsed times a scale, plus what `POST /_copylab/clock/advance` added. Every timestamp copylab writes comes from it; only SigV4's window reads the wall clock, because clients sign with it.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// The latest time an AWS timestamp can show: 9999-12-31T23:59:59Z (SDKs parse four-digit
/// years only).
pub const LATEST: f64 = 253_402_300_799.0;

/// Virtual time, in epoch seconds. Real time is read only through [`Clock::now`] and only when
/// the scale is not zero, so a frozen clock (the default in-process) is reproducible.
#[derive(Debug, Clone)]
pub struct Clock {
    start: f64,
    scale: f64,
    advanced: f64,
    origin: Instant,
}

/// A clock move copylab refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClockError {
    /// Not a finite, non-negative number of seconds.
    #[error("`{0}` is not a non-negative number of seconds")]
    NotSeconds(String),
    /// Past what an AWS timestamp can show.
    #[error("the clock would pass 9999-12-31T23:59:59Z, the latest time an AWS timestamp can show")]
    TooLate,
}

impl Clock {
    /// A clock that moves only when advanced, starting at `start` (epoch seconds).
    pub fn frozen(start: f64) -> Self {
        Clock::new(start, 0.0)
    }

    /// A clock starting at `start` that runs at `scale` virtual seconds per real second.
    pub fn new(start: f64, scale: f64) -> Self {
        Clock {
            start: start.clamp(0.0, LATEST),
            scale: if scale.is_finite() && scale >= 0.0 { scale } else { 0.0 },
            advanced: 0.0,
            origin: Instant::now(),
        }
    }

    /// A clock that started at `start` and is at `now`, running at `scale` from here (what
    /// `advance` added is the difference): the clock a server restored from its journal
    /// resumes with, and the one each journaled request is replayed at (scale 0).
    pub fn resumed(start: f64, now: f64, scale: f64) -> Self {
        let mut clock = Clock::new(start, scale);
        clock.advanced = (now.min(LATEST) - clock.start).max(0.0);
        clock
    }

    /// A clock starting at the wall clock's now and running in real time.
    pub fn wall() -> Self {
        Clock::new(wall_seconds(SystemTime::now()), 1.0)
    }

    /// Virtual now, epoch seconds.
    pub fn now(&self) -> f64 {
        let running = if self.scale == 0.0 {
            0.0
        } else {
            self.origin.elapsed().as_secs_f64() * self.scale
        };
        (self.start + running + self.advanced).min(LATEST)
    }

    /// Where the clock started.
    pub fn start(&self) -> f64 {
        self.start
    }

    /// Virtual seconds per real second.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// What `advance` has added.
    pub fn advanced(&self) -> f64 {
        self.advanced
    }

    /// Moves the clock forward by `seconds`.
    pub fn advance(&mut self, seconds: f64) -> Result<(), ClockError> {
        if !seconds.is_finite() || seconds < 0.0 {
            return Err(ClockError::NotSeconds(seconds.to_string()));
        }
        if self.now() + seconds > LATEST {
            return Err(ClockError::TooLate);
        }
        self.advanced += seconds;
        Ok(())
    }

    /// The virtual day, `YYYY-MM-DD` (the date the feature matrix is read at, unless pinned).
    pub fn date(&self) -> String {
        iso8601(self.now())[..10].to_owned()
    }
}

/// `2026-11-28T15:51:48Z` for epoch seconds (fractions dropped).
pub fn iso8601(seconds: f64) -> String {
    crate::wire::xml::iso8601(seconds.max(0.0) as u64)
}

/// Epoch seconds of a wall-clock time.
pub fn wall_seconds(time: SystemTime) -> f64 {
    time.duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64().floor())
}

/// Epoch seconds of a `YYYY-MM-DD` date at midnight UTC.
pub fn date_seconds(date: &str) -> Option<f64> {
    copylab_rules::world::timestamp_seconds(&format!("{date}T00:00:00Z")).map(|s| s as f64)
}

/// Epoch seconds of `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM:SSZ`, no later than
/// [`LATEST`] (what `copylab serve --clock-start` accepts).
pub fn start_seconds(text: &str) -> Option<f64> {
    let seconds = if text.len() == 10 {
        date_seconds(text)
    } else {
        copylab_rules::world::timestamp_seconds(text).map(|s| s as f64)
    }?;
    (seconds <= LATEST).then_some(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frozen_clock_moves_only_when_advanced_and_stops_at_year_9999() {
        let mut clock = Clock::frozen(86_400.0);
        assert_eq!(clock.now(), 86_400.0);
        clock.advance(60.0).unwrap();
        assert_eq!(clock.now(), 86_460.0);
        assert_eq!(clock.date(), "1970-01-02");
        assert_eq!(clock.advance(1e12), Err(ClockError::TooLate));
        assert!(clock.advance(f64::NAN).is_err());
        assert!(clock.advance(-1.0).is_err());
        assert_eq!(clock.now(), 86_460.0);
    }

    #[test]
    fn dates_are_epoch_seconds() {
        assert_eq!(date_seconds("1970-01-02"), Some(86_400.0));
        assert_eq!(date_seconds("2026-08-07"), Some(1_786_060_800.0));
        assert_eq!(date_seconds("not-a-date"), None);
        assert_eq!(start_seconds("1970-01-02T00:01:00Z"), Some(86_460.0));
        assert_eq!(start_seconds("1970-01-02"), Some(86_400.0));
        assert_eq!(start_seconds("yesterday"), None);
    }
}
