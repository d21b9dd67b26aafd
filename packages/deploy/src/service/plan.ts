import type { Service } from '@aws-sdk/client-ecs';
import { UserError } from '@gantry/github';
import type { EarlyStopOptions } from './early-stop.js';
import { alarmStates, type InsightClients } from './insight.js';
import type { SmokeCheckOptions } from './smoke.js';
import { hasPauseHookAt, serviceAlarms, shiftsTraffic, SMOKE_CHECK_STAGE, strategyOf } from './strategy.js';
import { deploymentConfigurationFor, STRATEGY_SETTINGS, type UpdateOptions } from './update.js';

export interface PlanOptions extends UpdateOptions {
  earlyStop?: EarlyStopOptions;
  smokeCheck?: SmokeCheckOptions;
}

/**
 * Checks that the strategy-related inputs fit the service, before anything changes in AWS: strategy
 * settings only on a strategy that uses them, early-stop alarms among the service's deployment alarms
 * (and known to CloudWatch), and a smoke check on a traffic-shifting strategy only with the PAUSE hook
 * that lets Gantry hold the deployment while it checks.
 */
export async function checkPlan(service: Service, options: PlanOptions, insight: InsightClients): Promise<void> {
  const strategy = strategyOf(service.deploymentConfiguration);
  for (const [key, spec] of Object.entries(STRATEGY_SETTINGS) as [keyof typeof STRATEGY_SETTINGS, (typeof STRATEGY_SETTINGS)[keyof typeof STRATEGY_SETTINGS]][]) {
    if (options.strategySettings?.[key] === undefined || spec.strategies.includes(strategy)) continue;
    throw new UserError(
      `Input '${spec.input}' applies to the ${spec.strategies.join(', ')} strategies, but service '${options.service}' deploys with ${strategy}.`,
      `Remove '${spec.input}', or change the service's deploymentConfiguration.strategy first.`,
    );
  }
  const alarms = options.earlyStop?.alarms ?? [];
  if (alarms.length) {
    const config = deploymentConfigurationFor(service.deploymentConfiguration, options);
    const watched = serviceAlarms(config);
    const missing = alarms.filter((a) => !watched.includes(a));
    if (missing.length) {
      throw new UserError(
        `Input 'early-stop-alarms' names ${missing.map((a) => `'${a}'`).join(', ')}, which service '${options.service}' does not watch during deployments (its alarms: ${watched.length ? watched.join(', ') : 'none'}).`,
        "Add the alarm to the 'alarms' input (or the service's deploymentConfiguration.alarms).",
      );
    }
    if (insight.cloudwatch) {
      const known = new Set((await alarmStates(insight, alarms)).map((a) => a.name));
      const unknown = alarms.filter((a) => !known.has(a));
      if (unknown.length) throw new UserError(`Input 'early-stop-alarms' names ${unknown.map((a) => `'${a}'`).join(', ')}, which CloudWatch does not know in this region.`, 'Check the alarm names (they are case-sensitive).');
    }
  }
  if (options.smokeCheck && shiftsTraffic(strategy) && !hasPauseHookAt(service.deploymentConfiguration, SMOKE_CHECK_STAGE)) {
    throw new UserError(
      `Input 'smoke-check-url' on a ${strategy} service needs a PAUSE lifecycle hook at ${SMOKE_CHECK_STAGE} on '${options.service}', which holds the deployment while test traffic reaches the new revision; the service has none.`,
      `Add to the service's deploymentConfiguration.lifecycleHooks: { "targetType": "PAUSE", "lifecycleStages": ["${SMOKE_CHECK_STAGE}"] } (see docs/deployment-strategies.md).`,
    );
  }
}
