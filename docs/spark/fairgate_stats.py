"""Run fairgate's statistics query on Apache Spark and write the statistics file.

The query comes from `fairgate sql --dialect spark` (see docs/commands/stats.md); its result
is small (one line per protected values, label, score and decision), so it is collected on
the driver and written as one statistics CSV for `fairgate audit --from-stats`; with
`--parquet` it is also written by Spark as a folder of Parquet parts (OUT_CSV.parquet), which
`fairgate audit --from-stats OUT_CSV.parquet` reads as it is.

    fairgate sql --dialect spark --table crm.scored_leads --label converted --score score \\
      --protected gender,age_band --out stats.sql
    spark-submit fairgate_stats.py --run stats.sql=stats.csv
    fairgate audit --from-stats stats.csv --threshold 0.2

`--input NAME=PATH` registers a CSV file (header row, every column read as text, as fairgate
reads a file) as the view NAME first, for trying it without a metastore; `--run` may be given
several times (one Spark session runs them all). Without spark-submit, `python
fairgate_stats.py ...` starts a local session (`local[*]`).
"""

import argparse
import csv
import math
import sys

from pyspark.sql import SparkSession


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", action="append", default=[], metavar="NAME=PATH",
                    help="register a CSV file (header, all columns as text) as the view NAME")
    ap.add_argument("--run", action="append", required=True, metavar="QUERY_FILE=OUT_CSV",
                    help="run the query in QUERY_FILE and write its result to OUT_CSV")
    ap.add_argument("--parquet", action="store_true",
                    help="also write each result as a Parquet folder OUT_CSV.parquet")
    a = ap.parse_args()
    spark = (SparkSession.builder.appName("fairgate-stats")
             .config("spark.ui.enabled", "false")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    for item in a.input:
        name, _, path = item.partition("=")
        # RFC 4180 quoting, as fairgate reads CSV: a quote inside a quoted field is doubled
        # (Spark's default escape is a backslash).
        (spark.read.option("header", "true").option("inferSchema", "false")
         .option("quote", '"').option("escape", '"').option("multiLine", "true")
         .csv(path).createOrReplaceTempView(name))
    for item in a.run:
        query_file, _, out = item.partition("=")
        with open(query_file, encoding="utf-8") as f:
            query = f.read()
        df = spark.sql(query)
        rows = df.collect()
        with open(out, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(df.columns)
            for r in rows:
                w.writerow([cell(v) for v in r])
        if a.parquet:
            df.write.mode("overwrite").parquet(out + ".parquet")
        print(f"{out}: {len(rows)} lines", file=sys.stderr)
    spark.stop()


def cell(v):
    """A value as the statistics file spells it: empty for NULL, floats with the shortest
    digits that read back to the same double."""
    if v is None:
        return ""
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"a non-finite number in the result: {v}")
        return repr(v)
    return str(v)


if __name__ == "__main__":
    main()
