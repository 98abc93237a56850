// npm run schema: regenerates schema/*.json from the zod schemas.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonSchemas, renderSchema } from '../src/spec/json-schema.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../schema');
for (const [name, schema] of Object.entries(jsonSchemas())) {
  await writeFile(path.join(dir, name), renderSchema(schema));
  process.stdout.write(`wrote schema/${name}\n`);
}
