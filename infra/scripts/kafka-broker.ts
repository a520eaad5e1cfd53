/**
 * The local Kafka broker and cluster that `infra:up`, the demo, the chaos runs and the tests start: one
 * import for the public names of `kafka/` — settings (`kafka/settings.ts`), the jars Maven fetches
 * (`kafka/jars.ts`), server.properties and storage (`kafka/storage.ts`), the running process
 * (`kafka/process.ts`) and starting it (`kafka/start.ts`).
 */
export { ensureJars, requireJarsOrMaven } from './kafka/jars';
export { brokerAnswers, brokerLogTail, killBroker, runningBrokerPid, stopBroker } from './kafka/process';
export {
  brokerAddress,
  brokerSettings,
  clusterSettings,
  clusterSize,
  durability,
  type BrokerSettings,
} from './kafka/settings';
export { startBroker, startBrokers } from './kafka/start';
export { newClusterId, renderServerProperties } from './kafka/storage';
