// The protocol registry (src/protocols/index.ts) and the tcp protocol's own stages: its
// target (host[:port], the request's port by default) and its compiled lines.
import { describe, expect, it } from 'vitest';
import { compileModule } from '../../src/module/compile.js';
import { ModuleSchema, type TcpRequestSpec } from '../../src/spec/schema.js';
import { TargetError } from '../../src/protocols/target.js';
import { PROTOCOLS, protocolOf } from '../../src/protocols/index.js';
import { compileTcp, TcpSpecError } from '../../src/module/tcp-lines.js';
import { compileParam, ParamError } from '../../src/module/url-plan.js';
import type { CompiledModule } from '../../src/module/plan.js';

function compiled(spec: unknown): CompiledModule {
  const problems: string[] = [];
  const mod = compileModule('m', ModuleSchema.parse(spec), 'm.yml', (p, message) => problems.push(`${p.join('.')}: ${message}`));
  expect(problems).toEqual([]);
  return mod!;
}

const NUT = compiled({
  params: { ups: { default: 'ups', pattern: '[A-Za-z0-9_.-]+' } },
  requests: { vars: { tcp: { port: 3493, send: ['LIST VAR {ups}'], until: { line: 'END LIST VAR {ups}' } }, format: 'nut' } },
});
const WEB = compiled({ requests: { status: { path: '/status' } } });

describe('the protocol registry', () => {
  it('gives each module its protocol, and says which meta-metrics apply', () => {
    expect(Object.keys(PROTOCOLS).sort()).toEqual(['http', 'tcp']);
    expect(protocolOf(NUT).name).toBe('tcp');
    expect(protocolOf(WEB).name).toBe('http');
    expect(protocolOf(WEB).statusCode).toBe(true);
    expect(protocolOf(NUT).statusCode).toBe(false);
  });
});

describe('tcp targets', () => {
  const resolve = (t: string) => PROTOCOLS.tcp.resolveTarget(t, NUT);

  it('takes host[:port], the request\'s port when none is given, one spelling per device', () => {
    expect(resolve('10.0.0.1').key).toBe('10.0.0.1:3493');
    expect(resolve('10.0.0.1:13493').key).toBe('10.0.0.1:13493');
    // :80 is HTTP's default, not TCP's: kept as written.
    expect(resolve('UPS.Example.:80').key).toBe('ups.example:80');
    expect(resolve('[::ffff:7f00:1]').key).toBe('127.0.0.1:3493');
    expect(resolve('[::1]:3000').key).toBe('[::1]:3000');
    const url = PROTOCOLS.tcp.address(NUT, NUT.requests.get('vars')!, resolve('nas.example'), { ups: 'ups' });
    expect(url.href).toBe('tcp://nas.example:3493/vars');
  });

  it('refuses URLs, paths, credentials and ports out of range, as a TargetError', () => {
    for (const t of ['tcp://h:1', 'http://h', 'h/x', 'u@h', 'h:0', 'h:70000', 'h?x', ' ']) {
      expect(() => resolve(t), t).toThrow(TargetError);
    }
  });

  it('refuses a parameter value with CR, LF or NUL as the caller\'s mistake (a 400)', () => {
    const free = compiled({
      params: { ups: { default: 'ups', pattern: '(?s).+' } },
      requests: { vars: { tcp: { port: 3493, send: ['LIST VAR {ups}'], until: { line: 'END' } }, format: 'nut' } },
    });
    expect(() => PROTOCOLS.tcp.address(free, free.requests.get('vars')!, resolve('h'), { ups: 'ups\nFSD ups' })).toThrow(ParamError);
  });
});

describe('tcp lines compiled at load', () => {
  const params = new Map([['ups', (compileParam({ default: 'ups', enum: ['ups', 'pdu'] }) as { param: never }).param]]);
  const base: TcpRequestSpec = { port: 1, tls: 'none', send: ['X'], until: 'close', eol: '\n' };

  it('keeps literal text and slots, and the params the lines use', () => {
    const t = compileTcp({ ...base, login: ['USERNAME {username}'], send: ['LIST VAR {ups} x'] }, params);
    expect(t.send).toEqual([['LIST VAR ', { param: 'ups' }, ' x']]);
    expect(t.login).toEqual([['USERNAME ', { credential: 'username' }]]);
    expect(t.params).toEqual(['ups']);
  });

  it('refuses CR, LF or NUL in a line, unknown params, and credentials outside login, naming the field', () => {
    const field = (spec: object): unknown => {
      try {
        compileTcp({ ...base, ...spec }, params);
      } catch (err) {
        if (err instanceof TcpSpecError) return [err.field, err.message];
        throw err;
      }
      return undefined;
    };
    expect(field({ send: ['A', 'B\r\nC'] })).toEqual([['send', 1], expect.stringContaining('CR, LF or NUL')]);
    expect(field({ send: ['LIST {nope}'] })).toEqual([['send', 0], expect.stringContaining('{nope} is not a parameter of the module')]);
    expect(field({ until: { line: 'END {password}' } })).toEqual([['until', 'line'], '{password} is the auth\'s, only in login lines']);
    expect(field({ quit: 'Q\0' })).toEqual([['quit'], expect.stringContaining('CR, LF or NUL')]);
  });
});
