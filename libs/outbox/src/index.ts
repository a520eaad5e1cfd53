export * from './add-to-outbox';
export * from './create-outbox.migration';
export * from './delete-published';
export { enableUnsafeDirectPublish } from './direct-publish';
export * from './outbox-backlog';
export * from './outbox-channel';
export * from './outbox-relay';
export { WalOutboxRelay, type WalRelayOptions } from './wal-relay';
export { outboxSlotName, slotLag, type SlotLag } from './wal/replication-slot';
