import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { globSync } from 'tinyglobby';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { jsonSchemas, renderSchema } from '../../src/spec/json-schema.js';
import { ROOT } from '../helpers/exporter.js';

const schemas = jsonSchemas();
const ajv = new Ajv2020({ strict: false, allErrors: true });
const validateModule = ajv.compile(schemas['module.schema.json']!);
const validateMain = ajv.compile(schemas['apiprobe.schema.json']!);

describe('JSON Schema for editors', () => {
  it.each(Object.keys(schemas))('schema/%s is the one generated from the validator (run npm run schema)', (name) => {
    expect(readFileSync(path.join(ROOT, 'schema', name), 'utf8')).toBe(renderSchema(schemas[name]!));
  });

  it('accepts every shipped module file and apiprobe.yml', () => {
    const files = globSync('modules/*.yml', { cwd: ROOT, absolute: true });
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const ok = validateModule(parse(readFileSync(file, 'utf8'), { merge: true }));
      expect(ok, `${file}: ${JSON.stringify(validateModule.errors)}`).toBe(true);
    }
    expect(validateMain(parse(readFileSync(path.join(ROOT, 'apiprobe.yml'), 'utf8')))).toBe(true);
  });

  it('is as strict as the loader: unknown fields and wrong types are flagged', () => {
    const base = { modules: { m: { requests: { s: { path: '/s' } }, metrics: [{ name: 'm', from: 's', value: '$.v' }] } } };
    expect(validateModule(base)).toBe(true);
    expect(validateModule({ modules: { m: { ...base.modules.m, colour: 'blue' } } })).toBe(false);
    expect(validateModule({ modules: { m: { ...base.modules.m, metrics: [{ name: 'm', from: 's', type: 'histogram' }] } } })).toBe(false);
    expect(validateModule({ 'x-shared': { any: 1 }, ...base })).toBe(true);
  });
});
