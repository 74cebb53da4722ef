//! The examples each command's `--help` ends with. Every line that starts with `fairgate`
//! must parse (a test parses them all) and runs on the bundled demo files (a test runs them
//! all in a folder holding datasets/ and the files earlier examples write).

/// `fairgate` itself: the whole pipeline, then the commands one by one; the exit codes.
pub const FAIRGATE: &str = "\
Examples:
  fairgate run datasets/demo.toml
  fairgate train --config datasets/demo.toml --threshold 0.2 --out model.json
  fairgate score --model model.json --data leads.csv --out scored.csv
  fairgate audit --data scored.csv --label converted --score score --protected gender,age_band --out audit.json
  fairgate gate --policy four-fifths --audit audit.json

Exit codes: 0 ok (or the gate passed), 1 a gate failed, 2 usage or input error.";

/// `fairgate datasets`.
pub const DATASETS: &str = "\
Examples:
  fairgate datasets generate --out leads.csv";

/// `fairgate datasets generate`.
pub const GENERATE: &str = "\
Examples:
  fairgate datasets generate --out leads.csv
  fairgate datasets generate --rows 5000 --seed 7 --with-truth --out small.csv";

/// `fairgate inspect`.
pub const INSPECT: &str = "\
Examples:
  fairgate inspect --config datasets/demo.toml --all-columns
  fairgate inspect --data leads.csv --label converted --protected gender,age_band --out profile.json";

/// `fairgate audit`.
pub const AUDIT: &str = "\
Examples:
  fairgate audit --data scored.csv --label converted --score score --protected gender,age_band
  fairgate audit --config datasets/demo.toml --threshold 0.2 --intersect gender,age_band --out audit.json
  fairgate audit --from-stats part1.stats.csv part2.stats.csv --threshold 0.2";

/// `fairgate stats`.
pub const STATS: &str = "\
Examples:
  fairgate stats --data scored.csv --label converted --score score --protected gender,age_band --out part1.stats.csv
  fairgate audit --from-stats part1.stats.csv part2.stats.csv";

/// `fairgate sql`.
pub const SQL: &str = "\
Examples:
  fairgate sql --dialect postgres --table crm.scored_leads --label converted --score score --protected gender,age_band
  fairgate sql --dialect spark --config datasets/demo.toml --table leads --out stats.sql";

/// `fairgate train`.
pub const TRAIN: &str = "\
Examples:
  fairgate train --config datasets/demo.toml --cv 5 --threshold 0.2 --out model.json
  fairgate train --data leads.csv --label converted --id lead_id --score vendor_score --protected gender,age_band,ethnicity,region --consent consent --exclude consent_timestamp --out model.json";

/// `fairgate score`.
pub const SCORE: &str = "\
Examples:
  fairgate score --model model.json --data leads.csv --out scored.csv
  fairgate score --model model.json --data new_leads.csv --on-invalid skip --summary scoring.json --out scored.csv";

/// `fairgate explain`.
pub const EXPLAIN: &str = "\
Examples:
  fairgate explain --model model.json --data leads.csv
  fairgate explain --model model.json --data leads.csv --reasons reasons.csv --out explain.json";

/// `fairgate subject`.
pub const SUBJECT: &str = "\
Examples:
  fairgate subject --model model.json --data leads.csv --id L0000003
  fairgate subject --model model.json --data leads.csv --id L0000003 --out L0000003.txt";

/// `fairgate report`.
pub const REPORT: &str = "\
Examples:
  fairgate report --audit audit.json --explain explain.json --model model.json --context datasets/context.toml --out evidence
  fairgate report --verify evidence";

/// `fairgate gate`.
pub const GATE: &str = "\
Examples:
  fairgate gate --policy four-fifths --audit audit.json
  fairgate gate --policy gdpr-strict --audit audit.json --model model.json --explain explain.json --junit gate.xml";

/// `fairgate run`.
pub const RUN: &str = "\
Examples:
  fairgate run datasets/demo.toml
  fairgate run datasets/demo.toml --out run --dry-run";

/// `fairgate compare`.
pub const COMPARE: &str = "\
Examples:
  fairgate compare audit-2026q1.json audit-2026q2.json
  fairgate compare audit-2026q1.json audit-2026q2.json --policy four-fifths --fail-on-regression --html trend.html";

/// `fairgate mitigate`.
pub const MITIGATE: &str = "\
Examples:
  fairgate mitigate --config datasets/demo.toml --out alternatives.json
  fairgate mitigate threshold --data scored.csv --label converted --score score --protected age_band";

/// `fairgate mitigate reweigh`.
pub const REWEIGH: &str = "\
Examples:
  fairgate mitigate reweigh --data leads.csv --label converted --protected age_band --by age_band --weights weights.csv";

/// `fairgate mitigate threshold`.
pub const THRESHOLD: &str = "\
Examples:
  fairgate mitigate threshold --data scored.csv --label converted --score score --protected age_band
  fairgate mitigate threshold --data scored.csv --label converted --score score --protected age_band --objective value:4,-1 --policy four-fifths --curve curve.csv";

/// `fairgate mitigate group-thresholds`.
pub const GROUP_THRESHOLDS: &str = "\
Examples:
  fairgate mitigate group-thresholds --data scored.csv --label converted --score score --protected age_band --by age_band
  fairgate mitigate group-thresholds --data scored.csv --label converted --score score --protected age_band --by age_band --constraint equalized_odds";

/// `fairgate completions`.
pub const COMPLETIONS: &str = "\
Examples:
  fairgate completions bash
  fairgate completions zsh";

/// `fairgate schema`.
pub const SCHEMA: &str = "\
Examples:
  fairgate schema audit --out audit.schema.json
  fairgate schema model";

/// `fairgate man`.
pub const MAN: &str = "\
Examples:
  fairgate man --out fairgate.1
  fairgate man mitigate threshold";
