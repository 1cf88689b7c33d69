//! A unified diff of two texts, line by line (`playbook fmt --check`).
//!
//! Myers' algorithm finds a shortest edit script; hunks carry three lines of context,
//! as `diff -u` and `git diff` print them, so the output can be read and applied alike.

use std::fmt::Write;

/// Lines of unchanged context around each change.
const CONTEXT: usize = 3;
/// Beyond this many changed lines the middle of the files is shown as replaced whole
/// (the search for the shortest script costs memory in the square of the changes).
const MAX_EDITS: usize = 2000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// Line `.0` of the old text, equal to line `.1` of the new one.
    Same(usize, usize),
    Delete(usize),
    Insert(usize),
}

/// `--- a/NAME`, `+++ b/NAME` (an absolute NAME as it is) and the hunks that turn `old`
/// into `new`; empty when the texts are equal.
pub fn unified(old: &str, new: &str, name: &str) -> String {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let ops = edit_script(&a, &b);
    if ops.iter().all(|op| matches!(op, Op::Same(..))) {
        return String::new();
    }
    let (a_name, b_name) = if name.starts_with('/') {
        (name.to_string(), name.to_string())
    } else {
        (format!("a/{name}"), format!("b/{name}"))
    };
    let mut out = format!("--- {a_name}\n+++ {b_name}\n");
    for hunk in hunks(&ops) {
        write_hunk(&mut out, &ops[hunk.0..hunk.1], &a, &b);
    }
    out
}

/// The edit script: common lines at both ends, and Myers' shortest script between.
fn edit_script(a: &[&str], b: &[&str]) -> Vec<Op> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a_mid, b_mid) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops: Vec<Op> = (0..prefix).map(|i| Op::Same(i, i)).collect();
    let middle = myers(a_mid, b_mid).unwrap_or_else(|| {
        let deletes = (0..a_mid.len()).map(Op::Delete);
        deletes.chain((0..b_mid.len()).map(Op::Insert)).collect()
    });
    ops.extend(middle.into_iter().map(|op| match op {
        Op::Same(i, j) => Op::Same(i + prefix, j + prefix),
        Op::Delete(i) => Op::Delete(i + prefix),
        Op::Insert(j) => Op::Insert(j + prefix),
    }));
    let (a_end, b_end) = (a.len() - suffix, b.len() - suffix);
    ops.extend((0..suffix).map(|k| Op::Same(a_end + k, b_end + k)));
    ops
}

/// Myers' greedy algorithm with the frontier of every step kept for the way back.
/// `None` when more than `MAX_EDITS` lines change.
fn myers(a: &[&str], b: &[&str]) -> Option<Vec<Op>> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m) as usize;
    let offset = max as isize + 1;
    let mut v = vec![0isize; 2 * max + 3];
    // trace[d]: the frontier before step d, for diagonals -d-1 ..= d+1.
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let at = |k: isize| (k + offset) as usize;
    let mut found = None;
    'search: for d in 0..=max as isize {
        if d as usize > MAX_EDITS {
            return None;
        }
        trace.push(v[at(-d - 1)..=at(d + 1)].to_vec());
        let mut k = -d;
        while k <= d {
            let mut x = if k == -d || (k != d && v[at(k - 1)] < v[at(k + 1)]) {
                v[at(k + 1)]
            } else {
                v[at(k - 1)] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[at(k)] = x;
            if x >= n && y >= m {
                found = Some(d);
                break 'search;
            }
            k += 2;
        }
    }
    let steps = found?;
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (0..=steps).rev() {
        let frontier = &trace[d as usize];
        let get = |k: isize| frontier[(k + d + 1) as usize];
        let k = x - y;
        let previous = if k == -d || (k != d && get(k - 1) < get(k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let px = get(previous);
        let py = px - previous;
        while x > px && y > py {
            x -= 1;
            y -= 1;
            ops.push(Op::Same(x as usize, y as usize));
        }
        if d > 0 {
            if x == px {
                y -= 1;
                ops.push(Op::Insert(y as usize));
            } else {
                x -= 1;
                ops.push(Op::Delete(x as usize));
            }
        }
    }
    ops.reverse();
    Some(ops)
}

/// Ranges of the script to print: each change with its context, merged when close.
fn hunks(ops: &[Op]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        if matches!(op, Op::Same(..)) {
            continue;
        }
        let from = i.saturating_sub(CONTEXT);
        let to = (i + 1 + CONTEXT).min(ops.len());
        match out.last_mut() {
            Some(last) if from <= last.1 => last.1 = to,
            _ => out.push((from, to)),
        }
    }
    out
}

fn write_hunk(out: &mut String, ops: &[Op], a: &[&str], b: &[&str]) {
    // Where the hunk starts in each file: its first line there, or the line before it.
    let old_first = ops.iter().find_map(|op| match op {
        Op::Same(i, _) | Op::Delete(i) => Some(*i),
        Op::Insert(_) => None,
    });
    let new_first = ops.iter().find_map(|op| match op {
        Op::Same(_, j) | Op::Insert(j) => Some(*j),
        Op::Delete(_) => None,
    });
    let old_count = ops.iter().filter(|op| !matches!(op, Op::Insert(_))).count();
    let new_count = ops.iter().filter(|op| !matches!(op, Op::Delete(_))).count();
    let before = |first: Option<usize>, count: usize, fallback: usize| match first {
        Some(i) if count > 0 => i + 1,
        _ => fallback,
    };
    // An empty side starts at the line before the hunk.
    let old_start = before(old_first, old_count, position_before(ops, true));
    let new_start = before(new_first, new_count, position_before(ops, false));
    let _ = writeln!(
        out,
        "@@ -{} +{} @@",
        range(old_start, old_count),
        range(new_start, new_count)
    );
    for op in ops {
        let (mark, line) = match op {
            Op::Same(i, _) => (' ', a[*i]),
            Op::Delete(i) => ('-', a[*i]),
            Op::Insert(j) => ('+', b[*j]),
        };
        out.push(mark);
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
}

/// For a side with no lines in the hunk: the number of lines before it in that file.
fn position_before(ops: &[Op], old: bool) -> usize {
    // The other side's lines say where we are only through `Same`; with none, the
    // hunk is at the start of the file.
    ops.iter()
        .find_map(|op| match (op, old) {
            (Op::Same(i, _), true) | (Op::Delete(i), true) => Some(*i),
            (Op::Same(_, j), false) | (Op::Insert(j), false) => Some(*j),
            _ => None,
        })
        .unwrap_or(0)
}

fn range(start: usize, count: usize) -> String {
    if count == 1 {
        start.to_string()
    } else {
        format!("{start},{count}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_give_nothing() {
        assert_eq!(unified("a\nb\n", "a\nb\n", "x"), "");
    }

    #[test]
    fn a_change_with_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        assert_eq!(
            unified(old, new, "x.playbook"),
            "--- a/x.playbook\n+++ b/x.playbook\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn far_changes_make_two_hunks_and_near_ones_one() {
        let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let new = old.replace("2\n", "two\n").replace("19\n", "nineteen\n");
        let diff = unified(&old, &new, "x");
        assert_eq!(diff.matches("@@ -").count(), 2, "{diff}");
        let new = old
            .replace("\n5\n", "\nfive\n")
            .replace("\n9\n", "\nnine\n");
        let diff = unified(&old, &new, "x");
        assert_eq!(diff.matches("@@ -").count(), 1, "{diff}");
    }

    #[test]
    fn insertions_into_an_empty_file_and_missing_newlines() {
        assert_eq!(
            unified("", "a\nb\n", "x"),
            "--- a/x\n+++ b/x\n@@ -0,0 +1,2 @@\n+a\n+b\n"
        );
        assert_eq!(
            unified("a", "a\n", "x"),
            "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n"
        );
    }

    #[test]
    fn the_script_is_shortest() {
        let a = ["a\n", "b\n", "c\n", "a\n", "b\n", "b\n", "a\n"];
        let b = ["c\n", "b\n", "a\n", "b\n", "a\n", "c\n"];
        let ops = myers(&a, &b).expect("a script");
        let edits = ops.iter().filter(|op| !matches!(op, Op::Same(..))).count();
        assert_eq!(edits, 5);
    }
}
