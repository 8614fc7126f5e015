use faxform::ingest::{IngestOptions, read_file};
fn main() {
    let ts = faxform::template::load_all(std::path::Path::new("templates")).unwrap();
    let kit = faxform::run::Kit::build(ts).unwrap();
    for f in std::env::args().skip(1) {
        let pages = read_file(std::path::Path::new(&f), &IngestOptions::default()).unwrap();
        for p in pages {
            let p = p.unwrap();
            let np = faxform::normalise::normalise(&p, 200.0).unwrap();
            let skew = np.skew_deg;
            let (id, page, score) = faxform::identify::identify(&kit.catalogue, np);
            let id = id.unwrap();
            let pk = &kit.pages[id.template][id.page - 1];
            let t0 = std::time::Instant::now();
            let reg = faxform::register::register(&page.image, &pk.boxes, &id.transform);
            eprintln!("register {:?}", t0.elapsed());
            println!(
                "{f}: skew {skew:.3} score {score:.3} flipped {} found {}/{} rms {:.2}",
                id.flipped,
                reg.found,
                pk.boxes.boxes.len(),
                reg.rms
            );
        }
    }
}
