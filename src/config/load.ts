// Reads apiprobe.yml and the module files it includes, validates them strictly and
// compiles every module into one configuration generation: the whole plan probes
// execute (modules, credentials, target guard, connections), replaced as a whole on
// reload. All problems of all files are collected, each located by file, line,
// column and field, before anything is reported.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { compileAuth } from '../auth/registry.js';
import type { Auth } from '../fetch/credentials.js';
import { authName, JsonExporterFileShell, JsonExporterModuleSchema, looksLikeJsonExporter, translateModule } from '../compat/json-exporter.js';
import { Connections } from '../fetch/connections.js';
import { HostMatcher, RuleError, TargetGuard } from '../fetch/guard.js';
import { mergeTransport, type Transport } from '../fetch/transport.js';
import type { Config } from '../probe/generation.js';
import type { CompiledModule } from '../module/plan.js';
import { protocolOf } from '../protocols/index.js';
import { KnownHostsCache } from '../tls/known-hosts.js';
import type { PinSet } from '../tls/pins.js';
import { loadPinsFile } from '../tls/pins-file.js';
import type { Trust } from '../tls/verify.js';
import { compileModule } from '../module/compile.js';
import { ConfigError, fieldPath, type ConfigProblem } from '../spec/errors.js';
import { AuthSchema, MainConfigShell, ModuleFileShell, ModuleName, ModuleSchema, type AuthSpec, type ModuleSpec } from '../spec/schema.js';

/**
 * How the main file is read: `auto` recognises json_exporter's format by its shape
 * (included files are always recognised so), `json_exporter` says it is, `apiprobe`
 * that it is not.
 */
export type ConfigFormat = 'auto' | 'apiprobe' | 'json_exporter';

export interface LoadOptions {
  format?: ConfigFormat;
  /** How the target guard resolves names (tests, and the offline probe command, give their own). */
  lookup?: ConstructorParameters<typeof TargetGuard>[1];
  /** The known hosts of trust: first_use, kept across reloads by the server (a fresh store otherwise). */
  knownHosts?: KnownHostsCache;
}

interface ParsedFile {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

export async function loadConfig(mainFile: string, options: LoadOptions = {}): Promise<Config> {
  const format = options.format ?? 'auto';
  const problems: ConfigProblem[] = [];
  const file = path.resolve(mainFile);
  const files = [file];
  const main = await readYaml(file, problems);
  if (!main) throw new ConfigError(problems);
  const mainIsJsonExporter = format === 'json_exporter' || (format === 'auto' && looksLikeJsonExporter(main.doc.toJS()));
  const mainSpec = mainIsJsonExporter ? undefined : validate(main, MainConfigShell, problems);
  if (mainIsJsonExporter) validate(main, JsonExporterFileShell, problems);
  // Modules are checked and compiled even when the rest of the file is not valid:
  // one run reports every problem it can find.
  const specs: ModuleEntry[] = mainIsJsonExporter ? translateModules(main, problems) : validateModules(main, problems);

  const dir = path.dirname(file);
  for (const [i, pattern] of mainSpec?.include.entries() ?? []) {
    const matched = await expand(dir, pattern);
    if (matched.length === 0) {
      problems.push(at(main, ['include', i], isDynamicPattern(pattern)
        ? `no file matches ${JSON.stringify(pattern)} (relative to ${dir})`
        : `file not found: ${path.resolve(dir, pattern)}`));
      continue;
    }
    for (const included of matched) {
      if (files.includes(included)) continue;
      files.push(included);
      const parsed = await readYaml(included, problems);
      if (!parsed) continue;
      if (format !== 'apiprobe' && looksLikeJsonExporter(parsed.doc.toJS())) {
        validate(parsed, JsonExporterFileShell, problems);
        specs.push(...translateModules(parsed, problems));
        continue;
      }
      validate(parsed, ModuleFileShell, problems);
      specs.push(...validateModules(parsed, problems));
    }
  }

  const modules = new Map<string, CompiledModule>();
  const definedAt = new Map<string, ConfigProblem>();
  for (const { name, spec, from, origin } of specs) {
    const here = at(from, ['modules', name], '', true);
    const first = definedAt.get(name);
    if (first) {
      problems.push({ ...here, message: `module "${name}" is already defined at ${first.file}:${first.line}:${first.column}` });
      continue;
    }
    definedAt.set(name, here);
    if (!spec) continue;
    const compiled = compileModule(name, spec, from.file, (p, message, atKey) => problems.push(at(from, ['modules', name, ...(origin ? origin(p) : p)], message, atKey)));
    if (compiled) modules.set(name, compiled);
  }
  const resolvePath = (p: string): string => path.resolve(dir, p);
  const auths = new Map<string, Auth>();
  for (const [name, spec] of Object.entries(mainSpec?.auths ?? {})) {
    const auth = compileAuth(name, spec, resolvePath, (p, message) => problems.push(at(main, ['auths', name, ...p], message)));
    if (auth) auths.set(name, auth);
  }
  // Credentials of translated json_exporter modules: files relative to their own file.
  const translatedAuths = new Set<string>();
  for (const { name, from, auth } of specs) {
    if (!auth) continue;
    const where = (p: ReadonlyArray<PropertyKey>): ConfigProblem => at(from, ['modules', name, ...auth.origin(p)], '', true);
    if (auths.has(auth.name) || Object.hasOwn(mainSpec?.auths ?? {}, auth.name)) {
      problems.push({ ...where([]), message: `its credentials become auth "${auth.name}", which ${file} already defines` });
      continue;
    }
    translatedAuths.add(auth.name);
    const fromDir = path.dirname(from.file);
    const compiled = compileAuth(auth.name, auth.spec, (p) => path.resolve(fromDir, p), (p, message) => problems.push({ ...where(p), message }));
    if (compiled) auths.set(auth.name, compiled);
  }
  const targets = mainSpec?.targets ?? { allow: [], deny: [] };
  for (const list of ['allow', 'deny'] as const) {
    targets[list].forEach((rule, i) => {
      try {
        new HostMatcher([rule]);
      } catch (err) {
        if (!(err instanceof RuleError)) throw err;
        problems.push(at(main, ['targets', list, i], err.message));
      }
    });
  }
  for (const { name, spec, from } of specs) {
    if (spec?.auth !== undefined && mainSpec && !Object.hasOwn(mainSpec.auths, spec.auth) && !translatedAuths.has(spec.auth)) {
      const known = Object.keys(mainSpec.auths);
      problems.push(at(from, ['modules', name, 'auth'], `unknown auth "${spec.auth}" (auths in ${file}: ${known.length ? known.join(', ') : 'none'})`));
    }
    // An auth the module's protocol cannot carry (a bearer token on a TCP login line).
    const mod = modules.get(name);
    const defaultAuth = spec?.auth === undefined ? undefined : auths.get(spec.auth);
    const refused = mod && defaultAuth && protocolOf(mod).refusesAuth(defaultAuth);
    if (refused) problems.push(at(from, ['modules', name, 'auth'], refused));
  }
  let targetPins: Map<string, PinSet> = new Map();
  const tlsSpec = mainSpec?.tls;
  if (tlsSpec?.pins_file !== undefined) {
    const pinsFile = resolvePath(tlsSpec.pins_file);
    files.push(pinsFile);
    targetPins = await loadPinsFile(pinsFile, problems);
  }
  let knownHosts;
  try {
    knownHosts = (options.knownHosts ?? new KnownHostsCache()).get(tlsSpec?.known_hosts_file === undefined ? undefined : resolvePath(tlsSpec.known_hosts_file));
  } catch (err) {
    problems.push(at(main, ['tls', 'known_hosts_file'], (err as Error).message));
  }
  if (problems.length || !knownHosts) throw new ConfigError(sortProblems(problems, files));
  const trust: Trust = { targetPins, knownHosts };
  const guard = new TargetGuard(targets, options.lookup);
  const connections = new Connections(guard, trust);
  // Every module × auth-with-a-certificate pair, once: a probe only looks its transport up.
  const merged = new Map<CompiledModule, Map<Auth, Transport>>();
  for (const module of modules.values()) {
    const byAuth = new Map<Auth, Transport>();
    for (const auth of auths.values()) if (auth.transport) byAuth.set(auth, mergeTransport(module.transport, auth.transport));
    merged.set(module, byAuth);
  }
  return {
    file,
    files,
    modules,
    auths,
    targets,
    guard,
    connections,
    trust,
    transportFor: (module, auth) => (auth?.transport ? merged.get(module)?.get(auth) ?? mergeTransport(module.transport, auth.transport) : module.transport),
    async close() {
      await Promise.all([...auths.values()].map((a) => a.close()));
      await connections.close();
    },
  };
}

/** Problems in the order of the files, then of their lines. */
function sortProblems(problems: ConfigProblem[], files: string[]): ConfigProblem[] {
  const rank = (f: string): number => {
    const i = files.indexOf(f);
    return i < 0 ? files.length : i;
  };
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => rank(a.p.file) - rank(b.p.file) || a.p.line - b.p.line || a.p.column - b.p.column || a.i - b.i)
    .map(({ p }) => p);
}

async function expand(dir: string, pattern: string): Promise<string[]> {
  const found = await glob(pattern, { cwd: dir, absolute: true, onlyFiles: true, expandDirectories: false });
  return found.map((f) => path.resolve(f)).sort();
}

async function readYaml(file: string, problems: ConfigProblem[]): Promise<ParsedFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    // Node's message is "ENOENT: no such file or directory, open '<file>'"; the file is already named.
    const reason = (err as Error).message.replace(/, \w+ '.*'$/, '');
    problems.push({ file, line: 0, column: 0, field: '', message: `cannot read the file: ${reason}` });
    return undefined;
  }
  const lines = new LineCounter();
  // merge: YAML merge keys (<<: *anchor) let module authors share mapping fragments.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  if (doc.errors.length) {
    // A syntax error leaves the parser guessing at what follows, so the errors after the
    // first, and the field any of them seems to be in, are guesses too: only the first is
    // reported, by line and column. Duplicate keys are the exception: the document is
    // well-formed there, so each is reported at its (certain) field.
    const syntax = doc.errors.filter((e) => e.code !== 'DUPLICATE_KEY').sort((x, y) => x.pos[0] - y.pos[0]);
    if (syntax.length) {
      const pos = lines.linePos(syntax[0]!.pos[0]);
      problems.push({ file, line: pos.line, column: pos.col, field: '', message: `YAML syntax error: ${syntax[0]!.message.split('\n')[0]!}` });
      return undefined;
    }
    for (const e of doc.errors) {
      const pos = lines.linePos(e.pos[0]);
      problems.push({ file, line: pos.line, column: pos.col, field: fieldPath(pathAt(doc.contents, e.pos[0])), message: e.message.split('\n')[0]! });
    }
    return undefined;
  }
  return { file, doc, lines };
}

function validate<S extends z.ZodType>(parsed: ParsedFile, schema: S, problems: ConfigProblem[]): z.output<S> | undefined {
  const data: unknown = parsed.doc.toJS() ?? {};
  // Top-level keys starting with x- are for YAML anchors shared by the file (as in
  // Compose files): `x-health: &health {...}` then `<<: *health` in mappings.
  if (isRecord(data)) for (const key of Object.keys(data)) if (key.startsWith('x-')) delete data[key];
  return check(parsed, [], data, schema, problems);
}

interface ModuleEntry {
  name: string;
  /** Undefined when the module failed validation (its problems are reported). */
  spec: ModuleSpec | undefined;
  from: ParsedFile;
  /** A translated module: where each of its fields came from in the file. */
  origin?: (p: ReadonlyArray<PropertyKey>) => PropertyKey[];
  /** A translated module's credentials. */
  auth?: { name: string; spec: AuthSpec; origin: (p: ReadonlyArray<PropertyKey>) => PropertyKey[] };
}

// Each json_exporter module is validated in its own format, then translated into an
// apiprobe module; problems are reported at the json_exporter fields they come from.
function translateModules(parsed: ParsedFile, problems: ConfigProblem[]): ModuleEntry[] {
  const data: unknown = parsed.doc.toJS();
  const modules = isRecord(data) ? data.modules : undefined;
  if (!isRecord(modules)) return [];
  const entries: ModuleEntry[] = [];
  for (const [name, raw] of Object.entries(modules)) {
    if (!ModuleName.safeParse(name).success) continue;
    const base = ['modules', name];
    const entry: ModuleEntry = { name, spec: undefined, from: parsed };
    entries.push(entry);
    const je = check(parsed, base, raw ?? {}, JsonExporterModuleSchema, problems);
    if (!je) continue;
    const t = translateModule(name, je, (p, message, atKey) => problems.push(at(parsed, [...base, ...p], message, atKey)));
    if (!t) continue;
    entry.origin = t.origin;
    entry.spec = checkTranslated(parsed, base, t.module, ModuleSchema, t.origin, problems);
    if (t.auth) {
      const auth = checkTranslated(parsed, base, t.auth, AuthSchema, t.authOrigin, problems);
      if (auth) entry.auth = { name: authName(name), spec: auth, origin: t.authOrigin };
      else entry.spec = undefined;
    }
  }
  return entries;
}

// A translation the schema refuses is reported at the json_exporter field it came
// from, naming the apiprobe field too.
function checkTranslated<S extends z.ZodType>(
  parsed: ParsedFile,
  base: PropertyKey[],
  data: unknown,
  schema: S,
  origin: (p: ReadonlyArray<PropertyKey>) => PropertyKey[],
  problems: ConfigProblem[],
): z.output<S> | undefined {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    problems.push(at(parsed, [...base, ...origin(issue.path)], `${fieldPath(issue.path)} in the translated module: ${issue.message}`));
  }
  return undefined;
}

// Each module is validated on its own, so that one broken module does not hide the
// problems of the others.
function validateModules(parsed: ParsedFile, problems: ConfigProblem[]): ModuleEntry[] {
  const data: unknown = parsed.doc.toJS();
  const modules = isRecord(data) ? data.modules : undefined;
  if (!isRecord(modules)) return [];
  return Object.entries(modules)
    .filter(([name]) => ModuleName.safeParse(name).success)
    .map(([name, m]) => ({ name, spec: check(parsed, ['modules', name], m, ModuleSchema, problems), from: parsed }));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function check<S extends z.ZodType>(
  parsed: ParsedFile,
  base: PropertyKey[],
  data: unknown,
  schema: S,
  problems: ConfigProblem[],
): z.output<S> | undefined {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  for (const issue of result.error.issues) report(parsed, [...base, ...issue.path], issue, problems);
  return undefined;
}

function report(parsed: ParsedFile, p: PropertyKey[], issue: z.core.$ZodIssue, problems: ConfigProblem[]): void {
  switch (issue.code) {
    case 'unrecognized_keys':
      for (const key of issue.keys) problems.push(at(parsed, [...p, key], `unknown field "${key}"`, true));
      return;
    case 'invalid_key':
      // A bad name in a map (module, request, label): point at the name itself.
      for (const inner of issue.issues) problems.push(at(parsed, p, inner.message, true));
      return;
    case 'invalid_union': {
      // Report the problems of the one alternative the value has the shape of, if any:
      // `{ path: 1 }` as an each step is "path: expected string", not "invalid input".
      const shaped = issue.errors.filter((branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0));
      if (shaped.length === 1) {
        for (const inner of shaped[0]!) report(parsed, [...p, ...inner.path], inner, problems);
        return;
      }
      problems.push(at(parsed, p, issue.message));
      return;
    }
    case 'invalid_type': {
      if (!locate(parsed.doc, p).exists) {
        const name = p[p.length - 1];
        problems.push(at(parsed, p, typeof name === 'string' ? `required field "${name}" is missing` : 'required field is missing'));
        return;
      }
      // zod says "Invalid input: expected record, received null"; say it in YAML's words.
      const m = /expected (\w+), received (\w+)/.exec(issue.message);
      if (m) {
        problems.push(at(parsed, p, `expected ${YAML_WORDS[m[1]!] ?? m[1]}, got ${YAML_WORDS[m[2]!] ?? m[2]}`));
        return;
      }
    }
  }
  problems.push(at(parsed, p, issue.message));
}

const YAML_WORDS: Record<string, string> = {
  record: 'a map', object: 'a map', array: 'a list', string: 'a string', number: 'a number',
  boolean: 'true or false', null: 'nothing',
};

type Located = { node: Node | undefined; key: Node | undefined; exists: boolean };

// Walks the YAML tree by the field path. Map keys are compared as strings, as in the
// JS object the schema saw (a YAML key `200` is the field "200").
function locate(doc: Document.Parsed, p: ReadonlyArray<PropertyKey>): Located {
  let node: unknown = doc.contents;
  let key: Node | undefined;
  for (const seg of p) {
    if (isMap(node)) {
      const pair = node.items.find((it) => (isScalar(it.key) ? String(it.key.value) : String(it.key)) === String(seg));
      if (!pair) return { node: undefined, key: undefined, exists: false };
      key = isScalar(pair.key) ? pair.key : undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      key = undefined;
      if (node === undefined) return { node: undefined, key: undefined, exists: false };
    } else {
      return { node: undefined, key: undefined, exists: false };
    }
  }
  // An empty value (`requests:` and nothing) has an empty range at the end of the line: use its key.
  const range = node !== null && typeof node === 'object' && 'range' in node ? (node as Node).range : undefined;
  const withRange = range && range[1] > range[0] ? (node as Node) : undefined;
  return { node: withRange, key, exists: true };
}

/**
 * A problem located at the YAML node for `p`. With `atKey`, at the key naming it (for
 * unknown fields and bad names). A missing field is located at the key of its nearest
 * existing parent: a module without requests is reported on the module's name.
 */
function at(parsed: ParsedFile, p: ReadonlyArray<PropertyKey>, message: string, atKey = false): ConfigProblem {
  let node: Node | undefined;
  const here = locate(parsed.doc, p);
  if (here.exists) node = (atKey ? here.key : here.node) ?? here.key ?? here.node;
  for (let n = p.length - 1; n >= 0 && !node; n--) {
    const parent = locate(parsed.doc, p.slice(0, n));
    if (parent.exists) node = parent.key ?? parent.node;
  }
  const offset = node?.range?.[0] ?? 0;
  const pos = parsed.lines.linePos(offset);
  return { file: parsed.file, line: pos.line, column: pos.col, field: fieldPath(p), message };
}

/** The field path of the deepest node at `offset`, to name the field of a YAML syntax error. */
function pathAt(root: unknown, offset: number): PropertyKey[] {
  const out: PropertyKey[] = [];
  let node = root;
  for (;;) {
    const inside = (n: unknown): boolean => {
      const r = (n as Node | null)?.range;
      return !!r && offset >= r[0] && offset <= r[2];
    };
    if (isMap(node)) {
      const pair = node.items.find((it) => isPair(it) && (inside(it.key) || inside(it.value)));
      if (!pair || !isScalar(pair.key)) return out;
      out.push(String(pair.key.value));
      if (inside(pair.key)) return out;
      node = pair.value;
    } else if (isSeq(node)) {
      const i = node.items.findIndex(inside);
      if (i < 0) return out;
      out.push(i);
      node = node.items[i];
    } else {
      return out;
    }
  }
}
