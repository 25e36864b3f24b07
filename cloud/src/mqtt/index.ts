export { type CloudBroker, startCloudBroker } from './cloud-broker.ts';
export { startExternalBroker } from './external-broker.ts';
export { mayPublish, maySubscribe } from './gateway-acl.ts';
export { generateSecret, hashSecret, verifySecret } from './gateway-secret.ts';
