use faxform::ingest::{IngestOptions, read_file};
use std::time::Instant;
fn main() {
    let ts = faxform::template::load_all(std::path::Path::new("templates")).unwrap();
    let cat = faxform::identify::Catalogue::build(&ts).unwrap();
    let f = std::env::args().nth(1).unwrap();
    let t = Instant::now();
    let pages = read_file(std::path::Path::new(&f), &IngestOptions::default()).unwrap();
    println!("read {:?}", t.elapsed());
    let p = pages.into_iter().next().unwrap().unwrap();
    let t = Instant::now();
    let sq = faxform::normalise::to_square_dpi(&p, 200.0);
    println!("square {:?}", t.elapsed());
    let t = Instant::now();
    let m = faxform::normalise::InkMap::new(&sq, 4, 3);
    let m2 = faxform::normalise::InkMap::new(&sq, 2, 2);
    println!("maps {:?}", t.elapsed());
    let t = Instant::now();
    let cp = m.points();
    let fp: Vec<_> = m2
        .points()
        .into_iter()
        .map(|(x, y)| (x / 2.0, y / 2.0))
        .collect();
    let s = faxform::normalise::deskew::skew_degrees(&cp, &fp, 6.0);
    println!("skew {:?} ({} + {} pts)", t.elapsed(), cp.len(), fp.len());
    let t = Instant::now();
    let np = faxform::normalise::normalise(&p, 200.0).unwrap();
    println!("normalise {:?} {s}", t.elapsed());
    let t = Instant::now();
    let _ = faxform::identify::identify(&cat, np);
    println!("identify {:?}", t.elapsed());
}
