//! `pattern-language map` on the example project: the JSON (a snapshot), Mermaid and DOT, and
//! the SVG (well-formed XML, and a non-blank picture in headless Chromium when it is installed).

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_path_buf()
}

fn map(format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_pattern-language"))
        .args(["map", "tests/fixtures/shop", "--format", format])
        .current_dir(repo())
        .output()
        .expect("run pattern-language map");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[test]
fn json_of_the_example_project() {
    let text = map("json");
    let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    insta::assert_json_snapshot!("shop_map", value);
    // What a reader draws by hand for the shop: shipping leaks into billing and catalog, also
    // translates billing through its ACL and uses both open host services; billing and shipping
    // share the kernel; gitforge leaks into accounts; billing and catalog go separate ways.
    let relations: Vec<(String, String, String)> = value["relations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            (
                r["from"].as_str().unwrap_or("").to_string(),
                r["to"].as_str().unwrap_or("").to_string(),
                r["kind"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    for (from, to, kind) in [
        ("shipping", "billing", "leak"),
        ("shipping", "billing", "anticorruption-layer"),
        ("shipping", "billing", "open-host-service"),
        ("shipping", "catalog", "leak"),
        ("shipping", "catalog", "open-host-service"),
        ("billing", "shipping", "shared-kernel"),
        ("gitforge", "accounts", "leak"),
        ("billing", "catalog", "separate-ways"),
    ] {
        assert!(
            relations.contains(&(from.into(), to.into(), kind.into())),
            "missing {from} -> {to} ({kind}) in {relations:?}"
        );
    }
    for r in value["relations"].as_array().into_iter().flatten() {
        assert!(
            !r["evidence"].as_array().is_none_or(Vec::is_empty),
            "a relation without evidence: {r}"
        );
    }
    let billing = value["contexts"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["id"] == "billing")
        .expect("the billing context");
    assert_eq!(billing["database"], "billing");
    assert_eq!(
        billing["apps"],
        serde_json::json!(["invoicing", "payments"])
    );
}

#[test]
fn mermaid_and_dot() {
    let mermaid = map("mermaid");
    assert!(mermaid.starts_with("flowchart BT\n"));
    for id in ["accounts", "billing", "catalog", "gitforge", "shipping"] {
        assert!(mermaid.contains(&format!("[\"{id}<br/>")), "{mermaid}");
    }
    assert!(mermaid.contains("==>|\"leak"), "{mermaid}");
    assert!(mermaid.contains("separate ways"), "{mermaid}");
    let dot = map("dot");
    assert!(dot.starts_with("digraph context_map {"));
    assert!(dot.trim_end().ends_with('}'));
    assert!(dot.contains("\"shipping\" -> \"billing\""), "{dot}");
}

#[test]
fn a_folder_without_django_apps_gets_an_empty_map() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("script.py"), "import os\n").expect("write");
    let run = |format: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_pattern-language"))
            .args(["map", "--format", format])
            .arg(dir.path())
            .output()
            .expect("run");
        assert!(out.status.success());
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let json: serde_json::Value = serde_json::from_str(&run("json")).expect("JSON");
    assert_eq!(json, serde_json::json!({"contexts": [], "relations": []}));
    let svg = run("svg");
    roxmltree::Document::parse(&svg).expect("well-formed XML");
    assert!(svg.contains("No bounded contexts found"));
}

#[test]
fn output_file_and_bad_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("map.svg");
    let status = Command::new(env!("CARGO_BIN_EXE_pattern-language"))
        .args(["map", "tests/fixtures/shop", "-o"])
        .arg(&file)
        .current_dir(repo())
        .status()
        .expect("run");
    assert!(status.success());
    let svg = std::fs::read_to_string(&file).expect("the SVG was written");
    assert!(svg.starts_with("<svg"));
    let status = Command::new(env!("CARGO_BIN_EXE_pattern-language"))
        .args(["map", "no/such/folder"])
        .current_dir(repo())
        .status()
        .expect("run");
    assert_eq!(status.code(), Some(2));
}

#[test]
fn svg_is_well_formed_and_draws_every_context_and_relation() {
    let svg = map("svg");
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let contexts: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("data-context"))
        .collect();
    assert_eq!(
        contexts,
        ["accounts", "billing", "catalog", "gitforge", "shipping"]
    );
    let kinds: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("relation"))
        .filter_map(|n| n.attribute("data-kind"))
        .collect();
    assert!(kinds.contains(&"leak"), "{kinds:?}");
    // The legend names every kind drawn.
    let text: String = doc
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("\n");
    for label in [
        "leak (imports models)",
        "anticorruption layer",
        "open host service",
        "shared kernel",
        "Legend",
    ] {
        assert!(text.contains(label), "no `{label}` in the drawing");
    }
}

/// Chromium as Debian ships it, if installed.
fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join(name))
                    .find(|p| p.is_file())
            })
        })
}

/// Renders an SVG file to PNG with headless Chromium: (width, height, RGBA pixels).
pub fn render_png(
    chromium: &Path,
    svg: &Path,
    png: &Path,
    size: (u32, u32),
) -> (u32, u32, Vec<u8>) {
    let profile = tempfile::tempdir().expect("profile dir");
    let status = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("--window-size={},{}", size.0, size.1))
        .arg(format!("file://{}", svg.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run chromium");
    assert!(status.success(), "chromium failed");
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png).expect("chromium wrote the PNG"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    buf.truncate(info.buffer_size());
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf
            .chunks(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    (info.width, info.height, rgba)
}

#[test]
fn svg_renders_to_a_non_blank_png_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        eprintln!("skipped: chromium is not installed (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let svg_path = dir.path().join("map.svg");
    let svg = map("svg");
    std::fs::write(&svg_path, &svg).expect("write the SVG");
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    let dim = |a: &str| -> u32 {
        doc.root_element()
            .attribute(a)
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(800, |v| v.ceil() as u32)
    };
    let (w, h, pixels) = render_png(
        &chromium,
        &svg_path,
        &dir.path().join("map.png"),
        (dim("width"), dim("height")),
    );
    assert!(w > 0 && h > 0);
    let total = pixels.len() / 4;
    let inked = pixels
        .chunks(4)
        .filter(|p| p[0] < 200 || p[1] < 200 || p[2] < 200)
        .count();
    // Text, boxes and arrows: a few percent of the picture, but never nothing.
    assert!(
        inked * 100 > total,
        "only {inked} of {total} pixels are drawn"
    );
    // The warning colour of a leak is there.
    let orange = pixels
        .chunks(4)
        .filter(|p| p[0] > 180 && p[1] > 40 && p[1] < 110 && p[2] < 60)
        .count();
    assert!(
        orange > 50,
        "no leak drawn in the warning colour ({orange} pixels)"
    );
}
