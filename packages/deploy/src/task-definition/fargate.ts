/**
 * Task-level cpu/memory combinations Fargate accepts, as documented in
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html
 * (also fargate-tasks-services.html#fargate-tasks-size). Memory in MiB.
 */
const FARGATE_SIZES: { cpu: number; memory: (mib: number) => boolean; describe: string }[] = [
  { cpu: 256, memory: (m) => [512, 1024, 2048].includes(m), describe: '512, 1024 or 2048' },
  { cpu: 512, memory: (m) => [1024, 2048, 3072, 4096].includes(m), describe: '1024, 2048, 3072 or 4096' },
  { cpu: 1024, memory: (m) => m >= 2048 && m <= 8192 && m % 1024 === 0, describe: '2048 to 8192 in steps of 1024' },
  { cpu: 2048, memory: (m) => m >= 4096 && m <= 16384 && m % 1024 === 0, describe: '4096 to 16384 in steps of 1024' },
  { cpu: 4096, memory: (m) => m >= 8192 && m <= 30720 && m % 1024 === 0, describe: '8192 to 30720 in steps of 1024' },
  { cpu: 8192, memory: (m) => m >= 16384 && m <= 61440 && m % 4096 === 0, describe: '16384 to 61440 in steps of 4096' },
  { cpu: 16384, memory: (m) => m >= 32768 && m <= 122880 && m % 8192 === 0, describe: '32768 to 122880 in steps of 8192' },
];

/** ECS accepts `1 vCPU`/`1024` for cpu and `2 GB`/`2048` for memory and converts them on registration. */
export function cpuUnits(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(vcpu)?\s*$/i.exec(String(value));
  if (!m) return NaN;
  return m[2] ? Math.round(Number(m[1]) * 1024) : Number(m[1]);
}

export function memoryMiB(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(gb|mib|mb)?\s*$/i.exec(String(value));
  if (!m) return NaN;
  return m[2]?.toLowerCase() === 'gb' ? Math.round(Number(m[1]) * 1024) : Number(m[1]);
}

/** A sentence saying what is wrong with a Fargate task size, or undefined when it is valid. */
export function fargateSizeProblem(cpu: string | number | undefined, memory: string | number | undefined): string | undefined {
  const c = cpuUnits(cpu);
  const m = memoryMiB(memory);
  if (c === undefined || m === undefined) return 'a FARGATE task definition needs task-level cpu and memory';
  if (Number.isNaN(c)) return `cpu '${cpu}' is not a number of CPU units (e.g. 1024) or vCPUs (e.g. '1 vCPU')`;
  if (Number.isNaN(m)) return `memory '${memory}' is not a number of MiB (e.g. 2048) or GB (e.g. '2 GB')`;
  const size = FARGATE_SIZES.find((s) => s.cpu === c);
  if (!size) return `cpu ${c} is not a Fargate size; use one of ${FARGATE_SIZES.map((s) => s.cpu).join(', ')}`;
  if (!size.memory(m)) return `memory ${m} MiB does not fit cpu ${c} on Fargate; with cpu ${c} use memory ${size.describe}`;
  return undefined;
}
