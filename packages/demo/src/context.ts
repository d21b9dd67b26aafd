import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { Simulator } from '@gantry/aws-sim';
import type { DockerProbe } from './docker.js';
import { fail, ok, type Printer } from './print.js';

export type ServiceName = 'web' | 'worker' | 'websocket';

/** The Laravel-style app: one image, repository, task definition family and service per process type. */
export interface AppService {
  name: ServiceName;
  /** Container name in the task definition. */
  container: string;
  /** Task definition file in the app repository (fixtures/app). */
  taskDefinitionFile: string;
  dockerfile: string;
  desiredCount: number;
  /** Releases already in ECR before this push, oldest first, with their age in days. */
  history: { tag: string; daysAgo: number }[];
}

export const SERVICES: AppService[] = [
  { name: 'web', container: 'web', taskDefinitionFile: '.aws/web.json', dockerfile: 'docker/web.Dockerfile', desiredCount: 2, history: [{ tag: 'release-41', daysAgo: 14 }, { tag: 'release-42', daysAgo: 7 }] },
  { name: 'worker', container: 'worker', taskDefinitionFile: '.aws/worker.json', dockerfile: 'docker/worker.Dockerfile', desiredCount: 1, history: [{ tag: 'release-41', daysAgo: 14 }, { tag: 'release-42', daysAgo: 7 }] },
  // The websocket server is deployed rarely: its running image is old.
  { name: 'websocket', container: 'reverb', taskDefinitionFile: '.aws/websocket.json', dockerfile: 'docker/websocket.Dockerfile', desiredCount: 1, history: [{ tag: 'release-38', daysAgo: 60 }] },
];

export const CLUSTER = 'shop-production';
export const ECR_HOST = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
export const GOOD_SHA = '5f0c2a91d3e84b7aa0c6e1f2b3d4c5e6f7a8b9c0';
export const BAD_SHA = 'badc0de1d3e84b7aa0c6e1f2b3d4c5e6f7a8b9c1';

export interface ReleaseImage {
  tag: string;
  digest: string;
  /** The image as a task definition names it: the simulated ECR registry, pinned by digest. */
  uri: string;
}

export interface Demo {
  sim: Simulator;
  ecs: ECSClient;
  ecr: ECRClient;
  out: Printer;
  docker: DockerProbe;
  /** A copy of fixtures/app: the checked-out repository the actions run in. */
  workspace: string;
  /** Repository name prefix; unique per run when a real registry (which outlives the run) backs ECR. */
  prefix: string;
  /** Simulated seconds per real second. */
  speed: number;
  /**
   * The registry host task definitions name: the simulated ECR host in memory mode; in registry mode the
   * simulator serves ECR from the real registry's host (its repositoryUri and proxyEndpoint).
   */
  registryHost: string;
  /** What earlier steps produced, for later steps. */
  state: {
    release: Partial<Record<ServiceName, ReleaseImage>>;
    badRelease?: ReleaseImage;
    deployed: Partial<Record<ServiceName, string>>;
    /** Digests the guard reported in use. */
    inUse?: Set<string>;
  };
  checks: { passed: number; failed: string[] };
}

export const repositoryOf = (demo: Demo, service: ServiceName) => `${demo.prefix}/${service}`;
export const ecrUri = (demo: Demo, repository: string, digest: string) => `${demo.registryHost}/${repository}@${digest}`;

/** Records an expectation of the demo: ✓ when it holds, ✗ (and a non-zero exit) when it does not. */
export function expectThat(demo: Demo, holds: boolean, what: string, otherwise?: string): boolean {
  if (holds) {
    demo.checks.passed++;
    ok(demo.out, what);
  } else {
    demo.checks.failed.push(otherwise ?? what);
    fail(demo.out, otherwise ?? what);
  }
  return holds;
}
