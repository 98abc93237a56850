// Every validation rule has a deliberately bad config in bad/ that proves it fires, and
// fires at the right place: the file, line, column and dotted field of the mistake.
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/spec/duration.js';
import { ConfigError, fieldPath, formatProblem, type ConfigProblem } from '../../src/spec/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { Duration } from '../../src/spec/schema.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const bad = path.join(here, 'bad');
const root = path.resolve(here, '../..');

interface Case {
  /** The main config, in bad/. */
  fixture: string;
  /** The file the problem is in, relative to bad/, when it is not the main config. */
  in?: string;
  line: number;
  column: number;
  field: string;
  message: RegExp;
}

const CASES: Case[] = [
  // YAML itself
  // a syntax error: the first one only, at its line and column, with no guessed field
  { fixture: 'yaml-syntax-error.yml', line: 6, column: 5, field: '', message: /^YAML syntax error: Flow map .*end with a }$/ },
  { fixture: 'yaml-bad-indent.yml', line: 7, column: 1, field: '', message: /^YAML syntax error: All mapping items must start at the same column$/ },
  { fixture: 'yaml-key-indented-under-value.yml', line: 7, column: 15, field: '', message: /^YAML syntax error: Nested mappings are not allowed in compact mappings$/ },
  { fixture: 'duplicate-key.yml', line: 7, column: 5, field: 'modules.m.timeout', message: /^Map keys must be unique$/ },

  // unknown fields: at the unknown key's own line and column
  { fixture: 'unknown-field-top-level.yml', line: 3, column: 1, field: 'scrape_timeout', message: /^unknown field "scrape_timeout"$/ },
  { fixture: 'unknown-field-module.yml', line: 5, column: 5, field: 'modules.m.timout', message: /^unknown field "timout"$/ },
  { fixture: 'unknown-field-request.yml', line: 5, column: 27, field: 'modules.m.requests.r.methd', message: /^unknown field "methd"$/ },
  { fixture: 'unknown-field-metric.yml', line: 9, column: 9, field: 'modules.m.metrics[0].lables', message: /^unknown field "lables"$/ },

  // missing required fields: at the nearest enclosing key or list item
  { fixture: 'module-without-requests.yml', line: 3, column: 3, field: 'modules.m.requests', message: /^required field "requests" is missing$/ },
  { fixture: 'empty-requests.yml', line: 4, column: 5, field: 'modules.m.requests', message: /^expected a map, got nothing$/ },
  { fixture: 'metric-without-from.yml', line: 7, column: 9, field: 'modules.m.metrics[0].from', message: /^required field "from" is missing$/ },

  // values of the wrong form
  { fixture: 'bad-duration.yml', line: 4, column: 14, field: 'modules.m.timeout', message: /^"10 parsecs" is not a duration \(examples: 500ms, 10s, 1m30s\)$/ },
  { fixture: 'timeout-past-timer-range.yml', line: 4, column: 14, field: 'modules.m.timeout', message: /^"600h" is longer than 1h \(the longest a probe may take\)$/ },
  { fixture: 'timeout-number-too-large.yml', line: 4, column: 14, field: 'modules.m.timeout', message: /^1000000000 is longer than 1h \(the longest a probe may take\)$/ },
  { fixture: 'cache-ttl-past-timer-range.yml', line: 4, column: 38, field: 'modules.m.requests.r.cache_ttl', message: /^"30d" is longer than 24d20h31m23s \(the longest a timer can wait\)$/ },
  { fixture: 'max-response-bytes-too-large.yml', line: 3, column: 25, field: 'modules.m.max_response_bytes', message: /^at most 268435456 \(256 MiB\)/ },
  { fixture: 'concurrency-zero.yml', line: 4, column: 18, field: 'modules.m.concurrency', message: />=\s*1/ },
  { fixture: 'unknown-type.yml', line: 8, column: 15, field: 'modules.m.metrics[0].type', message: /^unknown type "histogram" \(expected one of: gauge, counter, untyped, info, stateset\)$/ },

  // names
  { fixture: 'bad-module-name.yml', line: 3, column: 3, field: 'modules._private', message: /^"_private" is not a valid module name \(expected \[A-Za-z0-9\]/ },
  { fixture: 'bad-request-name.yml', line: 5, column: 7, field: 'modules.m.requests.api-status', message: /^"api-status" is not a valid request name/ },
  { fixture: 'bad-metric-name.yml', line: 7, column: 15, field: 'modules.m.metrics[0].name', message: /^"http-requests" is not a valid metric name \(expected \[a-zA-Z_:\]\[a-zA-Z0-9_:\]\*\)$/ },
  { fixture: 'bad-label-name.yml', line: 9, column: 19, field: 'modules.m.metrics[0].labels.sensor-name', message: /^"sensor-name" is not a valid label name \(expected \[a-zA-Z_\]\[a-zA-Z0-9_\]\*\)$/ },
  { fixture: 'reserved-label-name.yml', line: 9, column: 37, field: 'modules.m.metrics[0].labels.__meta', message: /__meta.*starting with __ are reserved/ },
  { fixture: 'min-followers-too-many.yml', line: 5, column: 42, field: 'modules.m.requests.root.min_followers', message: /^min_followers counts the requests that follow this one and found links in it: 2 expected, only 1 follows root$/ },
  { fixture: 'target-label-name.yml', line: 9, column: 19, field: 'modules.m.metrics[0].labels.job', message: /^label name job: Prometheus sets job on every scraped series and would store this one as exported_job/ },
  { fixture: 'instance-label-name.yml', line: 9, column: 19, field: 'modules.m.metrics[0].labels.instance', message: /^label name instance: Prometheus sets instance .* exported_instance/ },
  { fixture: 'reserved-prefix-probe.yml', line: 7, column: 15, field: 'modules.m.metrics[0].name', message: /probe_uptime_seconds.*starting with probe_ are reserved/ },
  { fixture: 'reserved-prefix-apiprobe.yml', line: 7, column: 15, field: 'modules.m.metrics[0].name', message: /apiprobe_uptime_seconds.*starting with apiprobe_ are reserved/ },
  { fixture: 'counter-without-total.yml', line: 7, column: 15, field: 'modules.m.metrics[0].name', message: /counter m_requests .*ending in _total/ },
  { fixture: 'info-without-info-suffix.yml', line: 7, column: 15, field: 'modules.m.metrics[0].name', message: /info metric m_version .*ending in _info/ },

  // metric types and their fields
  { fixture: 'info-with-value.yml', line: 11, column: 16, field: 'modules.m.metrics[0].value', message: /info metric has no value/ },
  { fixture: 'gauge-without-value.yml', line: 7, column: 9, field: 'modules.m.metrics[0].value', message: /gauge metric needs a value/ },
  { fixture: 'stateset-without-states.yml', line: 7, column: 9, field: 'modules.m.metrics[0].states', message: /stateset metric needs states/ },
  { fixture: 'states-on-gauge.yml', line: 11, column: 17, field: 'modules.m.metrics[0].states', message: /states belong to stateset metrics, not to a gauge/ },
  { fixture: 'value-map-on-stateset.yml', line: 12, column: 20, field: 'modules.m.metrics[0].value_map', message: /value_map does not apply to stateset metrics/ },
  { fixture: 'stateset-label-like-metric.yml', line: 10, column: 19, field: 'modules.m.metrics[0].labels.m_health', message: /stateset uses its own name as the state label/ },
  { fixture: 'metric-openmetrics-family-clash.yml', line: 10, column: 15, field: 'modules.m.metrics[1].name', message: /^metric m_firmware_info and metrics\[0\] m_firmware would both be the OpenMetrics family m_firmware; rename one$/ },
  { fixture: 'metric-two-types.yml', line: 12, column: 15, field: 'modules.m.metrics[1].type', message: /m_connections is already a gauge in metrics\[0\]/ },

  // requests and fan-outs
  { fixture: 'metric-from-unknown-request.yml', line: 8, column: 15, field: 'modules.m.metrics[0].from', message: /^unknown request "stats" \(known: status\)$/ },
  { fixture: 'follow-from-unknown-request.yml', line: 7, column: 25, field: 'modules.m.requests.system.follow.from', message: /^unknown request "sytems" \(known: systems, system\)$/ },
  { fixture: 'min-links-without-follow.yml', line: 4, column: 38, field: 'modules.m.requests.r.min_links', message: /^min_links counts the links a follow finds: only for a request with follow$/ },
  { fixture: 'follow-list-unknown-request.yml', line: 8, column: 21, field: 'modules.m.requests.chassis.follow[1].from', message: /^unknown request "sytem" \(known: chassis_collection, chassis\)$/ },
  { fixture: 'invalid-expand-when.yml', line: 7, column: 25, field: 'modules.m.requests.systems.expand.when', message: /^invalid condition "@\.ProtocolFeaturesSupported\.ExpandQuery\.NoLinks ==": / },
  { fixture: 'invalid-follow-when.yml', line: 6, column: 72, field: 'modules.m.requests.thermal.follow.when', message: /^invalid condition "@\.ThermalSubsystem ==": / },
  { fixture: 'invalid-metric-when.yml', line: 8, column: 15, field: 'modules.m.metrics[0].when', message: /^invalid condition "@\.ReadingType == \\"Temperature\\"\], \$\[\?@\.x": / },
  { fixture: 'fanout-cycle.yml', line: 7, column: 25, field: 'modules.m.requests.a.follow.from', message: /^fan-out cycle: a -> b -> c -> a$/ },
  { fixture: 'path-and-follow.yml', line: 7, column: 15, field: 'modules.m.requests.system.path', message: /either path or follow, not both/ },
  { fixture: 'no-path-no-follow.yml', line: 5, column: 7, field: 'modules.m.requests.r.path', message: /needs a path or a follow.*target: \{ url: true \}/ },
  { fixture: 'path-without-slash.yml', line: 5, column: 18, field: 'modules.m.requests.r.path', message: /^path must start with "\/" \(got "api\/status"\)$/ },

  // JSONPaths and templates
  { fixture: 'invalid-jsonpath-value.yml', line: 9, column: 16, field: 'modules.m.metrics[0].value', message: /^invalid JSONPath "\$\.sensors\[0": / },
  { fixture: 'invalid-jsonpath-label.yml', line: 9, column: 27, field: 'modules.m.metrics[0].labels.sensor', message: /^invalid JSONPath "\$\.names\[": / },
  { fixture: 'invalid-jsonpath-each.yml', line: 9, column: 15, field: 'modules.m.metrics[0].each', message: /^invalid JSONPath "\$\.sensors\[\?\]": / },
  { fixture: 'invalid-jsonpath-each-step.yml', line: 11, column: 21, field: 'modules.m.metrics[0].each[1].path', message: /^invalid JSONPath "\$\.sensors\[\*": / },
  { fixture: 'invalid-jsonpath-follow.yml', line: 7, column: 40, field: 'modules.m.requests.system.follow.path', message: /^invalid JSONPath "members\[\*\]": expected '\$'/ },
  { fixture: 'unknown-template-variable.yml', line: 10, column: 27, field: 'modules.m.metrics[0].labels.sensor', message: /^unknown variable \{foo\} \(known here: key; / },
  { fixture: 'unknown-variable-in-follow-vars.yml', line: 7, column: 68, field: 'modules.m.requests.system.follow.vars.id', message: /^unknown variable \{site\}/ },
  { fixture: 'unmatched-brace-label.yml', line: 10, column: 27, field: 'modules.m.metrics[0].labels.sensor', message: /^unclosed "\{" at offset 7 in "sensor-\{\$\.id"/ },

  // the tcp request kind (issue 19)
  { fixture: 'tcp-param-without-rule.yml', line: 7, column: 35, field: 'modules.m.requests.vars.tcp.send[0]', message: /^\{ups\}: a parameter sent in a TCP line needs an enum or a pattern/ },
  { fixture: 'tcp-http-field.yml', line: 6, column: 15, field: 'modules.m.requests.stats.path', message: /^path is HTTP's: a tcp request says what it sends in tcp\.send$/ },
  { fixture: 'tcp-mixed-protocols.yml', line: 9, column: 9, field: 'modules.m.requests.web', message: /^module has tcp requests \(stats\): all of a module's requests are tcp, or none/ },
  { fixture: 'basic-username-colon.yml', line: 5, column: 17, field: 'auths.ups.basic.username', message: /^a Basic username cannot hold ":" \(RFC 7617\)/ },
  { fixture: 'tcp-pins-in-clear.yml', line: 5, column: 13, field: 'modules.m.tls.pins', message: /^pins check a TLS connection, and every tcp request of this module has tls: none$/ },
  { fixture: 'tcp-auth-not-basic.yml', line: 6, column: 11, field: 'modules.m.auth', message: /^auth token is bearer: a tcp module logs in with a basic auth's username and password only$/ },
  { fixture: 'tcp-credential-outside-login.yml', line: 6, column: 35, field: 'modules.m.requests.vars.tcp.send[0]', message: /^\{password\} is the auth's, only in login lines$/ },

  // included files
  { fixture: 'duplicate-module-in-includes.yml', in: 'duplicate-module/b.yml', line: 3, column: 3, field: 'modules.web', message: new RegExp(`^module "web" is already defined at ${escape(path.join(bad, 'duplicate-module/a.yml'))}:2:3$`) },
  { fixture: 'include-glob-matches-nothing.yml', line: 3, column: 5, field: 'include[0]', message: /^no file matches "duplicate-module\/\*\.yaml"/ },
  { fixture: 'include-missing-file.yml', line: 4, column: 5, field: 'include[1]', message: new RegExp(`^file not found: ${escape(path.join(bad, 'modules/missing.yml'))}$`) },
  { fixture: 'unknown-field-in-included-file.yml', in: 'included-unknown-field/web.yml', line: 6, column: 9, field: 'modules.web.requests.status.header', message: /^unknown field "header"$/ },
];

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function problemsOf(file: string): Promise<ConfigProblem[]> {
  const err: unknown = await loadConfig(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `${file} should be rejected`).toBeInstanceOf(ConfigError);
  return (err as ConfigError).problems;
}

describe('a bad config names the file, the line, the column and the field', () => {
  it.each(CASES)('$fixture', async (c) => {
    const problems = await problemsOf(path.join(bad, c.fixture));
    const file = path.join(bad, c.in ?? c.fixture);
    // One mistake, one problem: no noise from rules that only fail because of it.
    expect(problems).toHaveLength(1);
    expect(problems[0]).toEqual({ file, line: c.line, column: c.column, field: c.field, message: expect.stringMatching(c.message) as string });
    expect(problems[0]!.message).not.toContain('\n');
    expect(formatProblem(problems[0]!)).toBe(`${file}:${c.line}:${c.column} ${c.field || '(document)'}: ${problems[0]!.message}`);
  });

  it('has a case for every fixture in bad/', () => {
    const fixtures = readdirSync(bad).filter((f) => f.endsWith('.yml')).sort();
    const covered = new Set([...CASES.map((c) => c.fixture), 'many-problems.yml']);
    expect(fixtures.filter((f) => !covered.has(f))).toEqual([]);
    expect(CASES.filter((c) => !fixtures.includes(c.fixture)).map((c) => c.fixture)).toEqual([]);
  });

  it('reports every problem of a file, schema and semantic ones, in line order', async () => {
    const file = path.join(bad, 'many-problems.yml');
    const problems = await problemsOf(file);
    expect(problems.map((p) => [p.line, p.column, p.field])).toEqual([
      [4, 14, 'modules.a.timeout'],
      [6, 27, 'modules.a.requests.r.verb'],
      [9, 18, 'modules.b.requests.r.path'],
      [11, 25, 'modules.b.requests.s.follow.from'],
      [13, 15, 'modules.b.metrics[0].name'],
      [18, 15, 'modules.b.metrics[1].from'],
    ]);
    expect(problems.every((p) => p.file === file)).toBe(true);
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/"soon" is not a duration/),
      'unknown field "verb"',
      expect.stringMatching(/must start with "\/"/),
      expect.stringMatching(/unknown request "nowhere"/),
      expect.stringMatching(/_total/),
      expect.stringMatching(/unknown request "t"/),
    ]);
  });

  it('reports a file that cannot be read as such', async () => {
    const file = path.join(bad, 'does-not-exist.yml');
    expect(await problemsOf(file)).toEqual([{ file, line: 0, column: 0, field: '', message: 'cannot read the file: ENOENT: no such file or directory' }]);
  });
});

describe('labels Prometheus gives every series', () => {
  it('a converted json_exporter module keeps its job label (as json_exporter gave it); __ stays refused', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'apiprobe-labels-'));
    try {
      const file = path.join(dir, 'config.yml');
      await writeFile(file, "modules:\n  default:\n    metrics:\n    - name: build_failed\n      path: '{.failed}'\n      labels: { job: '{.name}', instance: '{.host}' }\n");
      const config = await loadConfig(file);
      expect(config.modules.get('default')!.metrics[0]!.labelNames).toEqual(['instance', 'job']);
      await config.close();
      await writeFile(file, "modules:\n  default:\n    metrics:\n    - name: build_failed\n      path: '{.failed}'\n      labels: { __name: '{.name}' }\n");
      expect((await problemsOf(file)).map((p) => p.message)).toEqual([expect.stringMatching(/__name.*starting with __ are reserved/)]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('formatProblem', () => {
  it('prints file:line:column field: message', () => {
    const p: ConfigProblem = { file: '/etc/apiprobe/apiprobe.yml', line: 12, column: 7, field: 'modules.m.timeout', message: 'bad' };
    expect(formatProblem(p)).toBe('/etc/apiprobe/apiprobe.yml:12:7 modules.m.timeout: bad');
  });

  it('names a problem of the whole document (document)', () => {
    expect(formatProblem({ file: '/a.yml', line: 1, column: 1, field: '', message: 'x' })).toBe('/a.yml:1:1 (document): x');
  });

  it('quotes keys that would make the dotted path ambiguous', () => {
    expect(fieldPath(['modules', 'redfish.v2', 'metrics', 0, 'labels', 'sensor-id'])).toBe('modules["redfish.v2"].metrics[0].labels.sensor-id');
  });
});

describe('the shipped configuration', () => {
  it('loads with the redfish module from modules/redfish.yml', async () => {
    const config = await loadConfig(path.join(root, 'apiprobe.yml'));
    expect(config.file).toBe(path.join(root, 'apiprobe.yml'));
    expect(config.files).toContain(path.join(root, 'modules/redfish.yml'));
    const redfish = config.modules.get('redfish');
    expect(redfish).toBeDefined();
    expect(redfish!.file).toBe(path.join(root, 'modules/redfish.yml'));
    expect(redfish!.scheme).toBe('https');
    expect(redfish!.timeoutSeconds).toBe(20);
    expect(redfish!.roots).toEqual(['service_root']);
    expect(redfish!.metrics.length).toBeGreaterThan(0);
  });
});

describe('durations', () => {
  it.each([
    ['500ms', 0.5],
    ['10s', 10],
    ['1m30s', 90],
    ['2h', 7200],
    ['1.5s', 1.5],
    ['1d', 86400],
  ])('parses %s as %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', '10', '10 s', '10 parsecs', 's', '1x', ' 1s', '1s '])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('accepts a number of seconds or a duration string in the config', () => {
    expect(Duration.parse(5)).toBe(5);
    expect(Duration.parse(0.25)).toBe(0.25);
    expect(Duration.parse('1m30s')).toBe(90);
    expect(Duration.parse('500ms')).toBe(0.5);
  });

  it('refuses zero, negative and non-duration values', () => {
    expect(Duration.safeParse(0).success).toBe(false);
    expect(Duration.safeParse(-1).success).toBe(false);
    expect(Duration.safeParse('0s').success).toBe(false);
    expect(Duration.safeParse(true).success).toBe(false);
  });
});
