// Reading the simulated AWS state the demo reports on, with the plain SDK clients.
import { DescribeImagesCommand, type ImageDetail } from '@aws-sdk/client-ecr';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ListTasksCommand, type Service, type Task } from '@aws-sdk/client-ecs';
import { CLUSTER, type Demo, type ServiceName } from './context.js';

export async function describeService(demo: Demo, service: ServiceName): Promise<Service> {
  const out = await demo.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [service] }));
  const found = out.services?.[0];
  if (!found) throw new Error(`service ${service} not found in ${CLUSTER}`);
  return found;
}

export async function serviceTasks(demo: Demo, service: ServiceName, desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING'): Promise<Task[]> {
  const list = await demo.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: service, desiredStatus }));
  if (!list.taskArns?.length) return [];
  return (await demo.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: list.taskArns }))).tasks ?? [];
}

/** The digests a service runs now: pinned in its task definition and reported by its running tasks. */
export async function serviceImageDigests(demo: Demo, service: ServiceName): Promise<string[]> {
  const s = await describeService(demo, service);
  const td = await demo.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: s.taskDefinition! }));
  const digests = new Set<string>();
  for (const c of td.taskDefinition?.containerDefinitions ?? []) {
    const pinned = /@(sha256:[a-f0-9]{64})$/.exec(c.image ?? '');
    if (pinned) digests.add(pinned[1]!);
  }
  for (const task of await serviceTasks(demo, service)) for (const c of task.containers ?? []) if (c.imageDigest) digests.add(c.imageDigest);
  return [...digests];
}

export async function listImages(demo: Demo, repositoryName: string): Promise<ImageDetail[]> {
  const images: ImageDetail[] = [];
  let nextToken: string | undefined;
  do {
    const page = await demo.ecr.send(new DescribeImagesCommand({ repositoryName, nextToken }));
    images.push(...(page.imageDetails ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return images.sort((a, b) => new Date(a.imagePushedAt!).getTime() - new Date(b.imagePushedAt!).getTime());
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls (in real time, while the simulated clock runs) until `check` returns a value, or gives up. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000, everyMs = 100): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined || Date.now() > deadline) return value;
    await sleep(everyMs);
  }
}

/** The image's tags for display, without the guard's protection tags. */
export const userTags = (image: Pick<ImageDetail, 'imageTags'>) => (image.imageTags ?? []).filter((t) => !t.startsWith('gantry-keep-'));
