//! JSON Schemas (draft 2020-12) of the JSON files fairgate writes, generated from the types
//! that write them, so that they cannot drift apart: `fairgate schema NAME` prints one, and
//! docs/schema/NAME.schema.json holds the committed copy (a test keeps the two equal). Each
//! describes what fairgate writes (the serialisation), not every older form it still reads.

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;

/// The output files with a schema: (name, what it describes).
pub const SCHEMAS: [(&str, &str); 6] = [
    ("audit", "fairgate audit --format json"),
    ("model", "the model file fairgate train writes"),
    ("explanation", "fairgate explain --format json"),
    ("gate", "fairgate gate --format json (or --json FILE)"),
    ("compare", "fairgate compare --format json"),
    ("evidence", "evidence.json in a fairgate report folder"),
];

/// The schema of the output file `name` (one of [`SCHEMAS`]) as pretty JSON with a final
/// newline, or `None` for another name.
pub fn schema(name: &str) -> Option<String> {
    let (_, about) = SCHEMAS.iter().find(|(n, _)| *n == name)?;
    let mut schema = match name {
        "audit" => of::<crate::audit::AuditReport>(),
        "model" => of::<crate::train::Model>(),
        "explanation" => of::<crate::explain::Explanation>(),
        "gate" => of::<crate::policy::GateResult>(),
        "compare" => of::<crate::compare::Comparison>(),
        "evidence" => of::<crate::report::Evidence<'static>>(),
        _ => return None,
    };
    if let Some(obj) = schema.as_object_mut() {
        obj.insert(
            "$id".into(),
            format!("https://fairgate.dev/schema/{name}.schema.json").into(),
        );
        obj.insert("title".into(), format!("fairgate {name}").into());
        obj.insert(
            "description".into(),
            format!(
                "{about}, as fairgate {} writes it.",
                crate::version::VERSION
                    .split('.')
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(".")
            )
            .into(),
        );
    }
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    Some(text)
}

/// `T`'s schema as serialised, definitions under `$defs`.
fn of<T: JsonSchema>() -> serde_json::Value {
    let generator = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator();
    generator.into_root_schema_for::<T>().to_value()
}
