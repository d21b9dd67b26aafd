import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeRulesCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';

/**
 * Read-only lookups that name why a deployment fails: alarm states from CloudWatch, target health and
 * listener-rule weights from Elastic Load Balancing. Each client is optional; without it the lookup
 * returns nothing and the watch falls back to what ECS says.
 */
export interface InsightClients {
  cloudwatch?: CloudWatchClient;
  elbv2?: ElasticLoadBalancingV2Client;
}

export interface AlarmState {
  name: string;
  state: string;
  reason: string;
}

/**
 * Current state and state reason of each named alarm (metric and composite).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
 */
export async function alarmStates(clients: InsightClients, names: string[]): Promise<AlarmState[]> {
  if (!clients.cloudwatch || names.length === 0) return [];
  const out: AlarmState[] = [];
  // DescribeAlarms accepts at most 100 names per call.
  for (let i = 0; i < names.length; i += 100) {
    const page = await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + 100), AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
    for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
      out.push({ name: a.AlarmName ?? '?', state: a.StateValue ?? '?', reason: a.StateReason ?? '' });
    }
  }
  return out;
}

export interface UnhealthyTarget {
  targetGroupArn: string;
  id: string;
  port?: number;
  state: string;
  /** "Target.ResponseCodeMismatch: Health checks failed with these codes: [502]" */
  reason: string;
}

/**
 * Targets the load balancer does not call healthy, with its reason code and description.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetHealth.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html
 */
export async function unhealthyTargets(clients: InsightClients, targetGroupArns: string[]): Promise<UnhealthyTarget[]> {
  if (!clients.elbv2) return [];
  const elbv2 = clients.elbv2;
  const out: UnhealthyTarget[] = [];
  const pages = await Promise.all(targetGroupArns.map(async (arn) => ({ arn, page: await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })) })));
  for (const { arn, page } of pages) {
    for (const d of page.TargetHealthDescriptions ?? []) {
      const h = d.TargetHealth;
      // Only 'unhealthy' carries the health check's own reason; 'draining' says only that deregistration started.
      if (h?.State !== 'unhealthy' || !h.Reason) continue;
      out.push({ targetGroupArn: arn, id: d.Target?.Id ?? '?', port: d.Target?.Port, state: h.State, reason: `${h.Reason}${h.Description ? `: ${h.Description}` : ''}` });
    }
  }
  return out;
}

export interface ForwardWeight {
  targetGroupArn: string;
  weight: number;
}

/**
 * The weighted target groups each listener rule forwards to, keyed by rule ARN.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeRules.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ForwardActionConfig.html
 */
export async function ruleWeights(clients: InsightClients, ruleArns: string[]): Promise<Map<string, ForwardWeight[]>> {
  const result = new Map<string, ForwardWeight[]>();
  if (!clients.elbv2 || ruleArns.length === 0) return result;
  const page = await clients.elbv2.send(new DescribeRulesCommand({ RuleArns: ruleArns }));
  for (const rule of page.Rules ?? []) {
    const forward = (rule.Actions ?? []).find((a) => a.Type === 'forward');
    const groups = forward?.ForwardConfig?.TargetGroups?.length
      ? forward.ForwardConfig.TargetGroups.map((g) => ({ targetGroupArn: g.TargetGroupArn ?? '?', weight: g.Weight ?? 1 }))
      : forward?.TargetGroupArn
        ? [{ targetGroupArn: forward.TargetGroupArn, weight: 1 }]
        : [];
    if (rule.RuleArn) result.set(rule.RuleArn, groups);
  }
  return result;
}

/** "web-blue 90% / web-green 10%": each target group's share of the rule's traffic. */
export function splitText(weights: ForwardWeight[]): string {
  const total = weights.reduce((n, w) => n + w.weight, 0);
  if (total === 0) return weights.map((w) => `${targetGroupName(w.targetGroupArn)} 0%`).join(' / ') || 'no target group';
  return weights.map((w) => `${targetGroupName(w.targetGroupArn)} ${Math.round((w.weight * 100) / total)}%`).join(' / ');
}

/** The name part of `arn:…:targetgroup/<name>/<id>`. */
export function targetGroupName(arn: string): string {
  const parts = arn.split('/');
  return parts.length >= 3 ? parts[parts.length - 2]! : arn;
}
