//! One byte pass over a text that says which number patterns can match at all, so that the
//! stage runs only those regexes. Each flag is a necessary condition of its pattern (never a
//! sufficient one): a flag that is wrongly off would lose a match, one wrongly on costs only
//! the scan it would have cost anyway.

/// Which number patterns may match somewhere in a text.
#[derive(Debug, Default, Clone)]
pub(crate) struct Shapes {
    /// Where the flags of the most frequent patterns held (the start of a digit run), in text
    /// order: every match of the pattern holds such a run, and no pattern spans a line break,
    /// so only the lines of these runs need to be searched.
    pub card_at: Vec<usize>,
    pub ipv4_at: Vec<usize>,
    pub phone_at: Vec<usize>,
    pub bsn_at: Vec<usize>,
    pub postcode_at: Vec<usize>,
    /// Any ASCII digit.
    pub digit: bool,
    /// Two upper-case letters followed by two digits (`NL91`): an IBAN's start.
    pub iban: bool,
    /// A chain of 13 or more digits in groups separated by one space or dash: a card number.
    pub card: bool,
    /// Four groups of digits separated by dots: an IPv4 address.
    pub ipv4: bool,
    /// A token of hexadecimal digits and two or more colons, with a decimal digit: IPv6.
    /// (Over-approximated: a decimal digit anywhere in the token.)
    pub ipv6: bool,
    /// A chain of eight or more digits (separators: spaces, dashes, parentheses, `+`): a phone
    /// number (`(06) 123456` has eight).
    pub phone: bool,
    /// Nine digits in a row, or groups of three or four digits separated by a dot or space:
    /// a BSN.
    pub bsn: bool,
    /// Four digits, an optional space and two upper-case letters: a Dutch postcode.
    pub postcode: bool,
    /// A token of letters and digits in three groups separated by dashes: a licence plate.
    pub plate: bool,
}

/// Whether a byte within `reach` bytes of `from` (forward when `forward`) is `c`.
fn near(b: &[u8], from: usize, reach: usize, c: u8, forward: bool) -> bool {
    if forward {
        b.get(from..(from + reach).min(b.len()))
            .is_some_and(|w| w.contains(&c))
    } else {
        b[from.saturating_sub(reach)..from].contains(&c)
    }
}

impl Shapes {
    pub(crate) fn of(text: &str) -> Shapes {
        let b = text.as_bytes();
        let n = b.len();
        let mut s = Shapes::default();
        // Only the digit runs are visited: every pattern here holds a digit, and what each needs
        // is read around its runs. `chain`: digits in the current chain of runs joined by
        // separators, starting its next run at `chain_next` (cards, phone numbers); `dotted`:
        // runs of at most three digits joined by single dots, the next at `dotted_next` (IPv4).
        let (mut chain, mut chain_next) = (0usize, usize::MAX);
        let (mut dotted, mut dotted_next) = (0usize, usize::MAX);
        let mut i = 0;
        loop {
            while i < n && !b[i].is_ascii_digit() {
                i += 1;
            }
            if i >= n {
                break;
            }
            s.digit = true;
            let start = i;
            while i < n && b[i].is_ascii_digit() {
                i += 1;
            }
            let run = i - start;
            chain = if start == chain_next {
                chain + run
            } else {
                run
            };
            if chain >= 8 {
                s.phone = true;
                s.phone_at.push(start);
                if chain >= 13 {
                    s.card = true;
                    s.card_at.push(start);
                }
            }
            if run <= 3 {
                dotted = if start == dotted_next { dotted + 1 } else { 1 };
                if dotted >= 4 {
                    s.ipv4 = true;
                    s.ipv4_at.push(start);
                }
            } else {
                dotted = 0;
            }
            let after = b.get(i).copied();
            if run >= 9
                || (3..=4).contains(&run)
                    && matches!(after, Some(b'.' | b' '))
                    && b.get(i + 1).is_some_and(u8::is_ascii_digit)
            {
                s.bsn = true;
                s.bsn_at.push(start);
            }
            if run >= 2
                && start >= 2
                && b[start - 1].is_ascii_uppercase()
                && b[start - 2].is_ascii_uppercase()
            {
                s.iban = true;
            }
            if run == 4 {
                let j = if after == Some(b' ') { i + 1 } else { i };
                if b.get(j).is_some_and(u8::is_ascii_uppercase)
                    && b.get(j + 1).is_some_and(u8::is_ascii_uppercase)
                {
                    s.postcode = true;
                    s.postcode_at.push(start);
                }
            }
            // IPv6 groups and plate groups are at most four characters: a run next to a colon
            // (dash) with another colon (dash) within five bytes.
            let before = start.checked_sub(1).map(|k| b[k]);
            for (c, flag) in [(b':', &mut s.ipv6), (b'-', &mut s.plate)] {
                if (after == Some(c) && near(b, i + 1, 5, c, true))
                    || (before == Some(c) && near(b, start - 1, 5, c, false))
                    || (after == Some(c) && before == Some(c))
                {
                    *flag = true;
                }
            }
            // Where the next run of the chains must start.
            dotted_next = if after == Some(b'.') {
                i + 1
            } else {
                usize::MAX
            };
            let mut j = i;
            if b[j.min(n - 1)..].starts_with(b" - ") {
                j += 3;
            } else {
                for _ in 0..2 {
                    if j < n && matches!(b[j], b' ' | b'-' | b'(' | b')' | b'+') {
                        j += 1;
                    }
                }
            }
            chain_next = j;
        }
        s
    }
}

/// The lines (start, end, without the line break) holding the positions `at`, in text order,
/// each once.
pub(crate) fn lines_of<'a>(
    text: &'a str,
    at: &'a [usize],
) -> impl Iterator<Item = (usize, usize)> + 'a {
    let mut last_end = None;
    at.iter().filter_map(move |&p| {
        if last_end.is_some_and(|e| p <= e) {
            return None;
        }
        let b = text.as_bytes();
        let start = b[..p]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |i| i + 1);
        let end = b[p..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |i| p + i);
        last_end = Some(end);
        Some((start, end))
    })
}
