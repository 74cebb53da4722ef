"""Run fairgate's DuckDB statistics queries as docs/commands/stats.md says a DuckDB user does.

    python duckdb_stats.py N NAME=CSV... QUERY_FILE=OUT_BASE...

The first N pairs register CSV files (header row, every column read as text, RFC 4180
quoting, as fairgate reads a file) as views; each following pair runs the query with
`COPY (query) TO 'OUT_BASE.csv' (HEADER)` and `COPY (query) TO 'OUT_BASE.parquet'
(FORMAT parquet)`. Used by tests/integration/pushdown.rs.
"""

import sys

import duckdb


def literal(text):
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def main():
    n = int(sys.argv[1])
    con = duckdb.connect()
    for item in sys.argv[2:2 + n]:
        name, _, path = item.partition("=")
        con.execute(
            f'CREATE VIEW "{name}" AS SELECT * FROM read_csv({literal(path)}, header = true, '
            "all_varchar = true, quote = '\"', escape = '\"')")
    for item in sys.argv[2 + n:]:
        query_file, _, out = item.partition("=")
        with open(query_file, encoding="utf-8") as f:
            query = f.read()
        con.execute(f"COPY ({query}) TO {literal(out + '.csv')} (HEADER)")
        con.execute(f"COPY ({query}) TO {literal(out + '.parquet')} (FORMAT parquet)")


if __name__ == "__main__":
    main()
