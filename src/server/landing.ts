import type { Config } from '../config/load.js';
import { VERSION } from '../version.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export function landingPage(config: Config): string {
  const rows = [...config.modules.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((m) => {
      const example = `/probe?module=${encodeURIComponent(m.name)}&target=${m.allowUrl ? 'https://device.example/status' : 'device.example'}`;
      return `<tr><td><code>${escapeHtml(m.name)}</code></td><td>${escapeHtml(m.description)}</td>` +
        `<td>${m.requests.size}</td><td>${m.metrics.length}</td><td><code>${escapeHtml(example)}</code></td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>apiprobe</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; max-width: 70rem; color: #1a1a1a; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
code { font-size: .9em; word-break: break-all; }
</style>
</head>
<body>
<h1>apiprobe ${escapeHtml(VERSION)}</h1>
<p>Prometheus exporter for device and appliance APIs. Probe with
<code>/probe?target=&lt;host[:port]&gt;&amp;module=&lt;name&gt;</code>; add <code>&amp;debug=true</code> to see the probe's log.</p>
<p><a href="/metrics">Exporter metrics</a> · <a href="/-/healthy">Health</a> · <a href="/-/ready">Readiness</a></p>
<h2>Modules</h2>
<table>
<thead><tr><th>Module</th><th>Description</th><th>Requests</th><th>Metrics</th><th>Example</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p>Configuration: <code>${escapeHtml(config.file)}</code></p>
</body>
</html>
`;
}
