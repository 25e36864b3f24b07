export { generateSecret, hashSecret, verifySecret } from '../gateways/gateway-secret.ts';
export { type CloudBroker, startCloudBroker } from './cloud-broker.ts';
export { startExternalBroker } from './external-broker.ts';
export { mayPublish, maySubscribe } from './gateway-acl.ts';
