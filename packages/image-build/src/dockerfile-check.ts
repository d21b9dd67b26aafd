import { UserError } from '@gantry/github';

export interface Stage {
  /** The image after FROM, as written (`${BASE_IMAGE}`, `scratch`, an earlier stage's name). */
  from: string;
  /** The stage's `AS` name, lower-cased as BuildKit compares it. */
  name?: string;
  /** 1-based line of the FROM instruction. */
  line: number;
}

export interface DockerfileOutline {
  /** ARGs declared before the first FROM (the only ones a FROM line can use). */
  globalArgs: string[];
  stages: Stage[];
}

/**
 * The instructions that matter for the base check, read the way BuildKit reads a Dockerfile: the
 * `# escape=` parser directive, line continuations, comment lines and CRLF endings.
 * https://docs.docker.com/reference/dockerfile/#parser-directives
 */
export function outlineDockerfile(text: string): DockerfileOutline {
  const lines = text.split(/\r?\n/);
  const escape = /^#\s*escape\s*=\s*([\\`])\s*$/i.exec(lines[0] ?? '')?.[1] ?? '\\';
  const outline: DockerfileOutline = { globalArgs: [], stages: [] };
  let current = '';
  let startLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (current === '' && /^\s*(#|$)/.test(line)) continue;
    if (current !== '' && /^\s*#/.test(line)) continue; // comments inside a continuation are dropped
    if (current === '') startLine = i + 1;
    const trimmed = line.replace(/\s+$/, '');
    if (trimmed.endsWith(escape)) {
      current += `${trimmed.slice(0, -1)} `;
      continue;
    }
    current += trimmed;
    instruction(current.trim(), startLine, outline);
    current = '';
  }
  if (current.trim()) instruction(current.trim(), startLine, outline);
  return outline;
}

function instruction(text: string, line: number, outline: DockerfileOutline): void {
  const [keyword = '', ...words] = text.split(/\s+/);
  const op = keyword.toUpperCase();
  if (op === 'ARG' && outline.stages.length === 0) {
    for (const word of words) outline.globalArgs.push(word.split('=', 1)[0]!);
  } else if (op === 'FROM') {
    const args = words.filter((w) => !w.startsWith('--'));
    const as = args.findIndex((w) => w.toUpperCase() === 'AS');
    outline.stages.push({ from: args[0] ?? '', ...(as > 0 && args[as + 1] ? { name: args[as + 1]!.toLowerCase() } : {}), line });
  }
}

/**
 * Refuses an app Dockerfile whose built stage does not descend from `FROM ${<arg>}`: the image would then
 * carry labels naming a base it does not contain. The built stage is `target` or the last one; it may
 * start FROM an earlier stage that itself starts FROM the base. Returns that chain's first stage.
 */
export function checkBuiltOnBase(text: string, options: { file: string; arg: string; target?: string }): Stage {
  const { file, arg } = options;
  const outline = outlineDockerfile(text);
  const fix = `Declare 'ARG ${arg}' before the first FROM and start the built stage with 'FROM \${${arg}}' (or FROM a stage that does).`;
  if (outline.stages.length === 0) throw new UserError(`The app Dockerfile ${file} has no FROM instruction.`, fix);
  if (!outline.globalArgs.includes(arg)) {
    throw new UserError(`The app Dockerfile ${file} does not declare ARG ${arg} before its first FROM, so no stage can start FROM \${${arg}} and the image would not be built on the base.`, fix);
  }
  const byName = new Map(outline.stages.filter((s) => s.name).map((s) => [s.name!, s]));
  let stage: Stage | undefined = options.target ? byName.get(options.target.toLowerCase()) : outline.stages.at(-1);
  if (!stage) {
    throw new UserError(`The app Dockerfile ${file} has no stage named '${options.target}' (the 'target' input); its stages: ${[...byName.keys()].join(', ') || 'none named'}.`, `Set 'target' to one of them.`);
  }
  const built = stage;
  const base = new RegExp(`^\\$(\\{${arg}\\}|${arg})$`);
  const seen = new Set<Stage>();
  while (!base.test(stage.from)) {
    const parent = byName.get(stage.from.toLowerCase());
    if (!parent || seen.has(parent) || parent.line >= stage.line) {
      const which = built === stage ? `its built stage (line ${stage.line})` : `its built stage (line ${built.line}) descends from line ${stage.line}, which`;
      throw new UserError(
        `The app Dockerfile ${file}: ${which} starts FROM ${stage.from || '(nothing)'}, not FROM \${${arg}}, so the image would not contain the base image its labels name.`,
        fix,
      );
    }
    seen.add(stage);
    stage = parent;
  }
  return stage;
}
