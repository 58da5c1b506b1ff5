//! Without a font (`CSP_REPORT_FONT=none`) the plots are still drawn, with no
//! text, and the page says so. A separate test binary: the font is chosen once
//! per process.

use std::path::Path;
use xtask::results::Results;

#[test]
fn plots_without_text_when_no_font() {
    std::env::set_var("CSP_REPORT_FONT", "none");
    assert_eq!(xtask::plots::font(), None);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results.json");
    let results: Results = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let dir = std::env::temp_dir().join(format!("xtask-report-nofont-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    xtask::report::write(&results, &dir).expect("report written without a font");
    let svg = std::fs::read_to_string(dir.join("bars_fan_in.svg")).unwrap();
    assert!(!svg.contains("<text"), "no text without a font");
    assert!(svg.contains("<rect"), "bars are drawn");
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(html.contains("plots are drawn without text"));
    assert!(
        std::fs::metadata(dir.join("pipeline_by_cap.png"))
            .unwrap()
            .len()
            > 1000
    );
    let _ = std::fs::remove_dir_all(&dir);
}
