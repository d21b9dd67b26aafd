// Load generator for simulator-throughput, run in its own process so the simulator keeps a core to itself.
//   node --import tsx bench/lib/load.ts '{"endpoint":…,"clusters":…,"repositories":…,"services":…,"seconds":…,"concurrency":…}'
// Prints one JSON line: { calls, errors, seconds, byOperation }.
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeServicesCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';

const spec = JSON.parse(process.argv[2]!) as { endpoint: string; clusters: number; repositories: number; services: number; seconds: number; concurrency: number; loadBalanced?: boolean };
const config = { region: 'us-east-1', endpoint: spec.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
const ecs = new ECSClient(config);
const ecr = new ECRClient(config);
const elbv2 = new ElasticLoadBalancingV2Client(config);

// With load balancers: the target group ARNs, read before the measured window (400 per page).
const targetGroups: string[] = [];
for (let marker: string | undefined, first = true; spec.loadBalanced && (first || marker); first = false) {
  const page = await elbv2.send(new DescribeTargetGroupsCommand({ PageSize: 400, Marker: marker }));
  targetGroups.push(...page.TargetGroups!.map((t) => t.TargetGroupArn!));
  marker = page.NextMarker;
}

// A fixed pseudo-random sequence, so every run asks for the same mix.
let state = 42;
const random = (n: number) => {
  state = (state * 1103515245 + 12345) & 0x7fffffff;
  // The high bits: the low bits of a power-of-two LCG repeat with a short period (mod 4 locked onto one operation).
  return (state >>> 8) % n;
};

const operations = [
  async () => {
    // Service i lives in cluster i % clusters; ask for 10 services of one cluster.
    const cluster = random(spec.clusters);
    const perCluster = Math.floor(spec.services / spec.clusters);
    const first = random(Math.max(1, perCluster - 10));
    const services = Array.from({ length: 10 }, (_, k) => `svc${(first + k) * spec.clusters + cluster}`);
    await ecs.send(new DescribeServicesCommand({ cluster: `c${cluster}`, services }));
    return 'ecs:DescribeServices';
  },
  async () => {
    await ecr.send(new DescribeImagesCommand({ repositoryName: `app${random(spec.repositories)}`, maxResults: 1000 }));
    return 'ecr:DescribeImages';
  },
  async () => {
    await ecs.send(new ListTasksCommand({ cluster: `c${random(spec.clusters)}`, maxResults: 100 }));
    return 'ecs:ListTasks';
  },
  ...(spec.loadBalanced
    ? [
        async () => {
          await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroups[random(targetGroups.length)]! }));
          return 'elasticloadbalancing:DescribeTargetHealth';
        },
      ]
    : []),
];

const byOperation: Record<string, number> = {};
let calls = 0;
let errors = 0;
const started = performance.now();
const cpuStart = process.cpuUsage();
const deadline = started + spec.seconds * 1000;
await Promise.all(
  Array.from({ length: spec.concurrency }, async () => {
    while (performance.now() < deadline) {
      try {
        const op = await operations[random(operations.length)]!();
        byOperation[op] = (byOperation[op] ?? 0) + 1;
        calls++;
      } catch {
        errors++;
      }
    }
  }),
);
const cpu = process.cpuUsage(cpuStart);
console.log(JSON.stringify({ calls, errors, seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, byOperation }));
