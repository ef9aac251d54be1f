//! The figures the officials compare between the screen and the printed report.

use tally_core::counts::{Count, VoteCounts};
use tally_core::election::Election;
use tally_core::ids::{ContestId, ListNumber};

use crate::ReportError;

/// One list's total (E.x).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListFigure {
    /// The list's number.
    pub list: ListNumber,
    /// Its name: from the count file, else from the election's candidate lists.
    pub name: String,
    /// E.x: total votes on the list ("totaal lijst").
    pub votes: Count,
}

/// The figures compared between screen and paper: totals per list, blank, invalid, admitted
/// voters. The terminal and the PDF both print [`ComparisonFigures::rows`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComparisonFigures {
    /// A: valid poll cards ("geldige stempassen"), when given.
    pub poll_cards: Option<Count>,
    /// B: valid proxy certificates ("geldige volmachtbewijzen"), when given.
    pub proxy_certificates: Option<Count>,
    /// C: valid voter cards ("geldige kiezerspassen"), when given.
    pub voter_cards: Option<Count>,
    /// D: admitted voters ("totaal toegelaten kiezers"), when given.
    pub admitted_voters: Option<Count>,
    /// E.1 .. E.n: votes per list.
    pub lists: Vec<ListFigure>,
    /// E: total votes on candidates ("totaal stemmen op kandidaten").
    pub total_counted: Count,
    /// F: blank votes ("blanco stemmen").
    pub blank: Count,
    /// G: invalid votes ("ongeldige stemmen").
    pub invalid: Count,
    /// H: total votes cast ("totaal uitgebrachte stemmen") = E + F + G.
    pub votes_cast: Count,
    /// I: more ballots counted than admitted voters ("meer getelde stembiljetten"), when given.
    pub more_ballots_counted: Option<Count>,
    /// J: fewer ballots counted than admitted voters ("minder getelde stembiljetten"), when given.
    pub fewer_ballots_counted: Option<Count>,
}

/// One printed row: the form's letter, the Dutch label and the value as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureRow {
    /// The letter on the paper form (`A`, `E.3`, `H`).
    pub code: String,
    /// The Dutch label.
    pub label: String,
    /// The value, formatted by [`format_count`].
    pub value: String,
}

/// A count the Dutch way: groups of three digits separated by dots (`12.345`).
pub fn format_count(n: Count) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// The comparison figures of `counts`. List names come from the count file, else from the
/// election's lists of `contest`.
///
/// # Errors
/// [`ReportError::Overflow`] when E + F + G overflows.
pub fn comparison_figures(
    election: &Election,
    contest: &ContestId,
    counts: &VoteCounts,
) -> Result<ComparisonFigures, ReportError> {
    let lists = counts
        .lists
        .iter()
        .map(|l| ListFigure {
            list: l.list,
            name: if l.name.trim().is_empty() {
                election
                    .list(contest, l.list)
                    .map(|p| p.name.clone())
                    .unwrap_or_default()
            } else {
                l.name.clone()
            },
            votes: l.total,
        })
        .collect();
    let votes_cast = counts.votes_cast().ok_or_else(|| ReportError::Overflow {
        what: "E + F + G (totaal uitgebrachte stemmen)".into(),
    })?;
    let v = &counts.voters;
    Ok(ComparisonFigures {
        poll_cards: v.poll_cards,
        proxy_certificates: v.proxy_certificates,
        voter_cards: v.voter_cards,
        admitted_voters: v.admitted_voters,
        lists,
        total_counted: counts.total_counted,
        blank: counts.blank,
        invalid: counts.invalid,
        votes_cast,
        more_ballots_counted: v.more_ballots_counted,
        fewer_ballots_counted: v.fewer_ballots_counted,
    })
}

fn row(code: &str, label: &str, value: Count) -> FigureRow {
    FigureRow {
        code: code.to_string(),
        label: label.to_string(),
        value: format_count(value),
    }
}

impl ComparisonFigures {
    /// The admitted-voter rows (A, B, C, D), each only when given.
    pub fn voter_rows(&self) -> Vec<FigureRow> {
        [
            ("A", "Geldige stempassen", self.poll_cards),
            ("B", "Geldige volmachtbewijzen", self.proxy_certificates),
            ("C", "Geldige kiezerspassen", self.voter_cards),
            ("D", "Totaal toegelaten kiezers", self.admitted_voters),
        ]
        .into_iter()
        .filter_map(|(c, l, v)| v.map(|v| row(c, l, v)))
        .collect()
    }

    /// The vote rows: E.1 .. E.n, E, F, G, H.
    pub fn vote_rows(&self) -> Vec<FigureRow> {
        let mut rows: Vec<FigureRow> = self
            .lists
            .iter()
            .map(|l| FigureRow {
                code: format!("E.{}", l.list),
                label: format!("Lijst {} {}", l.list, l.name)
                    .trim_end()
                    .to_string(),
                value: format_count(l.votes),
            })
            .collect();
        rows.push(row("E", "Totaal stemmen op kandidaten", self.total_counted));
        rows.push(row("F", "Blanco stemmen", self.blank));
        rows.push(row("G", "Ongeldige stemmen", self.invalid));
        rows.push(row("H", "Totaal uitgebrachte stemmen", self.votes_cast));
        rows
    }

    /// The difference rows (I, J), each only when given.
    pub fn difference_rows(&self) -> Vec<FigureRow> {
        [
            (
                "I",
                "Meer getelde stembiljetten dan toegelaten kiezers",
                self.more_ballots_counted,
            ),
            (
                "J",
                "Minder getelde stembiljetten dan toegelaten kiezers",
                self.fewer_ballots_counted,
            ),
        ]
        .into_iter()
        .filter_map(|(c, l, v)| v.map(|v| row(c, l, v)))
        .collect()
    }

    /// Every row in the order of the paper form: A-D, E.1-E.n, E-H, I-J.
    pub fn rows(&self) -> Vec<FigureRow> {
        let mut rows = self.voter_rows();
        rows.extend(self.vote_rows());
        rows.extend(self.difference_rows());
        rows
    }
}

/// Ascending numbers as ranges, as the papers and the screens print them: `1-4, 7, 9-10`;
/// empty for none. One rule for every place that lists stations, kieskringen or lists.
pub fn number_ranges(numbers: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(&start) = numbers.get(i) {
        let mut end = start;
        while let (Some(&next), Some(after)) = (numbers.get(i + 1), end.checked_add(1))
            && next == after
        {
            i += 1;
            end = next;
        }
        out.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::format_count;

    #[test]
    fn counts_get_dutch_thousands_separators() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1000), "1.000");
        assert_eq!(format_count(12_345), "12.345");
        assert_eq!(format_count(999_999_999), "999.999.999");
    }
}
