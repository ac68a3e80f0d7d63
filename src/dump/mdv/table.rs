//! mdv's table layout: a title line, a `=` rule as wide as the columns, the header
//! indented past the row numbers, then `N: ` rows (hex, right-aligned) with every
//! column padded to its widest value plus two spaces.

use std::fmt::Write;

pub struct Table {
    title: String,
    header: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(title: impl Into<String>, header: &[&'static str]) -> Self {
        Table { title: title.into(), header: header.to_vec(), rows: Vec::new() }
    }

    pub fn row(&mut self, fields: Vec<String>) {
        self.rows.push(fields);
    }

    /// Writes the table and a blank line; an empty table writes nothing.
    pub fn write(&self, out: &mut String) {
        if self.rows.is_empty() {
            return;
        }
        const SEPARATOR: usize = 2;
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count() + SEPARATOR).collect();
        for row in &self.rows {
            for (w, f) in widths.iter_mut().zip(row) {
                *w = (*w).max(f.chars().count() + SEPARATOR);
            }
        }
        let number_width = format!("{:x}", self.rows.len()).len();
        let table_width = self.title.chars().count().max(widths.iter().sum::<usize>() + widths.len());
        let rule = "=".repeat(table_width);
        let write_fields = |out: &mut String, fields: &[String]| {
            for (f, w) in fields.iter().zip(&widths) {
                let _ = write!(out, "{f}{}", " ".repeat(w - f.chars().count()));
            }
        };
        let _ = writeln!(out, "{}\n{rule}", self.title);
        out.push_str(&" ".repeat(number_width + 2));
        let header: Vec<String> = self.header.iter().map(|h| h.to_string()).collect();
        write_fields(out, &header);
        let _ = writeln!(out, "\n{rule}");
        for (i, row) in self.rows.iter().enumerate() {
            let _ = write!(out, "{:>number_width$x}: ", i + 1);
            write_fields(out, row);
            out.push('\n');
        }
        out.push('\n');
    }
}
