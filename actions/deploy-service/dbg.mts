import { runAction } from '@gantry/local-runner';
import { startWithStrategyService } from './test/sim-fixture.ts';
const strategy = (process.argv[2] ?? 'BLUE_GREEN') as any;
const tag = process.argv[3] ?? 'v2';
const f = await startWithStrategyService(strategy);
const td = await f.register(tag);
const run = await runAction('/work/wt-deploy/actions/deploy-service', { inputs: { cluster: 'prod', service: 'web', 'task-definition': td, 'poll-interval': '500ms', timeout: '2m' }, env: f.sim.env, timeoutMs: 120000 });
console.log(run.exitCode, run.log.slice(-6000));
await f.sim.stop();
