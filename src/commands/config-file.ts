// Which configuration file a command reads. An installed apiprobe is started from any
// folder, usually with no configuration of its own yet: like a first-party exporter it
// then starts with its defaults, here the shipped apiprobe.yml (which includes the
// shipped modules) that sits beside dist/ in the package.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The file name looked for in the working directory, and the package's own. */
export const CONFIG_NAME = 'apiprobe.yml';

/** src/commands/ and dist/commands/ both sit two levels below the package root. */
export const SHIPPED_CONFIG = fileURLToPath(new URL(`../../${CONFIG_NAME}`, import.meta.url));

export const CONFIG_FILE_HELP = `configuration file (default: ./${CONFIG_NAME} if there is one, else the shipped modules)`;

export interface ConfigChoice {
  file: string;
  /** Why this file: named with --config.file, found in the working directory, or the package's. */
  source: 'flag' | 'cwd' | 'shipped';
}

/** A --config.file that names no file: what to do instead, in one line. */
export class MissingConfigFile extends Error {
  constructor(readonly file: string) {
    super(
      `${file}: no such configuration file. Give --config.file the path of one, draft a module from a sample answer with ` +
        `"apiprobe init --from <sample.json>", or leave --config.file out to start with the shipped modules (${SHIPPED_CONFIG}).`,
    );
  }
}

/** --config.file if given (it must exist), else ./apiprobe.yml if present, else the shipped configuration. */
export function chooseConfigFile(given: string | undefined, cwd = process.cwd()): ConfigChoice {
  if (given !== undefined) {
    const file = path.resolve(cwd, given);
    if (!existsSync(file)) throw new MissingConfigFile(file);
    return { file, source: 'flag' };
  }
  const local = path.join(cwd, CONFIG_NAME);
  if (existsSync(local)) return { file: local, source: 'cwd' };
  return { file: SHIPPED_CONFIG, source: 'shipped' };
}
