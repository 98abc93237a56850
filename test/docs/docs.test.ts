// The documentation as a reader follows it: every link and anchor leads somewhere, every file,
// npm script, subcommand and flag it shows exists, the module pages describe the module files,
// and each table of contents lists its document's headings.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { globSync } from 'tinyglobby';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ROOT } from '../helpers/exporter.js';

// Starting the CLI runs tsx: about a second each on a quiet machine, many on a loaded one.
const SLOW = { timeout: 120_000 };

const DOCS = ['README.md', 'modules/README.md', ...globSync('docs/**/*.md', { cwd: ROOT }).sort()];
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

interface Heading { level: number; text: string; slug: string; line: number }
interface Doc {
  file: string;
  lines: string[];
  /** Lines outside fenced code blocks, inline code blanked (``), with their line numbers. */
  prose: { text: string; line: number }[];
  /** What the reader is shown as code: fenced blocks' lines and inline code spans. */
  code: { text: string; line: number; fenced: boolean }[];
  headings: Heading[];
  /** Heading slugs and explicit `<a id="…">` anchors. */
  anchors: Set<string>;
}

/** GitHub's heading anchors: formatting dropped, lower case, punctuation but `-` and `_` removed, spaces to `-`. */
function slugOf(text: string): string {
  return plainHeading(text).toLowerCase().replace(/[^\p{L}\p{M}\p{N}_\- ]/gu, '').replace(/ /g, '-');
}

function plainHeading(text: string): string {
  return text.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/`/g, '');
}

function parseDoc(file: string): Doc {
  const lines = read(file).split('\n');
  const doc: Doc = { file, lines, prose: [], code: [], headings: [], anchors: new Set() };
  const seen = new Map<string, number>();
  let fence: string | undefined;
  lines.forEach((raw, i) => {
    const line = i + 1;
    const f = /^ {0,3}(```+|~~~+)/.exec(raw);
    if (fence !== undefined) {
      if (f && raw.trim().startsWith(fence)) fence = undefined;
      else doc.code.push({ text: raw, line, fenced: true });
      return;
    }
    if (f) {
      fence = f[1]!;
      return;
    }
    // An indented block (four spaces after a blank line) is code too; the docs use it for quoted output.
    if (raw.startsWith('    ') && (lines[i - 1] === '' || doc.code.at(-1)?.line === line - 1) && !/^\s*[-|*]/.test(raw)) {
      doc.code.push({ text: raw, line, fenced: true });
      return;
    }
    for (const m of raw.matchAll(/(`+)(.+?)\1/g)) doc.code.push({ text: m[2]!.trim(), line, fenced: false });
    doc.prose.push({ text: raw.replace(/(`+)(.+?)\1/g, '``'), line });
    const h = /^(#{1,6}) (.+?)\s*#*$/.exec(raw);
    if (h) {
      let slug = slugOf(h[2]!);
      const n = seen.get(slug) ?? 0;
      seen.set(slug, n + 1);
      if (n > 0) slug = `${slug}-${n}`;
      doc.headings.push({ level: h[1]!.length, text: plainHeading(h[2]!), slug, line });
      doc.anchors.add(slug);
    }
    for (const a of raw.matchAll(/<a (?:id|name)="([^"]+)"/g)) doc.anchors.add(a[1]!);
  });
  return doc;
}

const docs = new Map(DOCS.map((f) => [f, parseDoc(f)]));
const where = (doc: Doc, line: number): string => `${doc.file}:${line}`;

describe('the documentation files', () => {
  it('are there: README.md, the docs/ pages and the modules index', () => {
    for (const f of ['docs/configuration.md', 'docs/security.md', 'docs/operating.md', 'docs/json_exporter.md', 'docs/modules.md']) expect(DOCS).toContain(f);
    expect(DOCS.filter((f) => f.startsWith('docs/modules/')).length).toBeGreaterThan(10);
  });
});

describe('links', () => {
  it('every relative link leads to a file that exists, and every anchor to a heading or <a id> there', () => {
    const broken: string[] = [];
    let count = 0;
    for (const doc of docs.values()) {
      for (const { text, line } of doc.prose) {
        for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
          const target = m[1]!;
          if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
          count++;
          const [file, anchor] = target.split('#', 2) as [string, string | undefined];
          const resolved = file === '' ? doc.file : path.posix.normalize(path.posix.join(path.posix.dirname(doc.file), file));
          if (!existsSync(path.join(ROOT, resolved))) {
            broken.push(`${where(doc, line)}: ${target}: no file ${resolved}`);
            continue;
          }
          if (anchor === undefined) continue;
          const to = docs.get(resolved) ?? (resolved.endsWith('.md') ? parseDoc(resolved) : undefined);
          if (!to) broken.push(`${where(doc, line)}: ${target}: an anchor into a file that is not markdown`);
          else if (!to.anchors.has(anchor)) broken.push(`${where(doc, line)}: ${target}: no heading or anchor "${anchor}" in ${resolved}`);
        }
      }
    }
    expect(count).toBeGreaterThan(50);
    expect(broken).toEqual([]);
  });

  it('the anchor rule reads headings as GitHub does', () => {
    expect(slugOf('TLS, proxies and probe parameters')).toBe('tls-proxies-and-probe-parameters');
    expect(slugOf('Coming from json_exporter')).toBe('coming-from-json_exporter');
    expect(slugOf('Service modules: elasticsearch, rabbitmq, consul, springboot')).toBe('service-modules-elasticsearch-rabbitmq-consul-springboot');
    expect(slugOf('`tcp` requests')).toBe('tcp-requests');
  });
});

/** Paths on a device that look like the repository's (Apache's own modules/ folder, in httpd.conf). */
const FOREIGN_PATHS = new Set(['modules/mod_status.so']);

// Repository paths as the docs show them: from the repository's root, under one of its folders.
const REPO_PATH = /(?<![\w./~-])((?:modules|test|deploy|bench|docs|schema|scripts|src|\.ci)\/[\w./*-]*)/g;

describe('files the docs show', () => {
  it('every repository path in code or backticks (modules/…, test/fixtures/…, deploy/…, bench/…) exists', () => {
    const missing: string[] = [];
    let count = 0;
    for (const doc of docs.values()) {
      for (const { text, line } of doc.code) {
        // What a command writes (`… > modules/mydevice.yml`) is made by it, not shown as there.
        const shown = text.replace(/>\s*\S+/g, '');
        for (const m of shown.matchAll(REPO_PATH)) {
          const p = m[1]!.replace(/[.]+$/, '');
          if (FOREIGN_PATHS.has(p)) continue;
          count++;
          const found = p.includes('*') ? globSync(p, { cwd: ROOT, onlyFiles: false }).length > 0 : existsSync(path.join(ROOT, p));
          if (!found) missing.push(`${where(doc, line)}: ${p}`);
        }
      }
    }
    expect(count).toBeGreaterThan(30);
    expect(missing).toEqual([]);
  });

  it('every `npm run <script>` (and npm start, npm test) is a script of package.json', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    const unknown: string[] = [];
    const shown = new Set<string>();
    for (const doc of docs.values()) {
      for (const { text, line } of doc.code) {
        for (const m of text.matchAll(/\bnpm (?:run(?:-script)? ([\w:-]+)|(start|test)\b)/g)) {
          const script = (m[1] ?? m[2])!;
          shown.add(script);
          if (!(script in scripts)) unknown.push(`${where(doc, line)}: npm run ${script}`);
        }
      }
    }
    expect([...shown]).toEqual(expect.arrayContaining(['start', 'test', 'demo', 'build', 'schema']));
    expect(unknown).toEqual([]);
  });
});

// ---- The command line, as its own --help describes it ----

interface CliCommand { options: Set<string>; commands: Map<string, CliCommand> }

function cli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`apiprobe ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Options and subcommands from commander's help: the lines indented two spaces under "Options:" and "Commands:". */
async function describeCommand(words: string[]): Promise<CliCommand> {
  const help = await cli([...words, '--help']);
  const options = new Set<string>();
  const names: string[] = [];
  let part = '';
  for (const l of help.split('\n')) {
    if (/^\S.*:$/.test(l)) part = l;
    const m = /^ {2}(\S.*?)(?: {2,}|$)/.exec(l);
    if (!m) continue;
    if (part === 'Options:') for (const o of m[1]!.matchAll(/--[\w.-]+/g)) options.add(o[0]);
    if (part === 'Commands:') {
      const name = m[1]!.split(' ')[0]!;
      if (name !== 'help') names.push(name);
    }
  }
  const commands = new Map(await Promise.all(names.map(async (n) => [n, await describeCommand([...words, n])] as const)));
  return { options, commands };
}

/** Flags of other programs the docs name as such: curl's in the pinning table, nginx's build option, node's heap sizes. */
const FOREIGN_FLAGS = new Set(['--pinnedpubkey', '--with-http_stub_status_module', '--max-old-space-size', '--max-semi-space-size']);

describe('the apiprobe command line the docs show', SLOW, () => {
  let root: CliCommand;
  beforeAll(async () => {
    root = await describeCommand([]);
  }, SLOW.timeout);

  const allOptions = (c: CliCommand): string[] => [...c.options, ...[...c.commands.values()].flatMap(allOptions)];

  it('reads the CLI: subcommands and their flags', () => {
    expect([...root.commands.keys()]).toEqual(expect.arrayContaining(['check', 'probe', 'init', 'convert', 'tls']));
    expect(root.options).toContain('--config.file');
    expect(root.commands.get('probe')!.options).toContain('--explain');
    expect([...root.commands.get('tls')!.commands.keys()]).toEqual(expect.arrayContaining(['accept', 'list']));
  });

  it('every `apiprobe <subcommand> …` exists and takes the flags shown with it', () => {
    const wrong: string[] = [];
    let count = 0;
    for (const doc of docs.values()) {
      for (const { text, line } of doc.code) {
        // apiprobe run as a command: first on a line or in backticks, or after a shell's `$ `, `|`, `;`, `&&`
        // (not `pveum user token add monitor@pve apiprobe --privsep 1`, where it is a name).
        for (const m of text.matchAll(/(?:^\s*|\$ |[|;&] *)apiprobe((?: +[^\s#|;&>]+)*)/g)) {
          const words = m[1]!.trim().split(/ +/).filter((w) => w !== '');
          if (words.length === 0) continue;
          count++;
          let command = root;
          let chain = 'apiprobe';
          let i = 0;
          // Subcommands: words before the first flag or argument, as far as the CLI has them.
          while (i < words.length && /^[a-z][\w-]*$/.test(words[i]!) && command.commands.size > 0) {
            const next = command.commands.get(words[i]!);
            if (!next) {
              wrong.push(`${where(doc, line)}: ${chain} ${words[i]}: no such subcommand`);
              break;
            }
            chain += ` ${words[i]}`;
            command = next;
            i++;
          }
          for (const w of words.slice(i)) {
            const flag = /^\[?(--[\w.-]+)/.exec(w)?.[1];
            if (flag && !command.options.has(flag)) wrong.push(`${where(doc, line)}: ${chain} does not take ${flag}`);
          }
        }
      }
    }
    expect(count).toBeGreaterThan(5);
    expect(wrong).toEqual([]);
  });

  it('every --flag in backticks is one apiprobe takes (or another program\'s, named as such)', () => {
    const known = new Set(allOptions(root));
    const unknown: string[] = [];
    for (const doc of docs.values()) {
      for (const { text, line, fenced } of doc.code) {
        if (fenced || !text.startsWith('--')) continue;
        const flag = /^--[\w.-]+/.exec(text)![0];
        if (!known.has(flag) && !FOREIGN_FLAGS.has(flag)) unknown.push(`${where(doc, line)}: ${flag}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('the offline examples (`apiprobe probe … --file …`) run and their probe succeeds', async () => {
    const examples = [...docs.values()].flatMap((doc) => doc.code.filter((c) => c.fenced && /^apiprobe probe .*--file /.test(c.text)).map((c) => c.text.trim()));
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      const out = await cli(example.split(/ +/).slice(1));
      expect(out, example).toMatch(/^probe_success 1$/m);
    }
  });
});

// ---- Module pages against the module files ----

interface ModuleFile { file: string; page: string; text: string; modules: string[]; metrics: Set<string> }

const moduleFiles: ModuleFile[] = globSync('modules/*.yml', { cwd: ROOT }).sort().map((file) => {
  const text = read(file);
  const parsed = parseYaml(text, { merge: true }) as { modules?: Record<string, { metrics?: { name: string }[] }> };
  const modules = Object.keys(parsed.modules ?? {});
  const metrics = new Set(Object.values(parsed.modules ?? {}).flatMap((m) => (m.metrics ?? []).map((d) => d.name)));
  return { file, page: `docs/modules/${path.basename(file, '.yml')}.md`, text, modules, metrics };
});

/** The index in modules/README.md: module names (backticked) → the page the row links to. */
function indexRows(): { modules: string[]; page: string; line: number }[] {
  const index = docs.get('modules/README.md')!;
  return index.lines.flatMap((l, i) => {
    const m = /^\| ((?:`[\w-]+`(?:, )?)+) \| \[[^\]]*\]\(([^)]+)\) \|/.exec(l);
    if (!m) return [];
    return [{ modules: [...m[1]!.matchAll(/`([\w-]+)`/g)].map((x) => x[1]!), page: path.posix.normalize(path.posix.join('modules', m[2]!)), line: i + 1 }];
  });
}

describe('module pages and the module files', () => {
  const rows = indexRows();

  it('every module of modules/*.yml is in the index, linked to the page of its file', () => {
    expect(moduleFiles.length).toBeGreaterThan(10);
    for (const mf of moduleFiles) {
      for (const name of mf.modules) {
        const row = rows.find((r) => r.modules.includes(name));
        expect(row, `module ${name} (${mf.file}) has no row in modules/README.md`).toBeDefined();
        expect(row!.page, `module ${name}`).toBe(mf.page);
      }
    }
  });

  it('every module file has its page, and the index names only modules that exist', () => {
    const defined = new Set(moduleFiles.flatMap((m) => m.modules));
    for (const mf of moduleFiles) expect(existsSync(path.join(ROOT, mf.page)), mf.page).toBe(true);
    for (const r of rows) for (const name of r.modules) expect(defined, `modules/README.md:${r.line}: ${name}`).toContain(name);
    // …and no page is left without a module file.
    const pages = DOCS.filter((f) => f.startsWith('docs/modules/'));
    expect(pages.sort()).toEqual(moduleFiles.map((m) => m.page).sort());
  });

  it('the module names a page\'s examples probe are modules of its file', () => {
    for (const mf of moduleFiles) {
      const page = docs.get(mf.page)!;
      for (const { text, line } of page.code) {
        for (const m of text.matchAll(/(?:module=|module: \[)([\w,]+)/g)) {
          for (const name of m[1]!.split(',')) expect(mf.modules, `${where(page, line)}: module ${name}`).toContain(name);
        }
      }
    }
  });

  it('every metric name a page shows in backticks is one its module file defines', () => {
    const wrong: string[] = [];
    let count = 0;
    for (const mf of moduleFiles) {
      const page = docs.get(mf.page)!;
      // A metric name of this family: it starts as the file's metric names do (`redfish_`, `bind_`…).
      const prefixes = new Set([...mf.metrics].map((n) => n.split('_')[0]! + '_'));
      for (const { text, line } of page.code) {
        for (const m of text.matchAll(/(?<![\w.$/-])([a-z][a-z0-9]*_[a-z0-9_]+)(?=[{`\s,)]|$)/g)) {
          const name = m[1]!;
          if (![...prefixes].some((p) => name.startsWith(p))) continue;
          // Module, request and label names share the prefix (`elasticsearch_health_report`, `bind_xml`).
          if (mf.modules.includes(name)) continue;
          count++;
          // A stateset's series carry the metric's name as label; a histogram or counter adds its suffixes.
          const base = name.replace(/_(bucket|count|sum|created)$/, '');
          // `haproxy_frontend_`: the prefix of a group of metrics.
          const prefixOfSome = name.endsWith('_') && [...mf.metrics].some((n) => n.startsWith(name));
          if (!prefixOfSome && !mf.metrics.has(name) && !mf.metrics.has(base) && !new RegExp(`\\b${name}\\b`).test(mf.text)) wrong.push(`${where(page, line)}: ${name} is not in ${mf.file}`);
        }
      }
    }
    expect(count).toBeGreaterThan(100);
    expect(wrong).toEqual([]);
  });
});

// ---- Tables of contents ----

describe('tables of contents', () => {
  it('every document with three or more sections has one, and it lists exactly its headings (levels 2 and 3), in order', () => {
    const problems: string[] = [];
    for (const doc of docs.values()) {
      const start = doc.lines.indexOf('<!-- toc -->');
      const end = doc.lines.indexOf('<!-- /toc -->');
      const sections = doc.headings.filter((h) => h.level >= 2 && h.level <= 3);
      if (start < 0) {
        if (sections.length >= 3) problems.push(`${doc.file}: ${sections.length} sections and no <!-- toc -->`);
        continue;
      }
      expect(end, `${doc.file}: <!-- toc --> without <!-- /toc -->`).toBeGreaterThan(start);
      const entries = doc.lines.slice(start + 1, end).map((l) => {
        const m = /^( *)- \[(.+)\]\(#([^)]+)\)$/.exec(l);
        if (!m) return `not an entry: ${l}`;
        return `${m[1]!.length / 2 + 2} ${m[2]} #${m[3]}`;
      });
      const after = sections.filter((h) => h.line > end);
      expect(entries, doc.file).toEqual(after.map((h) => `${h.level} ${h.text} #${h.slug}`));
    }
    expect(problems).toEqual([]);
  });
});

describe('README.md', () => {
  it('keeps on its first screen the two commands to start and to test, and the Node.js versions', () => {
    const first = read('README.md').split('\n').slice(0, 30);
    expect(first).toContain('npm ci && npm start          # builds and starts the exporter on :7980, every interface (apiprobe.yml, modules/)');
    expect(first.some((l) => l.startsWith('npm test                     # the whole suite'))).toBe(true);
    expect(first.some((l) => l.startsWith('Requires Node.js '))).toBe(true);
  });

  it('is short: the reference lives in docs/', () => {
    expect(read('README.md').split('\n').length).toBeLessThan(250);
  });

  it('ships with the docs it links to: the package holds docs/ beside README.md and modules/', () => {
    const files = (JSON.parse(read('package.json')) as { files: string[] }).files;
    expect(files).toEqual(expect.arrayContaining(['README.md', 'modules', 'docs']));
  });
});
