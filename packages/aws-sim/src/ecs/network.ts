import { randomBytes, randomUUID } from 'node:crypto';
import type { Task } from './model.js';

/** The elastic network interface an awsvpc task gets, and the private IP a load balancer targets. */
export interface TaskEni {
  attachmentId: string;
  networkInterfaceId: string;
  subnetId: string;
  privateIPv4Address: string;
  macAddress: string;
}

/**
 * Hands out private IPv4 addresses for awsvpc tasks, one region's worth: 10.0.0.0/16 upwards in order
 * (our choice; AWS picks a free address of the task's subnet).
 */
export class EniAllocator {
  private next = 0;

  allocate(subnetId: string): TaskEni {
    const n = this.next++;
    const ip = `10.${Math.floor(n / 65024) % 256}.${Math.floor(n / 254) % 256}.${(n % 254) + 1}`;
    const mac = ['0a', ...randomBytes(5).toString('hex').match(/../g)!].join(':');
    return { attachmentId: randomUUID(), networkInterfaceId: `eni-${randomBytes(8).toString('hex').slice(0, 17)}`, subnetId, privateIPv4Address: ip, macAddress: mac };
  }
}

/**
 * The task's ENI as DescribeTasks shows it: an `ElasticNetworkInterface` attachment with details
 * (subnetId, networkInterfaceId, macAddress, privateDnsName, privateIPv4Address), ATTACHED while the task
 * runs and DELETED once it stopped, and each container's `networkInterfaces`.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-awsvpc.html
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Attachment.html
 */
export function eniAttachment(task: Task, region: string) {
  const eni = task.eni;
  if (!eni) return undefined;
  const status = task.lastStatus === 'PROVISIONING' ? 'PRECREATED' : task.lastStatus === 'STOPPED' ? 'DELETED' : 'ATTACHED';
  return {
    id: eni.attachmentId,
    type: 'ElasticNetworkInterface',
    status,
    details: [
      { name: 'subnetId', value: eni.subnetId },
      { name: 'networkInterfaceId', value: eni.networkInterfaceId },
      { name: 'macAddress', value: eni.macAddress },
      { name: 'privateDnsName', value: `ip-${eni.privateIPv4Address.replaceAll('.', '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}` },
      { name: 'privateIPv4Address', value: eni.privateIPv4Address },
    ],
  };
}
