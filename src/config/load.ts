// Reads apiprobe.yml and the module files it includes, validates them strictly and
// compiles every module. All problems of all files are collected, each located by
// file, line, column and field, before anything is reported.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { compileModule, type CompiledModule } from './compile.js';
import { ConfigError, fieldPath, type ConfigProblem } from './errors.js';
import { MainConfigSchema, ModuleFileSchema, type ModuleSpec } from './schema.js';

export interface Config {
  file: string;
  /** Every file the configuration was read from: the main file, then the included ones. */
  files: string[];
  modules: Map<string, CompiledModule>;
}

interface ParsedFile {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

export async function loadConfig(mainFile: string): Promise<Config> {
  const problems: ConfigProblem[] = [];
  const file = path.resolve(mainFile);
  const main = await readYaml(file, problems);
  if (!main) throw new ConfigError(problems);
  const mainSpec = validate(main, MainConfigSchema, problems);
  if (!mainSpec) throw new ConfigError(problems);

  const specs: Array<{ name: string; spec: ModuleSpec; from: ParsedFile }> = [];
  for (const [name, spec] of Object.entries(mainSpec.modules)) specs.push({ name, spec, from: main });

  const files = [file];
  for (const [i, pattern] of mainSpec.include.entries()) {
    const matched = await expand(path.dirname(file), pattern);
    if (matched.length === 0) {
      problems.push(at(main, ['include', i], isDynamicPattern(pattern) ? `no file matches ${JSON.stringify(pattern)}` : `file not found: ${pattern}`));
      continue;
    }
    for (const included of matched) {
      if (files.includes(included)) continue;
      files.push(included);
      const parsed = await readYaml(included, problems);
      if (!parsed) continue;
      const spec = validate(parsed, ModuleFileSchema, problems);
      if (!spec) continue;
      for (const [name, m] of Object.entries(spec.modules)) specs.push({ name, spec: m, from: parsed });
    }
  }

  const modules = new Map<string, CompiledModule>();
  const definedAt = new Map<string, ConfigProblem>();
  for (const { name, spec, from } of specs) {
    const here = at(from, ['modules', name], '');
    const first = definedAt.get(name);
    if (first) {
      problems.push({ ...here, message: `module "${name}" is already defined at ${first.file}:${first.line}` });
      continue;
    }
    definedAt.set(name, here);
    const compiled = compileModule(name, spec, from.file, (p, message) => problems.push(at(from, ['modules', name, ...p], message)));
    if (compiled) modules.set(name, compiled);
  }
  if (problems.length) throw new ConfigError(problems);
  return { file, files, modules };
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
    problems.push({ file, line: 0, column: 0, field: '', message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    return undefined;
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    for (const e of doc.errors) {
      const pos = lines.linePos(e.pos[0]);
      problems.push({ file, line: pos.line, column: pos.col, field: '', message: e.message.split('\n')[0]! });
    }
    return undefined;
  }
  return { file, doc, lines };
}

function validate<S extends z.ZodType>(parsed: ParsedFile, schema: S, problems: ConfigProblem[]): z.output<S> | undefined {
  const data = parsed.doc.toJS() ?? {};
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push(at(parsed, [...issue.path, key], `unknown field "${key}"`, true));
    } else if (issue.code === 'invalid_type' && !has(parsed.doc, issue.path)) {
      problems.push(at(parsed, issue.path, 'required field is missing'));
    } else {
      problems.push(at(parsed, issue.path, issue.message));
    }
  }
  return undefined;
}

function has(doc: Document.Parsed, p: ReadonlyArray<PropertyKey>): boolean {
  return p.length === 0 || doc.hasIn(p as unknown[]);
}

/** A problem located at the YAML node for `p`, or at its nearest existing parent. */
function at(parsed: ParsedFile, p: ReadonlyArray<PropertyKey>, message: string, atKey = false): ConfigProblem {
  let node: Node | undefined;
  for (let n = p.length; n >= 0 && !node; n--) {
    const prefix = p.slice(0, n);
    if (atKey && n === p.length && n > 0) {
      const parent = prefix.length > 1 ? parsed.doc.getIn(prefix.slice(0, -1) as unknown[], true) : parsed.doc.contents;
      if (isMap(parent)) {
        const pair = parent.items.find((it) => isScalar(it.key) && String(it.key.value) === String(prefix[prefix.length - 1]));
        if (pair && isScalar(pair.key)) node = pair.key;
      }
      continue;
    }
    node = (prefix.length ? parsed.doc.getIn(prefix as unknown[], true) : parsed.doc.contents) as Node | undefined;
    if (node && !(typeof node === 'object' && 'range' in node)) node = undefined;
  }
  const offset = node?.range?.[0] ?? 0;
  const pos = parsed.lines.linePos(offset);
  return { file: parsed.file, line: pos.line, column: pos.col, field: fieldPath(p), message };
}
