//! Pairing: which read pages make one response. Pages are put together by what each page
//! is (its template and page number), whatever order the file holds them in.

use super::kit::Kit;
use super::page::ReadPage;

/// Pages of one response, put together by what each page is (template and page number),
/// in whichever order the file holds them. Two readings of the file's order are tried:
/// pages in ascending runs (1, 2, 1, 2: the usual), and in descending runs (2, 1, 2, 1:
/// sheets scanned two-sided with the back first). The one leaving fewer incomplete
/// responses wins, ascending on a tie; pages other than form pages between (blank backs,
/// covers) do not part a response. Each group keeps the file's order.
pub fn group(kit: &Kit, pages: Vec<ReadPage>) -> Vec<Vec<ReadPage>> {
    let keys: Vec<PageKey> = pages
        .iter()
        .map(|p| PageKey {
            template: p.template,
            page: p.page,
        })
        .collect();
    let parts = partition(&keys, |t| kit.templates[t].pages.len());
    let mut slots: Vec<Option<ReadPage>> = pages.into_iter().map(Some).collect();
    parts
        .into_iter()
        .map(|g| g.into_iter().filter_map(|i| slots[i].take()).collect())
        .collect()
}

/// What a read page is, for grouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageKey {
    pub template: usize,
    /// 1-based page of the template.
    pub page: usize,
}

/// Groups of indices into `keys` (see [`group`]); `pages_of(template)` is its page count.
pub fn partition(keys: &[PageKey], pages_of: impl Fn(usize) -> usize) -> Vec<Vec<usize>> {
    let runs = |step: isize| -> Vec<Vec<usize>> {
        let mut out: Vec<Vec<usize>> = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            let joins = out.last().is_some_and(|g| {
                let last = keys[*g.last().expect("groups are never empty")];
                last.template == k.template
                    && k.page as isize == last.page as isize + step
                    && g.iter().all(|&j| keys[j].page != k.page)
            });
            match out.last_mut() {
                Some(g) if joins => g.push(i),
                _ => out.push(vec![i]),
            }
        }
        out
    };
    let incomplete = |groups: &[Vec<usize>]| {
        groups
            .iter()
            .filter(|g| g.len() < pages_of(keys[g[0]].template))
            .count()
    };
    let (ascending, descending) = (runs(1), runs(-1));
    if incomplete(&descending) < incomplete(&ascending) {
        descending
    } else {
        ascending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(pages: &[usize]) -> Vec<PageKey> {
        pages
            .iter()
            .map(|&page| PageKey { template: 0, page })
            .collect()
    }

    #[test]
    fn pages_pair_up_in_the_order_they_were_scanned() {
        let two = |_| 2;
        // Front first, as usual.
        assert_eq!(
            partition(&keys(&[1, 2, 1, 2]), two),
            vec![vec![0, 1], vec![2, 3]]
        );
        // Back first: page 2 of one respondent is never joined to page 1 of the next.
        assert_eq!(
            partition(&keys(&[2, 1, 2, 1]), two),
            vec![vec![0, 1], vec![2, 3]]
        );
        // A respondent's page 2 lost: the next respondent's pages stay together.
        assert_eq!(partition(&keys(&[1, 1, 2]), two), vec![vec![0], vec![1, 2]]);
        // Two pages 1 of one form never make one response.
        assert_eq!(partition(&keys(&[1, 1]), two), vec![vec![0], vec![1]]);
        // Different forms never join.
        let mixed = [
            PageKey {
                template: 0,
                page: 1,
            },
            PageKey {
                template: 1,
                page: 2,
            },
        ];
        assert_eq!(partition(&mixed, two), vec![vec![0], vec![1]]);
        // One-page forms: every page is a response.
        assert_eq!(
            partition(&keys(&[1, 1, 1]), |_| 1),
            vec![vec![0], vec![1], vec![2]]
        );
    }
}
