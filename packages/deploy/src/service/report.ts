import { codeBlock, formatDuration, markdownTable } from '@gantry/github';
import type { DeployResult } from './deploy.js';

const OUTCOME_TEXT: Record<DeployResult['outcome'], string> = {
  success: '✅ success',
  failed: '❌ failed',
  superseded: '⏭️ superseded',
  timeout: '⏱️ timed out',
  cancelled: '🛑 cancelled',
};

/**
 * The AWS Management Console host of the partition a region belongs to: China regions (cn-*) are served
 * from console.amazonaws.cn, GovCloud (us-gov-*) from console.amazonaws-us-gov.com.
 * https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
 */
export function consoleHost(region: string): string {
  if (region.startsWith('cn-')) return 'console.amazonaws.cn';
  if (region.startsWith('us-gov-')) return 'console.amazonaws-us-gov.com';
  return 'console.aws.amazon.com';
}

/** The ECS console page of one service deployment, in the region's partition. */
export function consoleUrl(r: Pick<DeployResult, 'cluster' | 'service' | 'deploymentId' | 'region'>): string {
  const name = (arnOrName: string) => arnOrName.split('/').pop()!;
  return `https://${consoleHost(r.region)}/ecs/v2/clusters/${encodeURIComponent(name(r.cluster))}/services/${encodeURIComponent(name(r.service))}/deployments/${encodeURIComponent(r.deploymentId)}?region=${r.region}`;
}

export function revisionLabel(arn: string | undefined): string {
  return arn ? arn.split('/').pop()! : '–';
}

/** Job summary: service, old → new revision, images by digest, outcome, duration, console link. */
export function deploymentSummary(r: DeployResult): string {
  const rows: (string | undefined)[][] = [
    [
      r.service,
      `${revisionLabel(r.previousTaskDefinition)} → ${revisionLabel(r.taskDefinitionArn)}`,
      r.images.map((i) => `${i.container}: \`${i.digest ?? i.image}\``).join('<br>'),
      OUTCOME_TEXT[r.outcome],
      formatDuration(r.durationMs),
      `[${r.deploymentId}](${consoleUrl(r)})`,
    ],
  ];
  const parts = [`### Deploy ${r.service} (${r.strategy})`, '', markdownTable(['service', 'revision', 'images', 'outcome', 'duration', 'deployment'], rows), '', `**${r.outcome}**: ${r.reason}`];
  if (r.rolledBackTo) parts.push('', `Rolled back${r.rollbackBy?.startsWith('gantry') ? ' by Gantry' : ''} to \`${revisionLabel(r.rolledBackTo)}\`${r.rollbackFinished ? '' : ' (rollback still in progress when the action stopped watching)'}.`);
  if (r.explanation.length) parts.push('', codeBlock(r.explanation.join('\n')));
  return parts.join('\n') + '\n';
}

/** The state report printed at the end of every outcome (and on cancellation). */
export function stateReport(r: DeployResult): string[] {
  return [
    `Outcome: ${r.outcome} — ${r.reason}`,
    `Service: ${r.service} (cluster ${r.cluster.split('/').pop()}, ${r.strategy} deployments)`,
    `Task definition: ${revisionLabel(r.previousTaskDefinition)} → ${revisionLabel(r.taskDefinitionArn)}`,
    ...(r.rolledBackTo ? [`Rolled back to: ${revisionLabel(r.rolledBackTo)}${r.rollbackFinished ? '' : ' (in progress)'}`] : []),
    ...(r.supersededBy ? [`Superseded by: ${r.supersededBy}`] : []),
    `Deployment: ${r.deploymentId} ${consoleUrl(r)}`,
    `Duration: ${formatDuration(r.durationMs)} (${r.watch.polls} polls${r.watch.pollErrors ? `, ${r.watch.pollErrors} retried after errors` : ''})`,
  ];
}
