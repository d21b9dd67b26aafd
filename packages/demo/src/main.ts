// `npm run demo` [-- --no-docker] [--speed N]
// The AWS SDK warns once per process that it will need Node 22 in 2027; that is noise in a demo.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (!/NodeVersionSupportWarning/.test(`${w.name} ${w.message}`)) process.stderr.write(`${w.name}: ${w.message}\n`);
});

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write('usage: npm run demo [-- --no-docker] [--speed N]\n  --no-docker  seed the release images instead of building them with Docker\n  --speed N    simulated seconds per real second (default 30)\n');
  process.exit(0);
}
const unknown = args.filter((a, i) => !['--no-docker', '--speed'].includes(a) && args[i - 1] !== '--speed');
if (unknown.length) {
  process.stderr.write(`unknown argument(s): ${unknown.join(' ')} (try --help)\n`);
  process.exit(2);
}
const speedArg = args.includes('--speed') ? Number(args[args.indexOf('--speed') + 1]) : undefined;
if (speedArg !== undefined && !(speedArg > 0)) {
  process.stderr.write('--speed needs a positive number\n');
  process.exit(2);
}

const { runDemo } = await import('./run.js');
const result = await runDemo({ noDocker: args.includes('--no-docker'), speed: speedArg });
process.exitCode = result.failed.length === 0 ? 0 : 1;
