import type { ControlHandler } from './protocol/server.js';
import type { JsonService, Operation, RestRoute } from './protocol/types.js';

/** One simulated service (or a piece of one) in one region: what it serves and its control operations. */
export interface SimPart {
  service?: JsonService;
  routes?: RestRoute[];
  /** Control operations; the control API dispatches them to the part of the region the body names. */
  control?: Record<string, ControlHandler>;
  close?(): Promise<void> | void;
}

/** The parts of one region, by part name (`ecs`, `ecr`, `logs`, ...), each with its own typed extras. */
export type RegionParts = Record<string, SimPart & Record<string, any>>;

/**
 * Builds one part for one region. `parts` holds the parts of the same region built before it (factories
 * run in the order they are listed), e.g. ECS gets its region's ECR image lookup and Logs sink;
 * `partsIn(region)` reaches another region's parts (the awslogs driver's `awslogs-region`).
 */
export type PartFactory = (ctx: { region: string; parts: RegionParts; partsIn: (region: string) => RegionParts }) => SimPart & Record<string, any>;

/**
 * A region name as AWS spells them (us-east-1, eu-west-1, ap-southeast-2, us-gov-west-1, cn-north-1).
 * https://docs.aws.amazon.com/general/latest/gr/rande.html
 */
export const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * Every simulated service keeps its resources per region, as AWS does ("Many resources are
 * Region-specific"; ClusterNotFoundException: "Amazon ECS clusters are Region specific"): a cluster made in
 * eu-west-1 is not visible from us-east-1, and its ARN names eu-west-1. A region's parts are created the
 * first time a request (signed for that region) or a control operation (`region` field) names it.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html (Errors)
 * ARN format with the region: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */
export class Regions {
  private readonly byRegion = new Map<string, RegionParts>();

  constructor(
    readonly defaultRegion: string,
    private readonly factories: [name: string, factory: PartFactory][],
  ) {}

  /** The parts of `region` (default region when undefined), created on first use. */
  get(region: string = this.defaultRegion): RegionParts {
    let parts = this.byRegion.get(region);
    if (parts) return parts;
    parts = {};
    this.byRegion.set(region, parts);
    for (const [name, factory] of this.factories) parts[name] = factory({ region, parts, partsIn: (r) => this.get(r) });
    return parts;
  }

  /** Regions with parts so far. */
  regions(): string[] {
    return [...this.byRegion.keys()];
  }

  /**
   * JSON 1.1 services that serve every region: the operation names come from the default region's part,
   * each call goes to the part of the region the request was signed for.
   */
  services(): JsonService[] {
    const template = this.get();
    return this.factories.flatMap(([name]) => {
      const s = template[name]!.service;
      if (!s) return [];
      const operations: Record<string, Operation> = {};
      for (const op of Object.keys(s.operations)) operations[op] = (input, ctx) => this.get(ctx.region)[name]!.service!.operations[op]!(input, ctx);
      return [{ name: s.name, targetPrefix: s.targetPrefix, operations }];
    });
  }

  /** REST routes of every part, dispatched like `services()`. */
  routes(): RestRoute[] {
    const template = this.get();
    return this.factories.flatMap(([name]) =>
      (template[name]!.routes ?? []).map((route, i) => ({ ...route, handler: (req, ctx) => this.get(ctx.region)[name]!.routes![i]!.handler(req, ctx) }) satisfies RestRoute),
    );
  }

  /**
   * Control operations of every part. A body may name `region` (default: the default region); the rest of
   * the body goes to that region's part.
   */
  control(): Record<string, ControlHandler> {
    const template = this.get();
    const out: Record<string, ControlHandler> = {};
    for (const [name] of this.factories) {
      for (const op of Object.keys(template[name]!.control ?? {})) {
        out[op] = (body: any, ...more: unknown[]) => {
          let region: string | undefined;
          if (body && typeof body === 'object' && !Array.isArray(body) && 'region' in body) {
            ({ region, ...body } = body);
            if (typeof region !== 'string' || !REGION_NAME.test(region)) throw new Error(`region must be a region name such as us-east-1 or eu-west-1, got ${JSON.stringify(region)}`);
          }
          return (this.get(region)[name]!.control![op] as (...args: unknown[]) => unknown)(body, ...more);
        };
      }
    }
    return out;
  }

  async close(): Promise<void> {
    for (const parts of this.byRegion.values()) for (const part of Object.values(parts)) await part.close?.();
  }
}
