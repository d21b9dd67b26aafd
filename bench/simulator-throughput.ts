// Simulator throughput: AWS calls per second the simulator serves with 5,000 services and 50,000 images,
// under a mixed DescribeServices / DescribeImages / ListTasks load from the SDK at 16 concurrent calls
// (generated in a separate process, bench/lib/load.ts). It shows the simulator is not what the other
// benchmarks measure: the guard inventory at 5,000 services needs ~12,500 calls.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fleetShape, startFleet, type Fleet } from './lib/fleet.js';
import { median, samples } from './lib/stats.js';
import type { Benchmark, Figure } from './lib/types.js';

const CONCURRENCY = 16;

interface Load {
  calls: number;
  errors: number;
  seconds: number;
  cpuSeconds: number;
  byOperation: Record<string, number>;
}

function runLoad(spec: object): Promise<Load> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'lib', 'load.ts'), JSON.stringify(spec)], {
      cwd: join(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as Load);
      } catch {
        reject(new Error(`load generator exited ${code}: ${err.trim().split('\n').pop() ?? ''}`));
      }
    });
  });
}

interface Measured {
  rate: number;
  busy: number;
  cpuPerCall: number;
  rates: number[];
  details: string[];
}

/** Runs `windows` load windows against a started fleet; the simulator's own CPU is this process's. */
async function measure(fleet: Fleet, windows: number, seconds: number, loadBalanced: boolean, log: (line: string) => void, tag: string): Promise<Measured> {
  const { shape } = fleet;
  fleet.sim.control.setFaults({});
  const rates: number[] = [];
  const busy: number[] = [];
  const cpuPerCall: number[] = [];
  const details: string[] = [];
  for (let w = 0; w < windows; w++) {
    fleet.sim.control.resetCallCounts();
    const cpuBefore = process.cpuUsage();
    const load = await runLoad({ endpoint: fleet.sim.endpoint, clusters: shape.clusters, repositories: shape.repositories, services: shape.services, seconds, concurrency: CONCURRENCY, loadBalanced });
    const cpu = process.cpuUsage(cpuBefore);
    const simCpu = (cpu.user + cpu.system) / 1e6 / load.seconds;
    // DescribeTargetGroups paging before the window is not part of it.
    const counts = fleet.sim.control.callCounts();
    const served = Object.entries(counts).reduce((a, [k, v]) => a + (k === 'elasticloadbalancing:DescribeTargetGroups' ? 0 : v), 0);
    const rate = served / load.seconds;
    rates.push(rate);
    busy.push(simCpu);
    cpuPerCall.push((cpu.user + cpu.system) / 1000 / served);
    log(`  ${tag} window ${w + 1}/${windows}: ${Math.round(rate)} calls/s (${served} served, ${load.errors} errors)`);
    details.push(`${tag} window ${w + 1}: ${served} calls served by the simulator in ${load.seconds.toFixed(1)} s (simulator process busy ${Math.round(simCpu * 100)} % of a core, load generator ${Math.round((load.cpuSeconds / load.seconds) * 100)} %; client saw ${load.calls} answers, ${load.errors} errors; ${Object.entries(load.byOperation).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  }
  return { rate: median(rates), busy: median(busy), cpuPerCall: median(cpuPerCall), rates, details };
}

export const simulatorThroughput: Benchmark = {
  name: 'simulator-throughput',
  title: 'Simulator throughput at scale',
  async run({ quick, log }) {
    const services = quick ? 500 : 5000;
    const windows = 3;
    const seconds = quick ? 3 : 8;
    // Every other service behind a load balancer: target groups with health checks on the simulated
    // clock and ECS registering its tasks, beside the ECS and ECR state of the plain fleet.
    const shape = { ...fleetShape(services), loadBalancedEvery: 2 };
    const images = shape.repositories * shape.imagesPerRepository;
    const lbServices = Math.ceil(services / 2);
    const figures: Figure[] = [];
    const details: string[] = [];
    const fleet = await startFleet(shape, log);
    try {
      for (const withElb of [false, true]) {
        const m = await measure(fleet, windows, seconds, withElb, log, withElb ? 'with DescribeTargetHealth' : 'ECS/ECR mix');
        const mix = withElb ? ', DescribeTargetHealth in the mix' : '';
        figures.push(
          {
            label: `calls per second served at ${services.toLocaleString('en')} services (${lbServices.toLocaleString('en')} behind load balancers) and ${images.toLocaleString('en')} images${mix} (simulator CPU)`,
            value: `${Math.round(m.rate).toLocaleString('en')} calls/s (${Math.round(m.busy * 100)} % of a core)`,
            n: String(windows),
            goal: 'the simulator is not the bottleneck: < 50 % of a core busy while an SDK client calls it flat out',
            verdict: m.busy < 0.5 ? 'meets' : 'misses',
            comparison: `${m.busy < 0.5 ? 'the SDK client, not the simulator, limits the rate' : 'the simulator is a bottleneck'}: simulator ${Math.round(m.busy * 100)} % busy; the guard at 5,000 services asks for at most 400 calls/s (concurrency 8 at 20 ms)`,
          },
          {
            label: `simulator CPU time per call${withElb ? ', with DescribeTargetHealth (awsQuery XML) in the mix' : ''}`,
            value: `${m.cpuPerCall.toFixed(2)} ms`,
            n: String(windows),
            goal: 'context',
            verdict: 'context',
            comparison: withElb ? 'against the ECS/ECR mix above on the same fleet: what an awsQuery (XML) call costs' : 'small next to the 20 ms latency the guard benchmark adds per call',
          },
        );
        details.push(`${withElb ? 'with DescribeTargetHealth' : 'ECS/ECR mix'}, per-window rates: ${samples(m.rates, (r) => `${Math.round(r)}/s`)}`, ...m.details);
      }
    } finally {
      await fleet.sim.stop();
    }
    return {
      method: `A fleet of ${services.toLocaleString('en')} services (${shape.clusters} clusters, ${shape.repositories} repositories, ${images.toLocaleString('en')} images, ${services} running tasks), every other one behind its own \`ip\` target group (one ALB and listener per cluster, one path rule per service, default health checks every 30 s), with no added latency; a separate process sends DescribeServices (10 services), DescribeImages (a whole repository, 100 images) and ListTasks (a cluster) in equal shares, ${CONCURRENCY} at a time, for ${windows} windows of ${seconds} s; then the same with DescribeTargetHealth (one target group) as a fourth operation in equal share. Calls counted by the simulator.${quick ? ' (--quick: 500 services.)' : ''}`,
      figures,
      details,
    };
  },
};
