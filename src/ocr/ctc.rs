//! Decoding a CTC recogniser's output: per-frame class probabilities.
//!
//! A CTC model (PP-OCR's recogniser) gives, for each of T frames across the line, a
//! probability for every class, class 0 being "blank" (no new character here). A string is
//! read from any path of frame labels that, with repeats merged and blanks dropped, spells
//! it. Two uses follow:
//! - greedy decoding under a mask (digits only; Japanese text only): the likeliest
//!   allowed class per frame;
//! - scoring given strings (the 47 prefecture names) by the probability of all their paths
//!   (the CTC forward algorithm), so that a field is decided among what it may hold rather
//!   than matched after the fact to its nearest name.

/// Class probabilities, `frames × classes`, row-major; class 0 is the blank.
#[derive(Debug, Clone)]
pub struct Frames {
    pub frames: usize,
    pub classes: usize,
    pub probs: Vec<f32>,
}

/// A greedy reading: the labels emitted and each one's probability (the highest frame
/// probability it was read from).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Greedy {
    pub labels: Vec<usize>,
    pub probs: Vec<f32>,
    /// The frame each label was first read at.
    pub starts: Vec<usize>,
}

impl Greedy {
    /// The reading's confidence: its least sure character (1 when nothing was read, which
    /// the caller judges by the empty reading instead).
    pub fn min_prob(&self) -> f32 {
        self.probs.iter().copied().fold(1.0, f32::min)
    }

    /// This reading with its labels `labels` replaced by `by` (a reading of the same
    /// frames under another mask).
    pub fn splice(&mut self, labels: std::ops::Range<usize>, by: Greedy) {
        self.labels.splice(labels.clone(), by.labels);
        self.probs.splice(labels.clone(), by.probs);
        self.starts.splice(labels, by.starts);
    }

    /// Mean character probability (PaddleOCR's own score).
    pub fn mean_prob(&self) -> f32 {
        if self.probs.is_empty() {
            return 0.0;
        }
        self.probs.iter().sum::<f32>() / self.probs.len() as f32
    }
}

impl Frames {
    pub fn row(&self, t: usize) -> &[f32] {
        &self.probs[t * self.classes..(t + 1) * self.classes]
    }

    /// Greedy decoding over the blank and the classes `allowed` admits.
    pub fn greedy(&self, allowed: impl Fn(usize) -> bool) -> Greedy {
        self.greedy_in(0..self.frames, allowed)
    }

    /// Greedy decoding of the frames `frames` only (starts counted from frame 0).
    pub fn greedy_in(
        &self,
        frames: std::ops::Range<usize>,
        allowed: impl Fn(usize) -> bool,
    ) -> Greedy {
        let mut out = Greedy::default();
        let mut prev = 0usize;
        for t in frames.start..frames.end.min(self.frames) {
            let row = self.row(t);
            let (mut best, mut p) = (0usize, row[0]);
            for (c, &q) in row.iter().enumerate().skip(1) {
                if q > p && allowed(c) {
                    best = c;
                    p = q;
                }
            }
            if best != 0 && best != prev {
                out.labels.push(best);
                out.probs.push(p);
                out.starts.push(t);
            } else if best != 0 && best == prev {
                let last = out.probs.last_mut().expect("a label was pushed");
                *last = last.max(p);
            }
            prev = best;
        }
        out
    }

    /// The frames `frames` with only the classes `classes` kept, in that order (the
    /// first should be the blank, 0): a small copy to score strings over those classes
    /// later, when the full rows (every class of the model) are no longer kept.
    pub fn select(&self, classes: &[usize], frames: std::ops::Range<usize>) -> Frames {
        let frames = frames.start.min(self.frames)..frames.end.min(self.frames);
        Frames {
            frames: frames.len(),
            classes: classes.len(),
            probs: frames
                .flat_map(|t| classes.iter().map(move |&c| self.row(t)[c]))
                .collect(),
        }
    }

    /// Natural log of the probability that the line reads exactly `labels` (summed over
    /// every CTC path that spells it); `-inf` when no path can (more labels than frames
    /// allow).
    pub fn log_likelihood(&self, labels: &[usize]) -> f64 {
        if labels.is_empty() {
            return (0..self.frames).map(|t| ln(self.row(t)[0])).sum();
        }
        // The extended sequence: blank, l1, blank, l2, ..., lN, blank.
        let s = 2 * labels.len() + 1;
        let ext = |i: usize| {
            if i.is_multiple_of(2) {
                0
            } else {
                labels[i / 2]
            }
        };
        let mut alpha = vec![f64::NEG_INFINITY; s];
        let row = self.row(0);
        alpha[0] = ln(row[0]);
        alpha[1] = ln(row[ext(1)]);
        let mut next = vec![f64::NEG_INFINITY; s];
        for t in 1..self.frames {
            let row = self.row(t);
            for i in 0..s {
                let mut a = alpha[i];
                if i >= 1 {
                    a = log_add(a, alpha[i - 1]);
                }
                if i >= 2 && ext(i) != 0 && ext(i) != ext(i - 2) {
                    a = log_add(a, alpha[i - 2]);
                }
                next[i] = a + ln(row[ext(i)]);
            }
            std::mem::swap(&mut alpha, &mut next);
        }
        log_add(alpha[s - 1], alpha[s - 2])
    }
}

fn ln(p: f32) -> f64 {
    (p.max(1e-30) as f64).ln()
}

/// ln(e^a + e^b) without overflow.
pub fn log_add(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    let (hi, lo) = if a > b { (a, b) } else { (b, a) };
    hi + (lo - hi).exp().ln_1p()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frames from rows of (class, probability) pairs; the rest of each row's mass is
    /// spread evenly over the other classes.
    fn frames(classes: usize, rows: &[&[(usize, f32)]]) -> Frames {
        let mut probs = Vec::new();
        for r in rows {
            let given: f32 = r.iter().map(|x| x.1).sum();
            let rest = (1.0 - given) / (classes - r.len()) as f32;
            let mut row = vec![rest; classes];
            for &(c, p) in r.iter() {
                row[c] = p;
            }
            probs.extend(row);
        }
        Frames {
            frames: rows.len(),
            classes,
            probs,
        }
    }

    #[test]
    fn greedy_merges_repeats_and_drops_blanks() {
        let f = frames(
            5,
            &[
                &[(1, 0.9)],
                &[(1, 0.8)],
                &[(0, 0.9)],
                &[(1, 0.7)],
                &[(2, 0.6)],
                &[(0, 0.9)],
            ],
        );
        let g = f.greedy(|_| true);
        assert_eq!(g.labels, vec![1, 1, 2]);
        assert_eq!(g.starts, vec![0, 3, 4]);
        assert_eq!(g.probs, vec![0.9, 0.7, 0.6]);
        assert!((g.min_prob() - 0.6).abs() < 1e-6);
    }

    #[test]
    fn greedy_under_a_mask_takes_the_best_allowed_class() {
        // Frame 0 looks most like class 3, which the mask forbids: class 2 is next.
        let f = frames(5, &[&[(3, 0.5), (2, 0.3), (0, 0.1)], &[(0, 0.9)]]);
        assert_eq!(f.greedy(|c| c != 3).labels, vec![2]);
        // When the blank beats every allowed class, nothing is read.
        let f = frames(5, &[&[(3, 0.6), (0, 0.3), (2, 0.05)]]);
        assert!(f.greedy(|c| c != 3).labels.is_empty());
    }

    #[test]
    fn the_forward_algorithm_sums_every_path() {
        // Two frames, three classes, uniform: the paths spelling [1] are (1,1), (0,1),
        // (1,0): 3 of 9.
        let f = Frames {
            frames: 2,
            classes: 3,
            probs: vec![1.0 / 3.0; 6],
        };
        assert!((f.log_likelihood(&[1]).exp() - 3.0 / 9.0).abs() < 1e-6);
        // [1, 1] needs a blank between: only (1, 0, 1) in three frames would; in two, none.
        assert_eq!(f.log_likelihood(&[1, 1]), f64::NEG_INFINITY);
        // [1, 2]: only (1, 2).
        assert!((f.log_likelihood(&[1, 2]).exp() - 1.0 / 9.0).abs() < 1e-6);
        // The empty string: all blanks.
        assert!((f.log_likelihood(&[]).exp() - 1.0 / 9.0).abs() < 1e-6);
        // Every string of length ≤ 2 over {1, 2}, with the empty one, covers all 9 paths.
        let all: f64 = [
            vec![],
            vec![1],
            vec![2],
            vec![1, 2],
            vec![2, 1],
            vec![1, 1],
            vec![2, 2],
        ]
        .iter()
        .map(|l| f.log_likelihood(l).exp())
        .sum();
        assert!((all - 1.0).abs() < 1e-6, "{all}");
    }

    #[test]
    fn a_clear_reading_is_far_likelier_than_its_neighbours() {
        let f = frames(
            6,
            &[
                &[(0, 0.9)],
                &[(1, 0.9)],
                &[(0, 0.9)],
                &[(2, 0.6), (3, 0.3)],
                &[(0, 0.9)],
            ],
        );
        let right = f.log_likelihood(&[1, 2]);
        let near = f.log_likelihood(&[1, 3]);
        let far = f.log_likelihood(&[4, 5]);
        assert!(right > near && near > far, "{right} {near} {far}");
        assert!((right - near - 2f64.ln()).abs() < 0.05, "{right} {near}");
    }
}
