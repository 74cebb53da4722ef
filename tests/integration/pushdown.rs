//! Audits from statistics: `fairgate stats` then `fairgate audit --from-stats` gives the JSON
//! the audit of the rows gives (apart from `input`), for scores, decisions, weights, missing
//! protected values and rejected rows; shards' statistics added together equal the whole;
//! malformed statistics files are refused naming the line and column.

use std::path::Path;

use crate::util::{fairgate, root, stderr};

/// The audit JSON without its `input` section.
fn without_input(path: &Path) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(path)?)?;
    let input = v
        .as_object_mut()
        .and_then(|o| o.remove("input"))
        .ok_or("no input section")?;
    Ok(
        serde_json::json!({"audit": v, "rows_used": input["rows_used"], "rejected": input["rejected"]
        .as_array()
        .map(|r| r.iter().map(|x| (x["reason"].clone(), x["column"].clone(), x["rows"].clone())).collect::<Vec<_>>())}),
    )
}

fn run(args: &[&str]) -> Result<(), Box<dyn std::error::Error>> {
    let o = fairgate(args);
    if o.status.code() != Some(0) {
        return Err(format!("{args:?}: {}", stderr(&o)).into());
    }
    Ok(())
}

/// Audits `data` with `flags` directly and through `fairgate stats` (whole, and split into
/// `shards` files by lines), and checks the audits agree, rejected rows included.
fn assert_same_audit(
    dir: &Path,
    data: &str,
    flags: &[&str],
    audit_flags: &[&str],
    shards: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let csv = dir.join("data.csv");
    std::fs::write(&csv, data)?;
    let csv_s = csv.to_string_lossy().to_string();
    let direct = dir.join("direct.json");
    let mut args = vec!["audit", "--data", &csv_s, "--format", "json", "--out"];
    let direct_s = direct.to_string_lossy().to_string();
    args.push(&direct_s);
    args.extend(flags);
    args.extend(audit_flags);
    run(&args)?;
    let expected = without_input(&direct)?;
    // Split into shards by lines, each with the header.
    let mut lines = data.lines();
    let header = lines.next().ok_or("empty data")?;
    let body: Vec<&str> = lines.collect();
    let per = body.len().div_ceil(shards.max(1)).max(1);
    let mut stats_files = Vec::new();
    for (k, chunk) in body.chunks(per).enumerate() {
        let shard = dir.join(format!("shard{k}.csv"));
        std::fs::write(&shard, format!("{header}\n{}\n", chunk.join("\n")))?;
        let out = dir.join(format!("shard{k}.stats.csv"));
        let (shard_s, out_s) = (
            shard.to_string_lossy().to_string(),
            out.to_string_lossy().to_string(),
        );
        let mut args = vec!["stats", "--data", &shard_s, "--out", &out_s];
        args.extend(flags);
        run(&args)?;
        stats_files.push(out_s);
    }
    let pushed = dir.join("pushed.json");
    let pushed_s = pushed.to_string_lossy().to_string();
    let mut args = vec![
        "audit",
        "--format",
        "json",
        "--out",
        &pushed_s,
        "--from-stats",
    ];
    args.extend(stats_files.iter().map(String::as_str));
    args.extend(audit_flags);
    run(&args)?;
    assert_eq!(
        without_input(&pushed)?,
        expected,
        "{flags:?} {audit_flags:?}, {shards} shards"
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&pushed)?)?;
    assert_eq!(
        v["input"]["statistics"].as_array().map(Vec::len),
        Some(stats_files.len())
    );
    Ok(())
}

#[test]
fn statistics_audits_equal_row_audits_whole_and_in_shards() -> Result<(), Box<dyn std::error::Error>>
{
    let dir = tempfile::tempdir()?;
    let demo = std::fs::read_to_string(root().join("datasets/leads_demo.csv"))?;
    let demo_flags = [
        "--label",
        "converted",
        "--score",
        "vendor_score",
        "--protected",
        "gender,age_band,ethnicity,region",
    ];
    for shards in [1, 3] {
        assert_same_audit(
            dir.path(),
            &demo,
            &demo_flags,
            &[
                "--threshold",
                "0.2",
                "--intersect",
                "gender,age_band",
                "--bins",
                "quantile:10",
            ],
            shards,
        )?;
    }
    // Decisions and scores, integer weights (the first one 3), missing protected values,
    // and rows the audit rejects: a score of 1.5, a missing label, a negative weight.
    let mut data = String::from("y,s,d,g,h,w\n");
    for i in 0..3000u32 {
        let g = ["a", "b", "", "c"][(i % 4) as usize];
        let h = ["x", "y", "unknown"][(i % 3) as usize];
        let s = f64::from((i * 7919) % 1000) / 1000.0;
        let y = u32::from((i * 31) % 7 < 3);
        let d = u32::from(s > 0.4 && i % 5 != 0);
        let w = 3 - i % 3;
        data.push_str(&format!("{y},{s},{d},{g},{h},{w}\n"));
    }
    data.push_str("1,1.5,1,a,x,1\n,0.3,0,b,y,1\n0,0.2,0,a,x,-1\n");
    let base = ["--label", "y", "--protected", "g,h", "--on-invalid", "skip"];
    for extra in [
        vec!["--score", "s"],
        vec!["--prediction", "d"],
        vec!["--score", "s", "--prediction", "d"],
        vec!["--score", "s", "--weight", "w"],
        vec!["--prediction", "d", "--weight", "w"],
    ] {
        let flags: Vec<&str> = base.iter().copied().chain(extra.iter().copied()).collect();
        for shards in [1, 4] {
            assert_same_audit(
                dir.path(),
                &data,
                &flags,
                &["--min-group-size", "20"],
                shards,
            )?;
        }
    }
    Ok(())
}

#[test]
fn malformed_statistics_files_are_refused_with_their_line() -> Result<(), Box<dyn std::error::Error>>
{
    let dir = tempfile::tempdir()?;
    let good = "kind,name,column,rows,weight,weight2,label,score,prediction,g1\n\
                version,1,,,,,,,,\n\
                role,label,y,,,,,,,\n\
                role,score,s,,,,,,,\n\
                role,protected,g,1,,,,,,\n\
                cell,,,5,,,1,0.5,,a\n\
                cell,,,7,,,0,0.25,,b\n";
    let path = dir.path().join("s.csv");
    let p = path.to_string_lossy().to_string();
    std::fs::write(&path, good)?;
    let ok = fairgate(&["audit", "--from-stats", &p, "--format", "json"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    for (bad, says) in [
        (
            good.replace("version,1", "version,2"),
            ":2:2: statistics version 2; this fairgate reads version 1",
        ),
        (
            good.replace("cell,,,7,,,0,0.25", "cell,,,7,,,0,1.5"),
            ":7:8: expected a score in [0, 1], found \"1.5\"",
        ),
        (
            good.replace("cell,,,7,", "cell,,,seven,"),
            ":7:4: expected a count of rows (1 to 2^53), found \"seven\"",
        ),
        (
            good.replace("cell,,,7,", "cell,,,0,"),
            ":7:4: expected a count of rows (1 to 2^53), found \"0\"",
        ),
        (
            good.replace("cell,,,7,", "cell,,,18446744073709551615,"),
            ":7:4: expected a count of rows",
        ),
        (
            good.replace("cell,,,5,,,1", "cell,,,5,,,2"),
            ":6:7: expected 0 or 1 in \"label\", found \"2\"",
        ),
        (
            good.replace("role,label,y", "role,lable,y"),
            ":3:2: expected a role",
        ),
        (
            good.replace("role,score,s,,,,,,,\n", ""),
            "no score or prediction role",
        ),
        (good.replace("cell,,,7", "cel,,,7"), ":7:1: expected a kind"),
        (good.replace("version,1,,,,,,,,\n", ""), "no version line"),
        (good.replace(",g1\n", ",group\n"), "no column g1"),
        (
            "not,a,stats,file\n1,2,3,4\n".to_string(),
            ":1: expected a statistics file",
        ),
    ] {
        std::fs::write(&path, &bad)?;
        let o = fairgate(&["audit", "--from-stats", &p, "--format", "json"]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(stderr(&o).contains(says), "{says}: {}", stderr(&o));
    }
    // The bootstrap needs rows; a data file and statistics together are a usage error.
    std::fs::write(&path, good)?;
    for args in [
        vec!["audit", "--from-stats", &p, "--bootstrap", "10"],
        vec!["audit", "--from-stats", &p, "--data", &p],
    ] {
        let o = fairgate(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));
    }
    // Counts that add up past 2^53 (each line within it) are refused, never wrapped.
    let big = good
        .replace("cell,,,5,", "cell,,,9007199254740992,")
        .replace("cell,,,7,", "cell,,,9007199254740992,");
    std::fs::write(&path, big)?;
    let o = fairgate(&["audit", "--from-stats", &p]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("at most 2^53 rows"), "{}", stderr(&o));
    std::fs::write(&path, good)?;
    // Shards of other columns do not add up.
    let other = dir.path().join("o.csv");
    std::fs::write(&other, good.replace("role,label,y", "role,label,z"))?;
    let o = fairgate(&["audit", "--from-stats", &p, &other.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("other columns than the first file"),
        "{}",
        stderr(&o)
    );
    Ok(())
}
