import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { iamActionSources, iamActionsReachableFrom, iamListIn, iamListProblems } from '../src/index.js';

/** Shows the client and command the analysis found, so a test sees both halves of the mapping. */
const raw = (client: string, command: string) => `${client}.${command}`;
/** A stand-in for @gantry/aws's iamActionFor (which this package cannot depend on: @gantry/github tests with it). */
const PREFIX: Record<string, string> = { ECRClient: 'ecr', ECSClient: 'ecs', CloudWatchLogsClient: 'logs' };
const iam = (client: string, command: string) => `${PREFIX[client]}:${command.replace(/Command$/, '')}`;

let root: string;
const write = async (path: string, text: string) => {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
};

/**
 * A miniature workspace: an action importing a `@gantry/lib` package (with a subpath export) and the real
 * SDK clients, linked from the repository's node_modules.
 */
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gantry-iam-'));
  await mkdir(join(root, 'node_modules'), { recursive: true });
  await symlink(resolve(import.meta.dirname, '../../../node_modules/@aws-sdk'), join(root, 'node_modules/@aws-sdk'), 'dir');
  await write('node_modules/@gantry/lib/package.json', JSON.stringify({ name: '@gantry/lib', type: 'module', exports: { '.': './src/index.ts', './extra': './src/extra.ts' } }));
  await write('node_modules/@gantry/lib/src/index.ts', "export { listThings } from './things.js';\nexport type { Only } from './type-only.js';\n");
  await write(
    'node_modules/@gantry/lib/src/things.ts',
    [
      "import { ListClustersCommand, paginateListTasks, type ECSClient } from '@aws-sdk/client-ecs';",
      'export async function listThings(ecs: ECSClient) {',
      '  await ecs.send(new ListClustersCommand({}));',
      "  for await (const page of paginateListTasks({ client: ecs }, {})) void page;",
      '}',
    ].join('\n'),
  );
  await write('node_modules/@gantry/lib/src/type-only.ts', "import { DeleteClusterCommand } from '@aws-sdk/client-ecs';\nexport type Only = string;\nexport const x = new DeleteClusterCommand({ cluster: 'c' });\n");
  await write('node_modules/@gantry/lib/src/extra.ts', "import * as logs from '@aws-sdk/client-cloudwatch-logs';\nexport const read = () => new logs.GetLogEventsCommand({ logGroupName: 'g', logStreamName: 's' });\n");
  await write(
    'action/src/main.ts',
    [
      "import { ECRClient, PutImageCommand as Put } from '@aws-sdk/client-ecr';",
      "import { listThings } from '@gantry/lib';",
      "import type { Types } from './types.js';",
      "import './side-effect.js';",
      'class BuildCommand {}',
      'new BuildCommand();',
      'const ecr = new ECRClient({});',
      "await ecr.send(new Put({ repositoryName: 'r', imageManifest: '{}' }));",
      "const { read } = await import('@gantry/lib/extra');",
      'export { listThings, read };',
      'export type T = Types;',
    ].join('\n'),
  );
  await write('action/src/types.ts', "import { DeleteRepositoryCommand } from '@aws-sdk/client-ecr';\nexport type Types = number;\nnew DeleteRepositoryCommand({ repositoryName: 'r' });\n");
  await write('action/src/side-effect.ts', "import { DescribeImagesCommand } from '@aws-sdk/client-ecr';\nexport const d = () => new DescribeImagesCommand({ repositoryName: 'r' });\n");
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const readme = (list: string) => write('action/README.md', `# action\n\n## IAM\n\n<!-- iam:start -->\n${list}\n<!-- iam:end -->\n`);

describe('iamActionsReachableFrom', () => {
  it('follows relative, side-effect, dynamic and @gantry/* (subpath) imports, but not type-only ones', () => {
    expect(iamActionsReachableFrom(join(root, 'action/src/main.ts'), raw)).toEqual([
      'CloudWatchLogsClient.GetLogEventsCommand',
      'ECRClient.DescribeImagesCommand',
      'ECRClient.PutImageCommand',
      'ECSClient.ListClustersCommand',
      'ECSClient.ListTasksCommand',
    ]);
  });

  it('names the file each action is sent from', () => {
    const sources = iamActionSources(join(root, 'action/src/main.ts'), iam);
    expect(sources.get('ecs:ListTasks')).toEqual([expect.stringMatching(/@gantry\/lib\/src\/things\.ts$/)]);
    expect(sources.get('ecr:PutImage')).toEqual([join(root, 'action/src/main.ts')]);
  });

  it('refuses code it cannot account for instead of under-counting', async () => {
    await write('bad/waiter.ts', "import { waitUntilTasksStopped } from '@aws-sdk/client-ecs';\nawait waitUntilTasksStopped({} as never, {} as never);\n");
    expect(() => iamActionsReachableFrom(join(root, 'bad/waiter.ts'), raw)).toThrow(/waiter waitUntilTasksStopped/);
    await write('bad/reexport.ts', "export { RunTaskCommand } from '@aws-sdk/client-ecs';\n");
    expect(() => iamActionsReachableFrom(join(root, 'bad/reexport.ts'), raw)).toThrow(/re-exports from @aws-sdk\/client-ecs/);
    await write('bad/aggregated.ts', "import { ECS } from '@aws-sdk/client-ecs';\nnew ECS({});\n");
    expect(() => iamActionsReachableFrom(join(root, 'bad/aggregated.ts'), raw)).toThrow(/new ECS\(/);
    await write('bad/missing.ts', "import './nowhere.js';\n");
    expect(() => iamActionsReachableFrom(join(root, 'bad/missing.ts'), raw)).toThrow(/cannot find the file '.\/nowhere.js'/);
    await write('bad/computed.ts', "const name = './x.js';\nawait import(name);\n");
    expect(() => iamActionsReachableFrom(join(root, 'bad/computed.ts'), raw)).toThrow(/computed dynamic import/);
  });
});

describe('iamListIn', () => {
  it('reads the items between the markers with their docker and "only" notes', () => {
    expect(iamListIn('`ecs:Nope`\n<!-- iam:start -->\n- `ecr:PutImage` (docker push)\n- `ecr:BatchGetImage` (docker push, docker pull)\n- `ecr:CreateRepository` (only with `create-repository: true`)\n- `ecs:RunTask`\n<!-- iam:end -->')).toEqual([
      { action: 'ecr:PutImage', note: '(docker push)', docker: ['push'], conditional: false },
      { action: 'ecr:BatchGetImage', note: '(docker push, docker pull)', docker: ['push', 'pull'], conditional: false },
      { action: 'ecr:CreateRepository', note: '(only with `create-repository: true`)', docker: [], conditional: true },
      { action: 'ecs:RunTask', note: '', docker: [], conditional: false },
    ]);
    expect(iamListIn('no markers here')).toBeUndefined();
  });
});

describe('iamListProblems', () => {
  const dir = () => join(root, 'action');
  const exact = ['`ecr:DescribeImages`', '`ecr:PutImage`', '`ecs:ListClusters`', '`ecs:ListTasks`', '`logs:GetLogEvents`'].map((a) => `- ${a}`).join('\n');

  it('accepts a list equal to the code, plus documented docker push/pull actions', async () => {
    await readme(`${exact}\n- \`ecr:UploadLayerPart\` (docker push)\n- \`ecr:GetDownloadUrlForLayer\` (docker pull)`);
    expect(iamListProblems(dir(), iam)).toEqual([]);
  });

  it('names an action the code sends that the list lacks, with the file sending it', async () => {
    await readme(exact.replace('- `ecs:ListTasks`\n', ''));
    expect(iamListProblems(dir(), iam)).toEqual([expect.stringMatching(/^ecs:ListTasks is sent by .*things\.ts but README\.md does not list it$/)]);
  });

  it('names a listed action no code sends, unless docker needs it as AWS documents', async () => {
    await readme(`${exact}\n- \`ecs:UpdateService\`\n- \`ecs:RunTask\` (docker push)\n- \`ecr:PutImage\``);
    expect(iamListProblems(dir(), iam)).toEqual([
      'README.md lists ecr:PutImage twice',
      'README.md lists ecs:UpdateService, but no code reachable from src/main.ts sends it; remove it, or mark it (docker push) / (docker pull) if docker needs it',
      expect.stringMatching(/^README\.md marks ecs:RunTask \(docker push\), but docker push needs only ecr:BatchCheckLayerAvailability, /),
    ]);
  });

  it('reports a README without the markers, and list lines it cannot read', async () => {
    await write('action/README.md', '# action\n\n- `ecr:PutImage`\n');
    expect(iamListProblems(dir(), iam)).toEqual(['README.md has no IAM list between <!-- iam:start --> and <!-- iam:end -->']);
    await readme(`${exact}\nAlso \`ecr:PutImage\` sometimes.`);
    expect(iamListProblems(dir(), iam)).toEqual(['README.md IAM list has lines that are not `- `service:Action` (note)` items']);
  });
});
