//! The fax header: the printed line a sending machine puts on top of each page (its
//! transmit terminal identification: date and time, sender's name and number, page x/y).
//!
//! It is found in the band of the page above the form's own printing, read as one line by
//! the worker's recogniser, and parsed by [`parse`] for the formats machines use:
//!
//! ```text
//! 23-NOV-26 17:11 たかはし眼科 0526429762 P01/01
//! 2026年11月23日 16時04分  ひまわり診療所  FAX 0120-81-6013  P1/1
//! 12/20 2026 15:27 FAX 0361263299 中央歯科 #4314 P.001
//! R08.11.07 18:36   0343571601   いとう皮ふ科   001
//! 2026-12-20 08:39  CLINIC  043-4878-8623  #8555  1/2
//! ```

pub mod agree;
pub mod area;
mod locate;
mod parse;

pub use agree::{HeardPage, agree};
pub use locate::{FORM_GAP, header_band, words};
pub use parse::{number_spans, parse};

use serde::Serialize;

/// What the header line of one page says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FaxHeader {
    /// The line as read.
    pub text: String,
    /// The sender's fax number, digits only (`0526429762`).
    pub sender: Option<String>,
    /// When it was sent, `YYYY-MM-DDTHH:MM` (the machine's clock, no time zone).
    pub sent_at: Option<String>,
    /// This page's number in the transmission, and how many pages it had, where given.
    pub page: Option<u32>,
    pub pages: Option<u32>,
}
