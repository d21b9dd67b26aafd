import { DescribeServiceRevisionsCommand, type ECSClient } from '@aws-sdk/client-ecs';

/**
 * Task definitions of service revisions, read from ECS and cached (a revision never changes).
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServiceRevisions.html
 */
export class RevisionLookup {
  private readonly cache = new Map<string, string | undefined>();

  constructor(private readonly ecs: ECSClient) {}

  async taskDefinition(serviceRevisionArn: string | undefined): Promise<string | undefined> {
    if (!serviceRevisionArn) return undefined;
    if (this.cache.has(serviceRevisionArn)) return this.cache.get(serviceRevisionArn);
    const out = await this.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [serviceRevisionArn] }));
    const td = out.serviceRevisions?.[0]?.taskDefinition;
    this.cache.set(serviceRevisionArn, td);
    return td;
  }
}
