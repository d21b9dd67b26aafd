import { ECRClient } from '@aws-sdk/client-ecr';
import { clientConfig, resolveRegion, withExplainedErrors } from '@gantry/aws';
import { actionIO, runAction } from '@gantry/github';
import { buildImages, dockerLogout, renderSummary, spawnDockerCli, systemClock } from '@gantry/image-build';
import { getInputs } from './inputs.js';

// One bundle serves both entries of action.yml: `main` marks the state, so `post` knows it is post.
const isPost = actionIO.getState('isPost') === 'true';

async function main(): Promise<void> {
  actionIO.saveState('isPost', 'true');
  const inputs = getInputs();
  const ecr = withExplainedErrors(new ECRClient(clientConfig({ region: resolveRegion(inputs.region) })));
  const docker = spawnDockerCli({ binary: inputs.docker });
  const result = await buildImages(inputs.options, {
    ecr,
    docker,
    clock: systemClock,
    logger: { info: actionIO.info, warning: actionIO.warning, group: actionIO.group },
    mask: actionIO.mask,
    onLogin: (host) => {
      if (inputs.logout) {
        actionIO.saveState('registry', host);
        actionIO.saveState('docker', inputs.docker);
      }
    },
  });
  // With build: base there is no app image; its outputs are empty strings.
  actionIO.setOutput('image', result.image ?? '');
  actionIO.setOutput('image-uri-tagged', result.imageUriTagged ?? '');
  actionIO.setOutput('digest', result.digest ?? '');
  actionIO.setOutput('base-image', result.base.image);
  actionIO.setOutput('base-digest', result.base.digest);
  actionIO.setOutput('base-tag', result.base.tag ?? '');
  actionIO.setOutput('base-rebuilt', result.base.rebuilt);
  actionIO.setOutput('tags', result.tags.join('\n'));
  actionIO.setOutput('registry', result.registry);
  await actionIO.writeSummary(renderSummary(result));
}

async function post(): Promise<void> {
  const registry = actionIO.getState('registry');
  if (!registry) return;
  const docker = spawnDockerCli({ binary: actionIO.getState('docker') || 'docker' });
  if (await dockerLogout(docker, registry)) actionIO.info(`Logged out of ${registry}.`);
  else actionIO.warning(`docker logout ${registry} failed; the runner's docker config may still hold its credentials.`);
}

await runAction(isPost ? post : main);
