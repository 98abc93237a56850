// Every problem in a json_exporter file is reported where the user wrote it: file,
// line, column and the json_exporter field, whether it is found by json_exporter's
// schema, by the translation (a construct apiprobe refuses) or by apiprobe's own
// rules on the translated module.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatProblem } from '../../src/spec/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { writeTempFiles } from '../helpers/exporter.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const file = path.join(here, 'bad', 'many-problems.yml');

async function problems(configFile: string, format?: 'json_exporter'): Promise<string[]> {
  const err = await loadConfig(configFile, { format }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).problems.map(formatProblem).map((l) => l.slice(path.dirname(configFile).length + 1));
}

describe('problems in a json_exporter file', () => {
  it('each names file:line:column and the json_exporter field', async () => {
    expect(await problems(file)).toEqual([
      // json_exporter's own schema
      'many-problems.yml:5:13 modules.shape.metrics[0].name: "http-requests" is not a valid metric name (expected [a-zA-Z_:][a-zA-Z0-9_:]*)',
      'many-problems.yml:9:7 modules.shape.metrics[1].colour: unknown field "colour"',
      'many-problems.yml:12:18 modules.shape.metrics[2].valuetype: unknown valuetype "histogram" (expected one of: gauge, counter, untyped)',
      // what apiprobe cannot honour, refused with the reason
      'many-problems.yml:17:9 modules.refused.http_client_config.oauth2.client_secret_ref: client_secret_ref is not supported: json_exporter has no secret manager to resolve it (every scrape fails there with "cannot use secret ref without manager"); use client_secret or client_secret_file',
      'many-problems.yml:20:9 modules.refused.http_client_config.tls_config.min_version: min_version is not supported: apiprobe uses Node.js\'s TLS versions (1.2 and 1.3)',
      'many-problems.yml:22:16 modules.refused.body.content: template: function "now" is not supported in body templates (supported: first, index, default, quote)',
      'many-problems.yml:26:13 modules.refused.metrics[0].path: "{range .items[*]}{.name}{end}": {range}…{end} iteration is not supported: iterate with type: object instead',
      'many-problems.yml:29:13 modules.refused.metrics[1].path: "items: {.items[*]}": the path of a type: object metric must be one {…} JSONPath with no text around it',
      'many-problems.yml:32:15 modules.refused.metrics[2].engine: engine "cel" is not supported: apiprobe translates json_exporter\'s JSONPath (engine: jsonpath) only',
      'many-problems.yml:37:15 modules.refused.metrics[3].labels.host: "{.host": unclosed action: a "{" without its "}"',
      // apiprobe's rules on the translated module, reported at the field it came from
      'many-problems.yml:40:13 modules.compiled.metrics[0].name: metric probe_uptime_seconds: names starting with probe_ are reserved for apiprobe\'s own metrics',
      'many-problems.yml:50:18 modules.compiled.metrics[2].valuetype: metric disk_free is already a gauge in metrics[1]; one name has one type',
    ]);
  });

  it('credentials apiprobe cannot take as they are are refused at their field', async () => {
    const dir = await writeTempFiles({
      'config.yml': `modules:
  a:
    http_client_config:
      basic_auth:
        username: monitor
        password: 'pa\${ss}'
    metrics: [{ name: up, path: '{.up}' }]
  b:
    http_client_config:
      basic_auth: { username: monitor, password: x }
      bearer_token: t
    metrics: [{ name: up, path: '{.up}' }]
  c:
    http_client_config:
      proxy_from_environment: true
    metrics: [{ name: up, path: '{.up}' }]
  d:
    http_client_config:
      authorization: { type: Token, credentials_file: token.txt }
    metrics: [{ name: up, path: '{.up}' }]
  e:
    metrics:
    - name: v
      path: '{.v}'
      valueconverter: { '{.v}': { on: 1 } }
`,
    });
    expect(await problems(path.join(dir, 'config.yml'))).toEqual([
      'config.yml:6:19 modules.a.http_client_config.basic_auth.password: a literal secret containing "${" would be read as an environment variable by apiprobe; put it in a file and use the _file field',
      'config.yml:11:7 modules.b.http_client_config.bearer_token: one kind of credentials per module, not basic_auth and bearer_token',
      'config.yml:15:7 modules.c.http_client_config.proxy_from_environment: proxy_from_environment is not supported; give proxy_url alone',
      'config.yml:19:30 modules.d.http_client_config.authorization.type: authorization type Token with credentials_file is not supported (only Bearer reads its credentials from a file)',
      'config.yml:25:7 modules.e.metrics[0].valueconverter: valueconverter applies to the values of a type: object metric',
    ]);
  });

  it('a file that is not json_exporter\'s, read as one with --config.format json_exporter, says what is wrong', async () => {
    const dir = await writeTempFiles({ 'apiprobe.yml': 'modules:\n  m:\n    requests: { s: { path: /s } }\n    metrics: []\n' });
    expect(await problems(path.join(dir, 'apiprobe.yml'), 'json_exporter')).toEqual([
      'apiprobe.yml:3:5 modules.m.requests: unknown field "requests"',
    ]);
  });
});
