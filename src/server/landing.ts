// The landing page: modules, a form to run a probe and see its debug output, and
// the last probes with links to their logs. Server-rendered HTML and CSS, no scripts
// or external assets.
import type { Config } from '../probe/generation.js';
import { VERSION } from '../version.js';
import type { HistoryEntry } from './history.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const STYLE = `
:root { color-scheme: light dark; --muted: #6b7280; --ok: #15803d; --bad: #b91c1c; --line: #d1d5db; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; padding: 1rem; max-width: 72rem; line-height: 1.45; }
h1 { font-size: 1.5rem; margin: .2rem 0 .5rem; }
h2 { font-size: 1.15rem; margin-top: 1.8rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
nav a { margin-right: 1rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .93rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; }
code { font-size: .88em; word-break: break-all; }
form.probe { display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); gap: .7rem; align-items: end; }
form.probe label { display: flex; flex-direction: column; gap: .25rem; font-size: .9rem; }
form.probe input, form.probe select, form.probe button { font: inherit; padding: .45rem .5rem; border: 1px solid var(--line); border-radius: .3rem; min-width: 0; }
form.probe button { cursor: pointer; font-weight: 600; }
.ok { color: var(--ok); font-weight: 600; }
.bad { color: var(--bad); font-weight: 600; }
.muted { color: var(--muted); }
@media (max-width: 40rem) { .wide { display: none; } body { padding: .6rem; } }
`;

/** A name or reason as a table cell shows it; the whole is on the entry's page. */
function short(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function landingPage(config: Config, history: readonly HistoryEntry[], historyLimit: number): string {
  const modules = [...config.modules.values()].sort((a, b) => a.name.localeCompare(b.name));
  const moduleRows = modules
    .map((m) => `<tr><td><code>${escapeHtml(m.name)}</code></td><td>${escapeHtml(m.description)}</td>` +
      `<td class="wide">${m.requests.size}</td><td class="wide">${m.metrics.length}</td></tr>`)
    .join('\n');
  const moduleOptions = modules.map((m) => `<option value="${escapeHtml(m.name)}">${escapeHtml(m.name)}</option>`).join('');
  const authOptions = [...config.auths.keys()].sort().map((a) => `<option value="${escapeHtml(a)}">${escapeHtml(a)}</option>`).join('');
  const historyRows = history
    .map((e) => `<tr class="${e.success ? 'probe-ok' : 'probe-failed'}">` +
      `<td class="wide">${escapeHtml(e.at.toISOString().replace('T', ' ').slice(0, 19))}</td>` +
      `<td><code>${escapeHtml(short(e.module))}</code></td><td><code>${escapeHtml(short(e.target))}</code></td>` +
      `<td>${e.success ? '<span class="ok">success</span>' : '<span class="bad">failure</span>'}</td>` +
      `<td>${e.durationSeconds.toFixed(3)} s</td>` +
      `<td><a href="/history/${e.id}">log</a>${e.reason ? ` <span class="muted wide">${escapeHtml(short(e.reason, 120))}</span>` : ''}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>apiprobe</title>
<style>${STYLE}</style>
</head>
<body>
<h1>apiprobe <span class="muted">${escapeHtml(VERSION)}</span></h1>
<nav><a href="/metrics">Metrics</a><a href="/-/healthy">Health</a><a href="/-/ready">Readiness</a></nav>

<h2>Run a probe</h2>
<form class="probe" method="get" action="/probe">
<label>Target <input name="target" required placeholder="host:port or URL" autocomplete="off"></label>
<label>Module <select name="module">${moduleOptions}</select></label>
<label>Credentials <select name="auth"><option value="">the module's default</option>${authOptions}</select></label>
<input type="hidden" name="debug" value="true">
<button type="submit">Probe</button>
</form>
<p class="muted">Shows the probe's log and the metrics it would return. Prometheus scrapes
<code>/probe?target=&lt;target&gt;&amp;module=&lt;module&gt;</code>.</p>

<h2>Recent probes</h2>
${history.length ? `<div class="table-wrap"><table id="history">
<thead><tr><th class="wide">Time (UTC)</th><th>Module</th><th>Target</th><th>Result</th><th>Duration</th><th>Log</th></tr></thead>
<tbody>
${historyRows}
</tbody>
</table></div>
<p class="muted">The last ${historyLimit} successes and the last ${historyLimit} failures are kept.</p>` : '<p class="muted" id="history-empty">No probe yet.</p>'}

<h2>Modules</h2>
<div class="table-wrap"><table>
<thead><tr><th>Module</th><th>Description</th><th class="wide">Requests</th><th class="wide">Metrics</th></tr></thead>
<tbody>
${moduleRows}
</tbody>
</table></div>
<p class="muted">Configuration: <code>${escapeHtml(config.file)}</code></p>
</body>
</html>
`;
}
