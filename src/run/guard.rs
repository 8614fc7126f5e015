//! Isolation: one file's bug never ends the night.
//!
//! Each stage of each file runs under [`guarded`]: a panic inside becomes an
//! [`InternalError`] carrying the panic's message and where it happened, which the run
//! turns into a rejected.csv row, and the batch goes on. (An allocation failure aborts the
//! process and cannot be caught; the ingest limits exist so that none happens.)

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

/// A panic caught inside a guarded stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalError {
    /// The panic message.
    pub message: String,
    /// `file:line` in faxform's (or a dependency's) source, when known.
    pub location: Option<String>,
}

impl std::fmt::Display for InternalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.location {
            Some(at) => write!(f, "{} (at {at})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

thread_local! {
    /// Nesting depth of guarded calls on this thread, and the last panic caught here.
    static GUARD: RefCell<(u32, Option<InternalError>)> = const { RefCell::new((0, None)) };
}

static HOOK: Once = Once::new();

/// Installs (once) a panic hook that, inside a guarded call, records the panic instead of
/// printing a backtrace banner; outside one it leaves the default behaviour alone.
fn install_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let inside = GUARD.with(|g| g.borrow().0 > 0);
            if !inside {
                previous(info);
                return;
            }
            let err = InternalError {
                message: payload_text(info.payload()),
                location: info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line())),
            };
            GUARD.with(|g| g.borrow_mut().1 = Some(err));
        }));
    });
}

fn payload_text(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-text payload".to_string()
    }
}

/// Runs `f`, turning a panic inside it into an [`InternalError`].
pub fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, InternalError> {
    install_hook();
    GUARD.with(|g| g.borrow_mut().0 += 1);
    let result = catch_unwind(AssertUnwindSafe(f));
    let caught = GUARD.with(|g| {
        let mut g = g.borrow_mut();
        g.0 -= 1;
        g.1.take()
    });
    result.map_err(|payload| {
        caught.unwrap_or_else(|| InternalError {
            message: payload_text(payload.as_ref()),
            location: None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_with_its_message_and_place() {
        let e = guarded(|| {
            let v: Vec<u8> = Vec::new();
            v[3]
        })
        .unwrap_err();
        assert!(e.message.contains("index out of bounds"), "{e}");
        assert!(e.location.as_deref().unwrap().contains("guard.rs"), "{e:?}");
        assert_eq!(guarded(|| 7), Ok(7));
    }

    #[test]
    fn nested_guards_each_catch_their_own() {
        let outer = guarded(|| {
            let inner = guarded(|| panic!("inner {}", 1));
            assert_eq!(inner.unwrap_err().message, "inner 1");
            panic!("outer");
        });
        assert_eq!(outer.unwrap_err().message, "outer");
    }
}
