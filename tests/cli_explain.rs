//! `playbook explain` through the built binary, on the relatie-fase-model example.
//! The snapshots were read against the playbook: RF020 is loyaal, gets winback and
//! referral, and loses upsell to `max 2`; RF012 has no NPS, so `relatie` is unknown.

use std::process::{Command, Output};

fn explain(customer: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args([
            "explain",
            "playbooks/relatie-fase-model.playbook",
            "playbooks/data/relatie-fase-model.csv",
            "--customer",
            customer,
            "--as-of",
            "2026-11-23",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the playbook binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).expect("UTF-8")
}

#[test]
fn explains_a_loyal_customer_cut_by_max() {
    let out = explain("RF020");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(
        report.contains(
            "not given: upsell (rule upsell_relatie) — cut by `max 2 actions per customer`"
        ),
        "{report}"
    );
    insta::assert_snapshot!("explain_rf020", report);
}

#[test]
fn explains_unknown_values() {
    let out = explain("RF012");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(
        report.contains("? relatie: nps >= 8 → unknown  [nps = missing]"),
        "{report}"
    );
    insta::assert_snapshot!("explain_rf012", report);
}

#[test]
fn an_unknown_customer_is_an_error() {
    let out = explain("NOPE");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no customer with id `NOPE`"));
}
