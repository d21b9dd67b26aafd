import type { Alarms, AlarmStateValue } from '../cloudwatch/store.js';
import { invalidParameter } from '../protocol/errors.js';
import type { Deployment, DeploymentConfiguration, Service, ServiceDeploymentRecord } from './model.js';
import { isStrategyDeployment } from './strategies/target-groups.js';

export interface DeploymentAlarmsConfig {
  alarmNames: string[];
  enable: boolean;
  rollback: boolean;
}

/**
 * `deploymentConfiguration.alarms`: alarmNames, enable and rollback are all required.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentAlarms.html
 * AWS does not require the alarms to exist when the service is created or updated (an alarm on the
 * service's own metrics can only be made after the service): a missing alarm is never in ALARM.
 */
export function validateDeploymentAlarms(value: any): DeploymentAlarmsConfig | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameter('deploymentConfiguration.alarms must be an object with alarmNames, enable and rollback.');
  if (!Array.isArray(value.alarmNames)) throw invalidParameter('deploymentConfiguration.alarms.alarmNames is required: a list of CloudWatch alarm names.');
  if (value.alarmNames.some((n: unknown) => typeof n !== 'string' || n === '' || n.length > 255)) throw invalidParameter('deploymentConfiguration.alarms.alarmNames must be alarm names of 1 to 255 characters.');
  if (typeof value.enable !== 'boolean') throw invalidParameter('deploymentConfiguration.alarms.enable is required (true or false).');
  if (typeof value.rollback !== 'boolean') throw invalidParameter('deploymentConfiguration.alarms.rollback is required (true or false).');
  if (value.enable && value.alarmNames.length === 0) throw invalidParameter('deploymentConfiguration.alarms.alarmNames must name at least one alarm when enable is true.');
  return { alarmNames: [...value.alarmNames], enable: value.enable, rollback: value.rollback };
}

/** The ServiceDeploymentAlarms a new deployment starts with. */
export function alarmsRecord(config: DeploymentConfiguration): ServiceDeploymentRecord['alarms'] {
  const a = config.alarms as DeploymentAlarmsConfig | undefined;
  if (!a) return undefined;
  return { status: a.enable ? 'MONITORING' : 'DISABLED', alarmNames: [...a.alarmNames], triggeredAlarmNames: [] };
}

/** Our wording (README): AWS documents the FAILED state but not its rolloutStateReason for alarms. */
export const alarmFailedReason = (names: string[]) => `ECS deployment failed: alarm(s) ${names.join(', ')} in ALARM state.`;

/**
 * Deployment alarms for rolling (ECS controller) deployments: while a deployment is IN_PROGRESS, any of
 * its alarms going into ALARM sets it to FAILED and, with rollback, rolls the service back to the last
 * COMPLETED deployment. An alarm already in ALARM when the deployment starts is not a failure of that
 * deployment (our reading of "when it detects that a specified CloudWatch alarm has gone into the ALARM
 * state"). BLUE_GREEN, LINEAR and CANARY deployments watch their alarms themselves (strategies/).
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html
 */
export class DeploymentAlarmWatcher {
  constructor(
    private readonly alarms: Alarms,
    private readonly services: () => Iterable<Service>,
    private readonly fail: (service: Service, d: Deployment, why: { reason: string; event: string; rollback: boolean }, at: number) => void,
  ) {
    alarms.onStateChange((name, state, at, previous) => this.changed(name, state.value, previous, at));
  }

  private changed(name: string, value: AlarmStateValue, previous: AlarmStateValue, at: number): void {
    if (value !== 'ALARM' || previous === 'ALARM') return;
    for (const service of this.services()) {
      const d = service.deployments[0];
      const record = d?.record.alarms;
      if (!d || !record || record.status !== 'MONITORING' || d.rolloutState !== 'IN_PROGRESS' || d.isRollback || isStrategyDeployment(d)) continue;
      if (!record.alarmNames.includes(name)) continue;
      const triggered = record.alarmNames.filter((n) => this.alarms.state(n)?.value === 'ALARM');
      record.status = 'TRIGGERED';
      record.triggeredAlarmNames = triggered;
      const config = service.deploymentConfiguration.alarms as DeploymentAlarmsConfig;
      this.fail(service, d, { reason: alarmFailedReason(triggered), event: `alarm(s) ${triggered.join(', ')} in ALARM state`, rollback: config.rollback }, at);
    }
  }
}
