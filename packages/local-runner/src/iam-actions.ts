import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Maps an SDK client and command to the IAM action (`@gantry/aws`'s `iamActionFor`, passed in to keep this package free of it). */
export type IamActionFor = (clientName: string, commandName: string) => string;

const SDK_CLIENT_MODULE = /^@aws-sdk\/client-[a-z0-9-]+$/;
const WORKSPACE_MODULE = /^@gantry\//;

/**
 * The IAM actions the code reachable from `entryFile` can send: every `new XxxCommand(` (and every
 * `paginateXxx(`) whose binding comes from an `@aws-sdk/client-*` import, in every source file reached
 * through imports that are not `import type` / `export type`: relative ones and those into any `@gantry/*`
 * workspace package (resolved through its package.json `exports`, subpaths included), static or dynamic.
 * The granularity is the file: a command in a reachable file counts even if a given run never sends it,
 * which is what a policy must allow. Code the analysis cannot read (waiters, aggregated clients, SDK
 * re-exports, computed imports) throws rather than being under-counted.
 */
export function iamActionsReachableFrom(entryFile: string, iamActionFor: IamActionFor): string[] {
  return [...iamActionSources(entryFile, iamActionFor).keys()].sort();
}

/** Like `iamActionsReachableFrom`, with the files (absolute paths) that send each action. */
export function iamActionSources(entryFile: string, iamActionFor: IamActionFor): Map<string, string[]> {
  const sources = new Map<string, string[]>();
  const seen = new Set<string>();
  const queue = [resolve(entryFile)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const { imports, commands } = scanFile(file);
    for (const spec of imports) {
      const next = resolveSpecifier(file, spec);
      if (next) queue.push(next);
    }
    for (const { module, command } of commands) {
      const action = iamActionFor(clientNameOf(file, module, command), command);
      sources.set(action, [...(sources.get(action) ?? []), file]);
    }
  }
  return sources;
}

interface Binding {
  module: string;
  /** The exported name, or '*' for a namespace import. */
  name: string;
}

/** The specifiers a file loads at runtime and the SDK commands it constructs. */
function scanFile(file: string): { imports: string[]; commands: { module: string; command: string }[] } {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const imports: string[] = [];
  const bindings = new Map<string, Binding>();
  const where = (node: ts.Node) => `${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;

  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const clause = statement.importClause;
      // `import type` is erased; with verbatimModuleSyntax everything else, even `import { type A }`, is loaded.
      if (clause?.isTypeOnly) continue;
      const module = statement.moduleSpecifier.text;
      imports.push(module);
      if (clause?.name) bindings.set(clause.name.text, { module, name: 'default' });
      const named = clause?.namedBindings;
      if (named && ts.isNamespaceImport(named)) bindings.set(named.name.text, { module, name: '*' });
      if (named && ts.isNamedImports(named)) {
        for (const el of named.elements) if (!el.isTypeOnly) bindings.set(el.name.text, { module, name: (el.propertyName ?? el.name).text });
      }
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      if (statement.isTypeOnly) continue;
      const module = statement.moduleSpecifier.text;
      if (SDK_CLIENT_MODULE.test(module)) {
        throw new Error(`${where(statement)}: re-exports from ${module} hide the commands it sends from the IAM analysis; import SDK commands from ${module} where they are used.`);
      }
      imports.push(module);
    } else if (ts.isImportEqualsDeclaration(statement) && !statement.isTypeOnly && ts.isExternalModuleReference(statement.moduleReference)) {
      const expr = statement.moduleReference.expression;
      if (ts.isStringLiteral(expr)) imports.push(expr.text);
    }
  }

  const commands: { module: string; command: string }[] = [];
  /** The SDK export a callee refers to: `Name` or `namespace.Name`, bound to an `@aws-sdk/client-*` import. */
  const sdkExport = (callee: ts.Expression): { module: string; name: string } | undefined => {
    if (ts.isIdentifier(callee)) {
      const b = bindings.get(callee.text);
      return b && b.name !== '*' && SDK_CLIENT_MODULE.test(b.module) ? b : undefined;
    }
    if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)) {
      const b = bindings.get(callee.expression.text);
      return b && b.name === '*' && SDK_CLIENT_MODULE.test(b.module) ? { module: b.module, name: callee.name.text } : undefined;
    }
    return undefined;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (!arg || !ts.isStringLiteralLike(arg)) throw new Error(`${where(node)}: a computed dynamic import() cannot be followed by the IAM analysis; import a literal path.`);
      imports.push(arg.text);
    } else if (ts.isNewExpression(node)) {
      const sdk = sdkExport(node.expression);
      if (sdk && /Command$/.test(sdk.name)) commands.push({ module: sdk.module, command: sdk.name });
      else if (sdk && !/(Client|Exception|Error)$/.test(sdk.name)) {
        throw new Error(`${where(node)}: cannot tell which IAM actions \`new ${sdk.name}(\` from ${sdk.module} needs; send XxxCommand objects with the bare client instead.`);
      }
    } else if (ts.isCallExpression(node)) {
      const sdk = sdkExport(node.expression);
      // An SDK paginator sends only its own command, page after page.
      if (sdk && /^paginate[A-Z]/.test(sdk.name)) commands.push({ module: sdk.module, command: `${sdk.name.slice('paginate'.length)}Command` });
      else if (sdk && /^wait(Until|For)[A-Z]/.test(sdk.name)) {
        throw new Error(`${where(node)}: the SDK waiter ${sdk.name} sends commands the IAM analysis cannot see; poll with explicit XxxCommand objects instead.`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { imports, commands };
}

/** The source file a runtime import resolves to, or undefined for modules outside the workspace (SDK, node:, npm). */
function resolveSpecifier(from: string, spec: string): string | undefined {
  if (spec.startsWith('.')) {
    if (spec.endsWith('.json')) return undefined;
    const target = resolve(dirname(from), spec);
    const candidates = [target.replace(/\.(m|c)?js$/, '.$1ts'), target, join(target, 'index.ts')];
    const found = candidates.find((c) => existsSync(c) && /\.[cm]?tsx?$|\.[cm]?js$/.test(c));
    if (!found) throw new Error(`${from}: cannot find the file '${spec}' resolves to.`);
    return found;
  }
  // Node's own resolver applies the package's "exports" map, subpaths and conditions included.
  if (WORKSPACE_MODULE.test(spec)) return createRequire(from).resolve(spec);
  return undefined;
}

/** The SDK client class of an `@aws-sdk/client-*` package (its dist-types hold exactly one `XxxClient.d.ts`). */
function clientNameOf(file: string, module: string, command: string): string {
  const manifest = createRequire(file).resolve(`${module}/package.json`);
  const types = join(dirname(manifest), 'dist-types');
  const clients = readdirSync(types).filter((f) => /^[A-Za-z0-9]+Client\.d\.ts$/.test(f));
  if (clients.length !== 1) throw new Error(`${module}: expected one XxxClient in ${types}, found ${clients.join(', ') || 'none'}.`);
  if (!existsSync(join(types, 'commands', `${command}.d.ts`))) throw new Error(`${file}: ${module} has no command ${command}.`);
  return clients[0]!.replace(/\.d\.ts$/, '');
}

/** How the registry protocol uses an IAM action that no SDK command shows. */
export type DockerUse = 'push' | 'pull';

/**
 * The ECR actions `docker push` / `docker pull` need through the registry protocol, as AWS documents them:
 * push https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html, pull the
 * AmazonEC2ContainerRegistryPullOnly policy https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonEC2ContainerRegistryPullOnly.html
 */
export const DOCKER_REGISTRY_ACTIONS: Record<DockerUse, readonly string[]> = {
  push: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:CompleteLayerUpload', 'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:UploadLayerPart'],
  pull: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
};

export interface IamListEntry {
  /** `service:Action`. */
  action: string;
  /** The text after the action, e.g. `(docker push)` or `(only with create-repository: true)`. */
  note: string;
  /** Needed by docker over the registry protocol: the note is `(docker push)`, `(docker pull)` or `(docker push, docker pull)`. */
  docker: DockerUse[];
  /** Needed only in some configurations: the note starts with `(only`. A policy may leave it out. */
  conditional: boolean;
}

const IAM_START = '<!-- iam:start -->';
const IAM_END = '<!-- iam:end -->';

/**
 * The IAM list of an action README: one `` - `service:Action` `` item per line between
 * `<!-- iam:start -->` and `<!-- iam:end -->`, optionally followed by a note. Undefined without markers.
 */
export function iamListIn(readme: string): IamListEntry[] | undefined {
  const block = new RegExp(`${IAM_START}([\\s\\S]*?)${IAM_END}`).exec(readme)?.[1];
  if (block === undefined) return undefined;
  const entries: IamListEntry[] = [];
  for (const line of block.split('\n')) {
    const m = /^\s*[-*]\s+`([a-z0-9-]+:[A-Za-z0-9]+)`\s*(.*)$/.exec(line);
    if (!m) continue;
    const note = m[2]!.trim();
    const docker = /^\(docker (push|pull)(, docker (push|pull))*\)/.test(note) ? [...note.matchAll(/docker (push|pull)/g)].map((d) => d[1] as DockerUse) : [];
    entries.push({ action: m[1]!, note, docker, conditional: /^\(only\b/.test(note) });
  }
  return entries;
}

/**
 * What is wrong with the IAM list of the action in `actionDir`, as sentences (empty when all is well):
 * every IAM action its code can send (from `src/main.ts`) must be listed, every listed action not marked
 * `(docker push)` / `(docker pull)` must be sent by that code, and docker-marked actions must be ones AWS
 * documents for that registry operation.
 */
export function iamListProblems(actionDir: string, iamActionFor: IamActionFor): string[] {
  const readme = readFileSync(join(actionDir, 'README.md'), 'utf8');
  const listed = iamListIn(readme);
  if (!listed) return [`README.md has no IAM list between ${IAM_START} and ${IAM_END}`];
  const problems: string[] = [];
  const lineCount = readme.slice(readme.indexOf(IAM_START), readme.indexOf(IAM_END)).split('\n').filter((l) => /`[a-z0-9-]+:[A-Za-z0-9*]+`/.test(l)).length;
  if (lineCount !== listed.length) problems.push('README.md IAM list has lines that are not `- `service:Action` (note)` items');
  const sources = iamActionSources(join(actionDir, 'src', 'main.ts'), iamActionFor);
  const byAction = new Map<string, IamListEntry>();
  for (const entry of listed) {
    if (byAction.has(entry.action)) problems.push(`README.md lists ${entry.action} twice`);
    byAction.set(entry.action, entry);
  }
  for (const [action, files] of [...sources].sort(([a], [b]) => a.localeCompare(b))) {
    if (!byAction.has(action)) problems.push(`${action} is sent by ${relative(actionDir, files[0]!)} but README.md does not list it`);
  }
  for (const entry of listed) {
    for (const use of entry.docker) {
      if (!DOCKER_REGISTRY_ACTIONS[use].includes(entry.action)) {
        problems.push(`README.md marks ${entry.action} (docker ${use}), but docker ${use} needs only ${DOCKER_REGISTRY_ACTIONS[use].join(', ')}`);
      }
    }
    if (entry.docker.length === 0 && !sources.has(entry.action)) {
      problems.push(`README.md lists ${entry.action}, but no code reachable from src/main.ts sends it; remove it, or mark it (docker push) / (docker pull) if docker needs it`);
    }
  }
  return problems;
}
