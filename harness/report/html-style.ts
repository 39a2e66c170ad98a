// The report page's style sheet: inline in the page (nothing is loaded from elsewhere), readable on screen and
// in print; outcome colours are the same everywhere (failed red, flaky amber, passed green, pending grey, inconclusive
// (harness) slate blue: the harness failed, not the site).

import { trusted } from './html-text.js';

export const CSS = trusted(`
:root{--fail:#c62828;--fail-bg:#fdecea;--flaky:#e69500;--flaky-bg:#fff4e0;--pass:#2e7d32;--pass-bg:#e8f5e9;--pend:#78909c;--pend-bg:#eceff1;--ink:#1f2a30;--muted:#5f6f78;--line:#dde3e6;--win:#1565c0;--inc:#6a5acd;--inc-bg:#efedfb}
*{box-sizing:border-box}
html{background:#f4f6f7}
body{margin:0 auto;max-width:1240px;padding:20px 24px 40px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink)}
h1{font-size:22px;margin:0}
h1 .product{color:var(--muted);font-weight:500}
.runid{margin:2px 0 12px;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--muted)}
.chip{font-size:12px;font-weight:700;letter-spacing:.05em;padding:3px 10px;border-radius:12px;color:#fff;vertical-align:middle;margin-left:8px}
.chip-failed{background:var(--fail)}.chip-passed{background:var(--pass)}.chip-flaky{background:var(--flaky)}.chip-partial{background:#8d6e00}.chip-inconclusive{background:var(--inc)}
.glance{background:#fff;border:1px solid var(--line);border-left:6px solid var(--fail);border-radius:6px;padding:8px 16px;margin:14px 0 0}
.glance h2{margin:0 0 4px;border:none;font-size:14px;color:var(--fail)}
.glance ol{margin:0;padding-left:22px}
.glance li{margin:3px 0}
.glance a{color:var(--ink);font-weight:600;text-decoration:none}
.glance a:hover{text-decoration:underline}
.glance .glance-msg{display:block;color:#8e1c1c;font-size:13px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.glance .glance-flaky .glance-msg{color:#a86b00}
.glance .glance-inconclusive .glance-msg{color:#4a3d99}
.partial-banner{background:#fff3cd;border:2px solid #e69500;color:#6d4c00;font-weight:700;padding:10px 14px;border-radius:6px;margin:0 0 14px;font-size:16px}
.summary{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 16px;display:flex;flex-wrap:wrap;gap:20px;align-items:flex-start}
.cards{display:flex;gap:10px}
.card{min-width:92px;border-radius:8px;padding:8px 12px;text-align:center;border:1px solid var(--line);background:#fafbfc}
.card .num{display:block;font-size:28px;font-weight:700;line-height:1.1}
.card .lbl{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.card-failed.nonzero{background:var(--fail-bg);border-color:var(--fail)}.card-failed.nonzero .num{color:var(--fail)}
.card-flaky.nonzero{background:var(--flaky-bg);border-color:var(--flaky)}.card-flaky.nonzero .num{color:#a86b00}
.card-passed.nonzero{background:var(--pass-bg);border-color:var(--pass)}.card-passed.nonzero .num{color:var(--pass)}
.card-pending.nonzero{background:var(--pend-bg)}.card-pending.nonzero .num{color:var(--pend)}
.card-inconclusive.nonzero{background:var(--inc-bg);border-color:var(--inc)}.card-inconclusive.nonzero .num{color:var(--inc)}
.meta{display:flex;flex-wrap:wrap;gap:18px;flex:1;align-items:flex-start}
.meta h3{font-size:12px;text-transform:uppercase;color:var(--muted);margin:0 0 4px;letter-spacing:.04em}
table{border-collapse:collapse}
.kv th{text-align:left;font-weight:500;color:var(--muted);padding:1px 10px 1px 0;white-space:nowrap;vertical-align:top}
.kv td{padding:1px 0;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px;word-break:break-all}
.kv caption{text-align:left;font-size:12px;color:var(--muted);text-transform:uppercase;padding-bottom:2px}
.images th,.images td{padding:1px 10px 1px 0;text-align:left;font-size:13px}
.images th{color:var(--muted);font-weight:500}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.na{color:#90a4ae}
h2{font-size:17px;margin:26px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--line)}
.group-failed h2{color:var(--fail);border-color:var(--fail)}
.group-flaky h2{color:#a86b00;border-color:var(--flaky)}
.group-passed h2{color:var(--pass);border-color:var(--pass)}
.group-pending h2{color:var(--pend)}
.group-inconclusive h2{color:var(--inc);border-color:var(--inc)}
h2 .count{display:inline-block;min-width:24px;padding:0 7px;border-radius:10px;border:1.5px solid currentColor;text-align:center;font-size:13px}
.test{background:#fff;border:1px solid var(--line);border-left:6px solid var(--pend);border-radius:6px;padding:12px 16px;margin:0 0 14px;break-inside:avoid-page}
.test-failed{border-left-color:var(--fail)}
.test-flaky{border-left-color:var(--flaky)}
.test-passed{border-left-color:var(--pass)}
.test-inconclusive{border-left-color:var(--inc)}
.test-inconclusive .error{background:var(--inc-bg);border-color:#cfc8f3}.test-inconclusive .error-message{color:#4a3d99}
.test>header{display:flex;align-items:baseline;gap:10px}
.test-title{font-size:15px;margin:0;flex:1}
.dur{color:var(--muted);font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.05em;padding:2px 8px;border-radius:10px;color:#fff;white-space:nowrap}
.badge-failed{background:var(--fail)}.badge-flaky{background:var(--flaky)}.badge-passed{background:var(--pass)}.badge-pending{background:var(--pend)}.badge-inconclusive{background:var(--inc)}
.where{margin:2px 0 8px;color:var(--muted);font-size:13px}
.where .family{font-weight:600;color:var(--ink)}
.where .file{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;border:none}
.error{background:var(--fail-bg);border:1px solid #f5c2c0;border-radius:5px;padding:8px 12px;margin:6px 0 10px}
.error-message{margin:0;color:#8e1c1c;font-weight:600;white-space:pre-wrap;word-break:break-word}
.error details{margin-top:6px}.error summary{cursor:pointer;color:var(--muted);font-size:12px}
pre{margin:4px 0 0;font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-all}
.assertions{list-style:none;margin:6px 0 10px;padding:0}
.assertions li{padding:3px 8px;border-radius:4px;margin:2px 0}
.assertions .mark{display:inline-block;width:18px;font-weight:700}
.assertions li.a-ok .mark{color:var(--pass)}
.assertions li.a-bad{background:var(--fail-bg);color:#8e1c1c;font-weight:600}
.assertions li.a-bad .mark{color:var(--fail)}
.windows,.faults{width:100%;margin:6px 0 10px;font-size:13px}
.windows th,.faults th{text-align:left;font-weight:600;color:var(--muted);border-bottom:1px solid var(--line);padding:3px 8px 3px 0;font-size:12px}
.windows td,.faults td{padding:3px 8px 3px 0;border-bottom:1px solid #f0f3f4;vertical-align:top}
.windows .num,.faults .num{font-variant-numeric:tabular-nums;white-space:nowrap}
.windows .deriv{color:var(--muted);font-size:12px}
.windows .bad-row td{background:var(--fail-bg)}
.ok{color:var(--pass);font-weight:600}.bad{color:var(--fail);font-weight:700}
.warn{color:#a86b00;font-weight:700}
.timeline-box{margin:8px 0;padding:0;border:1px solid var(--line);border-radius:5px;overflow:hidden;background:#fff}
.timeline{display:block;width:100%;height:auto}
.no-timeline{color:var(--muted);font-style:italic;margin:6px 0}
details.logs,details.config{margin:6px 0}
details>summary{cursor:pointer;color:var(--muted);font-weight:600;font-size:13px}
.log{margin:6px 0 8px}
.log h4{margin:0;font-size:12px;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.log pre{background:#263238;color:#eceff1;padding:8px 10px;border-radius:4px;max-height:320px;overflow:auto}
.cfg{display:flex;gap:30px;flex-wrap:wrap;margin-top:4px}
.empty{color:var(--muted)}
footer{margin-top:30px;color:var(--muted);font-size:12px}
.card-executions{background:#fff}
.replay{display:block;color:var(--muted);font-family:system-ui,sans-serif;font-size:12px}
.replay code,.overrides-banner code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eef2f4;padding:0 4px;border-radius:3px}
.where .tag,.tag{margin-left:10px;padding:0 6px;border:1px solid var(--line);border-radius:4px;font-size:12px;color:var(--muted)}
.where .file{margin-left:10px;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.chip-small{font-size:11px;padding:1px 7px;border-radius:9px;border:1px solid var(--line);color:var(--muted);white-space:nowrap}
.chip-small.chip-flaky{border-color:var(--flaky);color:#a86b00;background:var(--flaky-bg)}
.test.of-flaky{border-right:4px solid var(--flaky)}
.overrides-banner{background:#f3e5f5;border:2px solid #6a1b9a;color:#4a148c;padding:8px 12px;border-radius:6px;margin:6px 0 10px}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:6px 0 8px;font-size:13px}
.facts dt{color:var(--muted);font-weight:600}
.facts dd{margin:0}
.note{color:var(--muted);font-size:13px;margin:4px 0 10px}
.kind{white-space:nowrap;font-size:12px;font-weight:600}
.kind-protocol{color:#1565c0}.kind-fault{color:#ef6c00}.kind-budget{color:#6a1b9a}.kind-none{color:var(--muted)}
.windows .kind{width:1%}
.scenarios,.compare,.sensitivity,.sides,.shifts,.invariants,table.coverage,.explore-executions table{width:100%;background:#fff;border:1px solid var(--line);border-radius:6px;font-size:13px;margin:6px 0 14px}
.scenarios th,.compare th,.sensitivity th,.sides th,.shifts th,.invariants th,table.coverage th,.explore-executions th{text-align:left;font-weight:600;color:var(--muted);font-size:12px;padding:4px 8px;border-bottom:1px solid var(--line)}
.scenarios td,.compare td,.sensitivity td,.sides td,.shifts td,.invariants td,table.coverage td,.explore-executions td{padding:3px 8px;vertical-align:top}
.scenarios .num,.compare .num,.sensitivity .num,.sides .num,.shifts .num,.scenarios th.num,.invariants .num,table.coverage .num,.explore-executions .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.scenarios tbody{border-top:2px solid var(--line)}
.scenario-head td{padding-top:7px}
.scenario-head a{color:var(--ink);font-weight:600;text-decoration:none}
.scenario-head a:hover{text-decoration:underline}
.scenario-failed .scenario-head{background:var(--fail-bg)}
.scenario-flaky .scenario-head{background:var(--flaky-bg)}
.scenario-inconclusive .scenario-head{background:var(--inc-bg)}
.attempts{margin:4px 0 8px;padding-left:20px;font-size:13px;color:var(--muted)}.attempts .moved,.attempts .retried{color:#4a3d99}
.chip-small.chip-rerun{border-color:var(--inc);color:#4a3d99;background:var(--inc-bg)}
.engines td{padding:1px 10px 1px 0;font-size:13px}.engines .drained{color:#4a3d99;font-weight:600}
.execs{margin-left:10px;color:var(--muted);font-size:12px}
.end-states{list-style:none;margin:2px 0 0;padding:0;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;color:var(--muted)}
.timing td:nth-child(2){padding-left:14px}
.bad-row td{background:var(--fail-bg)}
.comparison .regressions{background:var(--fail-bg);border:2px solid var(--fail);border-radius:6px;padding:8px 14px;margin:8px 0 12px}
.finding{background:#fff;border:1px solid var(--line);border-left:4px solid var(--fail);border-radius:6px;padding:8px 12px;margin:10px 0}
.finding h3{margin:0 0 6px;font-size:15px}
.finding pre,.schedule pre{background:#f7f8fa;border:1px solid var(--line);border-radius:4px;padding:6px 8px;font-size:12px;overflow-x:auto;white-space:pre}
.regressions h3{margin:0 0 4px;color:var(--fail);font-size:14px}
.regressions ol{margin:0;padding-left:22px}
.verdict-ok{color:var(--pass);font-weight:600}
.verdict-bad{color:var(--fail);font-weight:700}
.compare tbody{border-top:2px solid var(--line)}
.compare tbody.regressed .scenario-head{background:var(--fail-bg)}
.changed{font-size:11px;font-weight:700;color:#a86b00;text-transform:uppercase;margin-left:4px}
.was{color:var(--muted);text-decoration:line-through}
.shifts{margin:4px 0;border:none}
.budgets{margin:4px 0;color:#8e1c1c}
.budgets ul,.scenario-regressions{margin:2px 0;padding-left:20px}
.scenario-regressions{color:#8e1c1c;font-weight:600}
.phase-messages{margin:0;padding-left:0;list-style:none;font-size:12px}
.phase-messages .missed{color:var(--fail)}
.trend-scenario{background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px 12px;margin:0 0 10px}
.trend-scenario h3{margin:0 0 6px;font-size:14px}
.trend-charts{display:flex;flex-wrap:wrap;gap:12px}
.trend-box{margin:0}
.trend-box figcaption{font-size:12px;color:var(--muted);margin-bottom:2px}
.trend{display:block;border:1px solid var(--line);border-radius:4px}
@media print{html{background:#fff}body{max-width:none;padding:0;font-size:12px}.summary,.test{border-color:#bbb}.log pre{background:#fff;color:#000;border:1px solid #bbb;max-height:none}.test{break-inside:avoid}}
@media (max-width:800px){.summary{flex-direction:column}}
`);
