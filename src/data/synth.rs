//! The synthetic lead-scoring data set: realistic B2B marketing leads with engagement,
//! firmographics, job seniority, protected and sensitive attributes, consent, a vendor's score
//! and a `converted` label, with documented biases injected on purpose (see
//! `datasets/README.md`, the datasheet, for every column and effect).
//!
//! Deterministic per seed on every platform: the random stream is xoshiro256++ and every
//! transcendental function comes from `libm` (pure Rust), not the platform's maths library.
//! Numbers are written with fixed decimals.

use std::io::Write;

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::{DataError, DataSpec};
use crate::time::{days_from_civil, format_timestamp};

/// Generator settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthParams {
    /// Number of leads. At least 1.
    pub rows: usize,
    /// Seed of the random stream.
    pub seed: u64,
    /// Also write the ground truth: `true_propensity` (the conversion probability before any
    /// bias) and `converted_true` (the outcome before follow-up bias and label noise).
    pub with_truth: bool,
}

impl SynthParams {
    /// `rows` leads from `seed`, without the ground-truth columns.
    pub fn new(rows: usize, seed: u64) -> SynthParams {
        SynthParams {
            rows,
            seed,
            with_truth: false,
        }
    }

    /// Checks the settings: at least one row. [`generate`] takes only checked settings.
    pub fn check(self) -> Result<crate::params::Checked<SynthParams>, DataError> {
        if self.rows == 0 {
            return Err(crate::params::InvalidParam::new("rows", "at least 1 row", 0).into());
        }
        Ok(crate::params::Checked::after_check(self))
    }
}

/// The as-of date of the data set: consent timestamps after it are late (see the datasheet).
pub const AS_OF: &str = "2026-06-30";

/// Injected effect sizes, as documented in the datasheet. Tests check the generated data
/// against them.
pub mod truth {
    /// Share of leads whose gender is `non_binary` (the small group).
    pub const NON_BINARY_SHARE: f64 = 0.015;
    /// Probability that a true conversion in a district with affluence below
    /// [`LOW_AFFLUENCE`] was recorded as not converted (no sales follow-up).
    pub const FOLLOW_UP_LOSS: f64 = 0.30;
    /// The affluence index below which follow-up was lost.
    pub const LOW_AFFLUENCE: f64 = 45.0;
    /// Label flip probability for leads aged 65+.
    pub const FLIP_65_PLUS: f64 = 0.08;
    /// Label flip probability for non-binary leads (not 65+).
    pub const FLIP_NON_BINARY: f64 = 0.06;
    /// Label flip probability for everyone else.
    pub const FLIP_BASE: f64 = 0.02;
    /// Probability that a woman's director or executive seniority is recorded one level lower.
    pub const SENIORITY_DOWNGRADE_WOMEN: f64 = 0.25;
    /// Share of leads with consent missing, and with consent refused.
    pub const CONSENT_MISSING: f64 = 0.01;
    /// Share of leads who refused consent.
    pub const CONSENT_REFUSED: f64 = 0.07;
    /// Share of consenting leads whose consent timestamp falls after the as-of date.
    pub const CONSENT_LATE: f64 = 0.005;
    /// Missing-value shares of company_size, industry and days_since_last_activity.
    pub const MISSING_COMPANY_SIZE: f64 = 0.02;
    /// See [`MISSING_COMPANY_SIZE`].
    pub const MISSING_INDUSTRY: f64 = 0.015;
    /// See [`MISSING_COMPANY_SIZE`].
    pub const MISSING_DAYS: f64 = 0.01;
}

const GENDERS: [(&str, f64); 3] = [
    ("female", 0.47),
    ("male", 0.515),
    ("non_binary", truth::NON_BINARY_SHARE),
];
const AGE_BANDS: [(&str, f64); 6] = [
    ("18-24", 0.10),
    ("25-34", 0.27),
    ("35-44", 0.27),
    ("45-54", 0.20),
    ("55-64", 0.12),
    ("65+", 0.04),
];
/// Region, its share, its district code prefix and its mean affluence.
const REGIONS: [(&str, f64, &str, f64); 6] = [
    ("North", 0.22, "NTH", 45.0),
    ("Midlands", 0.20, "MID", 48.0),
    ("South", 0.28, "STH", 58.0),
    ("London", 0.18, "LDN", 60.0),
    ("Scotland", 0.08, "SCT", 50.0),
    ("Wales", 0.04, "WLS", 44.0),
];
const ETHNICITIES: [&str; 5] = ["White", "Asian", "Black", "Mixed", "Other"];
const ETHNICITY_LONDON: [f64; 5] = [0.55, 0.18, 0.13, 0.07, 0.07];
const ETHNICITY_ELSEWHERE: [f64; 5] = [0.86, 0.07, 0.03, 0.02, 0.02];
/// District affluence offsets from the region mean, lowest first.
const DISTRICT_OFFSETS: [f64; 5] = [-20.0, -10.0, 0.0, 10.0, 20.0];
/// Probability weights of the five districts (lowest affluence first) by ethnicity: the
/// residential segregation that makes postcode a proxy for ethnicity.
const DISTRICT_WEIGHTS_WHITE: [f64; 5] = [0.8, 0.9, 1.0, 1.1, 1.2];
const DISTRICT_WEIGHTS_MINORITY: [f64; 5] = [4.0, 2.5, 1.0, 0.4, 0.2];
const COMPANY_SIZES: [(&str, f64, f64); 5] = [
    ("1-10", 0.25, -0.5),
    ("11-50", 0.30, -0.2),
    ("51-200", 0.22, 0.0),
    ("201-1000", 0.15, 0.2),
    ("1000+", 0.08, 0.4),
];
const INDUSTRIES: [(&str, f64, f64); 8] = [
    ("software", 0.22, 0.3),
    ("finance", 0.14, 0.2),
    ("retail", 0.14, 0.0),
    ("manufacturing", 0.14, 0.0),
    ("healthcare", 0.12, 0.0),
    ("education", 0.10, -0.2),
    ("public_sector", 0.08, -0.3),
    ("other", 0.06, 0.0),
];
const SENIORITIES: [&str; 5] = ["entry", "professional", "manager", "director", "executive"];
const SENIORITY_EFFECT: [f64; 5] = [-0.7, -0.2, 0.2, 0.5, 0.7];
const SENIORITY_BY_AGE: [[f64; 5]; 6] = [
    [0.55, 0.35, 0.08, 0.02, 0.00],
    [0.20, 0.45, 0.25, 0.08, 0.02],
    [0.08, 0.35, 0.32, 0.18, 0.07],
    [0.05, 0.30, 0.30, 0.22, 0.13],
    [0.05, 0.30, 0.28, 0.22, 0.15],
    [0.10, 0.35, 0.25, 0.15, 0.15],
];
const FUNCTIONS: [&str; 7] = [
    "Marketing",
    "Sales",
    "Operations",
    "Finance",
    "IT",
    "HR",
    "Procurement",
];

/// The header of the generated CSV (without the ground-truth columns).
pub const COLUMNS: [&str; 20] = [
    "lead_id",
    "gender",
    "age_band",
    "ethnicity",
    "region",
    "postcode_district",
    "postcode_affluence",
    "company_size",
    "industry",
    "job_title",
    "job_seniority",
    "email_opens",
    "email_clicks",
    "page_visits",
    "webinars_attended",
    "days_since_last_activity",
    "consent",
    "consent_timestamp",
    "vendor_score",
    "converted",
];

/// The column roles of generated data, as `datasets/demo.toml` gives them: label `converted`,
/// score `vendor_score`, id `lead_id`, the four protected attributes, consent and its
/// timestamp (consent given after the as-of date does not count). Every other column is a
/// candidate feature.
pub fn spec() -> DataSpec {
    DataSpec {
        label: Some("converted".into()),
        score: Some("vendor_score".into()),
        id: Some("lead_id".into()),
        protected: Some(
            ["gender", "age_band", "ethnicity", "region"]
                .map(String::from)
                .to_vec(),
        ),
        consent: Some("consent".into()),
        timestamp: Some(vec!["consent_timestamp".into()]),
        consent_timestamp: Some("consent_timestamp".into()),
        as_of: Some(AS_OF.into()),
        ..DataSpec::default()
    }
}

/// Writes `params.rows` leads as CSV (comma-separated, LF line ends, header first).
///
/// ```
/// use fairgate::data::synth::{generate, SynthParams};
/// let mut a = Vec::new();
/// let mut b = Vec::new();
/// generate(&SynthParams::new(100, 42).check()?, &mut a)?;
/// generate(&SynthParams::new(100, 42).check()?, &mut b)?;
/// assert_eq!(a, b);
/// # Ok::<(), fairgate::Error>(())
/// ```
pub fn generate(
    params: &crate::params::Checked<SynthParams>,
    out: impl Write,
) -> Result<(), DataError> {
    // Guarded like every CSV fairgate writes (no generated value starts like a formula, so
    // this changes no byte; it keeps it so if the generator ever writes one).
    let mut w = crate::output::CsvWriter::new(
        std::io::BufWriter::new(out),
        crate::output::CsvCells::Guarded,
    );
    let mut header: Vec<&str> = COLUMNS.to_vec();
    if params.with_truth {
        header.extend(["true_propensity", "converted_true"]);
    }
    w.write_record(&header).map_err(csv_io)?;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(params.seed);
    let consent_from = days_from_civil(2023, 1, 1);
    let as_of = days_from_civil(2026, 6, 30);
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    for i in 0..params.rows {
        let lead = Lead::draw(&mut rng, consent_from, as_of);
        row.clear();
        lead.write(i, params.with_truth, &mut row);
        w.write_record(&row).map_err(csv_io)?;
    }
    w.flush().map_err(DataError::Write)?;
    Ok(())
}

fn csv_io(e: csv::Error) -> DataError {
    DataError::Write(crate::output::csv_io(e))
}

/// One generated lead, before formatting.
struct Lead {
    gender: usize,
    age: usize,
    ethnicity: usize,
    region: usize,
    district: usize,
    affluence: f64,
    company_size: Option<usize>,
    industry: Option<usize>,
    function: usize,
    title_variant: bool,
    seniority: usize,
    opens: u32,
    clicks: u32,
    visits: u32,
    webinars: u32,
    days_inactive: Option<u32>,
    consent: Option<bool>,
    consent_day: Option<i64>,
    vendor_score: f64,
    propensity: f64,
    converted_true: bool,
    converted: bool,
}

impl Lead {
    fn draw(rng: &mut Xoshiro256PlusPlus, consent_from: i64, as_of: i64) -> Lead {
        let gender = pick(rng, &GENDERS.map(|g| g.1));
        let age = pick(rng, &AGE_BANDS.map(|a| a.1));
        let region = pick(rng, &REGIONS.map(|r| r.1));
        let london = REGIONS[region].0 == "London";
        let ethnicity = pick(
            rng,
            if london {
                &ETHNICITY_LONDON
            } else {
                &ETHNICITY_ELSEWHERE
            },
        );
        let district = pick(
            rng,
            if ethnicity == 0 {
                &DISTRICT_WEIGHTS_WHITE
            } else {
                &DISTRICT_WEIGHTS_MINORITY
            },
        );
        let affluence =
            (REGIONS[region].3 + DISTRICT_OFFSETS[district] + 6.0 * normal(rng)).clamp(0.0, 100.0);
        let affluence = round_to(affluence, 1);
        let company_size = (!rng.gen_bool(truth::MISSING_COMPANY_SIZE))
            .then(|| pick(rng, &COMPANY_SIZES.map(|c| c.1)));
        let industry =
            (!rng.gen_bool(truth::MISSING_INDUSTRY)).then(|| pick(rng, &INDUSTRIES.map(|c| c.1)));
        let mut seniority = pick(rng, &SENIORITY_BY_AGE[age]);
        if GENDERS[gender].0 == "female"
            && seniority >= 3
            && rng.gen_bool(truth::SENIORITY_DOWNGRADE_WOMEN)
        {
            seniority -= 1;
        }
        let function = rng.gen_range(0..FUNCTIONS.len());
        let title_variant = rng.gen_bool(0.5);

        // Latent interest drives engagement and the true outcome.
        let interest = normal(rng);
        let older = if age >= 4 { 0.8 } else { 1.0 };
        let opens = poisson(rng, older * libm::exp(1.2 + 0.5 * interest));
        let clicks = binomial(rng, opens, sigmoid(-1.5 + 0.6 * interest));
        let visits = poisson(rng, libm::exp(0.8 + 0.6 * interest));
        let webinars = poisson(rng, libm::exp(-1.2 + 0.7 * interest)).min(8);
        let days = -libm::exp(3.5 - 0.6 * interest) * libm::log(1.0 - rng.gen::<f64>());
        let days_inactive =
            (!rng.gen_bool(truth::MISSING_DAYS)).then_some(libm::floor(days).min(365.0) as u32);

        let logit = -2.0
            + interest
            + SENIORITY_EFFECT[seniority]
            + company_size.map_or(0.0, |c| COMPANY_SIZES[c].2)
            + industry.map_or(0.0, |i| INDUSTRIES[i].2);
        let propensity = sigmoid(logit);
        let converted_true = rng.gen_bool(propensity);
        let mut converted = converted_true;
        if converted && affluence < truth::LOW_AFFLUENCE && rng.gen_bool(truth::FOLLOW_UP_LOSS) {
            converted = false;
        }
        let flip = if AGE_BANDS[age].0 == "65+" {
            truth::FLIP_65_PLUS
        } else if GENDERS[gender].0 == "non_binary" {
            truth::FLIP_NON_BINARY
        } else {
            truth::FLIP_BASE
        };
        if rng.gen_bool(flip) {
            converted = !converted;
        }

        let u: f64 = rng.gen();
        let consent = if u < truth::CONSENT_MISSING {
            None
        } else {
            Some(u >= truth::CONSENT_MISSING + truth::CONSENT_REFUSED)
        };
        let consent_day = (consent == Some(true)).then(|| {
            if rng.gen_bool(truth::CONSENT_LATE) {
                rng.gen_range(as_of + 1..=as_of + 92)
            } else {
                rng.gen_range(consent_from..=as_of)
            }
        });

        // A vendor's score: engagement plus the postcode affluence proxy.
        let vendor_logit = -2.9
            + 0.35 * libm::log1p(f64::from(opens))
            + 0.5 * libm::log1p(f64::from(clicks))
            + 0.25 * libm::log1p(f64::from(visits))
            + 0.45 * f64::from(webinars)
            - 0.004 * f64::from(days_inactive.unwrap_or(90))
            + SENIORITY_EFFECT[seniority]
            + 0.05 * (affluence - 50.0);
        let vendor_score = round_to(sigmoid(vendor_logit), 4);
        Lead {
            gender,
            age,
            ethnicity,
            region,
            district,
            affluence,
            company_size,
            industry,
            function,
            title_variant,
            seniority,
            opens,
            clicks,
            visits,
            webinars,
            days_inactive,
            consent,
            consent_day,
            vendor_score,
            propensity,
            converted_true,
            converted,
        }
    }

    fn write(&self, i: usize, with_truth: bool, row: &mut Vec<String>) {
        let f = FUNCTIONS[self.function];
        let title = match (self.seniority, self.title_variant) {
            (0, false) => format!("{f} Assistant"),
            (0, true) => format!("Junior {f} Analyst"),
            (1, false) => format!("{f} Specialist"),
            (1, true) => format!("Senior {f} Analyst"),
            (2, _) => format!("{f} Manager"),
            (3, false) => format!("{f} Director"),
            (3, true) => format!("Head of {f}"),
            (_, false) => format!("VP {f}"),
            (_, true) => format!("Chief {f} Officer"),
        };
        row.extend([
            format!("L{:07}", i + 1),
            GENDERS[self.gender].0.to_string(),
            AGE_BANDS[self.age].0.to_string(),
            ETHNICITIES[self.ethnicity].to_string(),
            REGIONS[self.region].0.to_string(),
            format!("{}{}", REGIONS[self.region].2, self.district + 1),
            format!("{:.1}", self.affluence),
            self.company_size
                .map_or(String::new(), |c| COMPANY_SIZES[c].0.to_string()),
            self.industry
                .map_or(String::new(), |c| INDUSTRIES[c].0.to_string()),
            title,
            SENIORITIES[self.seniority].to_string(),
            self.opens.to_string(),
            self.clicks.to_string(),
            self.visits.to_string(),
            self.webinars.to_string(),
            self.days_inactive.map_or(String::new(), |d| d.to_string()),
            self.consent.map_or(String::new(), |c| c.to_string()),
            self.consent_day.map_or(String::new(), |d| {
                format_timestamp(d * 86_400)[..10].to_string()
            }),
            format!("{:.4}", self.vendor_score),
            u8::from(self.converted).to_string(),
        ]);
        if with_truth {
            row.push(format!("{:.6}", self.propensity));
            row.push(u8::from(self.converted_true).to_string());
        }
    }
}

/// Index drawn with probability proportional to `weights`.
fn pick(rng: &mut Xoshiro256PlusPlus, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut u = rng.gen::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if u < *w {
            return i;
        }
        u -= w;
    }
    weights.len() - 1
}

/// Standard normal by Box-Muller.
fn normal(rng: &mut Xoshiro256PlusPlus) -> f64 {
    let u1: f64 = 1.0 - rng.gen::<f64>(); // (0, 1]
    let u2: f64 = rng.gen();
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(std::f64::consts::TAU * u2)
}

/// Poisson by inversion (fine for the small means used here).
fn poisson(rng: &mut Xoshiro256PlusPlus, lambda: f64) -> u32 {
    let lambda = lambda.min(60.0);
    let u: f64 = rng.gen();
    let mut p = libm::exp(-lambda);
    let mut cdf = p;
    let mut k = 0u32;
    while u > cdf && k < 500 {
        k += 1;
        p *= lambda / f64::from(k);
        cdf += p;
    }
    k
}

fn binomial(rng: &mut Xoshiro256PlusPlus, n: u32, p: f64) -> u32 {
    (0..n).map(|_| u32::from(rng.gen_bool(p))).sum()
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + libm::exp(-x))
}

fn round_to(x: f64, decimals: i32) -> f64 {
    let m = libm::pow(10.0, f64::from(decimals));
    libm::round(x * m) / m
}
