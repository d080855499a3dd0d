/**
 * A small RFC 4180 CSV parser for the replay sources: comma-separated fields, records ended by
 * CRLF or LF, and double-quoted fields that may hold commas, line breaks and doubled quotes ("").
 * It is strict: a quote inside an unquoted field, text after a closing quote or an unclosed
 * quote fails with "REPLAY_SOURCE_INVALID", naming the line where the record starts.
 */
import { sourceInvalid } from "./source-reader.js";

/**
 * Parses CSV text into records of fields. A leading byte-order mark is dropped, a final line
 * break does not start an empty record, and a completely empty line is read as one empty field
 * (as RFC 4180 says); records are not required to have equal lengths (see `csvTable`).
 * `label` names the file in error messages, which read "<label>:<line>: ...".
 */
export function parseCsv(text: string, label: string): string[][] {
  const input = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let line = 1;
  let i = 0;
  const n = input.length;
  if (n === 0) return records;
  for (;;) {
    // At the start of a field.
    if (input[i] === '"') {
      const quoteLine = line;
      i++;
      for (;;) {
        if (i >= n) sourceInvalid(`${label}:${quoteLine}`, "a quoted field is not closed");
        const ch = input[i] as string;
        if (ch === '"') {
          if (input[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (ch === "\n") line++;
        field += ch;
        i++;
      }
      if (i < n && input[i] !== "," && input[i] !== "\n" && !(input[i] === "\r" && input[i + 1] === "\n")) {
        sourceInvalid(`${label}:${line}`, "text after the closing quote of a field");
      }
    } else {
      while (i < n && input[i] !== "," && input[i] !== "\n" && !(input[i] === "\r" && input[i + 1] === "\n")) {
        if (input[i] === '"') sourceInvalid(`${label}:${line}`, "a quote inside an unquoted field");
        field += input[i];
        i++;
      }
    }
    // After a field: a comma, a line break or the end.
    record.push(field);
    field = "";
    if (i >= n) {
      records.push(record);
      return records;
    }
    if (input[i] === ",") {
      i++;
      continue;
    }
    i += input[i] === "\r" ? 2 : 1;
    line++;
    records.push(record);
    record = [];
    if (i >= n) return records;
  }
}

/** A CSV file with a header row: the column names and the data rows, each with its line. */
export interface CsvTable {
  header: string[];
  rows: { fields: string[]; where: string }[];
}

/**
 * Parses CSV text with a header row and checks that every data row has as many fields as the
 * header. Each row carries "<label>:<n>" (n counts data rows from 1, after the header) for messages.
 */
export function csvTable(text: string, label: string): CsvTable {
  const records = parseCsv(text, label);
  const header = records[0];
  if (header === undefined) sourceInvalid(label, "empty CSV file");
  const rows = records.slice(1).map((fields, r) => {
    const where = `${label}: data row ${r + 1}`;
    if (fields.length !== header.length) {
      sourceInvalid(where, `expected ${header.length} fields as in the header, found ${fields.length}`);
    }
    return { fields, where };
  });
  return { header, rows };
}

/** The index of a named column in a CSV header; fails with "REPLAY_SOURCE_INVALID" when absent. */
export function csvColumn(header: readonly string[], name: string, label: string): number {
  const index = header.indexOf(name);
  if (index < 0) sourceInvalid(label, `no "${name}" column`);
  return index;
}
