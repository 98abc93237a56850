// Issue 16, item 2: the module chooses the parser, not the device. A JSON module whose
// device answers `Content-Type: text/csv` or `application/xml` is still read as JSON
// (and fails as invalid JSON), so a device cannot switch a probe to another parser and
// its memory profile; `format: auto` opts in to the content type deciding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSeries, startExporter, type TestExporter } from '../helpers/exporter.js';
import { serve, type Device } from './devices.js';

let device: Device;
let exporter: TestExporter;

const CSV = 'a,b\n1,2\n';
const XML = '<root><a>1</a></root>';

beforeAll(async () => {
  device = await serve((path, _req, res) => {
    if (path === '/csv') res.writeHead(200, { 'content-type': 'text/csv' }).end(CSV);
    else if (path === '/xml') res.writeHead(200, { 'content-type': 'application/xml' }).end(XML);
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('{"a": 1}');
  });
  const mod = (name: string, path: string, format: string, value: string): string => `
  ${name}:
    requests:
      r: { path: ${path}${format ? `, format: ${format}` : ''} }
    metrics:
      - { name: got_a, from: r, value: '${value}' }`;
  exporter = await startExporter({
    configYaml: `modules:${mod('json_csv', '/csv', '', '$[0].a')}${mod('json_xml', '/xml', '', '$.root.a')}${mod('json_plain', '/plain', '', '$.a')}${mod('auto_csv', '/csv', 'auto', '$[0].a')}${mod('auto_xml', '/xml', 'auto', '$.root.a')}\n`,
  });
});

afterAll(async () => {
  await exporter?.close();
  await device?.close();
});

describe('the module chooses the format', () => {
  it.each([
    ['json_csv', 'text/csv'],
    ['json_xml', 'application/xml'],
  ])('a module without format (%s) reads a %s answer as JSON, and fails on it', async (module) => {
    const res = await exporter.probe({ module, target: device.url, debug: 'true' });
    expect(res.text).toMatch(/invalid JSON/);
    expect(res.text).toMatch(/^probe_success 0$/m);
    expect(res.text).not.toMatch(/^got_a /m);
  });

  it('a module without format reads JSON labelled text/plain', async () => {
    const res = await exporter.probe({ module: 'json_plain', target: device.url });
    expect(parseSeries(res.text).get('got_a')).toBe(1);
  });

  it.each([
    ['auto_csv', 1],
    ['auto_xml', 1],
  ])('format: auto (%s) lets the content type pick the parser', async (module, value) => {
    const res = await exporter.probe({ module, target: device.url });
    expect(parseSeries(res.text).get('got_a')).toBe(value);
    expect(parseSeries(res.text).get('probe_success')).toBe(1);
  });
});
