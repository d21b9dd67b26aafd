import { InputError } from '@gantry/github';

/** Platforms ECS and the BuildKit builders Gantry targets can run. */
export const KNOWN_PLATFORMS = [
  'linux/amd64',
  'linux/arm64',
  'linux/arm64/v8',
  'linux/arm/v7',
  'linux/arm/v6',
  'linux/386',
  'linux/ppc64le',
  'linux/s390x',
  'linux/riscv64',
] as const;

export const DEFAULT_PLATFORM = 'linux/amd64';

/** Validates and normalises (`linux/arm64/v8` → `linux/arm64`) a list of platforms; order kept, duplicates dropped. */
export function validatePlatforms(platforms: readonly string[], input = 'platforms'): string[] {
  const list = platforms.length === 0 ? [DEFAULT_PLATFORM] : platforms;
  const out: string[] = [];
  for (const raw of list) {
    const platform = raw.trim().toLowerCase();
    if (!(KNOWN_PLATFORMS as readonly string[]).includes(platform)) {
      throw new InputError(input, `names an unknown platform '${raw}' (known: ${KNOWN_PLATFORMS.join(', ')})`, DEFAULT_PLATFORM);
    }
    const normal = platform === 'linux/arm64/v8' ? 'linux/arm64' : platform;
    if (!out.includes(normal)) out.push(normal);
  }
  return out;
}
