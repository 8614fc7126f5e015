use faxform::ingest::{IngestOptions, read_file};
fn main() {
    let ts = faxform::template::load_all(std::path::Path::new("templates")).unwrap();
    let cat = faxform::identify::Catalogue::build(&ts).unwrap();
    for arg in std::env::args().skip(1) {
        let pages = match read_file(std::path::Path::new(&arg), &IngestOptions::default()) {
            Ok(p) => p,
            Err(e) => {
                println!("{arg}: {e}");
                continue;
            }
        };
        for (i, p) in pages.into_iter().enumerate() {
            let p = match p {
                Ok(p) => p,
                Err(e) => {
                    println!("{arg} p{}: {e}", i + 1);
                    continue;
                }
            };
            let t0 = std::time::Instant::now();
            match faxform::normalise::normalise(&p, 200.0) {
                Err(e) => println!("{arg} p{}: {e}", i + 1),
                Ok(np) => {
                    let skew = np.skew_deg;
                    let (id, _, score) = faxform::identify::identify(&cat, np);
                    println!(
                        "{arg} p{}: skew {skew:.2} -> {:?} score {score:.3} ({:.0} ms)",
                        i + 1,
                        id.map(|i| (ts[i.template].id.clone(), i.page, i.flipped)),
                        t0.elapsed().as_secs_f64() * 1000.0
                    );
                }
            }
        }
    }
}
