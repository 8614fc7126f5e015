//! Standard-resolution faxes stored as fine: many fax servers and fax-to-mail gateways
//! write every page at 204 × 196 dpi (or 200 × 200), a page received at standard
//! resolution (98 lines per inch) with each received row written twice; a superfine
//! store (391 lines) writes it four times. Read at the resolution it claims, such a page
//! looks finer than it is: a box's height is then trusted to a page row rather than to a
//! received row, and a repeated received row (a line error) is no longer told from the
//! repeats the store made. Its rows are taken back to one per received row, so that the
//! page is read as the standard-resolution fax it is.

use crate::ingest::PageImage;
use crate::raster::{GrayImage, is_ink};

/// Rows paired as a store writes them (an even row and the next, or from the first odd
/// row) are the same in at least this share of the pairs that hold ink and paper. A page
/// scanned at fine resolution repeats rows through thin text, flat pen strokes and rules:
/// on the independent corpora's fine pages at most 0.30 of inked pairs (median under
/// 0.01); a page stored twice repeats every one, line errors included.
pub const SAME_PAIR_SHARE: f32 = 0.9;
/// ... and at least this many pairs hold ink and paper: a nearly blank page (a cover sheet's few
/// lines) is left as it is.
pub const MIN_INKED_PAIRS: usize = 100;
/// Pages claiming fewer lines per inch than this are not checked: half of it would be
/// below any fax resolution.
pub const MIN_DPI_Y: f32 = 150.0;

/// The page with each row a store wrote twice (or four times) kept once and its vertical
/// resolution halved (or quartered); `None` when its rows are not stored so.
pub fn undoubled(p: &PageImage) -> Option<PageImage> {
    let mut out: Option<PageImage> = None;
    // A superfine store of a standard page doubles twice.
    loop {
        let cur = out.as_ref().unwrap_or(p);
        if cur.dpi_y < MIN_DPI_Y {
            return out;
        }
        let Some(first) = paired_from(&cur.image) else {
            return out;
        };
        out = Some(PageImage {
            image: every_other_row(&cur.image, first),
            dpi_x: cur.dpi_x,
            dpi_y: cur.dpi_y / 2.0,
            damage: cur.damage.clone(),
        });
    }
}

/// The first row of the pairs a store wrote twice (0 or 1), if the page's rows are paired
/// so.
fn paired_from(img: &GrayImage) -> Option<usize> {
    let w = img.width() as usize;
    let rows: Vec<&[u8]> = img.as_raw().chunks_exact(w.max(1)).collect();
    let max_pairs = rows.len() / 2;
    (0..2).find(|&first| {
        let (mut pairs, mut same) = (0usize, 0usize);
        for y in (first..rows.len().saturating_sub(1)).step_by(2) {
            let (a, b) = (rows[y], rows[y + 1]);
            // Rows compared first (the cheaper test): equal rows are both mixed or not.
            if a == b {
                if mixed(a) {
                    pairs += 1;
                    same += 1;
                }
            } else if mixed(a) || mixed(b) {
                pairs += 1;
                // More pairs differ than the share allows of all the page's pairs: no
                // rest of the page can make it paired (a fine page ends here early).
                if (pairs - same) as f32 > (1.0 - SAME_PAIR_SHARE) * max_pairs as f32 + 1.0 {
                    return false;
                }
            }
        }
        pairs >= MIN_INKED_PAIRS && same as f32 >= SAME_PAIR_SHARE * pairs as f32
    })
}

/// Whether a row holds ink and paper both: a row of one colour (paper, or a black bar)
/// says nothing about how rows pair. In blocks without an early exit inside, which the
/// compiler turns into vector instructions (most rows of a form are paper, read whole).
fn mixed(row: &[u8]) -> bool {
    let (mut ink, mut paper) = (false, false);
    for block in row.chunks(64) {
        for &v in block {
            let k = is_ink(v);
            ink |= k;
            paper |= !k;
        }
        if ink && paper {
            return true;
        }
    }
    false
}

/// Rows `first`, `first + 2`, … of `img` (the first row above a pair kept too: it is the
/// lower copy of a pair the page's top edge cut).
fn every_other_row(img: &GrayImage, first: usize) -> GrayImage {
    let w = img.width() as usize;
    let h = img.height() as usize;
    let keep: Vec<usize> = (0..first).chain((first..h).step_by(2)).collect();
    let mut px = Vec::with_capacity(keep.len() * w);
    for &y in &keep {
        px.extend_from_slice(&img.as_raw()[y * w..(y + 1) * w]);
    }
    GrayImage::from_raw(w as u32, keep.len() as u32, px).expect("whole rows")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page of "text": rows of dashes whose ink differs row to row, as a received
    /// standard page's rows do.
    fn standard_page(w: u32, h: u32) -> GrayImage {
        GrayImage::from_fn(w, h, |x, y| {
            let inked = (x * 7 + y * 13) % 11 < 3 && y % 9 != 0;
            image::Luma([if inked { 0 } else { 255 }])
        })
    }

    fn doubled(img: &GrayImage, times: u32, skip: u32) -> GrayImage {
        let h = img.height() * times - skip;
        GrayImage::from_fn(img.width(), h, |x, y| *img.get_pixel(x, (y + skip) / times))
    }

    fn page(image: GrayImage, dpi_y: f32) -> PageImage {
        PageImage {
            image,
            dpi_x: 204.0,
            dpi_y,
            damage: None,
        }
    }

    #[test]
    fn a_standard_page_stored_twice_is_read_as_received() {
        let std = standard_page(300, 400);
        for skip in [0, 1] {
            let p = undoubled(&page(doubled(&std, 2, skip), 196.0)).expect("rows stored twice");
            assert_eq!(p.dpi_y, 98.0);
            // Cut at the top by a row: that row's lower copy is kept above the pairs.
            assert_eq!(p.image.height(), 400, "skip {skip}");
            assert_eq!(p.image.as_raw(), std.as_raw(), "skip {skip}");
        }
        // Four times (a superfine store): twice undone.
        let p = undoubled(&page(doubled(&std, 4, 0), 392.0)).expect("rows stored four times");
        assert_eq!((p.dpi_y, p.image.as_raw()), (98.0, std.as_raw()));
    }

    #[test]
    fn a_fine_page_and_a_nearly_blank_one_are_left_alone() {
        // Fine content: every row its own.
        assert!(undoubled(&page(standard_page(300, 800), 196.0)).is_none());
        // Already at standard resolution, even with rows repeated.
        assert!(undoubled(&page(doubled(&standard_page(300, 400), 2, 0), 98.0)).is_none());
        // A few inked rows, repeated: too little to tell.
        let mut few = GrayImage::from_pixel(300, 800, image::Luma([255]));
        for y in 100..140 {
            for x in 10..200 {
                few.put_pixel(x, y, image::Luma([0]));
            }
        }
        assert!(undoubled(&page(few, 196.0)).is_none());
        // Every row alike (all black): nothing to tell pairs by.
        assert!(undoubled(&page(GrayImage::new(300, 800), 196.0)).is_none());
        // A fine page with some repeated rows (rules, flat strokes) is not taken for a
        // doubled one.
        let mut some = doubled(&standard_page(300, 400), 2, 0);
        for y in (0..800).step_by(2).filter(|y| y % 10 < 4) {
            for x in 0..300 {
                if (x + y) % 5 == 0 {
                    some.put_pixel(x, y, image::Luma([0]));
                }
            }
        }
        assert!(undoubled(&page(some, 196.0)).is_none());
    }
}
