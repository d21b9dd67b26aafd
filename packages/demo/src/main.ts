// `npm run demo` [-- --no-docker] [--speed N] [--quotas aws]
// The AWS SDK warns once per process that it will need Node 22 in 2027; that is noise in a demo.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (!/NodeVersionSupportWarning/.test(`${w.name} ${w.message}`)) process.stderr.write(`${w.name}: ${w.message}\n`);
});

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(
    'usage: npm run demo [-- --no-docker] [--speed N] [--quotas aws]\n  --no-docker  seed the release images instead of building them with Docker\n  --speed N    simulated seconds per real second (default 30)\n  --quotas aws throttle as AWS does (ECS token buckets, ECR per-action rates); default off\n',
  );
  process.exit(0);
}
const unknown = args.filter((a, i) => !['--no-docker', '--speed', '--quotas'].includes(a) && !['--speed', '--quotas'].includes(args[i - 1] ?? ''));
if (unknown.length) {
  process.stderr.write(`unknown argument(s): ${unknown.join(' ')} (try --help)\n`);
  process.exit(2);
}
const speedArg = args.includes('--speed') ? Number(args[args.indexOf('--speed') + 1]) : undefined;
if (speedArg !== undefined && !(speedArg > 0)) {
  process.stderr.write('--speed needs a positive number\n');
  process.exit(2);
}

const quotasArg = args.includes('--quotas') ? args[args.indexOf('--quotas') + 1] : 'off';
if (quotasArg !== 'off' && quotasArg !== 'aws') {
  process.stderr.write(`--quotas must be aws or off, got '${quotasArg ?? ''}'\n`);
  process.exit(2);
}

const { runDemo } = await import('./run.js');
const result = await runDemo({ noDocker: args.includes('--no-docker'), speed: speedArg, quotas: quotasArg });
process.exitCode = result.failed.length === 0 ? 0 : 1;
