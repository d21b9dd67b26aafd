const name = process.argv[2]!;
const mod = await import(`../${name}.js`);
const bench = Object.values(mod).find((v: any) => v && typeof v === 'object' && 'run' in v) as any;
const r = await bench.run({ quick: process.argv[3] === 'quick', log: console.log });
console.log(JSON.stringify(r, null, 2));
