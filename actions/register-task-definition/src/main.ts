import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { clientConfig, resolveRegion, withExplainedErrors } from '@gantry/aws';
import { prepareTaskDefinition } from '@gantry/deploy/task-definition';
import { actionIO, keyValueTable, markdownTable, runAction } from '@gantry/github';
import { getInputs } from './inputs.js';

await runAction(async () => {
  const inputs = getInputs();
  const region = resolveRegion(inputs.region);
  const ecs = withExplainedErrors(new ECSClient(clientConfig({ region })));
  const ecrClients = new Map<string, ECRClient>();
  const ecrFor = (r: string) => ecrClients.get(r) ?? ecrClients.set(r, withExplainedErrors(new ECRClient(clientConfig({ region: r })))).get(r)!;

  const result = await prepareTaskDefinition({
    source: inputs.source,
    render: { ...inputs.render, ...(inputs.logDefaults ? { logDefaults: { region, group: inputs.logGroup } } : {}) },
    ecs,
    ecrFor,
    logger: actionIO,
    pinImages: inputs.pinImages,
    nonEcrImages: inputs.nonEcrImages,
    registryRegion: region,
    dryRun: inputs.dryRun,
  });
  const family = String(result.definition.family);
  const file = join(inputs.outputDir, `task-definition-${family}.json`);
  await writeFile(file, JSON.stringify(result.definition, null, 2) + '\n');
  actionIO.setOutput('task-definition-file', file);
  actionIO.setOutput('family', family);
  const reg = result.registration;
  if (reg) {
    actionIO.setOutput('task-definition-arn', reg.taskDefinitionArn);
    actionIO.setOutput('revision', reg.revision);
    actionIO.setOutput('changed', reg.changed);
  }
  await actionIO.writeSummary(
    [
      `### Task definition ${family}`,
      '',
      keyValueTable([
        ['revision', reg ? `${family}:${reg.revision}` : 'dry run: not registered'],
        ['changed', reg ? (reg.changed ? 'new revision registered' : 'reused the latest ACTIVE revision') : '–'],
        ['differences', reg?.differences.join(', ')],
      ]),
      '',
      markdownTable(['container', 'image', 'digest'], result.images.map((i) => [i.container, i.image, i.digest ?? 'not in ECR (not pinned)'])),
      '',
    ].join('\n'),
  );
});
