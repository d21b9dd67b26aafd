import { startFleet, fleetShape } from '../lib/fleet.js';
const n = Number(process.argv[2]);
const t = performance.now();
const f = await startFleet(fleetShape(n), console.log);
console.log('total', (performance.now()-t)/1000);
const mem = process.memoryUsage(); console.log('rss MiB', mem.rss/1048576);
await f.sim.stop();
