import type { InventorySink } from './context.js';

/** Task definitions and images the workflow names explicitly, e.g. a migration task run only on deploy. */
export function inventoryExtra(sink: InventorySink, taskDefinitions: readonly string[], images: readonly string[]): void {
  for (const td of taskDefinitions) sink.taskDefinitions.add(td, { kind: 'extra', name: `task definition ${td}` });
  for (const uri of images) sink.references.push({ uri, usage: { kind: 'extra', name: `image ${uri}` } });
}
