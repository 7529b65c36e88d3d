// The page's only stylesheet, inlined. Colours are tokens so light, dark and print themes
// swap values, never rules. Outcome colours were picked to stay apart in both themes;
// every outcome also carries an icon and a word, so colour is never the only signal.

const LIGHT = `
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --panel: #f6f8fa;
  --stripe: #f6f8fa; --grid: #e3e8ee;
  --ok: #1a7f37; --fail: #cf222e; --skip: #818b98; --stop: #9a6700; --unknown: #8250df;
  --run: #0969da; --pending: #afb8c1;
  --manual-bg: #fff8c5; --manual-border: #bf8700; --manual-fg: #3b2300;
  --target: #cf222e; --recovered: #1a7f37; --tick: #0969da; --tick-global: #8250df;`;

const DARK = `
  --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --border: #3d444d; --panel: #151b23;
  --stripe: #151b23; --grid: #262c36;
  --ok: #3fb950; --fail: #ff7b72; --skip: #8b949e; --stop: #d29922; --unknown: #bc8cff;
  --run: #58a6ff; --pending: #484f58;
  --manual-bg: #2b2111; --manual-border: #d29922; --manual-fg: #f2cc60;
  --target: #ff7b72; --recovered: #3fb950; --tick: #58a6ff; --tick-global: #bc8cff;`;

export const STYLES = `
:root { color-scheme: light dark; ${LIGHT} }
@media (prefers-color-scheme: dark) { :root { ${DARK} } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 1400px; margin: 0 auto; padding: 24px 28px 40px; }
h1 { font-size: 24px; margin: 0 0 4px; overflow-wrap: anywhere; }
.rehearsal { color: var(--stop); letter-spacing: .02em; }
.rehearsal-note { border: 2px dashed currentColor; padding: 6px 10px; font-weight: 600; }
h2 { font-size: 17px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--border); }
code, .mono { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, monospace; font-size: 12.5px; }
.muted { color: var(--muted); }
.subtitle { margin: 0 0 16px; color: var(--muted); overflow-wrap: anywhere; }
.banner { display: flex; flex-wrap: wrap; gap: 16px; align-items: stretch; margin: 12px 0 8px; }
.outcome { display: flex; align-items: center; gap: 12px; padding: 12px 20px; border-radius: 8px;
  border: 2px solid currentColor; font-size: 26px; font-weight: 700; letter-spacing: .04em; text-transform: uppercase; }
.outcome .icon { font-size: 30px; }
.card { padding: 10px 16px; border: 1px solid var(--border); border-radius: 8px; background: var(--panel); min-width: 220px; }
.card .label { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
.card .value { font-size: 22px; font-weight: 700; }
.verdict { font-weight: 700; }
.meta { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 4px 16px; margin: 12px 0; }
.meta dt { color: var(--muted); }
.meta dd { margin: 0; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: 12px; border: 1px solid var(--border); }
.manual { border: 2px solid var(--manual-border); background: var(--manual-bg); color: var(--manual-fg);
  border-radius: 8px; padding: 12px 18px; margin: 16px 0; }
.manual h2 { margin-top: 0; border: 0; color: inherit; font-size: 19px; }
.manual ol { margin: 0; padding-left: 22px; }
.manual li { margin: 6px 0; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--border); }
th { background: var(--panel); font-weight: 600; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.wrap { overflow-wrap: anywhere; }
td.nowrap { white-space: nowrap; }
tbody tr:nth-child(even) td { background: var(--stripe); }
.params td:first-child { width: 1%; white-space: nowrap; }
.indent-1 { padding-left: 26px; }
.o-succeeded { color: var(--ok); } .o-failed { color: var(--fail); } .o-skipped { color: var(--skip); }
.o-stopped { color: var(--stop); } .o-unknown { color: var(--unknown); } .o-running { color: var(--run); }
.o-pending { color: var(--muted); }
.state { white-space: nowrap; font-weight: 600; }
.timeline { width: 100%; height: auto; display: block; font-size: 12px; }
.timeline text { fill: var(--fg); }
.timeline .axis text, .timeline .note { fill: var(--muted); font-size: 11px; }
.timeline .grid { stroke: var(--grid); stroke-width: 1; }
.timeline .stripe { fill: var(--stripe); }
.timeline .row-label.depth-0 { font-weight: 600; }
.timeline .section-label { font-weight: 700; fill: var(--muted); text-transform: uppercase; font-size: 11px; }
.bar { stroke-width: 1; }
.bar-succeeded { fill: var(--ok); stroke: var(--ok); }
.bar-failed { fill: var(--fail); stroke: var(--fail); }
.bar-skipped { fill: var(--bg); stroke: var(--skip); stroke-dasharray: 3 2; }
.bar-stopped { fill: url(#hatch); stroke: var(--stop); stroke-width: 1.5; }
.bar-unknown { fill: var(--bg); stroke: var(--unknown); stroke-width: 2; stroke-dasharray: 2 2; }
.bar-running { fill: var(--run); stroke: var(--run); fill-opacity: .55; }
.bar-pending { fill: var(--pending); stroke: var(--pending); }
#hatch path { stroke: var(--stop); stroke-width: 2; }
#hatch rect { fill: var(--bg); }
.bar-text { font-size: 11px; }
.tick { stroke-width: 2; }
.tick-retry { stroke: var(--tick); }
.tick-warning, .tick-interrupt { stroke: var(--stop); }
.tick-session-renewal, .tick-rollback-start { stroke: var(--tick-global); stroke-dasharray: 4 3; stroke-width: 1.5; }
.marker-target { stroke: var(--target); stroke-dasharray: 6 4; stroke-width: 1.5; }
.marker-recovered { stroke: var(--recovered); stroke-width: 1.5; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 8px 0 0; padding: 0; list-style: none; font-size: 12px; }
.legend .swatch { display: inline-block; width: 18px; height: 10px; vertical-align: middle; margin-right: 4px; border: 1px solid; }
.sw-succeeded { background: var(--ok); border-color: var(--ok); }
.sw-failed { background: var(--fail); border-color: var(--fail); }
.sw-skipped { border: 1px dashed var(--skip) !important; }
.sw-stopped { border: 1.5px solid var(--stop) !important;
  background: repeating-linear-gradient(45deg, var(--stop) 0 2px, transparent 2px 5px); }
.sw-unknown { border: 2px dotted var(--unknown) !important; }
.sw-running { background: var(--run); opacity: .6; border-color: var(--run); }
.sw-line { border-width: 2px 0 0 0 !important; border-style: dashed !important; height: 0 !important; background: none; }
.sw-retry { border-color: var(--tick) !important; border-style: solid !important; }
.sw-global { border-color: var(--tick-global) !important; }
.sw-target { border-color: var(--target) !important; }
.sw-recovered { border-color: var(--recovered) !important; border-style: solid !important; }
figure { margin: 0; }
footer { margin-top: 32px; font-size: 12px; color: var(--muted); overflow-wrap: anywhere; }
ul.events { list-style: none; padding: 0; margin: 0; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  :root { ${LIGHT} }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-size: 11px; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .manual, .banner, figure, tr, .card { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  section.timeline-section { break-inside: avoid; }
}
`;
