import { cpus, totalmem, platform, release } from 'node:os';

/** The machine the figures were measured on, as one markdown line per fact. */
export function machineLines(): string[] {
  const cpu = cpus();
  return [
    `- CPU: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} cores`,
    `- Memory: ${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- OS: ${platform()} ${release()}`,
    `- Node.js: ${process.version}`,
  ];
}
