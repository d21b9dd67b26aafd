// Maintainer script: writes package-lock.json's entries for optional dependencies, including the
// packages for other platforms (darwin, win32, musl, ...), exactly as npm writes them.
//
// Why: the npm registry reachable from Gantry's build machines serves the metadata of every package but
// not the tarballs for other platforms, so `npm install` here leaves those entries out of
// package-lock.json, and `npm ci` on another platform then refuses the lockfile as out of sync. The
// entries are written from the registry's own metadata (`npm view NAME@VERSION --json`): version,
// integrity, os, cpu, libc, licence, engines, dependencies, ... and the dev/optional flags of the package
// that depends on them, in npm's key order (arborist's Shrinkwrap.metaFromNode and json-stringify-nice).
// `resolved` is written only when the lockfile records it for other packages (npm omits it under
// `omit-lockfile-registry-resolved`, which this machine sets).
//
//   node scripts/complete-lockfile.mjs           after `npm install` changed dependencies: rewrite
//   node scripts/complete-lockfile.mjs --check   CI: fail, listing the differences, if anything would change
//
// It is not a postinstall script: `npm ci` must leave a fresh clone's package-lock.json untouched.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

const lockPath = new URL('../package-lock.json', import.meta.url);
const check = process.argv.includes('--check');
const text = readFileSync(lockPath, 'utf8');
const lock = JSON.parse(text);
const packages = lock.packages;

// npm's lockfile serialisation (json-stringify-nice with arborist's preferred keys): scalar and array
// values before objects; preferred keys first in their order, the others by `localeCompare(..., 'en')`.
const preferredKeys = ['name', 'version', 'lockfileVersion', 'resolved', 'integrity', 'requires', 'packages', 'dependencies'];
const isObject = (value) => !!value && !Array.isArray(value) && typeof value === 'object';
function compareKeys(a, b) {
  const ia = preferredKeys.indexOf(a);
  const ib = preferredKeys.indexOf(b);
  if (ia >= 0 && ib >= 0) return ia - ib;
  if (ia >= 0) return -1;
  if (ib >= 0) return 1;
  return a.localeCompare(b, 'en');
}
function npmStringify(value) {
  const sorted = (_key, val) =>
    isObject(val)
      ? Object.fromEntries(
          Object.entries(val).sort(([ak, av], [bk, bv]) => (isObject(av) === isObject(bv) ? compareKeys(ak, bk) : isObject(av) ? 1 : -1)),
        )
      : val;
  return `${JSON.stringify(value, sorted, 2)}\n`;
}

// The package fields npm copies into a lockfile entry (arborist lib/shrinkwrap.js, pkgMetaKeys).
const manifestKeys = ['dependencies', 'peerDependencies', 'peerDependenciesMeta', 'optionalDependencies', 'bundleDependencies', 'acceptDependencies', 'funding', 'engines', 'os', 'cpu', 'libc', 'license', 'bin', 'deprecated'];
const recordsResolved = Object.entries(packages).some(([location, entry]) => location && !entry.link && entry.resolved);

function entryFromManifest(manifest, parent) {
  const entry = { version: manifest.version };
  if (recordsResolved && manifest.dist?.tarball) entry.resolved = manifest.dist.tarball;
  if (manifest.dist?.integrity) entry.integrity = manifest.dist.integrity;
  for (const key of manifestKeys) {
    let value = manifest[key];
    if (key === 'license' && isObject(value) && value.type) value = value.type;
    if (value && (typeof value !== 'object' || Object.keys(value).length)) entry[key] = value;
  }
  if (manifest._hasShrinkwrap) entry.hasShrinkwrap = true;
  if (manifest.hasInstallScript) entry.hasInstallScript = true;
  if (parent.dev) entry.dev = true;
  entry.optional = true;
  return entry;
}

const execFileAsync = promisify(execFile);
const manifests = new Map();
async function manifestOf(name, version) {
  const key = `${name}@${version}`;
  if (!manifests.has(key)) {
    manifests.set(
      key,
      execFileAsync('npm', ['view', key, '--json'], { maxBuffer: 16 * 1024 * 1024 }).then(
        ({ stdout }) => {
          const parsed = JSON.parse(stdout);
          // A range matching several versions gives an array in version order: npm takes the highest.
          return Array.isArray(parsed) ? parsed[parsed.length - 1] : parsed;
        },
        (error) => {
          throw new Error(`npm view ${key} failed (is the npm registry reachable?): ${error.stderr || error.message}`);
        },
      ),
    );
  }
  return manifests.get(key);
}

// Where npm places an optional dependency: beside its dependent if a different version of the name is
// hoisted at the root, at the root otherwise.
const wanted = [];
for (const [location, entry] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${location ? `${location}/` : ''}node_modules/${name}`;
    const root = `node_modules/${name}`;
    const rootTaken = packages[root] && /^\d/.test(spec) && packages[root].version !== spec;
    const target = packages[nested] || rootTaken ? nested : root;
    wanted.push({ target, name, version: packages[target]?.version ?? spec, parent: entry });
  }
}

async function inBatches(items, size, work) {
  const results = [];
  for (let i = 0; i < items.length; i += size) results.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  return results;
}

const changes = [];
await inBatches(wanted, 8, async ({ target, name, version, parent }) => {
  const entry = entryFromManifest(await manifestOf(name, version), parent);
  const before = packages[target];
  if (npmStringify(before ?? null) !== npmStringify(entry)) {
    changes.push(`${before ? 'differs' : 'missing'}: ${target}@${entry.version}`);
    packages[target] = entry;
  }
});

const after = npmStringify(lock);
if (check) {
  if (changes.length || after !== text) {
    console.error(
      `package-lock.json is not complete (${changes.length} optional entries differ from the registry's metadata${after !== text && !changes.length ? ', or it is not in npm\'s format' : ''}):`,
    );
    for (const change of changes.sort()) console.error(`  ${change}`);
    console.error('Fix: node scripts/complete-lockfile.mjs, then commit package-lock.json.');
    process.exit(1);
  }
  console.log(`package-lock.json: all ${wanted.length} optional dependency entries match the registry's metadata`);
} else if (after !== text) {
  writeFileSync(lockPath, after);
  console.log(`package-lock.json: wrote ${changes.length} optional dependency entries`);
  for (const change of changes.sort()) console.log(`  ${change}`);
} else {
  console.log('package-lock.json: already complete');
}
