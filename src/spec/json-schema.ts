// JSON Schemas for apiprobe.yml and module files, generated from the same zod
// schemas the loader validates with, for editors with YAML language support:
//   # yaml-language-server: $schema=../schema/module.schema.json
import { z } from 'zod';
import { MainConfigSchema, ModuleFileSchema } from './schema.js';

type JsonSchema = Record<string, unknown>;

function generate(schema: z.ZodType, title: string): JsonSchema {
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  // Top-level x- keys hold YAML anchors (the loader ignores them).
  return { ...out, title, patternProperties: { '^x-': {} } };
}

export function jsonSchemas(): Record<string, JsonSchema> {
  return {
    'apiprobe.schema.json': generate(MainConfigSchema, 'apiprobe main configuration (apiprobe.yml)'),
    'module.schema.json': generate(ModuleFileSchema, 'apiprobe module file'),
  };
}

export function renderSchema(schema: JsonSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
