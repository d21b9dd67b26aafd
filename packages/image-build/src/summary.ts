import { formatDuration, markdownTable } from '@gantry/github';
import type { BuildImagesResult } from './build-images.js';

export function formatBytes(bytes: number | undefined): string | undefined {
  if (bytes === undefined) return undefined;
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function baseStatus(result: BuildImagesResult): string {
  const { base } = result;
  if (result.build === 'app') return 'given by digest (built by an earlier job)';
  if (base.raceLost && !base.rebuilt) return 'reused (pushed by a concurrent run)';
  if (base.rebuilt) return base.raceLost ? 'rebuilt; tag then taken by a concurrent run' : 'rebuilt (inputs changed)';
  return 'reused (inputs unchanged)';
}

/** The job summary: the images built, their sizes, whether the base was reused and how long each build took. */
export function renderSummary(result: BuildImagesResult): string {
  const duration = (ms: number | undefined) => (ms === undefined ? undefined : formatDuration(Math.round(ms)));
  const { app } = result;
  const layers = app?.pushedLayers === undefined ? undefined : `${app.pushedLayers} pushed, ${app.existingLayers ?? 0} already in the registry`;
  const rows: (string | undefined)[][] = [];
  if (app) rows.push(['app', `\`${result.image}\``, formatBytes(app.sizeBytes), duration(app.durationMs), layers]);
  rows.push([
    'base',
    `\`${result.base.image}\``,
    formatBytes(result.base.sizeBytes),
    result.base.rebuilt ? duration(result.base.durationMs) : 'skipped',
    `${baseStatus(result)}${result.base.tag ? `; tag \`${result.base.tag}\`` : ''}`,
  ]);
  const table = markdownTable(['image', 'reference', 'size', 'build', 'notes'], rows);
  const tags = result.tags.map((t) => `\`${t}\``).join(', ');
  return [
    `### build-image (${result.build})`,
    '',
    table,
    '',
    ...(tags ? [`Tags: ${tags}  `] : []),
    `Platforms: ${result.platforms.join(', ')} · builder: ${result.builder === undefined ? 'none (nothing to build)' : result.builder === 'buildx' ? 'docker buildx' : 'docker build (BuildKit)'}  `,
    ...(result.base.files ? [`Base inputs hashed: ${result.base.files.map((f) => `\`${f}\``).join(', ')}`] : []),
    ...(result.repositoriesCreated.length ? ['', `Created repositories: ${result.repositoriesCreated.join(', ')}`] : []),
    '',
  ].join('\n');
}
