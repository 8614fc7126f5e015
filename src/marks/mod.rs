//! Read marks: is each checkbox marked, and how sure are we.
//!
//! A mark is ink the blank form does not explain. Around each registered box we sample the
//! page in template coordinates, remove everything near the reference form's own ink, drop
//! speckle-sized pieces and fax streaks, and measure what is left: inside the box, just
//! around it (overrunning marks), on a band around the option's label (circled answers),
//! and how often it crosses the box's sides (struck-through corrections).
//!
//! The stage's parts: [`params`] (every constant, in one place), `excess` (the ink the
//! blank form does not explain), `measure` (a box's features), `hidden` (pen ink the
//! label's print hides), `underline` (a line drawn under the label), `cell` (the bare
//! paper beside a box with no label, where a grid's cell is ticked), `placed` (a box
//! placed a character to the side of its print), `decide` (the reading), and the passes
//! over a page's readings: `neighbours` (ink beside a box that a neighbour's mark explains)
//! and `alone` (a question's only candidate mark, beside its box or weak in it, read as
//! its answer; a correction beside a single-choice question's one sure answer).

mod alone;
pub mod boldness;
mod cell;
mod decide;
mod excess;
mod hidden;
mod measure;
mod neighbours;
pub mod params;
mod placed;
mod underline;

pub use alone::{
    beside_alone_read_as_chosen, lone_ink_asked_about, taken_back_beside_one_answer,
    weak_alone_read_as_chosen,
};
pub use cell::zones as cell_zones;
pub use decide::{BoxReading, Doubt, classify, classify_page, implausibly_marked};
pub use excess::{Explained, PageView};
pub use hidden::PrintNear;
pub use measure::{Beside, BoxFeatures, measure};
pub use neighbours::{Neighbours, beside_explained_by_neighbours, inside_reached_from_neighbours};
pub use placed::{column_off_row, placed_aside};
