import type { SimClock } from '../clock.js';
import { AwsError } from '../protocol/errors.js';
import type { JsonService } from '../protocol/types.js';
import type { Alarms, AlarmState, AlarmStateListener, AlarmStateValue } from './store.js';

export interface CloudWatchOptions {
  clock: SimClock;
  accountId: string;
  region: string;
}

interface MetricAlarm {
  input: Record<string, any>;
  alarmArn: string;
  state: AlarmState;
  stateReasonData?: string;
  configurationUpdatedAt: number;
  stateTransitionedAt: number;
}

// Errors (JSON with awsQueryCompatible: `__type` is the modelled shape name).
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CommonErrors.html
const invalidValue = (message: string) => new AwsError('InvalidParameterValueException', message);
const missing = (message: string) => new AwsError('MissingRequiredParameterException', message);
const notFound = (message: string) => new AwsError('ResourceNotFound', message);
const STATES: AlarmStateValue[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
const COMPARISONS = ['GreaterThanOrEqualToThreshold', 'GreaterThanThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold', 'LessThanLowerOrGreaterThanUpperThreshold', 'LessThanLowerThreshold', 'GreaterThanUpperThreshold'];
const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'];

/**
 * CloudWatch metric alarms for one region (JSON 1.0, target prefix GraniteServiceVersion20100801, which
 * @aws-sdk/client-cloudwatch speaks). Alarms change state only by SetAlarmState: the simulator has no
 * metrics to evaluate (README).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/Welcome.html
 */
export function createCloudWatch(options: CloudWatchOptions) {
  const { clock, region, accountId } = options;
  const alarms = new Map<string, MetricAlarm>();
  const listeners: AlarmStateListener[] = [];

  const transition = (alarm: MetricAlarm, value: AlarmStateValue, reason: string, at: number, reasonData?: string) => {
    const previous = alarm.state.value;
    alarm.state = { value, reason, updatedAt: at };
    alarm.stateReasonData = reasonData;
    if (previous === value) return;
    alarm.stateTransitionedAt = at;
    const name = alarm.input.AlarmName as string;
    for (const l of listeners) l(name, alarm.state, at, previous);
  };

  const describe = (a: MetricAlarm) => ({
    ...a.input,
    AlarmArn: a.alarmArn,
    AlarmConfigurationUpdatedTimestamp: new Date(a.configurationUpdatedAt),
    ActionsEnabled: a.input.ActionsEnabled ?? true,
    OKActions: a.input.OKActions ?? [],
    AlarmActions: a.input.AlarmActions ?? [],
    InsufficientDataActions: a.input.InsufficientDataActions ?? [],
    StateValue: a.state.value,
    StateReason: a.state.reason,
    StateReasonData: a.stateReasonData,
    StateUpdatedTimestamp: new Date(a.state.updatedAt),
    StateTransitionedTimestamp: new Date(a.stateTransitionedAt),
    Dimensions: a.input.Dimensions ?? (a.input.Metrics ? undefined : []),
    Tags: undefined,
  });

  /**
   * PutMetricAlarm's documented constraints: a name of 1–255 characters, a comparison operator, at least
   * one evaluation period, either a single metric (MetricName, Namespace, Period, Statistic or
   * ExtendedStatistic) or Metrics, and a Period of 10, 20, 30 or a multiple of 60.
   * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
   */
  const validate = (input: any) => {
    const name = input.AlarmName;
    if (typeof name !== 'string' || name === '') throw missing('The parameter AlarmName is required.');
    if (name.length > 255) throw invalidValue(`The parameter AlarmName must be at most 255 characters long.`);
    if (input.ComparisonOperator === undefined) throw missing('The parameter ComparisonOperator is required.');
    if (!COMPARISONS.includes(input.ComparisonOperator)) throw invalidValue(`The parameter ComparisonOperator must be one of ${COMPARISONS.join(', ')}.`);
    if (input.EvaluationPeriods === undefined) throw missing('The parameter EvaluationPeriods is required.');
    if (!Number.isInteger(input.EvaluationPeriods) || input.EvaluationPeriods < 1) throw invalidValue('The parameter EvaluationPeriods must be an integer greater than or equal to 1.');
    if (input.DatapointsToAlarm !== undefined && (!Number.isInteger(input.DatapointsToAlarm) || input.DatapointsToAlarm < 1 || input.DatapointsToAlarm > input.EvaluationPeriods)) {
      throw invalidValue('DatapointsToAlarm must be between 1 and EvaluationPeriods.');
    }
    if (input.Threshold === undefined && input.ThresholdMetricId === undefined) throw invalidValue('Either Threshold or ThresholdMetricId must be specified.');
    if (input.Metrics !== undefined) {
      if (input.MetricName !== undefined || input.Namespace !== undefined || input.Statistic !== undefined) throw invalidValue('Metrics cannot be combined with MetricName, Namespace, Statistic or Period.');
      if (!Array.isArray(input.Metrics) || input.Metrics.length === 0) throw invalidValue('The parameter Metrics must contain at least one metric.');
      return;
    }
    if (input.MetricName === undefined) throw missing('The parameter MetricName is required.');
    if (input.Namespace === undefined) throw missing('The parameter Namespace is required.');
    if (input.Statistic === undefined && input.ExtendedStatistic === undefined) throw missing('One of the parameters Statistic or ExtendedStatistic is required.');
    if (input.Statistic !== undefined && input.ExtendedStatistic !== undefined) throw invalidValue('Statistic and ExtendedStatistic cannot both be specified.');
    if (input.Statistic !== undefined && !STATISTICS.includes(input.Statistic)) throw invalidValue(`The parameter Statistic must be one of ${STATISTICS.join(', ')}.`);
    if (input.Period === undefined) throw missing('The parameter Period is required.');
    const p = input.Period;
    if (!Number.isInteger(p) || p < 10 || !(p === 10 || p === 20 || p === 30 || p % 60 === 0)) throw invalidValue('The parameter Period must be 10, 20, 30 or a multiple of 60.');
    if (input.EvaluationPeriods * p > 7 * 24 * 3600) throw invalidValue('The evaluation interval (EvaluationPeriods × Period) cannot exceed 7 days.');
  };

  const names = (value: unknown, max: number): string[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((n) => typeof n !== 'string')) throw invalidValue('AlarmNames must be a list of alarm names.');
    if (value.length > max) throw invalidValue(`At most ${max} alarm names can be given.`);
    return value;
  };

  const operations: JsonService['operations'] = {
    PutMetricAlarm: (input) => {
      validate(input);
      const at = clock.nowMs();
      const existing = alarms.get(input.AlarmName);
      const { Tags: _tags, ...config } = input;
      if (existing) {
        // "When you update an existing alarm, its state is left unchanged, but the update completely
        // overwrites the previous configuration of the alarm."
        existing.input = config;
        existing.configurationUpdatedAt = at;
        return {};
      }
      // "When this operation creates an alarm, the alarm state is immediately set to INSUFFICIENT_DATA."
      alarms.set(input.AlarmName, {
        input: config,
        alarmArn: `arn:aws:cloudwatch:${region}:${accountId}:alarm:${input.AlarmName}`,
        state: { value: 'INSUFFICIENT_DATA', reason: 'Unchecked: Initial alarm creation', updatedAt: at },
        configurationUpdatedAt: at,
        stateTransitionedAt: at,
      });
      return {};
    },
    /**
     * AlarmNames (≤ 100) or AlarmNamePrefix (not both), StateValue, MaxRecords (1–100), NextToken.
     * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
     */
    DescribeAlarms: (input) => {
      const wanted = names(input.AlarmNames, 100);
      if (wanted.length && input.AlarmNamePrefix !== undefined) throw new AwsError('InvalidParameterCombinationException', 'AlarmNames and AlarmNamePrefix cannot be specified together.');
      if (input.StateValue !== undefined && !STATES.includes(input.StateValue)) throw invalidValue(`The parameter StateValue must be one of ${STATES.join(', ')}.`);
      const max = input.MaxRecords ?? 50;
      if (!Number.isInteger(max) || max < 1 || max > 100) throw invalidValue('The parameter MaxRecords must be between 1 and 100.');
      const types: string[] = input.AlarmTypes ?? ['MetricAlarm'];
      let found = [...alarms.values()].sort((a, b) => (a.input.AlarmName as string).localeCompare(b.input.AlarmName));
      if (wanted.length) found = found.filter((a) => wanted.includes(a.input.AlarmName));
      if (input.AlarmNamePrefix !== undefined) found = found.filter((a) => (a.input.AlarmName as string).startsWith(input.AlarmNamePrefix));
      if (input.StateValue !== undefined) found = found.filter((a) => a.state.value === input.StateValue);
      if (!types.includes('MetricAlarm')) found = [];
      let offset = 0;
      if (input.NextToken !== undefined) {
        offset = Number(Buffer.from(String(input.NextToken), 'base64url').toString());
        if (!Number.isInteger(offset) || offset < 0) throw new AwsError('InvalidNextToken', 'The service returned an invalid NextToken.');
      }
      const items = found.slice(offset, offset + max);
      return {
        MetricAlarms: items.map(describe),
        CompositeAlarms: [],
        NextToken: offset + max < found.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined,
      };
    },
    /**
     * "Temporarily sets the state of an alarm for testing purposes." StateReasonData must be JSON.
     * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html
     */
    SetAlarmState: (input) => {
      if (typeof input.AlarmName !== 'string' || !input.AlarmName) throw missing('The parameter AlarmName is required.');
      if (input.StateValue === undefined) throw missing('The parameter StateValue is required.');
      if (!STATES.includes(input.StateValue)) throw invalidValue(`The parameter StateValue must be one of ${STATES.join(', ')}.`);
      if (typeof input.StateReason !== 'string') throw missing('The parameter StateReason is required.');
      if (input.StateReason.length > 1023) throw invalidValue('The parameter StateReason must be at most 1023 characters long.');
      if (input.StateReasonData !== undefined) {
        try {
          JSON.parse(input.StateReasonData);
        } catch {
          throw new AwsError('InvalidFormat', 'StateReasonData is not valid JSON.');
        }
      }
      const alarm = alarms.get(input.AlarmName);
      if (!alarm) throw notFound(`Alarm ${input.AlarmName} not found`);
      transition(alarm, input.StateValue, input.StateReason, clock.nowMs(), input.StateReasonData);
      return {};
    },
    /**
     * Deletes up to 100 alarms; "If you specify any incorrect alarm names, the alarms you specify with
     * correct names are still deleted" — ResourceNotFound names the missing ones.
     * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DeleteAlarms.html
     */
    DeleteAlarms: (input) => {
      const given = names(input.AlarmNames, 100);
      if (given.length === 0) throw missing('The parameter AlarmNames is required.');
      const missingNames = given.filter((n) => !alarms.has(n));
      for (const n of given) alarms.delete(n);
      if (missingNames.length) throw notFound(`${missingNames.join(', ')} not found`);
      return {};
    },
  };

  const store: Alarms = {
    state: (name) => alarms.get(name)?.state,
    exists: (name) => alarms.has(name),
    onStateChange: (l) => void listeners.push(l),
  };

  return {
    service: { name: 'cloudwatch', targetPrefix: 'GraniteServiceVersion20100801', operations } satisfies JsonService,
    alarms: store,
  };
}
