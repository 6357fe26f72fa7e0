// Aligned text columns, for ls and sql.

/** Rows of cells as lines, each column padded to its widest cell (numbers aligned right). */
export function alignedTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, value] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, value.length);
  }
  const numeric = widths.map(
    (_, i) => rows.slice(1).length > 0 && rows.slice(1).every((row) => /^-?[\d.]+$/.test(row[i] ?? "")),
  );
  return rows
    .map((row) =>
      row
        .map((value, i) => {
          if (i === row.length - 1 && !numeric[i]) return value;
          return numeric[i] ? value.padStart(widths[i]!) : value.padEnd(widths[i]!);
        })
        .join("  "),
    )
    .map((line) => `${line}\n`)
    .join("");
}
