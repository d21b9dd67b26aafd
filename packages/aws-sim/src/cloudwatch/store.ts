/**
 * What ECS (deployment alarms for rolling deployments, blue/green bake time) needs from CloudWatch
 * alarms, in process. One `Alarms` per region (createCloudWatch({ clock, accountId, region }).alarms).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html
 */
export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmState {
  value: AlarmStateValue;
  reason: string;
  /** Epoch ms of the last state change. */
  updatedAt: number;
}

export type AlarmStateListener = (alarmName: string, state: AlarmState, at: number, previous: AlarmStateValue) => void;

export interface Alarms {
  /** The alarm's current state; undefined when no alarm (metric or composite) has that name. */
  state(alarmName: string): AlarmState | undefined;
  exists(alarmName: string): boolean;
  /** Called after every state change (PutMetricAlarm creating it, SetAlarmState, deletion is not a change). */
  onStateChange(listener: AlarmStateListener): void;
}
