import { describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { iamListIn } from '@gantry/local-runner';
import {
  codeBlocks,
  docPaths,
  formatFinding,
  lintWorkflowFiles,
  loadWorkflow,
  relativeLinks,
  repoPath,
  workflowInputsTable,
  workflowPaths,
  type CodeBlock,
} from '../src/index.js';
import { bashSyntaxErrors } from './helpers.js';

const docs = await docPaths();
const blocks: (CodeBlock & { doc: string })[] = (
  await Promise.all(docs.map(async (doc) => codeBlocks(await readFile(repoPath(doc), 'utf8')).map((b) => ({ ...b, doc }))))
).flat();
const where = (b: { doc: string; line: number }) => `${b.doc}:${b.line}`;

describe('docs', () => {
  test('the promised pages exist', () => {
    for (const page of ['getting-started', 'migrating', 'guard', 'troubleshooting', 'simulator', 'workflows']) {
      expect(docs).toContain(`docs/${page}.md`);
    }
  });

  test('(a) every ```yaml block that is a workflow (has jobs:) passes actionlint 1.6 and 1.7', async () => {
    const workflows = blocks.filter((b) => (b.lang === 'yaml' || b.lang === 'yml') && /^jobs:/m.test(b.code));
    expect(workflows.length).toBeGreaterThanOrEqual(4);
    const findings = await lintWorkflowFiles(workflows.map((b) => ({ path: where(b), data: b.code })));
    expect(findings.map(formatFinding)).toEqual([]);
  });

  test('every other ```yaml block is valid YAML', () => {
    const problems: string[] = [];
    for (const b of blocks.filter((b) => b.lang === 'yaml' || b.lang === 'yml')) {
      try {
        parseYaml(b.code);
      } catch (e) {
        problems.push(`${where(b)}: ${(e as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('(b) every ```json block parses', () => {
    const json = blocks.filter((b) => b.lang === 'json');
    expect(json.length).toBeGreaterThanOrEqual(8);
    const problems: string[] = [];
    for (const b of json) {
      try {
        JSON.parse(b.code);
      } catch (e) {
        problems.push(`${where(b)}: ${(e as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('IAM policies in the docs are well-formed policy documents', () => {
    const policies = blocks.filter((b) => b.lang === 'json' && /"Statement"/.test(b.code)).map((b) => [where(b), JSON.parse(b.code)] as const);
    expect(policies.length).toBeGreaterThanOrEqual(6);
    for (const [at, policy] of policies) {
      expect([at, policy.Version]).toEqual([at, '2012-10-17']);
      for (const s of policy.Statement) {
        expect([at, s.Effect]).toEqual([at, 'Allow']);
        const actions = [s.Action].flat();
        for (const a of actions) expect([at, a]).toEqual([at, expect.stringMatching(/^[a-z0-9-]+:[A-Za-z*]+$/)]);
        expect([at, s.Resource !== undefined || s.Principal !== undefined]).toEqual([at, true]);
      }
    }
  });

  test('every shell block is valid bash (bash -n)', () => {
    const shell = blocks.filter((b) => ['sh', 'bash', 'shell', 'console'].includes(b.lang));
    expect(shell.length).toBeGreaterThanOrEqual(5);
    const problems = shell.map((b) => [b, bashSyntaxErrors(b.code)] as const).filter(([, e]) => e).map(([b, e]) => `${where(b)}: ${e}`);
    expect(problems).toEqual([]);
  });

  test('bash -n does catch a broken example (so a clean result means something)', () => {
    expect(bashSyntaxErrors('if true; then echo')).not.toBe('');
  });

  test('relative links in docs point at files that exist', async () => {
    const broken: string[] = [];
    for (const doc of [...docs]) {
      for (const link of relativeLinks(await readFile(repoPath(doc), 'utf8'))) {
        if (link && !existsSync(join(dirname(repoPath(doc)), link))) broken.push(`${doc}: ${link}`);
      }
    }
    expect(broken).toEqual([]);
  });

  test('docs/workflows.md shows each reusable workflow\'s inputs exactly as the workflow declares them', async () => {
    const page = await readFile(repoPath('docs/workflows.md'), 'utf8');
    for (const path of (await workflowPaths()).filter((p) => !p.endsWith('ci.yml'))) {
      expect([path, page.includes(workflowInputsTable(await loadWorkflow(path)))]).toEqual([path, true]);
    }
  });

  test('getting-started policies grant exactly the IAM actions each action\'s README lists', async () => {
    const page = await readFile(repoPath('docs/getting-started.md'), 'utf8');
    const actions = (await readdir(repoPath('actions'), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(actions.length).toBeGreaterThanOrEqual(5);
    for (const action of actions) {
      const listed = iamListIn(await readFile(repoPath('actions', action, 'README.md'), 'utf8'));
      // Every action README has the list (its contract test keeps it equal to the code).
      expect([action, (listed ?? []).length > 0]).toEqual([action, true]);
      const section = new RegExp(`^### ${action}\\n([\\s\\S]*?)(?=^##)`, 'm').exec(page)?.[1];
      expect([action, section !== undefined]).toEqual([action, true]);
      const granted = codeBlocks(section!)
        .filter((b) => b.lang === 'json')
        .flatMap((b) => (JSON.parse(b.code).Statement as { Action: string | string[] }[]).flatMap((s) => [s.Action].flat()));
      // Entries the README marks "(only …)" are needed in some configurations; a policy may leave them out.
      const required = listed!.filter((e) => !e.conditional).map((e) => e.action);
      expect([action, required.filter((a) => !granted.includes(a))]).toEqual([action, []]);
      // Least privilege: nothing beyond the README's list, except iam:PassRole for the task roles.
      const allowed = new Set([...listed!.map((e) => e.action), 'iam:PassRole']);
      expect([action, granted.filter((a) => !allowed.has(a))]).toEqual([action, []]);
    }
  });
});

/**
 * docs/troubleshooting.md and the code are one source: every error the page quotes (a line or list item
 * that starts with a code span) must still be printed by the code. A quote is split at `…` (the parts that
 * vary) and at quoted values ('prod', "x"); every remaining fragment of three or more words must occur
 * verbatim in the source of the packages, actions or workflows.
 */
const troubleshooting = await (async () => {
  const page = await readFile(repoPath('docs/troubleshooting.md'), 'utf8');
  const quotes = [...page.matchAll(/^(?:- )?`([^`]{12,})`/gm)].map((m) => m[1]!).filter((q) => !/^(aws|npx|docker) /.test(q));
  const sourceFiles = async (dir: string): Promise<string[]> => {
    const entries = await readdir(repoPath(dir), { withFileTypes: true, recursive: true });
    return entries.filter((e) => e.isFile() && /\.(ts|yml)$/.test(e.name) && !e.parentPath.includes('node_modules') && !/\/(test|dist)(\/|$)/.test(e.parentPath)).map((e) => join(e.parentPath, e.name));
  };
  const files = [...(await sourceFiles('packages')), ...(await sourceFiles('actions')), ...(await sourceFiles('.github/workflows'))];
  const corpus = (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('\n');
  const fragments = (quote: string) =>
    quote
      .split(/…|'[^']*'|"[^"]*"|\(HTTP \d+|\d+ attempts|request id|\b\d+(\.\d+)?\b/)
      .filter((f): f is string => typeof f === 'string')
      .map((f) => f.replace(/[().,:;]+$|^[().,:;\s]+/g, '').trim())
      .filter((f) => f.split(/\s+/).length >= 3);
  return { quotes, corpus, fragments };
})();

describe('troubleshooting.md quotes texts the code prints', () => {
  const { quotes, corpus, fragments } = troubleshooting;
  test('the page quotes at least 25 error texts', () => {
    expect(quotes.length).toBeGreaterThanOrEqual(25);
  });
  test.each(quotes)('%s', (quote) => {
    const missing = fragments(quote).filter((f) => !corpus.includes(f));
    expect(missing).toEqual([]);
  });
});

describe('starter templates', () => {
  test('trigger on an explicit branch: $default-branch works only in organisation starter workflows', async () => {
    const templates = (await readdir(repoPath('workflows-templates'))).filter((f) => f.endsWith('.yml'));
    for (const t of templates) expect(await readFile(repoPath(`workflows-templates/${t}`), 'utf8')).not.toContain('$default-branch');
    expect(await readFile(repoPath('workflows-templates/gantry-deploy.yml'), 'utf8')).toMatch(/push:\n(\s+#.*\n)*\s+branches: \[main\]/);
  });
});
