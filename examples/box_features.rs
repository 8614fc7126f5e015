//! Every checkbox's measured features and reading on the pages of one fax file, through
//! the same page path as `faxform run`, as CSV on stdout: for looking into why one box
//! was read as it was (no truth needed).
//!
//!     cargo run --release --example box_features -- FAX [PAGE]
use faxform::ingest::{IngestOptions, read_file};
use faxform::run::{Kit, StageTimes, page::read_page};
use std::path::Path;
fn main() {
    let f = std::env::args().nth(1).expect("FAX");
    let only: Option<usize> = std::env::args().nth(2).map(|p| p.parse().expect("PAGE"));
    let ts = faxform::template::load_all(Path::new("templates")).unwrap();
    let kit = Kit::build(ts.clone()).unwrap();
    let names: Vec<String> = serde_json::to_value(faxform::marks::BoxFeatures::default())
        .unwrap()
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    println!(
        "page,template,q,code,found,rms,marked,doubt,confidence,{}",
        names.join(",")
    );
    let pages = read_file(Path::new(&f), &IngestOptions::default()).expect("readable");
    for (pi, p) in pages.into_iter().enumerate() {
        if only.is_some_and(|o| o != pi + 1) {
            continue;
        }
        let Ok(p) = p else { continue };
        let mut times = StageTimes::default();
        let rp = match read_page(&kit, &p, pi + 1, None, &mut times) {
            Ok(rp) => rp,
            Err(e) => {
                eprintln!("p{}: {e}", pi + 1);
                continue;
            }
        };
        let t = &ts[rp.template];
        for o in &rp.options {
            let ft = serde_json::to_value(o.reading.features).unwrap();
            let values: Vec<String> = names.iter().map(|n| ft[n].to_string()).collect();
            println!(
                "{},{},{},{},{},{:.3},{},{:?},{:.2},{}",
                pi + 1,
                t.id,
                t.questions[o.question].id,
                o.code,
                rp.reg.found(),
                rp.reg.rms,
                o.reading.marked,
                o.reading.doubt,
                o.reading.confidence,
                values.join(",")
            );
        }
    }
}
