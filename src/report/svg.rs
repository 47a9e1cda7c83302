//! Charts as SVG written by hand: no script, nothing fetched, readable without colour. Each one
//! is an image with a name (`<title>`) and its finding in words (`<desc>`); the page puts the
//! numbers in a table beside it. Colours come from CSS custom properties with a dark-mode
//! variant; meaning is carried by length, position, text labels and a hatch pattern, never by
//! colour alone.

use std::fmt::Write;

use crate::escape::xml;

/// Styles of the charts, in each chart's own `<style>` so a chart needs nothing from the page
/// around it (the report page, an archive page, a file opened on its own).
const STYLE: &str = "\
.bk-chart{--bk-bar:#1d5fa6;--bk-bar-soft:#1d5fa6;--bk-grid:#767676;--bk-bg:#ffffff;max-width:100%;height:auto;color:inherit}\
@media (prefers-color-scheme: dark){.bk-chart{--bk-bar:#8cb8ef;--bk-bar-soft:#8cb8ef;--bk-grid:#a0a0a0;--bk-bg:#1b1b1b}}\
.bk-chart text{fill:currentColor;font:14px system-ui,sans-serif}\
.bk-chart .bk-small{font-size:12px}\
.bk-chart .bk-bar{fill:var(--bk-bar)}\
.bk-chart .bk-cell{fill:var(--bk-bar-soft)}\
.bk-chart .bk-empty{fill:none;stroke:var(--bk-grid);stroke-width:1}\
.bk-chart .bk-target{stroke:currentColor;stroke-width:2;stroke-dasharray:6 4}\
.bk-chart .bk-axis{stroke:var(--bk-grid);stroke-width:1}\
.bk-chart .bk-hatch-line{stroke:var(--bk-bar);stroke-width:3}\
.bk-chart .bk-outline{fill:none;stroke:var(--bk-bar);stroke-width:2}";

/// One bar: its label, its length as a share of the scale, the value written after it, and
/// whether it is drawn hatched (the other state of a two-state chart, also said in `value`).
pub(crate) struct Bar {
    pub label: String,
    pub length: f64,
    pub value: String,
    pub hatched: bool,
}

fn open(out: &mut String, id: &str, width: u32, height: u32, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg class=\"bk-chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\">\
<title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc><style>{STYLE}</style>",
        xml(title),
        xml(desc)
    );
}

/// Horizontal bars, one per row. `scale` is the length that fills the plot; with `target` a
/// dashed line marks 1.0 (the target) on it.
pub(crate) fn bars(id: &str, title: &str, desc: &str, bars: &[Bar], scale: f64, target: bool) -> String {
    const LABEL: u32 = 230;
    const PLOT: u32 = 360;
    const ROW: u32 = 34;
    let width = LABEL + PLOT + 190;
    let height = ROW * bars.len() as u32 + 20;
    let mut out = String::new();
    open(&mut out, id, width, height, title, desc);
    let _ = write!(
        out,
        "<defs><pattern id=\"{id}-hatch\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><line class=\"bk-hatch-line\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\"/></pattern></defs>"
    );
    let scale = if scale > 0.0 { scale } else { 1.0 };
    for (i, b) in bars.iter().enumerate() {
        let y = 10 + ROW * i as u32;
        let len = ((b.length / scale).clamp(0.0, 1.0) * PLOT as f64).round() as u32;
        let _ = write!(out, "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", LABEL - 8, y + 18, xml(&b.label));
        if b.hatched {
            let _ = write!(
                out,
                "<rect x=\"{LABEL}\" y=\"{}\" width=\"{len}\" height=\"22\" fill=\"url(#{id}-hatch)\"/><rect class=\"bk-outline\" x=\"{LABEL}\" y=\"{}\" width=\"{len}\" height=\"22\"/>",
                y + 2,
                y + 2
            );
        } else {
            let _ = write!(out, "<rect class=\"bk-bar\" x=\"{LABEL}\" y=\"{}\" width=\"{len}\" height=\"22\"/>", y + 2);
        }
        let _ = write!(out, "<text x=\"{}\" y=\"{}\">{}</text>", LABEL + len + 8, y + 18, xml(&b.value));
    }
    let _ = write!(out, "<line class=\"bk-axis\" x1=\"{LABEL}\" y1=\"6\" x2=\"{LABEL}\" y2=\"{}\"/>", height - 6);
    if target {
        let x = LABEL + (PLOT as f64 / scale).round() as u32;
        let _ = write!(out, "<line class=\"bk-target\" x1=\"{x}\" y1=\"4\" x2=\"{x}\" y2=\"{}\"/>", height - 4);
    }
    out.push_str("</svg>");
    out
}

/// A weekday × hour grid: a cell's shade and its printed number say the same; an empty cell is
/// an outline with a dash.
pub(crate) fn grid(
    id: &str,
    title: &str,
    desc: &str,
    rows: &[&str],
    hours: &[u8],
    value: impl Fn(usize, u8) -> Option<(f64, String)>,
) -> String {
    const LABEL: u32 = 90;
    const CELL: u32 = 44;
    let width = LABEL + CELL * hours.len() as u32 + 10;
    let height = 30 + CELL * rows.len() as u32;
    let mut out = String::new();
    open(&mut out, id, width, height, title, desc);
    let max = (0..rows.len())
        .flat_map(|r| hours.iter().map(move |&h| (r, h)))
        .filter_map(|(r, h)| value(r, h).map(|v| v.0))
        .fold(0.0_f64, f64::max);
    for (j, h) in hours.iter().enumerate() {
        let _ = write!(
            out,
            "<text class=\"bk-small\" x=\"{}\" y=\"18\" text-anchor=\"middle\">{h:02}</text>",
            LABEL + CELL * j as u32 + CELL / 2
        );
    }
    for (i, row) in rows.iter().enumerate() {
        let y = 26 + CELL * i as u32;
        let _ =
            write!(out, "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", LABEL - 8, y + CELL / 2 + 5, xml(row));
        for (j, &h) in hours.iter().enumerate() {
            let x = LABEL + CELL * j as u32;
            match value(i, h) {
                Some((v, label)) => {
                    let opacity = if max > 0.0 { 0.12 + 0.38 * v / max } else { 0.12 };
                    let _ = write!(
                        out,
                        "<rect class=\"bk-cell\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill-opacity=\"{opacity:.2}\"/><text class=\"bk-small\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                        x + 1,
                        y + 1,
                        CELL - 2,
                        CELL - 2,
                        x + CELL / 2,
                        y + CELL / 2 + 4,
                        xml(&label)
                    );
                }
                None => {
                    let _ = write!(
                        out,
                        "<rect class=\"bk-empty\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/><text class=\"bk-small\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">–</text>",
                        x + 1,
                        y + 1,
                        CELL - 2,
                        CELL - 2,
                        x + CELL / 2,
                        y + CELL / 2 + 4
                    );
                }
            }
        }
    }
    out.push_str("</svg>");
    out
}
