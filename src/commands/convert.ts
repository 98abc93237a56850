// `apiprobe convert json-exporter config.yml`: the apiprobe modules a json_exporter
// configuration is translated into at load, printed as YAML to grow from. The file is
// first loaded exactly as the exporter would load it, so what is printed is what runs
// and a file the exporter refuses is refused here with the same problems.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Document, isMap, isPair, isScalar, parse, visit } from 'yaml';
import { loadConfig } from '../config/load.js';
import { authName, JsonExporterModuleSchema, translateModule } from '../compat/json-exporter.js';

// Small maps read best on one line.
const FLOW_KEYS = new Set(['target', 'labels', 'value_map', 'params', 'headers', 'tls', 'valid_status_codes', 'basic', 'bearer', 'api_key', 'scopes', 'endpoint_params']);

export async function convertJsonExporter(file: string): Promise<string> {
  // Throws ConfigError with every problem, located in the file, when it does not load.
  await loadConfig(file, { format: 'json_exporter' });
  const data = parse(await readFile(file, 'utf8'), { merge: true }) as { modules: Record<string, unknown> };
  const modules: Record<string, unknown> = {};
  const auths: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(data.modules)) {
    const t = translateModule(name, JsonExporterModuleSchema.parse(raw ?? {}), () => {
      throw new Error(`module ${name} loaded but does not translate`);
    })!;
    modules[name] = t.module;
    if (t.auth) auths[authName(name)] = t.auth;
  }
  const out: Record<string, unknown> = { modules };
  if (Object.keys(auths).length) out.auths = auths;
  const doc = new Document(out);
  visit(doc, {
    Pair(_key, pair) {
      // PEM text reads best as a block: a map holding it stays a block too.
      if (isPair(pair) && isScalar(pair.key) && FLOW_KEYS.has(String(pair.key.value)) && (isMap(pair.value) || pair.value) && !JSON.stringify(pair.value).includes('\\n')) {
        const v = pair.value as { flow?: boolean };
        v.flow = true;
      }
    },
  });
  const source = path.basename(file);
  doc.commentBefore = [
    ` apiprobe modules converted from ${source}, a json_exporter configuration.`,
    ' apiprobe loads that file unchanged and translates it into these same modules;',
    ' this file is the starting point to grow them as apiprobe modules. Probe as before:',
    '   /probe?module=<name>&target=<URL>',
    ...(Object.keys(auths).length ? [' The credentials are under auths: (apiprobe keeps secrets out of modules).'] : []),
  ].join('\n');
  return doc.toString({ lineWidth: 0, flowCollectionPadding: true });
}
