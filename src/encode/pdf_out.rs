//! PDF files with one CCITT image per page, as fax-to-mail gateways produce them.

use super::{FaxPage, Scheme, ccitt};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref};

pub fn write(pages: &[FaxPage], scheme: Scheme) -> Vec<u8> {
    image_pages(pages.len(), |pdf, i, image_id| {
        let page = &pages[i];
        let data = ccitt::encode(&page.bilevel(), scheme);
        let mut image = pdf.image_xobject(image_id, &data);
        image.filter(Filter::CcittFaxDecode);
        image.width(page.width as i32);
        image.height(page.height as i32);
        image.bits_per_component(1);
        image.color_space().device_gray();
        {
            let mut parms = image.decode_parms();
            let k = match scheme {
                Scheme::G3OneD => 0,
                Scheme::G3TwoD { k } => k as i32,
                Scheme::G4 => -1,
            };
            parms.pair(Name(b"K"), k);
            parms.pair(Name(b"Columns"), page.width as i32);
            parms.pair(Name(b"Rows"), page.height as i32);
            // Our Group 3 EOLs end on byte boundaries (see ccitt::BitWriter::eol).
            parms.pair(Name(b"EncodedByteAlign"), scheme != Scheme::G4);
            parms.pair(Name(b"EndOfLine"), scheme != Scheme::G4);
            parms.pair(Name(b"EndOfBlock"), scheme == Scheme::G4);
            // BlackIs1 false: the filter yields 0 for black, which DeviceGray shows as black.
            parms.pair(Name(b"BlackIs1"), false);
        }
        image.finish();
        (
            page.width as f32 * 72.0 / page.dpi_x,
            page.height as f32 * 72.0 / page.dpi_y,
        )
    })
}

/// A PDF of `count` pages, each one image filling it: `image(pdf, i, id)` writes page
/// `i`'s image XObject as `id` and returns the page's size in points.
pub(super) fn image_pages(
    count: usize,
    mut image: impl FnMut(&mut Pdf, usize, Ref) -> (f32, f32),
) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let (catalog, tree) = (Ref::new(1), Ref::new(2));
    // Page, image and content stream of each page.
    let ids: Vec<(Ref, Ref, Ref)> = (0..count as i32)
        .map(|i| {
            (
                Ref::new(3 + 3 * i),
                Ref::new(4 + 3 * i),
                Ref::new(5 + 3 * i),
            )
        })
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(ids.iter().map(|i| i.0))
        .count(count as i32);
    for (i, &(page_id, image_id, content_id)) in ids.iter().enumerate() {
        let (w_pt, h_pt) = image(&mut pdf, i, image_id);
        let content = format!("q {w_pt} 0 0 {h_pt} 0 0 cm /Im0 Do Q");
        pdf.stream(content_id, content.as_bytes());
        let mut p = pdf.page(page_id);
        p.media_box(Rect::new(0.0, 0.0, w_pt, h_pt));
        p.parent(tree);
        p.contents(content_id);
        p.resources().x_objects().pair(Name(b"Im0"), image_id);
        p.finish();
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{IngestOptions, read_bytes};

    #[test]
    fn fax_pdf_pages_render_back_through_hayro() {
        let page = FaxPage::bar((1728, 120), 30..60, 200..1200, 98.0);
        for scheme in [Scheme::G4, Scheme::G3TwoD { k: 2 }, Scheme::G3OneD] {
            let bytes = write(&[page.clone(), page.clone()], scheme);
            let pages = read_bytes(&bytes, &IngestOptions::default()).unwrap();
            assert_eq!(pages.len(), 2);
            let page0 = pages[0].as_ref().unwrap();
            let img = &page0.image;
            // Rendered on the image's own grid: 1728×120 at 204×98 dpi, nothing resampled.
            assert_eq!((img.width(), img.height()), (1728, 120));
            assert_eq!((page0.dpi_x.round(), page0.dpi_y.round()), (204.0, 98.0));
            let ink = |x: u32, y: u32| img.get_pixel(x, y).0[0] < 128;
            assert!(
                ink(700, 45) && ink(201, 30) && ink(1198, 59),
                "{scheme:?}: the bar is black"
            );
            assert!(
                !ink(700, 20) && !ink(1500, 45) && !ink(198, 45),
                "{scheme:?}: paper is white"
            );
        }
    }
}
